/*
 * structure.c - the administrative hierarchy that follows from the number of
 * households: counties, townships, communities, their kinds, urban-rural
 * classes and household counts (summing exactly to the requested total), and,
 * once the tessellation is final, their codes and names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

const char *const sy_road_class_name[SY_ROAD_NCLASSES] = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "service", "unclassified", "track"};
const char *const sy_water_kind_name[SY_WATER_NKINDS] = {"river", "canal", "stream", "drain", "lake", "water area"};

double sy_m2_per_household(int urban_rural)
{
    switch (urban_rural) {
    case 111: return 125;
    case 112: return 520;
    case 121: return 260;
    case 122: return 900;
    case 123: return 1600;
    case 210: return 1800;
    default: return 3200;
    }
}

int sy_is_urban_class(int urban_rural)
{
    return urban_rural < 200;
}

/* Households drawn for a community of a class, before scaling to the total. */
static double draw_size(sy_rng *r, int cls)
{
    double lo, hi;
    switch (cls) {
    case 111: lo = 1800; hi = 6000; break;
    case 112: lo = 1500; hi = 5000; break;
    case 121: lo = 1500; hi = 5000; break;
    case 122: lo = 1000; hi = 3500; break;
    case 123: lo = 400; hi = 1500; break;
    case 210: lo = 1200; hi = 3200; break;
    default: lo = 800; hi = 3400; break;
    }
    /* Skewed towards the lower half, as real committees are. */
    double u = sy_rng_uniform(r);
    return lo + (hi - lo) * u * (0.6 + 0.4 * u);
}

static int draw_class(sy_rng *r, int township_kind, int index_in_township, int n_in_township)
{
    if (township_kind == SY_TOWNSHIP_STREET) {
        if (index_in_township == 0)
            return 111;
        double u = sy_rng_uniform(r);
        return u < 0.72 ? 111 : u < 0.96 ? 112 : 123;
    }
    if (township_kind == SY_TOWNSHIP_TOWN) {
        int n_urban = (int)lround(0.3 * n_in_township);
        if (n_urban < 1)
            n_urban = 1;
        if (index_in_township == 0)
            return 121;
        if (index_in_township < n_urban)
            return sy_rng_chance(r, 0.6) ? 121 : 122;
        return sy_rng_chance(r, 0.1) ? 210 : 220;
    }
    return index_in_township == 0 ? 210 : 220;
}

/* Splits total into n parts of random relative size within [lo, hi]. */
static void split_counts(sy_rng *r, int total, int n, double lo, double hi, int *out)
{
    double *wt = sy_malloc(sizeof(double) * (size_t)n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        wt[i] = sy_rng_range(r, lo, hi);
        sum += wt[i];
    }
    int given = 0;
    for (int i = 0; i < n; i++) {
        out[i] = (int)floor(total * wt[i] / sum);
        if (out[i] < 1)
            out[i] = 1;
        given += out[i];
    }
    for (int i = 0; given < total; i = (i + 1) % n, given++)
        out[i]++;
    for (int i = 0; given > total; i = (i + 1) % n)
        if (out[i] > 1) {
            out[i]--;
            given--;
        }
    free(wt);
}

void sy_structure_build(sy_world *w)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_STRUCTURE, 0);
    long n_hh = w->opt.households;
    double mean = w->opt.community_households > 0 ? w->opt.community_households : 2800.0;
    int n_comm = n_hh <= 6000 && mean >= 2800.0 ? 1 : (int)lround((double)n_hh / mean);
    if (n_comm < 1)
        n_comm = 1;
    if (n_hh > 6000 && n_comm < 2)
        n_comm = 2;
    int n_town = (int)lround(n_comm / 12.0);
    if (n_town < 1)
        n_town = 1;
    int n_county = (int)lround(n_town / 14.0);
    if (n_county < 1)
        n_county = 1;

    w->n_counties = n_county;
    w->n_townships = n_town;
    w->n_communities = n_comm;
    w->counties = sy_calloc((size_t)n_county, sizeof(sy_county));
    w->townships = sy_calloc((size_t)n_town, sizeof(sy_township));
    w->communities = sy_calloc((size_t)n_comm, sizeof(sy_community));
    w->township_list = sy_malloc(sizeof(int) * (size_t)n_town);
    w->community_list = sy_malloc(sizeof(int) * (size_t)n_comm);

    int *towns_per_county = sy_malloc(sizeof(int) * (size_t)n_county);
    int *comms_per_town = sy_malloc(sizeof(int) * (size_t)n_town);
    split_counts(&r, n_town, n_county, 0.75, 1.25, towns_per_county);
    split_counts(&r, n_comm, n_town, 0.6, 1.4, comms_per_town);

    int t = 0, c = 0;
    for (int k = 0; k < n_county; k++) {
        sy_county *co = &w->counties[k];
        if (k == 0)
            co->kind = SY_COUNTY_CITY;
        else {
            double u = sy_rng_uniform(&r);
            co->kind = u < 0.35 ? SY_COUNTY_DISTRICT : u < 0.65 ? SY_COUNTY_COUNTY : SY_COUNTY_CITY;
        }
        double street_share = co->kind == SY_COUNTY_DISTRICT ? 0.7 : co->kind == SY_COUNTY_CITY ? 0.35 : 0.2;
        co->first_township = t;
        co->n_townships = towns_per_county[k];
        int n_street = (int)lround(street_share * co->n_townships);
        if (n_street < 1)
            n_street = 1;
        for (int i = 0; i < co->n_townships; i++, t++) {
            sy_township *to = &w->townships[t];
            w->township_list[t] = t;
            to->county = k;
            if (i < n_street)
                to->kind = SY_TOWNSHIP_STREET;
            else if (co->kind == SY_COUNTY_COUNTY && sy_rng_chance(&r, 0.2))
                to->kind = SY_TOWNSHIP_XIANG;
            else
                to->kind = SY_TOWNSHIP_TOWN;
            to->first_community = c;
            to->n_communities = comms_per_town[t];
            for (int j = 0; j < to->n_communities; j++, c++) {
                sy_community *cm = &w->communities[c];
                w->community_list[c] = c;
                cm->township = t;
                cm->urban_rural = draw_class(&r, to->kind, j, to->n_communities);
                cm->households = (long)draw_size(&r, cm->urban_rural);
            }
        }
    }
    free(towns_per_county);
    free(comms_per_town);

    /* A few tiny communities and one or two large ones, then scale the rest
     * so that the households add up exactly. */
    char *fixed = sy_calloc((size_t)n_comm, 1);
    long fixed_sum = 0;
    if (n_comm >= 8) {
        int n_tiny = 1 + n_comm / 500;
        for (int i = 0; i < n_tiny; i++) {
            int k = sy_rng_int(&r, 1, n_comm - 1);
            if (fixed[k])
                continue;
            fixed[k] = 1;
            if (sy_rng_chance(&r, 0.5) && sy_is_urban_class(w->communities[k].urban_rural))
                w->communities[k].urban_rural = 123;
            w->communities[k].households = sy_rng_int(&r, 60, 290);
            fixed_sum += w->communities[k].households;
        }
    }
    if (n_comm >= 15) {
        int n_large = n_comm >= 200 ? 2 : 1;
        for (int i = 0; i < n_large; i++) {
            int k = sy_rng_int(&r, 0, n_comm - 1);
            if (fixed[k])
                continue;
            fixed[k] = 1;
            w->communities[k].households = sy_rng_int(&r, 8000, 14000);
            fixed_sum += w->communities[k].households;
        }
    }
    long rest = n_hh - fixed_sum;
    double drawn = 0;
    int n_free = 0;
    for (int i = 0; i < n_comm; i++)
        if (!fixed[i]) {
            drawn += (double)w->communities[i].households;
            n_free++;
        }
    if (n_free == 0 || rest < 50L * n_free) {
        /* Degenerate: spread evenly without tiny/large ones. */
        memset(fixed, 0, (size_t)n_comm);
        rest = n_hh;
        drawn = 0;
        for (int i = 0; i < n_comm; i++)
            drawn += (double)w->communities[i].households;
    }
    long given = 0;
    int biggest = -1;
    for (int i = 0; i < n_comm; i++) {
        sy_community *cm = &w->communities[i];
        if (fixed[i]) {
            given += cm->households;
            continue;
        }
        cm->households = (long)floor((double)rest * (double)cm->households / drawn);
        if (cm->households < 50)
            cm->households = 50;
        given += cm->households;
        if (biggest < 0 || cm->households > w->communities[biggest].households)
            biggest = i;
    }
    if (biggest < 0)
        biggest = 0;
    w->communities[biggest].households += n_hh - given;
    if (w->communities[biggest].households < 1)
        sy_die("internal: household allocation failed");
    free(fixed);

    for (int i = 0; i < n_comm; i++) {
        sy_community *cm = &w->communities[i];
        if (w->opt.grids_per_community > 0)
            cm->grids_target = w->opt.grids_per_community;
        else {
            long k = lround((double)cm->households / 400.0);
            cm->grids_target = (int)(k < 1 ? 1 : k > 999 ? 999 : k);
        }
        cm->area_m2_target = (double)cm->households * sy_m2_per_household(cm->urban_rural) *
                             sy_rng_range(&r, 0.75, 1.3);
        /* A community always has room for at least its grids. */
        double min_area = 30000.0 * cm->grids_target;
        if (cm->area_m2_target < min_area)
            cm->area_m2_target = min_area;
        cm->island_households = 0;
    }
}

static int name_taken(char (*names)[SY_NAME_CAP], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

/* Codes and names once the tessellation (and so the final parent of every
 * community) is fixed. Names are unique within the parent; county names are
 * unique in the whole area. */
void sy_structure_name(sy_world *w)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_NAMES, 0);
    int per_pref = (w->n_counties + 12) / 13;
    char (*county_names)[SY_NAME_CAP] = sy_malloc(sizeof *county_names * (size_t)w->n_counties);
    int pref_counters[14][3];
    memset(pref_counters, 0, sizeof pref_counters);
    for (int k = 0; k < w->n_counties; k++) {
        sy_county *co = &w->counties[k];
        co->prefecture = ((k / per_pref) + 10) % 13 + 1;
        int *ctr = pref_counters[co->prefecture];
        int digits;
        if (co->kind == SY_COUNTY_DISTRICT)
            digits = 2 + ctr[0]++;
        else if (co->kind == SY_COUNTY_COUNTY)
            digits = 21 + ctr[1]++;
        else
            digits = 81 + ctr[2]++;
        if (digits > 99)
            sy_die("internal: too many counties in prefecture %d", co->prefecture);
        snprintf(co->code, sizeof co->code, "32%02d%02d", co->prefecture, digits);
        const char *suffix = co->kind == SY_COUNTY_DISTRICT ? "区" : co->kind == SY_COUNTY_COUNTY ? "县" : "市";
        char stem[32];
        do {
            sy_name_stem(&r, stem, sizeof stem);
            snprintf(co->name, sizeof co->name, "%s%s", stem, suffix);
        } while (name_taken(county_names, k, co->name));
        memcpy(county_names[k], co->name, SY_NAME_CAP);
    }
    free(county_names);

    char (*names)[SY_NAME_CAP] = sy_malloc(sizeof *names * 1024);
    for (int k = 0; k < w->n_counties; k++) {
        sy_county *co = &w->counties[k];
        int n_street = 0, n_town = 0, n_xiang = 0, used = 0;
        for (int i = 0; i < co->n_townships; i++) {
            sy_township *to = &w->townships[w->township_list[co->first_township + i]];
            int num;
            const char *suffix;
            if (to->kind == SY_TOWNSHIP_STREET) {
                num = 1 + n_street++;
                suffix = "街道";
            } else if (to->kind == SY_TOWNSHIP_TOWN) {
                num = 100 + n_town++;
                suffix = "镇";
            } else {
                num = 200 + n_xiang++;
                suffix = "乡";
            }
            snprintf(to->code, sizeof to->code, "%s%03d", co->code, num);
            char stem[32];
            do {
                sy_name_stem(&r, stem, sizeof stem);
                snprintf(to->name, sizeof to->name, "%s%s", stem, suffix);
            } while (name_taken(names, used, to->name));
            if (used < 1024)
                memcpy(names[used++], to->name, SY_NAME_CAP);
        }
    }
    for (int t = 0; t < w->n_townships; t++) {
        sy_township *to = &w->townships[t];
        int n_urban = 0, n_rural = 0, used = 0;
        for (int i = 0; i < to->n_communities; i++) {
            sy_community *cm = &w->communities[w->community_list[to->first_community + i]];
            int urban = sy_is_urban_class(cm->urban_rural);
            int num = urban ? 1 + n_urban++ : 200 + n_rural++;
            if (num > 399 || (urban && num > 199))
                sy_die("internal: too many communities in township %s", to->code);
            snprintf(cm->code, sizeof cm->code, "%s%03d", to->code, num);
            char stem[32];
            do {
                if (urban) {
                    static const char *const tail[] = {"社区", "社区", "社区", "新村社区", "花园社区", "苑社区"};
                    sy_name_stem(&r, stem, sizeof stem);
                    snprintf(cm->name, sizeof cm->name, "%s%s", stem, tail[sy_rng_int(&r, 0, 5)]);
                } else {
                    sy_name_village_stem(&r, stem, sizeof stem);
                    snprintf(cm->name, sizeof cm->name, "%s村", stem);
                }
            } while (name_taken(names, used, cm->name));
            if (used < 1024)
                memcpy(names[used++], cm->name, SY_NAME_CAP);
        }
    }
    free(names);
}
