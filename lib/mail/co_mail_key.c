/**
 * @file lib/mail/co_mail_key.c
 * @brief The idempotency key (SHA-256 with libsodium) and base64url
 *        decoding (libsodium's sodium_base642bin).
 */
#include "co_mail_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int co_mail_key(const char *from_addr, const char *date_canon,
                const char *subject, const char *message_id,
                const char *body_digest, char key_hex[65])
{
    co_mail_init();
    GString *c = g_string_new("careerops.email.v1 key\n");
    char *addr = g_utf8_strdown(from_addr != NULL ? from_addr : "", -1);
    g_string_append_printf(c, "from:%s\n", g_strstrip(addr));
    g_free(addr);
    g_string_append_printf(c, "date:%s\n",
                           date_canon != NULL ? date_canon : "");
    /* collapse whitespace runs in the subject and trim it */
    g_string_append(c, "subject:");
    int sp = 1;
    size_t mark = c->len;
    for (const char *p = subject != NULL ? subject : ""; *p != '\0'; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            if (!sp)
                g_string_append_c(c, ' ');
            sp = 1;
        } else {
            g_string_append_c(c, *p);
            sp = 0;
        }
    }
    if (c->len > mark && c->str[c->len - 1] == ' ')
        g_string_truncate(c, c->len - 1);
    g_string_append_c(c, '\n');
    if (message_id != NULL && message_id[0] != '\0')
        g_string_append_printf(c, "message-id:%s\n", message_id);
    if (body_digest != NULL && body_digest[0] != '\0')
        g_string_append_printf(c, "body-sha256:%s\n", body_digest);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)c->str, c->len);
    g_string_free(c, TRUE);
    sodium_bin2hex(key_hex, 65, h, sizeof h);
    return 0;
}

int co_mail_b64url_decode(const char *in, size_t in_len, unsigned char **out,
                          size_t *out_len)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if ((in == NULL && in_len > 0) || out == NULL || out_len == NULL)
        return CO_ERR_INVAL;
    co_mail_init();
    int urlsafe = 1, padded = 0;
    size_t sig = 0; /* significant characters (no whitespace, no padding) */
    for (size_t i = 0; i < in_len; i++) {
        char ch = in[i];
        if (ch == '+' || ch == '/')
            urlsafe = 0;
        else if (ch == '=')
            padded = 1;
        else if (!(ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'))
            sig++;
    }
    if (sig % 4 == 1)
        return CO_ERR_INVAL;
    int variant;
    if (urlsafe)
        variant = padded ? sodium_base64_VARIANT_URLSAFE
                         : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    else
        variant = padded ? sodium_base64_VARIANT_ORIGINAL
                         : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    size_t cap = sig / 4 * 3 + 3;
    unsigned char *buf = malloc(cap + 1);
    if (buf == NULL)
        return CO_ERR_NOMEM;
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(buf, cap, in != NULL ? in : "", in_len, " \t\r\n", &n,
                          &end, variant) != 0 ||
        end != (in != NULL ? in : "") + in_len) {
        free(buf);
        return CO_ERR_INVAL;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}
