/**
 * @file lib/mail/fuzz/fuzz_replay.c
 * @brief A main() for fuzz_mail.c without libFuzzer: runs every file named
 *        on the command line (directories recursively) through
 *        LLVMFuzzerTestOneInput() once, so that the seed corpus and saved
 *        crash inputs replay as an ordinary test with gcc. Prints how many
 *        inputs ran; exits non-zero if an argument cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long replayed;

static int replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz_replay: cannot stat %s\n", path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d == NULL)
            return -1;
        struct dirent *e;
        int rc = 0;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *sub = NULL;
            if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
                return -1;
            if (replay(sub) != 0)
                rc = -1;
            free(sub);
        }
        closedir(d);
        return rc;
    }
    if (!S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf != NULL ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (buf == NULL)
        return -1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    replayed++;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    /* a GLib critical warning (a failed precondition) is a finding */
    setenv("G_DEBUG", "fatal-criticals", 0);
    const char *ci = getenv("CI");
    struct stat st;
    if (argc > 1 && stat(argv[1], &st) != 0 &&
        (ci == NULL || strcmp(ci, "true") != 0)) {
        printf("SKIP: %s is missing (the shared corpus)\n", argv[1]);
        return 77;
    }
    for (int i = 1; i < argc; i++)
        if (replay(argv[i]) != 0)
            rc = 1;
    printf("fuzz_replay: %ld inputs replayed\n", replayed);
    return rc;
}
