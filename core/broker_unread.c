/* `careerops broker`'s check at its stop (see broker_unread.h). */
#include "broker_unread.h"
#include "kafka.h"
#include "log.h"
#include "manifest.h"
#include "util.h"

#include <stdio.h>

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
            char g[300], e[512];
            co_kafka_group_id(m, sc->name, g, sizeof g);
            for (size_t k = 0; k < sc->n_inputs; k++) {
                int64_t left = until - co_mono_ms();
                co_lagmon_t *lm =
                    left > 0 ? co_lagmon_new(m, bootstrap, g, sc->inputs[k], e,
                                             sizeof e)
                             : NULL;
                co_lag_t lag;
                if (lm == NULL ||
                    co_lagmon_measure(lm, left > 1000 ? 1000 : (int)left,
                                      &lag) != 0) {
                    unmeasured++;
                    co_lagmon_free(lm);
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
                co_lagmon_free(lm);
            }
        }
        co_manifest_free(m);
    }
    if (unmeasured > 0)
        co_log_warn("stopping: the unread records of %d stage input%s were "
                    "not measured within %lld s",
                    unmeasured, unmeasured == 1 ? "" : "s",
                    (long long)(budget_ms / 1000));
    return unread;
}
