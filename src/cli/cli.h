/* The govgrid command: shared declarations of its subcommands. */
#ifndef GG_CLI_H
#define GG_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "govgrid/govgrid.h"

/* Exit statuses of every subcommand. */
enum {
    CLI_OK = 0,       /* success */
    CLI_FAILED = 1,   /* the operation failed (bad data, I/O, store) */
    CLI_USAGE = 2     /* the command line is wrong */
};

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);  /* argv[0] is the subcommand name */
    void (*help)(FILE *out);
} cli_command;

extern const cli_command cli_cmd_init;
extern const cli_command cli_cmd_import;
extern const cli_command cli_cmd_info;
extern const cli_command cli_cmd_partition;
extern const cli_command cli_cmd_export;
extern const cli_command cli_cmd_report;
extern const cli_command cli_cmd_map;
extern const cli_command cli_cmd_locate;
extern const cli_command cli_cmd_roster;
extern const cli_command cli_cmd_key;
extern const cli_command cli_cmd_serve;
extern const cli_command cli_cmd_dedup;
extern const cli_command cli_cmd_check;
extern const cli_command cli_cmd_config;
extern const cli_command cli_cmd_plans;
extern const cli_command cli_cmd_plan;
extern const cli_command cli_cmd_codes;
extern const cli_command cli_cmd_blocks;
extern const cli_command cli_cmd_case;
extern const cli_command cli_cmd_cases;
extern const cli_command cli_cmd_submit;
extern const cli_command cli_cmd_stats;
extern const cli_command cli_cmd_calendar;
extern const cli_command cli_cmd_diff;
extern const cli_command cli_cmd_edit;

/* Common flags: --quiet, --json and --help are shared by every command. */
typedef struct cli_common {
    int quiet;
    int json;
} cli_common;

/* Parses the options of a command that has only --json, --quiet and
 * --help. Returns -1 to go on (the positional arguments start at
 * argv[*first_arg]), or the exit status (help shown, or a usage error). */
int cli_parse_common(const cli_command *cmd, int argc, char **argv, cli_common *common, int *first_arg);

/* Parses --plan's value into *plan. Returns -1 when it is a plan number,
 * else CLI_USAGE after printing the usage error. */
int cli_parse_plan(const char *command, const char *arg, int64_t *plan);

/* Prints "govgrid CMD: MESSAGE" on stderr. */
void cli_error(const char *command, const char *fmt, ...) GG_PRINTF(2, 3);
/* A usage error: the message, then a pointer to --help. Returns CLI_USAGE. */
int cli_usage(const char *command, const char *fmt, ...) GG_PRINTF(2, 3);
/* Reports the context's last error for command. Returns CLI_FAILED. */
int cli_fail(const char *command, gg_ctx *ctx);

/* A context with the CLI's log handler (warnings to stderr unless quiet)
 * and, on a terminal, a progress display. NULL after printing an error. */
gg_ctx *cli_ctx_new(const char *command, const cli_common *common);

/* Who runs the command, recorded with what it makes (gg_store_set_actor):
 * GOVGRID_USER when set, else the login name, else "". */
const char *cli_actor(void);

/* Writes a JSON value to stdout (pretty, key order kept) and frees it. */
int cli_print_json(json_t *value);

/* The whole of the file at path (at most max bytes), NUL-terminated, into
 * *text (free) and *len: 1, or 0 with the error printed as command's. */
int cli_read_text(const char *command, const char *path, size_t max, char **text, size_t *len);

/* text padded with spaces to width columns of a terminal (a Chinese,
 * Japanese or Korean character, or a full-width form, takes two), into
 * out; text wider than that is kept whole. Returns out, for printf's %s:
 * "%-20s" counts bytes, and three bytes of UTF-8 show as two columns. */
const char *cli_pad(char *out, size_t size, const char *text, int width);

/* Parses "TARGET=VALUE" in place: arg is split at the first '='. Returns
 * 0 when there is none or either side is empty. */
int cli_split_binding(char *arg, const char **target, const char **value);

/* Prints summary.json of govgrid dedup (s) in words; dir (may be NULL)
 * names where the files are. Returns 0, or -1 when s is not such a
 * summary. */
int cli_dedup_print_summary(FILE *out, json_t *s, const char *dir);
/* Reads DIR/summary.json and prints it (in words, or as JSON). Returns an
 * exit status. */
int cli_dedup_print_dir(const char *command, const char *dir, int as_json);

#endif
