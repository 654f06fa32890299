/* librdkafka configuration, embedded mock cluster, topics, lag. */
#include "kafka.h"
#include "log.h"
#include "util.h"
#include "co_readfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

const char *co_kafka_sasl_mechanism(const co_manifest_t *m, const char **key)
{
    const char *k = "sasl.mechanisms";
    const char *v = json_string_value(json_object_get(m->kafka, k));
    if (v == NULL) {
        k = "sasl.mechanism";
        v = json_string_value(json_object_get(m->kafka, k));
    }
    if (key != NULL)
        *key = k;
    return v;
}

int co_kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
                      const char *value, char *e, size_t e_size)
{
    if (rd_kafka_conf_set(conf, name, value, e, e_size) == RD_KAFKA_CONF_OK)
        return 0;
    size_t n = strlen(e); /* "... range 0..900000\n" (trial 53) */
    while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == ' '))
        e[--n] = '\0';
    return -1;
}

int co_kafka_file_check(const char *name, const char *value, char *e,
                        size_t e_size)
{
    static const struct {
        const char *key, *what;
        int dir_ok; /* a folder of certificates is allowed */
    } files[] = {
        {"ssl.ca.location",
         "the CA certificate(s) that signed the brokers' certificates (a PEM "
         "file or a folder of them; \"probe\" looks in the system's places)",
         1},
        {"ssl.certificate.location", "this client's certificate (PEM)", 0},
        {"ssl.key.location", "this client's private key (PEM)", 0},
        {"ssl.crl.location", "the certificate revocation list (PEM)", 0},
        {"ssl.keystore.location", "this client's PKCS#12 keystore", 0},
        {"sasl.kerberos.keytab", "the Kerberos keytab", 0},
    };
    size_t i = 0;
    while (i < sizeof files / sizeof files[0] && strcmp(name, files[i].key))
        i++;
    if (i == sizeof files / sizeof files[0] || value == NULL ||
        value[0] == '\0' || (files[i].dir_ok && strcmp(value, "probe") == 0))
        return 0;
    struct stat st;
    const char *kind = co_readfile_kind(value);
    if (stat(value, &st) != 0 || access(value, R_OK) != 0) {
        snprintf(e, e_size,
                 "cannot read '%s' (%s): give the path of %s, or remove the "
                 "setting",
                 value, strerror(errno), files[i].what);
        return -1;
    }
    if (S_ISDIR(st.st_mode) && !files[i].dir_ok) {
        snprintf(e, e_size, "'%s' is a folder: give the path of %s in it",
                 value, files[i].what);
        return -1;
    }
    /* OpenSSL reads a key or certificate file in 4 KiB pieces: a 2 GB
     * one took minutes of validate (trial 55); no PEM file, keystore or
     * keytab comes near 16 MiB */
    if (S_ISREG(st.st_mode) && st.st_size > 16 * 1024 * 1024) {
        snprintf(e, e_size,
                 "'%s' is %lld bytes, more than 16 MiB: give the path of %s",
                 value, (long long)st.st_size, files[i].what);
        return -1;
    }
    /* OpenSSL opens it blocking: a FIFO nothing writes to hung validate's
     * trial client and run for ever (trial 54) */
    if (kind != NULL && !S_ISDIR(st.st_mode)) {
        snprintf(e, e_size,
                 "'%s' is %s, not a regular file: give the path of %s", value,
                 kind, files[i].what);
        return -1;
    }
    return 0;
}

int co_kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                 char *errstr, size_t sz)
{
    char e[512];
    if (co_kafka_conf_set(conf, name, value, e, sizeof e) != 0) {
        co_errf(errstr, sz, "kafka.%s: %s", name, e);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *co_kafka_conf_new(const co_manifest_t *m,
                                   const char *bootstrap, char *errstr,
                                   size_t sz)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *k;
    json_t *v;
    json_object_foreach(m->kafka, k, v)
    {
        if (strcmp(k, "bootstrap.servers") == 0 || !json_is_string(v))
            continue;
        char e[1024];
        if (co_kafka_file_check(k, json_string_value(v), e, sizeof e) != 0) {
            co_errf(errstr, sz, "kafka.%s: %s", k, e);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
        if (co_kafka_set(conf, k, json_string_value(v), errstr, sz) != 0) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    if (co_kafka_set(conf, "bootstrap.servers", bootstrap, errstr, sz) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* librdkafka's own log lines go through our JSON logger (they were
     * written to stderr as "%3|..." by the helper clients and `dlq`) */
    rd_kafka_conf_set_log_cb(conf, co_kafka_log_quiet);
    return conf;
}

void co_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                     const char *buf)
{
    (void)rk;
    /* the manifest's kafka properties go to producers and consumers alike;
     * librdkafka's note that one of them ignores a property is noise */
    if (strstr(buf, "will be ignored by this"))
        level = 7;
    /* a fatal error is also reported to the error_cb, whose one FATAL line
     * names the stage and the setting to check (port_kafka_fatal.c) */
    if (strcmp(fac, "FATAL") == 0)
        level = 7;
    co_log(level <= 3   ? CO_LOG_ERROR
           : level <= 4 ? CO_LOG_WARN
                        : CO_LOG_DEBUG,
           NULL, "librdkafka", "%s: %s", fac, buf);
}

void co_kafka_log_quiet(const rd_kafka_t *rk, int level, const char *fac,
                        const char *buf)
{
    (void)rk;
    (void)level;
    co_log(CO_LOG_DEBUG, NULL, "librdkafka", "%s: %s", fac, buf);
}

int co_kafka_consumer_close(rd_kafka_t *rk, int timeout_ms,
                            co_kafka_rebalance_fn on_rebalance,
                            int (*give_up)(void *arg), void *arg)
{
    if (rk == NULL)
        return 0;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_error_t *err = rd_kafka_consumer_close_queue(rk, q);
    int closed = err == NULL;
    if (err)
        rd_kafka_error_destroy(err);
    int64_t end = co_mono_ms() + timeout_ms;
    while (closed && !rd_kafka_consumer_closed(rk)) {
        if (co_mono_ms() >= end || (give_up && give_up(arg))) {
            closed = 0;
            break;
        }
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (ev == NULL)
            continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE) {
            if (on_rebalance)
                on_rebalance(rk, rd_kafka_event_error(ev),
                             rd_kafka_event_topic_partition_list(ev), arg);
            else
                rd_kafka_assign(rk, NULL);
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy_flags(rk,
                           closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    return closed ? 0 : -1;
}

struct co_embedded_s {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    char *bootstraps;
    int waking; /**< atomic: co__mock_waker() keeps waking the cluster */
};

int co_embedded_create_manifest_topics(co_embedded_t *e, const char *path,
                                       const char *const *sets)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(path, sets, &d);
    if (m == NULL) {
        co_diag_print(&d, path);
        co_diag_free(&d);
        return 2;
    }
    /* a topic name the broker cannot create is its fault (note 31: it was
     * a warning, and the pipeline then had no topic) */
    size_t bad = 0;
    for (size_t t = 0; t < m->n_topics; t++)
        bad += !co_manifest_name_ok(m->topics[t].name);
    if (bad > 0) {
        co_diag_print(&d, path);
        fprintf(stderr,
                "error: %s: %zu topic name(s) the broker cannot create: "
                "fix them (careerops validate lists every fault)\n",
                co_cli_shown(path), bad);
        co_diag_free(&d);
        co_manifest_free(m);
        return 2;
    }
    /* faults elsewhere in the manifest are not the broker's (trial 45: an
     * unset ${env:CAREEROPS_STATE} refused it) */
    co_diag_print_as(&d, path, "warning");
    if (d.n > 0)
        fprintf(stderr, "warning: %s: its topics are created anyway\n",
                co_cli_shown(path));
    co_diag_free(&d);
    for (size_t t = 0; t < m->n_topics; t++)
        co_embedded_create_topic(e, m->topics[t].name, m->topics[t].partitions);
    co_manifest_free(m);
    return 0;
}

co_embedded_t *co_embedded_start(int brokers, char *errstr, size_t sz)
{
    char e[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
    /* the mock cluster's lines (a client's TLS hello it cannot parse:
     * "PROTOERR ... Invalid ApiKey", 20,000 raw "%1|" lines on stderr in
     * trial 89) are its clients' problems, which they report themselves:
     * at debug level, through the JSON logger */
    rd_kafka_conf_set_log_cb(conf, co_kafka_log_quiet);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (rk == NULL) {
        co_errf(errstr, sz, "embedded broker: %s", e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (mc == NULL) {
        co_errf(errstr, sz, "embedded broker: could not start mock cluster");
        rd_kafka_destroy(rk);
        return NULL;
    }
    co_embedded_t *em = co_xcalloc(1, sizeof *em);
    em->rk = rk;
    em->mc = mc;
    em->bootstraps = co_strdup(rd_kafka_mock_cluster_bootstraps(mc));
    return em;
}

const char *co_embedded_bootstraps(const co_embedded_t *e)
{
    return e->bootstraps;
}

void *co_embedded_mock(const co_embedded_t *e)
{
    return e->mc;
}

/* librdkafka 2.0.2's mock cluster thread notices an operation (topic
 * creation, destroy) only when its poll() wakes up, which can take its
 * full 1 s timeout; a connection to its listener wakes it at once. The
 * waker connects every 5 ms until the operation returned (e->waking
 * cleared), at most 2 s. */
static void *co__mock_waker(void *arg)
{
    co_embedded_t *e = arg;
    const char *bs = e->bootstraps;
    const char *colon = strrchr(bs, ':');
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(colon ? colon + 1 : "0"));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 400 && __atomic_load_n(&e->waking, __ATOMIC_SEQ_CST);
         i++) {
        /* non-blocking: a connect to a full listen backlog would wait
         * for a SYN retransmission (1 s) */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0)
            break;
        (void)connect(fd, (struct sockaddr *)&sa, sizeof sa);
        close(fd);
        co_sleep_ms(5);
    }
    return NULL;
}

/* Start waking the mock cluster's thread; *th is set when a waker runs.
 * Returns 1 when one runs (co__wake_end() joins it). */
static int co__wake_begin(co_embedded_t *e, pthread_t *th)
{
    __atomic_store_n(&e->waking, 1, __ATOMIC_SEQ_CST);
    return pthread_create(th, NULL, co__mock_waker, e) == 0;
}

static void co__wake_end(co_embedded_t *e, pthread_t th, int running)
{
    __atomic_store_n(&e->waking, 0, __ATOMIC_SEQ_CST);
    if (running)
        pthread_join(th, NULL);
}

int co_embedded_create_topic(co_embedded_t *e, const char *topic,
                             int partitions)
{
    pthread_t th;
    int w = co__wake_begin(e, &th);
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(e->mc, topic, partitions, 1);
    co__wake_end(e, th, w);
    if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        co_log_error("embedded broker: cannot create topic %s: %s", topic,
                     rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

void co_embedded_stop(co_embedded_t *e)
{
    if (e == NULL)
        return;
    pthread_t th;
    int w = co__wake_begin(e, &th);
    rd_kafka_mock_cluster_destroy(e->mc);
    co__wake_end(e, th, w);
    rd_kafka_destroy(e->rk);
    free(e->bootstraps);
    free(e);
}

/* What the first client of a run saw while it tried the broker: a refused
 * login ends the wait at once, with a message naming the settings instead
 * of librdkafka's retry lines. */
typedef struct {
    int auth;      /**< atomic: the broker refused the SASL login */
    char why[512]; /**< librdkafka's last error reason */
    pthread_mutex_t mu;
} co__probe_t;

static void co__probe_error_cb(rd_kafka_t *rk, int err, const char *reason,
                               void *opaque)
{
    (void)rk;
    co__probe_t *p = opaque;
    int auth = err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
               err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
    pthread_mutex_lock(&p->mu);
    /* keep the first telling reason, not "1/1 brokers are down" after it */
    if (!__atomic_load_n(&p->auth, __ATOMIC_SEQ_CST) &&
        (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || p->why[0] == '\0'))
        snprintf(p->why, sizeof p->why, "%s", reason);
    pthread_mutex_unlock(&p->mu);
    if (auth)
        __atomic_store_n(&p->auth, 1, __ATOMIC_SEQ_CST);
}

/* librdkafka's own lines for this short-lived client: debug only (the
 * errors reach co__probe_error_cb and the message built from it). */
/* The secret file behind the manifest's kafka.sasl.password, when it is a
 * plain ${secret:NAME}: "the secret file PATH", else "the manifest". */
static void co__password_source(const co_manifest_t *m, char *out, size_t sz)
{
    snprintf(out, sz, "the manifest %s", m->path ? m->path : "");
    json_t *raw = m->path ? json_load_file(m->path, 0, NULL) : NULL;
    const char *v = json_string_value(
        json_object_get(json_object_get(raw, "kafka"), "sasl.password"));
    size_t n;
    if (v && strncmp(v, "${secret:", 9) == 0 && (n = strlen(v)) > 10 &&
        v[n - 1] == '}' && strchr(v + 9, '}') == v + n - 1) {
        /* secrets_dir is already resolved against the manifest's folder */
        char file[PATH_MAX], real[PATH_MAX];
        snprintf(file, sizeof file, "%s/%.*s",
                 m->secrets_dir ? m->secrets_dir : "/run/secrets",
                 (int)(n - 10), v + 9);
        snprintf(out, sz, "the secret file %s",
                 realpath(file, real) ? real : file);
    }
    json_decref(raw);
}

static void co__auth_error(const co_manifest_t *m, const char *bootstrap,
                           co__probe_t *p, char *errstr, size_t sz)
{
    char src[1024];
    co__password_source(m, src, sizeof src);
    const char *user =
        json_string_value(json_object_get(m->kafka, "sasl.username"));
    const char *mech = co_kafka_sasl_mechanism(m, NULL);
    char hint[256] = "";
    /* librdkafka before 2.6.1 sends a SCRAM nonce that Kafka 4 rejects
     * (librdkafka#4895): the same words as a wrong password */
    if (mech && strncmp(mech, "SCRAM", 5) == 0 &&
        rd_kafka_version() < 0x020601ff)
        snprintf(hint, sizeof hint,
                 " (or: this librdkafka %s is older than 2.6.1, whose SCRAM "
                 "login Apache Kafka 4.x brokers refuse; use Kafka 3.9 or "
                 "SASL PLAIN over SSL, or a newer librdkafka)",
                 rd_kafka_version_str());
    pthread_mutex_lock(&p->mu);
    co_errf(errstr, sz,
            "FATAL: kafka.sasl.password: the broker at %s refused the SASL "
            "login of user '%s' (%s): check kafka.sasl.username and the "
            "password in %s%s [librdkafka: %s]",
            bootstrap, user ? user : "", mech ? mech : "GSSAPI", src, hint,
            p->why);
    pthread_mutex_unlock(&p->mu);
}

/* Why the metadata probe got no answer. Returns -1 for the configuration
 * (a refused login, a host name that does not resolve: exit 2) or -2 for
 * silence from the broker (an outage: exit 1, restarted). */
static int co__probe_error(const co_manifest_t *m, const char *bootstrap,
                           co__probe_t *p, rd_kafka_resp_err_t merr,
                           char *errstr, size_t sz)
{
    if (__atomic_load_n(&p->auth, __ATOMIC_SEQ_CST)) {
        co__auth_error(m, bootstrap, p, errstr, sz);
        return -1;
    }
    pthread_mutex_lock(&p->mu);
    co_errf(errstr, sz,
            "kafka: no answer from %s within 10 s (is the broker running? "
            "check kafka.bootstrap.servers) [librdkafka: %s]",
            bootstrap, p->why[0] ? p->why : rd_kafka_err2str(merr));
    int rc = strstr(p->why, "resolve") != NULL ? -1 : -2;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Whether `rk` talks to librdkafka's mock cluster (`careerops broker`):
 * librdkafka names it "mockCluster<hex>". Asked once per start, on the
 * client that just read the metadata, so the answer is at hand. When
 * `creating`, said at INFO: it has no controller, and CreateTopics waited
 * 10 s for one at every start (trial 73); it creates topics when first
 * used. */
static int co__mock_cluster(rd_kafka_t *rk, const char *bootstrap, int creating)
{
    char *cid = rd_kafka_clusterid(rk, 2000);
    int mock = cid != NULL && strncmp(cid, "mockCluster", 11) == 0;
    if (mock && creating)
        co_log_info("kafka: %s is librdkafka's mock cluster (careerops "
                    "broker), which has no CreateTopics: its topics are "
                    "created when first used; give it --manifest to create "
                    "them with their partitions",
                    bootstrap);
    if (cid != NULL)
        rd_kafka_mem_free(rk, cid);
    return mock;
}

int co_kafka_create_topics(const co_manifest_t *m, const char *bootstrap,
                           int *mock, char *errstr, size_t sz)
{
    char e[512];
    rd_kafka_conf_t *conf = co_kafka_conf_new(m, bootstrap, errstr, sz);
    if (conf == NULL)
        return -1;
    co__probe_t probe = {0};
    pthread_mutex_init(&probe.mu, NULL);
    rd_kafka_conf_set_opaque(conf, &probe);
    rd_kafka_conf_set_error_cb(conf, co__probe_error_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (rk == NULL) {
        co_errf(errstr, sz, "kafka: %s", e);
        rd_kafka_conf_destroy(conf);
        pthread_mutex_destroy(&probe.mu);
        return -1;
    }
    /* Topics that exist already need nothing (the standalone embedded
     * broker creates them from --manifest; it has no CreateTopics). */
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_NewTopic_t **nt = co_xcalloc(m->n_topics, sizeof *nt);
    size_t n_new = 0;
    /* in 0.5 s steps, so that a refused login ends the wait at once */
    rd_kafka_resp_err_t merr = RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (int i = 0;
         i < 20 && merr != 0 && !__atomic_load_n(&probe.auth, __ATOMIC_SEQ_CST);
         i++) {
        merr = rd_kafka_metadata(rk, 1, NULL, &md, 500);
        if (merr != 0 && merr != RD_KAFKA_RESP_ERR__TIMED_OUT &&
            merr != RD_KAFKA_RESP_ERR__TRANSPORT)
            break;
        if (merr != 0)
            rd_kafka_poll(rk, 0); /* serves the error callback */
    }
    if (merr != 0) {
        rd_kafka_poll(rk, 0);
        int rc = co__probe_error(m, bootstrap, &probe, merr, errstr, sz);
        free(nt);
        rd_kafka_destroy(rk);
        pthread_mutex_destroy(&probe.mu);
        return rc;
    }
    for (size_t i = 0; i < m->n_topics; i++) {
        int exists = 0;
        for (int t = 0; t < md->topic_cnt; t++)
            if (strcmp(md->topics[t].topic, m->topics[i].name) == 0 &&
                md->topics[t].err == 0)
                exists = 1;
        if (!exists)
            nt[n_new++] = rd_kafka_NewTopic_new(
                m->topics[i].name, m->topics[i].partitions, -1, e, sizeof e);
    }
    rd_kafka_metadata_destroy(md);
    int is_mock = co__mock_cluster(rk, bootstrap, n_new > 0);
    if (mock != NULL)
        *mock = is_mock;
    if (n_new > 0 && is_mock) {
        for (size_t i = 0; i < n_new; i++)
            rd_kafka_NewTopic_destroy(nt[i]);
        n_new = 0;
    }
    if (n_new == 0) {
        free(nt);
        rd_kafka_destroy(rk);
        pthread_mutex_destroy(&probe.mu);
        return 0;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, 10000, e, sizeof e);
    rd_kafka_CreateTopics(rk, nt, n_new, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    int rc = 0;
    if (ev == NULL) {
        co_errf(errstr, sz,
                "kafka: no answer from %s within 15 s when creating topics "
                "(is the broker running?)",
                bootstrap);
        rc = -2;
    } else if (rd_kafka_event_error(ev)) {
        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
            err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
            (err == RD_KAFKA_RESP_ERR__TIMED_OUT &&
             strstr(rd_kafka_event_error_string(ev), "controller"))) {
            co_log_info("kafka: broker does not support CreateTopics; "
                        "relying on topic auto-creation");
        } else {
            co_errf(errstr, sz, "kafka: creating topics: %s",
                    rd_kafka_event_error_string(ev));
            rc = -1;
        }
    } else {
        const rd_kafka_CreateTopics_result_t *res =
            rd_kafka_event_CreateTopics_result(ev);
        size_t cnt;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_CreateTopics_result_topics(res, &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t err = rd_kafka_topic_result_error(tr[i]);
            if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                co_errf(errstr, sz, "kafka: cannot create topic %s: %s",
                        rd_kafka_topic_result_name(tr[i]),
                        rd_kafka_topic_result_error_string(tr[i]));
                rc = -1;
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    for (size_t i = 0; i < n_new; i++)
        rd_kafka_NewTopic_destroy(nt[i]);
    free(nt);
    rd_kafka_destroy(rk);
    pthread_mutex_destroy(&probe.mu);
    return rc;
}

void co_kafka_group_id(const co_manifest_t *m, const char *stage, char *out,
                       size_t size)
{
    snprintf(out, size, "careerops.%s.%s", m->pipeline, stage);
}

struct co_lagmon_s {
    rd_kafka_t *rk;
    char *group;
    char *topic;
    int partitions;
};

int co_kafka_topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    if (t == NULL)
        return 0;
    const rd_kafka_metadata_t *md = NULL;
    int n = 0;
    if (rd_kafka_metadata(rk, 0, t, &md, timeout_ms) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err == 0)
            n = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    return n;
}

co_lagmon_t *co_lagmon_new(const co_manifest_t *m, const char *bootstrap,
                           const char *group, const char *topic, char *errstr,
                           size_t sz)
{
    char e[512];
    rd_kafka_conf_t *conf = co_kafka_conf_new(m, bootstrap, errstr, sz);
    if (conf == NULL)
        return NULL;
    if (co_kafka_set(conf, "group.id", group, errstr, sz) != 0 ||
        co_kafka_set(conf, "enable.auto.commit", "false", errstr, sz) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
    if (rk == NULL) {
        co_errf(errstr, sz, "kafka: %s", e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    co_lagmon_t *l = co_xcalloc(1, sizeof *l);
    l->rk = rk;
    l->group = co_strdup(group);
    l->topic = co_strdup(topic);
    return l;
}

const char *co_lagmon_group(const co_lagmon_t *l)
{
    return l->group;
}

const char *co_lagmon_topic(const co_lagmon_t *l)
{
    return l->topic;
}

/* Fill partition p of `out` from its committed offset c and watermarks. */
static void co__lag_part(co_lag_t *out, int p, int64_t c, int64_t lo,
                         int64_t hi)
{
    out->low[p] = lo;
    out->high[p] = hi;
    out->committed[p] = c >= 0 ? c : -1;
    int64_t from = c >= 0 ? c : lo;
    if (c >= 0 && c < lo)
        out->lost++;
    int64_t lag = hi - (from > lo ? from : lo);
    if (lag < 0)
        lag = 0;
    out->per_part[p] = lag;
    out->total += lag;
    if (lag > out->max)
        out->max = lag;
}

int co_lagmon_measure(co_lagmon_t *l, int timeout_ms, co_lag_t *out)
{
    memset(out, 0, sizeof *out);
    if (l->partitions == 0 && (l->partitions = co_kafka_topic_partitions(
                                   l->rk, l->topic, timeout_ms)) == 0)
        return -1;
    int n = l->partitions;
    rd_kafka_topic_partition_list_t *pl = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(pl, l->topic, p);
    if (rd_kafka_committed(l->rk, pl, timeout_ms)) {
        rd_kafka_topic_partition_list_destroy(pl);
        return -1;
    }
    out->partitions = n;
    out->per_part = co_xcalloc((size_t)n, sizeof(int64_t));
    out->committed = co_xcalloc((size_t)n, sizeof(int64_t));
    out->low = co_xcalloc((size_t)n, sizeof(int64_t));
    out->high = co_xcalloc((size_t)n, sizeof(int64_t));
    /* both watermarks of every partition in two ListOffsets requests
     * (timestamps -2 earliest, -1 latest), not two per partition */
    rd_kafka_topic_partition_list_t *lo =
        rd_kafka_topic_partition_list_copy(pl);
    rd_kafka_topic_partition_list_t *hi =
        rd_kafka_topic_partition_list_copy(pl);
    for (int p = 0; p < n; p++) {
        lo->elems[p].offset = -2;
        hi->elems[p].offset = -1;
    }
    int rc = 0;
    if (rd_kafka_offsets_for_times(l->rk, lo, timeout_ms) ||
        rd_kafka_offsets_for_times(l->rk, hi, timeout_ms))
        rc = -1;
    for (int p = 0; rc == 0 && p < n; p++) {
        if (lo->elems[p].err || hi->elems[p].err || lo->elems[p].offset < 0 ||
            hi->elems[p].offset < 0) {
            rc = -1;
            break;
        }
        co__lag_part(out, p, pl->elems[p].offset, lo->elems[p].offset,
                     hi->elems[p].offset);
    }
    rd_kafka_topic_partition_list_destroy(lo);
    rd_kafka_topic_partition_list_destroy(hi);
    rd_kafka_topic_partition_list_destroy(pl);
    if (rc != 0)
        co_lag_free(out);
    return rc;
}

void co_lag_free(co_lag_t *lag)
{
    free(lag->per_part);
    free(lag->committed);
    free(lag->low);
    free(lag->high);
    memset(lag, 0, sizeof *lag);
}

void co_lagmon_free(co_lagmon_t *l)
{
    if (l == NULL)
        return;
    rd_kafka_destroy(l->rk);
    free(l->group);
    free(l->topic);
    free(l);
}
