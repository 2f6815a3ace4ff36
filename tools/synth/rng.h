/*
 * rng.h - the generator's own pseudo-random numbers.
 *
 * xoshiro256** seeded through splitmix64. Every entity that draws numbers
 * (a community, an edge, a department) derives its own stream from the run
 * seed and its identity with sy_rng_for(), so the output does not depend on
 * the order in which entities are processed.
 */
#ifndef SYNTH_RNG_H
#define SYNTH_RNG_H

#include <stdint.h>

typedef struct sy_rng {
    uint64_t s[4];
} sy_rng;

uint64_t sy_hash64(uint64_t x);                 /* splitmix64 finaliser */
uint64_t sy_hash2(uint64_t a, uint64_t b);      /* order-sensitive mix */
uint64_t sy_hash_double(uint64_t h, double v);  /* mixes the bit pattern of v */

void sy_rng_seed(sy_rng *r, uint64_t seed);
/* Stream for entity (tag, index) of a run seeded with seed. */
sy_rng sy_rng_for(uint64_t seed, uint64_t tag, uint64_t index);

uint64_t sy_rng_next(sy_rng *r);
double sy_rng_uniform(sy_rng *r);                     /* [0, 1) */
double sy_rng_range(sy_rng *r, double lo, double hi); /* [lo, hi) */
int sy_rng_int(sy_rng *r, int lo, int hi);            /* [lo, hi] */
double sy_rng_normal(sy_rng *r);                      /* N(0, 1) */
int sy_rng_chance(sy_rng *r, double p);
/* Index drawn with probability proportional to weights[i]. */
int sy_rng_pick(sy_rng *r, const double *weights, int n);
void sy_rng_shuffle_int(sy_rng *r, int *v, int n);

/* Tags that name the random streams. */
enum {
    SY_TAG_STRUCTURE = 1,
    SY_TAG_LAYOUT,
    SY_TAG_NAMES,
    SY_TAG_EDGE,
    SY_TAG_BUDGET,
    SY_TAG_NETWORK,
    SY_TAG_WATER,
    SY_TAG_HOUSEHOLDS,
    SY_TAG_STREETS,
    SY_TAG_UNITS,
    SY_TAG_WORKERS,
    SY_TAG_DEPTS,
    SY_TAG_INCIDENTS,
    SY_TAG_GRIDS
};

#endif
