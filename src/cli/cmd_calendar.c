/* govgrid calendar: the working calendar deadlines run on. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid calendar PROJECT.sqlite show [--year YYYY] [--json]\n"
            "       govgrid calendar PROJECT.sqlite import FILE.csv [--quiet]\n"
            "\n"
            "The working calendar that time limits in working days and hours (the\n"
            "catalogue's wd and wh) run on: Monday to Friday, less the public holidays,\n"
            "plus the weekend days worked in their place (调休). A project without one of\n"
            "its own uses the calendar shipped with govgrid (2025 and 2026, from the State\n"
            "Council's notices). show lists the days that differ from the plain week and\n"
            "the working days of each year; import replaces the project's calendar, in\n"
            "one transaction, by a CSV file: a header date,kind,name, then one line per\n"
            "day, kind holiday or workday (a line that is wrong is named, and nothing is\n"
            "written).\n"
            "\n"
            "Options:\n"
            "  --year YYYY  show: that year only\n"
            "  --json       show: as JSON\n"
            "  --quiet      import: print nothing but errors\n"
            "  --help       show this help\n");
}

static int show(gg_ctx *ctx, gg_store *store, const char *project, int year, int json)
{
    gg_calendar *cal = NULL;
    int own = 0;
    if (gg_calendar_load(ctx, store, &cal, &own) != GG_OK)
        return cli_fail("calendar", ctx);
    char date[11];
    int working = 0, lo = 9999, hi = 0;
    const char *name = NULL;
    for (size_t i = 0; gg_calendar_day(cal, i, date, &working, &name); i++) {
        int y = atoi(date);
        lo = y < lo ? y : lo;
        hi = y > hi ? y : hi;
    }
    if (year) {
        lo = hi = year;
    }
    json_t *o = json ? json_pack("{s:s, s:[], s:[]}", "source", own ? "project" : "shipped", "years", "days") : NULL;
    if (!json)
        printf("%s: %s calendar\n", project, own ? "the project's" : "the shipped");
    for (int y = lo; y <= hi; y++) {
        int n = 0;
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++)
                n += gg_calendar_working(cal, y, m, d);
        if (json)
            json_array_append_new(json_object_get(o, "years"), json_pack("{s:i, s:i}", "year", y, "working_days", n));
        else
            printf("  %d: %d working days\n", y, n);
    }
    for (size_t i = 0; gg_calendar_day(cal, i, date, &working, &name); i++) {
        if (year && atoi(date) != year)
            continue;
        if (json)
            json_array_append_new(json_object_get(o, "days"), json_pack("{s:s, s:s, s:s}", "date", date, "kind",
                                                                         working ? "workday" : "holiday", "name", name));
        else
            printf("  %s  %-7s  %s\n", date, working ? "workday" : "holiday", name);
    }
    gg_calendar_free(cal);
    return json ? cli_print_json(o) : CLI_OK;
}

static int run(int argc, char **argv)
{
    int year = 0;
    char *rest[16];
    int n = 0;
    for (int i = 0; i < argc && n < 15; i++) {
        if (strcmp(argv[i], "--year") == 0) {
            if (i + 1 >= argc || (year = atoi(argv[i + 1])) < 1900 || year > 2200)
                return cli_usage("calendar", "--year needs a year (1900-2200)");
            i++;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_calendar, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first < 2)
        return cli_usage("calendar", "expected PROJECT show|import ...");
    const char *project = rest[first], *what = rest[first + 1];
    int is_show = strcmp(what, "show") == 0, is_import = strcmp(what, "import") == 0;
    if (!is_show && !is_import)
        return cli_usage("calendar", "unknown action '%s' (expected show or import)", what);
    if ((is_show && n - first != 2) || (is_import && n - first != 3))
        return cli_usage("calendar", is_show ? "show takes no other argument" : "import takes one FILE.csv");
    if (is_import && year)
        return cli_usage("calendar", "--year is for show");
    char *text = NULL;
    size_t len = 0;
    if (is_import && !cli_read_text("calendar", rest[first + 2], 1u << 20, &text, &len))
        return CLI_FAILED;
    gg_ctx *ctx = cli_ctx_new("calendar", &common);
    if (ctx == NULL) {
        free(text);
        return CLI_FAILED;
    }
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, is_import, &store) != GG_OK) {
        rc = cli_fail("calendar", ctx);
    } else if (is_show) {
        rc = show(ctx, store, project, year, common.json);
    } else {
        size_t days = 0;
        if (gg_calendar_import(ctx, store, text ? text : "", len, rest[first + 2], &days) != GG_OK) {
            rc = cli_fail("calendar", ctx);
        } else {
            if (!common.quiet)
                printf("%s: the project's calendar is now %s (%zu days that differ from the plain week)\n", project,
                       rest[first + 2], days);
            rc = CLI_OK;
        }
    }
    free(text);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_calendar = {"calendar", "the working calendar time limits run on (holidays, 调休)", run, help};
