/* Loopback guard shared by the host's HTTP clients. */
#include "url.h"
#include "lazylib.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

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
        cu->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        struct in_addr a;
        ok = strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
             (inet_pton(AF_INET, host, &a) == 1 &&
              (ntohl(a.s_addr) >> 24) == 127);
    }
    cu->free(host);
    cu->url_cleanup(u);
    return ok;
}
