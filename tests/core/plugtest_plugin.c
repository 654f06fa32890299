/*
 * A processor for plugins_test.sh, built as tagger.so with the descriptor
 * name "tagga" (PT_NAME): a file whose name is not its plugin's, which
 * `plugins list` must refuse (trial 40), and which `plugins test` runs by
 * path. What it does with a record depends on the record's value:
 * - "latin1": emits the bytes "caf\xe9 \xff\xfe" (not UTF-8);
 * - "status42": returns 42, which is no co_status_t;
 * - "eof": returns CO_EOF, which only a source's poll() may return;
 * - "elsewhere": emits to the topic "nowhere_topic", which no manifest
 *   names (a plugin's typo);
 * - "nullheader": emits a record with a header without a name, which the
 *   host refuses (CO_ERR_INVAL), then {"refused": RC};
 * - anything else: emits {"key": KEY, "offset": OFFSET} of the record.
 * With PT_EMIT_IN_INIT set, init() calls emit(), which the host refuses
 * (trial 83: it crashed), and logs the code it got.
 * Built for the tests only.
 */
#include <careerops/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PT_NAME
#error "define PT_NAME"
#endif

static const co_host_api_t *pt_api;

static co_status_t pt_init(const co_host_api_t *api, co_stage_t *st,
                           const void *config, void **instance)
{
    (void)config;
    pt_api = api;
    *instance = st;
    if (getenv("PT_EMIT_IN_INIT") != NULL) {
        co_record_t r = CO_RECORD_INIT;
        r.value = "\"early\"";
        r.value_len = 7;
        api->log(st, CO_LOG_INFO, "emit() in init() returned %d",
                 api->emit(st, &r));
    }
    return CO_OK;
}

static int pt_is(const co_record_t *rec, const char *word)
{
    char q[32];
    int n = snprintf(q, sizeof q, "\"%s\"", word);
    return rec->value_len == (size_t)n && memcmp(rec->value, q, n) == 0;
}

static co_status_t pt_process(void *instance, const co_record_t *rec)
{
    co_stage_t *st = instance;
    co_record_t out = CO_RECORD_INIT;
    char buf[256];
    if (pt_is(rec, "status42"))
        return (co_status_t)42;
    if (pt_is(rec, "eof"))
        return CO_EOF;
    if (pt_is(rec, "nullheader")) {
        co_header_t h = {NULL, "v", 1};
        out.headers = &h;
        out.header_cnt = 1;
        out.value = "\"x\"";
        out.value_len = 3;
        int rc = pt_api->emit(st, &out);
        int n = snprintf(buf, sizeof buf, "{\"refused\":%d}", rc);
        co_record_t said = CO_RECORD_INIT;
        said.value = buf;
        said.value_len = (size_t)n;
        return pt_api->emit(st, &said) == 0 ? CO_OK : CO_RETRY;
    }
    if (pt_is(rec, "elsewhere"))
        out.topic = "nowhere_topic";
    if (pt_is(rec, "latin1")) {
        out.value = "caf\xe9 \xff\xfe";
        out.value_len = sizeof "caf\xe9 \xff\xfe" - 1;
    } else {
        int n = snprintf(buf, sizeof buf, "{\"key\":\"%.*s\",\"offset\":%lld}",
                         (int)rec->key_len, (const char *)rec->key,
                         (long long)rec->offset);
        out.value = buf;
        out.value_len = (size_t)n;
    }
    return pt_api->emit(st, &out) == 0 ? CO_OK : CO_RETRY;
}

static void pt_destroy(void *instance)
{
    (void)instance;
}

static const co_plugin_t pt_plugin = {
    CO_PLUGIN_HEADER,
    .name = PT_NAME,
    .version = "1.0.0",
    .description = "plugins test's test processor (odd bytes and statuses)",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .init = pt_init,
    .process = pt_process,
    .destroy = pt_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    (void)a;
    return &pt_plugin;
}
