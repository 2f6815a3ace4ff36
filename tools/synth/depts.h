/*
 * depts.h - departmental grids drawn independently of the grid plan, and
 * the grid plan's own outputs (grids, workers) per community.
 */
#ifndef SYNTH_DEPTS_H
#define SYNTH_DEPTS_H

#include "community.h"

/* Writes dept_grids for w->opt.departments departments. */
void sy_depts_generate(sy_world *w, sy_out *o);

/* Writes the grids of the community in cc and their rosters; picks
 * n_vertex_incidents grid vertices as incidents. */
void sy_grids_generate(sy_comm *cc, sy_out *o, long n_vertex_incidents);
/* Roster rows pointing at grid codes that do not exist. */
void sy_workers_orphans(const sy_world *w, sy_out *o);

/* Incident categories and placements. */
const char *sy_incident_category(sy_rng *r);
void sy_incidents_near_households(const sy_comm *cc, sy_out *o, long n);
void sy_incidents_area(const sy_world *w, sy_out *o, long n_uniform, long n_outside);

#endif
