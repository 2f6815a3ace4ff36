/* govgrid partition: divide communities into grids, as a new plan. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COMMUNITIES 4096

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid partition PROJECT.sqlite [options]\n"
            "\n"
            "Divides every community (or those given) into grids and stores them as a new\n"
            "plan, in one transaction. Dedicated grids are carved first from unit parcels\n"
            "(government, industrial, enterprise, school, hospital, institution, office,\n"
            "market, scenic, other) of at least --dedicated-min-m2; comprehensive grids\n"
            "follow roads and waterways and hold a window of households: urban communities\n"
            "(classes 111, 112, 121, 122, 123) 300-500, rural ones (210, 220) 250-350.\n"
            "The grids of a community tile it; codes are 16 digits: community, type,\n"
            "sequence west to east then north to south.\n"
            "\n"
            "Options:\n"
            "  --community CODE        only this community (repeatable)\n"
            "  --urban MIN-MAX         urban household window (default 300-500; target the middle)\n"
            "  --rural MIN-MAX         rural household window (default 250-350)\n"
            "  --class122 urban|rural  the rule for class 122 (default urban)\n"
            "  --class123 urban|rural  the rule for class 123 (default urban)\n"
            "  --dedicated-min-m2 A    smallest parcel that becomes a dedicated grid (default 10000)\n"
            "  --seed N                varies the directions of the retried sweeps (default 0)\n"
            "  --jobs N                communities partitioned at once (default: the number of\n"
            "                          cores); the plan is the same for any N\n"
            "  --note TEXT             a note stored with the plan\n"
            "  --from N                make the plan from plan N (its parent): a grid keeps\n"
            "                          the code and name of the grid of plan N it keeps most\n"
            "                          of (more than half of its households and of its\n"
            "                          area); other grids get codes never issued before;\n"
            "                          with --community, plan N's other communities are\n"
            "                          carried over as they are\n"
            "  --maintain              with --from N: partition again, with the codes kept,\n"
            "                          only the communities the rules now break (a grid over\n"
            "                          the maximum or under the minimum as the households are\n"
            "                          now, a boundary moved, a new community); every other\n"
            "                          grid is kept as it is; windows default to plan N's\n"
            "  --max-change P          with --maintain: the share of all households whose\n"
            "                          grid may change (default 5%%); communities whose repair\n"
            "                          would go over it are left as they were, and named\n"
            "  --json                  print the result as JSON\n"
            "  --quiet                 print nothing but errors\n"
            "  --help                  show this help\n"
            "\n"
            "Exit status: 0 stored; 1 a community could not be partitioned (nothing stored)\n"
            "or a store error; 2 usage error.\n");
}

static int parse_window(const char *text, int *min, int *max)
{
    char *end = NULL;
    long a = strtol(text, &end, 10);
    if (end == text || *end != '-')
        return 0;
    const char *second = end + 1;
    long b = strtol(second, &end, 10);
    if (end == second || *end != '\0' || a < 1 || b < a || b > 1000000)
        return 0;
    *min = (int)a;
    *max = (int)b;
    return 1;
}

static int parse_rule(const char *text, int *rural)
{
    if (strcmp(text, "urban") == 0)
        *rural = 0;
    else if (strcmp(text, "rural") == 0)
        *rural = 1;
    else
        return 0;
    return 1;
}

static json_t *report_json(const char *project, const gg_partition_report *r, gg_status st, gg_ctx *ctx,
                           int maintain)
{
    json_t *o = json_object();
    json_object_set_new(o, "project", json_string(project));
    json_object_set_new(o, "ok", json_boolean(st == GG_OK));
    if (st != GG_OK)
        json_object_set_new(o, "error", json_string(gg_ctx_errmsg(ctx)));
    json_object_set_new(o, "plan", r->plan ? json_integer(r->plan) : json_null());
    json_object_set_new(o, "communities", json_integer(r->communities));
    json_object_set_new(o, "grids", json_integer(r->grids));
    json_object_set_new(o, "dedicated", json_integer(r->dedicated));
    json_object_set_new(o, "households", json_integer(r->households));
    json_object_set_new(o, "comprehensive_in_window", json_integer(r->grids_in_range));
    json_object_set_new(o, "comprehensive_out_of_window", json_integer(r->grids_out_of_range));
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_partition_community *c = &r->items[i];
        json_t *item = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "community", c->code, "rule",
                                 c->rural ? "rural" : "urban", "households", (json_int_t)c->households, "grids",
                                 (json_int_t)c->grids, "dedicated", (json_int_t)c->dedicated, "in_window",
                                 (json_int_t)c->grids_in_range, "out_of_window", (json_int_t)c->grids_out_of_range,
                                 "problem", c->problem ? json_string(c->problem) : json_null());
        if (maintain) {
            json_object_set_new(item, "reason", c->reason ? json_string(c->reason) : json_null());
            json_object_set_new(item, "households_moved", json_integer(c->households_moved));
            json_object_set_new(item, "applied", json_boolean(c->applied));
        }
        json_array_append_new(items, item);
    }
    json_object_set_new(o, "by_community", items);
    if (maintain)
        json_object_set_new(o, "maintenance",
                            json_pack("{s:I, s:I, s:I, s:I}", "households", (json_int_t)r->households_total,
                                      "households_moved", (json_int_t)r->households_moved, "budget",
                                      (json_int_t)r->budget, "communities_dropped", (json_int_t)r->dropped));
    return o;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"community", required_argument, NULL, 'c'}, {"urban", required_argument, NULL, 'u'},
        {"rural", required_argument, NULL, 'r'},     {"class122", required_argument, NULL, '2'},
        {"class123", required_argument, NULL, '3'},  {"dedicated-min-m2", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},      {"note", required_argument, NULL, 'n'},
        {"jobs", required_argument, NULL, 'J'},      {"from", required_argument, NULL, 'F'},
        {"maintain", no_argument, NULL, 'M'},        {"max-change", required_argument, NULL, 'X'},
        {"json", no_argument, NULL, 'j'},            {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    static const char *communities[MAX_COMMUNITIES];
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.communities = communities;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    opts.jobs = cores > 1 ? (int)(cores > 64 ? 64 : cores) : 1;
    cli_common common = {0, 0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'c':
            if (opts.n_communities >= MAX_COMMUNITIES)
                return cli_usage("partition", "at most %d --community options", MAX_COMMUNITIES);
            communities[opts.n_communities++] = optarg;
            break;
        case 'u':
            if (!parse_window(optarg, &opts.urban_min, &opts.urban_max))
                return cli_usage("partition", "--urban takes MIN-MAX with 1 <= MIN <= MAX, got '%s'", optarg);
            break;
        case 'r':
            if (!parse_window(optarg, &opts.rural_min, &opts.rural_max))
                return cli_usage("partition", "--rural takes MIN-MAX with 1 <= MIN <= MAX, got '%s'", optarg);
            break;
        case '2':
        case '3':
            if (!parse_rule(optarg, c == '2' ? &opts.class122_rural : &opts.class123_rural))
                return cli_usage("partition", "--class12%c takes urban or rural, got '%s'", c, optarg);
            break;
        case 'd':
            opts.dedicated_min_m2 = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(opts.dedicated_min_m2 > 0))
                return cli_usage("partition", "--dedicated-min-m2 takes a positive area, got '%s'", optarg);
            break;
        case 's':
            opts.seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end != '\0')
                return cli_usage("partition", "--seed takes a whole number, got '%s'", optarg);
            break;
        case 'n': opts.note = optarg; break;
        case 'F': {
            long long v = strtoll(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v < 1)
                return cli_usage("partition", "--from takes a plan number, got '%s'", optarg);
            opts.from = v;
            break;
        }
        case 'M': opts.maintain = 1; break;
        case 'X': {
            double v = strtod(optarg, &end);
            int percent = end != optarg && *end == '%' && end[1] == '\0';
            if (end == optarg || !(percent || *end == '\0') || !(v >= 0) || v > (percent ? 100 : 1))
                return cli_usage("partition", "--max-change takes a share of the households, 5%% or 0.05, got '%s'",
                                 optarg);
            opts.max_change = percent ? v / 100 : v;
            if (opts.max_change == 0)
                opts.max_change = 1e-12; /* 0 means the default to the library: none may move */
            break;
        }
        case 'J': {
            long jobs = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || jobs < 1 || jobs > 64)
                return cli_usage("partition", "--jobs takes a whole number from 1 to 64, got '%s'", optarg);
            opts.jobs = (int)jobs;
            break;
        }
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("partition", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("partition", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("partition", "expected one argument, the project file");
    if (opts.maintain && opts.from == 0)
        return cli_usage("partition", "--maintain needs --from N, the plan to maintain");
    if (opts.maintain && opts.n_communities > 0)
        return cli_usage("partition", "--maintain finds the communities to partition again itself; drop --community");
    const char *project = argv[optind];
    if (opts.urban_min)
        opts.urban_target = (opts.urban_min + opts.urban_max) / 2;
    if (opts.rural_min)
        opts.rural_target = (opts.rural_min + opts.rural_max) / 2;
    gg_ctx *ctx = cli_ctx_new("partition", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, 1, &store) != GG_OK) {
        int rc = cli_fail("partition", ctx);
        gg_ctx_free(ctx);
        return rc;
    }
    gg_store_set_actor(store, cli_actor());
    gg_partition_report *r = NULL;
    gg_status st = gg_partition(ctx, store, &opts, &r);
    int rc = st == GG_OK ? CLI_OK : st == GG_ERR_ARG ? CLI_USAGE : CLI_FAILED;
    if (r != NULL && common.json) {
        int jrc = cli_print_json(report_json(project, r, st, ctx, opts.maintain));
        if (rc == CLI_OK)
            rc = jrc;
    } else if (r != NULL && !common.quiet) {
        for (size_t i = 0; i < r->n_items; i++)
            if (r->items[i].problem)
                fprintf(stderr, "community %s: %s\n", r->items[i].code, r->items[i].problem);
        if (st == GG_OK && opts.maintain) {
            int64_t applied = 0;
            for (size_t i = 0; i < r->n_items; i++)
                applied += r->items[i].applied;
            printf("plan %lld: plan %lld maintained; %zu communit%s broke the rules, %lld repaired", (long long)r->plan,
                   (long long)opts.from, r->n_items, r->n_items == 1 ? "y" : "ies", (long long)applied);
            if (r->dropped)
                printf(", %lld no longer in the project (grids dropped)", (long long)r->dropped);
            printf("\nhouseholds whose grid changed: %lld of %lld (%.2f%%; budget %lld, %.2f%%)\n",
                   (long long)r->households_moved, (long long)r->households_total,
                   r->households_total ? 100.0 * (double)r->households_moved / (double)r->households_total : 0.0,
                   (long long)r->budget, 100.0 * (opts.max_change ? opts.max_change : 0.05));
            for (size_t i = 0; i < r->n_items; i++) {
                const gg_partition_community *it = &r->items[i];
                if (it->applied)
                    printf("  %s: %s; partitioned again: %lld grids (%lld out of the window), %lld households "
                           "moved\n",
                           it->code, it->reason ? it->reason : "", (long long)it->grids, (long long)it->grids_out_of_range,
                           (long long)it->households_moved);
                else if (it->households_moved < 0)
                    printf("  %s: %s: NOT fixed\n", it->code, it->reason ? it->reason : "");
                else
                    printf("  %s: %s; NOT fixed: the repair would move %lld households, over the budget\n", it->code,
                           it->reason ? it->reason : "", (long long)it->households_moved);
            }
        } else if (st == GG_OK) {
            int64_t comprehensive = r->grids_in_range + r->grids_out_of_range;
            printf("plan %lld: %lld communities, %lld grids (%lld dedicated), %lld households\n",
                   (long long)r->plan, (long long)r->communities, (long long)r->grids,
                   (long long)r->dedicated, (long long)r->households);
            printf("comprehensive grids within their household window: %lld of %lld (%.1f%%)%s\n",
                   (long long)r->grids_in_range, (long long)comprehensive,
                   comprehensive ? 100.0 * (double)r->grids_in_range / (double)comprehensive : 100.0,
                   " (communities below the minimum not counted)");
        }
    }
    if (st != GG_OK)
        cli_fail("partition", ctx);
    gg_partition_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_partition = {"partition", "divide communities into grids (a new plan)", run, help};
