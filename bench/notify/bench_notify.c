/**
 * @file bench/notify/bench_notify.c
 * @brief Notification latency of the demo pipeline with fakes: from an
 *        email appended to the mailbox to the fake Slack receiving the post.
 *
 *   mailbox-source (mbox, follow) -> ollama-classifier (fake Ollama, 200 ms)
 *   -> tavily-researcher (fake Tavily, 300 ms per search, news + general)
 *   -> notifier (joins the briefing) -> slack-sink (fake Slack)
 *
 * The fakes run in this process (tests/fakes); `careerops run` runs the
 * pipeline on the embedded broker. Emails are appended one at a time (each
 * waits for its post), so each figure is one email's end-to-end latency.
 * Prints median, p95, min and max over N emails (default 50).
 *
 * Usage: bench_notify CAREEROPS [N]   (env CAREEROPS_PLUGIN_PATH)
 */
#include "co_fake.h"
#include "co_fake_ollama.h"
#include "co_fake_slack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Appends one interview email to the mbox in one write(). */
static void append_email(const char *mbox, int i)
{
    char msg[2048];
    int n = snprintf(
        msg, sizeof msg,
        "From talent@lindqvist-robotics.example Mon Mar  3 09:00:00 2025\n"
        "From: Mara Lind <talent@lindqvist-robotics.example>\n"
        "To: Alex Doe <alex@mail.example>\n"
        "Subject: Interview invitation %d: Firmware Engineer\n"
        "Date: Mon, 03 Mar 2025 09:00:00 +0000\n"
        "Message-ID: <bench-%d-%ld@lindqvist-robotics.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Hello Alex,\n\nWe would like to invite you to an interview for the "
        "Firmware Engineer role on Tuesday 4 March at 16:00.\n\nMara\n\n",
        i, i, (long)getpid());
    FILE *f = fopen(mbox, "a");
    if (f == NULL || fwrite(msg, 1, (size_t)n, f) != (size_t)n ||
        fclose(f) != 0) {
        perror(mbox);
        exit(1);
    }
}

/* Waits until the fake Slack has `want` posts; returns 0 or -1. */
static int wait_posts(co_fake_slack_t *s, size_t want, double timeout_ms)
{
    double end = mono_ms() + timeout_ms;
    while (co_fake_slack_posts(s) < want) {
        if (mono_ms() > end)
            return -1;
        usleep(1000);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_notify CAREEROPS [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 50;
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    setenv("CAREEROPS_LOG_LEVEL", "warn", 0);

    co_fake_t *fo = co_fake_start(0), *ft = co_fake_start(0),
              *fs = co_fake_start(0);
    if (fo == NULL || ft == NULL || fs == NULL)
        return 1;
    co_fake_ollama_t *ollama = co_fake_ollama_install(fo);
    co_fake_ollama_set_delay(ollama, 200);
    co_fake_ollama_set_default_content(
        ollama, "{\"event_type\":\"INTERVIEW\",\"company\":\"Lindqvist "
                "Robotics\",\"role\":\"Firmware Engineer\",\"scheduled_date\":"
                "\"2025-03-04T16:00:00Z\",\"confidence\":0.95,\"evidence\":["
                "\"invite you to an interview\"]}");
    /* Tavily: every search answered after 300 ms (scripted replies). */
    const char *tav =
        "{\"query\":\"Lindqvist Robotics\",\"answer\":null,\"images\":[],"
        "\"results\":[{\"title\":\"Lindqvist Robotics opens a plant\","
        "\"url\":\"https://news.example/lindqvist/1\",\"content\":"
        "\"Lindqvist Robotics, a maker of warehouse robots, opens a plant.\","
        "\"score\":0.9,\"published_date\":\"2025-02-01\"}],"
        "\"response_time\":0.3,\"usage\":{\"credits\":1},\"request_id\":\"b\"}";
    for (int i = 0; i < 2 * (n + 1) + 10; i++) {
        co_fake_script_t s = {.method = "POST",
                              .path = "/search",
                              .status = 200,
                              .body = tav,
                              .delay_ms = 300};
        co_fake_push(ft, &s);
    }
    co_fake_slack_t *slack = co_fake_slack_install(fs);

    char dir[] = "/tmp/careerops-bench-notify.XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    if (chdir(dir) != 0)
        return 1;
    if (system("mkdir -p secrets") != 0)
        return 1;
    FILE *f = fopen("secrets/slack_webhook", "w");
    fprintf(f, "%s/services/T0/B0/BENCH\n", co_fake_url(fs));
    fclose(f);
    f = fopen("secrets/tavily_api_key", "w");
    fprintf(f, "tvly-bench\n");
    fclose(f);
    fclose(fopen("inbox.mbox", "w"));
    f = fopen("m.json", "w");
    fprintf(f,
            "{\"pipeline\":\"benchnotify\",\"kafka\":{\"bootstrap.servers\":"
            "\"embedded\"},\"state\":\"memory:\",\"secrets_dir\":\"secrets\","
            "\"stages\":["
            "{\"name\":\"ingest\",\"plugin\":\"mailbox-source\",\"output\":"
            "\"raw_inbox_stream\",\"config\":{\"path\":\"inbox.mbox\","
            "\"follow\":true,\"poll_interval_ms\":20,\"settle_ms\":0}},"
            "{\"name\":\"classify\",\"plugin\":\"ollama-classifier\","
            "\"input\":\"raw_inbox_stream\",\"output\":\"classified_events\","
            "\"config\":{\"base_url\":\"%s\",\"model\":\"llama3.2:3b\","
            "\"rate_per_minute\":0}},"
            "{\"name\":\"research\",\"plugin\":\"tavily-researcher\","
            "\"input\":\"classified_events\",\"output\":\"research_tasks\","
            "\"config\":{\"api_key\":\"${secret:tavily_api_key}\","
            "\"base_url\":\"%s\",\"cache_ttl_s\":0}},"
            "{\"name\":\"notify\",\"plugin\":\"notifier\",\"input\":["
            "\"classified_events\",\"research_tasks\"],\"output\":"
            "\"notifications\",\"config\":{\"briefing_wait_ms\":10000,"
            "\"briefing_url_template\":\"http://127.0.0.1:8480/briefings/"
            "{key}\"}},"
            "{\"name\":\"slack\",\"plugin\":\"slack-sink\",\"input\":"
            "\"notifications\",\"config\":{\"webhook_url\":"
            "\"${secret:slack_webhook}\"}}]}\n",
            co_fake_url(fo), co_fake_url(ft));
    fclose(f);

    pid_t pid;
    char *args[] = {argv[1], "run", "m.json", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "careerops.log",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid, argv[1], &fa, NULL, args, environ) != 0) {
        perror(argv[1]);
        return 1;
    }
    /* Warm-up email: the pipeline is up once it is posted. */
    append_email("inbox.mbox", 0);
    int rc = 0;
    if (wait_posts(slack, 1, 60000) != 0) {
        fprintf(stderr,
                "bench_notify: no post within 60 s; see %s/careerops.log\n",
                dir);
        rc = 1;
    }
    double *lat = calloc((size_t)n, sizeof *lat);
    for (int i = 1; rc == 0 && i <= n; i++) {
        double t0 = mono_ms();
        append_email("inbox.mbox", i);
        if (wait_posts(slack, (size_t)i + 1, 30000) != 0) {
            fprintf(stderr, "bench_notify: email %d not posted in 30 s\n", i);
            rc = 1;
            break;
        }
        lat[i - 1] = mono_ms() - t0;
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (rc == 0) {
        qsort(lat, (size_t)n, sizeof *lat, cmp_double);
        double p50 = lat[(n - 1) / 2], p95 = lat[(int)((n - 1) * 0.95 + 0.5)];
        printf("notify latency (email appended -> Slack post), %d emails, "
               "fakes: Ollama 200 ms, Tavily 300 ms x 2 searches\n",
               n);
        printf("  median %.0f ms  p95 %.0f ms  min %.0f ms  max %.0f ms\n", p50,
               p95, lat[0], lat[n - 1]);
        printf("  Slack posts %zu, Tavily searches answered by script: %zu "
               "left of %d\n",
               co_fake_slack_posts(slack), co_fake_pending(ft),
               2 * (n + 1) + 10);
        printf("  target p95 < 2000 ms: %s\n", p95 < 2000 ? "met" : "NOT met");
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    free(lat);
    co_fake_stop(fo);
    co_fake_stop(ft);
    co_fake_stop(fs);
    return rc;
}
