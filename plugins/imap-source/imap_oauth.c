/**
 * @file plugins/imap-source/imap_oauth.c
 * @brief OAuth 2.0 refresh-token grant over libcurl (see imap_oauth.h).
 */
#include "imap_oauth.h"

#include "co_http.h"
#include "co_redact.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t n;
} imap_buf_t;

static size_t imap_oauth_write(char *d, size_t s, size_t n, void *ud)
{
    imap_buf_t *b = ud;
    size_t k = s * n;
    if (b->n + k > 1 << 20)
        return 0;
    char *p = realloc(b->p, b->n + k + 1);
    if (p == NULL)
        return 0;
    memcpy(p + b->n, d, k);
    b->p = p;
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

int imap_oauth_url_check(const char *url, char *err, size_t errlen)
{
    /* the host as libcurl reads it, not a prefix of the string (trial 54:
     * "http://127.0.0.1:1@host" began like a loopback URL) */
    return co_http_check_url_ex(
        url, CO_HTTP_URL_TLS | CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET, err,
        errlen);
}

static void imap_oauth_param(CURL *c, imap_buf_t *body, const char *k,
                             const char *v)
{
    char *e = curl_easy_escape(c, v, 0);
    size_t n = strlen(k) + (e ? strlen(e) : 0) + 3;
    char *p = e != NULL ? realloc(body->p, body->n + n) : NULL;
    if (p == NULL) {
        curl_free(e); /* the request then lacks it and the server says so */
        return;
    }
    body->p = p;
    body->n +=
        (size_t)snprintf(p + body->n, n, "%s%s=%s", body->n ? "&" : "", k, e);
    curl_free(e);
}

int imap_oauth_refresh(const char *token_url, const char *client_id,
                       const char *client_secret, const char *refresh_token,
                       long timeout_ms, char **access, int64_t *expires_in_s,
                       char *err, size_t errlen)
{
    *access = NULL;
    char shown[512]; /* named in messages: no password (trial 53) */
    co_redact(shown, sizeof shown, token_url);
    if (imap_oauth_url_check(token_url, NULL, 0) != 0) {
        snprintf(err, errlen,
                 "oauth_token_url \"%s\" must be https:// (http only on "
                 "loopback)",
                 shown);
        return 1;
    }
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, errlen, "cannot start libcurl");
        return -1;
    }
    imap_buf_t body = {NULL, 0}, resp = {NULL, 0};
    imap_oauth_param(c, &body, "grant_type", "refresh_token");
    imap_oauth_param(c, &body, "refresh_token", refresh_token);
    imap_oauth_param(c, &body, "client_id", client_id);
    if (client_secret != NULL)
        imap_oauth_param(c, &body, "client_secret", client_secret);
    curl_easy_setopt(c, CURLOPT_URL, token_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.p ? body.p : "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, imap_oauth_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode e = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (body.p != NULL) {
        memset(body.p, 0, body.n);
        free(body.p);
    }
    int rc = -1;
    json_t *j = resp.p ? json_loads(resp.p, 0, NULL) : NULL;
    const char *tok =
        j ? json_string_value(json_object_get(j, "access_token")) : NULL;
    if (e != CURLE_OK) {
        snprintf(err, errlen, "token request to %s: %s", shown,
                 curl_easy_strerror(e));
    } else if (code == 200 && tok != NULL && tok[0] != '\0') {
        *access = strdup(tok);
        json_int_t ex = json_integer_value(json_object_get(j, "expires_in"));
        *expires_in_s = ex > 0 ? (int64_t)ex : 3600;
        rc = *access ? 0 : -1;
    } else {
        const char *er =
            j ? json_string_value(json_object_get(j, "error")) : NULL;
        const char *ed =
            j ? json_string_value(json_object_get(j, "error_description"))
              : NULL;
        snprintf(err, errlen, "token endpoint %s answered HTTP %ld (%s%s%s)",
                 shown, code, er ? er : "no error code", ed ? ": " : "",
                 ed ? ed : "");
        /* 400/401 with an OAuth error: the grant or client is refused */
        rc = (code == 400 || code == 401) && er != NULL ? 1 : -1;
    }
    json_decref(j);
    if (resp.p != NULL) {
        memset(resp.p, 0, resp.n);
        free(resp.p);
    }
    return rc;
}
