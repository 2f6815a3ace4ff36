/* The summary of a departmental comparison (its summary.json) in words,
 * for govgrid dedup and govgrid report --dedup. */
#include "cli/cli.h"

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
    char a[32], b[32], c[32], ar[32];
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
        fprintf(out, "%s: %s grids over %s communities, %s households\n", json_string_value(json_object_get(d, "dept")),
                grouped(num(d, "grids"), a, sizeof a), grouped(num(d, "communities_covered"), b, sizeof b),
                grouped(num(d, "households"), c, sizeof c));
        fprintf(out, "  equal %s, union of whole grids %s, part of one grid %s, cutting through grids %s",
                grouped(num(rel, "equal"), a, sizeof a), grouped(num(rel, "union-of"), b, sizeof b),
                grouped(num(rel, "part-of"), c, sizeof c), grouped(num(rel, "cuts"), ar, sizeof ar));
        fprintf(out, ", outside the plan %s", grouped(num(rel, "outside"), a, sizeof a));
        if (num(rel, "invalid") > 0)
            fprintf(out, ", invalid %s", grouped(num(rel, "invalid"), a, sizeof a));
        fprintf(out, "\n");
        if (num(d, "repaired") > 0)
            fprintf(out, "  %s grids had invalid geometry and were repaired\n", grouped(num(d, "repaired"), a, sizeof a));
        area(json_number_value(json_object_get(ov, "area_m2")), ar, sizeof ar);
        fprintf(out, "  %s pieces cut off unified grids; %s overlaps between its own grids (%s, %s households);",
                grouped(num(d, "cut_pieces"), a, sizeof a), grouped(num(ov, "count"), b, sizeof b), ar,
                grouped(num(ov, "households"), c, sizeof c));
        area(json_number_value(json_object_get(gp, "area_m2")), ar, sizeof ar);
        fprintf(out, " %s gaps in the communities it covers (%s, %s households)\n", grouped(num(gp, "count"), a, sizeof a),
                ar, grouped(num(gp, "households"), b, sizeof b));
        fprintf(out, "  replaced by whole unified grids, %s households would change hands\n",
                grouped(num(d, "households_changing_hands"), a, sizeof a));
    }
    json_t *pairs = json_object_get(s, "duplicates_by_departments");
    fprintf(out, "duplicates across departments: %s pairs of grids covering the same ground",
            grouped(num(s, "duplicates"), a, sizeof a));
    json_array_foreach(pairs, i, d)
        fprintf(out, "%s%s/%s %s", i == 0 ? " (" : ", ", json_string_value(json_object_get(d, "dept_a")),
                json_string_value(json_object_get(d, "dept_b")), grouped(num(d, "pairs"), a, sizeof a));
    fprintf(out, "%s\n", json_array_size(pairs) ? ")" : "");
    fprintf(out, "%s conflicts listed; %s slivers within the tolerance set aside as digitising noise\n",
            grouped(num(s, "conflicts"), a, sizeof a), grouped(num(s, "noise_pieces"), b, sizeof b));
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
    json_error_t err;
    json_t *s = json_load_file(path, 0, &err);
    if (s == NULL) {
        cli_error(command, "%s: %s%s (line %d)", path, err.text, strstr(err.text, "unable to open") ? "; run govgrid dedup first" : "", err.line);
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
