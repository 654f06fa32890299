/**
 * @file core/url.h
 * @brief The loopback guard for the host's own HTTP clients (alerts, auth,
 *        ask), the same rule the plugins' co_http applies. Not installed.
 */
#ifndef CO_CORE_URL_H
#define CO_CORE_URL_H

/**
 * @brief May the host send a request to `url`?
 * @returns 1 unless CAREEROPS_LOOPBACK_ONLY=1 (tests, CI) and the URL's
 *          host is not loopback (localhost, 127.0.0.0/8, [::1]); 0 then, or
 *          for a URL that does not parse. Thread-safe.
 */
int co_url_allowed(const char *url);

#endif
