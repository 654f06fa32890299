/**
 * @file plugins/imap-source/imap_proto.h
 * @brief The few IMAP4rev1 commands imap-source sends itself over a
 *        connection libcurl opened (TLS, STARTTLS, login/SASL).
 *
 * Why our own code: libcurl logs in, does TLS (verified) and SASL
 * (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER), but its IMAP fetch sends
 * `BODY[]` (which sets \Seen), its custom commands drop literals (a
 * message body is one), and it has no IDLE. So after curl_easy_perform()
 * with CURLOPT_CONNECT_ONLY we speak EXAMINE, UID SEARCH, UID FETCH
 * (BODY.PEEK[]), IDLE and LOGOUT ourselves over curl_easy_send/recv.
 * Not thread-safe: one connection per stage instance.
 */
#ifndef IMAP_PROTO_H
#define IMAP_PROTO_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

/** One logged-in connection and its read buffer. */
typedef struct imap_conn_s {
    CURL *curl;    /**< owned; the connection libcurl made */
    char *buf;     /**< bytes received and not consumed yet */
    size_t len;    /**< bytes in buf */
    size_t cap;    /**< allocated size of buf */
    unsigned tag;  /**< last tag number sent (tags are "cN") */
    int idling;    /**< an IDLE command is running */
    char err[256]; /**< why the last call failed */
} imap_conn_t;

/** One untagged or tagged response: its text and its first literal. */
typedef struct imap_resp_s {
    char *text;     /**< the line(s), literals replaced by "{}" (malloc) */
    char *lit;      /**< the first literal's bytes, or NULL (malloc) */
    size_t lit_len; /**< its length in bytes */
} imap_resp_t;

/** Free what an imap_resp_t holds (not the struct). */
void imap_resp_clear(imap_resp_t *r);

/**
 * Send one command with a new tag; `fmt` is printf-style, without the tag
 * and CRLF. Returns 0, or -1 (c->err says why).
 */
int imap_send(imap_conn_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Send raw bytes (e.g. "DONE\r\n"). Returns 0 or -1. */
int imap_send_raw(imap_conn_t *c, const char *s, size_t n);

/**
 * Read one response (line plus literals) within timeout_ms (-1: wait).
 * Returns 1 (got one), 0 (timeout, nothing consumed), -1 (error/closed).
 */
int imap_read(imap_conn_t *c, imap_resp_t *r, int timeout_ms);

/**
 * True if `text` is the tagged completion of command c->tag; then *ok is
 * 1 for OK, 0 for NO/BAD.
 */
int imap_is_tagged(const imap_conn_t *c, const char *text, int *ok);

/** The number after `name` (e.g. "UIDVALIDITY ") in text, or -1. */
int64_t imap_num_after(const char *text, const char *name);

/** Quote a mailbox name as an IMAP quoted string (malloc). */
char *imap_quote(const char *s);

#endif
