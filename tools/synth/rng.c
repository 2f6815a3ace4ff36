#include "rng.h"

#include <math.h>
#include <string.h>

uint64_t sy_hash64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t sy_hash2(uint64_t a, uint64_t b)
{
    return sy_hash64(sy_hash64(a) ^ (b + 0x632be59bd9b4e019ULL + (a << 6) + (a >> 2)));
}

uint64_t sy_hash_double(uint64_t h, double v)
{
    uint64_t bits;
    if (v == 0.0)
        v = 0.0; /* fold -0.0 into +0.0 */
    memcpy(&bits, &v, sizeof bits);
    return sy_hash2(h, bits);
}

void sy_rng_seed(sy_rng *r, uint64_t seed)
{
    uint64_t z = seed;
    for (int i = 0; i < 4; i++) {
        z += 0x9e3779b97f4a7c15ULL;
        uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = x ^ (x >> 31);
    }
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

sy_rng sy_rng_for(uint64_t seed, uint64_t tag, uint64_t index)
{
    sy_rng r;
    sy_rng_seed(&r, sy_hash2(sy_hash2(seed, tag), index));
    return r;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sy_rng_next(sy_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sy_rng_uniform(sy_rng *r)
{
    return (double)(sy_rng_next(r) >> 11) * 0x1.0p-53;
}

double sy_rng_range(sy_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sy_rng_uniform(r);
}

int sy_rng_int(sy_rng *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
    return lo + (int)(sy_rng_next(r) % span);
}

double sy_rng_normal(sy_rng *r)
{
    double u1 = sy_rng_uniform(r), u2 = sy_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int sy_rng_chance(sy_rng *r, double p)
{
    return sy_rng_uniform(r) < p;
}

int sy_rng_pick(sy_rng *r, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    double u = sy_rng_uniform(r) * total;
    for (int i = 0; i < n; i++) {
        if (u < weights[i])
            return i;
        u -= weights[i];
    }
    return n - 1;
}

void sy_rng_shuffle_int(sy_rng *r, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = sy_rng_int(r, 0, i);
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}
