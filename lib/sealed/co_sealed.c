/* Sealed secrets at rest (see co_sealed.h). */
#include "co_sealed.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int co_sealed_seal(const char *secret,
                   const unsigned char key[CO_SEALED_KEYBYTES], char **out)
{
    if (sodium_init() < 0)
        return -1;
    const char *token = secret;
    size_t tl = strlen(token);
    size_t bl = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + tl;
    unsigned char *buf = malloc(bl);
    if (buf == NULL)
        return -1;
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES,
                          (const unsigned char *)token, tl, buf, key);
    size_t el = sodium_base64_encoded_len(bl, sodium_base64_VARIANT_ORIGINAL);
    size_t ml = strlen(CO_SEALED_MAGIC);
    *out = malloc(ml + 1 + el + 1);
    if (*out == NULL) {
        free(buf);
        return -1;
    }
    memcpy(*out, CO_SEALED_MAGIC " ", ml + 1);
    sodium_bin2base64(*out + ml + 1, el, buf, bl,
                      sodium_base64_VARIANT_ORIGINAL);
    strcat(*out, "\n");
    free(buf);
    return 0;
}

int co_sealed_open(const char *sealed, size_t len, const char *key_hex,
                   char **token, char *err, size_t err_size)
{
    if (sodium_init() < 0) {
        snprintf(err, err_size, "libsodium cannot initialise");
        return -1;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    size_t kl = 0;
    const char *kend = NULL;
    while (key_hex && isspace((unsigned char)*key_hex))
        key_hex++;
    if (key_hex == NULL ||
        sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, &kl,
                       &kend) != 0 ||
        kl != sizeof key) {
        snprintf(err, err_size, "the key is not 64 hex digits");
        return CO_SEALED_BAD_KEY;
    }
    size_t ml = strlen(CO_SEALED_MAGIC);
    if (len < ml + 1 || memcmp(sealed, CO_SEALED_MAGIC " ", ml + 1) != 0) {
        snprintf(err, err_size,
                 "not a sealed file (it should start with \"%s\")",
                 CO_SEALED_MAGIC);
        sodium_memzero(key, sizeof key);
        return CO_SEALED_BAD_TEXT;
    }
    const char *b = sealed + ml + 1;
    size_t bl = len - ml - 1;
    while (bl > 0 && isspace((unsigned char)b[bl - 1]))
        bl--;
    unsigned char *bin = malloc(bl + 1);
    size_t binl = 0;
    int rc = CO_SEALED_BAD_TEXT;
    if (bin == NULL ||
        sodium_base642bin(bin, bl + 1, b, bl, NULL, &binl, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        binl < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        snprintf(err, err_size, "the sealed text is damaged (bad base64)");
        goto out;
    }
    size_t tl = binl - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    *token = malloc(tl + 1);
    if (*token == NULL)
        goto out;
    if (crypto_secretbox_open_easy(
            (unsigned char *)*token, bin + crypto_secretbox_NONCEBYTES,
            binl - crypto_secretbox_NONCEBYTES, bin, key) != 0) {
        free(*token);
        *token = NULL;
        snprintf(err, err_size,
                 "the sealed text does not open with this key (wrong key, "
                 "or the text was altered)");
        rc = CO_SEALED_BAD_KEY;
        goto out;
    }
    (*token)[tl] = '\0';
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    free(bin);
    return rc;
}
