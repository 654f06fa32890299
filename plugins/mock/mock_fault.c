/**
 * @file plugins/mock/mock_fault.c
 * @brief mock-fault: a processor that passes records through unchanged
 *        unless a configured fault applies, for tests of the host's error
 *        handling (dead letters, retries, fatal stops, crashes).
 *
 * Faults are keyed on the integer field "seq" of the record's JSON value
 * (mock-source's generated records have it); a record without it passes
 * through. In order of precedence, for a record with seq s:
 *  - `fatal_at` == s: CO_FATAL (the stage stops).
 *  - `fail_every` N and s % N == 0: CO_FAIL with error class "injected"
 *    (the host dead-letters the record).
 *  - `retry_every` N and s % N == 0: CO_RETRY `retry_times` times for that
 *    record key (attempts counted in the instance), then passed through.
 * Independently, `sleep_ms` waits in every call, `block_ms` blocks in
 * every call without looking at the host (nanosleep(): a plugin stuck in
 * process(), which no stop request ends), and `abort_after` N calls
 * abort() when the N-th record arrives (crash tests); `bogus_status`
 * returns a value that is no co_status_t from every call; `inflate_bytes`
 * pads every output's value (an output larger than its input).
 */
#include "mock_common.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const co_host_api_t *mock_fault_api;

/** Configuration struct filled by the host from mock_fault_options. */
struct mock_fault_config {
    int64_t fail_every;
    int64_t retry_every;
    int64_t retry_times;
    int64_t sleep_ms;
    int64_t abort_after;
    int64_t fatal_at;
    int64_t block_ms;
    int64_t bogus_status;
    int64_t inflate_bytes;
    int64_t init_block_ms;
};

static const co_option_t mock_fault_options[] = {
    {CO_OPT_INT, "fail_every", "0", 0, 0, 1e12,
     offsetof(struct mock_fault_config, fail_every),
     "Return FAIL for records whose seq is a multiple of N (0: never)."},
    {CO_OPT_INT, "retry_every", "0", 0, 0, 1e12,
     offsetof(struct mock_fault_config, retry_every),
     "Return RETRY `retry_times` times for records whose seq is a multiple "
     "of N, then pass them (0: never)."},
    {CO_OPT_INT, "retry_times", "1", 0, 0, 1000,
     offsetof(struct mock_fault_config, retry_times),
     "How many RETRYs a `retry_every` record gets before it passes."},
    {CO_OPT_INT, "sleep_ms", "0", 0, 0, 3600000,
     offsetof(struct mock_fault_config, sleep_ms),
     "Milliseconds to wait (on the host's clock) in each process() call."},
    {CO_OPT_INT, "abort_after", "0", 0, 0, 1e12,
     offsetof(struct mock_fault_config, abort_after),
     "Call abort() when the N-th record arrives, to crash the host "
     "(0: never)."},
    {CO_OPT_INT, "fatal_at", "0", 0, 0, 1e12,
     offsetof(struct mock_fault_config, fatal_at),
     "Return FATAL for the record with this seq (0: never)."},
    {CO_OPT_INT, "block_ms", "0", 0, 0, 3600000,
     offsetof(struct mock_fault_config, block_ms),
     "Milliseconds to block in each process() call without the host's "
     "clock (nanosleep: no stop request ends it), as a stuck plugin does."},
    {CO_OPT_INT, "bogus_status", "0", 0, -100, 100,
     offsetof(struct mock_fault_config, bogus_status),
     "Return this value, which is no co_status_t, from every process() "
     "call (0: never), as a buggy plugin does."},
    {CO_OPT_INT, "inflate_bytes", "0", 0, 0, 16777216,
     offsetof(struct mock_fault_config, inflate_bytes),
     "Emit each record's value followed by this many spaces (0: as it "
     "is): an output larger than its input."},
    {CO_OPT_INT, "init_block_ms", "0", 0, 0, 3600000,
     offsetof(struct mock_fault_config, init_block_ms),
     "Milliseconds to block in init() without the host's clock (no stop "
     "request ends it), as a plugin stuck starting does."},
    {0},
};

/** One fault-injector instance. */
struct mock_fault {
    co_stage_t *st;
    const struct mock_fault_config *cfg;
    int64_t arrived;  /**< process() calls so far */
    json_t *attempts; /**< record key -> RETRYs given so far */
};

static co_status_t mock_fault_init(const co_host_api_t *api, co_stage_t *st,
                                   const void *config, void **instance)
{
    struct mock_fault *mf = calloc(1, sizeof *mf);
    if (mf == NULL) {
        api->set_error(st, "memory", "out of memory creating mock-fault");
        return CO_FATAL;
    }
    *instance = mf;
    mf->st = st;
    mf->cfg = config;
    if (mf->cfg->init_block_ms > 0) {
        struct timespec ts = {(time_t)(mf->cfg->init_block_ms / 1000),
                              (long)(mf->cfg->init_block_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    /* A jansson object serves as the string -> count map. */
    mf->attempts = json_object();
    if (mf->attempts == NULL) {
        api->set_error(st, "memory", "out of memory creating mock-fault");
        return CO_FATAL;
    }
    return CO_OK;
}

/** The value's integer "seq" field. @returns 1 and sets *seq, or 0. */
static int mock_fault_seq(const co_record_t *rec, int64_t *seq)
{
    if (rec->value == NULL || rec->value_len == 0)
        return 0;
    json_t *doc = json_loadb(rec->value, rec->value_len, 0, NULL);
    json_t *s = json_object_get(doc, "seq");
    int ok = json_is_integer(s);
    if (ok)
        *seq = json_integer_value(s);
    json_decref(doc);
    return ok;
}

/** The map key of a record: its key, or "seq:<seq>" when it has none
 *  (`buf` holds that text). Sets *len. */
static const char *mock_fault_key(const co_record_t *rec, int64_t seq,
                                  char *buf, size_t buf_size, size_t *len)
{
    if (rec->key != NULL) {
        *len = rec->key_len;
        return rec->key;
    }
    *len = (size_t)snprintf(buf, buf_size, "seq:%" PRId64, seq);
    return buf;
}

/**
 * Count one more attempt of the record `rec` with `seq`.
 * @returns The attempts so far, including this one, or -1 on no memory.
 */
static int64_t mock_fault_attempt(struct mock_fault *mf, const co_record_t *rec,
                                  int64_t seq)
{
    char buf[64];
    size_t klen;
    const char *key = mock_fault_key(rec, seq, buf, sizeof buf, &klen);
    json_t *n = json_object_getn(mf->attempts, key, klen);
    int64_t count = json_integer_value(n) + 1;
    if (json_object_setn_new_nocheck(mf->attempts, key, klen,
                                     json_integer(count)) != 0)
        return -1;
    return count;
}

/** Forget the attempts of a record that finally passed. */
static void mock_fault_forget(struct mock_fault *mf, const co_record_t *rec,
                              int64_t seq)
{
    char buf[64];
    size_t klen;
    const char *key = mock_fault_key(rec, seq, buf, sizeof buf, &klen);
    json_object_deln(mf->attempts, key, klen);
}

static co_status_t mock_fault_process(void *instance, const co_record_t *rec)
{
    struct mock_fault *mf = instance;
    const struct mock_fault_config *cfg = mf->cfg;
    const co_host_api_t *api = mock_fault_api;

    mf->arrived++;
    if (cfg->abort_after > 0 && mf->arrived >= cfg->abort_after) {
        api->log(mf->st, CO_LOG_WARN,
                 "mock-fault: abort() at record %" PRId64 " as configured",
                 mf->arrived);
        abort();
    }
    if (cfg->sleep_ms > 0)
        api->sleep_ms(mf->st, cfg->sleep_ms);
    if (cfg->block_ms > 0) {
        struct timespec ts = {cfg->block_ms / 1000,
                              (long)(cfg->block_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }

    if (cfg->bogus_status != 0)
        return (co_status_t)cfg->bogus_status;
    if (cfg->inflate_bytes > 0) {
        size_t n = rec->value_len + (size_t)cfg->inflate_bytes;
        char *v = malloc(n);
        if (v == NULL) {
            api->set_error(mf->st, "memory", "out of memory");
            return CO_RETRY;
        }
        memcpy(v, rec->value, rec->value_len);
        memset(v + rec->value_len, ' ', (size_t)cfg->inflate_bytes);
        co_record_t big = *rec;
        big.value = v;
        big.value_len = n;
        co_status_t s = mock_forward(api, mf->st, &big);
        free(v);
        return s;
    }
    int64_t seq = 0;
    if (!mock_fault_seq(rec, &seq))
        return mock_forward(api, mf->st, rec);
    if (cfg->fatal_at > 0 && seq == cfg->fatal_at) {
        api->set_error(mf->st, "injected", "injected fatal error at seq %d",
                       (int)seq);
        return CO_FATAL;
    }
    if (cfg->fail_every > 0 && seq % cfg->fail_every == 0) {
        api->set_error(mf->st, "injected", "injected failure for seq %d",
                       (int)seq);
        return CO_FAIL;
    }
    if (cfg->retry_every > 0 && seq % cfg->retry_every == 0) {
        int64_t n = mock_fault_attempt(mf, rec, seq);
        if (n < 0) {
            api->set_error(mf->st, "memory", "out of memory");
            return CO_RETRY;
        }
        if (n <= cfg->retry_times) {
            api->set_error(mf->st, "injected",
                           "injected retry %d of %d for seq %d", (int)n,
                           (int)cfg->retry_times, (int)seq);
            return CO_RETRY;
        }
        co_status_t s = mock_forward(api, mf->st, rec);
        if (s == CO_OK)
            mock_fault_forget(mf, rec, seq);
        return s;
    }
    return mock_forward(api, mf->st, rec);
}

static void mock_fault_destroy(void *instance)
{
    struct mock_fault *mf = instance;
    if (mf == NULL)
        return;
    json_decref(mf->attempts);
    free(mf);
}

static const co_plugin_t mock_fault_plugin = {
    CO_PLUGIN_HEADER,
    .name = "mock-fault",
    .version = "1.0.0",
    .description = "Test processor: passes records through, injecting "
                   "failures, retries, delays, fatal errors or crashes.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .options = mock_fault_options,
    .config_size = sizeof(struct mock_fault_config),
    .init = mock_fault_init,
    .process = mock_fault_process,
    .destroy = mock_fault_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    mock_fault_api = api;
    return &mock_fault_plugin;
}
