/* Loopback guard shared by the host's HTTP clients. */
#include "url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

int co_url_allowed(const char *url)
{
    const char *lo = getenv("CAREEROPS_LOOPBACK_ONLY");
    if (lo == NULL || strcmp(lo, "1") != 0)
        return 1;
    CURLU *u = curl_url();
    char *host = NULL;
    int ok = 0;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        struct in_addr a;
        ok = strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
             (inet_pton(AF_INET, host, &a) == 1 &&
              (ntohl(a.s_addr) >> 24) == 127);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}
