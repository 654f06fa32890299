/**
 * @file lib/mail/co_mail_source.c
 * @brief co_mail_source_emit(): normalize -> archive -> bounded record or
 *        dead letter with the reference; shared by the three mail sources.
 */
#include "co_mail_source.h"

#include "co_archive.h"
#include "co_readfile.h"
#include "co_redact.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a record costs besides its value: the key (64), the headers
 * careerops.email.hash and careerops.archive.url with their names, the
 * `"archive":{...}` object spliced into the value, and the host's 1 KiB
 * of framing (core/port_kafka.c counts the same way). */
#define CO__MS_FRAMING 1024
/* The key, the two headers and the archive object: the URL (at most 1023
 * bytes, twice) and the rest. */
#define CO__MS_REF_MAX (64 + 64 + 64 + 2 * 1024 + 200)

struct co_mail_source_s {
    const co_host_api_t *api;
    co_stage_t *st;
    co_mail_opts_t opts;
    size_t record_max;
    co_archive_t *archive;
    int archive_ready;     /* folder or bucket created */
    char where[1024];      /* the archive's location, for messages */
    GHashTable *skip_keys; /* skip_keys_file's keys, or NULL */
};

/* co_archive_config_t.stop: the host asked the stage to stop. */
static int co__ms_stopping(void *ctx)
{
    const co_mail_source_t *s = ctx;
    return s->api->stopping(s->st);
}

static const char *co__ms_env(const char *cfg, const char *env)
{
    if (cfg != NULL && cfg[0] != '\0')
        return cfg;
    const char *e = getenv(env);
    return e != NULL && e[0] != '\0' ? e : NULL;
}

/* The S3 key files the manifest names, without opening them (check()
 * opens no file): a FIFO there blocked run for ever (trial 54; at run
 * lib/readfile now gives up on it after 5 s), a folder failed at start. */
static co_status_t co__ms_check_keys(const co_archive_config_t *ac,
                                     const co_mail_source_cfg_t *cfg, char *err,
                                     size_t errsz)
{
    if (strncmp(ac->url, "s3://", 5) != 0)
        return CO_OK;
    static const char *const opt[] = {"archive_s3_access_key_file",
                                      "archive_s3_secret_key_file"};
    static const char *const env[] = {"CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE",
                                      "CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE"};
    const char *path[] = {cfg->archive_s3_access_key_file,
                          cfg->archive_s3_secret_key_file};
    for (int i = 0; i < 2; i++) {
        if (co__ms_env(path[i], env[i]) == NULL) {
            /* trial 70: validate said ok, run refused it at start */
            snprintf(err, errsz,
                     "%s: not set, nor $%s: an s3:// archive needs the file "
                     "holding the S3 %s key",
                     opt[i], env[i], i == 0 ? "access" : "secret");
            return CO_FATAL;
        }
        const char *kind = co_readfile_not_regular(path[i]);
        if (kind != NULL) {
            snprintf(err, errsz,
                     "%s: '%s' is %s: give the file "
                     "holding the S3 %s key",
                     opt[i], path[i], kind, i == 0 ? "access" : "secret");
            return CO_FATAL;
        }
    }
    return CO_OK;
}

co_status_t co_mail_source_check(const co_mail_source_cfg_t *cfg, char *err,
                                 size_t errsz)
{
    co_archive_config_t ac = {
        .url = co__ms_env(cfg->archive, "CAREEROPS_ARCHIVE"),
        .s3_endpoint = co__ms_env(cfg->archive_s3_endpoint,
                                  "CAREEROPS_ARCHIVE_S3_ENDPOINT"),
    };
    char e[512] = "";
    if (cfg->archive != NULL && cfg->archive[0] == '\0') {
        /* trial 61: "" passed validate, then meant .run/archive in the
         * current folder (run from /: /.run/archive) */
        snprintf(err, errsz,
                 "archive: is empty: leave it out (then $CAREEROPS_ARCHIVE, "
                 "else .run/archive in the current folder), or give a "
                 "folder, file:///dir or s3://bucket[/prefix]");
        return CO_FATAL;
    }
    if (ac.url == NULL)
        return CO_OK;
    if (co_archive_check(&ac, e, sizeof e) == 0)
        return co__ms_check_keys(&ac, cfg, err, errsz);
    if (strncmp(e, "archive URL", 11) == 0) /* "archive: URL ...: why" */
        snprintf(err, errsz, "archive: %s", e + 8);
    else if (strncmp(e, "S3 endpoint: ", 13) == 0)
        snprintf(err, errsz, "archive_s3_endpoint: %s", e + 13);
    else
        snprintf(err, errsz, "archive: %s", e);
    return CO_FATAL;
}

/* skip_keys_file into s->skip_keys: 0, or -1 with the stage's error set (a
 * line that is not a key, a file that cannot be read). A file that does
 * not exist holds no key. */
static int co__ms_load_skip_keys(co_mail_source_t *s, const char *path)
{
    if (path == NULL || *path == '\0')
        return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        s->api->set_error(s->st, "config",
                          "config.skip_keys_file: cannot read %s: %s", path,
                          strerror(errno));
        return -1;
    }
    s->skip_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char line[256];
    int rc = 0;
    for (long n = 1; rc == 0 && fgets(line, sizeof line, f) != NULL; n++) {
        size_t l = strcspn(line, "\r\n");
        line[l] = '\0';
        if (l == 0)
            continue;
        if (l != 64 || strspn(line, "0123456789abcdef") != 64) {
            s->api->set_error(
                s->st, "config",
                "config.skip_keys_file: %s line %ld is not an idempotency "
                "key (64 lowercase hex digits): \"%.40s\"",
                path, n, line);
            rc = -1;
        } else {
            g_hash_table_add(s->skip_keys, g_strdup(line));
        }
    }
    fclose(f);
    if (rc == 0 && g_hash_table_size(s->skip_keys) > 0)
        s->api->log(s->st, CO_LOG_INFO,
                    "%u message key(s) in %s are not emitted (settled "
                    "before: skip_keys_file)",
                    g_hash_table_size(s->skip_keys), path);
    return rc;
}

co_mail_source_t *co_mail_source_new(const co_host_api_t *api, co_stage_t *st,
                                     const co_mail_source_cfg_t *cfg)
{
    co_mail_source_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        api->set_error(st, "config", "out of memory");
        return NULL;
    }
    s->api = api;
    s->st = st;
    co_mail_opts_default(&s->opts);
    s->opts.max_bytes = (size_t)cfg->max_message_bytes;
    s->opts.max_text_bytes = (size_t)cfg->max_text_bytes;
    s->opts.default_tz = cfg->default_tz;
    s->record_max = (size_t)cfg->record_max_bytes;
    if (co__ms_load_skip_keys(s, cfg->skip_keys_file) != 0) {
        co_mail_source_free(s);
        return NULL;
    }
    /* a relative folder written in the manifest was resolved against the
     * manifest's folder by the host (CO_OPT_URL); resolving it again here
     * joined that folder twice when the manifest was named by a relative
     * path (trial 68: `run pipelines/demo.json` archived into
     * pipelines/.run/archive) */
    const char *url = co__ms_env(cfg->archive, "CAREEROPS_ARCHIVE");
    if (url == NULL)
        url = ".run/archive";
    co_redact(s->where, sizeof s->where, url); /* named in messages */
    co_archive_config_t ac = {
        .url = url,
        .s3_endpoint = co__ms_env(cfg->archive_s3_endpoint,
                                  "CAREEROPS_ARCHIVE_S3_ENDPOINT"),
        .s3_region =
            co__ms_env(cfg->archive_s3_region, "CAREEROPS_ARCHIVE_S3_REGION"),
        .s3_access_key_file =
            co__ms_env(cfg->archive_s3_access_key_file,
                       "CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE"),
        .s3_secret_key_file =
            co__ms_env(cfg->archive_s3_secret_key_file,
                       "CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE"),
    };
    /* a stop asked during an S3 retry ends it (trial 55: SIGTERM waited
     * for the whole retry budget) */
    /* the key files named as the user set them: the manifest's option,
     * else the environment variable */
    ac.access_key_setting =
        cfg->archive_s3_access_key_file && *cfg->archive_s3_access_key_file
            ? "config.archive_s3_access_key_file"
            : "CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE";
    ac.secret_key_setting =
        cfg->archive_s3_secret_key_file && *cfg->archive_s3_secret_key_file
            ? "config.archive_s3_secret_key_file"
            : "CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE";
    ac.stop = co__ms_stopping;
    ac.stop_ctx = s;
    if (strncmp(url, "s3://", 5) == 0)
        curl_global_init(CURL_GLOBAL_DEFAULT); /* counted; once is enough */
    char err[512] = "";
    s->archive = co_archive_open(&ac, err, sizeof err);
    if (s->archive == NULL) {
        /* the URL without a password (trial 47: "s3://ak:SECRET@h/b"
         * printed whole) */
        char shown[512];
        co_redact(shown, sizeof shown, url);
        if (strncmp(err, "archive URL ", 12) == 0) /* names the URL */
            api->set_error(st, "config", "config.%s", err);
        else
            api->set_error(st, "config",
                           "config.archive %s: %s (set config.archive to a "
                           "folder, file:///dir or s3://bucket, and the "
                           "archive_s3_* options for S3)",
                           shown, err);
        co_mail_source_free(s);
        return NULL;
    }
    return s;
}

void co_mail_source_free(co_mail_source_t *s)
{
    if (s == NULL)
        return;
    co_archive_close(s->archive);
    if (s->skip_keys != NULL)
        g_hash_table_destroy(s->skip_keys);
    free(s);
}

const char *co_mail_source_archive(const co_mail_source_t *s)
{
    return s->where;
}

/* Store the raw bytes; 0, or -1 with the stage's error set. */
static int co__ms_store(co_mail_source_t *s, const co_mail_msg_t *m,
                        co_archive_ref_t *ref)
{
    char err[512] = "";
    if (!s->archive_ready) {
        if (co_archive_init(s->archive, err, sizeof err) != 0) {
            s->api->set_error(s->st, "archive",
                              "cannot prepare the archive %s: %s", s->where,
                              err);
            return -1;
        }
        s->archive_ready = 1;
    }
    if (co_archive_put(s->archive, m->raw, m->len, ref, err, sizeof err) != 0) {
        s->api->set_error(s->st, "archive",
                          "cannot store %s (%zu bytes) in the archive %s: %s",
                          m->dl_key ? m->dl_key : "a message", m->len, s->where,
                          err);
        return -1;
    }
    s->api->metric_add(s->st, "archived_bytes", ref->existed ? 0 : m->len);
    return 0;
}

/* The reference as a compact JSON object (malloc'd). */
static char *co__ms_ref_json(const co_archive_ref_t *ref)
{
    json_t *o = json_pack("{s:s,s:I,s:s}", "archive_url", ref->url, "size",
                          (json_int_t)ref->size, "sha256", ref->sha256);
    char *t = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return t;
}

/* Splice `,"archive":REF` before the record's closing brace. */
static char *co__ms_splice(char *json, size_t *len, const char *ref)
{
    size_t rl = strlen(ref);
    char *t = realloc(json, *len + rl + 16);
    if (t == NULL) {
        free(json);
        return NULL;
    }
    /* the record is a compact object: its last byte is '}' */
    size_t at = *len - 1;
    memcpy(t + at, ",\"archive\":", 11);
    memcpy(t + at + 11, ref, rl);
    t[at + 11 + rl] = '}';
    t[at + 12 + rl] = '\0';
    *len = at + 12 + rl;
    return t;
}

static int co__ms_dead_letter(co_mail_source_t *s, const co_mail_msg_t *m,
                              const co_archive_ref_t *ref, const char *why)
{
    char *rj = co__ms_ref_json(ref), size[32];
    snprintf(size, sizeof size, "%llu", (unsigned long long)ref->size);
    co_header_t h[3] = {
        {"careerops.archive.url", ref->url, strlen(ref->url)},
        {"careerops.archive.sha256", ref->sha256, 64},
        {"careerops.archive.size", size, strlen(size)},
    };
    const char *dk = m->dl_key != NULL ? m->dl_key : ref->sha256;
    co_record_t rec = CO_RECORD_INIT;
    rec.key = dk;
    rec.key_len = strlen(dk);
    rec.value = rj;
    rec.value_len = rj != NULL ? strlen(rj) : 0;
    rec.headers = h;
    rec.header_cnt = 3;
    char msg[1536];
    snprintf(msg, sizeof msg, "%s: %s (raw message: %s)", dk, why, ref->url);
    int e = s->api->dead_letter(s->st, &rec, "parse", msg);
    free(rj);
    if (e != 0) {
        s->api->set_error(s->st, "emit", "the host did not take a dead letter");
        return CO_MAIL_RETRY;
    }
    s->api->metric_add(s->st, "dead_letters", 1);
    s->api->log(s->st, CO_LOG_WARN, "dead letter %s", msg);
    return CO_MAIL_DEAD_LETTER;
}

int co_mail_source_emit(co_mail_source_t *s, const co_mail_msg_t *m,
                        char key[65])
{
    char k[65] = "", err[512] = "";
    if (key != NULL)
        key[0] = '\0';
    s->api->metric_add(s->st, "bytes_read", (double)m->len);
    /* what the record may take besides its JSON text */
    size_t fixed = CO__MS_FRAMING + CO__MS_REF_MAX;
    for (size_t i = 0; i < m->header_cnt; i++)
        fixed += strlen(m->headers[i].name) + m->headers[i].value_len;
    co_mail_opts_t o = s->opts;
    o.max_record_bytes =
        s->record_max > fixed + 4096 ? s->record_max - fixed : 4096;
    char *json = NULL;
    size_t jl = 0;
    int rc = co_mail_to_json(m->raw, m->len, &o, m->source_json, &json, &jl, k,
                             err, sizeof err);
    if (rc == CO_ERR_NOMEM) {
        s->api->set_error(s->st, "memory", "out of memory normalizing %s",
                          m->dl_key ? m->dl_key : "a message");
        return CO_MAIL_RETRY;
    }
    /* settled for good (skip_keys_file): read, counted, not emitted */
    if (rc == 0 && s->skip_keys != NULL &&
        g_hash_table_contains(s->skip_keys, k)) {
        free(json);
        s->api->metric_add(s->st, "skipped_known_keys", 1);
        return CO_MAIL_SKIPPED_KNOWN;
    }
    if (rc == 0 && m->skip != NULL && m->skip(m->ud, k)) {
        free(json);
        return CO_MAIL_SKIPPED;
    }
    co_archive_ref_t ref;
    if (co__ms_store(s, m, &ref) != 0) {
        free(json);
        return CO_MAIL_RETRY;
    }
    if (rc != 0)
        return co__ms_dead_letter(s, m, &ref, err);
    char *rj = co__ms_ref_json(&ref);
    json = rj != NULL ? co__ms_splice(json, &jl, rj) : NULL;
    free(rj);
    if (json == NULL) {
        s->api->set_error(s->st, "memory", "out of memory");
        return CO_MAIL_RETRY;
    }
    co_header_t h[8];
    size_t nh = 0;
    h[nh++] = (co_header_t){"careerops.email.hash", k, 64};
    h[nh++] = (co_header_t){"careerops.archive.url", ref.url, strlen(ref.url)};
    for (size_t i = 0; i < m->header_cnt && nh < 8; i++)
        h[nh++] = m->headers[i];
    co_record_t rec = CO_RECORD_INIT;
    rec.key = k;
    rec.key_len = 64;
    rec.value = json;
    rec.value_len = jl;
    rec.headers = h;
    rec.header_cnt = nh;
    int e = s->api->emit(s->st, &rec);
    free(json);
    if (e != 0) {
        s->api->set_error(s->st, "emit", "the host did not take a record");
        return CO_MAIL_RETRY;
    }
    s->api->metric_add(s->st, "messages_read", 1);
    if (key != NULL)
        memcpy(key, k, 65);
    return CO_MAIL_EMITTED;
}

co_status_t co_mail_source_secret(const co_host_api_t *api, co_stage_t *st,
                                  const char *name, const char *what,
                                  char **out)
{
    char *v = NULL;
    size_t vl = 0;
    *out = NULL;
    int rc = name != NULL ? api->secret(st, name, &v, &vl) : CO_ERR_INVAL;
    if (rc == CO_ERR_TRANSIENT) { /* trial 54: not "missing or empty" */
        api->set_error(st, "config",
                       "secret \"%s\" is a named pipe (FIFO) that nothing "
                       "wrote to within 5 s: put %s in a regular file of "
                       "that name in the manifest's secrets folder",
                       name, what);
        api->free(v);
        return CO_FATAL;
    }
    if (rc != 0 || vl == 0) {
        api->set_error(st, "config",
                       "secret \"%s\" is missing or empty: put %s in a file "
                       "of that name in the manifest's secrets folder",
                       name ? name : "(unset)", what);
        api->free(v);
        return CO_FATAL;
    }
    *out = strdup(v);
    sodium_memzero(v, vl);
    api->free(v);
    return *out != NULL ? CO_OK : CO_FATAL;
}
