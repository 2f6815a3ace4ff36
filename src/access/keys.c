/* API keys: made from the system's random source, stored as SHA-256
 * hashes in a small text file. */
#include "core/ctx.h"
#include "govgrid/access.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYS_HEADER "# govgrid API keys: name, rights, sha256 of the key, created, revoked\n"

struct gg_keyring {
    gg_ctx *ctx;
    gg_api_key_info *info;
    unsigned char (*hash)[32];
    size_t n;
};

static void sha256_hex(const char *text, char hex[65], unsigned char raw[32])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (raw)
        memcpy(raw, md, 32);
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_'))
            return 0;
    }
    return 1;
}

int gg_rights_parse(gg_ctx *ctx, const char *text)
{
    int rights = 0;
    const char *p = text ? text : "";
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 4 && strncmp(p, "read", 4) == 0)
            rights |= GG_RIGHT_READ;
        else if (n == 5 && strncmp(p, "write", 5) == 0)
            rights |= GG_RIGHT_WRITE;
        else if (n == 4 && strncmp(p, "plan", 4) == 0)
            rights |= GG_RIGHT_PLAN;
        else {
            gg_error(ctx, GG_ERR_ARG, "rights: '%.*s' is not read, write or plan (give e.g. read, read,write or read,plan)",
                     (int)n, p);
            return 0;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (rights == 0)
        gg_error(ctx, GG_ERR_ARG, "rights: none given (give e.g. read, read,write or read,plan)");
    return rights;
}

void gg_rights_text(int rights, char *out, size_t size)
{
    snprintf(out, size, "%s%s%s%s%s", rights & GG_RIGHT_READ ? "read" : "",
             (rights & GG_RIGHT_READ) && (rights & (GG_RIGHT_WRITE | GG_RIGHT_PLAN)) ? "," : "",
             rights & GG_RIGHT_WRITE ? "write" : "", (rights & GG_RIGHT_WRITE) && (rights & GG_RIGHT_PLAN) ? "," : "",
             rights & GG_RIGHT_PLAN ? "plan" : "");
}

/* One parsed line of the file, with its hash. */
typedef struct entry {
    gg_api_key_info info;
    char hash[65];
} entry;

static gg_status read_file(gg_ctx *ctx, const char *path, entry **out, size_t *n, int missing_ok)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT && missing_ok)
            return GG_OK;
        return gg_error(ctx, errno == ENOENT ? GG_ERR_NOT_FOUND : GG_ERR_IO, "%s: cannot open: %s", path,
                        strerror(errno));
    }
    char line[512];
    size_t cap = 0;
    long lineno = 0;
    gg_status st = GG_OK;
    while (st == GG_OK && fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[5] = {0};
        int k = 0;
        for (char *p = line; k < 5; k++) {
            fields[k] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL) {
                k++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (k != 5 || strlen(fields[2]) != 64 || !valid_name(fields[0])) {
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %ld: not a key line (name, rights, hash, created, revoked)",
                          path, lineno);
            break;
        }
        if (gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out) != GG_OK) {
            st = GG_ERR_NOMEM;
            break;
        }
        entry *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        snprintf(e->info.name, sizeof e->info.name, "%s", fields[0]);
        e->info.rights = (strstr(fields[1], "read") ? GG_RIGHT_READ : 0) | (strstr(fields[1], "write") ? GG_RIGHT_WRITE : 0) |
                         (strstr(fields[1], "plan") ? GG_RIGHT_PLAN : 0);
        snprintf(e->hash, sizeof e->hash, "%s", fields[2]);
        snprintf(e->info.hash_prefix, sizeof e->info.hash_prefix, "%.12s", fields[2]);
        snprintf(e->info.created, sizeof e->info.created, "%s", fields[3]);
        snprintf(e->info.revoked, sizeof e->info.revoked, "%s", strcmp(fields[4], "-") == 0 ? "" : fields[4]);
    }
    if (st == GG_OK && ferror(f))
        st = gg_error(ctx, GG_ERR_IO, "%s: read failed", path);
    fclose(f);
    if (st != GG_OK) {
        gg_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

/* Writes the entries to path through a temporary file and a rename. */
static gg_status write_file(gg_ctx *ctx, const char *path, const entry *e, size_t n)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    /* Created afresh, never through whatever already stands there: a link
     * placed at KEYS.new would otherwise receive the keys' hashes, with its
     * target's mode. A regular file left by a crash is removed first. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        struct stat sb;
        if (lstat(tmp, &sb) != 0 || !S_ISREG(sb.st_mode))
            return gg_error(ctx, GG_ERR_IO, "%s: already exists and is not a regular file (a link?); "
                                            "remove it: the keys are not written through it", tmp);
        unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0)
        return gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(tmp);
        return gg_error(ctx, GG_ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    fputs(KEYS_HEADER, f);
    for (size_t i = 0; i < n; i++) {
        const gg_api_key_info *k = &e[i].info;
        char r[24] = "";
        gg_rights_text(k->rights, r, sizeof r);
        fprintf(f, "%s\t%s\t%s\t%s\t%s\n", k->name, r, e[i].hash, k->created, k->revoked[0] ? k->revoked : "-");
    }
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return gg_error(ctx, GG_ERR_IO, "%s: cannot write: %s", path, strerror(err));
    }
    return GG_OK;
}

gg_status gg_keys_new(gg_ctx *ctx, const char *path, const char *name, int rights, char *key, size_t size)
{
    if (size < 48)
        return gg_error(ctx, GG_ERR_ARG, "gg_keys_new: key buffer too small");
    if (!valid_name(name))
        return gg_error(ctx, GG_ERR_ARG, "key name '%s': use 1-63 letters, digits, '.', '-' or '_'", name);
    if (rights & ~GG_RIGHTS_ALL || rights == 0)
        return gg_error(ctx, GG_ERR_ARG, "key rights: give read, write, plan or a list of them");
    entry *e = NULL;
    size_t n = 0;
    gg_status st = read_file(ctx, path, &e, &n, 1);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].info.name, name) == 0 && e[i].info.revoked[0] == '\0') {
            gg_free(ctx, e);
            return gg_error(ctx, GG_ERR_EXISTS, "%s: a valid key named '%s' exists (revoke it first)", path, name);
        }
    unsigned char random[25];
    size_t got = 0;
    while (got < sizeof random) {
        ssize_t r = getrandom(random + got, sizeof random - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            gg_free(ctx, e);
            return gg_error(ctx, GG_ERR_IO, "cannot read random bytes: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    char k[48] = "gg_";
    for (int i = 0; i < 40; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = ((unsigned)random[byte] << 8 | (byte + 1 < 25 ? random[byte + 1] : 0u)) >> (11 - shift) & 31u;
        k[3 + i] = alphabet[v];
    }
    k[43] = '\0';
    size_t cap = n;
    if (gg_grow(ctx, (void **)&e, &cap, n + 1, sizeof *e) != GG_OK)
        return GG_ERR_NOMEM;
    entry *ne = &e[n++];
    memset(ne, 0, sizeof *ne);
    snprintf(ne->info.name, sizeof ne->info.name, "%s", name);
    ne->info.rights = rights;
    sha256_hex(k, ne->hash, NULL);
    gg_utc_now(ne->info.created, sizeof ne->info.created);
    st = write_file(ctx, path, e, n);
    gg_free(ctx, e);
    if (st == GG_OK)
        snprintf(key, size, "%s", k);
    return st;
}

gg_status gg_keys_list(gg_ctx *ctx, const char *path, gg_api_key_info **out, size_t *n)
{
    entry *e = NULL;
    gg_status st = read_file(ctx, path, &e, n, 0);
    *out = NULL;
    if (st != GG_OK)
        return st;
    *out = gg_calloc(ctx, *n ? *n : 1, sizeof **out);
    if (*out == NULL) {
        gg_free(ctx, e);
        return gg_error_nomem(ctx);
    }
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = e[i].info;
    gg_free(ctx, e);
    return GG_OK;
}

void gg_keys_list_free(gg_ctx *ctx, gg_api_key_info *list)
{
    gg_free(ctx, list);
}

gg_status gg_keys_revoke(gg_ctx *ctx, const char *path, const char *name)
{
    entry *e = NULL;
    size_t n = 0;
    gg_status st = read_file(ctx, path, &e, &n, 0);
    if (st != GG_OK)
        return st;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].info.name, name) == 0 && e[i].info.revoked[0] == '\0') {
            gg_utc_now(e[i].info.revoked, sizeof e[i].info.revoked);
            found = 1;
        }
    st = found ? write_file(ctx, path, e, n)
               : gg_error(ctx, GG_ERR_NOT_FOUND, "%s: no valid key named '%s'", path, name);
    gg_free(ctx, e);
    return st;
}

gg_status gg_keyring_load(gg_ctx *ctx, const char *path, gg_keyring **out)
{
    *out = NULL;
    entry *e = NULL;
    size_t n = 0;
    gg_status st = read_file(ctx, path, &e, &n, 0);
    if (st != GG_OK)
        return st;
    gg_keyring *r = gg_calloc(ctx, 1, sizeof *r);
    if (r == NULL) {
        gg_free(ctx, e);
        return gg_error_nomem(ctx);
    }
    r->ctx = ctx;
    r->info = gg_calloc(ctx, n ? n : 1, sizeof *r->info);
    r->hash = gg_calloc(ctx, n ? n : 1, sizeof *r->hash);
    if (r->info == NULL || r->hash == NULL) {
        gg_free(ctx, e);
        gg_keyring_free(r);
        return gg_error_nomem(ctx);
    }
    for (size_t i = 0; i < n; i++) {
        r->info[i] = e[i].info;
        for (int b = 0; b < 32; b++) {
            unsigned v = 0;
            sscanf(e[i].hash + 2 * b, "%2x", &v);
            r->hash[i][b] = (unsigned char)v;
        }
    }
    r->n = n;
    gg_free(ctx, e);
    *out = r;
    return GG_OK;
}

int gg_keyring_check(const gg_keyring *ring, const char *key, const char **name)
{
    if (name)
        *name = NULL;
    if (ring == NULL || key == NULL || strncmp(key, "gg_", 3) != 0 || strlen(key) > 64)
        return 0;
    char hex[65];
    unsigned char raw[32];
    sha256_hex(key, hex, raw);
    for (size_t i = 0; i < ring->n; i++) {
        /* Compared in full whatever differs first. */
        unsigned diff = 0;
        for (int b = 0; b < 32; b++)
            diff |= (unsigned)(ring->hash[i][b] ^ raw[b]);
        if (diff == 0 && ring->info[i].revoked[0] == '\0') {
            if (name)
                *name = ring->info[i].name;
            return ring->info[i].rights;
        }
    }
    return 0;
}

void gg_keyring_free(gg_keyring *ring)
{
    if (ring == NULL)
        return;
    gg_free(ring->ctx, ring->info);
    gg_free(ring->ctx, ring->hash);
    gg_free(ring->ctx, ring);
}
