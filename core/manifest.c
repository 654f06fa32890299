/* Pipeline manifest: the top level (kafka, state, http, defaults, alerts,
 * stages, topics) and its life cycle. --set overrides are in
 * manifest_set.c, ${secret:}/${env:} in manifest_expand.c, one stage in
 * manifest_stage.c, topic cycles in manifest_graph.c. */
#include "lazylib.h" /* co_pq(): libpq, loaded when used */
#include "manifest_int.h"
#include "options.h" /* co_json_kind(), co_options_check_path() */
#include "util.h"
#include "co_pgmig.h" /* co_pgmig_conninfo_ambiguous() */
#include "co_redact.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void co__add_topic(co_manifest_t *m, const char *name)
{
    if (name == NULL)
        return;
    for (size_t i = 0; i < m->n_topics; i++)
        if (strcmp(m->topics[i].name, name) == 0)
            return;
    m->topics = realloc(m->topics, (m->n_topics + 1) * sizeof *m->topics);
    if (m->topics == NULL)
        abort();
    m->topics[m->n_topics].name = co_strdup(name);
    m->topics[m->n_topics].partitions = m->default_partitions;
    m->n_topics++;
}

/* Two topics whose names differ only by '.' against '_' ("mail.raw",
 * "mail_raw"): one name in Kafka's metrics, so a broker refuses to create
 * the second (InvalidTopicException "collides with existing topics"), and
 * `graph` drew them as one node (trial 80). */
static void co__topic_collisions(const co_manifest_t *m, co_diag_t *d)
{
    for (size_t i = 0; i < m->n_topics; i++)
        for (size_t j = i + 1; j < m->n_topics; j++) {
            const char *a = m->topics[i].name, *b = m->topics[j].name;
            size_t k = 0;
            while (a[k] != '\0' &&
                   (a[k] == b[k] || ((a[k] == '.' || a[k] == '_') &&
                                     (b[k] == '.' || b[k] == '_'))))
                k++;
            if (a[k] == '\0' && b[k] == '\0')
                co_diag_add(d, "topics",
                            "\"%s\" and \"%s\" are one topic name to "
                            "Kafka ('.' and '_' are the same in its metric "
                            "names; a broker refuses to create the second): "
                            "rename one",
                            a, b);
        }
}

static const char *const co__top_keys[] = {
    "pipeline", "description", "kafka",  "state",  "secrets_dir", "http",
    "defaults", "topics",      "stages", "alerts", "$schema",     NULL};
static const char *const co__defaults_keys[] = {
    "errors",    "rate_limit",  "concurrency",
    "delivery",  "partitions",  "commit_interval_ms",
    "max_batch", "cloudevents", "input_headers",
    NULL};
static const char *const co__alerts_keys[] = {
    "dlq_depth", "consumer_lag", "for_s", "webhook_url",
    "kind",      "routing_key",  "topic", NULL};
static const char *const co__http_keys[] = {"listen",          "token_file",
                                            "allowed_hosts",   "idle_timeout_s",
                                            "max_connections", NULL};

static int co__json_name(const struct dirent *e)
{
    size_t l = strlen(e->d_name);
    return l > 5 && strcmp(e->d_name + l - 5, ".json") == 0;
}

/* A folder given as the manifest: say so, with the .json files in it. */
static void co__manifest_is_dir(const char *path, co_diag_t *d)
{
    char found[512] = "";
    size_t j = 0;
    struct dirent **names = NULL;
    int n = scandir(path, &names, co__json_name, alphasort);
    for (int i = 0; i < n; i++) {
        if (i < 4 && j + 1 < sizeof found)
            j += (size_t)snprintf(found + j, sizeof found - j, "%s%s",
                                  i ? ", " : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    co_diag_add(d, "",
                "%s is a directory, not a manifest: pass the manifest's "
                "JSON file%s%s%s",
                path, n > 0 ? " (here: " : ", e.g. pipelines/demo.json", found,
                n > 4   ? ", ...)"
                : n > 0 ? ")"
                        : "");
}

/* jansson's error text without its "near '...'" quote of the input, but
 * for a duplicate key or a one- or two-character token: the quote is the
 * text at the fault, which may be a secret ("invalid escape near
 * '\"PW\\x'" for a bad escape in a password, or a secret file given as the
 * manifest, trial 53); the line and column say where. */
typedef struct {
    char s[JSON_ERROR_TEXT_LENGTH + 64];
} co__jtext_t;
static co__jtext_t co__json_error_text(const char *t)
{
    co__jtext_t r;
    snprintf(r.s, sizeof r.s, "%s", t);
    char *near = strstr(r.s, " near '");
    if (near == NULL || strncmp(r.s, "duplicate object key", 20) == 0)
        return r;
    size_t tok = strlen(near + 7);
    if (tok > 0 && near[7 + tok - 1] == '\'')
        tok--;
    if (tok > 2)
        *near = '\0';
    return r;
}

co_manifest_t *co_manifest_load(const char *path, const char *const *sets,
                                co_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;
    struct stat sb;
    if (path[0] == '\0') { /* trial 76: "cannot read : No such file" */
        co_diag_add(d, "",
                    "the path is empty: give the path of a pipeline "
                    "manifest, e.g. pipelines/demo.json");
        return NULL;
    }
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        co__manifest_is_dir(path, d);
        return NULL;
    }
    int rc = co_read_file(path, &text, &len);
    if (rc != 0) {
        co_diag_add(d, "", "cannot read %s: %s", path, co_read_strerror(rc));
        return NULL;
    }
    char *dir = co_dirname(path);
    co_manifest_t *m = co_manifest_load_buffer(text, len, path, dir, sets, d);
    free(dir);
    free(text);
    return m;
}

/* A broker list as librdkafka reads it: HOST[:PORT] entries separated by
 * ',' (and blanks), each optionally PROTOCOL://; an IPv6 host in [...].
 * A login ("u:PW@host", trial 53: logged by every connection attempt) or
 * a port that is no number from 1 to 65535 (trial 54: "h:99999") is
 * refused. */
static int co__bootstrap_ok(const char *bs)
{
    if (strchr(bs, '@') != NULL)
        return 0;
    char *copy = co_strdup(bs), *save = NULL;
    int ok = 1;
    for (char *e = strtok_r(copy, ", \t", &save); e != NULL && ok;
         e = strtok_r(NULL, ", \t", &save)) {
        char *sl = strstr(e, "://");
        const char *h = sl != NULL ? sl + 3 : e;
        const char *port = NULL;
        if (h[0] == '[') {
            const char *close = strchr(h, ']');
            ok = close != NULL && (close[1] == '\0' || close[1] == ':');
            port = ok && close[1] == ':' ? close + 2 : NULL;
        } else {
            port = strchr(h, ':');
            port = port != NULL ? port + 1 : NULL;
        }
        if (ok && port != NULL)
            ok = port[0] != '\0' && strlen(port) <= 5 &&
                 strspn(port, "0123456789") == strlen(port) &&
                 atoi(port) >= 1 && atoi(port) <= 65535;
    }
    free(copy);
    return ok;
}

/* kafka: librdkafka properties, numbers and booleans turned to strings. */
static void co__parse_kafka(co_manifest_t *m, json_t *root, co_diag_t *d)
{
    json_t *k = json_object_get(root, "kafka");
    if (k != NULL && !json_is_object(k)) {
        co_diag_add(d, "kafka", "must be an object of librdkafka properties");
        k = NULL;
    }
    m->kafka = k ? json_deep_copy(k) : json_object();
    if (json_object_get(m->kafka, "bootstrap.servers") == NULL)
        json_object_set_new(m->kafka, "bootstrap.servers",
                            json_string("embedded"));
    const char *key;
    json_t *val;
    json_object_foreach(m->kafka, key, val)
    {
        char p[300];
        snprintf(p, sizeof p, "kafka.%s", key);
        if (key[0] == '\0' || key[0] == '.' || key[strlen(key) - 1] == '.' ||
            strstr(key, "..") != NULL) {
            co_diag_add(d, p,
                        "\"%s\" is not a librdkafka property name (e.g. "
                        "\"bootstrap.servers\")",
                        key);
        } else if (json_is_integer(val) || json_is_boolean(val) ||
                   json_is_real(val)) {
            char *txt = json_dumps(val, JSON_ENCODE_ANY);
            json_object_set_new(m->kafka, key, json_string(txt));
            free(txt);
        } else if (!json_is_string(val)) {
            co_diag_add(d, p, "librdkafka properties are strings");
        }
    }
    const char *bs =
        json_string_value(json_object_get(m->kafka, "bootstrap.servers"));
    if (bs != NULL && bs[strspn(bs, " \t")] == '\0')
        co_diag_add(d, "kafka.bootstrap.servers",
                    "is empty: give the brokers as \"HOST:PORT[,HOST:PORT]\", "
                    "or \"embedded\" (the in-process broker), or leave it "
                    "out");
    m->embedded = bs && strcmp(bs, "embedded") == 0;
    if (bs != NULL && !m->embedded && !co__bootstrap_ok(bs))
        co_diag_add(d, "kafka.bootstrap.servers",
                    "not a broker list (not shown: it may hold a login): "
                    "give HOST:PORT[,HOST:PORT] (optionally PROTOCOL:// "
                    "before each, a port from 1 to 65535); a user name and "
                    "password go in kafka.sasl.username and "
                    "kafka.sasl.password (from ${secret:NAME})");
}

/* http: listen address, control token file, extra allowed Host names,
 * idle timeout and connection limit. */
static void co__parse_http(co_manifest_t *m, json_t *root, co_diag_t *d)
{
    json_t *http = json_object_get(root, "http");
    m->http_idle_timeout_s = CO_HTTP_IDLE_TIMEOUT_S;
    m->http_max_connections = CO_HTTP_MAX_CONNECTIONS;
    if (http == NULL)
        return;
    if (!json_is_object(http)) {
        co_diag_add(d, "http",
                    "must be an object like {\"listen\": \"127.0.0.1:9464\"}");
        return;
    }
    co__check_keys(http, "http", co__http_keys, d);
    m->http_listen = co__get_str(http, "listen", "http", 0, NULL, d);
    char *tf = co__get_str(http, "token_file", "http", 0, NULL, d);
    if (tf != NULL && tf[0] == '\0')
        co_diag_add(d, "http.token_file",
                    "is empty: give the path of a file holding the control "
                    "token, or leave it out (the host makes one)");
    else if (tf != NULL &&
             co_options_check_path(tf, CO_OPT_INPUT, "http.token_file", d))
        ; /* "~/tok" (it read "./~/tok") */
    else if (tf != NULL) {
        m->http_token_file = co_path_join(m->dir, tf);
        if (access(m->http_token_file, R_OK) != 0)
            co_diag_add(d, "http.token_file",
                        "cannot read %s (%s): write the control token there "
                        "(one line of 16 or more characters, mode 0600) or "
                        "leave token_file out and the host makes one",
                        m->http_token_file, strerror(errno));
    }
    free(tf);
    m->http_idle_timeout_s = (int)co__get_int(
        http, "idle_timeout_s", "http", CO_HTTP_IDLE_TIMEOUT_S, 1, 3600, d);
    m->http_max_connections = (int)co__get_int(
        http, "max_connections", "http", CO_HTTP_MAX_CONNECTIONS, 2, 1000, d);
    json_t *ah = json_object_get(http, "allowed_hosts");
    if (ah == NULL)
        return;
    if (!json_is_array(ah)) {
        co_diag_add(d, "http.allowed_hosts",
                    "must be an array of host names, e.g. [\"ops.example\"]");
        return;
    }
    m->http_allowed_hosts = co_xcalloc(json_array_size(ah) + 1, sizeof(char *));
    size_t i, n = 0;
    json_t *h;
    json_array_foreach(ah, i, h)
    {
        const char *v = json_string_value(h);
        if (v == NULL || v[0] == '\0' || strpbrk(v, ":/ ") != NULL) {
            char p[64];
            snprintf(p, sizeof p, "http.allowed_hosts[%zu]", i);
            co_diag_add(d, p,
                        "must be a host name or IPv4 address without a "
                        "port, e.g. \"ops.example\"");
            continue;
        }
        m->http_allowed_hosts[n++] = co_strdup(v);
    }
}

/* alerts.kind names the webhook's format (docs/notifications.md,
 * "Operational alerts"): one of the two, with what each needs; a kind
 * without a webhook_url would post nowhere, a PagerDuty post without a
 * routing key is refused by PagerDuty. */
static void co__check_alert_kind(const co_alerts_conf_t *a, co_diag_t *d)
{
    const char *k = a->kind;
    if (k == NULL)
        return;
    if (strcmp(k, "slack") != 0 && strcmp(k, "pagerduty") != 0) {
        co_diag_add(d, "alerts.kind",
                    "\"%s\" is not an alert kind: use \"slack\" (an "
                    "incoming webhook, the default) or \"pagerduty\" "
                    "(Events API v2)",
                    k);
        return;
    }
    if (a->webhook_url == NULL || a->webhook_url[0] == '\0')
        co_diag_add(d, "alerts.webhook_url",
                    "alerts.kind is \"%s\" but there is no webhook_url to "
                    "post to: set it (e.g. \"${secret:alerts_webhook}\"), or "
                    "remove kind to only log and record the alerts",
                    k);
    if (strcmp(k, "pagerduty") == 0 &&
        (a->routing_key == NULL || a->routing_key[0] == '\0'))
        co_diag_add(d, "alerts.routing_key",
                    "alerts.kind is \"pagerduty\" but there is no "
                    "routing_key: set the service's Events API v2 "
                    "integration key (e.g. \"${secret:pagerduty_key}\")");
}

static void co__parse_alerts(co_manifest_t *m, json_t *root, co_diag_t *d)
{
    json_t *al = json_object_get(root, "alerts");
    m->alerts.dlq_depth = 10;
    m->alerts.consumer_lag = 100;
    m->alerts.for_s = 60;
    if (al != NULL && !json_is_object(al)) {
        co_diag_add(d, "alerts", "must be an object");
    } else if (al != NULL) {
        co__check_keys(al, "alerts", co__alerts_keys, d);
        m->alerts.dlq_depth =
            co__get_int(al, "dlq_depth", "alerts", 10, 0, INT64_MAX, d);
        m->alerts.consumer_lag =
            co__get_int(al, "consumer_lag", "alerts", 100, 0, INT64_MAX, d);
        m->alerts.for_s = co__get_int(al, "for_s", "alerts", 60, 0, 86400, d);
        m->alerts.webhook_url =
            co__get_str(al, "webhook_url", "alerts", 0, NULL, d);
        m->alerts.kind = co__get_str(al, "kind", "alerts", 0, NULL, d);
        m->alerts.routing_key =
            co__get_str(al, "routing_key", "alerts", 0, NULL, d);
        m->alerts.topic = co__get_str(al, "topic", "alerts", 0, NULL, d);
        /* "" has its own message (validate.c); other names as any topic's */
        if (m->alerts.topic != NULL && m->alerts.topic[0] != '\0')
            co__check_name(m->alerts.topic, "alerts.topic", "topic name", d);
        co__check_alert_kind(&m->alerts, d);
    }
    if (m->alerts.topic == NULL)
        m->alerts.topic = co_strdup("alerts");
}

static void co__parse_stages(co_manifest_t *m, json_t *root, json_t *defaults,
                             co_diag_t *d)
{
    json_t *stages = json_object_get(root, "stages");
    if (stages != NULL && !json_is_array(stages)) {
        co_diag_add(d, "stages", "expected an array of stages, got %s",
                    co_json_kind(stages));
        return;
    }
    if (json_array_size(stages) == 0) {
        co_diag_add(d, "stages", "missing or empty: give an array of stages");
        return;
    }
    m->n_stages = json_array_size(stages);
    m->stages = co_xcalloc(m->n_stages, sizeof *m->stages);
    for (size_t i = 0; i < m->n_stages; i++)
        co__parse_stage(m, json_array_get(stages, i), defaults, i, d);
    for (size_t i = 0; i < m->n_stages; i++)
        for (size_t j = 0; j < i; j++)
            if (m->stages[i].name && m->stages[j].name &&
                strcmp(m->stages[i].name, m->stages[j].name) == 0) {
                char p[CO_STAGE_PATH_MAX + 8];
                co_manifest_stage_path(p, CO_STAGE_PATH_MAX, i,
                                       m->stages[i].name);
                strcat(p, ".name");
                co_diag_add(d, p,
                            "\"%s\" is already the name of stages[%zu]; "
                            "names must be unique",
                            m->stages[i].name, j);
            }
    for (size_t i = 0; i < m->n_stages; i++) {
        co_stage_conf_t *s = &m->stages[i];
        for (size_t j = 0; j < s->n_inputs; j++)
            co__add_topic(m, s->inputs[j]);
        co__add_topic(m, s->output);
        if (s->name)
            co__add_topic(m, s->dlq_topic);
    }
    co__add_topic(m, m->alerts.topic);
    co__check_topology(m, d);
}

static void co__parse_topics(co_manifest_t *m, json_t *root, co_diag_t *d)
{
    json_t *topics = json_object_get(root, "topics");
    if (topics == NULL)
        return;
    if (!json_is_object(topics)) {
        co_diag_add(d, "topics",
                    "must be an object: {\"TOPIC\": {\"partitions\": N}}");
        return;
    }
    static const char *const tk[] = {"partitions", NULL};
    const char *tn;
    json_t *tv;
    json_object_foreach(topics, tn, tv)
    {
        char p[300];
        snprintf(p, sizeof p, "topics.%s", tn);
        if (!json_is_object(tv)) {
            co_diag_add(d, p, "must be {\"partitions\": N}");
            continue;
        }
        co__check_keys(tv, p, tk, d);
        /* the names Kafka refuses or keeps for itself, as in a stage's
         * input/output (trial 45: a warning only) */
        co__check_name(tn, p, "topic name", d);
        co__add_topic(m, tn);
        for (size_t i = 0; i < m->n_topics; i++)
            if (strcmp(m->topics[i].name, tn) == 0)
                m->topics[i].partitions = (int)co__get_int(
                    tv, "partitions", p, m->default_partitions, 1, 1024, d);
    }
}

co_manifest_t *co_manifest_load_buffer(const char *text, size_t len,
                                       const char *path, const char *dir,
                                       const char *const *sets, co_diag_t *d)
{
    /* a UTF-8 byte order mark, as some editors write (RFC 8259 section 8.1
     * lets a parser ignore it) */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        char where[64];
        snprintf(where, sizeof where, "line %d column %d", je.line, je.column);
        if (memchr(text, '\0', len) != NULL)
            co_diag_add(d, where,
                        "not valid JSON: the file holds NUL bytes (a binary "
                        "file, or UTF-16 text: save it as UTF-8)");
        else if (strncmp(je.text, "real number overflow", 20) == 0 ||
                 strncmp(je.text, "too big integer", 15) == 0 ||
                 strncmp(je.text, "too big negative integer", 24) == 0)
            /* "1e400": past a double's range (trial 52: jansson's words) */
            co_diag_add(d, where,
                        "not valid JSON here: a number too large (an "
                        "integer past 9223372036854775807, or any number "
                        "past about 1.8e308): write a smaller number");
        else if (strstr(je.text, "JSON_ALLOW_NUL") != NULL)
            /* jansson's words named its flag (trial 72) */
            co_diag_add(d, where,
                        "not valid here: a string holds \\u0000 (a NUL "
                        "character), which no manifest value may hold: "
                        "remove it");
        else
            co_diag_add(d, where, "not valid JSON: %s",
                        co__json_error_text(je.text).s);
        return NULL;
    }
    if (!json_is_object(root)) {
        co_diag_add(d, "", "the manifest must be a JSON object");
        json_decref(root);
        return NULL;
    }
    co__apply_sets(root, sets, d);

    co_manifest_t *m = co_xcalloc(1, sizeof *m);
    m->root = root;
    m->path = co_strdup(path);
    m->dir = co_strdup(dir);
    co__check_keys(root, "", co__top_keys, d);
    free(co__get_str(root, "description", "", 0, NULL, d));
    /* secrets_dir may use ${env:...} (not ${secret:...}); unset, it is
     * systemd's $CREDENTIALS_DIRECTORY (LoadCredential=) when set */
    json_t *sdw = json_object(), *sdv = json_object_get(root, "secrets_dir");
    if (sdv != NULL)
        json_object_set(sdw, "secrets_dir", sdv);
    co__expand(sdw, "", "", d);
    const char *cred = getenv("CREDENTIALS_DIRECTORY");
    char *sd = co__get_str(sdw, "secrets_dir", "", 0,
                           cred && cred[0] ? cred : "/run/secrets", d);
    json_decref(sdw);
    if (sd != NULL) /* "~/sec" read "./~/sec" */
        co_options_check_path(sd, CO_OPT_INPUT, "secrets_dir", d);
    m->secrets_dir = co_path_join(m->dir, sd);
    free(sd);
    co__expand(root, "", m->secrets_dir, d);
    /* after the expansion, as the stage and topic names (trial 43:
     * "pipeline": "${env:PNAME}" was refused as it stood) */
    m->pipeline = co__get_str(root, "pipeline", "", 1, NULL, d);
    co__check_name(m->pipeline, "pipeline", "pipeline name", d);

    co__parse_kafka(m, root, d);
    co__parse_state(m, root, d);
    co__parse_http(m, root, d);
    json_t *defaults = json_object_get(root, "defaults");
    if (defaults != NULL && !json_is_object(defaults)) {
        co_diag_add(d, "defaults", "must be an object");
        defaults = NULL;
    }
    if (defaults)
        co__check_keys(defaults, "defaults", co__defaults_keys, d);
    m->default_partitions =
        (int)co__get_int(defaults ? defaults : root, "partitions",
                         defaults ? "defaults" : "", 4, 1, 1024, d);
    co__parse_alerts(m, root, d);
    co__parse_stages(m, root, defaults, d);
    co__parse_topics(m, root, d);
    co__topic_collisions(m, d);
    return m;
}

void co_manifest_free(co_manifest_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_stages; i++)
        co__stage_free(&m->stages[i]);
    free(m->stages);
    for (size_t i = 0; i < m->n_topics; i++)
        free(m->topics[i].name);
    free(m->topics);
    free(m->path);
    free(m->dir);
    free(m->pipeline);
    json_decref(m->kafka);
    free(m->state);
    free(m->secrets_dir);
    free(m->http_listen);
    free(m->http_token_file);
    for (size_t i = 0; m->http_allowed_hosts && m->http_allowed_hosts[i]; i++)
        free(m->http_allowed_hosts[i]);
    free(m->http_allowed_hosts);
    free(m->alerts.webhook_url);
    free(m->alerts.kind);
    free(m->alerts.routing_key);
    free(m->alerts.topic);
    json_decref(m->root);
    free(m);
}

const char *co_manifest_stage_list(const co_manifest_t *m, unsigned roles,
                                   char *buf, size_t sz)
{
    size_t j = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->n_stages && j + 1 < sz; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        unsigned role = s->n_inputs == 0 ? CO_STAGE_SOURCE
                        : s->output      ? CO_STAGE_PROCESSOR
                                         : CO_STAGE_SINK;
        if ((roles & role) && s->name != NULL)
            j += (size_t)snprintf(buf + j, sz - j, "%s%s", j ? ", " : "",
                                  s->name);
    }
    if (buf[0] == '\0')
        snprintf(buf, sz, "none");
    return buf;
}

const co_stage_conf_t *co_manifest_stage(const co_manifest_t *m,
                                         const char *name)
{
    for (size_t i = 0; i < m->n_stages; i++)
        if (m->stages[i].name && strcmp(m->stages[i].name, name) == 0)
            return &m->stages[i];
    return NULL;
}

int co_manifest_partitions(const co_manifest_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_topics; i++)
        if (strcmp(m->topics[i].name, name) == 0)
            return m->topics[i].partitions;
    return m->default_partitions;
}
