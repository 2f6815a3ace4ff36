/* Dispatch: the item catalogue (事项清单), its time limits, and incidents
 * through the closed loop. */
#ifndef GOVGRID_DISPATCH_H
#define GOVGRID_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the catalogue shipped with govgrid (data/catalogue.csv, carried by
 * the library) as a new catalogue version, in one transaction. *version
 * (may be NULL) receives it. */
GG_API gg_status gg_catalogue_load_shipped(gg_ctx *ctx, gg_store *store, int64_t *version);

/* The newest catalogue version, 0 when the project has none. */
GG_API gg_status gg_catalogue_current(gg_ctx *ctx, gg_store *store, int64_t *version);

/* ---- API keys ----
 * A keys file holds one line per key: name, rights, the SHA-256 of the key
 * (never the key), when it was made and when revoked. Keys are 200 random
 * bits ("gg_" and 40 base-32 characters), so a fast hash is enough. */

enum { GG_RIGHT_READ = 1, GG_RIGHT_WRITE = 2 };

typedef struct gg_api_key_info {
    char name[64];
    int rights;                 /* GG_RIGHT_READ | GG_RIGHT_WRITE */
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
/* "read", "write", "read,write" to rights; 0 with a message when wrong. */
GG_API int gg_rights_parse(gg_ctx *ctx, const char *text);

typedef struct gg_keyring gg_keyring;
GG_API gg_status gg_keyring_load(gg_ctx *ctx, const char *path, gg_keyring **out);
/* The rights of a presented key (0: unknown or revoked) and its name. */
GG_API int gg_keyring_check(const gg_keyring *ring, const char *key, const char **name);
GG_API void gg_keyring_free(gg_keyring *ring);

#ifdef __cplusplus
}
#endif

#endif
