/* Loopback guard shared by the host's HTTP clients. */
#include "url.h"
#include "co_redact.h"
#include "lazylib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int co_url_allowed(const char *url)
{
    const char *lo = getenv("CAREEROPS_LOOPBACK_ONLY");
    if (lo == NULL || strcmp(lo, "1") != 0)
        return 1;
    const co_curl_api_t *cu = co_curl(NULL, 0);
    if (cu == NULL)
        return 0; /* cannot parse the URL: refuse */
    CURLU *u = cu->url();
    char *host = NULL;
    int ok = 0;
    if (u != NULL && cu->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        ok = co_host_is_loopback(host);
    cu->free(host);
    cu->url_cleanup(u);
    return ok;
}

int co_url_http_check(const char *url, char *err, size_t err_size)
{
    char scheme[16] = "", why[160] = "";
    int host = 0, loopback = 1; /* without libcurl: not judged */
    const co_curl_api_t *cu = co_curl(NULL, 0);
    if (cu == NULL) { /* no libcurl: the scheme only */
        size_t n = strncasecmp(url, "http://", 7) == 0    ? 7
                   : strncasecmp(url, "https://", 8) == 0 ? 8
                                                          : 0;
        snprintf(scheme, sizeof scheme, "%s", n ? "http" : "");
        host = n && url[n] != '\0' && url[n] != '/';
    } else {
        CURLU *u = cu->url();
        char *sch = NULL, *h = NULL;
        CURLUcode rc =
            u ? cu->url_set(u, CURLUPART_URL, url, 0) : CURLUE_OUT_OF_MEMORY;
        if (rc != CURLUE_OK && strstr(url, "://") == NULL)
            snprintf(why, sizeof why,
                     "it does not start with https:// or http://");
        else if (rc != CURLUE_OK)
            snprintf(why, sizeof why,
                     "libcurl cannot parse it: %s (CURLUcode %d)",
                     cu->url_strerror(rc), (int)rc);
        else if (cu->url_get(u, CURLUPART_SCHEME, &sch, 0) == CURLUE_OK)
            snprintf(scheme, sizeof scheme, "%s", sch);
        host = rc == CURLUE_OK &&
               cu->url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h[0];
        loopback = host && co_host_is_loopback(h);
        cu->free(sch);
        cu->free(h);
        cu->url_cleanup(u);
    }
    if (why[0] == '\0' &&
        (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) &&
        host) {
        /* a login or a '#' fragment (never sent) in the webhook: refused,
         * not quoted (trial 54) */
        co_url_fault_t f = co_url_server(url, CO_URL_NO_FRAGMENT, NULL);
        /* the URL is the secret (a Slack webhook's path): plain http only
         * to loopback (trial 54, as slack-sink's webhook_url) */
        if (f != CO_URL_USERINFO && f != CO_URL_FRAGMENT &&
            strcasecmp(scheme, "http") == 0 && !loopback) {
            if (err != NULL)
                snprintf(err, err_size,
                         "is plain http:// to a host that is not loopback: "
                         "the URL (not shown), the webhook's secret, would "
                         "cross the network in clear text; use https:// "
                         "(http:// only to 127.0.0.1, [::1] or localhost)");
            return -1;
        }
        if (f != CO_URL_USERINFO && f != CO_URL_FRAGMENT)
            return 0;
        if (err != NULL)
            snprintf(err, err_size, "%s",
                     f == CO_URL_USERINFO
                         ? "holds a login or password ('@' before the path; "
                           "not shown): write https://HOST/PATH, the "
                           "webhook's URL as its service gives it"
                         : "has a '#' fragment (not shown), which is never "
                           "sent to the webhook: remove it");
        return -1;
    }
    if (why[0] == '\0')
        snprintf(why, sizeof why, "%s",
                 scheme[0] ? "its scheme is not http or https" : "no host");
    if (err != NULL)
        snprintf(err, err_size,
                 "is not an http(s) URL (%s): give the webhook's whole URL, "
                 "https://HOST/PATH (e.g. \"${secret:alerts_webhook}\" with "
                 "the URL in that secret file)",
                 why);
    return -1;
}
