/* eos_tool: the producer and the counting consumer of the exactly-once
 * test (tests/eos/eos_kafka.sh), on a real Kafka cluster.
 *
 *   eos_tool produce BOOTSTRAP TOPIC PARTITIONS N
 *       create TOPIC (if missing) and write records 1..N (key and value
 *       the number in decimal) with an idempotent producer;
 *   eos_tool count BOOTSTRAP TOPIC N TIMEOUT_S [read_uncommitted]
 *       read TOPIC from the start (read_committed unless asked) until
 *       every number 1..N was seen and nothing more came for 3 s, or
 *       TIMEOUT_S passed; print the distinct, missing and duplicate counts.
 *       Exit 0 when nothing is missing and nothing repeats (always 0 for
 *       read_uncommitted, which is informational), 1 otherwise. */
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *bs,
                          const char *const (*kv)[2], size_t n)
{
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (rd_kafka_conf_set(c, "bootstrap.servers", bs, e, sizeof e))
        goto bad;
    for (size_t i = 0; i < n; i++)
        if (rd_kafka_conf_set(c, kv[i][0], kv[i][1], e, sizeof e))
            goto bad;
    rd_kafka_t *rk = rd_kafka_new(type, c, e, sizeof e);
    if (rk)
        return rk;
bad:
    fprintf(stderr, "eos_tool: %s\n", e);
    exit(2);
}

static void create_topic(rd_kafka_t *rk, const char *topic, int partitions)
{
    char e[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, partitions, 1, e, sizeof e);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    if (ev == NULL) {
        fprintf(stderr, "eos_tool: no answer creating %s\n", topic);
        exit(2);
    }
    size_t cnt = 0;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(ev), &cnt);
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(tr[i]);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            fprintf(stderr, "eos_tool: create %s: %s\n", topic,
                    rd_kafka_topic_result_error_string(tr[i]));
            exit(2);
        }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

static int produce(const char *bs, const char *topic, int partitions, long n)
{
    static const char *const kv[][2] = {{"enable.idempotence", "true"},
                                        {"linger.ms", "5"}};
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bs, kv, 2);
    create_topic(rk, topic, partitions);
    for (long i = 1; i <= n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "%ld", i);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(v, len),
                    RD_KAFKA_V_VALUE(v, len),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        if (err) {
            fprintf(stderr, "eos_tool: produce: %s\n", rd_kafka_err2str(err));
            return 2;
        }
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 60000)) {
        fprintf(stderr, "eos_tool: flush timed out\n");
        return 2;
    }
    rd_kafka_destroy(rk);
    printf("produced %ld records to %s (%d partitions)\n", n, topic,
           partitions);
    return 0;
}

static int count(const char *bs, const char *topic, long n, double timeout,
                 int uncommitted)
{
    const char *const kv[][2] = {{"group.id", "eos-tool-count"},
                                 {"enable.auto.commit", "false"},
                                 {"isolation.level", uncommitted
                                                         ? "read_uncommitted"
                                                         : "read_committed"}};
    rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, bs, kv, 3);
    rd_kafka_poll_set_consumer(rk);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    if (rd_kafka_metadata(rk, 0, t, &md, 10000) || md->topic_cnt != 1 ||
        md->topics[0].err) {
        fprintf(stderr, "eos_tool: no metadata for %s\n", topic);
        return 2;
    }
    int np = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int p = 0; p < np; p++)
        rd_kafka_topic_partition_list_add(l, topic, p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int *seen = calloc((size_t)n + 1, sizeof *seen);
    long distinct = 0, dup = 0, junk = 0, total = 0;
    double t0 = now_s(), last = t0;
    while (now_s() - t0 < timeout) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (m == NULL) {
            if (distinct == n && now_s() - last > 3)
                break;
            continue;
        }
        if (m->err == 0) {
            char v[32];
            size_t len = m->len < sizeof v - 1 ? m->len : sizeof v - 1;
            memcpy(v, m->payload, len);
            v[len] = '\0';
            long x = strtol(v, NULL, 10);
            total++;
            last = now_s();
            if (x < 1 || x > n)
                junk++;
            else if (seen[x]++ == 0)
                distinct++;
            else
                dup++;
        }
        rd_kafka_message_destroy(m);
    }
    printf("%s: %ld records read, %ld distinct of %ld, %ld missing, %ld "
           "duplicates, %ld unexpected, %.1f s\n",
           uncommitted ? "read_uncommitted" : "read_committed", total, distinct,
           n, n - distinct, dup, junk, now_s() - t0);
    if (n - distinct > 0) {
        printf("first missing:");
        int shown = 0;
        for (long i = 1; i <= n && shown < 10; i++)
            if (!seen[i]) {
                printf(" %ld", i);
                shown++;
            }
        printf("\n");
    }
    free(seen);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (uncommitted)
        return 0;
    return distinct == n && dup == 0 && junk == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "produce") == 0)
        return produce(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "count") == 0)
        return count(argv[2], argv[3], atol(argv[4]), atof(argv[5]),
                     argc == 7 && strcmp(argv[6], "read_uncommitted") == 0);
    fprintf(stderr, "usage: eos_tool produce BOOTSTRAP TOPIC PARTITIONS N\n"
                    "       eos_tool count BOOTSTRAP TOPIC N TIMEOUT_S "
                    "[read_uncommitted]\n");
    return 2;
}
