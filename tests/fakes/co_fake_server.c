/**
 * @file tests/fakes/co_fake_server.c
 * @brief `co-fake-server`: the fake HTTP services as a standalone program,
 *        for shell-level integration tests and demos.
 *
 *   co-fake-server --service ollama --port-file run/ollama.port \
 *                  --model llama3.2:3b --error 503 --content '{...}' &
 *
 * Listens on 127.0.0.1 until SIGTERM or SIGINT. Run with --help for the
 * options.
 */
#include "co_fake.h"
#include "co_fake_gmail.h"
#include "co_fake_chroma.h"
#include "co_fake_ollama.h"
#include "co_fake_slack.h"
#include "co_fake_tavily.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: co-fake-server [OPTION]...\n"
        "A fake HTTP service on 127.0.0.1 for tests (WIRE.md).\n\n"
        "  --service NAME         ollama | tavily | chroma | slack | generic "
        "(default generic:\n"
        "                         scripts only)\n"
        "  --port N               TCP port (default 0: ephemeral)\n"
        "  --port-file FILE       write the port number to FILE once "
        "listening\n"
        "  --log FILE             append each request as a JSON line\n"
        "  --script FILE          JSON array of one-shot replies: "
        "{\"method\",\"path\",\n"
        "                         \"status\",\"content_type\",\"body\" "
        "(string or JSON),\n"
        "                         \"headers\":{..},\"delay_ms\",\"drop\"}\n"
        "ollama:\n"
        "  --model NAME           declare an installed model "
        "(repeatable; none: any)\n"
        "  --content TEXT         queue a chat answer's message.content "
        "(repeatable)\n"
        "  --error STATUS[:MSG]   queue an error answer (503 without MSG: "
        "the busy message)\n"
        "  --default-content TEXT answer when the queue is empty "
        "(default: keyword heuristic)\n"
        "  --delay-ms N           delay every chat answer by N ms\n"
        "  --length-cut N         answer the next N chats cut at the token "
        "limit\n"
        "                         (done_reason/finish_reason \"length\"; -1: "
        "all)\n"
        "  --api-key KEY          /v1/chat/completions wants Bearer KEY\n"
        "gmail (token endpoint at /token, API at /gmail/v1):\n"
        "  --gmail-messages N     serve N generated messages\n"
        "  --gmail-get-delay-ms N delay every messages.get by N ms\n"
        "  --gmail-token-delay-ms N delay every refresh_token grant by N "
        "ms\n"
        "  --help                 this text\n");
}

static int load_script(co_fake_t *f, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (root == NULL || !json_is_array(root)) {
        fprintf(stderr,
                "co-fake-server: %s: %s (expected a JSON array of replies)\n",
                path, root ? "not an array" : err.text);
        json_decref(root);
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach(root, i, e)
    {
        json_t *body = json_object_get(e, "body");
        char *body_s = json_is_string(body) ? strdup(json_string_value(body))
                       : body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY)
                              : NULL;
        char *hdrs = NULL;
        size_t hlen = 0;
        FILE *hs = open_memstream(&hdrs, &hlen);
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(e, "headers"), k, v)
            fprintf(hs, "%s: %s\n", k, json_string_value(v));
        fclose(hs);
        co_fake_script_t s = {
            .method = json_string_value(json_object_get(e, "method")),
            .path = json_string_value(json_object_get(e, "path")),
            .status = (int)json_integer_value(json_object_get(e, "status")),
            .content_type =
                json_string_value(json_object_get(e, "content_type")),
            .body = body_s,
            .headers = hlen ? hdrs : NULL,
            .delay_ms = (int)json_integer_value(json_object_get(e, "delay_ms")),
            .drop = json_is_true(json_object_get(e, "drop"))};
        co_fake_push(f, &s);
        free(body_s);
        free(hdrs);
    }
    json_decref(root);
    return 0;
}

static int write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *pf = fopen(tmp, "w");
    if (pf == NULL || fprintf(pf, "%u\n", port) < 0 || fclose(pf) != 0 ||
        rename(tmp, path) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        O_SERVICE = 1,
        O_PORT,
        O_PORTFILE,
        O_LOG,
        O_SCRIPT,
        O_MODEL,
        O_CONTENT,
        O_ERROR,
        O_DEFAULT,
        O_DELAY,
        O_LENGTH,
        O_APIKEY,
        O_GMSGS,
        O_GDELAY,
        O_GTDELAY,
        O_HELP
    };
    static const struct option opts[] = {
        {"service", required_argument, NULL, O_SERVICE},
        {"port", required_argument, NULL, O_PORT},
        {"port-file", required_argument, NULL, O_PORTFILE},
        {"log", required_argument, NULL, O_LOG},
        {"script", required_argument, NULL, O_SCRIPT},
        {"model", required_argument, NULL, O_MODEL},
        {"content", required_argument, NULL, O_CONTENT},
        {"error", required_argument, NULL, O_ERROR},
        {"default-content", required_argument, NULL, O_DEFAULT},
        {"delay-ms", required_argument, NULL, O_DELAY},
        {"length-cut", required_argument, NULL, O_LENGTH},
        {"api-key", required_argument, NULL, O_APIKEY},
        {"gmail-messages", required_argument, NULL, O_GMSGS},
        {"gmail-get-delay-ms", required_argument, NULL, O_GDELAY},
        {"gmail-token-delay-ms", required_argument, NULL, O_GTDELAY},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};

    /* First pass: the options needed before starting. */
    const char *service = "generic", *port_file = NULL, *log_path = NULL;
    unsigned port = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_SERVICE:
            service = optarg;
            break;
        case O_PORT:
            port = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case O_PORTFILE:
            port_file = optarg;
            break;
        case O_LOG:
            log_path = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        case '?':
            usage(stderr);
            return 2;
        default:
            break;
        }
    }
    if (strcmp(service, "ollama") != 0 && strcmp(service, "generic") != 0 &&
        strcmp(service, "gmail") != 0 && strcmp(service, "tavily") != 0 &&
        strcmp(service, "chroma") != 0 && strcmp(service, "slack") != 0) {
        fprintf(stderr,
                "co-fake-server: unknown --service '%s' (ollama, gmail, "
                "tavily, chroma, slack, generic)\n",
                service);
        return 2;
    }
    if (port > 65535) {
        fprintf(stderr, "co-fake-server: --port must be 0..65535\n");
        return 2;
    }

    /* Block the stop signals before threads start, then sigwait(). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    co_fake_t *f = co_fake_start((uint16_t)port);
    if (f == NULL)
        return 1;
    FILE *log = NULL;
    if (log_path != NULL) {
        log = fopen(log_path, "a");
        if (log == NULL) {
            perror(log_path);
            co_fake_stop(f);
            return 1;
        }
        co_fake_log_to(f, log);
    }
    co_fake_ollama_t *o = NULL;
    if (strcmp(service, "ollama") == 0)
        o = co_fake_ollama_install(f);
    else if (strcmp(service, "tavily") == 0)
        co_fake_tavily_install(f);
    else if (strcmp(service, "chroma") == 0)
        co_fake_chroma_install(f);
    else if (strcmp(service, "slack") == 0)
        co_fake_slack_install(f); /* Slack webhook + PagerDuty */
    co_fake_gmail_t *gm = NULL;
    if (strcmp(service, "gmail") == 0)
        gm = co_fake_gmail_install(f);

    /* Second pass: scripts and answers, in command-line order. */
    int rc = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1 && rc == 0) {
        if (o == NULL &&
            (c == O_MODEL || c == O_CONTENT || c == O_ERROR || c == O_DEFAULT ||
             c == O_DELAY || c == O_LENGTH || c == O_APIKEY)) {
            fprintf(stderr, "co-fake-server: option needs --service ollama\n");
            rc = 2;
            break;
        }
        if (gm == NULL && (c == O_GMSGS || c == O_GDELAY || c == O_GTDELAY)) {
            fprintf(stderr, "co-fake-server: option needs --service gmail\n");
            rc = 2;
            break;
        }
        switch (c) {
        case O_GMSGS:
            co_fake_gmail_add_generated(gm, atoi(optarg));
            break;
        case O_GDELAY:
            co_fake_gmail_set_get_delay(gm, atoi(optarg));
            break;
        case O_GTDELAY:
            co_fake_gmail_set_token_delay(gm, atoi(optarg));
            break;
        case O_SCRIPT:
            rc = load_script(f, optarg) ? 2 : 0;
            break;
        case O_MODEL:
            co_fake_ollama_add_model(o, optarg);
            break;
        case O_CONTENT:
            co_fake_ollama_push_content(o, optarg, 0);
            break;
        case O_ERROR: {
            char *end;
            long st = strtol(optarg, &end, 10);
            const char *msg = *end == ':' ? end + 1
                              : st == 503 ? CO_FAKE_OLLAMA_BUSY
                                          : "internal server error";
            co_fake_ollama_push_error(o, (int)st, msg, 0);
            break;
        }
        case O_DEFAULT:
            co_fake_ollama_set_default_content(o, optarg);
            break;
        case O_DELAY:
            co_fake_ollama_set_delay(o, atoi(optarg));
            break;
        case O_LENGTH:
            co_fake_ollama_set_length_cut(o, atoi(optarg));
            break;
        case O_APIKEY:
            co_fake_ollama_set_api_key(o, optarg);
            break;
        default:
            break;
        }
    }
    if (rc == 0 && port_file != NULL &&
        write_port_file(port_file, co_fake_port(f)) != 0)
        rc = 1;
    if (rc == 0) {
        fprintf(stderr, "co-fake-server: %s listening on %s\n", service,
                co_fake_url(f));
        int sig;
        sigwait(&set, &sig);
    }
    co_fake_stop(f);
    if (log != NULL)
        fclose(log);
    return rc;
}
