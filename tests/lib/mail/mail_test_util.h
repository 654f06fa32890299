/**
 * @file tests/lib/mail/mail_test_util.h
 * @brief Helpers shared by the mail normalizer tests: read a file, run the
 *        normalizer, walk a corpus folder, normalize text for comparison.
 */
#ifndef CO_MAIL_TEST_UTIL_H
#define CO_MAIL_TEST_UTIL_H

#include "co_mail.h"
#include "co_test.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/** Read a whole file (malloc'd, NUL-terminated); NULL if unreadable. */
static inline char *mt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return NULL;
    }
    char *b = malloc((size_t)st.st_size + 1);
    size_t n = b != NULL ? fread(b, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (b == NULL)
        return NULL;
    b[n] = '\0';
    if (len != NULL)
        *len = n;
    return b;
}

/** "$CAREEROPS_CORPUS/rel" in a static buffer (one at a time). */
static inline const char *mt_corpus(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", co_test_corpus(), rel);
    return buf;
}

/**
 * Normalize bytes; returns the parsed record (json_decref) or NULL with
 * the reason in err. `tz` is the default zone (may be NULL).
 */
static inline json_t *mt_norm(const void *raw, size_t len, const char *tz,
                              char key[65], char *err, size_t errsz)
{
    co_mail_opts_t o;
    co_mail_opts_default(&o);
    o.default_tz = tz;
    char *json = NULL;
    size_t jl = 0;
    char k[65];
    if (key == NULL)
        key = k;
    if (co_mail_to_json(raw, len, &o, NULL, &json, &jl, key, err, errsz) != 0)
        return NULL;
    json_error_t je;
    json_t *r = json_loadb(json, jl, 0, &je);
    free(json);
    return r;
}

/** Normalize the corpus file `rel`; fails the test when it is rejected. */
static inline json_t *mt_norm_file(const char *rel, const char *tz)
{
    size_t len = 0;
    char *raw = mt_read(mt_corpus(rel), &len);
    ck_assert_msg(raw != NULL, "cannot read corpus file %s", rel);
    char err[512] = "";
    json_t *r = mt_norm(raw, len, tz, NULL, err, sizeof err);
    free(raw);
    ck_assert_msg(r != NULL, "%s rejected: %s", rel, err);
    return r;
}

static inline const char *mt_str(json_t *o, const char *path)
{
    /* "a.b" one level deep at most */
    const char *dot = strchr(path, '.');
    if (dot == NULL)
        return json_string_value(json_object_get(o, path));
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)(dot - path), path);
    return json_string_value(
        json_object_get(json_object_get(o, first), dot + 1));
}

/** Callback of mt_walk(): path relative to the walked root. */
typedef void (*mt_file_fn)(const char *path, void *arg);

/** Call fn for every regular file below dir (sorted per folder). */
static inline void mt_walk(const char *dir, mt_file_fn fn, void *arg)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", dir, nm);
            struct stat st;
            if (stat(sub, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    mt_walk(sub, fn, arg);
                else if (S_ISREG(st.st_mode))
                    fn(sub, arg);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

/** Drop control characters and collapse whitespace runs (UTF-8 kept). */
static inline char *mt_squash(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    size_t w = 0;
    int sp = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F) {
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            if (!sp)
                o[w++] = ' ';
            sp = 1;
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            continue;
        o[w++] = (char)c;
        sp = 0;
    }
    if (w > 0 && o[w - 1] == ' ')
        w--;
    o[w] = '\0';
    return o;
}

#endif
