/* govgrid edit: a planner's edits of a plan, each a new draft. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid edit PROJECT.sqlite --plan N merge CODE CODE... [--note TEXT] [--json]\n"
            "       govgrid edit PROJECT.sqlite --plan N split CODE --line WKT|FILE [--note TEXT] [--json]\n"
            "       govgrid edit PROJECT.sqlite --plan N reshape CODE --polygon WKT|FILE [--note TEXT] [--json]\n"
            "       govgrid edit PROJECT.sqlite --plan N move --to CODE (--block ID | --polygon WKT|FILE)\n"
            "                    [--note TEXT] [--json]\n"
            "       govgrid edit PROJECT.sqlite --plan N lock CODE... [--note TEXT] [--json]\n"
            "       govgrid edit PROJECT.sqlite --plan N unlock CODE... [--note TEXT] [--json]\n"
            "\n"
            "Each edit makes a new draft from plan N (its parent), in one transaction, and\n"
            "prints its number; publish it with govgrid plan publish after review\n"
            "(govgrid diff N NEW). An edit that would break a rule is refused with the\n"
            "reason, and nothing is written.\n"
            "  merge   the grids into one: of one community and one type, making one\n"
            "          piece, none locked. The grid with the most households (then area,\n"
            "          then the lower code) keeps its code and name; the others' codes\n"
            "          are retired when the draft is published. Households out of the\n"
            "          window are a warning, not a refusal.\n"
            "  split   the grid along a line drawn across it from edge to edge (WKT\n"
            "          LINESTRING in WGS 84 lon/lat, or a FILE holding it): the piece with the\n"
            "          most households keeps the code and name, the others take codes\n"
            "          never issued; the neighbours take the vertices where the line\n"
            "          meets the grid's edge, so the grids still tile the community\n"
            "  reshape the grid takes the polygon's shape (WKT POLYGON or MULTIPOLYGON in\n"
            "          WGS 84 lon/lat, or a FILE holding it; what lies outside its community is\n"
            "          left out): the grids it overlaps give up what it takes, and what it\n"
            "          gives up goes to the neighbour sharing the longest boundary with each\n"
            "          piece, so nothing overlaps and nothing is left uncovered; codes stay\n"
            "  move    a street block (--block CODE/k, as govgrid blocks lists them), or the\n"
            "          piece of the community the polygon covers, goes to grid --to, a\n"
            "          neighbour it touches (a reshape of that grid to itself and the piece)\n"
            "  lock    maintenance (partition --from N --maintain) leaves locked grids as\n"
            "          they are, merges refuse them, and partition --from refuses to\n"
            "          redraw them\n"
            "  unlock  undoes lock\n"
            "\n"
            "Who edits is recorded: GOVGRID_USER, else the login name.\n"
            "\n"
            "Options:\n"
            "  --plan N     the plan to edit (required)\n"
            "  --line WKT|FILE     split: the line\n"
            "  --polygon WKT|FILE  reshape, move: the polygon\n"
            "  --to CODE           move: the grid that takes the piece\n"
            "  --block ID          move: the block (CODE/k: govgrid blocks PROJECT CODE)\n"
            "  --note TEXT  stored with the new plan\n"
            "  --json       print the result as JSON\n"
            "  --quiet      print nothing but errors\n"
            "  --help       show this help\n");
}

/* A geometry argument: WKT as given, or the text of a file ("@FILE", or
 * a FILE that exists and does not begin like WKT): *owned is the text to
 * free. NULL with an error printed when the file cannot be read. */
static const char *geometry_arg(const char *value, char **owned)
{
    *owned = NULL;
    const char *path = value[0] == '@' ? value + 1 : NULL;
    if (path == NULL && strpbrk(value, "(") == NULL) {
        FILE *probe = fopen(value, "rb");
        if (probe != NULL) {
            fclose(probe);
            path = value;
        }
    }
    if (path == NULL)
        return value;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error("edit", "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = (size_t)16 << 20;
    char *text = malloc(cap + 1);
    size_t len = text != NULL ? fread(text, 1, cap, f) : 0;
    int full = text != NULL && len == cap && fgetc(f) != EOF;
    fclose(f);
    if (text == NULL || full) {
        cli_error("edit", "%s: %s", path, text == NULL ? "out of memory" : "over 16 MiB: not a line or polygon");
        free(text);
        return NULL;
    }
    text[len] = '\0';
    *owned = text;
    return text;
}

static int run(int argc, char **argv)
{
    const char *note = NULL, *plan_text = NULL, *line = NULL, *polygon = NULL, *to = NULL, *block = NULL;
    char *rest[256];
    int n = 0;
    for (int i = 0; i < argc && n < 255; i++) {
        if (strcmp(argv[i], "--plan") == 0 || strcmp(argv[i], "--note") == 0 || strcmp(argv[i], "--line") == 0 ||
            strcmp(argv[i], "--polygon") == 0 || strcmp(argv[i], "--to") == 0 || strcmp(argv[i], "--block") == 0) {
            if (i + 1 >= argc)
                return cli_usage("edit", "%s needs a value", argv[i]);
            const char *v = argv[++i], *opt = argv[i - 1];
            if (strcmp(opt, "--plan") == 0)
                plan_text = v;
            else if (strcmp(opt, "--line") == 0)
                line = v;
            else if (strcmp(opt, "--polygon") == 0)
                polygon = v;
            else if (strcmp(opt, "--to") == 0)
                to = v;
            else if (strcmp(opt, "--block") == 0)
                block = v;
            else
                note = v;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_edit, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first < 2)
        return cli_usage("edit", "expected PROJECT --plan N merge|split|reshape|move|lock|unlock ...");
    if (plan_text == NULL)
        return cli_usage("edit", "--plan N is required: the plan to edit");
    int64_t plan = 0;
    rc = cli_parse_plan("edit", plan_text, &plan);
    if (rc >= 0)
        return rc;
    const char *project = rest[first], *action = rest[first + 1];
    const char *const *codes = (const char *const *)&rest[first + 2];
    size_t ncodes = (size_t)(n - first - 2);
    int merge = strcmp(action, "merge") == 0, lock = strcmp(action, "lock") == 0,
        unlock = strcmp(action, "unlock") == 0, split = strcmp(action, "split") == 0,
        reshape = strcmp(action, "reshape") == 0, move = strcmp(action, "move") == 0;
    if (!merge && !lock && !unlock && !split && !reshape && !move)
        return cli_usage("edit", "unknown edit '%s' (expected merge, split, reshape, move, lock or unlock)", action);
    if (split && (ncodes != 1 || line == NULL))
        return cli_usage("edit", "split takes one grid code and --line WKT (or --line FILE)");
    if (reshape && (ncodes != 1 || polygon == NULL))
        return cli_usage("edit", "reshape takes one grid code and --polygon WKT (or --polygon FILE)");
    if (move && (ncodes != 0 || to == NULL || (polygon == NULL) == (block == NULL)))
        return cli_usage("edit", "move takes --to CODE and either --block ID or --polygon WKT (or --polygon FILE), "
                                 "no other grid code");
    if ((line && !split) || (polygon && !reshape && !move) || (to && !move) || (block && !move))
        return cli_usage("edit", "%s takes no %s", action,
                         line && !split                     ? "--line"
                         : polygon && !reshape && !move     ? "--polygon"
                         : to && !move                      ? "--to"
                                                            : "--block");
    char *line_text = NULL;
    if (split && (line = geometry_arg(line, &line_text)) == NULL)
        return CLI_FAILED;
    if ((reshape || (move && block == NULL)) && (polygon = geometry_arg(polygon, &line_text)) == NULL)
        return CLI_FAILED;
    if (merge && ncodes < 2) {
        free(line_text);
        return cli_usage("edit", "merge needs at least two grid codes");
    }
    if ((lock || unlock) && ncodes < 1)
        return cli_usage("edit", "%s needs at least one grid code", action);
    gg_ctx *ctx = cli_ctx_new("edit", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_edit_result r;
    gg_status st = gg_store_open(ctx, project, 1, &store);
    if (st == GG_OK) {
        gg_store_set_actor(store, cli_actor());
        st = merge     ? gg_plan_merge(ctx, store, plan, codes, ncodes, note, &r)
             : split   ? gg_plan_split(ctx, store, plan, codes[0], line, note, &r)
             : reshape ? gg_plan_reshape(ctx, store, plan, codes[0], polygon, note, &r)
             : move && block ? gg_plan_move_block(ctx, store, plan, to, block, note, &r)
             : move    ? gg_plan_move(ctx, store, plan, to, polygon, note, &r)
                       : gg_plan_lock(ctx, store, plan, codes, ncodes, lock, note, &r);
    }
    if (st != GG_OK) {
        rc = st == GG_ERR_ARG ? CLI_USAGE : CLI_FAILED;
        cli_fail("edit", ctx);
    } else if (common.json) {
        json_t *o = json_pack("{s:I, s:I, s:s, s:I}", "plan", (json_int_t)r.plan, "from", (json_int_t)plan, "edit",
                              action, "grids", (json_int_t)r.grids_changed);
        if (merge || split || reshape || move) {
            json_object_set_new(o, "code", json_string(r.code));
            json_object_set_new(o, "households", r.counted ? json_integer(r.households) : json_null());
        }
        json_object_set_new(o, "warning", r.warning[0] ? json_string(r.warning) : json_null());
        rc = cli_print_json(o);
    } else {
        char counted[32];
        if (!common.quiet && split && !r.counted)
            printf("plan %lld: plan %lld with grid %s split in %lld; %s keeps the code (households unknown: the "
                   "grid had no count)\n",
                   (long long)r.plan, (long long)plan, codes[0], (long long)r.grids_changed, r.code);
        else if (!common.quiet && split)
            printf("plan %lld: plan %lld with grid %s split in %lld; %s keeps the code (%lld households)\n",
                   (long long)r.plan, (long long)plan, codes[0], (long long)r.grids_changed, r.code,
                   (long long)r.households);
        else if (!common.quiet && merge && !r.counted)
            printf("plan %lld: plan %lld with %zu grids merged into %s (households unknown: a grid had no count)\n",
                   (long long)r.plan, (long long)plan, ncodes, r.code);
        else if (!common.quiet && merge)
            printf("plan %lld: plan %lld with %zu grids merged into %s (%lld households)\n", (long long)r.plan,
                   (long long)plan, ncodes, r.code, (long long)r.households);
        else if (!common.quiet && (reshape || move))
            printf("plan %lld: plan %lld with grid %s %s, %lld grids changed (%s: %s households)\n",
                   (long long)r.plan, (long long)plan, reshape ? codes[0] : to,
                   reshape ? "reshaped" : "taking the piece", (long long)r.grids_changed, r.code,
                   r.counted ? (snprintf(counted, sizeof counted, "%lld", (long long)r.households), counted)
                             : "unknown");
        else if (!common.quiet)
            printf("plan %lld: plan %lld with %zu grid%s %sed\n", (long long)r.plan, (long long)plan, ncodes,
                   ncodes == 1 ? "" : "s", action);
        if (r.warning[0])
            fprintf(stderr, "warning: %s\n", r.warning);
        rc = CLI_OK;
    }
    free(line_text);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_edit = {"edit", "edit a plan (merge, split, reshape, move, lock, unlock): a new draft", run,
                                  help};
