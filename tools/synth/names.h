/*
 * names.h - Chinese names built from syllable tables: places, streets,
 * waters, units and people. All functions write a NUL-terminated UTF-8 string
 * of at most cap bytes into out and draw only from the given stream, so a
 * name is a function of the stream state alone.
 */
#ifndef SYNTH_NAMES_H
#define SYNTH_NAMES_H

#include <stddef.h>

#include "rng.h"

#define SY_NAME_CAP 64

/* Two-syllable place stem such as 青石 or 东湖. */
void sy_name_stem(sy_rng *r, char *out, size_t cap);
/* A common surname (weighted roughly by frequency). */
const char *sy_name_surname(sy_rng *r);
/* Person: surname plus one or two given-name characters. */
void sy_name_person(sy_rng *r, char *out, size_t cap);
/* Village stem such as 李家, 王庄 or a place stem. */
void sy_name_village_stem(sy_rng *r, char *out, size_t cap);
/* Natural-village (hamlet) name such as 张家埭. */
void sy_name_hamlet(sy_rng *r, char *out, size_t cap);
/* Street: class is an OSM highway value; empty name for unnamed classes. */
void sy_name_road(sy_rng *r, const char *road_class, char *out, size_t cap);
/* Water body: kind is one of river, canal, stream, drain, lake, water area. */
void sy_name_water(sy_rng *r, const char *kind, char *out, size_t cap);
/* Residential compound name such as 青石花园. */
void sy_name_compound(sy_rng *r, char *out, size_t cap);
/* Number written in Chinese (1..99), e.g. 十二; used for 组 numbers. */
void sy_name_cn_number(int n, char *out, size_t cap);

#endif
