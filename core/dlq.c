/* Dead letters: the headers a stage writes (names in dlq.h) and the
 * `careerops dlq` command that reads, shows and replays them. */
#include "dlq.h"
#include "kafka.h"
#include "log.h"
#include "manifest.h"
#include "util.h"
#include "co_cli.h"

#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rd_kafka_headers_t *co_dlq_headers(const co_record_t *rec,
                                   const co_dlq_reason_t *why)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(rec->header_cnt + 10);
    for (size_t i = 0; i < rec->header_cnt; i++)
        rd_kafka_header_add(h, rec->headers[i].name, -1, rec->headers[i].value,
                            (ssize_t)rec->headers[i].value_len);
    char num[64], ts[40];
    rd_kafka_header_add(h, CO_DLQ_HDR_STAGE, -1, why->stage, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_PLUGIN, -1, why->plugin, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_CLASS, -1, why->cls, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_MESSAGE, -1, why->msg, -1);
    snprintf(num, sizeof num, "%d", why->attempts);
    rd_kafka_header_add(h, CO_DLQ_HDR_ATTEMPTS, -1, num, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_TOPIC, -1, rec->topic ? rec->topic : "",
                        -1);
    snprintf(num, sizeof num, "%d", rec->partition);
    rd_kafka_header_add(h, CO_DLQ_HDR_PARTITION, -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)rec->offset);
    rd_kafka_header_add(h, CO_DLQ_HDR_OFFSET, -1, num, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_TIME, -1, co_rfc3339_now(ts, sizeof ts),
                        -1);
    return h;
}

/* ---- `careerops dlq list|show|replay` ----------------------------------- */

/* What one dlq command needs while it reads the dead-letter topic. */
typedef struct co__dlq_cmd_s {
    const char *sub; /* list, show, replay */
    const char *topic, *to, *offs;
    long want_p;
    long long want_o;
    rd_kafka_t *rk, *prod;
    int shown;
    int64_t replayed, skipped;
    int64_t undelivered; /* replayed records the broker refused */
    int64_t plain;       /* listed records without careerops.error.stage */
    co_buf_t held;       /* list rows not printed yet (no dead letter yet) */
    char first_err[256]; /* the first refusal's reason */
    int read_failed;     /* nothing read (broker down, no topic) */
    int topic_default;   /* no --topic: the first stage's */
    const co_manifest_t *m;
} co__dlq_cmd_t;

/* Delivery report of a replayed record (served by rd_kafka_flush()). */
static void co__dlq_dr(rd_kafka_t *rk, const rd_kafka_message_t *msg,
                       void *opaque)
{
    (void)rk;
    co__dlq_cmd_t *c = opaque;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (c->undelivered++ == 0)
        snprintf(c->first_err, sizeof c->first_err, "%s",
                 rd_kafka_err2str(msg->err));
}

static void co__dlq_usage(void)
{
    printf(
        "usage: careerops dlq list MANIFEST [--topic T]\n"
        "       careerops dlq show MANIFEST --offset P:O [--topic T]\n"
        "       careerops dlq replay MANIFEST [--offset P:O] [--topic T] "
        "[--to TOPIC]\n\n"
        "list prints one line per dead letter (partition:offset, "
        "stage, class, message);\nshow prints one with all its "
        "headers and value; replay produces every dead\nletter "
        "(or the one at --offset) back to its original topic (" CO_DLQ_HDR_TOPIC
        ") or --to "
        "TOPIC.\nThe dead-letter topic defaults to the first stage's "
        "(dlq_dead_letters).\n\n"
        "  --set PATH=VALUE  override the manifest, as for run; the broker "
        "of a\n                    `careerops broker` or a cluster: --set "
        "kafka.bootstrap.servers=HOST:PORT\n");
}

/* Header `name` of `h` as text into buf ("" when absent). */
static const char *co__dlq_hdr(rd_kafka_headers_t *h, const char *name,
                               char *buf, size_t size)
{
    const void *v;
    size_t vs;
    buf[0] = '\0';
    if (h && rd_kafka_header_get_last(h, name, &v, &vs) == 0)
        snprintf(buf, size, "%.*s", (int)vs, v ? (const char *)v : "");
    return buf;
}

/* The n bytes at p as co_cli_shown() writes them, a NUL byte as \x00: a
 * dead letter holds what a mail or a plugin said, an escape sequence or
 * U+202E included. */
static const char *co__dlq_shown(const void *p, size_t n)
{
    co_buf_t b = {0};
    const char *s = p;
    co_buf_add(&b, "", 0);
    for (size_t i = 0; s != NULL && i < n; i++)
        co_buf_add(&b, s[i] ? &s[i] : "\\x00", s[i] ? 1 : 4);
    const char *r = co_cli_shown(b.data);
    co_buf_free(&b);
    return r;
}

static void co__dlq_show(co__dlq_cmd_t *c, const rd_kafka_message_t *msg,
                         rd_kafka_headers_t *h)
{
    if (msg->partition != c->want_p || msg->offset != c->want_o)
        return;
    char st[8];
    if (co__dlq_hdr(h, CO_DLQ_HDR_STAGE, st, sizeof st)[0] == '\0') {
        c->plain++; /* a record of a data topic (trial 73: shown as one) */
        return;
    }
    /* no key (null) is not an empty key (trial 71: both printed "") */
    printf("partition: %d\noffset: %lld\nkey: %s\n", msg->partition,
           (long long)msg->offset,
           msg->key == NULL ? "(none: null key)"
                            : co__dlq_shown(msg->key, msg->key_len));
    const char *n;
    const void *v;
    size_t vs;
    for (size_t i = 0; h && rd_kafka_header_get_all(h, i, &n, &v, &vs) == 0;
         i++)
        printf("header %s: %s\n", co_cli_shown(n), co__dlq_shown(v, vs));
    printf("value:\n%s\n", co__dlq_shown(msg->payload, msg->len));
    c->shown++;
}

/* Produce a dead letter back, without its careerops.error.* headers. */
static void co__dlq_replay(co__dlq_cmd_t *c, const rd_kafka_message_t *msg,
                           rd_kafka_headers_t *h)
{
    char otopic[256], st[8];
    if (co__dlq_hdr(h, CO_DLQ_HDR_STAGE, st, sizeof st)[0] == '\0') {
        c->plain++; /* not a dead letter: said once, at the end */
        return;
    }
    const char *orig = co__dlq_hdr(h, CO_DLQ_HDR_TOPIC, otopic, sizeof otopic);
    const char *dest = c->to && orig[0] != '\0' ? c->to : orig;
    if (dest[0] == '\0') { /* with --to too (trial 73) */
        /* its value is what the source could not read or emit (a file's
         * path and errno, an archive reference), no record of a topic: a
         * replay into the source's output only made new dead letters
         * (trial 72, following the old hint "give --to TOPIC") */
        char plug[64];
        int mailbox =
            strcmp(co__dlq_hdr(h, CO_DLQ_HDR_PLUGIN, plug, sizeof plug),
                   "mailbox-source") == 0;
        fprintf(stderr,
                "skip %d:%lld: a source's dead letter (no " CO_DLQ_HDR_TOPIC
                "): it holds what the source could not read, not a record "
                "of a topic; fix the cause it names (" CO_DLQ_HDR_MESSAGE
                ", careerops dlq show)%s\n",
                msg->partition, (long long)msg->offset,
                mailbox ? ": a file of a Maildir or .eml folder is read "
                          "again at the source's next run, but a message of "
                          "an mbox file is not (its position is past it): "
                          "write it out with careerops archive get URL -o "
                          "FILE.eml (its careerops.archive.url header), fix "
                          "it, and read that file"
                        : " and have the source read that input again");
        c->skipped++;
        return;
    }
    rd_kafka_headers_t *nh = rd_kafka_headers_new(8);
    const char *n;
    const void *v;
    size_t vs;
    size_t plen = strlen(CO_DLQ_HDR_PREFIX);
    for (size_t i = 0; h && rd_kafka_header_get_all(h, i, &n, &v, &vs) == 0;
         i++)
        if (strncmp(n, CO_DLQ_HDR_PREFIX, plen) != 0)
            rd_kafka_header_add(nh, n, -1, v, (ssize_t)vs);
    rd_kafka_producev(c->prod, RD_KAFKA_V_TOPIC(dest),
                      RD_KAFKA_V_KEY(msg->key, msg->key_len),
                      RD_KAFKA_V_VALUE(msg->payload, msg->len),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_HEADERS(nh), RD_KAFKA_V_END);
    c->replayed++;
}

static void co__dlq_one(co__dlq_cmd_t *c, const rd_kafka_message_t *msg)
{
    rd_kafka_headers_t *h = NULL;
    rd_kafka_message_headers(msg, &h);
    if (strcmp(c->sub, "list") == 0) {
        char stage[128], cls[64], mess[512];
        co__dlq_hdr(h, CO_DLQ_HDR_STAGE, stage, sizeof stage);
        /* held back until a dead letter shows the topic is a dead-letter
         * topic (trial 29: 3,000 empty rows, then the error) */
        co_buf_printf(
            &c->held, "%d:%lld\t%s\t%s\t%s\n", msg->partition,
            (long long)msg->offset, co_cli_shown(stage),
            co_cli_shown(co__dlq_hdr(h, CO_DLQ_HDR_CLASS, cls, sizeof cls)),
            co_cli_shown(
                co__dlq_hdr(h, CO_DLQ_HDR_MESSAGE, mess, sizeof mess)));
        c->plain += stage[0] == '\0';
        c->shown++;
        if (c->plain < c->shown) {
            fwrite(c->held.data, 1, c->held.len, stdout);
            c->held.len = 0;
        }
    } else if (strcmp(c->sub, "show") == 0) {
        co__dlq_show(c, msg, h);
    } else if (c->offs == NULL ||
               (msg->partition == c->want_p && msg->offset == c->want_o)) {
        co__dlq_replay(c, msg, h); /* --offset: that one only */
    }
}

/* --to must be a topic a stage of the manifest reads: anything else (a
 * typo, the alerts topic, Kafka's own __consumer_offsets) would only make
 * a topic nobody consumes (trial 29). 1 (said) or 0. */
static int co__dlq_to_unread(const char *to, const co_manifest_t *m)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < m->n_stages; i++)
        total += m->stages[i].n_inputs;
    const char **ins = co_xcalloc(total + 1, sizeof *ins);
    for (size_t i = 0; i < m->n_stages; i++)
        for (size_t k = 0; k < m->stages[i].n_inputs; k++) {
            if (strcmp(m->stages[i].inputs[k], to) == 0) {
                free(ins);
                return 0;
            }
            ins[n++] = m->stages[i].inputs[k];
        }
    const char *near = co_closest_name(to, ins);
    fprintf(stderr,
            "error: --to %s: no stage of the manifest reads that topic, so "
            "nothing would process the replayed records; give a stage's "
            "input%s%s%s, or leave --to out to send each back where it "
            "failed\n",
            to, near ? " (did you mean " : "", near ? near : "",
            near ? "?)" : "");
    free(ins);
    return 1;
}

/* The first host of a bootstrap list ("h1:9092,h2:9092") that does not
 * resolve, copied to `bad`; 0 when all resolve. A host that does not exist
 * is a fault of the command line (exit 2, docs/operations.md "Exit
 * codes"), as for `run`, not an outage. */
static int co__dlq_unresolved(const char *bs, char *bad, size_t sz)
{
    char *list = co_strdup(bs), *save = NULL;
    int found = 0;
    for (char *h = strtok_r(list, ",", &save); h && !found;
         h = strtok_r(NULL, ",", &save)) {
        char *c = strrchr(h, ':');
        if (c != NULL)
            *c = '\0';
        while (*h == ' ')
            h++;
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
        int rc = getaddrinfo(h, NULL, &hints, &ai);
        if (ai != NULL)
            freeaddrinfo(ai);
        if (rc == EAI_NONAME || rc == EAI_FAIL) {
            snprintf(bad, sz, "%s", h);
            found = 1;
        }
    }
    free(list);
    return found;
}

/* "T holds no dead letters" on stderr after `pre`, naming the manifest's
 * other dead-letter topics when T is the default one (trial 73: the
 * letters were in a later stage's topic, and the operator was told there
 * were none). */
static void co__dlq_empty(const co__dlq_cmd_t *c, const char *pre)
{
    co_buf_t o = {0};
    for (size_t i = 0; c->topic_default && i < c->m->n_stages; i++) {
        const char *t = c->m->stages[i].dlq_topic;
        int seen = t == NULL || strcmp(t, c->topic) == 0;
        for (size_t j = 0; !seen && j < i; j++)
            seen = c->m->stages[j].dlq_topic &&
                   strcmp(c->m->stages[j].dlq_topic, t) == 0;
        if (seen)
            continue;
        co_buf_printf(&o, "%s%s", o.len ? ", " : "", t);
    }
    fprintf(stderr, "%s%s holds no dead letters%s%s%s\n", pre, c->topic,
            o.len ? " (the manifest's other dead-letter topics: " : "",
            o.len ? o.data : "", o.len ? "; give --topic)" : "");
    co_buf_free(&o);
}

/* The topic holds records that are no dead letters (no stage header). */
/* The fix, when a topic given is not a dead-letter topic. */
#define CO__DLQ_TOPIC_HINT                                                     \
    "give a dead-letter topic with --topic (a stage's "                        \
    "errors.dead_letter_topic, dlq_dead_letters by default)"

static void co__dlq_not_dlq(const co__dlq_cmd_t *c)
{
    fprintf(stderr,
            "error: %s holds no dead letters (no record has a " CO_DLQ_HDR_STAGE
            " header): " CO__DLQ_TOPIC_HINT "\n",
            c->topic);
}

/* --topic names a topic the broker does not have. A dead-letter topic of
 * the manifest is only empty (no dead letter written yet): list says so,
 * exit 0; show and replay have nothing (1, as for an empty topic). Any
 * other name names nothing (2, a fault of the command line, with the
 * closest dead-letter topic; trial 71: exit 1 here, 2 for a topic that
 * holds no dead letters). */
static int co__dlq_no_topic(co__dlq_cmd_t *c, const co_manifest_t *m,
                            const char *bs)
{
    const char **dl = co_xcalloc(m->n_stages + 1, sizeof *dl);
    int ours = 0;
    for (size_t i = 0; i < m->n_stages; i++) {
        dl[i] = m->stages[i].dlq_topic;
        ours |= dl[i] && strcmp(dl[i], c->topic) == 0;
    }
    const char *near = ours ? NULL : co_closest_name(c->topic, dl);
    int rc = 2;
    if (!ours)
        fprintf(stderr,
                "error: --topic %s: no such topic at %s, and no stage of the "
                "manifest dead-letters to it%s%s%s; `careerops graph "
                "MANIFEST` names each stage's dead-letter topic\n",
                c->topic, co_cli_shown(bs), near ? " (did you mean " : "",
                near ? near : "", near ? "?)" : "");
    else if (strcmp(c->sub, "list") == 0) {
        co__dlq_empty(c, "");
        rc = 0;
    } else if (strcmp(c->sub, "replay") == 0) {
        fprintf(stderr,
                "nothing replayed: %s holds no dead letters (none written "
                "yet)\n",
                c->topic);
        rc = 0; /* nothing to do (trial 73: 1) */
    } else {
        fprintf(stderr,
                "error: --offset %s: no dead letter there: %s holds none "
                "(none written yet)\n",
                c->offs, c->topic);
    }
    free(dl);
    c->read_failed = 1; /* nothing read: no "replayed 0" line */
    return rc;
}

/* Read every dead letter present now (low..high watermark). */
static int co__dlq_read(co__dlq_cmd_t *c, const co_manifest_t *m,
                        const char *bs)
{
    char e[1024];
    /* the full topic list (no auto-creation) says whether it exists */
    const rd_kafka_metadata_t *md = NULL;
    char bad[256];
    if (co__dlq_unresolved(bs, bad, sizeof bad)) {
        fprintf(stderr,
                "error: kafka.bootstrap.servers: host %s does not resolve; "
                "give a broker's address (--set "
                "kafka.bootstrap.servers=HOST:PORT)\n",
                co_cli_shown(bad));
        return 2;
    }
    rd_kafka_resp_err_t merr = rd_kafka_metadata(c->rk, 1, NULL, &md, 10000);
    if (merr != RD_KAFKA_RESP_ERR_NO_ERROR) { /* an outage: exit 1 */
        fprintf(stderr,
                "error: the broker at %s does not answer (%s): start it "
                "(`careerops broker`) or give --set "
                "kafka.bootstrap.servers=HOST:PORT\n",
                co_cli_shown(bs), rd_kafka_err2str(merr));
        return 1;
    }
    {
        int found = 0;
        for (int i = 0; i < md->topic_cnt; i++)
            found |= strcmp(md->topics[i].topic, c->topic) == 0;
        rd_kafka_metadata_destroy(md);
        if (!found)
            return co__dlq_no_topic(c, m, bs);
    }
    co_lagmon_t *lm =
        co_lagmon_new(m, bs, "careerops.dlq-cli", c->topic, e, sizeof e);
    co_lag_t lag;
    if (lm == NULL || co_lagmon_measure(lm, 10000, &lag) != 0) {
        fprintf(stderr, "error: cannot read topic %s at %s\n", c->topic,
                co_cli_shown(bs));
        co_lagmon_free(lm);
        return 1; /* at run time: the broker, not the command line */
    }
    rd_kafka_topic_partition_list_t *asg =
        rd_kafka_topic_partition_list_new(lag.partitions);
    int64_t remaining = 0;
    for (int p = 0; p < lag.partitions; p++) {
        rd_kafka_topic_partition_list_add(asg, c->topic, p)->offset =
            lag.low[p];
        remaining += lag.high[p] - lag.low[p];
    }
    rd_kafka_assign(c->rk, asg);
    rd_kafka_topic_partition_list_destroy(asg);
    while (remaining > 0) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(c->rk, 5000);
        if (msg == NULL)
            break;
        if (msg->err) {
            co_log_debug("dlq: %s", rd_kafka_message_errstr(msg));
        } else if (msg->offset < lag.high[msg->partition]) {
            remaining--;
            co__dlq_one(c, msg);
        }
        rd_kafka_message_destroy(msg);
    }
    co_lag_free(&lag);
    co_lagmon_free(lm);
    return 0;
}

/* Clients for the command; 0, or 2 with the reason printed. */
static int co__dlq_clients(co__dlq_cmd_t *c, const co_manifest_t *m,
                           const char *bs)
{
    char e[1024];
    rd_kafka_conf_t *conf = co_kafka_conf_new(m, bs, e, sizeof e);
    if (conf) {
        /* a group id is required by consumer_poll(); it never commits */
        co_kafka_set(conf, "group.id", "careerops.dlq-cli", NULL, 0);
        co_kafka_set(conf, "enable.auto.commit", "false", NULL, 0);
        c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
        if (c->rk == NULL)
            rd_kafka_conf_destroy(conf);
    }
    if (c->rk && strcmp(c->sub, "replay") == 0) {
        rd_kafka_conf_t *pc = co_kafka_conf_new(m, bs, e, sizeof e);
        if (pc) {
            rd_kafka_conf_set_dr_msg_cb(pc, co__dlq_dr);
            rd_kafka_conf_set_opaque(pc, c);
        }
        c->prod = pc ? rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e) : NULL;
        if (c->prod == NULL && pc)
            rd_kafka_conf_destroy(pc);
    }
    if (c->rk == NULL || (strcmp(c->sub, "replay") == 0 && c->prod == NULL)) {
        fprintf(stderr, "error: %s\n", e);
        return 2;
    }
    return 0;
}

/* A --to or --topic value that is no topic name: 1 after saying so. */
static int co__dlq_name_refused(const char *opt, const char *v)
{
    if (v == NULL || co_manifest_name_ok(v))
        return 0;
    char head[61];
    snprintf(head, sizeof head, "%s", v);
    fprintf(stderr,
            "error: %s \"%s%s\": a topic name is 1 to 200 letters, "
            "digits, '_', '-', '.'\n",
            opt, co_cli_shown(head), strlen(v) > 60 ? "..." : "");
    return 1;
}

/* The dead letters of a loaded manifest. */
static int co__dlq_run(co__dlq_cmd_t *c, const co_manifest_t *m)
{
    c->m = m;
    c->topic_default = c->topic == NULL;
    if (c->topic == NULL)
        c->topic = m->stages[0].dlq_topic;
    if (co__dlq_name_refused("--to", c->to) ||
        co__dlq_name_refused("--topic", c->topic))
        return 2;
    if (c->to != NULL && co__dlq_to_unread(c->to, m))
        return 2;
    for (size_t i = 0; c->to != NULL && i < m->n_stages; i++)
        if (strcmp(c->to, c->topic) == 0 ||
            (m->stages[i].dlq_topic &&
             strcmp(c->to, m->stages[i].dlq_topic) == 0)) {
            fprintf(stderr,
                    "error: --to %s is a dead-letter topic: replaying into "
                    "it would only make new dead letters without their "
                    "reasons; give the topic the records should go to (a "
                    "stage's input), or leave --to out to send each back "
                    "where it failed\n",
                    c->to);
            return 2;
        }
    const char *bs =
        json_string_value(json_object_get(m->kafka, "bootstrap.servers"));
    if (m->embedded) {
        fprintf(stderr,
                "error: the manifest uses the in-process embedded broker, "
                "whose data ends with its process; point it at a running "
                "broker: --set kafka.bootstrap.servers=HOST:PORT (from "
                "`careerops broker`)\n");
        return 2;
    }
    int rc = co__dlq_clients(c, m, bs);
    if (rc == 0)
        rc = co__dlq_read(c, m, bs);
    if (rc != 0) /* trial 71: "replayed 0" with the broker down */
        c->read_failed = 1;
    if (c->prod) {
        if (rd_kafka_flush(c->prod, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR &&
            c->undelivered == 0) {
            c->undelivered = rd_kafka_outq_len(c->prod);
            snprintf(c->first_err, sizeof c->first_err,
                     "not acknowledged within 30 s");
        }
        c->replayed -= c->undelivered;
        if (!c->read_failed && (c->replayed > 0 || c->undelivered > 0)) {
            char sk[96] = "";
            if (c->skipped > 0)
                snprintf(sk, sizeof sk, "; %lld skipped (said above)",
                         (long long)c->skipped);
            printf("replayed %lld dead letter%s%s\n", (long long)c->replayed,
                   c->replayed == 1 ? "" : "s", sk);
        }
        if (c->undelivered > 0) {
            fprintf(stderr,
                    "error: %lld dead letter%s not delivered to %s: %s\n",
                    (long long)c->undelivered,
                    c->undelivered == 1 ? " was" : "s were",
                    c->to ? c->to : "their topics", c->first_err);
            rc = 1;
        }
        rd_kafka_destroy(c->prod);
        /* what names nothing or cannot be replayed is the command line's
         * (2); an empty dead-letter topic is nothing to do (0; trial 73:
         * 1, though nothing failed) */
        if (rc == 0 && c->replayed == 0) {
            rc = 2;
            if (c->skipped > 0)
                fprintf(stderr,
                        "error: nothing replayed: %lld dead letter%s skipped "
                        "(reason above)\n",
                        (long long)c->skipped, c->skipped == 1 ? "" : "s");
            else if (c->plain > 0)
                co__dlq_not_dlq(c);
            else if (c->offs)
                /* --offset names nothing: the command line (trial 71) */
                fprintf(stderr,
                        "error: --offset %s: no dead letter there in %s "
                        "(`careerops dlq list` prints them)\n",
                        c->offs, c->topic);
            else {
                co__dlq_empty(c, "nothing replayed: ");
                rc = 0;
            }
        }
    }
    co_buf_free(&c->held);
    if (rc == 0 && strcmp(c->sub, "list") == 0 && c->shown == 0 &&
        !c->read_failed)
        co__dlq_empty(c, "");
    if (rc == 0 && strcmp(c->sub, "list") == 0 && c->shown > 0 &&
        c->plain == c->shown) {
        co__dlq_not_dlq(c);
        rc = 2;
    }
    if (rc == 0 && strcmp(c->sub, "show") == 0 && c->plain > 0) {
        fprintf(stderr,
                "error: %s in %s is not a dead letter (no " CO_DLQ_HDR_STAGE
                " header): " CO__DLQ_TOPIC_HINT "\n",
                c->offs, c->topic);
        rc = 2;
    }
    if (rc == 0 && strcmp(c->sub, "show") == 0 && c->shown == 0) {
        fprintf(stderr,
                "error: --offset %s: no dead letter there in %s "
                "(`careerops dlq list` prints them)\n",
                c->offs, c->topic);
        rc = 2; /* names nothing: the command line (trial 71: 1) */
    }
    co_kafka_consumer_close(c->rk, 5000, NULL, NULL, NULL);
    return rc;
}

int co_cmd_dlq(int argc, char **argv)
{
    static const struct option lo[] = {{"topic", required_argument, 0, 't'},
                                       {"set", required_argument, 0, 'S'},
                                       {"to", required_argument, 0, 'o'},
                                       {"offset", required_argument, 0, 'O'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        co__dlq_usage();
        return argc < 2 ? 2 : 0;
    }
    co__dlq_cmd_t c = {.sub = argv[1], .want_p = -1, .want_o = -1};
    if (strcmp(c.sub, "list") != 0 && strcmp(c.sub, "show") != 0 &&
        strcmp(c.sub, "replay") != 0) {
        fprintf(stderr,
                "error: unknown dlq command '%s' (list, show, replay; "
                "see careerops dlq --help)\n",
                co_cli_shown(c.sub));
        return 2;
    }
    const char **sets = co_xcalloc((size_t)argc + 1, sizeof *sets);
    size_t n_sets = 0;
    int opt;
    static const char *const rep[] = {"set", NULL};
    if (co_cli_once(argc, argv, lo, rep, "careerops dlq") != 0) {
        free(sets);
        return 2;
    }
    optind = 2;
    while ((opt = co_cli_getopt(argc, argv, "t:S:o:O:h", lo, NULL)) != -1) {
        if (opt == 't')
            c.topic = optarg;
        else if (opt == 'S')
            sets[n_sets++] = optarg;
        else if (opt == 'o')
            c.to = optarg;
        else if (opt == 'O')
            c.offs = optarg;
        else {
            if (opt == 'h')
                co__dlq_usage();
            else /* trial 76: validate's pointer, not dlq's */
                fprintf(stderr, "see `careerops dlq --help`\n");
            free(sets);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (optind >= argc || (strcmp(c.sub, "show") == 0 && c.offs == NULL)) {
        fprintf(stderr,
                optind >= argc
                    ? "error: dlq %s needs a MANIFEST\n"
                    : "error: dlq %s needs --offset PARTITION:OFFSET "
                      "(as `careerops dlq list` prints them)\n",
                c.sub);
        free(sets);
        return 2;
    }
    if (optind + 1 < argc) { /* trial 56: extra words were ignored */
        char cmd[32];
        snprintf(cmd, sizeof cmd, "dlq %s", c.sub);
        co_cli_unexpected(cmd, argv[optind + 1]);
        free(sets);
        return 2;
    }
    /* options the subcommand does not take (trial 71: list took --offset
     * and --to, silently) */
    const char *bad = strcmp(c.sub, "list") == 0 && c.offs   ? "--offset"
                      : strcmp(c.sub, "replay") != 0 && c.to ? "--to"
                                                             : NULL;
    if (bad != NULL) {
        fprintf(stderr,
                "error: dlq %s takes no %s (%s); see careerops dlq --help\n",
                c.sub, bad,
                strcmp(bad, "--to") == 0
                    ? "only replay sends dead letters elsewhere"
                    : "show prints the one at --offset, replay sends it");
        free(sets);
        return 2;
    }
    int used = 0;
    /* digits only: sscanf also read "-0:0", " 1:2" and "+1:2"; at most 9
     * and 18 of them, so that none overflows (trial 76: 0:999...9 was "no
     * dead letter there") */
    const char *colon = c.offs ? strchr(c.offs, ':') : NULL;
    if (c.offs &&
        (c.offs[strspn(c.offs, "0123456789:")] != '\0' || colon == NULL ||
         colon - c.offs > 9 || strlen(colon + 1) > 18 ||
         sscanf(c.offs, "%ld:%lld%n", &c.want_p, &c.want_o, &used) != 2 ||
         c.offs[used] != '\0' || c.want_p < 0 || c.want_o < 0)) {
        fprintf(stderr,
                "error: --offset '%s': expected P:O, a partition and an "
                "offset of at most 9 and 18 digits such as 0:12 (as "
                "`careerops dlq list` prints them)\n",
                co_cli_shown(c.offs));
        free(sets);
        return 2;
    }
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(argv[optind], sets, &d);
    free(sets);
    int rc = 2;
    if (m == NULL || d.n > 0)
        co_diag_print(&d, argv[optind]);
    else
        rc = co__dlq_run(&c, m);
    co_diag_free(&d);
    co_manifest_free(m);
    return rc;
}
