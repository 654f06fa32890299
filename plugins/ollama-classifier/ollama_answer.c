/**
 * @file plugins/ollama-classifier/ollama_answer.c
 * @brief Answer validation and event building; see ollama_answer.h.
 */
#include "ollama_answer.h"

#include "rules_engine.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const ollama_labels[7] = {
    "INTERVIEW",          "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
    "RECRUITER_OUTREACH", "OTHER"};

/* Max evidence quotes kept, and bytes per quote. */
#define OLLAMA_EVIDENCE_MAX   3
#define OLLAMA_EVIDENCE_BYTES 300

void ollama_event_clear(ollama_event_t *ev)
{
    json_decref(ev->evidence);
    memset(ev, 0, sizeof *ev);
}

/* Reads exactly n digits. */
static int ollama_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* A strict RFC 3339 reader: strptime() has no portable offset support and
 * jansson/libcurl offer none, so these few lines are ours. */
int ollama_rfc3339_utc(const char *s, char *out, size_t out_size)
{
    int Y, M, D, h, m, sec = 0, oh = 0, om = 0, sign = 0;
    const char *p = s;
    if (s == NULL || ollama_digits(&p, 4, &Y) || *p++ != '-' ||
        ollama_digits(&p, 2, &M) || *p++ != '-' || ollama_digits(&p, 2, &D) ||
        (*p != 'T' && *p != 't' && *p != ' ') || !*p++ ||
        ollama_digits(&p, 2, &h) || *p++ != ':' || ollama_digits(&p, 2, &m))
        return -1;
    if (*p == ':') {
        p++;
        if (ollama_digits(&p, 2, &sec))
            return -1;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (ollama_digits(&p, 2, &oh) || *p++ != ':' ||
            ollama_digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
    } else {
        return -1; /* a time without a zone is not RFC 3339 */
    }
    if (*p != '\0' || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
        sec > 60)
        return -1;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec > 59 ? 59 : sec};
    time_t t = timegm(&tm);
    /* timegm() normalises 31 February into March: refuse such dates. */
    if (tm.tm_mday != D || tm.tm_mon != M - 1)
        return -1;
    t -= (time_t)sign * (oh * 3600 + om * 60);
    struct tm u;
    if (gmtime_r(&t, &u) == NULL ||
        strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &u) == 0)
        return -1;
    return 0;
}

/* Copies a string-or-null field, trimmed and cut at a UTF-8 boundary. */
static int ollama_opt_string(json_t *obj, const char *key, char *out,
                             size_t out_size, char *err, size_t err_size)
{
    json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (v == NULL) {
        snprintf(err, err_size, "field '%s' is missing", key);
        return -1;
    }
    if (json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        snprintf(err, err_size, "field '%s' must be a string or null", key);
        return -1;
    }
    const char *s = json_string_value(v);
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= out_size) {
        n = out_size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    /* "null" and "unknown" written as text mean null. */
    if (strcasecmp(out, "null") == 0 || strcasecmp(out, "unknown") == 0 ||
        strcasecmp(out, "n/a") == 0)
        out[0] = '\0';
    return 0;
}

static int ollama_check_content(json_t *c, ollama_event_t *ev, char *err,
                                size_t err_size)
{
    if (!json_is_object(c)) {
        snprintf(err, err_size, "the answer is not a JSON object");
        return -1;
    }
    /* event_type: one of the labels (case-insensitive, stored upper). */
    json_t *et = json_object_get(c, "event_type");
    if (!json_is_string(et)) {
        snprintf(err, err_size,
                 "field 'event_type' is missing or not a "
                 "string");
        return -1;
    }
    for (size_t i = 0; i < 7 && ev->event_type == NULL; i++)
        if (strcasecmp(json_string_value(et), ollama_labels[i]) == 0)
            ev->event_type = ollama_labels[i];
    if (ev->event_type == NULL) {
        snprintf(err, err_size,
                 "unknown event_type '%.60s' (expected one of INTERVIEW, "
                 "OFFER, ASSESSMENT, REJECTION, APPLICATION_ACK, "
                 "RECRUITER_OUTREACH, OTHER)",
                 json_string_value(et));
        return -1;
    }
    /* confidence: a finite number in [0, 1]. */
    json_t *cf = json_object_get(c, "confidence");
    if (!json_is_number(cf)) {
        snprintf(err, err_size,
                 "field 'confidence' is missing or not a "
                 "number");
        return -1;
    }
    ev->confidence = json_number_value(cf);
    if (!isfinite(ev->confidence) || ev->confidence < 0 || ev->confidence > 1) {
        snprintf(err, err_size, "confidence %g is outside 0..1",
                 ev->confidence);
        return -1;
    }
    if (ollama_opt_string(c, "company", ev->company, sizeof ev->company, err,
                          err_size) ||
        ollama_opt_string(c, "role", ev->role, sizeof ev->role, err, err_size))
        return -1;
    /* scheduled_date: RFC 3339 or null. */
    char date[64];
    if (ollama_opt_string(c, "scheduled_date", date, sizeof date, err,
                          err_size))
        return -1;
    if (date[0] != '\0' && ollama_rfc3339_utc(date, ev->scheduled_date,
                                              sizeof ev->scheduled_date) != 0) {
        snprintf(err, err_size,
                 "scheduled_date '%.40s' is not an RFC 3339 date-time", date);
        return -1;
    }
    /* evidence: array of strings. */
    json_t *evd = json_object_get(c, "evidence");
    if (!json_is_array(evd)) {
        snprintf(err, err_size,
                 "field 'evidence' is missing or not an "
                 "array");
        return -1;
    }
    ev->evidence = json_array();
    size_t i;
    json_t *q;
    json_array_foreach(evd, i, q)
    {
        if (!json_is_string(q)) {
            snprintf(err, err_size, "evidence[%zu] is not a string", i);
            return -1;
        }
        if (json_array_size(ev->evidence) == OLLAMA_EVIDENCE_MAX)
            continue;
        const char *s = json_string_value(q);
        size_t n = strlen(s);
        if (n > OLLAMA_EVIDENCE_BYTES) {
            n = OLLAMA_EVIDENCE_BYTES;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
        }
        json_array_append_new(ev->evidence, json_stringn(s, n));
    }
    return 0;
}

ollama_answer_rc_t ollama_answer_parse(ollama_dialect_t dialect,
                                       const char *body, size_t len,
                                       ollama_event_t *ev, char *err,
                                       size_t err_size)
{
    memset(ev, 0, sizeof *ev);
    err[0] = '\0';
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", body ? len : 0, 0, &je);
    json_t *msg_holder = root;
    const char *reason_key = "done_reason";
    if (dialect == OLLAMA_DIALECT_OPENAI) {
        msg_holder = json_array_get(json_object_get(root, "choices"), 0);
        reason_key = "finish_reason";
    }
    json_t *message = json_object_get(msg_holder, "message");
    const char *content =
        json_string_value(json_object_get(message, "content"));
    const char *reason =
        json_string_value(json_object_get(msg_holder, reason_key));
    if (reason != NULL && strcmp(reason, "length") == 0) {
        snprintf(err, err_size,
                 "the model's answer was cut at the token limit (%s "
                 "\"length\"): raise num_predict",
                 reason_key);
        json_decref(root);
        return OLLAMA_ANSWER_LENGTH;
    }
    if (content == NULL) {
        const char *refusal =
            json_string_value(json_object_get(message, "refusal"));
        if (refusal != NULL)
            snprintf(err, err_size, "the model refused: '%.200s'", refusal);
        else if (root != NULL)
            snprintf(err, err_size, "the chat response has no string %s",
                     dialect == OLLAMA_DIALECT_OPENAI
                         ? "choices[0].message.content"
                         : "message.content");
        else
            snprintf(err, err_size, "the chat response is not JSON: %s",
                     je.text);
        json_decref(root);
        return OLLAMA_ANSWER_BAD_RESPONSE;
    }

    json_t *c = json_loads(content, 0, &je);
    int rc = 0;
    if (c == NULL) {
        snprintf(err, err_size,
                 "the model's answer is not valid JSON (%s): '%.80s'", je.text,
                 content);
        rc = -1;
    } else {
        char why[384];
        rc = ollama_check_content(c, ev, why, sizeof why);
        if (rc != 0)
            snprintf(err, err_size, "the model's answer breaks the schema: %s",
                     why);
    }
    json_decref(c);
    json_decref(root);
    if (rc != 0) {
        ollama_event_clear(ev);
        return OLLAMA_ANSWER_BAD_CONTENT;
    }
    return OLLAMA_ANSWER_OK;
}

static json_t *ollama_str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

char *ollama_event_json(json_t *email, const ollama_event_t *ev,
                        const char *classifier_name, const char *model,
                        json_t *extra)
{
    /* the same `email` object as the rules classifier's (with the
     * calendar parts the notifier reads) */
    json_t *em = rules_event_email_json(email);
    json_t *evidence = ev->evidence ? json_incref(ev->evidence) : json_array();
    json_t *out = json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:f,s:o,s:{s:s,s:s},s:o}", "schema",
        "careerops.event.v1", "event_type", ev->event_type, "company",
        ollama_str_or_null(ev->company), "role", ollama_str_or_null(ev->role),
        "scheduled_date", ollama_str_or_null(ev->scheduled_date), "confidence",
        ev->confidence, "evidence", evidence, "classifier", "name",
        classifier_name, "model", model, "email", em);
    if (out == NULL)
        return NULL;
    if (extra != NULL)
        json_object_update(out, extra);
    /* 6 significant digits: 0.9, not 0.90000000000000002. */
    char *s = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(out);
    return s;
}
