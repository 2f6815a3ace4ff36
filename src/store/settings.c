/* A project's named settings, kept in gg_meta under their own names (which
 * all have a dot, so they never meet the schema's own keys). */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct setting {
    const char *name;
    const char *fallback;   /* the value when unset */
    const char *takes;      /* what the setting takes, for messages */
    int (*valid)(const char *value);
} setting;

static int valid_yes_no(const char *v)
{
    return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0;
}

static int valid_crs(const char *v)
{
    return strcmp(v, "wgs84") == 0 || strcmp(v, "cgcs2000") == 0 || strcmp(v, "gcj02") == 0 ||
           strcmp(v, "bd09") == 0;
}

static int valid_duration(const char *v)
{
    return gg_duration_parse(v) >= 0;
}

/* Printable ASCII letters, digits and . - _ : / (a jurisdiction is an id or
 * a domain name in the clients seen). */
static int valid_jurisdiction(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 100)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == ':' || c == '/'))
            return 0;
    }
    return 1;
}

static int valid_language(const char *v)
{
    return strcmp(v, "en") == 0 || strcmp(v, "zh") == 0;
}

/* Text of at most 500 bytes without control characters. */
static int valid_text(const char *v)
{
    size_t n = strlen(v);
    if (n > 500)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return 0;
    return 1;
}

static const setting settings[] = {
    {"contacts.public", "no", "yes or no", valid_yes_no},
    {"open311.jurisdiction_id", "", "1-100 letters, digits, '.', '-', '_', ':' or '/'", valid_jurisdiction},
    {"open311.crs", "wgs84", "wgs84, cgcs2000, gcj02 or bd09", valid_crs},
    {"open311.retry_window", "24h", "a duration: a whole number and s, m, h or d (24h), or 0 for never",
     valid_duration},
    {"open311.contact", "", "text of at most 500 bytes without control characters", valid_text},
    {"open311.key_service", "", "text of at most 500 bytes without control characters", valid_text},
    {"open311.language", "en", "en or zh", valid_language},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

const char *const *gg_setting_names(void)
{
    static const char *names[N_SETTINGS + 1];
    for (size_t i = 0; i < N_SETTINGS; i++)
        names[i] = settings[i].name; /* the same pointers on every call */
    names[N_SETTINGS] = NULL;
    return names;
}

int64_t gg_duration_parse(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return -1;
    if (strcmp(text, "0") == 0)
        return 0;
    char *end = NULL;
    if (text[0] < '0' || text[0] > '9')
        return -1;
    long long n = strtoll(text, &end, 10);
    if (end == text || n < 0 || n > 3650LL * 86400)
        return -1;
    int64_t unit;
    if (strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else
        return -1;
    int64_t s = (int64_t)n * unit;
    return s > 3650LL * 86400 ? -1 : s;
}

static const setting *find(gg_ctx *ctx, const char *name)
{
    for (size_t i = 0; name && i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    char list[400] = "";
    for (size_t i = 0; i < N_SETTINGS; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", settings[i].name);
    }
    gg_error(ctx, GG_ERR_NOT_FOUND, "'%.60s' is not a setting; the settings are %s", name ? name : "", list);
    return NULL;
}

gg_status gg_setting_get(gg_ctx *ctx, gg_store *store, const char *name, char *value, size_t size, int *is_set)
{
    if (is_set)
        *is_set = 0;
    if (size)
        value[0] = '\0';
    const setting *s = find(ctx, name);
    if (s == NULL)
        return GG_ERR_NOT_FOUND;
    sqlite3_stmt *q = NULL;
    gg_status st = gg_store_prepare(store, "SELECT value FROM gg_meta WHERE key = ?1", &q);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        snprintf(value, size, "%s", (const char *)sqlite3_column_text(q, 0));
        if (is_set)
            *is_set = 1;
    } else if (rc == SQLITE_DONE) {
        snprintf(value, size, "%s", s->fallback);
    } else {
        st = gg_store_sql_error(store, "reading a setting");
    }
    sqlite3_finalize(q);
    return st;
}

gg_status gg_setting_set(gg_ctx *ctx, gg_store *store, const char *name, const char *value)
{
    const setting *s = find(ctx, name);
    if (s == NULL)
        return GG_ERR_NOT_FOUND;
    if (value != NULL && !s->valid(value))
        return gg_error(ctx, GG_ERR_ARG, "%s: '%.60s' is not a value it takes: %s", name, value, s->takes);
    gg_status st = gg_store_exec(store, "BEGIN IMMEDIATE");
    if (st != GG_OK)
        return st;
    sqlite3_stmt *q = NULL;
    st = gg_store_prepare(store,
                          value ? "INSERT OR REPLACE INTO gg_meta(key, value) VALUES (?1, ?2)"
                                : "DELETE FROM gg_meta WHERE key = ?1",
                          &q);
    if (st == GG_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        if (value)
            sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = gg_store_sql_error(store, "writing a setting");
        sqlite3_finalize(q);
    }
    if (st == GG_OK)
        st = gg_store_exec(store, "COMMIT");
    if (st != GG_OK)
        gg_store_exec(store, "ROLLBACK");
    return st;
}
