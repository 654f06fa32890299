/* Manifest checks against the plugins' declarations. */
#include "validate.h"
#include "err.h"
#include "control.h"
#include "kafka.h"
#include "loader.h"
#include "options.h"
#include "backoff.h"
#include "backpressure.h"
#include "log.h"
#include "url.h"
#include "util.h" /* co_path_join() */

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each kafka property through librdkafka's own parser on a scratch
 * configuration: an unknown name or a bad value is a fault at kafka.NAME
 * here, not a FAILED stage at run time. */
/* librdkafka's lines while probing: debug only (the fault is reported). */
/* The SASL mechanism must be one librdkafka has: it reads the value only
 * when a client is created, and with a plaintext security.protocol never. */
static int co__validate_sasl(const co_manifest_t *m, co_diag_t *d)
{
    static const char *const known[] = {"GSSAPI", "PLAIN", "SCRAM-SHA-256",
                                        "SCRAM-SHA-512", "OAUTHBEARER"};
    const char *key;
    const char *mech = co_kafka_sasl_mechanism(m, &key);
    if (mech == NULL)
        return 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(mech, known[i]) == 0)
            return 0;
    char path[64];
    snprintf(path, sizeof path, "kafka.%s", key);
    co_diag_add(d, path,
                "\"%s\" is not a SASL mechanism librdkafka %s supports: use "
                "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, GSSAPI or OAUTHBEARER "
                "(the broker's sasl.enabled.mechanisms lists what it accepts)",
                mech, rd_kafka_version_str());
    return 1;
}

/* The files that librdkafka reads only when a client is made, checked by
 * co_kafka_file_check() (a missing one, a folder, a FIFO: trial 54).
 * Returns the number of faults added. */
static int co__validate_kafka_files(const co_manifest_t *m, co_diag_t *d)
{
    int faults = 0;
    const char *k;
    json_t *v;
    json_object_foreach(m->kafka, k, v)
    {
        char e[1024], path[300];
        if (!json_is_string(v) ||
            co_kafka_file_check(k, json_string_value(v), e, sizeof e) == 0)
            continue;
        snprintf(path, sizeof path, "kafka.%s", k);
        co_diag_add(d, path, "%s", e);
        faults++;
    }
    return faults;
}

/* Some settings librdkafka checks only when a client is made (SSL files,
 * SASL set-up): make one, without bootstrap.servers so that it connects
 * nowhere, and destroy it. GSSAPI is left out: its set-up runs kinit. */
static void co__validate_kafka_client(const co_manifest_t *m,
                                      rd_kafka_conf_t *conf, co_diag_t *d)
{
    const char *proto =
        json_string_value(json_object_get(m->kafka, "security.protocol"));
    const char *key;
    const char *mech = co_kafka_sasl_mechanism(m, &key);
    if (proto && strncasecmp(proto, "SASL", 4) == 0 &&
        (mech == NULL || strcmp(mech, "GSSAPI") == 0)) {
        rd_kafka_conf_destroy(conf);
        return;
    }
    char e[512];
    rd_kafka_conf_set_log_cb(conf, co_kafka_log_quiet);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (rk != NULL) {
        rd_kafka_destroy(rk);
        return;
    }
    rd_kafka_conf_destroy(conf);
    /* the setting librdkafka names, else the SASL mechanism's */
    char path[300] = "kafka";
    const char *k;
    json_t *v;
    json_object_foreach(m->kafka, k, v) if (k[0] && strstr(e, k))
        snprintf(path, sizeof path, "kafka.%s", k);
    if (strcmp(path, "kafka") == 0 &&
        (strstr(e, "SASL") || strstr(e, "hash function")))
        snprintf(path, sizeof path, "kafka.%s", key);
    co_diag_add(d, path,
                "librdkafka %s cannot make a client with these settings: %s "
                "(see its CONFIGURATION.md)",
                rd_kafka_version_str(), e);
}

static void co__validate_kafka(const co_manifest_t *m, co_diag_t *d)
{
    if (m->kafka == NULL)
        return;
    size_t before = d->n;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *k;
    json_t *v;
    json_object_foreach(m->kafka, k, v)
    {
        char e[512], path[300];
        if (!json_is_string(v) || k[0] == '\0' ||
            strcmp(k, "bootstrap.servers") == 0)
            continue; /* reported by the manifest parser, or "embedded" */
        /* settings the host makes per stage itself (trial 41: a global
         * transactional.id passed validate, then every stage FAILED or
         * "Erroneous state" repeated forever) */
        if (strcmp(k, "transactional.id") == 0 || strcmp(k, "group.id") == 0) {
            snprintf(path, sizeof path, "kafka.%s", k);
            co_diag_add(d, path,
                        "the host sets %s itself, per stage (%s); remove "
                        "it%s",
                        k,
                        k[0] == 't' ? "the stage's transactional.id with "
                                      "\"delivery\": \"exactly-once\""
                                    : "consumer group careerops.PIPELINE."
                                      "STAGE",
                        k[0] == 't' ? ", and set the stage's \"delivery\": "
                                      "\"exactly-once\" for transactions"
                                    : "");
            continue;
        }
        /* trial 89: SASL_SSL on the embedded broker passed validate, then
         * the run retried its handshake for ever */
        if (m->embedded && strcmp(k, "security.protocol") == 0 &&
            (strcasecmp(json_string_value(v), "ssl") == 0 ||
             strcasecmp(json_string_value(v), "sasl_ssl") == 0 ||
             strcasecmp(json_string_value(v), "sasl_plaintext") == 0)) {
            /* (a value librdkafka does not know is left to its own
             * check below) */
            co_diag_add(d, "kafka.security.protocol",
                        "the embedded broker speaks PLAINTEXT only; remove "
                        "kafka.security.protocol (its sasl.* and ssl.* "
                        "settings are then unused) or set "
                        "kafka.bootstrap.servers to your Kafka cluster");
            continue;
        }
        /* trial 83: 3-8 MB records with message.max.bytes=50000000 on
         * the embedded broker were all lost, silently: the mock keeps the
         * newest 5 MiB per partition, and backpressure 40% of that */
        long long mb = strcmp(k, "message.max.bytes") == 0
                           ? atoll(json_string_value(v))
                           : 0;
        if (m->embedded && mb > CO_MOCK_PARTITION_BYTES * 4 / 10) {
            co_diag_add(d, "kafka.message.max.bytes",
                        "%lld bytes is more than the embedded broker can "
                        "keep safely: it holds the newest %d bytes of each "
                        "partition and backpressure keeps 40%% of that, so "
                        "larger records would be dropped; at most %d on the "
                        "embedded broker, or set kafka.bootstrap.servers to "
                        "a Kafka cluster",
                        mb, CO_MOCK_PARTITION_BYTES,
                        CO_MOCK_PARTITION_BYTES * 4 / 10);
            continue;
        }
        if (co_kafka_conf_set(conf, k, json_string_value(v), e, sizeof e) !=
            0) {
            snprintf(path, sizeof path, "kafka.%s", k);
            co_diag_add(d, path,
                        "%s (librdkafka %s; see its CONFIGURATION.md for "
                        "the property names and values)",
                        e, rd_kafka_version_str());
        }
    }
    /* the mechanism and the files are checked with the rest (every fault
     * in one pass); the trial client only on settings librdkafka took */
    int faults = (int)(d->n - before);
    faults += co__validate_sasl(m, d);
    faults += co__validate_kafka_files(m, d);
    if (faults == 0)
        co__validate_kafka_client(m, conf, d); /* takes conf */
    else
        rd_kafka_conf_destroy(conf);
}

/* A consumer stays in its group only while it polls at least every
 * max.poll.interval.ms, and a record's retries (errors.retries with their
 * backoff) run between two polls: the longest possible series must fit, or
 * the group evicts the stage and the record is retried from its start
 * again after the rejoin, forever. (The in-process embedded broker assigns
 * partitions statically: no group, no eviction.) */
/* The longest series of retries of one record with their backoff, in ms
 * (counting stops once it passes `cap`). */
static long long co__retry_worst(const co_stage_conf_t *s, long long cap)
{
    long long worst = 0;
    for (int a = 1; a <= s->retries && worst <= cap; a++)
        worst += co_backoff_ms(a, s->backoff_ms, s->backoff_max_ms, 0, 1.0);
    return worst;
}

static void co__validate_retry_budget(const co_manifest_t *m, co_diag_t *d)
{
    const char *mp =
        json_string_value(json_object_get(m->kafka, "max.poll.interval.ms"));
    long long limit = mp ? atoll(mp) : 300000; /* librdkafka's default */
    if (m->embedded || limit <= 0)
        return; /* in process: static assignment, no group; or refused by
                 * librdkafka's parser above */
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (s->n_inputs == 0)
            continue; /* sources have no consumer */
        if (co__retry_worst(s, limit) <= limit)
            continue;
        char path[CO_STAGE_PATH_MAX + 16];
        co_manifest_stage_path(path, CO_STAGE_PATH_MAX, i, s->name);
        strcat(path, ".errors.retries");
        co_diag_add(d, path,
                    "%d retries with backoff up to %lld ms can hold one record "
                    "for more than kafka.max.poll.interval.ms (%lld ms): the "
                    "consumer group would evict stage '%s' while it retries "
                    "and the record would start over after the rejoin; lower "
                    "errors.retries or errors.backoff_max_ms, or raise "
                    "kafka.max.poll.interval.ms",
                    s->retries, (long long)s->backoff_max_ms, limit,
                    s->name ? s->name : "");
    }
}

/* `delivery: exactly-once`: processor stages on a real Kafka cluster,
 * whose transactions outlive a batch (docs/operations.md, "Exactly-once").
 * A `careerops broker` (mock) behind a plain address is refused when the
 * stage starts (eos.c). */
static void co__validate_eos(const co_manifest_t *m, const co_stage_conf_t *s,
                             size_t i, co_diag_t *d)
{
    char sp[CO_STAGE_PATH_MAX], dp[CO_STAGE_PATH_MAX + 32];
    co_manifest_stage_path(sp, sizeof sp, i, s->name);
    snprintf(dp, sizeof dp, "%s.delivery", sp);
    if (s->n_inputs == 0) {
        co_diag_add(d, dp,
                    "\"exactly-once\" is for processor stages: a source's "
                    "input is not a Kafka topic, so its position cannot "
                    "be committed in a Kafka transaction; use "
                    "\"at-least-once\" (downstream stages drop repeats by "
                    "the record key, the idempotency key)");
        return;
    }
    if (s->output == NULL) {
        co_diag_add(d, dp,
                    "\"exactly-once\" is for processor stages: a sink's "
                    "side effects (rows, posts, files) happen outside the "
                    "Kafka transaction and would repeat after an abort; use "
                    "\"at-least-once\" with idempotency keys (the sink's "
                    "upserts or idem checks)");
        return;
    }
    if (m->embedded) {
        co_diag_add(d, dp,
                    "\"exactly-once\" needs a real Kafka cluster: the "
                    "embedded broker (librdkafka %s's mock cluster) does "
                    "not hide aborted transactions from read_committed "
                    "consumers, so duplicates would reach them; set "
                    "kafka.bootstrap.servers to a Kafka cluster, or use "
                    "\"at-least-once\" with idempotency keys",
                    rd_kafka_version_str());
        return;
    }
    const char *iso =
        json_string_value(json_object_get(m->kafka, "isolation.level"));
    if (iso && strcmp(iso, "read_committed") != 0)
        co_diag_add(d, "kafka.isolation.level",
                    "\"%s\": stage '%s' is exactly-once, and the stages "
                    "that read its output must read committed records only, "
                    "or they see the records of aborted transactions; "
                    "remove kafka.isolation.level (the default is "
                    "read_committed)",
                    iso, s->name ? s->name : "");
    const char *tt =
        json_string_value(json_object_get(m->kafka, "transaction.timeout.ms"));
    long long limit = tt ? atoll(tt) : 60000; /* librdkafka's default */
    long long worst = co__retry_worst(s, limit);
    if (limit > 0 && s->commit_interval_ms + worst >= limit) {
        snprintf(dp, sizeof dp, "%s.commit_interval_ms", sp);
        co_diag_add(d, dp,
                    "%lld ms, plus up to %lld ms of retries of one record "
                    "(errors.retries with their backoff), can keep an "
                    "exactly-once transaction open past "
                    "kafka.transaction.timeout.ms (%lld ms): the broker "
                    "would abort it and fence the stage; lower "
                    "commit_interval_ms or the retries, or raise "
                    "kafka.transaction.timeout.ms",
                    (long long)s->commit_interval_ms, worst, limit);
    }
    /* an open transaction's records count as downstream lag that the
     * read_committed consumers cannot read away yet */
    if (s->max_batch * 2 > CO_BP_LIMIT_RECORDS) {
        snprintf(dp, sizeof dp, "%s.max_batch", sp);
        co_diag_add(d, dp,
                    "%lld records per exactly-once transaction is too many: "
                    "its uncommitted records count as lag downstream that "
                    "read_committed consumers cannot reduce, against a "
                    "backpressure limit of %d per partition; keep max_batch "
                    "at most %d",
                    (long long)s->max_batch, CO_BP_LIMIT_RECORDS,
                    CO_BP_LIMIT_RECORDS / 2);
    }
}

/* alerts (docs/manifest.md, "alerts"): the webhook must be an http(s)
 * URL (a typo'd one would only fail at the first alert, in a log line), and
 * the alert records need a topic of their own: written into a stage's
 * output or dead-letter topic they would reach that topic's consumers as
 * mail, events or dead letters. */
static void co__validate_alerts(const co_manifest_t *m, co_diag_t *d)
{
    const co_alerts_conf_t *a = &m->alerts;
    char e[512];
    /* (a secret not readable is reported already, its "${secret:...}"
     * left in place: no second fault) */
    if (a->webhook_url && a->webhook_url[0] &&
        strncmp(a->webhook_url, "${secret:", 9) != 0 &&
        co_url_http_check(a->webhook_url, e, sizeof e) != 0)
        co_diag_add(d, "alerts.webhook_url", "%s", e);
    if (a->topic == NULL)
        return;
    if (a->topic[0] == '\0') {
        co_diag_add(d, "alerts.topic",
                    "is empty: give the topic for the alert records, e.g. "
                    "\"alerts\" (the default; remove the field)");
        return;
    }
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        const char *what = s->output && strcmp(s->output, a->topic) == 0
                               ? "output"
                           : s->dlq_topic && strcmp(s->dlq_topic, a->topic) == 0
                               ? "dead-letter topic"
                               : NULL;
        if (what == NULL)
            continue;
        char sp[CO_STAGE_PATH_MAX];
        co_manifest_stage_path(sp, sizeof sp, i, s->name);
        co_diag_add(d, "alerts.topic",
                    "\"%s\" is also the %s of %s: the alert records would be "
                    "mixed with its records; give the alerts a topic of "
                    "their own, e.g. \"alerts\" (the default)",
                    a->topic, what, sp);
        return;
    }
}

/* A dead-letter topic that is some stage's output would hand dead letters
 * to that topic's consumers as if they were records (trial 28: a stage's
 * dead letters in its own output reached the next stage). */
static void co__validate_dlq_topics(const co_manifest_t *m, co_diag_t *d)
{
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (!s->tolerance_all || s->dlq_topic == NULL)
            continue;
        for (size_t j = 0; j < m->n_stages; j++) {
            const co_stage_conf_t *o = &m->stages[j];
            if (o->output == NULL || strcmp(o->output, s->dlq_topic) != 0)
                continue;
            char sp[CO_STAGE_PATH_MAX + 32], op[CO_STAGE_PATH_MAX];
            co_manifest_stage_path(sp, CO_STAGE_PATH_MAX, i, s->name);
            strcat(sp, ".errors.dead_letter_topic");
            co_manifest_stage_path(op, sizeof op, j, o->name);
            co_diag_add(d, sp,
                        "\"%s\" is also the output of %s: its consumers would "
                        "take the dead letters for records; give the dead "
                        "letters a topic of their own, e.g. \"dlq_%s\"",
                        s->dlq_topic, i == j ? "this stage" : op, s->name);
            break;
        }
    }
}

/* The plugin's own check of its filled configuration (ABI 1.2
 * co_plugin_t::check): "KEY: message" names stages[i] (NAME).config.KEY when
 * KEY is a declared option, else the message goes to the config object. */
static void co__validate_check(const co_plugin_t *p, json_t *config,
                               const char *dir, const char *path, co_diag_t *d)
{
    if (!CO_PLUGIN_HAS(p, check, 2))
        return;
    /* a fault already reported in this config (a secret not readable: the
     * value is still "${secret:...}") would only make the plugin's check
     * say a second, misleading thing about it (trial 41: "not a libpq
     * connection string" after the missing secret) */
    size_t pl = strlen(path);
    for (size_t i = 0; i < d->n; i++)
        if (strncmp(d->msgs[i], path, pl) == 0 &&
            (d->msgs[i][pl] == '.' || d->msgs[i][pl] == ':'))
            return;
    co_optmem_t *mem = NULL;
    void *cfg = co_options_fill(p, config, dir, &mem);
    char e[1024] = "";
    co_status_t cs = p->check(cfg, e, sizeof e);
    if (cs != CO_OK) {
        e[sizeof e - 1] = '\0';
        const char *msg = e;
        char at[512];
        snprintf(at, sizeof at, "%s", path);
        const char *colon = strstr(e, ": ");
        for (const co_option_t *o = p->options;
             colon && o && o->type != CO_OPT_END; o++)
            if (strlen(o->name) == (size_t)(colon - e) &&
                strncmp(o->name, e, (size_t)(colon - e)) == 0) {
                snprintf(at, sizeof at, "%s.%s", path, o->name);
                msg = colon + 2;
                break;
            }
        if (msg[0] != '\0')
            co_diag_add(d, at, "%s", msg);
        else /* trial 83: ": refused by the plugin's check", no more */
            co_diag_add(d, at,
                        "refused by the plugin's check(), which returned %s "
                        "and gave no reason (a plugin writes one into "
                        "check()'s errstr)",
                        co_status_name(cs));
    }
    co_options_free(cfg, mem);
}

int co_validate_plugins(const co_manifest_t *m, co_diag_t *d)
{
    size_t before = d->n;
    co__validate_kafka(m, d);
    co__validate_retry_budget(m, d);
    co_validate_when(m, d);
    co__validate_alerts(m, d);
    co__validate_dlq_topics(m, d);
    char e[512];
    if (co_control_listen_check(m->http_listen, m->http_token_file, e,
                                sizeof e) != 0)
        co_diag_add(d, "http.listen", "%s",
                    strncmp(e, "http.listen ", 12) == 0 ? e + 12 : e);
    /* serve and run refuse a token of the wrong length at start */
    if (m->http_token_file && access(m->http_token_file, R_OK) == 0 &&
        co_control_token_check(m->http_token_file, e, sizeof e) != 0)
        co_diag_add(d, "http.token_file", "%s",
                    strncmp(e, "http.token_file ", 16) == 0 ? e + 16 : e);
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        char path[320], e[2048];
        if (s->plugin == NULL || s->name == NULL)
            continue; /* already reported by the manifest parser */
        char sp[CO_STAGE_PATH_MAX];
        co_manifest_stage_path(sp, sizeof sp, i, s->name);
        snprintf(path, sizeof path, "%s.%s", sp,
                 s->plugin_file ? "plugin_file" : "plugin");
        const co_plugin_handle_t *h =
            co_plugin_load_as(s->plugin, s->plugin_file, e, sizeof e);
        if (h == NULL) {
            co_diag_add(d, path, "%s", e);
            continue;
        }
        const co_plugin_t *p = h->desc;
        snprintf(path, sizeof path, "%s", sp);
        int src = s->n_inputs == 0;
        int sink = s->n_inputs > 0 && s->output == NULL;
        if (s->input_invalid)
            ; /* its kind is unknown: the bad "input" is reported */
        else if (src && !(p->kinds & CO_KIND_SOURCE))
            co_diag_add(d, path,
                        "stage has no input, so it is a source, but plugin "
                        "%s is not a source: add \"input\"",
                        s->plugin);
        else if (sink && !(p->kinds & (CO_KIND_SINK | CO_KIND_PROCESSOR)))
            co_diag_add(d, path,
                        "plugin %s cannot consume records (it is "
                        "a source): remove \"input\"",
                        s->plugin);
        else if (sink && !(p->kinds & CO_KIND_SINK))
            /* trial 70: it passed, and run dead-lettered every record */
            co_diag_add(d, path,
                        "plugin %s is a processor: it emits records, but the "
                        "stage has no \"output\": give it the topic to write "
                        "to",
                        s->plugin);
        else if (!src && !sink && !(p->kinds & CO_KIND_PROCESSOR) &&
                 !(p->kinds & CO_KIND_SINK))
            co_diag_add(d, path, "plugin %s cannot consume records", s->plugin);
        else if (!src && !sink && !(p->kinds & CO_KIND_PROCESSOR))
            co_diag_add(d, path,
                        "plugin %s is a sink: it takes \"input\" but "
                        "produces nothing, so remove \"output\"",
                        s->plugin);
        if (s->delivery == CO_DELIVERY_EXACTLY_ONCE)
            co__validate_eos(m, s, i, d);
        snprintf(path, sizeof path, "%s.config", sp);
        if (co_options_validate(p->options, s->config, path, d) == 0)
            co__validate_check(p, s->config, m->dir, path, d);
    }
    return (int)(d->n - before);
}

/* Whether a and b name one file: the same inode when both exist, else
 * the same spelling. */
static int co__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

/* A stage's output file that is the manifest itself or the file: state
 * store: records appended to the manifest broke it, and a state file full
 * of records left `--until-idle` waiting for ever (trial 65). */
static void co__outputs_collide(const co_manifest_t *m, const co_option_t *opts,
                                json_t *config, const char *path, co_diag_t *d)
{
    const char *state =
        m->state && strncmp(m->state, "file:", 5) == 0 ? m->state + 5 : NULL;
    for (const co_option_t *o = opts; o && o->type != CO_OPT_END; o++) {
        const char *sv = json_string_value(json_object_get(config, o->name));
        if (o->type != CO_OPT_STR || !(o->flags & CO_OPT_OUTPUT) ||
            !(o->flags & CO_OPT_PATH) || sv == NULL || sv[0] == '\0' ||
            strcmp(sv, "-") == 0)
            continue;
        char *file = co_path_join(m->dir, sv);
        const char *what = co__same_file(file, m->path) ? "the manifest itself"
                           : state && co__same_file(file, state)
                               ? "the file: state store of `state`"
                               : NULL;
        if (what != NULL) {
            char p[512];
            snprintf(p, sizeof p, "%s.%s", path, o->name);
            co_diag_add(d, p,
                        "%s is %s: the stage would write its records into "
                        "it; give another file",
                        file, what);
        }
        free(file);
    }
}

int co_validate_outputs(const co_manifest_t *m, const char *const *stages,
                        co_diag_t *d)
{
    size_t before = d->n;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        int picked = stages == NULL;
        for (size_t k = 0; !picked && stages[k]; k++)
            picked = s->name && strcmp(stages[k], s->name) == 0;
        if (!picked || s->plugin == NULL || s->name == NULL)
            continue;
        char e[2048], path[320];
        const co_plugin_handle_t *h =
            co_plugin_load_as(s->plugin, s->plugin_file, e, sizeof e);
        if (h == NULL)
            continue; /* reported by co_validate_plugins() */
        char sp[CO_STAGE_PATH_MAX];
        co_manifest_stage_path(sp, sizeof sp, i, s->name);
        snprintf(path, sizeof path, "%s.config", sp);
        co_options_check_outputs(h->desc->options, s->config, m->dir, path, d);
        co__outputs_collide(m, h->desc->options, s->config, path, d);
    }
    return (int)(d->n - before);
}
