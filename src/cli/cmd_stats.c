/* govgrid stats: the statistics a district is judged by, for a period,
 * in total and per group, as a table, JSON or CSV, with a chart of the
 * rates over time. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "govgrid/incident.h"
#include "govgrid/render.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid stats PROJECT.sqlite [--from DATE] [--to DATE]\n"
            "                     [--by grid|community|township|department|item|source|level]\n"
            "                     [--at TIME] [--json|--csv] [--chart FILE.png [--interval day|week|month]]\n"
            "                     [--quiet]\n"
            "\n"
            "Counts the closed loop's figures for a period, in total and per group:\n"
            "  received   incidents reported in the period\n"
            "  accepted   of those, taken on (any state but reported and rejected now,\n"
            "             a close on the spot included); rejected; pending (still reported)\n"
            "  closed     incidents closed now whose latest close falls in the period\n"
            "  on time    of those, closed at or before the handling deadline they hold\n"
            "             (granted extensions and escalations' limits count); late the rest\n"
            "  open       of the received, neither closed nor rejected, by their light at\n"
            "             --at: green, yellow, red, none (no running clock)\n"
            "  overdue    the open past their handling deadline at --at (not the\n"
            "             suspended: their clock is stopped), plus the closed late\n"
            "  hours      from the report to the latest close, of the closed: median, p90\n"
            "  rates      closure = closed / received; on time = on time / closed;\n"
            "             satisfaction = (satisfied + basically) / rated\n"
            "Then where the open wait: by department (the handler when none) and state.\n"
            "The states are the store's now; --at only judges the clocks.\n"
            "\n"
            "Options:\n"
            "  --from DATE      the period's start (YYYY-MM-DD: that day's start, China\n"
            "                   Standard Time; or a time); default: the first incident\n"
            "  --to DATE        its end, inclusive (a date: to that day's end); default: --at\n"
            "  --by G           one row per grid, community, township (the community code's\n"
            "                   first 9 digits), department (lead), item, source or level\n"
            "                   (the current escalation level)\n"
            "  --at TIME        judge the lights and deadlines at TIME (ISO 8601) instead of now\n"
            "  --json           everything as JSON (rates 0-1, null when there is nothing to\n"
            "                   take one of)\n"
            "  --csv            the rows as CSV (total last)\n"
            "  --chart FILE.png a chart of the closure and on-time rates per interval\n"
            "  --interval I     the chart's (and JSON's series') interval: day, week (the\n"
            "                   default) or month\n"
            "  --quiet          print nothing but errors\n"
            "  --help           show this help\n");
}

/* A percentage, "-" for none. */
static const char *pct(double v, char buf[16])
{
    if (v < 0)
        return "-";
    snprintf(buf, 16, "%.1f%%", v * 100);
    return buf;
}

static const char *hours(double v, char buf[16])
{
    if (v < 0)
        return "-";
    snprintf(buf, 16, "%.1f", v);
    return buf;
}

static void print_row(const char *key, const gg_stats_row *r)
{
    char a[16], b[16], c[16], d[16], e[16], name[192];
    printf("%s %8lld %8lld %8lld %8lld %8lld %7lld %7lld %6lld %6lld %6lld %6lld %8s %8s %7s %7s %7s\n", cli_pad(name, sizeof name, key, 22),
           (long long)r->received, (long long)r->accepted, (long long)r->rejected, (long long)r->closed,
           (long long)r->closed_on_time, (long long)r->overdue, (long long)r->open,
           (long long)r->open_by_light[GG_LIGHT_GREEN], (long long)r->open_by_light[GG_LIGHT_YELLOW],
           (long long)r->open_by_light[GG_LIGHT_RED], (long long)r->open_by_light[GG_LIGHT_NONE],
           hours(r->close_hours_median, a), hours(r->close_hours_p90, b), pct(r->closure_rate, c),
           pct(r->on_time_rate, d), pct(r->satisfaction_rate, e));
}

static void print_text(const gg_case_stats *s, const char *from, const char *to, const char *at)
{
    printf("period %s to %s, clocks at %s%s%s\n", from, to, at, s->by != GG_STATS_BY_NONE ? ", by " : "",
           s->by != GG_STATS_BY_NONE ? gg_stats_by_name(s->by) : "");
    printf("%-22s %8s %8s %8s %8s %8s %7s %7s %6s %6s %6s %6s %8s %8s %7s %7s %7s\n",
           s->by != GG_STATS_BY_NONE ? gg_stats_by_name(s->by) : "", "received", "accepted", "rejected", "closed",
           "on_time", "overdue", "open", "green", "yellow", "red", "none", "h_median", "h_p90", "closure",
           "on_time%", "satisf");
    for (size_t i = 0; i < s->n_rows; i++)
        print_row(s->rows[i].key[0] ? s->rows[i].key : "(none)", &s->rows[i]);
    print_row("total", &s->total);
    printf("\nwhere the open wait (%zu)\n", s->n_stuck);
    if (s->n_stuck > 0) {
        printf("%-32s %-12s %8s %6s\n", "department or handler", "state", "count", "red");
        char who[256];
        for (size_t i = 0; i < s->n_stuck && i < 20; i++)
            printf("%s %-12s %8lld %6lld\n", cli_pad(who, sizeof who, s->stuck[i].who[0] ? s->stuck[i].who : "(none)", 32),
                   gg_case_state_name(s->stuck[i].state), (long long)s->stuck[i].count, (long long)s->stuck[i].red);
        if (s->n_stuck > 20)
            printf("(%zu more: --json lists them all)\n", s->n_stuck - 20);
    }
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

/* A figure to places decimals; nothing for none (-1). */
static void csv_number(double v, int places)
{
    if (v >= 0)
        printf("%.*f", places, v);
}

static void csv_row(const char *by, const char *key, const gg_stats_row *r)
{
    csv_field(by);
    putchar(',');
    csv_field(key);
    printf(",%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,", (long long)r->received,
           (long long)r->accepted, (long long)r->rejected, (long long)r->pending, (long long)r->closed,
           (long long)r->closed_on_time, (long long)r->closed_late, (long long)r->overdue, (long long)r->overdue_open,
           (long long)r->open, (long long)r->open_by_light[GG_LIGHT_GREEN],
           (long long)r->open_by_light[GG_LIGHT_YELLOW], (long long)r->open_by_light[GG_LIGHT_RED],
           (long long)r->open_by_light[GG_LIGHT_NONE]);
    csv_number(r->close_hours_median, 2);
    putchar(',');
    csv_number(r->close_hours_p90, 2);
    putchar(',');
    csv_number(r->closure_rate, 4);
    putchar(',');
    csv_number(r->on_time_rate, 4);
    printf(",%lld,%lld,", (long long)r->rated, (long long)r->satisfied);
    csv_number(r->satisfaction_rate, 4);
    putchar('\n');
}

static void print_csv(const gg_case_stats *s)
{
    printf("by,group,received,accepted,rejected,pending,closed,closed_on_time,closed_late,overdue,overdue_open,"
           "open,green,yellow,red,no_light,close_hours_median,close_hours_p90,closure_rate,on_time_rate,rated,"
           "satisfied,satisfaction_rate\n");
    const char *by = gg_stats_by_name(s->by);
    for (size_t i = 0; i < s->n_rows; i++)
        csv_row(by, s->rows[i].key, &s->rows[i]);
    csv_row("total", "", &s->total);
}

static const char *utc_text(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

/* DATE or TIME into *t; a date alone as --to is its day's end. */
static int parse_when(const char *text, int end_of_day, int64_t *t)
{
    if (!gg_case_time_parse(text, t))
        return 0;
    if (end_of_day && strlen(text) == 10)
        *t += 86400 - 1;
    return 1;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"by", required_argument, NULL, 'b'},   {"at", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},       {"csv", no_argument, NULL, 'c'},
        {"chart", required_argument, NULL, 'C'}, {"interval", required_argument, NULL, 'i'},
        {"quiet", no_argument, NULL, 'q'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    const char *from = NULL, *to = NULL, *by = NULL, *at = NULL, *chart = NULL, *interval = NULL;
    int csv = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'b': by = optarg; break;
        case 'a': at = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': csv = 1; break;
        case 'C': chart = optarg; break;
        case 'i': interval = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("stats", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("stats", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("stats", "expected PROJECT.sqlite");
    if (common.json && csv)
        return cli_usage("stats", "--json and --csv exclude each other");
    if (interval != NULL && chart == NULL && !common.json)
        return cli_usage("stats", "--interval is for --chart (or --json's series)");
    gg_stats_options o;
    memset(&o, 0, sizeof o);
    if (from != NULL && !parse_when(from, 0, &o.from))
        return cli_usage("stats", "--from: '%s' is not a date or time (ISO 8601)", from);
    if (to != NULL && !parse_when(to, 1, &o.to))
        return cli_usage("stats", "--to: '%s' is not a date or time (ISO 8601)", to);
    if (at != NULL && !gg_case_time_parse(at, &o.at))
        return cli_usage("stats", "--at: '%s' is not a time (ISO 8601)", at);
    o.has_from = from != NULL;
    o.has_to = to != NULL;
    if (o.has_from && o.has_to && o.from > o.to)
        return cli_usage("stats", "--from %s is after --to %s", from, to);
    const char *project = argv[optind];
    gg_ctx *ctx = cli_ctx_new("stats", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    int rc = CLI_OK;
    if (by != NULL && gg_stats_by_parse(ctx, by, &o.by) != GG_OK)
        rc = cli_usage("stats", "--by: %s", gg_ctx_errmsg(ctx));
    if (rc == CLI_OK && interval != NULL && gg_stats_interval_parse(ctx, interval, &o.interval) != GG_OK)
        rc = cli_usage("stats", "--interval: %s", gg_ctx_errmsg(ctx));
    if (rc == CLI_OK && o.interval == GG_STATS_INTERVAL_NONE && chart != NULL)
        o.interval = GG_STATS_INTERVAL_WEEK;
    gg_store *store = NULL;
    gg_case_stats *s = NULL;
    if (rc == CLI_OK && (gg_store_open(ctx, project, 0, &store) != GG_OK ||
                         gg_case_stats_compute(ctx, store, &o, &s) != GG_OK))
        rc = gg_ctx_errcode(ctx) == GG_ERR_ARG ? cli_usage("stats", "%s", gg_ctx_errmsg(ctx)) : cli_fail("stats", ctx);
    if (rc == CLI_OK && chart != NULL && gg_stats_chart_render(ctx, s, chart, 0) != GG_OK)
        rc = cli_fail("stats", ctx);
    if (rc == CLI_OK && common.json) {
        char *json = NULL;
        if (gg_case_stats_json(ctx, s, &json) != GG_OK)
            rc = cli_fail("stats", ctx);
        else
            rc = cli_print_json(json_loads(json, 0, NULL));
        gg_text_free(ctx, json);
    } else if (rc == CLI_OK && csv) {
        print_csv(s);
    } else if (rc == CLI_OK && !common.quiet) {
        char from_text[32], to_text[32], at_text[32];
        print_text(s, utc_text(s->from, from_text), utc_text(s->to, to_text), utc_text(s->at, at_text));
        if (chart != NULL)
            printf("chart: %s (%zu %ss)\n", chart, s->n_series, gg_stats_interval_name(s->interval));
    }
    gg_case_stats_free(ctx, s);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_stats = {"stats", "the closed loop's figures for a period: received, closed, on time, rates",
                                   run, help};
