/**
 * @file lib/redact/co_redact.h
 * @brief Secrets in a URL or a libpq connection string, found and hidden,
 *        so that a message can name the string without its password.
 *
 * One reading for every place that prints such a string (manifest errors,
 * `train --corrections`, the archive's and mail sources' errors, libpq's
 * own messages): a string is a URI when it starts with a scheme and "://"
 * (RFC 3986 section 3.1, as libpq's uri_prefix_length() reads only at the
 * start), otherwise it is read as libpq's key=value form (keys and values
 * separated by any white space, values quoted with '...' and \ escapes).
 *
 * Hidden: a URI's userinfo password (from the first ':' of the authority,
 * before any '/', '?', '#' or '@', to the string's last '@', so that an
 * unencoded '@' '/' '?' '#' in it is hidden too; co_redact_login() hides
 * the login too), the value of every query parameter whose name,
 * percent-decoded and in any case, holds password, passwd, secret, token,
 * signature, credential, key, sig or auth (client_secret, access_token,
 * X-Amz-Signature, X-Amz-Credential, api_key) or is pwd, pass or pw, and
 * every key=value value whose key holds one of those but key, sig and
 * auth (sslkey is a file's path), or is key, sig or auth, the next word
 * too when its '=' is missing. Where the string is ambiguous more is
 * hidden, never less.
 *
 * Pure functions of libc; any thread. No dependency but libc.
 */
#ifndef CO_REDACT_H
#define CO_REDACT_H

#include <stddef.h>

/** One secret in a string: its bytes s[off .. off+len). */
typedef struct co_redact_span {
    size_t off; /**< offset of the secret's first byte */
    size_t len; /**< its length in bytes (may be 0: an empty password) */
} co_redact_span_t;

/**
 * @brief Find the secrets of a URI or key=value connection string.
 * @param s The string (NULL: none).
 * @param out Receives up to `max` spans in the string's order (may be NULL
 *        when max is 0).
 * @param max Room in `out`.
 * @returns The number of secrets found (may exceed max: only max stored).
 * @remark Pure; any thread.
 */
size_t co_redact_spans(const char *s, co_redact_span_t *out, size_t max);

/**
 * @brief Copy `s` with each secret replaced by "***".
 * @param dst Receives the text, NUL-terminated, cut at `n` bytes (n 0:
 *        nothing written).
 * @param n Size of dst in bytes.
 * @param s The string (NULL: "").
 * @remark Pure; any thread. A string with no secret is copied as is.
 */
void co_redact(char *dst, size_t n, const char *s);

/**
 * @brief co_redact() with a URI's whole userinfo replaced by "***", the
 *        login too (an s3:// URL's "KEY@bucket" is "***@bucket", and
 *        "u:PW@nas:/x" is "***@nas:/x"), and in "SCHEME://NAME:WORD" with
 *        no '@' the NAME too (an access key id): for messages about a URL
 *        that must hold no login at all.
 * @remark Pure; any thread. @since trial 54
 */
void co_redact_login(char *dst, size_t n, const char *s);

/** What co_url_server() found wrong in a server's URL. */
typedef enum co_url_fault {
    CO_URL_OK = 0,       /**< SCHEME://HOST[:PORT] then the rest */
    CO_URL_NOT_URI,      /**< no SCHEME:// at the start */
    CO_URL_USERINFO,     /**< an '@' before any '?' or '#': a login (and maybe
                              a password) */
    CO_URL_HOST,         /**< the host is no DNS name (letters, digits, '-',
                              '.'), IPv4 address or [IPv6] literal ('%' escapes,
                              empty, text after ']') */
    CO_URL_PORT,         /**< a ':' after the host not followed by a port of 1
                              to 65535 and the authority's end */
    CO_URL_FRAGMENT,     /**< a '#' (with CO_URL_NO_FRAGMENT) */
    CO_URL_QUERY_SECRET, /**< a query parameter named as a secret, as
                              co_redact() hides it (with
                              CO_URL_NO_QUERY_SECRET) */
} co_url_fault_t;

/** Flags of co_url_server(): what else the URL must not hold. */
enum {
    CO_URL_NO_FRAGMENT = 1,     /**< a '#' fragment (never sent: a URL
                                     where it means nothing) */
    CO_URL_NO_QUERY_SECRET = 2, /**< a secret in the query (client_secret=,
                                     token=...: logged with the URL) */
};

/**
 * @brief Check that a URL names a server and nothing else in its
 *        authority: SCHEME://HOST[:PORT] with HOST a DNS name, an IPv4
 *        address or a bracketed IPv6 literal (hex digits, ':' and '.', an
 *        optional %zone), PORT 1 to 65535, no userinfo. One reading for
 *        every server URL the configuration holds (imap-source's url, the
 *        OAuth token URLs, the HTTP plugins' URLs), so that a password in
 *        one, written in any way, is refused rather than printed.
 * @param url The URL (NULL: CO_URL_NOT_URI).
 * @param flags 0 or CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET (read
 *        after the userinfo, before the host and port; trial 54).
 * @param rest Receives the offset of what follows the authority (a path,
 *        '?' or '#'; the string's end when nothing), when not NULL and
 *        CO_URL_OK is returned.
 * @returns CO_URL_OK or the first fault found. A caller's message names
 *          the fault, never the URL (which may hold a password).
 * @remark Pure; any thread.
 */
co_url_fault_t co_url_server(const char *url, unsigned flags, size_t *rest);

/**
 * @brief True (1) if `host` (as libcurl's CURLUPART_HOST reports it, IPv6
 *        in brackets) is a loopback name or address: localhost (any case),
 *        127.0.0.0/8 as a dotted quad, [::1] or ::1. One reading for the
 *        host's checks (core/url.c) and the plugins' (lib/http), which
 *        differed (trial 56: LOCALHOST passed one and not the other).
 * @param host NUL-terminated; NULL gives 0.
 * @remark Pure; any thread.
 */
int co_host_is_loopback(const char *host);

#endif
