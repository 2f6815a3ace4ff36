/* govgrid codes: the register of grid codes and their lineage. */
#include "cli/cli.h"

#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid codes PROJECT.sqlite [--code CODE] [--json]\n"
            "\n"
            "Prints the code register: every grid code a published plan issued, when,\n"
            "by which plan, and the plan that retired it (a retired code is never issued\n"
            "again). With --code, the codes that start with CODE (a whole grid code, or a\n"
            "community's 12 digits for its grids) and, for each, its lineage: the grids\n"
            "it came from when it was issued or reshaped, and those it went into when it\n"
            "was split, merged or reshaped, with the area they share.\n"
            "\n"
            "Options:\n"
            "  --code CODE  a grid code, or the start of codes (a community code)\n"
            "  --json       print as JSON\n"
            "  --help       show this help\n");
}

static json_t *record_json(const gg_code_record *r)
{
    return json_pack("{s:s, s:s, s:i, s:I, s:s, s:o, s:o}", "code", r->code, "community", r->community, "type",
                     r->type, "issued_by", (json_int_t)r->issued_by, "valid_from", r->valid_from, "retired_by",
                     r->retired_by ? json_integer(r->retired_by) : json_null(), "valid_to",
                     r->valid_to[0] ? json_string(r->valid_to) : json_null());
}

static json_t *links_json(const gg_code_link *links, size_t n, const char *code, int from_side)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const gg_code_link *l = &links[i];
        if (strcmp(from_side ? l->to_code : l->from_code, code) != 0)
            continue;
        json_array_append_new(a, json_pack("{s:I, s:s, s:f}", "plan", (json_int_t)l->plan, "code",
                                           from_side ? l->from_code : l->to_code, "area_m2", l->area_m2));
    }
    return a;
}

static void print_links(const gg_code_link *links, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        const gg_code_link *l = &links[i];
        if (strcmp(l->to_code, code) == 0 && strcmp(l->from_code, code) == 0)
            printf("    plan %lld: reshaped, %.0f m² of it as before\n", (long long)l->plan, l->area_m2);
        else if (strcmp(l->to_code, code) == 0)
            printf("    plan %lld: from %s (%.0f m²)\n", (long long)l->plan, l->from_code, l->area_m2);
        else
            printf("    plan %lld: into %s (%.0f m²)\n", (long long)l->plan, l->to_code, l->area_m2);
    }
}

static int run(int argc, char **argv)
{
    const char *code = NULL;
    char *rest[64];
    int n = 0;
    for (int i = 0; i < argc && n < 63; i++) {
        if (strcmp(argv[i], "--code") == 0) {
            if (i + 1 >= argc)
                return cli_usage("codes", "--code needs a grid code");
            code = argv[++i];
        } else if (strncmp(argv[i], "--code=", 7) == 0) {
            code = argv[i] + 7;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_codes, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first != 1)
        return cli_usage("codes", "expected PROJECT");
    if (code != NULL && code[0] == '\0')
        return cli_usage("codes", "--code needs a grid code");
    gg_ctx *ctx = cli_ctx_new("codes", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_code_record *records = NULL;
    size_t nr = 0;
    if (gg_store_open(ctx, rest[first], 0, &store) != GG_OK || gg_codes_list(ctx, store, code, &records, &nr) != GG_OK) {
        rc = cli_fail("codes", ctx);
        goto done;
    }
    if (code != NULL && nr == 0) {
        cli_error("codes", "%s: the register has no code starting with '%s'", rest[first], code);
        rc = CLI_FAILED;
        goto done;
    }
    json_t *out = common.json ? json_array() : NULL;
    if (!common.json && code == NULL)
        printf("%-18s  %-12s  %4s  %6s  %-20s  %7s  %s\n", "code", "community", "type", "issued", "valid from",
               "retired", "valid to");
    rc = CLI_OK;
    for (size_t i = 0; i < nr && rc == CLI_OK; i++) {
        const gg_code_record *r = &records[i];
        gg_code_link *links = NULL;
        size_t nl = 0;
        if (code != NULL && gg_code_lineage(ctx, store, r->code, &links, &nl) != GG_OK) {
            rc = cli_fail("codes", ctx);
            break;
        }
        if (common.json) {
            json_t *o = record_json(r);
            if (code != NULL) {
                json_object_set_new(o, "from", links_json(links, nl, r->code, 1));
                json_object_set_new(o, "into", links_json(links, nl, r->code, 0));
            }
            json_array_append_new(out, o);
        } else if (code == NULL) {
            char retired[24] = "-";
            if (r->retired_by)
                snprintf(retired, sizeof retired, "%lld", (long long)r->retired_by);
            printf("%-18s  %-12s  %4d  %6lld  %-20s  %7s  %s\n", r->code, r->community, r->type,
                   (long long)r->issued_by, r->valid_from, retired, r->valid_to[0] ? r->valid_to : "-");
        } else {
            printf("%s  community %s, type %d\n  issued by plan %lld, valid from %s\n", r->code, r->community,
                   r->type, (long long)r->issued_by, r->valid_from);
            if (r->retired_by)
                printf("  retired by plan %lld, valid to %s\n", (long long)r->retired_by, r->valid_to);
            else
                printf("  active\n");
            if (nl > 0) {
                printf("  lineage:\n");
                print_links(links, nl, r->code);
            }
        }
        gg_code_links_free(ctx, links);
    }
    if (common.json)
        rc = rc == CLI_OK ? cli_print_json(out) : (json_decref(out), rc);
done:
    gg_codes_free(ctx, records);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_codes = {"codes", "the register of grid codes and their lineage", run, help};
