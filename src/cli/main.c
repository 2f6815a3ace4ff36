/* govgrid: the command-line tool. A table of subcommands, each in its own
 * file; main() only dispatches and maps nothing but the exit status. */
#include "cli/cli.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const cli_command *const commands[] = {
    &cli_cmd_init,
    &cli_cmd_import,
    &cli_cmd_info,
    &cli_cmd_partition,
    &cli_cmd_plans,
    &cli_cmd_plan,
    &cli_cmd_codes,
    &cli_cmd_diff,
    &cli_cmd_edit,
    &cli_cmd_blocks,
    &cli_cmd_export,
    &cli_cmd_report,
    &cli_cmd_check,
    &cli_cmd_map,
    &cli_cmd_locate,
    &cli_cmd_roster,
    &cli_cmd_dedup,
    &cli_cmd_config,
    &cli_cmd_key,
    &cli_cmd_case,
    &cli_cmd_cases,
    &cli_cmd_submit,
    &cli_cmd_stats,
    &cli_cmd_calendar,
    &cli_cmd_serve,
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void main_help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid COMMAND [ARGS...]\n"
            "       govgrid COMMAND --help\n"
            "       govgrid --version\n"
            "\n"
            "Grid-based social governance: project stores, grid plans, unified codes.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
    /* SQLite keeps global memory statistics behind one process-wide mutex
     * taken on every allocation; with an import's reader and writer threads
     * both inside SQLite (GDAL reads GeoPackages through it) that mutex cost
     * 11% of a million-point import. This program never reads the
     * statistics. Process-wide, so it is the program's call, made before
     * anything initialises SQLite. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (argc < 2) {
        main_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (strcmp(name, "help") == 0 && argc > 2) {
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (strcmp(argv[2], commands[i]->name) == 0) {
                    commands[i]->help(stdout);
                    return CLI_OK;
                }
        }
        main_help(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("govgrid %s\n", gg_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i]->name) == 0)
            return commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "govgrid: unknown command '%s'\nTry 'govgrid --help'.\n", name);
    return CLI_USAGE;
}
