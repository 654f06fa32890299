/**
 * @file tests/fakes/co_fake_host_plugin.c
 * @brief co_fake_host_start_plugin()/co_fake_host_stop_plugin() (see
 *        co_fake_host.h): the host's option validation and filling
 *        (core/options.c) before init(). Apart from co_fake_host.c so that
 *        tests that compile only the fake host need not link the core.
 */
#include "co_fake_host.h"
#include "options.h"

#include <stdio.h>
#include <string.h>

co_status_t co_fake_host_start_plugin(co_fake_host_t *h, const co_plugin_t *p,
                                      json_t *conf, const char *extra,
                                      co_fake_plugin_t *out)
{
    memset(out, 0, sizeof *out);
    out->p = p;
    if (extra != NULL) {
        json_error_t err;
        json_t *x = json_loads(extra, 0, &err);
        if (!json_is_object(x)) {
            fprintf(stderr, "config: extra is not a JSON object: %s (%s)\n",
                    extra, x == NULL ? err.text : "another JSON value");
            out->faults++;
        } else {
            json_object_update(conf, x);
        }
        json_decref(x);
    }
    co_diag_t d = {0};
    out->faults +=
        co_options_validate(p->options, conf, "stages[0].config", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "config: %s\n", d.msgs[i]);
    co_diag_free(&d);
    if (out->faults == 0)
        out->cfg = co_options_fill(p, conf, h->base_dir ? h->base_dir : ".",
                                   &out->mem);
    json_decref(conf);
    if (out->faults > 0)
        return CO_FATAL;
    return p->init(&h->api, co_fake_host_stage(h), out->cfg, &out->inst);
}

void co_fake_host_stop_plugin(co_fake_plugin_t *fp)
{
    if (fp == NULL)
        return;
    if (fp->inst != NULL && fp->p != NULL && fp->p->destroy != NULL)
        fp->p->destroy(fp->inst);
    co_options_free(fp->cfg, fp->mem);
    const co_plugin_t *p = fp->p;
    memset(fp, 0, sizeof *fp);
    fp->p = p;
}
