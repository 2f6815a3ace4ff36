/* govgrid info: what a project holds. */
#include "cli/cli.h"

#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid info PROJECT.sqlite [--json]\n"
            "\n"
            "Prints what the project holds: per layer the feature count and extent\n"
            "(longitude/latitude, EPSG:4326); the household points and the sum of their\n"
            "household counts; communities by urban-rural class; departments; plans.\n"
            "\n"
            "Options:\n"
            "  --json     print the same as JSON\n"
            "  --help     show this help\n");
}

static const char *class_name(const char *urban_rural)
{
    static const struct {
        const char *code, *name;
    } names[] = {{"111", "主城区 main urban area"},     {"112", "城乡结合区 urban-rural fringe"},
                 {"121", "镇中心区 town centre"},       {"122", "镇乡结合区 town fringe"},
                 {"123", "特殊区域 special area"},      {"210", "乡中心区 township centre"},
                 {"220", "村庄 village"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(urban_rural, names[i].code) == 0)
            return names[i].name;
    return "no class";
}

static json_t *info_json(const char *project, const gg_store_info *info)
{
    json_t *o = json_object();
    json_object_set_new(o, "project", json_string(project));
    json_object_set_new(o, "schema_version", json_integer(info->schema_version));
    json_object_set_new(o, "srid", json_integer(info->storage_srid));
    json_t *layers = json_object();
    for (int i = 0; i < GG_LAYER_COUNT; i++) {
        const gg_layer_info *l = &info->layers[i];
        json_t *lo = json_object();
        json_object_set_new(lo, "features", json_integer(l->features));
        json_object_set_new(lo, "extent", l->has_extent ? json_pack("[f,f,f,f]", l->min_lon, l->min_lat,
                                                                     l->max_lon, l->max_lat)
                                                         : json_null());
        json_object_set_new(layers, gg_layer_name(l->layer), lo);
    }
    json_object_set_new(o, "layers", layers);
    json_object_set_new(o, "divisions", json_pack("{s:I, s:I, s:I}", "counties", (json_int_t)info->counties,
                                                  "townships", (json_int_t)info->townships,
                                                  "communities", (json_int_t)info->communities));
    json_object_set_new(o, "households",
                        json_pack("{s:I, s:I, s:I, s:I}", "points", (json_int_t)info->household_points,
                                  "total", (json_int_t)info->households, "persons",
                                  (json_int_t)info->persons, "points_outside_communities",
                                  (json_int_t)info->households_outside));
    json_t *classes = json_array();
    for (size_t i = 0; i < info->n_classes; i++) {
        const gg_class_info *c = &info->classes[i];
        json_array_append_new(classes, json_pack("{s:o, s:I, s:I, s:I}", "urban_rural",
                                                 c->urban_rural[0] ? json_string(c->urban_rural) : json_null(),
                                                 "communities", (json_int_t)c->communities,
                                                 "household_points", (json_int_t)c->household_points,
                                                 "households", (json_int_t)c->households));
    }
    json_object_set_new(o, "communities_by_class", classes);
    json_t *depts = json_array();
    for (size_t i = 0; i < info->n_depts; i++)
        json_array_append_new(depts, json_pack("{s:s, s:I}", "dept", info->depts[i].dept, "grids",
                                               (json_int_t)info->depts[i].grids));
    json_object_set_new(o, "departments", depts);
    json_t *plans = json_array();
    for (size_t i = 0; i < info->n_plans; i++) {
        const gg_plan_info *p = &info->plans[i];
        json_array_append_new(plans, json_pack("{s:I, s:o, s:s, s:s, s:o, s:I, s:I}", "id", (json_int_t)p->id,
                                               "parent", p->parent ? json_integer(p->parent) : json_null(),
                                               "created", p->created ? p->created : "", "source",
                                               p->source ? p->source : "", "note",
                                               p->note ? json_string(p->note) : json_null(), "grids",
                                               (json_int_t)p->grids, "communities", (json_int_t)p->communities));
    }
    json_object_set_new(o, "plans", plans);
    return o;
}

static void print_info(const char *project, const gg_store_info *info)
{
    printf("project %s (schema %d, EPSG:%d)\n\n", project, info->schema_version, info->storage_srid);
    printf("%-11s %10s  %s\n", "layer", "features", "extent (lon/lat: west south east north)");
    for (int i = 0; i < GG_LAYER_COUNT; i++) {
        const gg_layer_info *l = &info->layers[i];
        printf("%-11s %10lld", gg_layer_name(l->layer), (long long)l->features);
        if (l->has_extent)
            printf("  %.6f %.6f %.6f %.6f", l->min_lon, l->min_lat, l->max_lon, l->max_lat);
        printf("\n");
    }
    printf("\ndivisions: counties %lld, townships %lld, communities %lld\n", (long long)info->counties,
           (long long)info->townships, (long long)info->communities);
    printf("households: %lld in %lld points (persons recorded: %lld); points in no community: %lld\n",
           (long long)info->households, (long long)info->household_points, (long long)info->persons,
           (long long)info->households_outside);
    if (info->n_classes > 0) {
        printf("\ncommunities by urban-rural class:\n");
        for (size_t i = 0; i < info->n_classes; i++) {
            const gg_class_info *c = &info->classes[i];
            printf("  %-3s communities %6lld  households %10lld  %s\n",
                   c->urban_rural[0] ? c->urban_rural : "-", (long long)c->communities,
                   (long long)c->households, class_name(c->urban_rural));
        }
    }
    if (info->n_depts > 0) {
        printf("\ndepartmental grids:\n");
        for (size_t i = 0; i < info->n_depts; i++) {
            char dept[192];
            printf("  %s grids %8lld\n", cli_pad(dept, sizeof dept, info->depts[i].dept, 24),
                   (long long)info->depts[i].grids);
        }
    }
    printf("\nplans:%s\n", info->n_plans ? "" : " none");
    for (size_t i = 0; i < info->n_plans; i++) {
        const gg_plan_info *p = &info->plans[i];
        printf("  plan %lld: %s, grids %lld, communities %lld, created %s%s%s\n", (long long)p->id,
               p->source, (long long)p->grids, (long long)p->communities, p->created,
               p->note ? ", " : "", p->note ? p->note : "");
    }
}

static int run(int argc, char **argv)
{
    cli_common common;
    int first_arg = 0;
    int rc = cli_parse_common(&cli_cmd_info, argc, argv, &common, &first_arg);
    if (rc >= 0)
        return rc;
    if (argc - first_arg != 1)
        return cli_usage("info", "expected one argument, the project file");
    const char *project = argv[first_arg];
    gg_ctx *ctx = cli_ctx_new("info", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_store_info *info = NULL;
    rc = CLI_OK;
    if (gg_store_open(ctx, project, 0, &store) != GG_OK || gg_store_info_get(ctx, store, &info) != GG_OK)
        rc = cli_fail("info", ctx);
    else if (common.json)
        rc = cli_print_json(info_json(project, info));
    else
        print_info(project, info);
    gg_store_info_free(ctx, info);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_info = {"info", "show what a project holds", run, help};
