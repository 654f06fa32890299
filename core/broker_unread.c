/* `careerops broker`'s check at its stop (see broker_unread.h). */
#include "broker_unread.h"
#include "co_cli.h" /* co_cli_shown() */
#include "kafka.h"
#include "log.h"
#include "manifest.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Measure `group`'s lag on `topic` within what is left until `until`
 * (at most 1 s). Returns 0 with *lag filled (co_lag_free() it), or -1. */
static int co__measure(const co_manifest_t *m, const char *bootstrap,
                       const char *group, const char *topic, int64_t until,
                       co_lag_t *lag)
{
    char e[512];
    int64_t left = until - co_mono_ms();
    co_lagmon_t *lm =
        left > 0 ? co_lagmon_new(m, bootstrap, group, topic, e, sizeof e)
                 : NULL;
    int rc = lm == NULL || co_lagmon_measure(lm, left > 1000 ? 1000 : (int)left,
                                             lag) != 0
                 ? -1
                 : 0;
    co_lagmon_free(lm);
    return rc;
}

/* Whether a stage of `m` reads `topic`. */
static int co__read_by_a_stage(const co_manifest_t *m, const char *topic)
{
    for (size_t i = 0; i < m->n_stages; i++)
        for (size_t k = 0; k < m->stages[i].n_inputs; k++)
            if (strcmp(m->stages[i].inputs[k], topic) == 0)
                return 1;
    return 0;
}

/* The dead letters of `m` that no stage reads: they die with the broker
 * too (note 29: without a word). Said at WARN with how to read them; the
 * failures were said when they happened, so the exit status stays. */
static void co__dead_letters(const co_manifest_t *m, const char *path,
                             const char *bootstrap, int64_t until,
                             int *unmeasured)
{
    for (size_t i = 0; i < m->n_stages; i++) {
        const char *t = m->stages[i].dlq_topic;
        int first = 1;
        for (size_t j = 0; t && j < i && first; j++)
            first = m->stages[j].dlq_topic == NULL ||
                    strcmp(m->stages[j].dlq_topic, t) != 0;
        if (t == NULL || !first || co__read_by_a_stage(m, t))
            continue;
        co_lag_t lag; /* a group that never reads: the topic's depth */
        if (co__measure(m, bootstrap, "careerops.broker-stop-check", t, until,
                        &lag) != 0) {
            (*unmeasured)++;
            continue;
        }
        if (lag.total > 0)
            co_log_warn("stopping with %lld dead letter%s in topic %s of "
                        "pipeline %s, which no stage reads: they are lost "
                        "with this in-memory broker; read them before the "
                        "stop (`careerops dlq list %s --set "
                        "kafka.bootstrap.servers=%s`)",
                        (long long)lag.total, lag.total == 1 ? "" : "s", t,
                        m->pipeline, co_cli_shown(path), bootstrap);
        co_lag_free(&lag);
    }
}

int64_t co_broker_unread(const char *bootstrap, const char *const *manifests,
                         size_t n, const char *const *sets, int64_t budget_ms)
{
    int64_t until = co_mono_ms() + budget_ms, unread = 0;
    int unmeasured = 0;
    for (size_t f = 0; f < n; f++) {
        co_diag_t d = {0};
        co_manifest_t *m = co_manifest_load(manifests[f], sets, &d);
        co_diag_free(&d); /* said when the topics were created */
        for (size_t i = 0; m != NULL && i < m->n_stages; i++) {
            const co_stage_conf_t *sc = &m->stages[i];
            char g[300];
            co_kafka_group_id(m, sc->name, g, sizeof g);
            for (size_t k = 0; k < sc->n_inputs; k++) {
                co_lag_t lag;
                if (co__measure(m, bootstrap, g, sc->inputs[k], until, &lag) !=
                    0) {
                    unmeasured++;
                    continue;
                }
                /* no commit at all: perhaps the stage ran under another
                 * pipeline name, so another group (note 29: `--set
                 * pipeline=other` gave a false alarm, unexplained) */
                int none = 1;
                for (int p = 0; p < lag.partitions; p++)
                    none &= lag.committed[p] < 0;
                char hint[600] = "";
                if (none)
                    snprintf(hint, sizeof hint,
                             ". Its consumer group %s has committed nothing: "
                             "if the stage ran with another pipeline name "
                             "(`--set pipeline=...`), its group is another; "
                             "give `careerops broker` the same --set",
                             g);
                if (lag.total > 0)
                    co_log_error(
                        "stopping with %lld record%s of topic %s that stage "
                        "%s of pipeline %s has not read: they are lost with "
                        "this in-memory broker, and a source that saved its "
                        "position past them does not read them again. Stop "
                        "the broker once every stage has caught up; to "
                        "recover, read the source again from the start "
                        "(docs/operations.md, \"Deferred source positions\")%s",
                        (long long)lag.total, lag.total == 1 ? "" : "s",
                        sc->inputs[k], sc->name, m->pipeline, hint);
                unread += lag.total;
                co_lag_free(&lag);
            }
        }
        if (m != NULL)
            co__dead_letters(m, manifests[f], bootstrap, until, &unmeasured);
        co_manifest_free(m);
    }
    if (unmeasured > 0)
        co_log_warn("stopping: the unread records of %d stage input%s (or "
                    "dead-letter topic%s) were not measured within %lld s",
                    unmeasured, unmeasured == 1 ? "" : "s",
                    unmeasured == 1 ? "" : "s", (long long)(budget_ms / 1000));
    return unread;
}
