/* A fake host for unit tests of plugin modules: see mock_fake_host.h. */
#include "mock_fake_host.h"
#include "co_test.h"
#include <dlfcn.h>
#include <stdarg.h>

static char *fake_dup(const void *p, size_t len)
{
    if (p == NULL)
        return NULL;
    char *s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* Append a copy of rec to *arr. */
static fake_rec_t *fake_capture(fake_rec_t **arr, size_t *n, size_t *cap,
                                const co_stage_t *st, const co_record_t *rec)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *arr = realloc(*arr, *cap * sizeof **arr);
        ck_assert_ptr_nonnull(*arr);
    }
    fake_rec_t *r = &(*arr)[(*n)++];
    memset(r, 0, sizeof *r);
    r->key = fake_dup(rec->key, rec->key_len);
    r->key_len = rec->key_len;
    r->value = fake_dup(rec->value, rec->value_len);
    r->value_len = rec->value_len;
    r->headers = json_object();
    for (size_t i = 0; i < rec->header_cnt; i++)
        json_object_set_new(
            r->headers, rec->headers[i].name,
            json_stringn(rec->headers[i].value, rec->headers[i].value_len));
    r->at_ms = st->now_ms;
    return r;
}

static void fake_log(co_stage_t *st, co_log_level_t level, const char *fmt, ...)
{
    (void)st;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[fake-host log %d] ", (int)level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *fake_alloc(size_t size)
{
    return malloc(size);
}

static void fake_free(void *p)
{
    free(p);
}

static int fake_emit(co_stage_t *st, const co_record_t *rec)
{
    ck_assert_uint_eq(rec->size, sizeof(co_record_t));
    st->n_emit_calls++;
    if (st->emit_fail_at > 0 && st->n_emit_calls == st->emit_fail_at)
        return CO_ERR_KAFKA;
    fake_capture(&st->emitted, &st->n_emitted, &st->cap_emitted, st, rec);
    return 0;
}

static void fake_set_error(co_stage_t *st, const char *cls, const char *fmt,
                           ...)
{
    snprintf(st->error_class, sizeof st->error_class, "%s", cls);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->error_message, sizeof st->error_message, fmt, ap);
    va_end(ap);
}

static void fake_retry_after(co_stage_t *st, uint32_t ms)
{
    (void)st;
    (void)ms;
}

static int fake_dead_letter(co_stage_t *st, const co_record_t *rec,
                            const char *cls, const char *msg)
{
    fake_rec_t *r =
        fake_capture(&st->dead, &st->n_dead, &st->cap_dead, st, rec);
    r->error_class = fake_dup(cls, strlen(cls));
    r->error_message = fake_dup(msg, strlen(msg));
    return 0;
}

static int fake_secret(co_stage_t *st, const char *name, char **out,
                       size_t *out_len)
{
    (void)st;
    (void)name;
    (void)out;
    (void)out_len;
    return CO_ERR_NOTFOUND;
}

static void fake_metric(co_stage_t *st, const char *name, double v)
{
    (void)st;
    (void)name;
    (void)v;
}

static int fake_state_get(co_stage_t *st, const char *key, char **out,
                          size_t *out_len)
{
    *out = NULL;
    if (st->state_down)
        return CO_ERR_STATE;
    json_t *v = json_object_get(st->state, key);
    if (v == NULL)
        return CO_ERR_NOTFOUND;
    *out = fake_dup(json_string_value(v), json_string_length(v));
    if (out_len != NULL)
        *out_len = json_string_length(v);
    return 0;
}

static int fake_state_put(co_stage_t *st, const char *key, const void *value,
                          size_t len)
{
    if (st->state_down)
        return CO_ERR_STATE;
    json_object_set_new(st->state, key, json_stringn(value, len));
    return 0;
}

/* The fake acknowledges everything at once, so the offset is stored now. */
static int fake_source_offset(co_stage_t *st, const char *key,
                              const void *value, size_t len)
{
    st->source_offsets++;
    return fake_state_put(st, key, value, len);
}

static int fake_idem_begin(co_stage_t *st, const char *key)
{
    if (st->state_down)
        return CO_ERR_STATE;
    const char *s = json_string_value(json_object_get(st->idem, key));
    if (s == NULL) {
        json_object_set_new(st->idem, key, json_string("pending"));
        return CO_IDEM_NEW;
    }
    return strcmp(s, "done") == 0 ? CO_IDEM_DONE : CO_IDEM_PENDING;
}

static int fake_idem_commit(co_stage_t *st, const char *key)
{
    if (st->state_down)
        return CO_ERR_STATE;
    json_object_set_new(st->idem, key, json_string("done"));
    return 0;
}

static int fake_stopping(co_stage_t *st)
{
    return st->stopping;
}

static int64_t fake_now_ms(co_stage_t *st)
{
    return st->now_ms;
}

static int fake_sleep_ms(co_stage_t *st, int64_t ms)
{
    ck_assert_int_ge(ms, 0);
    st->now_ms += ms;
    st->slept_ms += ms;
    return 0;
}

static const char *fake_stage_name(co_stage_t *st)
{
    (void)st;
    return "fake";
}

static char *fake_resolve_path(co_stage_t *st, const char *path)
{
    (void)st;
    return fake_dup(path, strlen(path));
}

const co_host_api_t fake_api = {
    .size = sizeof(co_host_api_t),
    .version = (CO_ABI_MAJOR << 16) | CO_ABI_MINOR,
    .log = fake_log,
    .alloc = fake_alloc,
    .free = fake_free,
    .emit = fake_emit,
    .set_error = fake_set_error,
    .retry_after = fake_retry_after,
    .dead_letter = fake_dead_letter,
    .secret = fake_secret,
    .metric_add = fake_metric,
    .metric_set = fake_metric,
    .state_get = fake_state_get,
    .state_put = fake_state_put,
    .source_offset = fake_source_offset,
    .idem_begin = fake_idem_begin,
    .idem_commit = fake_idem_commit,
    .stopping = fake_stopping,
    .now_ms = fake_now_ms,
    .sleep_ms = fake_sleep_ms,
    .stage_name = fake_stage_name,
    .resolve_path = fake_resolve_path,
};

/* Write the option's text value at its offset, as the host does. */
static void fake_set_option(fake_host_t *h, const co_option_t *o,
                            const char *text)
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
        ck_abort_msg("fake host: option type %d not supported", o->type);
    }
}

fake_host_t *fake_host_new(const char *module, const char *const *opts)
{
    const char *dir = getenv("CAREEROPS_PLUGIN_PATH");
    ck_assert_msg(dir != NULL, "CAREEROPS_PLUGIN_PATH is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/mock/%s.so", dir, module);

    fake_host_t *h = calloc(1, sizeof *h);
    ck_assert_ptr_nonnull(h);
    h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h->dl != NULL, "dlopen %s: %s", path, dlerror());
    co_plugin_entry_fn entry =
        (co_plugin_entry_fn)(uintptr_t)dlsym(h->dl, CO_PLUGIN_ENTRY_SYMBOL);
    ck_assert_msg(entry != NULL, "%s exports no co_plugin_entry", path);
    h->plugin = entry(&fake_api);
    ck_assert_ptr_nonnull(h->plugin);

    h->st.now_ms = 1000000000000LL;
    h->st.state = json_object();
    h->st.idem = json_object();
    h->strs = json_array();
    h->config = calloc(1, h->plugin->config_size + 1);
    for (const co_option_t *o = h->plugin->options; o && o->type; o++) {
        const char *text = o->def;
        size_t nlen = strlen(o->name);
        for (const char *const *kv = opts; kv && *kv; kv++)
            if (strncmp(*kv, o->name, nlen) == 0 && (*kv)[nlen] == '=')
                text = *kv + nlen + 1;
        if (text != NULL)
            fake_set_option(h, o, text);
    }
    for (const char *const *kv = opts; kv && *kv; kv++) {
        int known = 0;
        for (const co_option_t *o = h->plugin->options; o && o->type; o++) {
            size_t nlen = strlen(o->name);
            known |= strncmp(*kv, o->name, nlen) == 0 && (*kv)[nlen] == '=';
        }
        ck_assert_msg(known, "%s declares no option for \"%s\"", module, *kv);
    }
    h->init_status = h->plugin->init(&fake_api, &h->st, h->config, &h->inst);
    return h;
}

static void fake_recs_free(fake_rec_t *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(arr[i].key);
        free(arr[i].value);
        json_decref(arr[i].headers);
        free(arr[i].error_class);
        free(arr[i].error_message);
    }
    free(arr);
}

void fake_host_free(fake_host_t *h)
{
    if (h == NULL)
        return;
    if (h->plugin->stop != NULL && h->inst != NULL)
        h->plugin->stop(h->inst);
    if (h->plugin->destroy != NULL)
        h->plugin->destroy(h->inst);
    fake_recs_free(h->st.emitted, h->st.n_emitted);
    fake_recs_free(h->st.dead, h->st.n_dead);
    json_decref(h->st.state);
    json_decref(h->st.idem);
    json_decref(h->strs);
    free(h->config);
    dlclose(h->dl);
    free(h);
}

co_status_t fake_host_process(fake_host_t *h, const char *key,
                              const char *value, const co_header_t *headers,
                              size_t header_cnt)
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
    rec.timestamp_ms = h->st.now_ms;
    h->st.error_class[0] = '\0';
    h->st.error_message[0] = '\0';
    return h->plugin->process(h->inst, &rec);
}

char *fake_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

size_t fake_count_lines(const char *path)
{
    char *s = fake_read_file(path);
    size_t n = 0;
    for (char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}
