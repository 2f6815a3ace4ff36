/* The test harness: runs the listed tests (or those named on the command
 * line), each in its own temporary directory, and prints the tally. */
#include "harness.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int gg_test_failures;
static const char *current_test;
static char tmpdir[1024];

void gg_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s (%s:%d): ", current_test, file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    gg_test_failures++;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    struct dirent *e;
    char child[2048];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(child, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(child);
        else
            unlink(child);
    }
    closedir(d);
    rmdir(path);
}

const char *gg_test_tmpdir(void)
{
    return tmpdir;
}

const char *gg_test_path(const char *name)
{
    static char slots[8][1200];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, sizeof slots[0], "%s/%s", tmpdir, name);
    return p;
}

int gg_test_same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa != NULL && fb != NULL;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb)
            same = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

int gg_test_copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int ok = in != NULL && out != NULL;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

int gg_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

int gg_test_run(const gg_test *tests, size_t n, int argc, char **argv)
{
    int passed = 0, failed = 0;
    const char *base = getenv("TMPDIR");
    for (size_t i = 0; i < n; i++) {
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; a++)
                wanted |= strcmp(argv[a], tests[i].name) == 0;
            if (!wanted)
                continue;
        }
        snprintf(tmpdir, sizeof tmpdir, "%s/gg-%s-XXXXXX", base && base[0] ? base : "/tmp", tests[i].name);
        if (mkdtemp(tmpdir) == NULL) {
            fprintf(stderr, "cannot create a temporary directory under %s\n", base ? base : "/tmp");
            return 1;
        }
        current_test = tests[i].name;
        gg_test_failures = 0;
        tests[i].fn();
        if (gg_test_failures == 0) {
            passed++;
            printf("ok   %s\n", tests[i].name);
            remove_tree(tmpdir);
        } else {
            failed++;
            printf("FAIL %s (files kept in %s)\n", tests[i].name, tmpdir);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

int gg_test_run_suites(const gg_suite *const *suites, size_t n, int argc, char **argv)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += suites[i]->n;
    gg_test *all = malloc(sizeof *all * (total ? total : 1));
    if (all == NULL)
        return 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < suites[i]->n; j++)
            all[k++] = suites[i]->tests[j];
    int rc = gg_test_run(all, total, argc, argv);
    free(all);
    return rc;
}
