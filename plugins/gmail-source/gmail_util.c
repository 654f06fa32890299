/**
 * @file plugins/gmail-source/gmail_util.c
 * @brief Pure helpers of gmail-source (see gmail_util.h).
 */
#include "gmail_util.h"

#include "co_cli.h" /* co_visible() */
#include "co_mail.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void gmail_bucket_init(gmail_bucket_t *b, double rate_per_s, double capacity,
                       int64_t now_ms)
{
    b->rate = rate_per_s > 0 ? rate_per_s : 1;
    b->capacity = capacity > 0 ? capacity : b->rate;
    b->tokens = b->capacity;
    b->last_ms = now_ms;
}

int64_t gmail_bucket_take(gmail_bucket_t *b, double units, int64_t now_ms)
{
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
        if (b->tokens > b->capacity)
            b->tokens = b->capacity;
        b->last_ms = now_ms;
    }
    double need = units > b->capacity ? b->capacity : units;
    if (b->tokens >= need) {
        b->tokens -= need;
        return 0;
    }
    double ms = (need - b->tokens) * 1000.0 / b->rate;
    return (int64_t)ms + 1;
}

void gmail_parse_error(const char *body, gmail_err_t *e)
{
    e->reason[0] = e->message[0] = '\0';
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    json_t *err = json_object_get(j, "error");
    if (json_is_string(err)) { /* OAuth: {"error":"invalid_grant",..} */
        snprintf(e->reason, sizeof e->reason, "%s", json_string_value(err));
        const char *d =
            json_string_value(json_object_get(j, "error_description"));
        snprintf(e->message, sizeof e->message, "%s", d ? d : "");
    } else if (json_is_object(err)) {
        const char *m = json_string_value(json_object_get(err, "message"));
        snprintf(e->message, sizeof e->message, "%s", m ? m : "");
        json_t *first = json_array_get(json_object_get(err, "errors"), 0);
        const char *r = json_string_value(json_object_get(first, "reason"));
        snprintf(e->reason, sizeof e->reason, "%s", r ? r : "");
    }
    json_decref(j);
}

/* One field cut to GMAIL_ERR_FIELD_MAX bytes, then escaped (malloc). */
static char *gmail_field_shown(const char *s)
{
    size_t n = strlen(s), keep = n;
    if (keep > GMAIL_ERR_FIELD_MAX) {
        keep = GMAIL_ERR_FIELD_MAX;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;
    }
    char *cut = strndup(s, keep);
    char *v = co_visible(cut != NULL ? cut : "");
    free(cut);
    if (keep < n) {
        char *more = realloc(v, strlen(v) + 4);
        if (more != NULL)
            strcat(v = more, "...");
    }
    return v;
}

void gmail_err_shown(const gmail_err_t *e, char *out, size_t out_size)
{
    char *r = gmail_field_shown(e->reason);
    char *m = gmail_field_shown(e->message);
    snprintf(out, out_size, "%s%s%s", r, r[0] && m[0] ? ": " : "", m);
    free(r);
    free(m);
}

int gmail_is_rate_limit(long status, const gmail_err_t *e)
{
    if (status == 429)
        return 1;
    return status == 403 && (strcmp(e->reason, "rateLimitExceeded") == 0 ||
                             strcmp(e->reason, "userRateLimitExceeded") == 0);
}

/* RFC 3339 is not among curl_getdate()'s formats (it wants RFC 822/850
 * or asctime), and glibc has no RFC 3339 parser beyond strptime(), so the
 * fraction and the offset are read here. */
int gmail_parse_rfc3339(const char *s, int64_t *ms)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL)
        return -1;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
        for (; digits < 3; digits++)
            frac *= 10;
    }
    int64_t off_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return -1;
        off_s = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    time_t t = timegm(&tm);
    *ms = ((int64_t)t - off_s) * 1000 + frac;
    return 0;
}

int64_t gmail_retry_after_text(const char *message, int64_t now_ms)
{
    if (message == NULL)
        return -1;
    const char *p = strcasestr(message, "Retry after ");
    int64_t at;
    if (p == NULL || gmail_parse_rfc3339(p + 12, &at) != 0)
        return -1;
    int64_t d = at - now_ms;
    if (d < 0)
        d = 0;
    if (d > 86400000)
        d = 86400000;
    return d;
}

int gmail_parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || !isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

int gmail_push_history_id(const char *body, size_t len, uint64_t *history_id,
                          char *err, size_t err_size)
{
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    int rc = -1;
    const char *data = json_string_value(
        json_object_get(json_object_get(j, "message"), "data"));
    if (data == NULL) {
        snprintf(err, err_size,
                 "push body is not a Pub/Sub push (no message.data)");
        json_decref(j);
        return -1;
    }
    unsigned char *dec = NULL;
    size_t dl = 0;
    if (co_mail_b64url_decode(data, strlen(data), &dec, &dl) != 0) {
        snprintf(err, err_size, "message.data is not base64");
        json_decref(j);
        return -1;
    }
    json_t *d = json_loadb((const char *)dec, dl, 0, &je);
    json_t *h = json_object_get(d, "historyId");
    if (json_is_integer(h) && json_integer_value(h) >= 0) {
        *history_id = (uint64_t)json_integer_value(h);
        rc = 0;
    } else if (json_is_string(h) &&
               gmail_parse_u64(json_string_value(h), history_id) == 0) {
        rc = 0;
    } else {
        snprintf(err, err_size,
                 "message.data has no historyId (string or number)");
    }
    free(dec);
    json_decref(d);
    json_decref(j);
    return rc;
}
