/* harness: feed and verify one pass-through run of bench/host.
 *
 *   harness -b BOOTSTRAP -i IN -o OUT -n COUNT -s SIZE [-p PID] [-w WINDOW]
 *
 * Produces COUNT records of SIZE bytes to IN (key and value begin with the
 * record's 10-digit sequence number) while it reads OUT from the beginning
 * of every partition and checks that every sequence number arrives (any
 * number of times). At most WINDOW records are ahead of what arrived, so
 * that no partition of the embedded broker (librdkafka's mock cluster
 * keeps only the newest 5 MiB per partition) drops a record before the
 * pass-through under test or this checker read it.
 *
 * Record 0 goes alone first: the clock starts when it arrives on OUT (the
 * pass-through has joined its group and is warm), and stops when the last
 * missing record arrives; measured too is the CPU time that process PID (the
 * pass-through) used in between (/proc/PID/stat, all threads). Prints one JSON
 * object. Exits 0 when every record arrived, 1 when some are missing after 60 s
 * without progress, 2 on bad arguments. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system, all threads) of pid, or -1. */
static double cpu_s(int pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    if (p == NULL)
        return -1;
    unsigned long ut = 0, st = 0;
    /* after ")": state and 10 fields, then utime and stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "harness: %s: %s\n", what, why);
    exit(2);
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v)
{
    char e[512];
    if (rd_kafka_conf_set(c, k, v, e, sizeof e) != RD_KAFKA_CONF_OK)
        die(k, e);
}

static int partitions_of(rd_kafka_t *rk, const char *topic)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
        const rd_kafka_metadata_t *md = NULL;
        int n = 0;
        if (rd_kafka_metadata(rk, 0, t, &md, 5000) == 0) {
            if (md->topic_cnt == 1 && md->topics[0].err == 0)
                n = md->topics[0].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
        rd_kafka_topic_destroy(t);
        if (n > 0)
            return n;
        usleep(100000);
    }
    die(topic, "no such topic");
    return 0;
}

int main(int argc, char **argv)
{
    const char *bs = NULL, *in = NULL, *out = NULL;
    long long count = 0, window = 0;
    int size = 100, pid = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-b"))
            bs = argv[i + 1];
        else if (!strcmp(argv[i], "-i"))
            in = argv[i + 1];
        else if (!strcmp(argv[i], "-o"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "-n"))
            count = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "-s"))
            size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-p"))
            pid = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-w"))
            window = atoll(argv[i + 1]);
        else
            die("unknown argument", argv[i]);
    }
    if (!bs || !in || !out || count <= 0 || size < 11)
        die("usage", "harness -b BS -i IN -o OUT -n COUNT -s SIZE(>=11) "
                     "[-p PID] [-w WINDOW]");
    char e[512];
    rd_kafka_conf_t *pc = rd_kafka_conf_new(), *cc = rd_kafka_conf_new();
    set(pc, "bootstrap.servers", bs);
    set(pc, "linger.ms", "5");
    set(pc, "batch.num.messages", "10000");
    set(cc, "bootstrap.servers", bs);
    char gid[64];
    snprintf(gid, sizeof gid, "harness-%d", (int)getpid());
    set(cc, "group.id", gid); /* assigned, never joined or committed */
    set(cc, "enable.auto.commit", "false");
    set(cc, "fetch.wait.max.ms", "10");
    set(cc, "fetch.error.backoff.ms", "10");
    rd_kafka_t *prod = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e);
    if (!prod)
        die("producer", e);
    rd_kafka_t *cons = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e);
    if (!cons)
        die("consumer", e);
    rd_kafka_poll_set_consumer(cons);
    int np = partitions_of(cons, out);
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(np);
    for (int p = 0; p < np; p++)
        rd_kafka_topic_partition_list_add(a, out, p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(cons, a);
    rd_kafka_topic_partition_list_destroy(a);
    if (window <= 0) /* 2 MiB per partition of IN */
        window =
            (long long)partitions_of(prod, in) * 2 * 1024 * 1024 / (size + 80);

    unsigned char *seen = calloc((size_t)count, 1);
    char *val = malloc((size_t)size);
    memset(val, 'x', (size_t)size);
    long long produced = 0, distinct = 0, dups = 0, foreign = 0;
    double t_first = 0, t_last = 0, c_first = 0, c_last = 0, t_prog = now_s();
    while (distinct < count && now_s() - t_prog < 60) {
        /* record 0 alone until it arrived, then the rest */
        long long limit = distinct == 0 ? 1 : count;
        while (produced < limit && produced - distinct < window) {
            char key[16];
            snprintf(key, sizeof key, "%010lld", produced);
            memcpy(val, key, 10);
            if (rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(in),
                                  RD_KAFKA_V_KEY(key, 10),
                                  RD_KAFKA_V_VALUE(val, (size_t)size),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_END) != 0) {
                rd_kafka_poll(prod, 5);
                break;
            }
            produced++;
        }
        rd_kafka_poll(prod, 0);
        for (int k = 0; k < 20000; k++) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, k ? 0 : 5);
            if (m == NULL)
                break;
            if (!m->err) {
                long long s = -1;
                if (m->len >= 10) {
                    char d[11];
                    memcpy(d, m->payload, 10);
                    d[10] = '\0';
                    char *end;
                    s = strtoll(d, &end, 10);
                    if (*end)
                        s = -1;
                }
                if (s < 0 || s >= count) {
                    foreign++;
                } else if (seen[s]) {
                    dups++;
                } else {
                    seen[s] = 1;
                    distinct++;
                    t_prog = t_last = now_s();
                    if (s == 0) {
                        t_first = t_last;
                        c_first = pid ? cpu_s(pid) : 0;
                    }
                    if (distinct == count)
                        c_last = pid ? cpu_s(pid) : 0;
                }
            }
            rd_kafka_message_destroy(m);
        }
    }
    if (distinct < count && pid) /* gave up: CPU until now */
        c_last = cpu_s(pid);
    double secs = t_last - t_first;
    long long timed = distinct > 0 ? distinct - 1 : 0; /* after record 0 */
    double cpu = c_last - c_first;
    printf("{\"records\": %lld, \"size\": %d, \"arrived\": %lld, "
           "\"missing\": %lld, \"duplicates\": %lld, \"foreign\": %lld, "
           "\"seconds\": %.3f, \"records_per_s\": %.0f, \"cpu_s\": %.3f, "
           "\"cpu_us_per_record\": %.3f}\n",
           count, size, distinct, count - distinct, dups, foreign, secs,
           secs > 0 ? (double)timed / secs : 0.0, cpu,
           timed ? cpu * 1e6 / (double)timed : 0.0);
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    rd_kafka_flush(prod, 5000);
    rd_kafka_destroy(prod);
    free(seen);
    free(val);
    return distinct == count ? 0 : 1;
}
