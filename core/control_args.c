/* Request checks of the control endpoint: see control_args.h. */
#include "control_args.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

char co_control_nul_uri[1];

void *co_control_uri_check(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    const char *query = uri ? strchr(uri, '?') : NULL;
    for (const char *p = uri; p && (p = strchr(p, '%')) != NULL; p++)
        if ((p[1] == '0' && p[2] == '0') ||
            /* an encoded slash in the path: "/api/stages/mid%2Fpause"
             * would be decoded into another route (trial 28) */
            ((query == NULL || p < query) && p[1] == '2' &&
             (p[2] == 'F' || p[2] == 'f')))
            return co_control_nul_uri;
    return NULL;
}

/* Most query parameters a request may give: no route reads more than 6
 * (relabel); beyond it 400, so that every name is checked for a repeat
 * (trial 43: 64 padding names, then id=a&id=b, slipped past). */
#define CO__ARGS_MAX 64

/* The query's names in order; libmicrohttpd keeps each pair, repeats
 * included, so a repeat is two entries of one name. */
typedef struct {
    const char *seen[CO__ARGS_MAX];
    size_t n;
    char *dup;
    size_t size;
    int found;    /* a name given twice (in dup) */
    int too_many; /* more than CO__ARGS_MAX parameters */
} co__args_t;

static enum MHD_Result co__arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    (void)value;
    co__args_t *a = cls;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->seen[i], key) == 0) {
            snprintf(a->dup, a->size, "%s", key);
            a->found = 1;
            return MHD_NO; /* stop: one is enough */
        }
    if (a->n == CO__ARGS_MAX) {
        a->too_many = 1;
        return MHD_NO;
    }
    a->seen[a->n++] = key;
    return MHD_YES;
}

int co_control_arg_repeated(struct MHD_Connection *c, char *msg, size_t size)
{
    char name[128] = "";
    co__args_t a = {.dup = name, .size = sizeof name};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, co__arg, &a);
    if (a.found)
        snprintf(msg, size,
                 "parameter %s is given more than once: give it once (each "
                 "route reads one value of each parameter)",
                 name);
    else if (a.too_many)
        snprintf(msg, size,
                 "more than %d query parameters: no route reads more than a "
                 "few; give only the ones the route takes",
                 CO__ARGS_MAX);
    return a.found || a.too_many;
}

/* Counts of the headers whose first value alone is checked. */
typedef struct {
    int n[3];
} co__hdrs_t;

static const char *const co__checked_hdrs[3] = {"Host", "Origin",
                                                "Authorization"};

static enum MHD_Result co__hdr(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    (void)value;
    co__hdrs_t *h = cls;
    for (int i = 0; i < 3; i++)
        if (strcasecmp(key, co__checked_hdrs[i]) == 0)
            h->n[i]++;
    return MHD_YES;
}

int co_control_header_repeated(struct MHD_Connection *c, char *msg, size_t size)
{
    co__hdrs_t h = {{0, 0, 0}};
    MHD_get_connection_values(c, MHD_HEADER_KIND, co__hdr, &h);
    for (int i = 0; i < 3; i++)
        if (h.n[i] > 1) {
            snprintf(msg, size,
                     "header %s is given %d times: send it once (the "
                     "endpoint checks one value)",
                     co__checked_hdrs[i], h.n[i]);
            return 1;
        }
    return 0;
}

void co_control_client(struct MHD_Connection *c, char *out, size_t size)
{
    snprintf(out, size, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)size);
}
