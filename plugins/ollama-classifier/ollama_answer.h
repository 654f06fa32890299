/**
 * @file plugins/ollama-classifier/ollama_answer.h
 * @brief Validation of the model's answer and the careerops.event.v1
 *        record built from it.
 *
 * Whatever the model answers is checked against the event schema before it
 * becomes an event: the chat response must be JSON with a string
 * `message.content`; the content must be a JSON object with a known
 * event_type, company/role strings or null, scheduled_date an RFC 3339
 * date-time or null (normalised to UTC), confidence a number in [0, 1], and
 * evidence an array of strings (at most 3 kept, each cut to 300 bytes).
 *
 * Pure functions; thread-safe.
 */
#ifndef OLLAMA_ANSWER_H
#define OLLAMA_ANSWER_H

#include <jansson.h>
#include <stddef.h>

/** The seven labels, in schema order. */
extern const char *const ollama_labels[7];

/** A validated classification. */
typedef struct ollama_event_s {
    const char *event_type;  /**< one of ollama_labels (static) */
    char company[256];       /**< "" for null */
    char role[256];          /**< "" for null */
    char scheduled_date[32]; /**< "YYYY-MM-DDTHH:MM:SSZ" or "" for null */
    double confidence;       /**< 0..1 */
    json_t *evidence;        /**< array of strings (owned; json_decref) */
} ollama_event_t;

/** Outcomes of ollama_answer_parse(). */
typedef enum ollama_answer_rc_e {
    OLLAMA_ANSWER_OK = 0,
    OLLAMA_ANSWER_BAD_RESPONSE = 1, /**< the HTTP body is not a chat reply */
    OLLAMA_ANSWER_BAD_CONTENT = 2,  /**< message.content breaks the schema */
    OLLAMA_ANSWER_LENGTH = 3 /**< cut at the token limit (Ollama done_reason
                                or OpenAI finish_reason "length"): never
                                accepted, even when the text parses */
} ollama_answer_rc_t;

/** The server's API dialect. */
typedef enum ollama_dialect_e {
    OLLAMA_DIALECT_OLLAMA = 0, /**< POST /api/chat, `format`, done_reason */
    OLLAMA_DIALECT_OPENAI = 1  /**< POST /v1/chat/completions,
                                  `response_format`, choices[0] */
} ollama_dialect_t;

/**
 * @brief Parse a chat response body (either dialect) and validate its
 *        content.
 * @param dialect Which response shape to expect: Ollama's
 *        `{message:{content}, done_reason}` or OpenAI's
 *        `{choices:[{message:{content}, finish_reason}]}`.
 * @param ev Out: filled on OLLAMA_ANSWER_OK (free with
 *        ollama_event_clear()); cleared otherwise.
 * @param err Out: what is wrong, quoting the offending value briefly.
 * @returns OLLAMA_ANSWER_LENGTH whenever the reason is "length", whatever
 *          the content.
 */
ollama_answer_rc_t ollama_answer_parse(ollama_dialect_t dialect,
                                       const char *body, size_t len,
                                       ollama_event_t *ev, char *err,
                                       size_t err_size);

/** @brief Release what an ollama_event_t holds. */
void ollama_event_clear(ollama_event_t *ev);

/**
 * @brief Normalise an RFC 3339 date-time (`YYYY-MM-DDTHH:MM[:SS[.frac]]`
 *        followed by `Z` or `±HH:MM`; 'T' may be a space) to UTC.
 * @param out At least 21 bytes: "YYYY-MM-DDTHH:MM:SSZ".
 * @returns 0, or -1 when `s` is not such a date-time.
 */
int ollama_rfc3339_utc(const char *s, char *out, size_t out_size);

/**
 * @brief Build the careerops.event.v1 JSON for an email.
 * @param email The careerops.email.v1 object (borrowed).
 * @param ev The classification (borrowed).
 * @param classifier_name e.g. "ollama-classifier".
 * @param model e.g. the Ollama model name.
 * @param extra NULL, or an object whose members are added to the event
 *        (borrowed), e.g. `unsure`, `opinions`, `fallback`.
 * @returns malloc'd compact JSON text, or NULL when out of memory.
 */
char *ollama_event_json(json_t *email, const ollama_event_t *ev,
                        const char *classifier_name, const char *model,
                        json_t *extra);

#endif
