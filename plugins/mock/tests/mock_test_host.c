/* Plugin modules in the shared fake host: see mock_test_host.h. */
#include "mock_test_host.h"
#include "co_test.h"
#include <dlfcn.h>

/* The test host the wrappers below serve (one at a time). */
static mt_host_t *mt_cur;
/* The fake host's own services, called by the wrappers. */
static co_host_api_t mt_orig;

static int mt_emit(co_stage_t *st, const co_record_t *rec)
{
    mt_host_t *h = mt_cur;
    h->emit_calls++;
    if (h->emit_fail_at > 0 && h->emit_calls == h->emit_fail_at)
        return CO_ERR_KAFKA;
    int rc = mt_orig.emit(st, rec);
    if (rc == 0) {
        json_t *hd = json_object();
        for (size_t i = 0; i < rec->header_cnt; i++)
            json_object_set_new(
                hd, rec->headers[i].name,
                json_stringn(rec->headers[i].value, rec->headers[i].value_len));
        json_array_append_new(h->emit_headers, hd);
        json_array_append_new(h->emit_at, json_integer(h->fh->now_ms));
    }
    return rc;
}

static int mt_state_get(co_stage_t *st, const char *key, char **out,
                        size_t *len)
{
    *out = NULL;
    return mt_cur->state_down ? CO_ERR_STATE
                              : mt_orig.state_get(st, key, out, len);
}

static int mt_source_offset(co_stage_t *st, const char *key, const void *v,
                            size_t n)
{
    mt_cur->source_offsets++;
    return mt_cur->state_down ? CO_ERR_STATE
                              : mt_orig.source_offset(st, key, v, n);
}

static int mt_idem_begin(co_stage_t *st, const char *key)
{
    return mt_cur->state_down ? CO_ERR_STATE : mt_orig.idem_begin(st, key);
}

static int mt_idem_commit(co_stage_t *st, const char *key)
{
    return mt_cur->state_down ? CO_ERR_STATE : mt_orig.idem_commit(st, key);
}

/* Write the option's text value at its offset, as the host does. */
static void mt_set_option(mt_host_t *h, const co_option_t *o, const char *text)
{
    char *at = (char *)h->config + o->offset;
    switch (o->type) {
    case CO_OPT_INT: {
        int64_t v = strtoll(text, NULL, 10);
        memcpy(at, &v, sizeof v);
        break;
    }
    case CO_OPT_DOUBLE: {
        double v = strtod(text, NULL);
        memcpy(at, &v, sizeof v);
        break;
    }
    case CO_OPT_BOOL: {
        int v = strcmp(text, "true") == 0 || strcmp(text, "1") == 0;
        memcpy(at, &v, sizeof v);
        break;
    }
    case CO_OPT_STR: {
        json_array_append_new(h->strs, json_string(text));
        const char *v = json_string_value(
            json_array_get(h->strs, json_array_size(h->strs) - 1));
        memcpy(at, &v, sizeof v);
        break;
    }
    default:
        ck_abort_msg("test host: option type %d not supported", o->type);
    }
}

/* The value given for option `name` in opts, or NULL. */
static const char *mt_opt(const char *const *opts, const char *name)
{
    size_t n = strlen(name);
    for (const char *const *kv = opts; kv && *kv; kv++)
        if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
            return *kv + n + 1;
    return NULL;
}

mt_host_t *mt_host_new(const char *module, const char *const *opts)
{
    const char *dir = getenv("CAREEROPS_PLUGIN_PATH");
    ck_assert_msg(dir != NULL, "CAREEROPS_PLUGIN_PATH is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/mock/%s.so", dir, module);

    mt_host_t *h = calloc(1, sizeof *h);
    ck_assert_ptr_nonnull(h);
    mt_cur = h;
    h->fh = co_fake_host_new();
    ck_assert_ptr_nonnull(h->fh);
    h->st = co_fake_host_stage(h->fh);
    mt_orig = h->fh->api;
    h->fh->api.emit = mt_emit;
    h->fh->api.state_get = mt_state_get;
    h->fh->api.source_offset = mt_source_offset;
    h->fh->api.idem_begin = mt_idem_begin;
    h->fh->api.idem_commit = mt_idem_commit;
    h->emit_headers = json_array();
    h->emit_at = json_array();
    h->strs = json_array();

    h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h->dl != NULL, "dlopen %s: %s", path, dlerror());
    co_plugin_entry_fn entry =
        (co_plugin_entry_fn)(uintptr_t)dlsym(h->dl, CO_PLUGIN_ENTRY_SYMBOL);
    ck_assert_msg(entry != NULL, "%s exports no co_plugin_entry", path);
    h->plugin = entry(&h->fh->api);
    ck_assert_ptr_nonnull(h->plugin);

    h->config = calloc(1, h->plugin->config_size + 1);
    size_t known = 0;
    for (const co_option_t *o = h->plugin->options; o && o->type; o++) {
        const char *text = mt_opt(opts, o->name);
        known += text != NULL;
        if (text == NULL)
            text = o->def;
        if (text != NULL)
            mt_set_option(h, o, text);
    }
    size_t given = 0;
    for (const char *const *kv = opts; kv && *kv; kv++)
        given++;
    ck_assert_msg(known == given, "%s: an option in the test is undeclared",
                  module);
    h->init_status = h->plugin->init(&h->fh->api, h->st, h->config, &h->inst);
    return h;
}

void mt_host_free(mt_host_t *h)
{
    if (h == NULL)
        return;
    if (h->plugin->stop != NULL && h->inst != NULL)
        h->plugin->stop(h->inst);
    if (h->plugin->destroy != NULL)
        h->plugin->destroy(h->inst);
    co_fake_host_free(h->fh);
    json_decref(h->emit_headers);
    json_decref(h->emit_at);
    json_decref(h->strs);
    free(h->config);
    dlclose(h->dl);
    if (mt_cur == h)
        mt_cur = NULL;
    free(h);
}

co_status_t mt_process(mt_host_t *h, const char *key, const char *value,
                       const co_header_t *headers, size_t header_cnt)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = key ? strlen(key) : 0;
    rec.value = value;
    rec.value_len = value ? strlen(value) : 0;
    rec.headers = headers;
    rec.header_cnt = header_cnt;
    rec.topic = "in_topic";
    rec.partition = 2;
    rec.offset = 40 + h->n_process++;
    rec.timestamp_ms = h->fh->now_ms;
    co_fake_host_clear_error(h->fh);
    return h->plugin->process(h->inst, &rec);
}

const char *mt_state(mt_host_t *h, const char *key)
{
    static char buf[256];
    char *v = NULL;
    if (mt_orig.state_get(h->st, key, &v, NULL) != 0)
        return NULL;
    snprintf(buf, sizeof buf, "%s", v);
    h->fh->api.free(v);
    return buf;
}

void mt_state_set(mt_host_t *h, const char *key, const char *value)
{
    ck_assert_int_eq(mt_orig.state_put(h->st, key, value, strlen(value)), 0);
}

const char *mt_emit_header(mt_host_t *h, size_t i, const char *name)
{
    return json_string_value(
        json_object_get(json_array_get(h->emit_headers, i), name));
}

int64_t mt_emit_at(mt_host_t *h, size_t i)
{
    return json_integer_value(json_array_get(h->emit_at, i));
}

char *mt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            ck_assert_ptr_nonnull(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

size_t mt_count_lines(const char *path)
{
    char *s = mt_read_file(path);
    size_t n = 0;
    for (char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}
