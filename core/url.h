/**
 * @file core/url.h
 * @brief The loopback guard for the host's own HTTP clients (alerts, auth,
 *        ask), the same rule the plugins' co_http applies. Not installed.
 */
#ifndef CO_CORE_URL_H
#define CO_CORE_URL_H

#include <stddef.h>

/**
 * @brief May the host send a request to `url`?
 * @returns 1 unless CAREEROPS_LOOPBACK_ONLY=1 (tests, CI) and the URL's
 *          host is not loopback (localhost, 127.0.0.0/8, [::1]); 0 then, or
 *          for a URL that does not parse. Thread-safe.
 */
int co_url_allowed(const char *url);

/**
 * @brief Is `url` an http:// or https:// URL with a host (what the host's
 *        webhook clients can post to)? Parsed by libcurl's URL API
 *        (curl_url_set(); when libcurl cannot be loaded, by its scheme
 *        prefix only). Also refused, unquoted: a login or a '#' fragment
 *        (trial 54), and plain http:// to a host that is not loopback (the
 *        URL is the webhook's secret; not judged without libcurl).
 * @param err   on failure, why and the fix, without the value (a webhook URL
 *              is a secret); may be NULL.
 * @returns 0, or -1. Thread-safe.
 */
int co_url_http_check(const char *url, char *err, size_t err_size);

#endif
