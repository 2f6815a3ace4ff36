/* Error reporting, the context with its log and progress handlers, and
 * JSON output, shared by the subcommands. */
#include "cli/cli.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "govgrid %s: ", command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "govgrid %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'govgrid %s --help'.\n", command);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *command, gg_ctx *ctx)
{
    const char *msg = gg_ctx_errmsg(ctx);
    cli_error(command, "%s", msg[0] ? msg : gg_status_str(gg_ctx_errcode(ctx)));
    return CLI_FAILED;
}

static void log_to_stderr(void *user_data, gg_log_level level, const char *message)
{
    (void)user_data;
    fprintf(stderr, "%s: %s\n", level >= GG_LOG_ERROR ? "error" : level >= GG_LOG_WARNING ? "warning" : "info",
            message);
}

/* The progress line redraws at most ten times a second and is erased when
 * the stage completes, so that it never mixes with the summary. */
typedef struct progress_state {
    struct timespec last;
    int shown;
} progress_state;

static progress_state progress;

static int show_progress(void *user_data, const char *stage, uint64_t done, uint64_t total)
{
    (void)user_data;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - progress.last.tv_sec) +
                   (double)(now.tv_nsec - progress.last.tv_nsec) / 1e9;
    int finished = total > 0 && done >= total;
    if (finished) {
        if (progress.shown)
            fprintf(stderr, "\r\033[K");
        progress.shown = 0;
        return 0;
    }
    if (progress.shown && since < 0.1)
        return 0;
    progress.last = now;
    progress.shown = 1;
    if (total > 0)
        fprintf(stderr, "\r\033[K%s: %3d%% (%llu/%llu)", stage, (int)(100.0 * (double)done / (double)total),
                (unsigned long long)done, (unsigned long long)total);
    else
        fprintf(stderr, "\r\033[K%s: %llu", stage, (unsigned long long)done);
    fflush(stderr);
    return 0;
}

gg_ctx *cli_ctx_new(const char *command, const cli_common *common)
{
    gg_ctx *ctx = NULL;
    gg_status st = gg_ctx_new(&ctx);
    if (st != GG_OK) {
        cli_error(command, "cannot initialise: %s", gg_status_str(st));
        return NULL;
    }
    if (!common->quiet)
        gg_ctx_set_log(ctx, log_to_stderr, NULL, GG_LOG_WARNING);
    if (!common->quiet && isatty(STDERR_FILENO))
        gg_ctx_set_progress(ctx, show_progress, NULL);
    return ctx;
}

const char *cli_actor(void)
{
    const char *who = getenv("GOVGRID_USER");
    if (who != NULL && who[0] != '\0')
        return who;
    struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_name != NULL)
        return pw->pw_name;
    who = getenv("USER");
    return who ? who : "";
}

int cli_print_json(json_t *value)
{
    if (value == NULL) {
        fprintf(stderr, "govgrid: out of memory\n");
        return CLI_FAILED;
    }
    int rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    fputc('\n', stdout);
    json_decref(value);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cli_split_binding(char *arg, const char **target, const char **value)
{
    char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return 0;
    *eq = '\0';
    *target = arg;
    *value = eq + 1;
    return 1;
}

int cli_parse_common(const cli_command *cmd, int argc, char **argv, cli_common *common, int *first_arg)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    common->json = common->quiet = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'j': common->json = 1; break;
        case 'q': common->quiet = 1; break;
        case 'h': cmd->help(stdout); return CLI_OK;
        case ':': return cli_usage(cmd->name, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage(cmd->name, "unknown option '%s'", argv[optind - 1]);
        }
    }
    *first_arg = optind;
    return -1;
}

int cli_parse_plan(const char *command, const char *arg, int64_t *plan)
{
    char *end = NULL;
    long long v = strtoll(arg, &end, 10);
    if (end == arg || *end != '\0' || v < 1)
        return cli_usage(command, "--plan takes a plan number, got '%s'", arg);
    *plan = v;
    return -1;
}

/* The columns a code point takes on a terminal: 2 for the East Asian wide
 * and full-width ranges (Unicode's EastAsianWidth W and F, the blocks that
 * matter here), 1 for the rest. */
static int columns_of(unsigned long c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
                   (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
                   (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
                   (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD)
               ? 2
               : 1;
}

const char *cli_pad(char *out, size_t size, const char *text, int width)
{
    if (size == 0)
        return "";
    int cols = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        unsigned long c = *p;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        p++;
        for (; more > 0 && (*p & 0xC0) == 0x80; more--, p++)
            c = c << 6 | (*p & 0x3F);
        cols += columns_of(c);
    }
    int pad = width > cols ? width - cols : 0;
    snprintf(out, size, "%s%*s", text ? text : "", pad, "");
    return out;
}

int cli_read_text(const char *command, const char *path, size_t max, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cli_error(command, "%s: cannot read it", path);
        return 0;
    }
    size_t cap = 1;
    char *buf = malloc(cap);
    int ok = buf != NULL;
    while (ok) {
        if (*len + 4096 + 1 > cap) {
            cap = (*len + 4096 + 1) * 2;
            char *more = realloc(buf, cap);
            if (more == NULL) {
                ok = 0;
                break;
            }
            buf = more;
        }
        size_t got = fread(buf + *len, 1, 4096, f);
        *len += got;
        if (got == 0)
            break;
        if (*len > max) {
            cli_error(command, "%s: larger than %zu bytes", path, max);
            ok = -1;
        }
    }
    if (ok > 0 && ferror(f)) {
        cli_error(command, "%s: cannot read it", path);
        ok = -1;
    }
    fclose(f);
    if (ok == 0)
        cli_error(command, "%s: out of memory reading it", path);
    if (ok <= 0) {
        free(buf);
        *len = 0;
        return 0;
    }
    buf[*len] = '\0';
    *text = buf;
    return 1;
}
