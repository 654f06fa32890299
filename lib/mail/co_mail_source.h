/**
 * @file lib/mail/co_mail_source.h
 * @brief What every mail source does with one raw message, in one place:
 *        normalize (lib/mail) -> store the raw bytes in the archive
 *        (lib/archive, the claim check) -> emit a bounded
 *        careerops.email.v1 record carrying the archive reference, or a
 *        dead letter carrying the reference (never the raw bytes). Plus
 *        the options the sources share and reading a secret.
 *
 * Used by mailbox-source, imap-source and gmail-source
 * (docs/archive.md, "Claim check").
 *
 * Thread-safety: one co_mail_source_t per stage instance, used from that
 * stage's thread only (its archive handle is not shared).
 */
#ifndef CO_MAIL_SOURCE_H
#define CO_MAIL_SOURCE_H

#include "co_mail.h"

#include <careerops/plugin.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The options every mail source shares, filled by the host from
 *        the option table CO_MAIL_SOURCE_OPTIONS(). Embed it in the
 *        plugin's configuration struct. Strings are owned by the host.
 */
typedef struct co_mail_source_cfg_s {
    int64_t max_message_bytes; /**< bytes of one message parsed */
    int64_t max_text_bytes;    /**< bytes of `text` kept */
    int64_t record_max_bytes;  /**< bytes of a record with key and headers */
    const char *default_tz;    /**< IANA zone for floating times, or NULL */
    const char *archive;       /**< archive URL or folder, NULL: default */
    const char *archive_s3_endpoint;        /**< S3 endpoint or NULL */
    const char *archive_s3_region;          /**< SigV4 region or NULL */
    const char *archive_s3_access_key_file; /**< file, or NULL */
    const char *archive_s3_secret_key_file; /**< file, or NULL */
    const char *skip_keys_file; /**< keys not emitted, or NULL or "" */
} co_mail_source_cfg_t;

/** Default of record_max_bytes: half of librdkafka's message.max.bytes
 *  (1,000,000), counted with the key, the headers and 1 KiB of framing. */
#define CO_MAIL_RECORD_MAX_DEFAULT "500000"

/**
 * @brief The shared option entries, for a plugin whose configuration
 *        struct `type` embeds a co_mail_source_cfg_t named `member`. Put it
 *        inside the plugin's co_option_t table.
 */
// clang-format off
#define CO_MAIL_SOURCE_OPTIONS(type, member)                                   \
    {CO_OPT_INT, "max_message_bytes", "67108864", 0, 1024, 1073741824,        \
     offsetof(type, member.max_message_bytes),                                 \
     "Bytes of one message that are parsed; a longer message is cut there "    \
     "and its record marked truncated (the archive keeps all of it)."},        \
    {CO_OPT_INT, "max_text_bytes", "1048576", 0, 1024, 67108864,              \
     offsetof(type, member.max_text_bytes),                                    \
     "Bytes of readable text kept in a record (text_truncated beyond; "        \
     "record_max_bytes may cut it further)."},                                 \
    {CO_OPT_INT, "record_max_bytes", CO_MAIL_RECORD_MAX_DEFAULT, 0, 16384,    \
     100000000, offsetof(type, member.record_max_bytes),                       \
     "Bytes of one record counted with its key, headers and 1 KiB of "         \
     "framing; keep it under the broker's message size. Longer text and "      \
     "lists are cut (truncated_fields)."},                                     \
    {CO_OPT_STR, "default_tz", NULL, CO_OPT_ZONE, 0, 0,                        \
     offsetof(type, member.default_tz),                                        \
     "IANA time zone (e.g. Europe/Paris) for floating calendar times and "     \
     "dates without a zone; UTC when unset."},                                 \
    {CO_OPT_STR, "archive", NULL, CO_OPT_PATH | CO_OPT_URL, 0, 0,              \
     offsetof(type, member.archive),                                           \
     "Where the raw messages are stored (claim check): s3://bucket[/prefix], " \
     "file:///dir or a folder (relative to the manifest); unset: "             \
     "$CAREEROPS_ARCHIVE, else .run/archive in the current folder."},          \
    {CO_OPT_STR, "archive_s3_endpoint", NULL, 0, 0, 0,                         \
     offsetof(type, member.archive_s3_endpoint),                               \
     "S3 endpoint, e.g. http://127.0.0.1:8333; unset: "                        \
     "$CAREEROPS_ARCHIVE_S3_ENDPOINT, else AWS."},                             \
    {CO_OPT_STR, "archive_s3_region", NULL, 0, 0, 0,                           \
     offsetof(type, member.archive_s3_region),                                 \
     "SigV4 region; unset: $CAREEROPS_ARCHIVE_S3_REGION, else us-east-1."},    \
    {CO_OPT_STR, "archive_s3_access_key_file", NULL, CO_OPT_PATH, 0, 0,        \
     offsetof(type, member.archive_s3_access_key_file),                        \
     "File holding the S3 access key id; unset: "                              \
     "$CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE."},                                \
    {CO_OPT_STR, "archive_s3_secret_key_file", NULL, CO_OPT_PATH, 0, 0,        \
     offsetof(type, member.archive_s3_secret_key_file),                        \
     "File holding the S3 secret key; unset: "                                 \
     "$CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE."},                                \
    {CO_OPT_STR, "skip_keys_file", "", CO_OPT_PATH, 0, 0,                      \
     offsetof(type, member.skip_keys_file),                                    \
     "A file of idempotency keys (64 hex digits, one per line) whose "         \
     "messages are read but not emitted: messages settled for good, such "     \
     "as the emails of events the user corrected (scripts/demo.sh --fresh "    \
     "writes it). A file that does not exist holds no key."}
// clang-format on

/** One stage's normalizer, archive and limits (opaque). */
typedef struct co_mail_source_s co_mail_source_t;

/**
 * @brief Set up a source stage: the normalizer's limits, the archive
 *        (opened, not contacted: the folder or bucket is created on the
 *        first store) and the keys of cfg->skip_keys_file (read once,
 *        here: a file that does not exist holds no key; when it holds
 *        some, an INFO line says how many are not emitted).
 * @param api,st The host and the stage (borrowed for the source's life).
 * @param cfg The shared options (borrowed for the source's life).
 * @returns A handle to free with co_mail_source_free(), or NULL after
 *          api->set_error() named the faulty option (the caller returns
 *          CO_FATAL): among others "config.skip_keys_file: PATH line N is
 *          not an idempotency key ..." for a line that is not 64 lowercase
 *          hex digits (blank lines are ignored), or "config.skip_keys_file:
 *          cannot read PATH: why".
 */
co_mail_source_t *co_mail_source_new(const co_host_api_t *api, co_stage_t *st,
                                     const co_mail_source_cfg_t *cfg);

/**
 * @brief The archive option checked as co_mail_source_new() checks it
 *        (co_archive_check(): config.archive, else $CAREEROPS_ARCHIVE, and
 *        the S3 endpoint; for S3, archive_s3_*_key_file naming a FIFO,
 *        a folder or a device: trial 54), for the plugins' ABI 1.2
 *        check(), so that `careerops validate` refuses what the stage's
 *        start would (trial 53). Opens no file.
 * @param err Receives "archive URL ...: why" or "OPTION: why" (no
 *        password quoted).
 * @returns CO_OK or CO_FATAL.
 */
co_status_t co_mail_source_check(const co_mail_source_cfg_t *cfg, char *err,
                                 size_t errsz);

/** @brief Close the archive and free. NULL is fine. */
void co_mail_source_free(co_mail_source_t *s);

/** @brief The archive's location as configured, any password in it
 *         shown as *** (co_redact()), for logs. Borrowed. */
const char *co_mail_source_archive(const co_mail_source_t *s);

/** One raw message handed to co_mail_source_emit(). Borrowed fields. */
typedef struct co_mail_msg_s {
    const void *raw;            /**< the message as read */
    size_t len;                 /**< its length in bytes */
    const char *source_json;    /**< the record's `source` object, or NULL */
    const char *dl_key;         /**< key of a dead letter (names the input) */
    const co_header_t *headers; /**< extra record headers, or NULL */
    size_t header_cnt;          /**< number of extra headers */
    /** Called with the record's key before anything is stored or sent
     *  (not for a key of skip_keys_file: that message is skipped before);
     *  return 1 to skip the message (nothing emitted), 0 to go on. NULL:
     *  never skip. */
    int (*skip)(void *ud, const char *key);
    void *ud; /**< passed to skip */
} co_mail_msg_t;

/** Outcomes of co_mail_source_emit() (negative: try again later). */
enum co_mail_emit_e {
    CO_MAIL_EMITTED = 0,       /**< a record went out */
    CO_MAIL_DEAD_LETTER = 1,   /**< a dead letter went out */
    CO_MAIL_SKIPPED = 2,       /**< msg->skip said so */
    CO_MAIL_SKIPPED_KNOWN = 3, /**< its key is in skip_keys_file */
    CO_MAIL_RETRY = -1         /**< archive or host refused; error is set */
};

/**
 * @brief Normalize one raw message, store it in the archive and emit its
 *        record (key = idempotency key, header careerops.email.hash and
 *        careerops.archive.url, the `archive` reference in the value, at
 *        most record_max_bytes), or send a dead letter (key msg->dl_key,
 *        value the reference as JSON, headers careerops.archive.url,
 *        .sha256, .size; class `parse`) when the bytes cannot become a
 *        record. A message whose key is in skip_keys_file is read but
 *        neither stored nor emitted (CO_MAIL_SKIPPED_KNOWN). Counts
 *        bytes_read, messages_read, dead_letters, skipped_known_keys.
 * @param key Filled with the record's key ("" for a dead letter); may be
 *        NULL.
 * @returns An enum co_mail_emit_e value; on CO_MAIL_RETRY the stage's
 *          error says why (the archive is unreachable, the host did not
 *          take the record, no memory) and the caller returns CO_RETRY.
 */
int co_mail_source_emit(co_mail_source_t *s, const co_mail_msg_t *msg,
                        char key[65]);

/**
 * @brief Read a secret of the manifest's secrets folder into a malloc'd
 *        copy (the host's copy is wiped).
 * @param what What it is for the error ("the password (or token)").
 * @param out Set to the copy; free it after sodium_memzero().
 * @returns CO_OK, or CO_FATAL after api->set_error() when the secret is
 *          missing or empty, or a named pipe (FIFO) that nothing wrote to
 *          within 5 s (the host's CO_ERR_TRANSIENT: trial 54); the message
 *          names it, what is wrong and where it goes.
 */
co_status_t co_mail_source_secret(const co_host_api_t *api, co_stage_t *st,
                                  const char *name, const char *what,
                                  char **out);

#ifdef __cplusplus
}
#endif
#endif /* CO_MAIL_SOURCE_H */
