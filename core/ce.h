/**
 * @file core/ce.h
 * @brief CloudEvents headers (Kafka protocol binding, binary mode) for the
 *        records a stage produces, built cheaply: the source and the random
 *        part of the id are made once per stage instance, each record only
 *        formats a counter. Not installed.
 *
 * Only the attributes CloudEvents requires are written (specversion, id,
 * type, source): every header is an allocation of its own in librdkafka
 * 2.0.2, and no reader needs the optional `time`, which the Kafka record's
 * own timestamp (CreateTime, milliseconds, set when the host produces the
 * record) already carries.
 *
 * ce_id is an RFC 9562 version-8 UUID: 58 random bits drawn once per
 * instance (libsodium), then the variant and a 62-bit counter, so ids are
 * unique per source without a system call per record.
 *
 * Thread-safety: a co_ce_t belongs to one stage instance (its worker
 * thread); the functions keep no other state.
 */
#ifndef CO_CORE_CE_H
#define CO_CORE_CE_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

/** Length of a ce_id (a UUID in its 36-character text form). */
#define CO_CE_ID_LEN 36

/** The CloudEvents state of one stage instance. */
typedef struct co_ce_s {
    char source[512];   /**< "/careerops/<pipeline>/<stage>" */
    size_t source_len;  /**< strlen(source) */
    char id_prefix[20]; /**< "xxxxxxxx-xxxx-8xxx-" (random, per instance) */
    uint64_t counter;   /**< records stamped so far */
    char last[CO_CE_ID_LEN + 1]; /**< the id of counter - 1 (text form) */
} co_ce_t;

/**
 * @brief Prepare the headers' constant parts for one stage instance.
 * @param pipeline,stage Names (copied).
 */
void co_ce_init(co_ce_t *ce, const char *pipeline, const char *stage);

/**
 * @brief The next ce_id, written as 36 characters and a NUL to `out`.
 *        Formats the counter in full once per 4,096 ids; in between only
 *        its last three hex digits change.
 * @returns CO_CE_ID_LEN.
 */
size_t co_ce_next_id(co_ce_t *ce, char out[CO_CE_ID_LEN + 1]);

/**
 * @brief The ce_type of a value: the string of a `"schema":"..."` member
 *        found in its first 256 bytes, else "careerops.record". No JSON
 *        parse.
 * @param out Receives the type (NUL-terminated, cut to `size`).
 * @returns strlen(out).
 */
size_t co_ce_type(const void *value, size_t len, char *out, size_t size);

/** Wire bytes of the four headers' names, the specversion value "1.0"
 *  and a length byte per name and value (the values of id, type and
 *  source come on top). */
#define CO_CE_WIRE_BYTES (14 + 5 + 7 + 9 + 3 + 8)

/**
 * @brief Append ce_specversion, ce_id, ce_type and ce_source to `h`.
 * @param value,len The record's value (borrowed), for ce_type.
 * @returns The bytes the four headers add on the wire (names, values and
 *          a length byte each), for backpressure's size estimate.
 */
size_t co_ce_add(co_ce_t *ce, rd_kafka_headers_t *h, const void *value,
                 size_t len);

#endif
