/* The summary of a departmental comparison (its summary.json) in words,
 * for govgrid dedup and govgrid report --dedup. */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

static const char *grouped(json_int_t v, char *buf, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (int i = 0; i < n && k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}

/* "1 gap", "2 gaps" (the noun's plural with an s, or given) */
static const char *count_of(json_int_t n, const char *one, const char *many, char *buf, size_t size)
{
    char digits[32];
    snprintf(buf, size, "%s %s", grouped(n, digits, sizeof digits), n == 1 ? one : many);
    return buf;
}

static json_int_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void area(double m2, char *buf, size_t size)
{
    if (m2 >= 1e6)
        snprintf(buf, size, "%.2f km2", m2 / 1e6);
    else if (m2 >= 1e4)
        snprintf(buf, size, "%.2f ha", m2 / 1e4);
    else
        snprintf(buf, size, "%.0f m2", m2);
}

int cli_dedup_print_summary(FILE *out, json_t *s, const char *dir)
{
    char a[64], b[64], c[64], ar[64];
    json_t *depts = json_object_get(s, "departments");
    if (!json_is_array(depts) || !json_is_integer(json_object_get(s, "dept_grids")))
        return -1;
    fprintf(out, "plan %lld: %zu department%s, %s departmental grids against %s unified grids"
                 " (equal at IoU >= %.2f, tolerance %g m)\n",
            (long long)num(s, "plan"), json_array_size(depts), json_array_size(depts) == 1 ? "" : "s",
            grouped(num(s, "dept_grids"), a, sizeof a), grouped(num(s, "unified_grids"), b, sizeof b),
            json_real_value(json_object_get(s, "equal_iou")), json_number_value(json_object_get(s, "tolerance_m")));
    size_t i;
    json_t *d;
    json_array_foreach(depts, i, d) {
        json_t *rel = json_object_get(d, "relations"), *ov = json_object_get(d, "overlaps"),
               *gp = json_object_get(d, "gaps");
        fprintf(out, "%s: %s over %s, %s\n", json_string_value(json_object_get(d, "dept")),
                count_of(num(d, "grids"), "grid", "grids", a, sizeof a),
                count_of(num(d, "communities_covered"), "community", "communities", b, sizeof b),
                count_of(num(d, "households"), "household", "households", c, sizeof c));
        fprintf(out, "  equal %s, union of whole grids %s, part of one grid %s, cutting through grids %s",
                grouped(num(rel, "equal"), a, sizeof a), grouped(num(rel, "union-of"), b, sizeof b),
                grouped(num(rel, "part-of"), c, sizeof c), grouped(num(rel, "cuts"), ar, sizeof ar));
        fprintf(out, ", outside the plan %s", grouped(num(rel, "outside"), a, sizeof a));
        if (num(rel, "invalid") > 0)
            fprintf(out, ", invalid %s", grouped(num(rel, "invalid"), a, sizeof a));
        fprintf(out, "\n");
        if (num(d, "repaired") > 0)
            fprintf(out, "  %s invalid geometry, repaired\n", count_of(num(d, "repaired"), "grid had", "grids had", a, sizeof a));
        area(json_number_value(json_object_get(ov, "area_m2")), ar, sizeof ar);
        fprintf(out, "  %s cut off unified grids; %s between its own grids (%s, %s);",
                count_of(num(d, "cut_pieces"), "piece", "pieces", a, sizeof a),
                count_of(num(ov, "count"), "overlap", "overlaps", b, sizeof b), ar,
                count_of(num(ov, "households"), "household", "households", c, sizeof c));
        area(json_number_value(json_object_get(gp, "area_m2")), ar, sizeof ar);
        fprintf(out, " %s in the communities it covers (%s, %s)\n", count_of(num(gp, "count"), "gap", "gaps", a, sizeof a),
                ar, count_of(num(gp, "households"), "household", "households", b, sizeof b));
        fprintf(out, "  replaced by whole unified grids, %s would change hands\n",
                count_of(num(d, "households_changing_hands"), "household", "households", a, sizeof a));
    }
    json_t *pairs = json_object_get(s, "duplicates_by_departments");
    fprintf(out, "duplicates across departments: %s covering the same ground",
            count_of(num(s, "duplicates"), "pair of grids", "pairs of grids", a, sizeof a));
    json_array_foreach(pairs, i, d)
        fprintf(out, "%s%s/%s %s", i == 0 ? " (" : ", ", json_string_value(json_object_get(d, "dept_a")),
                json_string_value(json_object_get(d, "dept_b")), grouped(num(d, "pairs"), a, sizeof a));
    fprintf(out, "%s\n", json_array_size(pairs) ? ")" : "");
    fprintf(out, "%s listed; %s within the tolerance set aside as digitising noise\n",
            count_of(num(s, "conflicts"), "conflict", "conflicts", a, sizeof a),
            count_of(num(s, "noise_pieces"), "sliver", "slivers", b, sizeof b));
    if (dir != NULL) {
        fprintf(out, "in %s:", dir);
        json_array_foreach(json_object_get(s, "files"), i, d)
            fprintf(out, " %s", json_string_value(d));
        fprintf(out, "\n");
    }
    return 0;
}

int cli_dedup_print_dir(const char *command, const char *dir, int as_json)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *probe = fopen(path, "r");
    if (probe == NULL) {
        cli_error(command, "%s: cannot open (%s): run govgrid dedup PROJECT -o %s first", path, strerror(errno), dir);
        return CLI_FAILED;
    }
    fclose(probe);
    json_error_t err;
    json_t *s = json_load_file(path, 0, &err);
    if (s == NULL) {
        cli_error(command, "%s: line %d: %s", path, err.line, err.text);
        return CLI_FAILED;
    }
    if (as_json)
        return cli_print_json(s);
    int bad = cli_dedup_print_summary(stdout, s, dir);
    json_decref(s);
    if (bad) {
        cli_error(command, "%s: not the summary of govgrid dedup", path);
        return CLI_FAILED;
    }
    return CLI_OK;
}
