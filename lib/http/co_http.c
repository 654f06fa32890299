/**
 * @file lib/http/co_http.c
 * @brief libcurl-based HTTP client helper; see co_http.h.
 */
#include "co_http.h"

#include "co_redact.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct co_http_s {
    CURL *curl;
    int (*stop)(void *stop_ctx); /**< co_http_stop_with_host(); NULL: none */
    void *stop_ctx;
    const co_host_api_t *api; /**< for co__http_host_stop() */
    co_stage_t *st;
};

static int co__http_host_stop(void *ctx)
{
    const co_http_t *h = ctx;
    return h->api->stopping(h->st);
}

void co_http_stop_with_host(co_http_t *h, const co_host_api_t *api,
                            co_stage_t *st)
{
    h->api = api;
    h->st = st;
    h->stop = co__http_host_stop;
    h->stop_ctx = h;
}

/* Growing response buffer with a cap. */
typedef struct co__http_buf_s {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    int too_large;
    int nomem;
} co__http_buf_t;

static pthread_once_t co__http_once = PTHREAD_ONCE_INIT;
static CURLcode co__http_init_rc = CURLE_OK;

static void co__http_init_once(void)
{
    co__http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int co_http_global_init(void)
{
    pthread_once(&co__http_once, co__http_init_once);
    return co__http_init_rc == CURLE_OK ? 0 : CO_ERR_UPSTREAM;
}

co_http_t *co_http_new(void)
{
    if (co_http_global_init() != 0)
        return NULL;
    co_http_t *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->curl = curl_easy_init();
    if (h->curl == NULL) {
        free(h);
        return NULL;
    }
    return h;
}

void co_http_destroy(co_http_t *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

void co_http_response_clear(co_http_response_t *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
}

static size_t co__http_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    co__http_buf_t *b = ud;
    size_t n = size * nmemb;
    if (b->len + n > b->max) {
        b->too_large = 1;
        return 0; /* makes libcurl fail with CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (p == NULL) {
            b->nomem = 1;
            return 0;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static int co__http_loopback_only(void)
{
    const char *v = getenv("CAREEROPS_LOOPBACK_ONLY");
    return v != NULL && strcmp(v, "1") == 0;
}

/* What co_url_server() found in a URL held to CO_URL_* flags (trial 54):
 * named, never quoted. NULL for CO_URL_OK. */
static const char *co__http_url_fault(co_url_fault_t f)
{
    switch (f) {
    case CO_URL_OK:
        return NULL;
    case CO_URL_USERINFO:
        /* "https://client:PW@host/token" was logged on every retry (trial
         * 53) */
        return "the URL holds a login or password ('@' before the path; "
               "not shown): write http(s)://HOST[:PORT]/PATH and put "
               "credentials in the secret files the plugin names";
    case CO_URL_FRAGMENT:
        return "the URL has a '#' fragment (not shown), which is never sent "
               "to the server: remove it";
    case CO_URL_QUERY_SECRET:
        return "the URL's query holds a secret (a parameter such as "
               "client_secret, token, key or signature; not shown), which "
               "would be logged with the URL: remove it and put credentials "
               "in the secret files the plugin names";
    case CO_URL_NOT_URI:
        return "not written SCHEME://HOST[:PORT]/PATH (not shown): write "
               "two slashes after https:";
    default:
        return "the host or port is not a host name, IP address or port "
               "1-65535 (not shown): write https://HOST[:PORT]/PATH";
    }
}

/* Like co_http_check_url_ex() but also reports which failure it was. */
static int co__http_check_url(const char *url, unsigned flags,
                              co_http_fail_t *why, char *err, size_t err_size)
{
    char dummy[8];
    if (err == NULL) {
        err = dummy;
        err_size = sizeof dummy;
    }
    err[0] = '\0';
    *why = CO_HTTP_BAD_URL;
    if (url == NULL || url[0] == '\0') {
        snprintf(err, err_size, "empty URL");
        return CO_ERR_INVAL;
    }
    CURLU *u = curl_url();
    if (u == NULL) {
        snprintf(err, err_size, "out of memory");
        *why = CO_HTTP_OTHER;
        return CO_ERR_NOMEM;
    }
    int rc = 0;
    char *scheme = NULL, *host = NULL;
    /* with flags, anything but SCHEME://HOST[:PORT] is refused */
    co_url_fault_t f = co_url_server(
        url, flags & (CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET), NULL);
    if (flags == 0 && f != CO_URL_USERINFO)
        f = CO_URL_OK;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, err_size,
                 "malformed URL (expected http://HOST[:PORT]/...)");
        rc = CO_ERR_INVAL;
    } else if (f != CO_URL_OK) {
        snprintf(err, err_size, "%s", co__http_url_fault(f));
        rc = CO_ERR_INVAL;
    } else if (strcasecmp(scheme, "http") != 0 &&
               strcasecmp(scheme, "https") != 0) {
        snprintf(err, err_size, "URL scheme '%s' is not http or https", scheme);
        rc = CO_ERR_INVAL;
    } else if ((flags & CO_HTTP_URL_TLS) && strcasecmp(scheme, "http") == 0 &&
               !co_host_is_loopback(host)) {
        /* the host as libcurl reads it: "http:/hooks.example/..." passed a
         * check of the "http://" prefix (trial 54) */
        snprintf(err, err_size,
                 "plain http:// would send the URL or its credentials in "
                 "clear text: use https:// (http:// only to 127.0.0.1, [::1] "
                 "or localhost)");
        rc = CO_ERR_INVAL;
    } else if (co__http_loopback_only() && !co_host_is_loopback(host)) {
        snprintf(err, err_size,
                 "host '%s' refused: CAREEROPS_LOOPBACK_ONLY=1 allows only "
                 "127.0.0.1, localhost and [::1]",
                 host);
        *why = CO_HTTP_NOT_LOOPBACK;
        rc = CO_ERR_INVAL;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    if (rc == 0)
        *why = CO_HTTP_OK;
    return rc;
}

int co_http_check_url_ex(const char *url, unsigned flags, char *err,
                         size_t err_size)
{
    co_http_fail_t why;
    return co__http_check_url(url, flags, &why, err, err_size);
}

int co_http_check_url(const char *url, char *err, size_t err_size)
{
    return co_http_check_url_ex(url, 0, err, err_size);
}

int64_t co_http_parse_retry_after(const char *value, int64_t now_s)
{
    const int64_t cap_ms = 24LL * 3600 * 1000;
    if (value == NULL)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value == '\0')
        return -1;
    if (*value >= '0' && *value <= '9') {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end != '\0')
            return -1;
        if (errno == ERANGE || s > (unsigned long long)cap_ms / 1000)
            return cap_ms;
        return (int64_t)s * 1000;
    }
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return -1;
    int64_t d = ((int64_t)t - now_s) * 1000;
    if (d < 0)
        return 0;
    return d > cap_ms ? cap_ms : d;
}

static co_http_fail_t co__http_fail_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return CO_HTTP_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return CO_HTTP_CONNECT;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return CO_HTTP_BAD_URL;
    default:
        return CO_HTTP_OTHER;
    }
}

static int co__http_err_of(co_http_fail_t f)
{
    switch (f) {
    case CO_HTTP_OK:
        return 0;
    case CO_HTTP_TIMEOUT:
    case CO_HTTP_CONNECT:
    case CO_HTTP_STOPPED:
        return CO_ERR_TRANSIENT;
    case CO_HTTP_BAD_URL:
    case CO_HTTP_NOT_LOOPBACK:
        return CO_ERR_INVAL;
    default:
        return CO_ERR_UPSTREAM;
    }
}

/* libcurl's progress callback: non-zero aborts the transfer
 * (CURLE_ABORTED_BY_CALLBACK) once the request's stop hook says so. */
static int co__http_xfer(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                         curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const co_http_request_t *req = p;
    return req->stop(req->stop_ctx) != 0;
}

/* The request's method as co__http_setup() sends it. */
static const char *co__http_method(const co_http_request_t *req)
{
    if (req->method != NULL)
        return req->method;
    return req->body != NULL ? "POST" : "GET";
}

static int64_t co__http_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets options for one request on a reset handle; returns the header list
 * to free after the transfer, or sets *nomem. */
static struct curl_slist *co__http_setup(CURL *c, const co_http_request_t *req,
                                         co__http_buf_t *buf, char *errbuf,
                                         int *nomem)
{
    long timeout =
        req->timeout_ms > 0 ? req->timeout_ms : CO_HTTP_DEFAULT_TIMEOUT_MS;
    long ctimeout = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                    : timeout < 10000           ? timeout
                                                : 10000;
    const char *method = co__http_method(req);

    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ctimeout);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "careerops/1");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, co__http_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, buf);
    if (req->stop != NULL) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, co__http_xfer);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)req);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }

    struct curl_slist *hl = NULL, *tmp;
    char ct[256];
    /* No "Expect: 100-continue" round trip for large bodies. */
    if ((tmp = curl_slist_append(hl, "Expect:")) == NULL)
        goto oom;
    hl = tmp;
    if (req->body != NULL) {
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 req->content_type ? req->content_type : "application/json");
        if ((tmp = curl_slist_append(hl, ct)) == NULL)
            goto oom;
        hl = tmp;
    }
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        if ((tmp = curl_slist_append(hl, req->headers[i])) == NULL)
            goto oom;
        hl = tmp;
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    return hl;
oom:
    curl_slist_free_all(hl);
    *nomem = 1;
    return NULL;
}

int co_http_perform(co_http_t *h, const co_http_request_t *req,
                    co_http_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
    if (req == NULL) {
        resp->fail = CO_HTTP_BAD_URL;
        snprintf(resp->error, sizeof resp->error, "no request");
        return CO_ERR_INVAL;
    }
    co_http_request_t with_stop;
    if (req->stop == NULL && h != NULL && h->stop != NULL) {
        with_stop = *req; /* the client's hook (co_http_stop_with_host()) */
        with_stop.stop = h->stop;
        with_stop.stop_ctx = h->stop_ctx;
        req = &with_stop;
    }
    int rc = co__http_check_url(req->url, 0, &resp->fail, resp->error,
                                sizeof resp->error);
    if (rc != 0)
        return rc;
    if (req->stop != NULL && req->stop(req->stop_ctx) != 0) {
        resp->fail = CO_HTTP_STOPPED;
        snprintf(resp->error, sizeof resp->error,
                 "stopped while about to send %s (the stage is stopping)",
                 co__http_method(req));
        return co__http_err_of(resp->fail);
    }

    co_http_t *tmp_h = NULL;
    if (h == NULL) {
        h = tmp_h = co_http_new();
        if (h == NULL) {
            resp->fail = CO_HTTP_OTHER;
            snprintf(resp->error, sizeof resp->error,
                     "cannot create a libcurl handle");
            return CO_ERR_NOMEM;
        }
    }
    CURL *c = h->curl;
    curl_easy_reset(c);
    co__http_buf_t buf = {.max = req->max_body ? req->max_body
                                               : CO_HTTP_DEFAULT_MAX_BODY};
    char errbuf[CURL_ERROR_SIZE] = "";
    int nomem = 0;
    struct curl_slist *hl = co__http_setup(c, req, &buf, errbuf, &nomem);
    if (nomem) {
        co_http_destroy(tmp_h);
        resp->fail = CO_HTTP_OTHER;
        snprintf(resp->error, sizeof resp->error, "out of memory");
        return CO_ERR_NOMEM;
    }

    int64_t t0 = co__http_mono_ms();
    CURLcode cc = curl_easy_perform(c);
    resp->elapsed_ms = co__http_mono_ms() - t0;

    if (cc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
        char *ctype = NULL;
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK &&
            ctype != NULL)
            resp->content_type = strdup(ctype);
        struct curl_header *hdr = NULL;
        if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &hdr) ==
            CURLHE_OK)
            resp->retry_after_ms =
                co_http_parse_retry_after(hdr->value, (int64_t)time(NULL));
        resp->fail = CO_HTTP_OK;
        rc = 0;
    } else if (buf.too_large) {
        resp->fail = CO_HTTP_TOO_LARGE;
        snprintf(resp->error, sizeof resp->error,
                 "response body larger than %zu bytes", buf.max);
        rc = CO_ERR_UPSTREAM;
    } else if (buf.nomem) {
        resp->fail = CO_HTTP_OTHER;
        snprintf(resp->error, sizeof resp->error, "out of memory");
        rc = CO_ERR_NOMEM;
    } else if (cc == CURLE_ABORTED_BY_CALLBACK && req->stop != NULL) {
        resp->fail = CO_HTTP_STOPPED;
        snprintf(resp->error, sizeof resp->error,
                 "stopped while waiting %lld ms for the answer to %s (the "
                 "stage is stopping)",
                 (long long)resp->elapsed_ms, co__http_method(req));
        rc = co__http_err_of(resp->fail);
    } else {
        resp->fail = co__http_fail_of(cc);
        if (resp->fail == CO_HTTP_TIMEOUT)
            snprintf(resp->error, sizeof resp->error,
                     "timed out after %lld ms (timeout_ms %ld)",
                     (long long)resp->elapsed_ms,
                     req->timeout_ms > 0 ? req->timeout_ms
                                         : CO_HTTP_DEFAULT_TIMEOUT_MS);
        else
            snprintf(resp->error, sizeof resp->error, "%s",
                     errbuf[0] ? errbuf : curl_easy_strerror(cc));
        rc = co__http_err_of(resp->fail);
    }
    curl_slist_free_all(hl);
    /* Do not keep pointers into this call's stack in the handle. */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    co_http_destroy(tmp_h);

    if (buf.data == NULL && !buf.nomem)
        buf.data = calloc(1, 1);
    resp->body = buf.data;
    resp->body_len = buf.len;
    return rc;
}

int co_http_post_json(co_http_t *h, const char *url, const char *json,
                      const char *const *headers, long timeout_ms,
                      co_http_response_t *resp)
{
    co_http_request_t req = {.method = "POST",
                             .url = url,
                             .headers = headers,
                             .body = json ? json : "",
                             .body_len = json ? strlen(json) : 0,
                             .content_type = "application/json",
                             .timeout_ms = timeout_ms};
    return co_http_perform(h, &req, resp);
}

int co_http_get(co_http_t *h, const char *url, const char *const *headers,
                long timeout_ms, co_http_response_t *resp)
{
    co_http_request_t req = {.method = "GET",
                             .url = url,
                             .headers = headers,
                             .timeout_ms = timeout_ms};
    return co_http_perform(h, &req, resp);
}

/* Copies at most `max` bytes of `s` into `out` on one line (control
 * characters become spaces). */
static void co__http_excerpt(char *out, size_t out_size, const char *s,
                             size_t len, size_t max)
{
    if (out_size == 0)
        return;
    size_t n = len < max ? len : max;
    if (n > out_size - 1)
        n = out_size - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    out[n] = '\0';
}

co_status_t co_http_classify(const co_http_response_t *resp,
                             uint32_t *retry_after_ms, char *msg,
                             size_t msg_size)
{
    char dummy[4];
    if (msg == NULL) {
        msg = dummy;
        msg_size = sizeof dummy;
    }
    if (retry_after_ms != NULL)
        *retry_after_ms = 0;
    msg[0] = '\0';

    if (resp->fail != CO_HTTP_OK) {
        snprintf(msg, msg_size, "%s", resp->error);
        switch (resp->fail) {
        case CO_HTTP_TIMEOUT:
        case CO_HTTP_CONNECT:
        case CO_HTTP_STOPPED:
            return CO_RETRY;
        case CO_HTTP_BAD_URL:
        case CO_HTTP_NOT_LOOPBACK:
            return CO_FATAL;
        default:
            return CO_FAIL;
        }
    }

    long s = resp->status;
    co_status_t st;
    if (s >= 200 && s < 300)
        return CO_OK;
    if (s == 408 || s == 429 || s >= 500)
        st = CO_RETRY;
    else
        st = CO_FAIL;

    char ex[301];
    co__http_excerpt(ex, sizeof ex, resp->body ? resp->body : "",
                     resp->body_len, 300);
    snprintf(msg, msg_size, "HTTP %ld%s%s%s", s, ex[0] ? ": " : "", ex,
             resp->body_len > 300 ? "..." : "");
    if (st == CO_RETRY && retry_after_ms != NULL && resp->retry_after_ms > 0)
        *retry_after_ms = resp->retry_after_ms > (int64_t)UINT32_MAX
                              ? UINT32_MAX
                              : (uint32_t)resp->retry_after_ms;
    return st;
}

const char *co_http_error_class(const co_http_response_t *resp)
{
    switch (resp->fail) {
    case CO_HTTP_OK:
        return "http";
    case CO_HTTP_TIMEOUT:
        return "timeout";
    case CO_HTTP_CONNECT:
        return "connect";
    case CO_HTTP_BAD_URL:
    case CO_HTTP_NOT_LOOPBACK:
        return "config";
    case CO_HTTP_STOPPED:
        return "stopping";
    default:
        return "io";
    }
}
