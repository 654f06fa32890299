/*
 * raw_pass: the baseline for the host benchmark. A minimal librdkafka
 * program with the host's at-least-once rule: consume from IN in a consumer
 * group, produce each record to OUT, and every COMMIT_INTERVAL records (or
 * 1 s) wait for every delivery report, then commit the consumed offsets
 * synchronously. Same client settings as the host's stage runtime.
 *
 *   raw_pass produce BOOTSTRAP TOPIC COUNT SIZE      preload records
 *   raw_pass pass BOOTSTRAP IN OUT GROUP COUNT        consume->produce
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int delivery_failed;
static void dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *o)
{
    (void)rk;
    (void)o;
    if (m->err)
        delivery_failed = 1;
}

static rd_kafka_t *producer(const char *bs)
{
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bs, e, sizeof e);
    rd_kafka_conf_set(c, "enable.idempotence", "true", e, sizeof e);
    rd_kafka_conf_set(c, "linger.ms", "5", e, sizeof e);
    rd_kafka_conf_set(c, "message.timeout.ms", "0", e, sizeof e);
    rd_kafka_conf_set_dr_msg_cb(c, dr);
    return rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
}

int main(int argc, char **argv)
{
    if (argc >= 6 && strcmp(argv[1], "produce") == 0) {
        rd_kafka_t *p = producer(argv[2]);
        long n = atol(argv[4]);
        int size = atoi(argv[5]);
        char *buf = malloc((size_t)size + 1);
        memset(buf, 'x', (size_t)size);
        for (long i = 0; i < n; i++) {
            char key[32];
            int kl = snprintf(key, sizeof key, "k%ld", i + 1);
            while (rd_kafka_producev(p, RD_KAFKA_V_TOPIC(argv[3]),
                                     RD_KAFKA_V_KEY(key, (size_t)kl),
                                     RD_KAFKA_V_VALUE(buf, (size_t)size),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                     RD_KAFKA_V_END) ==
                   RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(p, 10);
        }
        rd_kafka_flush(p, 60000);
        rd_kafka_destroy(p);
        free(buf);
        return delivery_failed;
    }
    if (argc < 7 || strcmp(argv[1], "pass") != 0) {
        fprintf(stderr, "usage: see the comment at the top of raw_pass.c\n");
        return 2;
    }
    const char *bs = argv[2], *in = argv[3], *out = argv[4], *group = argv[5];
    long want = atol(argv[6]);
    char e[512];
    rd_kafka_t *p = producer(bs);
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bs, e, sizeof e);
    rd_kafka_conf_set(c, "group.id", group, e, sizeof e);
    rd_kafka_conf_set(c, "enable.auto.commit", "false", e, sizeof e);
    rd_kafka_conf_set(c, "enable.auto.offset.store", "false", e, sizeof e);
    rd_kafka_conf_set(c, "auto.offset.reset", "earliest", e, sizeof e);
    rd_kafka_conf_set(c, "queued.max.messages.kbytes", "16384", e, sizeof e);
    rd_kafka_conf_set(c, "queued.min.messages", "20000", e, sizeof e);
    rd_kafka_conf_set(c, "fetch.wait.max.ms", "100", e, sizeof e);
    rd_kafka_t *k = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    rd_kafka_poll_set_consumer(k);
    rd_kafka_topic_partition_list_t *s = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(s, in, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(k, s);
    rd_kafka_topic_partition_list_destroy(s);
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(8);
    long done = 0, pending = 0;
    double t_first = 0, last_commit = now_s();
    while (done < want) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k, 100);
        rd_kafka_poll(p, 0);
        if (m && !m->err) {
            if (t_first == 0)
                t_first = now_s();
            while (rd_kafka_producev(p, RD_KAFKA_V_TOPIC(out),
                                     RD_KAFKA_V_KEY(m->key, m->key_len),
                                     RD_KAFKA_V_VALUE(m->payload, m->len),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                     RD_KAFKA_V_END) ==
                   RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(p, 10);
            rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(
                offs, rd_kafka_topic_name(m->rkt), m->partition);
            if (!tp)
                tp = rd_kafka_topic_partition_list_add(
                    offs, rd_kafka_topic_name(m->rkt), m->partition);
            tp->offset = m->offset + 1;
            done++;
            pending++;
        }
        if (m)
            rd_kafka_message_destroy(m);
        if (pending && (pending >= 5000 || done >= want ||
                        now_s() - last_commit >= 1.0)) {
            while (rd_kafka_outq_len(p) > 0)
                rd_kafka_flush(p, 500);
            rd_kafka_commit(k, offs, 0);
            pending = 0;
            last_commit = now_s();
        }
    }
    double el = now_s() - t_first;
    printf("{\"records\":%ld,\"seconds\":%.3f,\"records_per_s\":%.0f}\n", done,
           el, done / el);
    rd_kafka_consumer_close(k);
    rd_kafka_destroy(k);
    rd_kafka_destroy(p);
    rd_kafka_topic_partition_list_destroy(offs);
    return 0;
}
