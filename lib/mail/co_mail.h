/**
 * @file lib/mail/co_mail.h
 * @brief The shared mail normalizer: raw RFC 5322 bytes to a
 *        `careerops.email.v1` JSON document, plus the helpers every mail
 *        source needs (idempotency key, base64url, calendar parsing).
 *
 * Built on GMime 3 (MIME, RFC 2047/2231, charsets), libical (iCalendar),
 * libxml2 (HTML to text, CLDR windowsZones.xml) and libsodium (SHA-256).
 * Every source (mailbox-source, gmail-source, `careerops eval`) links this
 * static library, so the same bytes give the same record and the same key
 * whichever source read them. The record layout and the key are documented
 * in docs/schemas/email.v1.md.
 *
 * Thread-safety: all functions may be called from any thread at the same
 * time. GMime, libxml2 and libical are initialised once per process on first
 * use (pthread_once); calendar parsing is serialised internally because
 * libical's time zone cache is process-global.
 *
 * Memory: the normalizer never holds more than one copy of the message plus
 * bounded buffers (see co_mail_opts_t); a 50 MB message is parsed with the
 * default limits without decoding its attachments into memory.
 */
#ifndef CO_MAIL_H
#define CO_MAIL_H

#include <careerops/types.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Length of an idempotency key in hex, without the NUL. */
#define CO_MAIL_KEY_HEX_LEN 64

/**
 * @brief Limits and settings of the normalizer. Fill with
 *        co_mail_opts_default() and change what you need; zero in a size
 *        field means "use the default".
 */
typedef struct co_mail_opts_s {
    /** Bytes of the raw message parsed; beyond it the message is cut at a
     *  line end, `truncated` is true and the defect `message-truncated` is
     *  recorded. `size` always reports the full length. Default 64 MiB. */
    size_t max_bytes;
    /** MIME leaf parts visited; further parts are skipped (`truncated`,
     *  defect `too-many-parts`). Default 500. */
    size_t max_parts;
    /** Multipart/message nesting depth followed; deeper parts are skipped
     *  (`truncated`, defect `too-deep`). Default 32. */
    size_t max_depth;
    /** Bytes (UTF-8) of the `text` field; longer text is cut at a
     *  character boundary and `text_truncated` is true. Default 1 MiB. */
    size_t max_text_bytes;
    /** IANA zone (e.g. "Europe/Paris") in which floating calendar times
     *  and dates without a zone are resolved; NULL or "" means UTC. Borrowed
     *  for the call. */
    const char *default_tz;
    /** Decoded bytes read from one HTML part before conversion; the rest is
     *  ignored and `text_truncated` is true. Default 8 MiB. */
    size_t max_html_bytes;
    /** Entries of `links`. Default 200. */
    size_t max_links;
    /** Entries of each address list (to, cc, reply_to). Default 200. */
    size_t max_addresses;
    /** Entries of `calendar`. Default 50. */
    size_t max_events;
    /** Decoded bytes of one calendar part parsed. Default 4 MiB. */
    size_t max_calendar_bytes;
    /** Raw bytes kept of one header field of the message (with its folded
     *  lines), cut before GMime parses it: the field is named in
     *  `truncated_fields` ("subject", "header:X-Foo"), `truncated` is true,
     *  defect `header-truncated`. Default 64 KiB. */
    size_t max_header_bytes;
    /** Header fields of the message kept; later fields are dropped
     *  (`truncated_fields` "headers", defect `header-fields-dropped`).
     *  Default 1000. */
    size_t max_header_fields;
    /** Raw bytes of the whole header block kept; fields beyond are dropped
     *  as above. Default 256 KiB. With the two limits above this bounds
     *  GMime's header memory (about 65 times the bytes parsed for a field
     *  made of many tokens) to about 17 MiB whatever the message. */
    size_t max_headers_bytes;
    /** Bytes of the record's JSON text; 0 (the default) means no limit.
     *  A longer record is made to fit by cutting, in this order, `text`,
     *  `links`, `calendar`, `attachments`, the address lists, `references`
     *  and `subject` (each named in `truncated_fields`); a record that still
     *  does not fit is an error (CO_ERR_INVAL). */
    size_t max_record_bytes;
} co_mail_opts_t;

/**
 * @brief Fill `o` with the defaults documented in co_mail_opts_t.
 * @param o Caller-owned; every field is written.
 */
void co_mail_opts_default(co_mail_opts_t *o);

/**
 * @brief Normalize one raw message into a `careerops.email.v1` record.
 *
 * A leading UTF-8 byte order mark and a leading mbox `From ` line are
 * skipped (both are marked in `defects`). Malformed input is repaired where
 * a reader can tell what was meant (see docs/schemas/email.v1.md, "Repairs")
 * and every repair or loss is listed in `defects`.
 *
 * @param raw The message bytes (borrowed; CRLF or LF; NUL and 8-bit bytes
 *        allowed).
 * @param len Length of raw in bytes.
 * @param opts Limits, or NULL for the defaults. Borrowed.
 * @param source_json Text of a JSON object copied into the `source` field
 *        (e.g. `{"kind":"mbox","path":"inbox.mbox"}`), or NULL for null.
 *        Borrowed.
 * @param json_out Set to the compact JSON text, NUL-terminated, malloc'd:
 *        free with free(). Set to NULL on error.
 * @param json_len Set to strlen(*json_out) (may be NULL).
 * @param key_hex Filled with the 64 hex digits of the idempotency key and a
 *        NUL (also the record's "key" field).
 * @param errstr Filled with a readable reason on error (may be NULL).
 * @param errstr_size Size of errstr in bytes.
 * @returns 0; CO_ERR_INVAL when an argument is wrong or the bytes cannot
 *          become a record (empty input, no header fields, bad source_json):
 *          the caller sends the raw bytes to the dead-letter topic with
 *          errstr as the reason; CO_ERR_NOMEM when memory ran out.
 * @remark Thread-safe. Never aborts on any input.
 */
int co_mail_to_json(const void *raw, size_t len, const co_mail_opts_t *opts,
                    const char *source_json, char **json_out, size_t *json_len,
                    char key_hex[65], char *errstr, size_t errstr_size);

/**
 * @brief Parse an iCalendar object (a `.ics` file or a text/calendar part)
 *        into the JSON array used for the record's `calendar` field.
 *
 * Time zones are resolved in this order: UTC (`Z`), a VTIMEZONE of the same
 * VCALENDAR, an IANA name known to libical, a Windows zone name through
 * CLDR's windowsZones.xml (see co_mail_windows_zone()). A floating time (or
 * an unknown TZID) is resolved in opts->default_tz and marked
 * `"floating": true`.
 *
 * @param ics Bytes, UTF-8 (a BOM is skipped); borrowed.
 * @param len Length of ics in bytes.
 * @param opts Limits and default_tz, or NULL for the defaults.
 * @param json_out Set to a malloc'd NUL-terminated JSON array (free()).
 * @param json_len Set to its length (may be NULL).
 * @returns 0 (possibly an empty array when there is no VEVENT);
 *          CO_ERR_INVAL with errstr when the text is not iCalendar at all;
 *          CO_ERR_NOMEM.
 * @remark Thread-safe (serialised internally).
 */
int co_mail_ics_to_json(const void *ics, size_t len, const co_mail_opts_t *opts,
                        char **json_out, size_t *json_len, char *errstr,
                        size_t errstr_size);

/**
 * @brief Decode base64url (RFC 4648 section 5) text, with or without `=`
 *        padding, as Gmail's `format=raw` delivers it. Standard base64
 *        (`+` and `/`) is accepted too; ASCII whitespace is skipped.
 * @param in Text (borrowed), need not be NUL-terminated.
 * @param in_len Its length in bytes.
 * @param out Set to a malloc'd buffer (free()) holding the bytes plus a
 *        trailing NUL not counted in out_len; NULL on error.
 * @param out_len Set to the number of decoded bytes.
 * @returns 0, CO_ERR_INVAL (a character outside the alphabet, misplaced
 *          padding, or a length that is 1 mod 4), CO_ERR_NOMEM.
 * @remark Thread-safe; pure function.
 */
int co_mail_b64url_decode(const char *in, size_t in_len, unsigned char **out,
                          size_t *out_len);

/**
 * @brief The idempotency key of DESIGN.md from already-normalized fields:
 *        SHA-256 (libsodium) over the canonical byte string documented in
 *        docs/schemas/email.v1.md, "Idempotency key".
 * @param from_addr Sender address (lower-cased inside), or NULL.
 * @param date_canon Canonical date text (see the schema document), or NULL.
 * @param subject Decoded subject (whitespace runs collapsed inside), or NULL.
 * @param message_id Message-ID without angle brackets, or NULL when absent.
 * @param body_digest Hex digest of the raw bytes, used only when sender,
 *        date and Message-ID are all absent; otherwise NULL.
 * @param key_hex Filled with 64 hex digits and a NUL.
 * @returns 0, or CO_ERR_NOMEM.
 * @remark Thread-safe. co_mail_to_json() calls this; it is public so tests
 *         and other sources can check the definition.
 */
int co_mail_key(const char *from_addr, const char *date_canon,
                const char *subject, const char *message_id,
                const char *body_digest, char key_hex[65]);

/**
 * @brief Map a Windows time zone name ("Romance Standard Time") to its IANA
 *        name ("Europe/Paris") using CLDR's windowsZones.xml (territory
 *        001), read once with libxml2 from the path in the environment
 *        variable CAREEROPS_WINDOWS_ZONES or else the compile-time default
 *        (Debian package unicode-cldr-core).
 * @returns A static string, or NULL when the name is unknown or the file is
 *          missing (co_mail_windows_zones_error() then says why).
 * @remark Thread-safe.
 */
const char *co_mail_windows_zone(const char *windows_name);

/** @brief Why the windowsZones.xml table is empty ("" when it loaded).
 *  Static string. */
const char *co_mail_windows_zones_error(void);

/**
 * @brief Whether bytes are UTF-16 text (a byte order mark, or every other
 *        one of the first four bytes NUL: Windows tools' "Unicode" save),
 *        which is no mail (mail is ASCII or UTF-8 bytes; iconv converts).
 * @param p The first bytes (borrowed); n Their number.
 * @returns "UTF-16LE" or "UTF-16BE" (static), or NULL. Pure; any thread.
 */
const char *co_mail_utf16(const void *p, size_t n);

/** @brief What co_mail_lead_len() skipped (bits of its `kinds`). */
enum {
    CO_MAIL_LEAD_BOM = 1,  /**< a UTF-8 byte order mark (EF BB BF) */
    CO_MAIL_LEAD_NUL = 2,  /**< NUL bytes */
    CO_MAIL_LEAD_SPACE = 4 /**< spaces, tabs, CR, LF */
};

/**
 * @brief How many bytes come before a message's first line: a UTF-8 byte
 *        order mark at the start, then any mix of NUL bytes and whitespace
 *        (space, tab, CR, LF), as an editor, a disk tool or a crashed
 *        writer leaves them. The one rule for what the normalizer
 *        (co_mail_to_json()) and the mailbox source skip there. After the
 *        mark, UTF-16 text (co_mail_utf16()) has no such bytes: its NULs
 *        are halves of characters.
 * @param p The bytes (borrowed); n Their number.
 * @param kinds NULL, or set to the CO_MAIL_LEAD_* bits of what was skipped
 *        (0 when nothing was).
 * @returns The number of bytes, at most n. Pure; any thread.
 */
size_t co_mail_lead_len(const void *p, size_t n, unsigned *kinds);

/**
 * @brief Whether bytes start like an RFC 5322 header block: the first line
 *        (after blank lines) is "Name: value" with a printable field name,
 *        and the block holds a field that messages have
 *        (From, To, Subject, Date, Message-ID, Received, Content-Type,
 *        X-..., ...) before it ends. A copy of /etc/passwd ("root:x:0:0:")
 *        is no message; a block longer than `n` is taken as one. NUL bytes
 *        are allowed (in a field's value or the body): the normalizer
 *        drops them.
 * @param p The first bytes (borrowed; at most a few KiB are looked at by
 *        callers); n Their number.
 * @returns 1 or 0. Pure; any thread.
 */
int co_mail_has_header_block(const void *p, size_t n);

/**
 * @brief Initialise GMime, libxml2 and libical once per process. Called by
 *        every function above; exported for programs that want to pay the
 *        cost up front. Thread-safe (pthread_once).
 */
void co_mail_init(void);

#ifdef __cplusplus
}
#endif
#endif /* CO_MAIL_H */
