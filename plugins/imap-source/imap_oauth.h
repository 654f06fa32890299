/**
 * @file plugins/imap-source/imap_oauth.h
 * @brief OAuth 2.0 refresh-token grant (RFC 6749 section 6) for the SASL
 *        XOAUTH2/OAUTHBEARER login of imap-source, over libcurl.
 */
#ifndef IMAP_OAUTH_H
#define IMAP_OAUTH_H

#include <stddef.h>
#include <stdint.h>

/**
 * POST grant_type=refresh_token to token_url (https, or http on loopback
 * only) and return the new access token.
 * @param client_secret May be NULL (public clients).
 * @param access Set to a malloc'd token on success (caller frees, wipes).
 * @param expires_in_s Set to its lifetime in seconds (3600 when absent).
 * @param err Why it failed (never contains a secret).
 * @returns 0; 1 when the server refused the grant (invalid_grant,
 *          invalid_client: a person must act); -1 on a network or server
 *          error worth retrying. Thread-safe.
 */
int imap_oauth_refresh(const char *token_url, const char *client_id,
                       const char *client_secret, const char *refresh_token,
                       long timeout_ms, char **access, int64_t *expires_in_s,
                       char *err, size_t errlen);

/** 0 when token_url is https://, or http:// on 127.0.0.1, localhost or
 *  [::1] (the host as libcurl reads it), with no login, '#' fragment or
 *  secret in its query (what imap_oauth_refresh() accepts); else -1 with
 *  the reason, which does not quote the URL, in err (may be NULL). */
int imap_oauth_url_check(const char *token_url, char *err, size_t errlen);

#endif
