/**
 * @file plugins/mailbox-source/mailbox_read.h
 * @brief The mailbox reader of mailbox-source as pure functions, compiled
 *        into the plugin and into its tests: mbox framing (mboxo/mboxrd),
 *        Maildir and .eml folder listing, keys and positions. No host
 *        services here; nothing is exported from the plugin (hidden
 *        visibility).
 *
 * Thread-safety: functions without a state argument are pure; a state
 * struct belongs to one thread.
 */
#ifndef MAILBOX_READ_H
#define MAILBOX_READ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/** Mailbox formats (the `format` option). */
typedef enum mailbox_format_e {
    MAILBOX_AUTO = 0,
    MAILBOX_MBOX,   /**< mboxo: `>From ` lines are left as they are */
    MAILBOX_MBOXRD, /**< mboxrd: one `>` removed from `^>+From ` lines */
    MAILBOX_MAILDIR,
    MAILBOX_EML
} mailbox_format_t;

/** @brief Parse the `format` option ("auto", "mbox", ...; any case; NULL,
 *  the option not set, is "auto"). @returns 0 or -1 for an unknown name or
 *  an empty string. */
int mailbox_format_parse(const char *s, mailbox_format_t *out);

/** @brief Name of a format ("mbox"...). Static string. */
const char *mailbox_format_name(mailbox_format_t f);

/**
 * @brief Decide the format of `path` for `auto`: a folder with cur/ or new/
 *        (itself or a Maildir++ sub-folder) is a Maildir, another folder a
 *        folder of .eml files; a file starting with `From ` (after a
 *        UTF-8 BOM) an mbox (read as mboxrd), a file starting with RFC
 *        5322 header fields one .eml, an empty file an empty mbox.
 * @returns The format, or MAILBOX_AUTO with the reason in err when the
 *          path cannot be read, is not a regular file or folder (a pipe,
 *          a device, a socket: never opened, so never blocks), or is a
 *          file that is not mail (binary data, text without headers).
 */
mailbox_format_t mailbox_detect(const char *path, char *err, size_t errsz);

/**
 * @brief State of an mbox scan: the separator dialect learned from the
 *        file's first line.
 *
 * Separators are recognised without GMime's mbox mode (which loops forever
 * on some inputs, gmime#116): a line `From <addr> <asctime date>` at the
 * start of the file or after a blank line, followed by a header field line.
 * When the file's first separator is not of that form (Thunderbird's
 * `From - `, a Takeout-like `From 1844347792267117879@xxx`), later lines
 * with the same first word (or the same digits@host shape) followed by a
 * header field line are separators too.
 */
typedef struct mailbox_mbox_s {
    int learned;      /**< the first line was examined */
    int strict_first; /**< the first separator had the full form */
    char word[128];   /**< its address word, for dialect matching */
    /** Lines inside the messages returned so far that have a separator's
     *  full form and a header field after them but no blank line before
     *  (a writer that left it out: each was read with the message before
     *  it). */
    unsigned long long unblanked;
    /** Lines inside the messages returned so far that have a separator's
     *  full form after a blank line but a line of text after them, no
     *  header field (a body line a writer did not escape, or an entry
     *  without its header: each was read with the message before it). */
    unsigned long long headless;
} mailbox_mbox_t;

/**
 * @brief Is the line at buf[pos] (a line start) an mbox separator?
 *
 * A strict "From " line after a blank line that no header line follows is
 * one when it opens an empty entry (blank lines, then a separator, or the
 * end of the file when `at_eof`): that entry is an empty message; and when
 * the line after it holds binary data (NUL, C0 controls), an entry whose
 * header is damaged (a message without header fields: a dead letter). A
 * line of text after it leaves it a body line (counted in st->headless by
 * mailbox_mbox_next()).
 * @param buf,len The mbox bytes (pos < len).
 * @param at_eof Non-zero when no more bytes will come; zero while the file
 *        may still grow (a "From " line at its end waits for what follows).
 * @param st Dialect state (read only here).
 * @returns 1 or 0.
 */
int mailbox_mbox_is_separator(const char *buf, size_t len, size_t pos,
                              int at_eof, const mailbox_mbox_t *st);

/** @brief True if `line` (without its newline) has the full form
 *  `From <addr> <asctime date>`. */
int mailbox_mbox_strict_line(const char *line, size_t n);

/** @brief True if the line starting at `buf[pos]` follows a blank line
 *  (LF or CRLF line breaks); `buf` must hold the bytes before `pos`. */
int mailbox_after_blank_line(const char *buf, size_t pos);

/**
 * @brief Find the next message at or after `pos`.
 *
 * The message's bytes are those after its separator line up to the next
 * separator, less the one blank line an mbox writer puts before the next
 * separator (or at the end of the file). A leading UTF-8 BOM is skipped.
 *
 * @param at_eof Non-zero when no more bytes will come (the last message
 *        ends at len); zero in follow mode, where a message ends only at
 *        the next separator.
 * @param msg_start,msg_end Set to the message bytes [start, end).
 * @param next Set to the offset where the next message's separator starts
 *        (or len): the position to store once this message is emitted.
 * @returns 1 when a message was found, 0 when more bytes are needed (or
 *          nothing is left).
 */
int mailbox_mbox_next(const char *buf, size_t len, size_t pos, int at_eof,
                      mailbox_mbox_t *st, size_t *msg_start, size_t *msg_end,
                      size_t *next);

/**
 * @brief Reverse mboxrd quoting: one `>` removed from every line matching
 *        `^>+From `.
 * @returns A g_malloc'd copy (g_free), length in *out_len.
 */
char *mailbox_mboxrd_unquote(const char *msg, size_t len, size_t *out_len);

/**
 * @brief Maildir message key: `folder/unique` where unique is the file name
 *        before the `:2,` (or `!2,`) info suffix, so that moving new/ to
 *        cur/ or changing flags keeps the key. folder is "" for the root
 *        (key is then just the unique name).
 * @returns g_malloc'd string.
 */
char *mailbox_maildir_key(const char *folder, const char *name);

/** One message file found by a listing. */
typedef struct mailbox_file_s {
    char *key;    /**< identity (Maildir key, or path relative to the root) */
    char *path;   /**< full path */
    char *folder; /**< Maildir folder ("" for the root), or "" */
} mailbox_file_t;

/** @brief Free a mailbox_file_t (GPtrArray free func). */
void mailbox_file_free(gpointer p);

/** One entry a listing passed over that the user is told about by name. */
typedef struct mailbox_skip_s {
    char *path; /**< its full path (the configured root joined with it) */
    char *why;  /**< "a pipe (FIFO), not a regular file", "a symlink to nothing
                     (...)", "a symlink to the folder odd, read already: not
                     read twice (...)", "a folder that cannot be read
                     (Permission denied)", ... */
} mailbox_skip_t;

/** What a listing passed over: counted, and named one by one where an
 *  entry looked meant to be read. */
typedef struct mailbox_skips_s {
    unsigned not_eml;     /**< regular files whose names do not end in .eml */
    unsigned not_regular; /**< FIFOs, sockets, devices, dangling or looping
                               links (Maildir: anything in cur/ or new/ that
                               is not a regular file) */
    char not_eml_eg[128]; /**< one of them (relative path), or "" */
    char not_regular_eg[128]; /**< one of them, or "" */
    GPtrArray *said; /**< mailbox_skip_t*, in listing order, or NULL: in a
                          Maildir every entry of cur/ and new/ that is not a
                          regular file (or a link to one); in an .eml
                          folder every such entry whose name ends in .eml;
                          in both, a folder that cannot be read, one more
                          than 8 levels deep, and a folder reached again
                          (a symlink loop) */
} mailbox_skips_t;

/** @brief Free what *sk holds and zero it. NULL is fine. */
void mailbox_skips_clear(mailbox_skips_t *sk);

/**
 * @brief List the messages of a Maildir (cur/ and new/ of the root and of
 *        every sub-folder, Maildir++ `.Folder` and nested trees, up to 8
 *        levels; tmp/ and dot-files skipped), sorted by key.
 *
 * Entries are examined with lstat()/stat(), never opened: a FIFO never
 * blocks the listing. Symlinks to files and to folders are followed, but
 * each folder is read once (by st_dev/st_ino): real folders first, then
 * the folders symlinks lead to, so `ln -s . .Loop` or two links to one
 * folder never list a message twice, and a message keeps its key.
 * @returns A GPtrArray of mailbox_file_t* (g_ptr_array_unref), never NULL.
 */
GPtrArray *mailbox_maildir_list(const char *root);

/**
 * @brief mailbox_maildir_list() that also reports what it passed over
 *        into `*skips` (zeroed first: clear an earlier result with
 *        mailbox_skips_clear(); NULL: not reported).
 */
GPtrArray *mailbox_maildir_list_counted(const char *root,
                                        mailbox_skips_t *skips);

/**
 * @brief List the `.eml` files below `root` (recursively, 8 levels),
 *        sorted; keys are paths relative to root. A regular file as root
 *        lists itself with its base name as key. Folder symlinks are
 *        followed with each folder read once, as mailbox_maildir_list().
 */
GPtrArray *mailbox_eml_list(const char *root);

/**
 * @brief mailbox_eml_list() that also counts the entries it passed over
 *        (dot-files aside) and names those it must (see
 *        mailbox_skips_t.said) into `*skips` (zeroed first: clear an
 *        earlier result with mailbox_skips_clear(); NULL: not counted).
 * @returns As mailbox_eml_list().
 */
GPtrArray *mailbox_eml_list_counted(const char *root, mailbox_skips_t *skips);

/** Bytes hashed at each end of the part of an mbox a position covers. */
#define MAILBOX_MARK_WINDOW 4096

/**
 * @brief What the bytes of an mbox were, up to a position: a stored offset
 *        is kept only in a file that still holds them.
 */
typedef struct mailbox_mark_s {
    int set;      /**< 0: nothing recorded (offset 0, or a position saved
                       by a version without fingerprints) */
    uint64_t end; /**< the offset the bytes end at */
    unsigned char first[32]; /**< SHA-256 of the file's first
                                  min(end, MAILBOX_MARK_WINDOW) bytes */
    unsigned char last[32];  /**< SHA-256 of the min(end, WINDOW) bytes
                                  before end */
} mailbox_mark_t;

/**
 * @brief Record the bytes of buf up to `end` (end <= len) in *mk.
 *        end 0 records nothing (mk->set = 0): offset 0 needs no check.
 */
void mailbox_mark_take(mailbox_mark_t *mk, const char *buf, size_t len,
                       uint64_t end);

/**
 * @brief Does buf still hold the bytes *mk recorded, and is `offset` (at
 *        most mk->end; less when a tool rewound the position) the start of
 *        a message or the end of the file?
 * @param mk A mark with mk->set.
 * @param why Set to the reason (naming no file) when the answer is no.
 * @returns 1 or 0.
 */
int mailbox_mark_check(const mailbox_mark_t *mk, uint64_t offset,
                       const char *buf, size_t len, char *why, size_t whysz);

/**
 * @brief Is `pos` a place an mbox reader stops at: the end of the file
 *        after a line break, or the start of a separator line (the
 *        dialect learned from the file's first line)? What can be checked
 *        of a position saved without a fingerprint.
 * @returns 1 or 0 (pos 0 is 1).
 */
int mailbox_mbox_boundary(const char *buf, size_t len, uint64_t pos);

/** A position read back from the state store. */
typedef struct mailbox_pos_s {
    char *path;          /**< the file or folder it was saved for
                              (g_free), NULL when saved without it */
    uint64_t offset;     /**< mbox: the offset after the last message */
    mailbox_mark_t mark; /**< mbox: the bytes before it (mark.set 0 when
                              saved without a fingerprint) */
    int content_sha256;  /**< .eml folder: the position has the content
                              fingerprints of the files it names */
} mailbox_pos_t;

/**
 * @brief Encode a position for the state store:
 *        {"format":"mboxrd","path":P,"offset":N,"bytes":{"end":E,
 *        "first_sha256":H,"last_sha256":H}} (see mailbox_mark_t), or
 *        {"format":"eml","path":P,"seen":[...],"content_sha256":{KEY:H}}
 *        (seen sorted; content_sha256 for .eml folders only, the values
 *        of `seen`).
 * @param path The configured path (NULL: left out).
 * @param mark mbox: the bytes up to `offset` (NULL or unset: left out).
 * @param seen Keys read (GHashTable of char* -> a hex fingerprint for
 *        .eml, NULL for a Maildir), or NULL.
 * @returns g_malloc'd JSON text.
 */
char *mailbox_position_encode(mailbox_format_t f, const char *path,
                              uint64_t offset, const mailbox_mark_t *mark,
                              GHashTable *seen);

/**
 * @brief Decode a stored position into *pos (zeroed first; g_free
 *        pos->path) or, for a Maildir or .eml folder, its keys into `seen`
 *        (each with its fingerprint g_strdup'd, or NULL; may be NULL).
 *        Positions of older versions (no path, no fingerprints) decode.
 * @returns 0, or -1 when the text is not a position of format `f`
 *          (err says why).
 */
int mailbox_position_decode(const char *json, size_t len, mailbox_format_t f,
                            mailbox_pos_t *pos, GHashTable *seen, char *err,
                            size_t errsz);

/**
 * @brief The content fingerprint of an .eml file kept in its position:
 *        the first 128 bits of the SHA-256 of its bytes, 32 hex digits.
 * @param hex Receives them and a NUL.
 */
void mailbox_content_sha256(const char *raw, size_t len, char hex[33]);

#endif
