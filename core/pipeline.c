/* careerops run: set-up, the control API's callbacks, signals, shutdown.
 * The supervisor loop is in supervisor.c, backpressure in backpressure.c,
 * the embedded drain in drain.c. */
#include "pipeline.h"
#include "alone.h"
#include "bootfile.h"
#include "backpressure.h"
#include "err.h"
#include "control.h"
#include "eos.h"
#include "log.h"
#include "notify_systemd.h"
#include "supervisor.h"
#include "state.h"
#include "util.h"
#include "validate.h"

#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int co_run_is_local(const co_run_opts_t *o, const char *name)
{
    if (o->stages == NULL)
        return 1;
    for (size_t i = 0; o->stages[i]; i++)
        if (strcmp(o->stages[i], name) == 0)
            return 1;
    return 0;
}

/* co_stage_env_t::downstream_committed */
static int64_t co__downstream_committed(void *rt, const char *topic,
                                        int32_t partition)
{
    return co_runtime_downstream_committed(rt, topic, partition);
}

/* ---- signals ------------------------------------------------------------- */

static co_runtime_t *co__sig_rt;
static int64_t co__sig_drain_ms; /* --drain-timeout-ms, for the message */

/* How long the stages get to stop after the second signal (s). */
#define CO__HARD_STOP_S 5
#define CO__STR2(x)     #x
#define CO__STR(x)      CO__STR2(x)

/* The stages not yet stopped, "NAME#I (STATE), ..." into busy ("" when
 * none); a stage still in its plugin's init() first (trial 57: a second
 * signal named another stage, STARTING, and not the one in init()). */
static void co__busy_list(char *busy, size_t cap)
{
    size_t n = 0;
    busy[0] = '\0';
    pthread_mutex_lock(&co__sig_rt->inst_lock);
    if (co__sig_rt->starting != NULL)
        n += (size_t)snprintf(busy, cap, "%s (in its plugin's init())",
                              co__sig_rt->starting);
    for (size_t i = 0; i < co__sig_rt->n_inst && n < cap - 80; i++) {
        co_stage_t *st = co__sig_rt->inst[i];
        co_stage_state_t s = co_stage_get_status(st);
        if (s != CO_STAGE_STOPPED && s != CO_STAGE_DONE && s != CO_STAGE_FAILED)
            n += (size_t)snprintf(busy + n, cap - n, "%s%s#%d (%s)",
                                  n ? ", " : "", st->sc->name, st->instance,
                                  co_stage_state_name(s));
    }
    pthread_mutex_unlock(&co__sig_rt->inst_lock);
}

/* After the second signal: wait CO__HARD_STOP_S seconds for the normal
 * exit (SIGUSR1); when it does not come, or a third signal does, the
 * process ends here. A plugin blocking in process() or librdkafka closing
 * a consumer against a broker that is gone (trials 40, 41) never looks
 * at the stop flag: "a second signal stops at once" (docs/operations.md)
 * must not depend on them. Returns only on the normal exit. */
static void co__hard_stop_watch(const sigset_t *set)
{
    int64_t until = co_mono_ms() + CO__HARD_STOP_S * 1000;
    int sig = -1;
    for (int64_t now; (now = co_mono_ms()) < until;) {
        struct timespec ts = {(until - now) / 1000,
                              (long)((until - now) % 1000) * 1000000L};
        sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGUSR1)
            return;
        if (sig > 0)
            break; /* a third signal */
    }
    char busy[512];
    co__busy_list(busy, sizeof busy);
    co_log_error("%s: exiting now without waiting for %s (a plugin blocking "
                 "in process(), or a consumer closing against a broker that "
                 "is gone); records not yet committed are read again at the "
                 "next start",
                 sig > 0 ? "a third signal"
                         : "not stopped " CO__STR(
                               CO__HARD_STOP_S) " s after the second signal",
                 busy[0] ? busy : "the stopped stages' Kafka clients to close");
    _exit(1);
}

/* A signal after the first (or after a stop already asked): stop now,
 * the stages bounded by co__hard_stop_watch(). Returns only on the normal
 * exit. */
static void co__stop_now(const sigset_t *set, int sig)
{
    co_log_info("received %s: stopping now", co_stop_signal_name(sig));
    CO_RT_STORE(&co__sig_rt->stop, CO_STOP_HARD);
    co__hard_stop_watch(set);
}

/* The first stop signal and when it came (co_mono_ms()). */
static int co__first_sig;
static int64_t co__first_sig_ms;

/* GNU timeout without --foreground signals the child, then the child's
 * process group: one timeout is two SIGTERMs about 1 ms apart, and a
 * supervised stop became a hard stop, exit 1 (trial 63). The same signal
 * again within CO__SIG_REPEAT_MS of the first is taken as that one; a
 * second press of Ctrl-C comes far later. */
#define CO__SIG_REPEAT_MS 100
static int co__sig_repeat(int sig)
{
    if (sig != co__first_sig ||
        co_mono_ms() - co__first_sig_ms >= CO__SIG_REPEAT_MS)
        return 0;
    co_log_debug("received %s again %lld ms after the first: the same stop",
                 co_stop_signal_name(sig),
                 (long long)(co_mono_ms() - co__first_sig_ms));
    return 1;
}

/* How long a stage may stay in its plugin's init() after the first
 * signal (s). */
#define CO__START_STOP_S 10

/* After the first signal while a stage is starting: a plugin blocking in
 * init() never looks at the stop flag, and the host waited for it without
 * limit (trial 55). Waits up to CO__START_STOP_S seconds for the start to
 * end (the normal stop follows) or the exit (SIGUSR1); a second signal
 * goes to co__hard_stop_watch(); a stage still starting then ends the
 * process here: nothing of it ran, and what the started stages did not
 * commit is read again at the next start. Returns 1 on the exit
 * (SIGUSR1), 0 when the start ended. */
static int co__start_stop_watch(const sigset_t *set)
{
    int64_t until = co_mono_ms() + CO__START_STOP_S * 1000;
    for (;;) {
        pthread_mutex_lock(&co__sig_rt->inst_lock);
        char name[128] = "";
        int64_t since = co__sig_rt->starting_since_ms;
        if (co__sig_rt->starting != NULL)
            snprintf(name, sizeof name, "%s", co__sig_rt->starting);
        pthread_mutex_unlock(&co__sig_rt->inst_lock);
        if (name[0] == '\0')
            return 0;
        int64_t now = co_mono_ms();
        if (now >= until) {
            co_log_error("stage %s is still in its plugin's init() %d s after "
                         "the stop was asked (%lld s in all): exiting now "
                         "without it; records not yet committed are read "
                         "again at the next start",
                         name, CO__START_STOP_S,
                         (long long)((now - since) / 1000));
            _exit(1);
        }
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGUSR1)
            return 1;
        if (sig > 0 && !co__sig_repeat(sig)) { /* a second signal */
            co__stop_now(set, sig);
            return 1;
        }
    }
}

/* How long the stages get, beyond --drain-timeout-ms, to flush, drain
 * and commit after the first signal (s). */
#define CO__STOP_GRACE_S 30

/* After the first signal, once no stage is starting: the stop is bounded
 * too. A plugin blocking in process() or flush() (console-sink writing to
 * a pipe whose reader stalls, an HTTP call that never answers) never looks
 * at the stop request, and one SIGTERM waited for it without limit (trial
 * 57). Waits --drain-timeout-ms plus CO__STOP_GRACE_S for the normal exit
 * (SIGUSR1); a second signal goes to co__hard_stop_watch(); then the
 * process ends here, exit 1, naming the stages still busy. */
static void co__stop_deadline_watch(const sigset_t *set)
{
    int64_t until = co_mono_ms() + co__sig_drain_ms + CO__STOP_GRACE_S * 1000;
    for (int64_t now; (now = co_mono_ms()) < until;) {
        struct timespec ts = {(until - now) / 1000,
                              (long)((until - now) % 1000) * 1000000L};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGUSR1)
            return;
        if (sig > 0 && !co__sig_repeat(sig)) { /* a second signal */
            co__stop_now(set, sig);
            return;
        }
    }
    char busy[512];
    co__busy_list(busy, sizeof busy);
    co_log_error("not stopped %lld s after the first signal: exiting now "
                 "without waiting for %s (a plugin blocking in process() or "
                 "flush()); records not yet committed are read again at the "
                 "next start",
                 (long long)(co__sig_drain_ms / 1000 + CO__STOP_GRACE_S),
                 busy[0] ? busy : "the stopped stages' Kafka clients to close");
    _exit(1);
}

static void *co__signal_thread(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int sig;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGUSR1) /* internal wake-up at exit */
            return NULL;
        if (CO_RT_LOAD(&co__sig_rt->stop) != CO_STOP_NONE) {
            co__stop_now(set, sig);
            return NULL;
        }
        co__first_sig = sig;
        co__first_sig_ms = co_mono_ms();
        if (co__sig_rt->defer_source_offsets) /* co_drain_embedded */
            co_log_info(
                "received %s: finishing in-flight records (for up "
                "to %lld s, --drain-timeout-ms; a second signal "
                "stops now; at most %lld s in all)",
                co_stop_signal_name(sig), (long long)(co__sig_drain_ms / 1000),
                (long long)(co__sig_drain_ms / 1000 + CO__STOP_GRACE_S));
        else
            co_log_info(
                "received %s: finishing in-flight records (a "
                "second signal stops now; at most %lld s in all)",
                co_stop_signal_name(sig),
                (long long)(co__sig_drain_ms / 1000 + CO__STOP_GRACE_S));
        CO_RT_STORE(&co__sig_rt->stop, CO_STOP_REQUESTED);
        if (!co__start_stop_watch(set))
            co__stop_deadline_watch(set);
        return NULL;
    }
}

/* ---- control API (libmicrohttpd's threads) -------------------------------
 */

static char *co__stages_json(void *arg)
{
    co_runtime_t *rt = arg;
    co_buf_t b = {0};
    pthread_mutex_lock(&rt->inst_lock);
    co_buf_printf(&b, "{\"pipeline\":\"%s\",", rt->m->pipeline);
    if (rt->starting != NULL) /* a name: letters, digits, '_', '-', '.' */
        co_buf_printf(&b, "\"starting\":\"%s\",", rt->starting);
    co_buf_printf(&b, "\"stages\":[");
    for (size_t i = 0; i < rt->n_inst; i++) {
        char *s = co_stage_status_json(rt->inst[i]);
        co_buf_printf(&b, "%s%s", i ? "," : "", s);
        free(s);
    }
    pthread_mutex_unlock(&rt->inst_lock);
    co_buf_printf(&b, "]}\n");
    return b.data;
}

/* /health (docs/operations.md, "Observability"): unhealthy (503) while an
 * instance is STOPPED or FAILED (a restart in progress counts until the
 * fresh instance starts), degraded (200) while one is WAITING (for its
 * database, the broker or the state store: it resumes by itself), with
 * those instances and their last errors. */
/* The answer's text: `o` (taken) as one line. */
static char *co__health_body(json_t *o)
{
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    co_buf_t b = {0};
    co_buf_printf(&b, "%s\n", body ? body : "{\"status\":\"unknown\"}");
    free(body);
    return b.data;
}

static char *co__health(void *arg, int *ok)
{
    co_runtime_t *rt = arg;
    int bad = 0, waiting = 0;
    pthread_mutex_lock(&rt->inst_lock);
    if (rt->starting != NULL) {
        /* a stage's state store or plugin waits for its database (note
         * 19: no /health at all then, only the log) */
        json_t *o = json_pack(
            "{s:s, s:s, s:I, s:I, s:s}", "status", "starting", "stage",
            rt->starting, "for_s",
            (json_int_t)((co_mono_ms() - rt->starting_since_ms) / 1000),
            "stages_created", (json_int_t)rt->n_inst, "why",
            "creating the stage's instance: its state store or its plugin "
            "may be waiting for a database (the log says which)");
        pthread_mutex_unlock(&rt->inst_lock);
        *ok = 0;
        return co__health_body(o);
    }
    json_t *stages = json_array();
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        pthread_mutex_lock(&st->lock);
        co_stage_state_t s = st->status;
        if (s == CO_STAGE_FAILED || s == CO_STAGE_STOPPED ||
            s == CO_STAGE_WAITING)
            json_array_append_new(
                stages, json_pack("{s:s, s:i, s:s, s:s}", "stage", st->sc->name,
                                  "instance", st->instance, "status",
                                  co_stage_state_name(s), "last_error",
                                  st->last_error));
        pthread_mutex_unlock(&st->lock);
        bad |= s == CO_STAGE_FAILED || s == CO_STAGE_STOPPED;
        waiting |= s == CO_STAGE_WAITING;
    }
    pthread_mutex_unlock(&rt->inst_lock);
    *ok = !bad;
    json_t *o = json_pack("{s:s}", "status",
                          bad       ? "unhealthy"
                          : waiting ? "degraded"
                                    : "ok");
    if (bad || waiting)
        json_object_set(o, "stages", stages);
    json_decref(stages);
    return co__health_body(o);
}

/* pause and resume act on a stage that runs; restart on any (FAILED
 * included: that is what it is for). */
static int co__action_refused(co_stage_t *st, const char *action, char *why,
                              size_t n)
{
    if (strcmp(action, "pause") != 0 && strcmp(action, "resume") != 0)
        return 0;
    pthread_mutex_lock(&st->lock);
    co_stage_state_t s = st->status;
    int refused =
        s == CO_STAGE_FAILED || s == CO_STAGE_STOPPED || s == CO_STAGE_DONE;
    if (refused)
        snprintf(why, n,
                 "stage %s is %s%s%.900s%s: %s acts on a running stage; POST "
                 "/api/stages/%s/restart starts it again",
                 st->sc->name, co_stage_state_name(s),
                 st->last_error[0] ? " (" : "", st->last_error,
                 st->last_error[0] ? ")" : "", action, st->sc->name);
    pthread_mutex_unlock(&st->lock);
    return refused;
}

static int co__stage_action(void *arg, const char *stage, const char *action,
                            char *why, size_t why_size)
{
    co_runtime_t *rt = arg;
    int found = 0, bad = 0, refused = 0;
    pthread_mutex_lock(&rt->inst_lock);
    if (rt->restart_req == NULL) { /* instances still being created */
        snprintf(why, why_size,
                 "the pipeline is starting (stage %s): try again once "
                 "/health says it runs",
                 rt->starting ? rt->starting : "?");
        refused = 1;
    } else if (strcmp(action, "restart") == 0 &&
               CO_RT_LOAD(&rt->stop) != CO_STOP_NONE) {
        /* nothing starts while the pipeline stops (trial 73: 200, and no
         * restart) */
        snprintf(why, why_size,
                 "the pipeline is stopping: stage %s is not started again",
                 stage);
        refused = 1;
    }
    for (size_t i = 0; i < rt->n_inst && !refused; i++)
        if (strcmp(rt->inst[i]->sc->name, stage) == 0)
            refused = co__action_refused(rt->inst[i], action, why, why_size);
    for (size_t i = 0; i < rt->n_inst && !bad && !refused; i++) {
        co_stage_t *st = rt->inst[i];
        if (strcmp(st->sc->name, stage) != 0)
            continue;
        if (strcmp(action, "pause") == 0)
            CO_RT_STORE(&st->pause, 1);
        else if (strcmp(action, "resume") == 0)
            CO_RT_STORE(&st->pause, 0);
        else if (strcmp(action, "restart") == 0)
            CO_RT_STORE(&rt->restart_req[i], 1); /* supervisor.c does it;
                                                    nothing overwrites it */
        else
            bad = 1;
        found = 1;
    }
    for (size_t i = 0, o = 0;
         !found && !refused && i < rt->n_inst && o < why_size; i++)
        if (i == 0 || strcmp(rt->inst[i]->sc->name, rt->inst[i - 1]->sc->name))
            o += (size_t)snprintf(why + o, why_size - o, "%s%s",
                                  o ? ", " : "this process runs stages ",
                                  rt->inst[i]->sc->name); /* trial 80 */
    pthread_mutex_unlock(&rt->inst_lock);
    if (refused)
        return -2;
    return found && !bad ? 0 : -1;
}

/* ---- set-up ---------------------------------------------------------------
 */

/* Every --stage must name a stage, every plugin must load and validate.
 * Returns 0, or 2 (printed). */
static int co__check(co_manifest_t *m, const co_run_opts_t *o)
{
    for (size_t i = 0; o->stages && o->stages[i]; i++)
        if (co_manifest_stage(m, o->stages[i]) == NULL) {
            char all[1024];
            fprintf(stderr,
                    "error: --stage %s: no such stage in %s (stages: "
                    "%s)\n",
                    co_cli_shown(o->stages[i]), co_cli_shown(m->path),
                    co_manifest_stage_list(m, CO_STAGE_ANY, all, sizeof all));
            return 2;
        }
    for (size_t i = 0; o->stages && o->stages[i]; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->stages[i], o->stages[j]) == 0) {
                fprintf(stderr,
                        "error: --stage %s is given twice (give each stage "
                        "once; its `concurrency` sets how many instances "
                        "run)\n",
                        o->stages[i]);
                return 2;
            }
    co_diag_t d = {0};
    if (co_validate_plugins(m, &d) != 0 ||
        co_validate_outputs(m, o->stages, &d) != 0) {
        co_diag_print(&d, m->path);
        co_diag_free(&d);
        return 2;
    }
    return co_alone_check(m, o);
}

/* The in-process embedded broker, or the configured one. Returns 0, -2 when
 * the configured broker does not answer (an outage), or -1 (logged). */
static int co__broker_setup(co_runtime_t *rt, const co_run_opts_t *o)
{
    co_manifest_t *m = rt->m;
    char e[2048];
    if (!m->embedded && o->bootstrap_file) {
        /* trial 59: ignored without a word */
        co_log_error("--bootstrap-file %s: this run starts no broker "
                     "(kafka.bootstrap.servers is %s): drop the option, or "
                     "run with the embedded broker",
                     co_cli_shown(o->bootstrap_file),
                     co_cli_shown(json_string_value(
                         json_object_get(m->kafka, "bootstrap.servers"))));
        return -1;
    }
    if (!m->embedded) {
        rt->bootstrap = co_strdup(
            json_string_value(json_object_get(m->kafka, "bootstrap.servers")));
        /* `careerops broker` is the same mock cluster in another process:
         * the same window, the same backpressure and loss detection */
        int rc = co_kafka_create_topics(m, rt->bootstrap, &rt->mock_broker, e,
                                        sizeof e);
        if (rc != 0) {
            co_log_error("%s", e);
            return rc;
        }
        /* before anything starts, a configuration fault (exit 2; trial
         * 71: the stage went FAILED at start and the run exited 1) */
        for (size_t i = 0; rt->mock_broker && i < m->n_stages; i++)
            if (m->stages[i].delivery == CO_DELIVERY_EXACTLY_ONCE &&
                co_run_is_local(o, m->stages[i].name)) {
                co_eos_mock_refusal(e, sizeof e, rt->bootstrap);
                co_log_error("stages[%zu] (%s).delivery: %s", i,
                             m->stages[i].name, e);
                return -1;
            }
        if (rt->mock_broker)
            co_log_info("broker %s is an embedded broker (librdkafka mock "
                        "cluster, in memory): keeping each partition's "
                        "backlog inside its window",
                        rt->bootstrap);
        /* what the mock holds dies with it: with every stage here, a
         * source saves its position only when the whole pipeline has
         * stored what it emitted, as on the in-process broker (trial 44:
         * `careerops broker` SIGKILLed, 2,605 of 6,000 emails never
         * stored, the source already past them) */
        int all_local = 1, source_here = 0;
        for (size_t i = 0; i < m->n_stages; i++) {
            int here = co_run_is_local(o, m->stages[i].name);
            all_local &= here;
            source_here |= here && m->stages[i].n_inputs == 0;
        }
        rt->defer_source_offsets = rt->mock_broker && all_local;
        if (!all_local)
            co_manifest_state_warn_split(m);
        /* said where a source runs (trial 63: in every --stage process) */
        if (rt->mock_broker && !all_local && source_here)
            co_log_warn("broker %s keeps records in memory only: if it dies, "
                        "records a source here has handed to it and later "
                        "stages had not stored are lost (the source saves "
                        "its position once the broker has them); after such "
                        "a loss read the source again from the start "
                        "(docs/operations.md, \"Deferred source "
                        "positions\")",
                        rt->bootstrap);
        return 0;
    }
    rt->emb = co_embedded_start(1, e, sizeof e);
    if (rt->emb == NULL) {
        co_log_error("%s", e);
        return -1;
    }
    /* a broker of its own reads all the input again: a second such run of
     * a stage on one state file would repeat its side effects (trial 59) */
    for (size_t i = 0; i < m->n_stages; i++) {
        const char *name = m->stages[i].name;
        if (co_run_is_local(o, name) &&
            co_state_claim_stage(m->state, name, &rt->state_claim_fd) == 1) {
            co_log_error("stage %s: another `careerops run` with a broker of "
                         "its own runs this stage on state %s: two would "
                         "each read all the input and repeat its "
                         "notifications; stop that one first (or give "
                         "this one another state file)",
                         co_cli_shown(name), co_cli_shown(m->state));
            return -1;
        }
    }
    rt->bootstrap = co_strdup(co_embedded_bootstraps(rt->emb));
    for (size_t i = 0; i < m->n_topics; i++)
        co_embedded_create_topic(rt->emb, m->topics[i].name,
                                 m->topics[i].partitions);
    co_log_info("embedded broker (in memory, librdkafka mock cluster) at %s",
                rt->bootstrap);
    co_alone_warn_inputs(m, o);
    if (o->bootstrap_file) {
        if (co_bootfile_write(o->bootstrap_file, rt->bootstrap) != 0) {
            if (errno != EEXIST) /* EEXIST: another broker's, said */
                co_log_error("--bootstrap-file %s: cannot write the "
                             "broker's address: %s",
                             co_cli_shown(o->bootstrap_file), strerror(errno));
            return -1;
        }
    }
    rt->defer_source_offsets = 1;
    rt->mock_broker = 1;
    return 0;
}

/* Create the local stage instances. Returns 0, 1 (asked to stop while
 * starting, e.g. while waiting for PostgreSQL), -2 (--until-idle gave up
 * on the state store: logged) or -1 (logged). */
static int co__instances(co_runtime_t *rt, const co_run_opts_t *o)
{
    char e[2048];
    const co_manifest_t *m = rt->m;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *sc = &m->stages[i];
        if (!co_run_is_local(o, sc->name))
            continue;
        int n = sc->n_inputs == 0 ? 1 : sc->concurrency;
        for (int k = 0; k < n; k++) {
            pthread_mutex_lock(&rt->inst_lock);
            rt->starting = sc->name;
            rt->starting_since_ms = co_mono_ms();
            pthread_mutex_unlock(&rt->inst_lock);
            co_stage_t *st =
                co_stage_new(&rt->env, m, sc, k, rt->bootstrap, e, sizeof e);
            if (st == NULL) {
                if (CO_RT_LOAD(&rt->stop) != CO_STOP_NONE) {
                    /* asked to stop while starting: not a failure */
                    co_log_info("stopped while starting: %s", e);
                    return 1;
                }
                co_log_error("%s", e);
                return co_stage_new_gave_up() ? -2 : -1;
            }
            pthread_mutex_lock(&rt->inst_lock);
            co_stage_t **v =
                realloc(rt->inst, (rt->n_inst + 1) * sizeof *rt->inst);
            if (v == NULL)
                abort();
            rt->inst = v;
            rt->inst[rt->n_inst++] = st;
            pthread_mutex_unlock(&rt->inst_lock);
        }
    }
    pthread_mutex_lock(&rt->inst_lock);
    rt->restart_req = co_xcalloc(rt->n_inst + 1, sizeof *rt->restart_req);
    rt->starting = NULL;
    pthread_mutex_unlock(&rt->inst_lock);
    return 0;
}

/* The control API, when the manifest asks for it (it logs its address and
 * where its token is). */
static co_control_t *co__control_start(co_runtime_t *rt)
{
    if (rt->m->http_listen == NULL)
        return NULL;
    char e[1024];
    co_control_routes_t r = {co__stages_json, co__health, co__stage_action, rt};
    co_control_t *http = co_control_start(rt->m, &r, e, sizeof e);
    if (http == NULL)
        co_log_error("http.listen: %s: no stage started; free the port, or "
                     "give another (\"127.0.0.1:0\" picks a free one; one "
                     "port per host when every stage has its own process)",
                     e);
    return http;
}

static void *co__close_consumer_thread(void *arg)
{
    co_stage_close_consumer(arg);
    return NULL;
}

/* Close the instances' consumers at the same time, one thread each: each
 * may wait up to 10 s to leave its group when the broker is gone, and one
 * after another that was 10 s per consumer stage (59-70 s for six). An
 * instance whose thread cannot be created is closed here. */
static void co__close_consumers(co_runtime_t *rt)
{
    pthread_t *th = calloc(rt->n_inst, sizeof *th);
    char *started = calloc(rt->n_inst, 1);
    for (size_t i = 0; i < rt->n_inst; i++)
        if (th && started && rt->inst[i]->consumer)
            started[i] = pthread_create(&th[i], NULL, co__close_consumer_thread,
                                        rt->inst[i]) == 0;
    for (size_t i = 0; i < rt->n_inst; i++) {
        if (started && started[i])
            pthread_join(th[i], NULL);
        else
            co_stage_close_consumer(rt->inst[i]);
    }
    free(th);
    free(started);
}

/* Stop every instance, join, free. Returns 1 if one FAILED, else 0. */
static int co__stop_all(co_runtime_t *rt)
{
    int failed = 0;
    for (size_t i = 0; i < rt->n_inst; i++)
        if (CO_RT_LOAD(&rt->inst[i]->stop) == CO_STOP_NONE)
            CO_RT_STORE(&rt->inst[i]->stop, CO_STOP_REQUESTED);
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->thread && CO_RT_LOAD(&st->finished) != CO_FINISH_JOINED)
            pthread_join(st->thread, NULL);
    }
    co__close_consumers(rt);
    /* after the close: its last commit may fail too (trial 45) */
    for (size_t i = 0; i < rt->n_inst; i++)
        if (co_stage_get_status(rt->inst[i]) == CO_STAGE_FAILED ||
            rt->inst[i]->unfinished_at_stop)
            failed = 1;
    for (size_t i = 0; i < rt->n_inst; i++)
        co_stage_free(rt->inst[i]);
    free(rt->inst);
    free(rt->restart_req);
    rt->inst = NULL;
    rt->n_inst = 0;
    return failed;
}

/* Start the workers, the control API, and supervise. Returns the exit
 * code. */
static int co__run(co_runtime_t *rt, const co_run_opts_t *o, co_control_t *http)
{
    co_sup_t sv;
    co_sup_init(&sv, rt, o);
    int rc = 0;
    for (size_t i = 0; i < rt->n_inst && rc == 0; i++)
        if (co_sup_start_instance(rt, i) != 0)
            rc = 2;
    if (rc == 0) {
        co_log_info("pipeline %s running %zu stage instance(s)",
                    rt->m->pipeline, rt->n_inst);
        char st[256];
        snprintf(st, sizeof st, "pipeline %s running %zu stage instance(s)",
                 rt->m->pipeline, rt->n_inst);
        co_notify_ready(st);
        rc = co_sup_run(&sv);
        co_notify_stopping(rc ? "stopping: a stage failed"
                              : "stopping: finishing in-flight records");
        co_drain_embedded(&sv, o->drain_timeout_ms);
    }
    co_control_stop(http);
    if (co__stop_all(rt) && rc == 0)
        rc = 1;
    co_sup_free(&sv);
    return rc;
}

/* No glibc fastbins: librdkafka allocates every record, every header of a
 * record (five CloudEvents headers) and every batch buffer apart, and
 * frees them thousands at a time after delivery; with fastbins each large
 * request then consolidates thousands of small free chunks. Without them
 * (the tcache still serves the hot sizes) the host took 3.1-3.2 instead of
 * 5.0-5.4 µs of CPU per 100 B record with CloudEvents headers, 1.3-1.7
 * instead of 1.7-1.8 without (bench/host, docs/benchmarks.md). */
static void co__malloc_tuning(void)
{
    if (mallopt(M_MXFAST, 0) != 1)
        co_log_warn("mallopt(M_MXFAST, 0) refused; keeping glibc's fastbins");
}

int co_pipeline_run(co_manifest_t *m, const co_run_opts_t *o)
{
    int exit_code = co__check(m, o);
    if (exit_code != 0)
        return exit_code;
    co_runtime_t rt;
    memset(&rt, 0, sizeof rt);
    rt.m = m;
    rt.state_claim_fd = -1;
    co__malloc_tuning();
    pthread_mutex_init(&rt.bp_lock, NULL);
    pthread_mutex_init(&rt.inst_lock, NULL);
    co__sig_rt = &rt;
    co__sig_drain_ms = o->drain_timeout_ms;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP); /* a closed terminal: stop as SIGTERM does */
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* a file-size limit (ulimit -f) makes write() fail with EFBIG, said by
     * the stage, instead of killing the host without a word (trial 59) */
    signal(SIGXFSZ, SIG_IGN);
    pthread_t sigthr;
    pthread_create(&sigthr, NULL, co__signal_thread, &set);

    int brc = co__broker_setup(&rt, o);
    if (brc != 0) {
        /* an unreachable broker is waited out by the service manager */
        exit_code = brc == -2 ? 1 : 2;
    } else {
        rt.bp_limit_records = co_bp_limit(&rt, o->no_backpressure);
        rt.env =
            (co_stage_env_t){.stop = &rt.stop,
                             .embedded = rt.emb != NULL,
                             .mock_broker = rt.mock_broker,
                             .defer_source_offsets = rt.defer_source_offsets,
                             .bp_limit_records = rt.bp_limit_records,
                             .until_idle = o->until_idle,
                             .downstream_committed = co__downstream_committed,
                             .downstream_end = co_bp_downstream_end,
                             .arg = &rt};
        /* the endpoint first: a port in use (or a token folder that is
         * not private) stops the run before any stage starts (trial 41: a
         * WARN, and the stages ran without /health); and /health answers
         * "starting" while a stage waits for its database (note 19) */
        co_control_t *http = co__control_start(&rt);
        int irc =
            http == NULL && m->http_listen != NULL ? -1 : co__instances(&rt, o);
        if (irc != 0) {
            /* the state store unreachable is the run failing (1), not
             * the configuration (2; trial 68) */
            exit_code = irc > 0 ? 0 : irc == -2 ? 1 : 2;
            co_control_stop(http);
            co__stop_all(&rt);
        } else {
            co_bp_init(&rt, o);
            exit_code = co__run(&rt, o, http);
        }
    }
    co_bp_free(&rt);
    /* as `broker` does: no later host reads a dead address (trial 59) */
    if (rt.emb != NULL && o->bootstrap_file && rt.bootstrap != NULL)
        co_bootfile_remove(o->bootstrap_file, rt.bootstrap);
    co_embedded_stop(rt.emb);
    if (rt.state_claim_fd >= 0)
        close(rt.state_claim_fd);
    free(rt.bootstrap);
    pthread_kill(sigthr, SIGUSR1);
    pthread_join(sigthr, NULL);
    pthread_mutex_destroy(&rt.bp_lock);
    pthread_mutex_destroy(&rt.inst_lock);
    int lost = co_stage_end_of_run(m->pipeline, rt.emb != NULL); /* 83-89 */
    exit_code = exit_code == 0 ? lost : exit_code;
    co_log_info("pipeline %s stopped (exit %d)", m->pipeline, exit_code);
    return exit_code;
}
