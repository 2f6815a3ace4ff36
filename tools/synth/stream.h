/*
 * stream.h - writes every output of a built world: divisions, the linear
 * networks and water bodies, then community by community households,
 * streets, units, grids, rosters and incidents, then departmental grids and
 * the remaining incidents.
 */
#ifndef SYNTH_STREAM_H
#define SYNTH_STREAM_H

#include "out.h"
#include "world.h"

void sy_stream_write(sy_world *w, sy_out *o);
/* Progress line on stderr when enabled (stderr is a TTY, not --quiet). */
void sy_progress(const sy_world *w, const char *fmt, ...);

#endif
