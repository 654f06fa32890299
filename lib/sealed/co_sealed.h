/**
 * @file lib/sealed/co_sealed.h
 * @brief Sealed secrets at rest (libsodium crypto_secretbox, XSalsa20-
 *        Poly1305, random nonce): the format of the refresh-token file
 *        `careerops auth gmail` writes and gmail-source reads.
 *
 * Text format, version 1: "careerops-sealed-v1 <base64(nonce || box)>\n"
 * (standard base64 with padding). The key is 32 random bytes, kept as 64
 * hex digits in a key file or secret.
 *
 * Static library `co_sealed` (prefix co_sealed_), libsodium only.
 * Thread-safe: no global state (sodium_init() must have succeeded once;
 * co_sealed_seal() and co_sealed_open() call it).
 */
#ifndef CO_LIB_SEALED_H
#define CO_LIB_SEALED_H

#include <stddef.h>

/** First word of a sealed text (format version 1). */
#define CO_SEALED_MAGIC "careerops-sealed-v1"

/** co_sealed_open(): the sealed text is at fault (or out of memory). */
#define CO_SEALED_BAD_TEXT (-1)
/** co_sealed_open(): the key is at fault (not a key, or not this text's). */
#define CO_SEALED_BAD_KEY (-2)

/** Bytes of a key (crypto_secretbox_KEYBYTES). */
#define CO_SEALED_KEYBYTES 32

/**
 * @brief Seal a NUL-terminated secret with `key`.
 * @param out Set to a malloc'd NUL-terminated text ending in "\n" (free()).
 * @returns 0, or -1 (no memory, or libsodium cannot initialise).
 */
int co_sealed_seal(const char *secret,
                   const unsigned char key[CO_SEALED_KEYBYTES], char **out);

/**
 * @brief Open a sealed text.
 * @param sealed,len The text (need not be NUL-terminated; trailing blanks
 *        are ignored).
 * @param key_hex 64 hex digits (blanks around them allowed).
 * @param secret Set to a malloc'd NUL-terminated secret (free(); wipe it
 *        with sodium_memzero() first).
 * @param err Receives the reason on failure: the key is not 64 hex digits,
 *        the text is not a sealed text, it is damaged, or it does not open
 *        with this key (wrong key, or altered).
 * @returns 0; CO_SEALED_BAD_TEXT when the text is at fault (not a sealed
 *          text, damaged base64) or out of memory; CO_SEALED_BAD_KEY when
 *          the key most likely is (not 64 hex digits, or the text does not
 *          open with it: a wrong key is far likelier than a text altered
 *          in a way that keeps its format), so that a caller names the
 *          key's setting, not the file (trial 57).
 */
int co_sealed_open(const char *sealed, size_t len, const char *key_hex,
                   char **secret, char *err, size_t err_size);

#endif
