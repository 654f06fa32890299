/**
 * @file tests/fakes/co_fake_host_plugin.c
 * @brief co_fake_host_start_plugin()/co_fake_host_stop_plugin() (see
 *        co_fake_host.h): the host's option validation and filling
 *        (core/options.c) and the plugin's check() before init(). Apart from
 * co_fake_host.c so that tests that compile only the fake host need not link
 * the core.
 */
#include "co_fake_host.h"
#include "options.h"

#include <stdio.h>
#include <string.h>

/* The plugin's own check() of the filled configuration (ABI 1.2), called
 * where the host calls it (core/validate.c, for `validate`, `run`, `eval`
 * and `plugins test`): once the option table's checks passed, before
 * init(). A refusal is reported like the host's manifest fault: at
 * stages[0].config.KEY when the message starts with a declared option's
 * name and ": ", else at stages[0].config. Returns 1 when refused. */
static int co__fh_check(co_fake_host_t *h, const co_plugin_t *p,
                        const void *cfg)
{
    if (!CO_PLUGIN_HAS(p, check, 2))
        return 0;
    char e[1024] = "";
    if (p->check(cfg, e, sizeof e) == CO_OK)
        return 0;
    e[sizeof e - 1] = '\0';
    if (e[0] == '\0')
        snprintf(e, sizeof e, "%s", "refused by the plugin's check");
    size_t kl = strcspn(e, ":");
    int at_key = 0;
    for (const co_option_t *o = p->options;
         strncmp(e + kl, ": ", 2) == 0 && o && o->type != CO_OPT_END; o++)
        at_key |= strlen(o->name) == kl && strncmp(o->name, e, kl) == 0;
    fprintf(stderr, "config: stages[0].config%s%s\n", at_key ? "." : ": ", e);
    /* the message is also the host's last error, as an init() refusal's */
    h->error_set = 1;
    snprintf(h->error_class, sizeof h->error_class, "%s", "config");
    snprintf(h->error_msg, sizeof h->error_msg, "%s", e);
    return 1;
}

co_status_t co_fake_host_start_plugin(co_fake_host_t *h, const co_plugin_t *p,
                                      json_t *conf, const char *extra,
                                      co_fake_plugin_t *out)
{
    memset(out, 0, sizeof *out);
    out->p = p;
    /* the option table itself, as the host checks it at load */
    char table[400];
    if (co_options_table_fault(p->options, p->config_size, table,
                               sizeof table) != 0) {
        fprintf(stderr, "plugin %s %s\n", p->name ? p->name : "?", table);
        json_decref(conf);
        out->faults++;
        return CO_FATAL;
    }
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
    /* CO_OPT_OUTPUT and CO_OPT_INPUT paths, as validate checks them */
    if (out->faults == 0)
        out->faults += co_options_check_outputs(p->options, conf,
                                                h->base_dir ? h->base_dir : ".",
                                                "stages[0].config", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "config: %s\n", d.msgs[i]);
    co_diag_free(&d);
    if (out->faults == 0) {
        out->cfg = co_options_fill(p, conf, h->base_dir ? h->base_dir : ".",
                                   &out->mem);
        out->faults += co__fh_check(h, p, out->cfg);
    }
    json_decref(conf);
    if (out->faults > 0)
        return CO_FATAL;
    h->in_init = 1;
    co_status_t s =
        p->init(&h->api, co_fake_host_stage(h), out->cfg, &out->inst);
    h->in_init = 0;
    return s;
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
