/**
 * @file plugins/imap-source/imap_proto.c
 * @brief Our own IMAP command/response code over a libcurl connection:
 *        only what libcurl lacks (see imap_proto.h for why).
 */
#include "imap_proto.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void imap_resp_clear(imap_resp_t *r)
{
    free(r->text);
    free(r->lit);
    r->text = NULL;
    r->lit = NULL;
    r->lit_len = 0;
}

static int imap_wait(imap_conn_t *c, short ev, int timeout_ms)
{
    curl_socket_t s = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK ||
        s == CURL_SOCKET_BAD) {
        snprintf(c->err, sizeof c->err, "the connection is closed");
        return -1;
    }
    struct pollfd p = {.fd = s, .events = ev};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0) {
        snprintf(c->err, sizeof c->err, "poll failed");
        return -1;
    }
    return n;
}

int imap_send_raw(imap_conn_t *c, const char *s, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t sent = 0;
        CURLcode e = curl_easy_send(c->curl, s + off, n - off, &sent);
        if (e == CURLE_AGAIN) {
            if (imap_wait(c, POLLOUT, 30000) <= 0) {
                snprintf(c->err, sizeof c->err, "cannot send to the server");
                return -1;
            }
            continue;
        }
        if (e != CURLE_OK) {
            snprintf(c->err, sizeof c->err, "send: %s", curl_easy_strerror(e));
            return -1;
        }
        off += sent;
    }
    return 0;
}

int imap_send(imap_conn_t *c, const char *fmt, ...)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "c%u ", ++c->tag);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 2, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)(n + m) >= sizeof line - 2) {
        snprintf(c->err, sizeof c->err, "command too long");
        return -1;
    }
    memcpy(line + n + m, "\r\n", 2);
    return imap_send_raw(c, line, (size_t)(n + m + 2));
}

/* Read more bytes into c->buf: 1 read, 0 timeout, -1 error/closed. */
static int imap_fill(imap_conn_t *c, int timeout_ms)
{
    for (;;) {
        if (c->cap - c->len < 65536) {
            size_t cap = c->cap ? c->cap * 2 : 131072;
            char *b = realloc(c->buf, cap);
            if (b == NULL) {
                snprintf(c->err, sizeof c->err, "out of memory");
                return -1;
            }
            c->buf = b;
            c->cap = cap;
        }
        size_t got = 0;
        CURLcode e =
            curl_easy_recv(c->curl, c->buf + c->len, c->cap - c->len, &got);
        if (e == CURLE_OK && got == 0) {
            snprintf(c->err, sizeof c->err, "the server closed the connection");
            return -1;
        }
        if (e == CURLE_OK) {
            c->len += got;
            return 1;
        }
        if (e != CURLE_AGAIN) {
            snprintf(c->err, sizeof c->err, "receive: %s",
                     curl_easy_strerror(e));
            return -1;
        }
        int w = imap_wait(c, POLLIN, timeout_ms);
        if (w <= 0)
            return w;
    }
}

/* Parse "{N}" or "{N+}" at the end of line [0, n); returns N or -1. */
static int64_t imap_literal_len(const char *s, size_t n)
{
    if (n < 3 || s[n - 1] != '}')
        return -1;
    size_t i = n - 1;
    if (i > 0 && s[i - 1] == '+')
        i--;
    size_t end = i;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    if (i == end || i == 0 || s[i - 1] != '{')
        return -1;
    return strtoll(s + i, NULL, 10);
}

int imap_read(imap_conn_t *c, imap_resp_t *r, int timeout_ms)
{
    memset(r, 0, sizeof *r);
    /* scan without consuming until a whole response is buffered */
    size_t pos = 0;
    for (;;) {
        char *nl =
            c->len > pos ? memchr(c->buf + pos, '\n', c->len - pos) : NULL;
        if (nl == NULL) {
            int f = imap_fill(c, timeout_ms);
            if (f <= 0)
                return f;
            continue;
        }
        size_t eol = (size_t)(nl - c->buf);
        size_t ll = eol > pos && c->buf[eol - 1] == '\r' ? eol - 1 : eol;
        int64_t lit = imap_literal_len(c->buf + pos, ll - pos);
        if (lit < 0) {
            pos = eol + 1;
            break;
        }
        while (c->len < eol + 1 + (size_t)lit) {
            int f = imap_fill(c, timeout_ms < 0 ? -1 : 30000);
            if (f <= 0)
                return f < 0 ? -1
                             : (snprintf(c->err, sizeof c->err,
                                         "timeout inside a literal"),
                                -1);
        }
        pos = eol + 1 + (size_t)lit;
    }
    /* now build text (literals as "{}") and copy the first literal */
    size_t total = pos;
    char *text = malloc(total + 1);
    if (text == NULL)
        return -1;
    size_t tl = 0, p = 0;
    while (p < total) {
        char *nl = memchr(c->buf + p, '\n', total - p);
        size_t eol = (size_t)(nl - c->buf);
        size_t ll = eol > p && c->buf[eol - 1] == '\r' ? eol - 1 : eol;
        int64_t lit = imap_literal_len(c->buf + p, ll - p);
        memcpy(text + tl, c->buf + p, ll - p);
        tl += ll - p;
        p = eol + 1;
        if (lit >= 0) {
            if (r->lit == NULL) {
                r->lit = malloc((size_t)lit + 1);
                if (r->lit == NULL) {
                    free(text);
                    return -1;
                }
                memcpy(r->lit, c->buf + p, (size_t)lit);
                r->lit[lit] = '\0';
                r->lit_len = (size_t)lit;
            }
            p += (size_t)lit;
        }
    }
    text[tl] = '\0';
    r->text = text;
    memmove(c->buf, c->buf + total, c->len - total);
    c->len -= total;
    return 1;
}

int imap_is_tagged(const imap_conn_t *c, const char *text, int *ok)
{
    char tag[32];
    int n = snprintf(tag, sizeof tag, "c%u ", c->tag);
    if (strncmp(text, tag, (size_t)n) != 0)
        return 0;
    *ok = strncmp(text + n, "OK", 2) == 0;
    return 1;
}

int64_t imap_num_after(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    if (p == NULL)
        return -1;
    p += strlen(name);
    if (*p < '0' || *p > '9')
        return -1;
    return strtoll(p, NULL, 10);
}

char *imap_quote(const char *s)
{
    size_t n = strlen(s);
    char *q = malloc(2 * n + 3), *o = q;
    if (q == NULL)
        return NULL;
    *o++ = '"';
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '"';
    *o = '\0';
    return q;
}
