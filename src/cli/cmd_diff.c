/* govgrid diff: what changed between two plans, for approval. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid diff PROJECT.sqlite A B [--json] [-o DIR] [--overwrite]\n"
            "\n"
            "Compares plan A with plan B (plan numbers, as govgrid plans lists them):\n"
            "  - grids: each code added (in B only), retired (in A only), reshaped (in\n"
            "    both, another boundary) or unchanged, with its area and households in\n"
            "    each plan;\n"
            "  - households: every household point of the project located in both plans\n"
            "    by the rule of govgrid locate; the transition table (from grid in A, to\n"
            "    grid in B, points, households, persons) accounts for every one, those\n"
            "    in no grid included, and its sum is the project's households;\n"
            "  - per community: grids in A and B, added, retired, reshaped, unchanged,\n"
            "    households and households moved (in a grid of another code in B).\n"
            "Prints a summary; --json prints everything.\n"
            "\n"
            "Options:\n"
            "  -o DIR        also write DIR/grids.csv, DIR/moves.csv, DIR/communities.csv\n"
            "                and DIR/summary.json (DIR is created; existing files are\n"
            "                refused unless --overwrite)\n"
            "  --overwrite   replace the files of an earlier run in DIR\n"
            "  --map FILE    also draw the changes (.png, .svg or .pdf): plan B's grids\n"
            "                filled by change, plan A's changed boundaries dashed; with\n"
            "                -o DIR, DIR/changes.png is drawn too\n"
            "  --json        print the difference as JSON\n"
            "  --quiet       print nothing but errors\n"
            "  --help        show this help\n");
}

/* The difference as JSON (gg_plan_diff_json), to print or write. */
static json_t *diff_json(gg_ctx *ctx, const gg_plan_diff *d, int what)
{
    char *text = NULL;
    if (gg_plan_diff_json(ctx, d, what, &text) != GG_OK)
        return NULL;
    json_t *o = json_loads(text, 0, NULL);
    gg_text_free(ctx, text);
    return o;
}

/* Opens DIR/name for writing, refusing an existing file unless
 * overwrite. */
static FILE *open_out(const char *dir, const char *name, int overwrite, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    struct stat sb;
    if (!overwrite && stat(path, &sb) == 0) {
        cli_error("diff", "%s exists (use --overwrite to replace it)", path);
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL)
        cli_error("diff", "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path)
{
    if (ferror(f) | (fclose(f) != 0)) {
        cli_error("diff", "%s: write failed: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

/* Writes the four files into a new temporary folder beside DIR's files
 * and renames each into place, so that a failure leaves no half-written
 * file under its final name. */
static int write_dir(gg_ctx *ctx, const gg_plan_diff *d, const char *dir, int overwrite)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error("diff", "%s: cannot create: %s", dir, strerror(errno));
        return CLI_FAILED;
    }
    static const char *const names[] = {"grids.csv", "moves.csv", "communities.csv", "summary.json"};
    char final[4][4096], tmp[4][4096];
    struct stat sb;
    for (int i = 0; i < 4; i++) {
        snprintf(final[i], sizeof final[i], "%s/%s", dir, names[i]);
        if (!overwrite && stat(final[i], &sb) == 0) {
            cli_error("diff", "%s exists (use --overwrite to replace it)", final[i]);
            return CLI_FAILED;
        }
    }
    char tmpname[64];
    int ok = 1, made = 0;
    for (int i = 0; i < 4 && ok; i++) {
        snprintf(tmpname, sizeof tmpname, ".%s.tmp", names[i]);
        FILE *f = open_out(dir, tmpname, 1, tmp[i], sizeof tmp[i]);
        if (f == NULL) {
            ok = 0;
            break;
        }
        made++;
        if (i == 0) {
            fprintf(f, "code,community,change,area_a_m2,area_b_m2,households_a,households_b\n");
            for (size_t k = 0; k < d->n_grids; k++) {
                const gg_grid_change *g = &d->grids[k];
                fprintf(f, "%s,%s,%s,%.1f,%.1f,%lld,%lld\n", g->code, g->community, gg_grid_change_name(g->kind),
                        g->area_a_m2, g->area_b_m2, (long long)g->households_a, (long long)g->households_b);
            }
        } else if (i == 1) {
            fprintf(f, "from_code,to_code,points,households,persons\n");
            for (size_t k = 0; k < d->n_moves; k++) {
                const gg_household_move *m = &d->moves[k];
                fprintf(f, "%s,%s,%lld,%lld,%lld\n", m->from_code, m->to_code, (long long)m->points,
                        (long long)m->households, (long long)m->persons);
            }
        } else if (i == 2) {
            fprintf(f, "community,grids_a,grids_b,unchanged,reshaped,added,retired,households,households_moved\n");
            for (size_t k = 0; k < d->n_communities; k++) {
                const gg_community_change *c = &d->communities[k];
                fprintf(f, "%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld\n", c->community, (long long)c->grids_a,
                        (long long)c->grids_b, (long long)c->unchanged, (long long)c->reshaped,
                        (long long)c->added, (long long)c->retired, (long long)c->households,
                        (long long)c->households_moved);
            }
        } else {
            json_t *s = diff_json(ctx, d, GG_DIFF_JSON_SUMMARY);
            if (s == NULL || json_dumpf(s, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
                ok = 0;
            fputc('\n', f);
            json_decref(s);
        }
        if (!close_out(f, tmp[i]))
            ok = 0;
    }
    for (int i = 0; i < 4 && ok; i++)
        if (rename(tmp[i], final[i]) != 0) {
            cli_error("diff", "%s: cannot write: %s", final[i], strerror(errno));
            ok = 0;
        }
    if (!ok)
        for (int i = 0; i < made; i++)
            remove(tmp[i]);
    return ok ? CLI_OK : CLI_FAILED;
}

static int parse_plan_number(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || v < 1)
        return 0;
    *out = v;
    return 1;
}

static int run(int argc, char **argv)
{
    const char *dir = NULL, *map = NULL;
    int overwrite = 0;
    char *rest[64];
    int n = 0;
    for (int i = 0; i < argc && n < 63; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc)
                return cli_usage("diff", "%s needs a folder", argv[i]);
            dir = argv[++i];
        } else if (strcmp(argv[i], "--map") == 0) {
            if (i + 1 >= argc)
                return cli_usage("diff", "--map needs a file name (.png, .svg or .pdf)");
            map = argv[++i];
        } else if (strcmp(argv[i], "--overwrite") == 0) {
            overwrite = 1;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_diff, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first != 3)
        return cli_usage("diff", "expected PROJECT A B");
    int64_t a = 0, b = 0;
    if (!parse_plan_number(rest[first + 1], &a) || !parse_plan_number(rest[first + 2], &b))
        return cli_usage("diff", "A and B are plan numbers (see govgrid plans), got '%s' and '%s'", rest[first + 1],
                         rest[first + 2]);
    gg_ctx *ctx = cli_ctx_new("diff", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_plan_diff *d = NULL;
    if (gg_store_open(ctx, rest[first], 0, &store) != GG_OK || gg_plan_diff_get(ctx, store, a, b, &d) != GG_OK) {
        rc = cli_fail("diff", ctx);
    } else {
        rc = dir ? write_dir(ctx, d, dir, overwrite) : CLI_OK;
        if (rc == CLI_OK && dir != NULL) {
            char png[4096];
            snprintf(png, sizeof png, "%s/changes.png", dir);
            if (gg_diff_map_render(ctx, store, d, png, 0) != GG_OK)
                rc = cli_fail("diff", ctx);
        }
        if (rc == CLI_OK && map != NULL && gg_diff_map_render(ctx, store, d, map, 0) != GG_OK)
            rc = cli_fail("diff", ctx);
        if (rc == CLI_OK && common.json) {
            json_t *o = diff_json(ctx, d, GG_DIFF_JSON_ALL);
            rc = o != NULL ? cli_print_json(o) : cli_fail("diff", ctx);
        } else if (rc == CLI_OK && !common.quiet) {
            printf("plan %lld -> plan %lld\n", (long long)a, (long long)b);
            printf("grids: %lld unchanged, %lld reshaped, %lld added, %lld retired\n", (long long)d->unchanged,
                   (long long)d->reshaped, (long long)d->added, (long long)d->retired);
            printf("households: %lld in %lld points; %lld (%.2f%%) change grid", (long long)d->households,
                   (long long)d->points, (long long)d->households_moved,
                   d->households ? 100.0 * (double)d->households_moved / (double)d->households : 0.0);
            if (d->households_outside_a || d->households_outside_b)
                printf("; in no grid: %lld in plan %lld, %lld in plan %lld", (long long)d->households_outside_a,
                       (long long)a, (long long)d->households_outside_b, (long long)b);
            printf("\n\n%-12s  %7s  %7s  %9s  %8s  %5s  %7s  %10s  %6s\n", "community", "grids A", "grids B",
                   "unchanged", "reshaped", "added", "retired", "households", "moved");
            for (size_t i = 0; i < d->n_communities; i++) {
                const gg_community_change *c = &d->communities[i];
                printf("%-12s  %7lld  %7lld  %9lld  %8lld  %5lld  %7lld  %10lld  %6lld\n", c->community,
                       (long long)c->grids_a, (long long)c->grids_b, (long long)c->unchanged,
                       (long long)c->reshaped, (long long)c->added, (long long)c->retired,
                       (long long)c->households, (long long)c->households_moved);
            }
            if (dir)
                printf("\nwritten: %s/grids.csv, moves.csv, communities.csv, summary.json, changes.png\n", dir);
            if (map)
                printf("%smap: %s\n", dir ? "" : "\n", map);
        }
    }
    gg_plan_diff_free(ctx, d);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_diff = {"diff", "compare two plans: grids changed, households moved", run, help};
