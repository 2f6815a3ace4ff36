/* A plain main() for the fuzz targets, so that ctest replays the seed
 * corpus without libFuzzer: every argument is a file or a folder, and every
 * regular file found (folders are read one level deep, in name order, dot
 * files skipped) is passed to LLVMFuzzerTestOneInput in a buffer of exactly
 * its size, as libFuzzer would, so that AddressSanitizer sees an over-read.
 * A broken contract aborts in the target; a file that cannot be read, or a
 * folder with no input at all, is a failure here. */
#include "fuzz_check.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, size = 0;
    uint8_t *data = malloc(cap);
    while (data != NULL) {
        size += fread(data + size, 1, cap - size, f);
        if (size < cap)
            break;
        uint8_t *bigger = realloc(data, cap * 2);
        if (bigger == NULL) {
            free(data);
            data = NULL;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    int failed = data == NULL || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        free(data);
        return -1;
    }
    /* An exact-size copy: the slack of the read buffer would hide over-reads. */
    uint8_t *exact = malloc(size ? size : 1);
    if (exact == NULL) {
        free(data);
        return -1;
    }
    memcpy(exact, data, size);
    free(data);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 0;
}

static int replay_dir(const char *dir, size_t *count)
{
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (name[0] != '.' && rc == 0) {
            size_t len = strlen(dir) + strlen(name) + 2;
            char *path = malloc(len);
            struct stat sb;
            if (path == NULL) {
                rc = -1;
            } else {
                snprintf(path, len, "%s/%s", dir, name);
                if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                    rc = replay_file(path);
                    (*count)++;
                }
                free(path);
            }
        }
        free(entries[i]);
    }
    free(entries);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc;
        if (S_ISDIR(sb.st_mode)) {
            rc = replay_dir(argv[i], &count);
        } else {
            rc = replay_file(argv[i]);
            count++;
        }
        if (rc != 0)
            return 1;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    fprintf(stderr, "replay: %zu input(s), no contract broken\n", count);
    return 0;
}
