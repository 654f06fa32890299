/**
 * @file bench/mail/bench_mail.c
 * @brief Throughput of the mail normalizer: every file named on the
 *        command line is read into memory, then co_mail_to_json() runs over
 *        all of them, pass after pass, for at least --seconds (default 3).
 *        Prints one JSON line: messages, bytes, passes, seconds,
 *        messages_per_s, mb_per_s, records, rejected.
 *
 * Usage: bench_mail [--seconds N] FILE...
 */
#include "co_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double min_s = 3.0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--seconds") == 0) {
        min_s = atof(argv[2]);
        first = 3;
    }
    int n = argc - first;
    if (n <= 0) {
        fprintf(stderr, "usage: bench_mail [--seconds N] FILE...\n");
        return 2;
    }
    char **buf = calloc((size_t)n, sizeof *buf);
    size_t *len = calloc((size_t)n, sizeof *len);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(argv[first + i], "rb");
        if (f == NULL) {
            fprintf(stderr, "bench_mail: cannot read %s\n", argv[first + i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        rewind(f);
        buf[i] = malloc((size_t)sz + 1);
        len[i] = fread(buf[i], 1, (size_t)sz, f);
        fclose(f);
        total += len[i];
    }
    co_mail_init();
    long records = 0, rejected = 0, passes = 0;
    double t0 = now_s(), el = 0;
    do {
        for (int i = 0; i < n; i++) {
            char *json = NULL, key[65], err[256];
            if (co_mail_to_json(buf[i], len[i], NULL, NULL, &json, NULL, key,
                                err, sizeof err) == 0)
                records++;
            else
                rejected++;
            free(json);
        }
        passes++;
        el = now_s() - t0;
    } while (el < min_s);
    double msgs = (double)n * (double)passes;
    printf("{\"messages\":%d,\"bytes\":%zu,\"passes\":%ld,\"seconds\":%.3f,"
           "\"messages_per_s\":%.1f,\"mb_per_s\":%.2f,\"records\":%ld,"
           "\"rejected\":%ld}\n",
           n, total, passes, el, msgs / el,
           (double)total * (double)passes / el / 1e6, records / passes,
           rejected / passes);
    for (int i = 0; i < n; i++)
        free(buf[i]);
    free(buf);
    free(len);
    return 0;
}
