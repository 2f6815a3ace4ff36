/*
 * world.h - the synthetic area as it is built up stage by stage:
 * administrative structure (structure.c), seed layout (layout.c), the planar
 * tessellation of grids (topo.c), edge densification (densify.c), linear
 * networks on the tessellation's edges (network.c) and water bodies
 * (water.c). The per-community generators (households.c, units.c) and the
 * writers read it.
 */
#ifndef SYNTH_WORLD_H
#define SYNTH_WORLD_H

#include <stdint.h>

#include "geom.h"
#include "names.h"

enum { SY_COUNTY_DISTRICT, SY_COUNTY_COUNTY, SY_COUNTY_CITY };
enum { SY_TOWNSHIP_STREET, SY_TOWNSHIP_TOWN, SY_TOWNSHIP_XIANG };

/* Edge styles: how an edge of the tessellation is drawn. */
enum { SY_STYLE_PLAIN, SY_STYLE_ROAD, SY_STYLE_RIVER, SY_STYLE_FLAT };

/* Road classes, best first; values index sy_road_class_name. */
enum {
    SY_ROAD_MOTORWAY,
    SY_ROAD_TRUNK,
    SY_ROAD_PRIMARY,
    SY_ROAD_SECONDARY,
    SY_ROAD_TERTIARY,
    SY_ROAD_RESIDENTIAL,
    SY_ROAD_SERVICE,
    SY_ROAD_UNCLASSIFIED,
    SY_ROAD_TRACK,
    SY_ROAD_NCLASSES
};
extern const char *const sy_road_class_name[SY_ROAD_NCLASSES];

enum { SY_WATER_RIVER, SY_WATER_CANAL, SY_WATER_STREAM, SY_WATER_DRAIN, SY_WATER_LAKE, SY_WATER_AREA, SY_WATER_NKINDS };
extern const char *const sy_water_kind_name[SY_WATER_NKINDS];

typedef struct sy_county {
    int kind;
    int prefecture;                 /* 1..13 */
    int first_township, n_townships; /* into world.township_list */
    char code[16];
    char name[SY_NAME_CAP];
} sy_county;

typedef struct sy_township {
    int kind;
    int county;
    int first_community, n_communities; /* into world.community_list */
    char code[32];
    char name[SY_NAME_CAP];
    int centre_node;
    double lattice_angle; /* orientation of the urban street lattice */
    sy_pt lattice_origin;
} sy_township;

typedef struct sy_community {
    int urban_rural; /* 111, 112, 121, 122, 123, 210, 220 */
    int township;
    long households;
    int grids_target;
    double area_m2_target;
    int first_cell, n_cells; /* into world.community_cells */
    int centre_node;
    long island_households; /* households to place on the island (0 if none) */
    char code[48];
    char name[SY_NAME_CAP];
} sy_community;

typedef struct sy_edge {
    int a, b;          /* nodes; a is the lexicographically smaller point */
    int left, right;   /* cells on each side walking a->b; -1 outside */
    int pts_start, n_pts; /* interior points in world.edge_pts, a->b order */
    int segments;      /* vertex budget: segments after densification */
    unsigned char style;
    signed char road_class; /* -1 none */
    signed char water_kind; /* -1 none */
    int road_path, water_path; /* owning path or -1 */
} sy_edge;

/* A path along the tessellation: half-edges h = edge*2 + dir, dir 0 = a->b. */
typedef struct sy_path {
    int kind; /* road class or water kind */
    char name[SY_NAME_CAP];
    int *he;
    int n_he;
    sy_pt *pts; /* free-form line (motorways) when he is NULL */
    int n_pts;
} sy_path;

/* A ring cut out of the tessellation (an island or a lake that belongs to no
 * community). Its inside belongs to inside_cell (-1: nobody); its area is
 * taken from outside_cell (-1: nobody). Stored open, counter-clockwise. */
typedef struct sy_extra_ring {
    sy_pt *pts;
    int n;
    int inside_cell, outside_cell;
} sy_extra_ring;

typedef struct sy_water {
    int kind;
    char name[SY_NAME_CAP];
    sy_mpoly geom;
    double minx, miny, maxx, maxy;
    sy_pip pip;
} sy_water;

typedef struct sy_options {
    long households;
    uint64_t seed;
    int vertices_min, vertices_max;
    int grids_per_community; /* 0: from households */
    int community_households; /* mean households per community; 0: 2800 */
    int departments;
    int grid_departments; /* layers traced grid by grid from the unified grids */
    int epsg;
    int quiet;
    int progress; /* stderr is a TTY and not quiet */
} sy_options;

typedef struct sy_world {
    GEOSContextHandle_t geos;
    sy_options opt;
    sy_pt centre; /* working-plane centre of the area */

    sy_county *counties;
    int n_counties;
    sy_township *townships;
    int n_townships;
    sy_community *communities;
    int n_communities;
    int *township_list;  /* townships grouped by county */
    int *community_list; /* communities grouped by township */
    int *community_cells; /* cells grouped by community */

    /* cells (= grids of the existing plan) */
    int n_cells;
    sy_pt *seed;
    double *cell_size_m; /* square root of the intended cell area */
    int *cell_community;
    int *cell_he_start; /* n_cells + 1 */
    int *cell_he;       /* counter-clockwise half-edges */
    int n_ghosts;
    sy_pt *ghost;

    /* planar graph */
    int n_nodes;
    sy_pt *node;
    int n_edges;
    sy_edge *edge;
    sy_pt *edge_pts;
    int n_edge_pts;
    int *node_he_start; /* outgoing half-edges per node */
    int *node_he;

    sy_extra_ring *extras;
    int n_extras;
    int island_community; /* community holding the island, -1 */
    int island_cell;      /* cell holding the island polygon */
    int island_extra;     /* extras index of the island ring */
    int lake_cell;        /* cell holding the lake around the island */
    int *cell_extra_vertices; /* vertices of extra rings per cell */

    sy_path *road_paths;
    int n_road_paths;
    size_t cap_road_paths;
    sy_path *water_paths;
    int n_water_paths;
    size_t cap_water_paths;

    sy_water *waters;
    int n_waters;
    size_t cap_waters;
    /* uniform bucket index over water bounding boxes */
    double wix_minx, wix_miny, wix_cell;
    int wix_nx, wix_ny;
    int *wix_start, *wix_items;

    sy_mpoly outline; /* the whole area */
    double area_m2;
} sy_world;

/* Stages, in order. Each dies (exit 1) on an internal failure. */
void sy_structure_build(sy_world *w);
void sy_layout_build(sy_world *w);
void sy_topo_build(sy_world *w);
void sy_topo_fix_contiguity(sy_world *w);
void sy_structure_name(sy_world *w);
void sy_network_build(sy_world *w);
void sy_water_plan_island(sy_world *w); /* before sy_densify */
void sy_densify(sy_world *w);
void sy_water_build(sy_world *w);
void sy_world_free(sy_world *w);

/* Assembles the region made of the cells listed whose label equals value
 * (label is indexed by cell) into m (cleared first). Shared edges come out
 * with identical vertices because every region is traced over the same
 * densified edges. */
void sy_region_build(const sy_world *w, const int *cells, int n_cells, const int *label, int value,
                     sy_mpoly *m);
/* Geometry of one cell (grid). */
void sy_cell_build(const sy_world *w, int cell, sy_mpoly *m);
/* Points of a half-edge from its start node to its end node, inclusive:
 * writes n_pts + 2 points into out (grown as needed). Returns the count. */
int sy_half_edge_points(const sy_world *w, int he, sy_pt **out, size_t *cap);
int sy_he_cell(const sy_world *w, int he);  /* cell on the left */
int sy_he_twin_cell(const sy_world *w, int he);
int sy_he_from(const sy_world *w, int he);
int sy_he_to(const sy_world *w, int he);

/* Water bodies whose bounding box meets the box; returns a count and fills
 * out (grown as needed) with water indices, each once, ascending. */
int sy_water_query(const sy_world *w, double minx, double miny, double maxx, double maxy, int **out,
                   size_t *cap);

/* Area weights in m2 per household for an urban-rural class. */
double sy_m2_per_household(int urban_rural);
int sy_is_urban_class(int urban_rural); /* 1xx */

#endif
