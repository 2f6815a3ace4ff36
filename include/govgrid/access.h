/*
 * govgrid access: API keys and the rights they carry. `govgrid key` makes,
 * lists and revokes them; the service checks each presented key against
 * the keys file.
 */
#ifndef GOVGRID_ACCESS_H
#define GOVGRID_ACCESS_H

#include <stddef.h>

#include "govgrid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A keys file holds one line per key: name, rights, the SHA-256 of the key
 * (never the key), when it was made and when revoked. Keys are 200 random
 * bits ("gg_" and 40 base-32 characters), so a fast hash is enough. */

/* read: the maps, grids, plans (drafts too) and diffs; write: incidents;
 * plan: edit plans (new drafts), delete drafts and publish. */
enum { GG_RIGHT_READ = 1, GG_RIGHT_WRITE = 2, GG_RIGHT_PLAN = 4 };
#define GG_RIGHTS_ALL (GG_RIGHT_READ | GG_RIGHT_WRITE | GG_RIGHT_PLAN)

typedef struct gg_api_key_info {
    char name[64];
    int rights;                 /* GG_RIGHT_READ | GG_RIGHT_WRITE | GG_RIGHT_PLAN */
    char created[32];
    char revoked[32];           /* "" while valid */
    char hash_prefix[13];       /* the first 12 hex digits of the hash, to tell keys apart */
} gg_api_key_info;

/* Makes a key named name (1-63 letters, digits, '.', '-', '_'; not the name
 * of another valid key) with rights, adds its hash to the keys file at
 * path (created, mode 0600, if missing; rewritten whole, never half), and
 * writes the key itself to key (at least 48 bytes). */
GG_API gg_status gg_keys_new(gg_ctx *ctx, const char *path, const char *name, int rights, char *key, size_t size);
GG_API gg_status gg_keys_list(gg_ctx *ctx, const char *path, gg_api_key_info **out, size_t *n);
GG_API void gg_keys_list_free(gg_ctx *ctx, gg_api_key_info *list);
/* Revokes the valid key named name. GG_ERR_NOT_FOUND if there is none. */
GG_API gg_status gg_keys_revoke(gg_ctx *ctx, const char *path, const char *name);
/* "read", "write", "plan" or a comma-separated list of them ("read,plan")
 * to rights; 0 with a message when wrong. */
GG_API int gg_rights_parse(gg_ctx *ctx, const char *text);
/* rights as the keys file and `govgrid key list` write them ("read,plan"):
 * into out, size bytes (24 hold every combination). */
GG_API void gg_rights_text(int rights, char *out, size_t size);

typedef struct gg_keyring gg_keyring;
GG_API gg_status gg_keyring_load(gg_ctx *ctx, const char *path, gg_keyring **out);
/* The rights of a presented key (0: unknown or revoked) and, in *name
 * (may be NULL), its name: borrowed from the keyring, valid until the
 * keyring is freed; a caller that shares the keyring with a reloading
 * thread copies it before releasing its lock. */
GG_API int gg_keyring_check(const gg_keyring *ring, const char *key, const char **name);
GG_API void gg_keyring_free(gg_keyring *ring);

#ifdef __cplusplus
}
#endif

#endif
