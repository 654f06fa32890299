/* In-process stage without Kafka, for `careerops eval` and tests. */
#include "capture.h"
#include "err.h"
#include "manifest.h"
#include "port.h"
#include "util.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

struct co_capture_s {
    co_manifest_t *m;
    co_stage_t *st;
    char **vals;
    size_t *lens;
    size_t n;
    int64_t next_offset; /* of the next record handed in: 0, 1, 2, ... */
};

static void co__cap_emit(void *arg, const co_record_t *rec)
{
    co_capture_t *c = arg;
    char *v = co_xmalloc(rec->value_len + 1);
    if (rec->value_len)
        memcpy(v, rec->value, rec->value_len);
    v[rec->value_len] = '\0';
    c->vals = realloc(c->vals, (c->n + 1) * sizeof *c->vals);
    c->lens = realloc(c->lens, (c->n + 1) * sizeof *c->lens);
    c->vals[c->n] = v;
    c->lens[c->n] = rec->value_len;
    c->n++;
}

/* The capture port: emitted records go to memory, dead letters are only
 * counted (by the stage), nothing waits for acknowledgements. */
static int co__cap_port_emit(co_stage_t *st, const co_record_t *rec)
{
    st->capture_emit(st->capture_arg, rec);
    __atomic_add_fetch(&st->emit_seq, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static int co__cap_port_dead_letter(co_stage_t *st, const co_record_t *rec,
                                    const co_dlq_reason_t *why)
{
    (void)st;
    (void)rec;
    (void)why;
    return 0;
}

static int co__cap_port_drain(co_stage_t *st, int64_t timeout_ms)
{
    (void)st;
    (void)timeout_ms;
    return 0;
}

static const co_port_t co__capture_port = {
    .name = "capture",
    .emit = co__cap_port_emit,
    .dead_letter = co__cap_port_dead_letter,
    .serve = NULL,
    .drain = co__cap_port_drain,
};

/* Check a loaded manifest (d: its load diagnostics), then create and
 * start stage `stage_name`; takes m. need_output: refuse stages that emit
 * nothing (sinks), whose output cannot be captured. */
static co_capture_t *co__capture_start(co_manifest_t *m, co_diag_t d,
                                       const char *manifest_path,
                                       const char *stage_name, int need_output,
                                       char *errstr, size_t sz)
{
    /* the paths too, as validate and run check them (trial 83: `plugins
     * test` called init() with an output file whose folder is missing) */
    const char *only[] = {stage_name, NULL}; /* the stage it starts */
    if (m != NULL && co_validate_plugins(m, &d) == 0)
        co_validate_outputs(m, only, &d);
    if (m == NULL || d.n > 0) {
        co_diag_join(&d, manifest_path, "invalid", errstr, sz);
        co_diag_free(&d);
        co_manifest_free(m);
        return NULL;
    }
    const co_stage_conf_t *sc = co_manifest_stage(m, stage_name);
    char all[512], procs[512];
    co_manifest_stage_list(m, CO_STAGE_ANY, all, sizeof all);
    co_manifest_stage_list(
        m, CO_STAGE_PROCESSOR | (need_output ? 0 : CO_STAGE_SINK), procs,
        sizeof procs);
    const char *why = NULL;
    if (sc == NULL)
        why = "there is no such stage";
    else if (sc->n_inputs == 0)
        why = "it is a source: only stages with an input can be given "
              "records";
    else if (need_output && sc->output == NULL)
        why = "it is a sink: it emits no records, so there is nothing to "
              "measure";
    if (why != NULL) {
        co_errf(errstr, sz,
                "%s: stage '%s': %s; stages that can be used: %s (all "
                "stages: %s)",
                manifest_path, stage_name, why, procs, all);
        co_manifest_free(m);
        return NULL;
    }
    co_capture_t *c = co_xcalloc(1, sizeof *c);
    c->m = m;
    c->st = co_stage_new(NULL, m, sc, 0, NULL, errstr, sz);
    if (c->st == NULL) {
        co_manifest_free(m);
        free(c);
        return NULL;
    }
    if (c->st->ph->desc->process == NULL) {
        co_errf(errstr, sz,
                "%s: stage '%s' (plugin %s) is a source: only processor and "
                "sink stages can be given records; stages that can be "
                "used: %s",
                manifest_path, stage_name, c->st->ph->desc->name, procs);
        co_stage_free(c->st);
        co_manifest_free(m);
        free(c);
        return NULL;
    }
    c->st->port = &co__capture_port;
    c->st->capture_emit = co__cap_emit;
    c->st->capture_arg = c;
    c->st->capture_sim = 1;
    c->st->sim_now_ms = co_wall_ms();
    c->st->bucket.last_ms = c->st->sim_now_ms;
    if (c->st->ph->desc->start) {
        co_status_t s = c->st->ph->desc->start(c->st->inst);
        if (s != CO_OK) {
            co_errf(errstr, sz, "stage %s failed to start: %s", stage_name,
                    c->st->err_msg[0] ? c->st->err_msg : co_status_name(s));
            co_capture_destroy(c);
            return NULL;
        }
    }
    return c;
}

co_capture_t *co_capture_new(const char *manifest_path, const char *stage_name,
                             const char *const *sets, char *errstr, size_t sz)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(manifest_path, sets, &d);
    return co__capture_start(m, d, manifest_path, stage_name, 1, errstr, sz);
}

co_capture_t *co_capture_new_buffer(const char *text, size_t len,
                                    const char *label, const char *dir,
                                    const char *stage_name, char *errstr,
                                    size_t sz)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load_buffer(text, len, label, dir, NULL, &d);
    return co__capture_start(m, d, label, stage_name, 0, errstr, sz);
}

co_status_t co_capture_flush(co_capture_t *c)
{
    const co_plugin_t *p = c->st->ph->desc;
    c->st->err_msg[0] = '\0';
    return p->flush != NULL ? p->flush(c->st->inst) : CO_OK;
}

co_status_t co_capture_process(co_capture_t *c, const void *key, size_t key_len,
                               const void *value, size_t value_len)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = key_len;
    rec.value = value;
    rec.value_len = value_len;
    rec.topic = c->st->sc->n_inputs ? c->st->sc->inputs[0] : "capture";
    rec.partition = 0;
    rec.offset = c->next_offset++; /* in call order, as in a partition */
    c->st->err_msg[0] = '\0';
    co_status_t s = co_stage_process_one(c->st, &rec);
    co_stage_publish_counts(c->st);
    return s;
}

size_t co_capture_count(const co_capture_t *c)
{
    return c->n;
}

const char *co_capture_value(const co_capture_t *c, size_t i, size_t *len)
{
    if (i >= c->n)
        return NULL;
    if (len)
        *len = c->lens[i];
    return c->vals[i];
}

const char *co_capture_error(const co_capture_t *c)
{
    return c->st->err_msg;
}

int64_t co_capture_now_ms(const co_capture_t *c)
{
    return c->st->sim_now_ms;
}

void co_capture_clear(co_capture_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->vals[i]);
    free(c->vals);
    free(c->lens);
    c->vals = NULL;
    c->lens = NULL;
    c->n = 0;
}

void co_capture_destroy(co_capture_t *c)
{
    if (c == NULL)
        return;
    co_capture_clear(c);
    co_stage_free(c->st);
    co_manifest_free(c->m);
    free(c);
}
