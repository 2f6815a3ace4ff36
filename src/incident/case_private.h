/* Private to the incident module: what case.c, list.c and reporter.c
 * share. */
#ifndef GG_INCIDENT_CASE_PRIVATE_H
#define GG_INCIDENT_CASE_PRIVATE_H

#include <jansson.h>

#include "govgrid/incident.h"

/* c's fields as gg_case_json writes them (no history); NULL without
 * memory. */
json_t *gg_case_object(const gg_case *c);

/* Does req on c inside the caller's transaction (c as gg_case_get read
 * it): the move checked against the table and the request, the event
 * stored as actor's (NULL: the store's actor; its id into *event_id, may
 * be NULL), the incident's row set and c updated. Nothing is written when
 * it fails. The project's working calendar is read into *cal when an
 * action first needs it and kept there for the caller's later actions of
 * the same transaction (the caller frees it; cal NULL: read for this
 * action alone): no other connection can change it while the caller
 * holds the write lock. */
typedef struct gg_case_env gg_case_env;
gg_status gg_case_act_within(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_request *req,
                             const char *actor, int64_t *event_id, gg_case_env *env);

/* What the actions of one transaction share, each read from the project
 * when an action first needs it: no other connection can change them
 * while the write lock is held. */
struct gg_case_env {
    gg_calendar *cal;           /* the working calendar; NULL: not read yet */
    int lang;                   /* the reporters' language (GG_LANG_*); -1: not read yet */
};
void gg_case_env_init(gg_case_env *env);
void gg_case_env_free(gg_case_env *env);

/* The language reporters are told things in (the project's
 * open311.language). */
enum { GG_LANG_EN = 0, GG_LANG_ZH = 1 };
gg_status gg_case_language(gg_ctx *ctx, gg_store *store, int *lang);

/* What a reporter reads about an event: a sentence from its action
 * (action's name, or "report"), the state it came from, its note, reason,
 * deadline and the name of the level it went to (may be NULL); result is
 * the result fed back before it (may be NULL), for a verification or a
 * close that says nothing of its own; in lang (GG_LANG_EN, GG_LANG_ZH),
 * the note, reason and names as written.
 * Allocated through ctx (gg_free); NULL when out of memory. */
char *gg_case_notice(gg_ctx *ctx, int lang, const char *action, const char *from_state, const char *note, const char *reason,
                     const char *deadline, const char *level, const char *result);

/* Whether s is 1-100 printable ASCII characters without spaces. */
int gg_case_client_id_ok(const char *s);

#endif
