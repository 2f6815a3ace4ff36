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

/* ---- catalogue items ---- */

typedef struct gg_catalogue_item {
    const char *item_code, *class_name, *subclass, *name, *name_en, *department, *reporting_condition,
        *reach_within, *handle_within, *closing_condition;
    /* The facts a report of this item carries, as Open311 attribute
     * definitions: a JSON array ("" when the item asks none), checked
     * and written whole when the catalogue was imported. */
    const char *attributes;
    /* Who handles it: "" or "grid" the grid's worker; "department" the
     * item's department, the grid's worker copied; "level:N" the
     * department at escalation level N at once. With the lead, the
     * co-handling departments (';'-separated, "" for none); the time to
     * verify and close after the feedback ("" for 1 working day). */
    const char *route, *co_departments, *close_within;
} gg_catalogue_item;

typedef struct gg_catalogue gg_catalogue;

/* The current catalogue version (0: newest) read whole. */
GG_API gg_status gg_catalogue_read(gg_ctx *ctx, gg_store *store, int64_t version, gg_catalogue **out);
GG_API int64_t gg_catalogue_version(const gg_catalogue *cat);
GG_API size_t gg_catalogue_count(const gg_catalogue *cat);
GG_API const gg_catalogue_item *gg_catalogue_item_at(const gg_catalogue *cat, size_t i);
GG_API const gg_catalogue_item *gg_catalogue_find(const gg_catalogue *cat, const char *item_code);
GG_API void gg_catalogue_free(gg_catalogue *cat);

/* One answer to an item's attribute: code and value as sent. */
typedef struct gg_attribute_value {
    const char *code, *value;
} gg_attribute_value;

/* Checks the answers of a report of item against its attribute
 * definitions: each code declared and variable, each value of its
 * datatype (a decimal number, an ISO 8601 date and time, one line for a
 * string, one of the keys for a list; several only for a
 * multivaluelist), every required one given. *json receives them as a
 * JSON object to store (free with gg_text_free; NULL when none).
 * GG_ERR_ARG with a message naming the attribute. */
GG_API gg_status gg_catalogue_attributes_check(gg_ctx *ctx, const gg_catalogue_item *item,
                                               const gg_attribute_value *values, size_t n, char **json);

/* An ISO 8601 date ("2026-11-22"), or date and time with an optional
 * offset ("2026-11-22T10:00:00+08:00"), as UTC in out ("...Z"): 1, or 0
 * when the text is not one. */
GG_API int gg_iso8601_utc(const char *text, char *out, size_t size);

/* ---- incidents ---- */

struct gg_locator;
struct gg_dispatcher;

typedef struct gg_incident_input {
    const char *service_code;           /* a catalogue item code */
    int has_location;
    double lon, lat;                    /* WGS 84 */
    const char *address, *description, *email, *phone, *first_name, *last_name, *device_id, *account_id,
        *media_url, *attributes_json, *api_key_name; /* each may be NULL */
    const char *source;                 /* the channel: hotline, grid, app, open311 (NULL: open311); another is
                                           GG_ERR_ARG */
    /* Resent requests. A request with the same api_key_name and
     * idempotency_key as a stored one is that one; so is one whose
     * fingerprint (key name, service code, position to 1e-7 degree or the
     * address, description, email, attributes) matches one stored within
     * the last retry_window seconds (0: no window). */
    const char *idempotency_key;        /* may be NULL; 1-200 bytes */
    int64_t retry_window;
    /* When it was reported, in seconds since the epoch (UTC): its request
     * time, its arrival's time and the start of its deadline; 0: now. For
     * incidents taken over from another system, or a recorded day replayed. */
    int64_t requested;
} gg_incident_input;

typedef struct gg_incident_receipt {
    int64_t id;
    char request_id[24];
    char grid_code[24];
    char worker_id[64];
    char expected[32];                  /* ISO 8601 UTC, the last stage's deadline */
    char stage[16];                     /* "dispatched", or "reported" (waiting in the dispatch queue) */
    char notice[256];                   /* what happened to it, in words, for the reporter */
    int replayed;                       /* 1: a resent request, answered with the stored one */
    gg_status status;                   /* gg_incident_submit_many: GG_OK, or why this one is not stored */
    char message[256];                  /* ... in words */
} gg_incident_receipt;

/* Stores an incident located on loc (grid, worker, status) in one committed
 * transaction: when this returns GG_OK the incident is on disk (WAL,
 * synchronous=FULL). A grid with nobody on its roster does not take it:
 * it waits in the dispatch queue (stage "collected") of the grid's
 * community, and the notice says so. A resent request (see
 * gg_incident_input) stores nothing and gets the stored one's receipt,
 * replayed set. GG_ERR_NOT_FOUND for a service_code not in the catalogue,
 * GG_ERR_ARG for coordinates out of range, GG_ERR_EXISTS for an
 * idempotency key sent before with a different request. The caller
 * serialises calls that share the store or the dispatcher. */
GG_API gg_status gg_incident_submit(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                    const struct gg_locator *loc, struct gg_dispatcher *d,
                                    const gg_incident_input *in, gg_incident_receipt *out);

/* Stores n incidents as gg_incident_submit does each, in one transaction
 * (one commit, one sync to disk for them all): out[k] is in[k]'s receipt,
 * out[k].status GG_OK when it is stored (or a resend, replayed set), else
 * the error gg_incident_submit would have given and out[k].message. A
 * later input that resends an earlier one of the same call is its resend.
 * Returns GG_OK when the transaction committed; otherwise (the store could
 * not be written: locked by another process past its busy timeout, disk
 * full...) nothing is stored, every receipt that was GG_OK carries the
 * error, each worker's turn is given back, and the error is on ctx. */
GG_API gg_status gg_incident_submit_many(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                         const struct gg_locator *loc, struct gg_dispatcher *d,
                                         const gg_incident_input *in, size_t n, gg_incident_receipt *out);

/* Each worker's open incidents, so that a new dispatcher continues the
 * balance where the last one stopped. */
GG_API gg_status gg_dispatcher_load_open(gg_ctx *ctx, gg_store *store, struct gg_dispatcher *d);

/* ---- views as JSON text (for services; free with gg_text_free) ---- */

GG_API void gg_text_free(gg_ctx *ctx, char *text);

/* A plan's grids (plan 0: the active plan) as a GeoJSON FeatureCollection with
 * code, type, community, name, households, persons, area_m2, flags:
 * within bbox (west, south, east, north; NULL: all), of one community
 * (NULL: all), at most limit. */
GG_API gg_status gg_grids_geojson(gg_ctx *ctx, gg_store *store, int64_t plan, const double *bbox,
                                  const char *community, int64_t limit, char **json, size_t *len);

/* Departmental grids (dept_grid) as a GeoJSON FeatureCollection with
 * dept, id, name and count: of one department (NULL: all), within bbox
 * (NULL: all), at most limit (0: all), by department and id. */
GG_API gg_status gg_dept_grids_geojson(gg_ctx *ctx, gg_store *store, const char *dept, const double *bbox,
                                       int64_t limit, char **json, size_t *len);

/* One grid of a plan with households, persons, area, flags, BeiDou code,
 * geometry and its people from the roster. GG_ERR_NOT_FOUND if none. */
GG_API gg_status gg_grid_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json);

/* The neighbours of grid code in plan (0: the active plan): the grids that
 * share a stretch of boundary with it, as a JSON array by code of {code,
 * type, name, community, households, locked, shared_m} (shared_m: the
 * length of the boundary they share, in metres, over 1). *json is to free
 * with gg_text_free. GG_ERR_NOT_FOUND when the plan has no such grid. */
GG_API gg_status gg_grid_neighbours_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json);

typedef struct gg_incident_filter {
    const char *request_ids;    /* comma-separated, or NULL */
    const char *service_codes;  /* comma-separated, or NULL */
    const char *status;         /* "open", "closed", "open,closed" or NULL */
    const char *start, *end;    /* ISO 8601 UTC bounds of the request time, or NULL */
    int limit;                  /* at most this many (0: 1000) */
    int64_t offset;             /* after skipping this many */
    /* What is shown. GG_VIEW_PUBLIC: the request and where it went (grid,
     * community, stage); GG_VIEW_STAFF adds the workers it went to;
     * GG_VIEW_FULL adds the reporter (email, phone, first_name,
     * last_name, device_id, account_id) and the attributes. */
    int view;
} gg_incident_filter;

enum { GG_VIEW_PUBLIC = 0, GG_VIEW_STAFF = 1, GG_VIEW_FULL = 2 };

/* Incidents as an Open311 GeoReport v2 array of service requests (with the
 * catalogue's department as agency_responsible, and grid_code, community,
 * locate_status, stage and, by view, the workers and the reporter as
 * extensions), newest first. */
GG_API gg_status gg_incidents_json(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                   const gg_incident_filter *filter, char **json, size_t *len);

/* How many incidents the filter matches, limit and offset aside. */
GG_API gg_status gg_incidents_count(gg_ctx *ctx, gg_store *store, const gg_incident_filter *filter, int64_t *n);

/* ---- API keys ----
 * A keys file holds one line per key: name, rights, the SHA-256 of the key
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
