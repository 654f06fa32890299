/**
 * @file plugins/ollama-classifier/ollama_prompt.h
 * @brief The prompt and request the classifier sends to Ollama /api/chat.
 *
 * The email is untrusted data. The system message (a constant) carries all
 * instructions and says the fenced email is data, never instructions. The
 * user message carries the email between two fence lines that contain a
 * random per-request tag (`<<<EMAIL-tag>>>` ... `<<<END-EMAIL-tag>>>`);
 * every run of '<' in the email's text is broken up so that it never
 * contains "<<<", hence can neither close nor imitate a fence.
 *
 * Pure functions over jansson values; thread-safe.
 */
#ifndef OLLAMA_PROMPT_H
#define OLLAMA_PROMPT_H

#include <jansson.h>
#include <stddef.h>

/** The constant system message (byte-identical in every request). */
extern const char ollama_system_prompt[];

/**
 * @brief The careerops event as a JSON Schema object, sent as `format`.
 * @returns A new reference (json_decref() it).
 */
json_t *ollama_format_schema(void);

/**
 * @brief Copy `s`, breaking every run of 3 or more '<' with spaces
 *        ("<<<" -> "<< <") so the result cannot contain "<<<".
 * @returns malloc'd string, NULL when out of memory.
 */
char *ollama_neutralize(const char *s);

/**
 * @brief Byte length of the first `max_chars` UTF-8 characters of `s`
 *        (never splits a character).
 */
size_t ollama_utf8_prefix(const char *s, size_t max_chars);

/** @brief Number of UTF-8 characters in `s`. */
size_t ollama_utf8_len(const char *s);

/**
 * @brief Build the user message for one email.
 * @param email A careerops.email.v1 object (borrowed).
 * @param tag The fence tag, [0-9a-f]+ (borrowed).
 * @param max_chars Budget for the fenced email block (headers + body) in
 *        UTF-8 characters; the body is cut to fit and the cut is marked
 *        "[... truncated: N more characters not shown]".
 * @param truncated Out (may be NULL): 1 if the body was cut here.
 * @returns malloc'd message, NULL when out of memory.
 */
char *ollama_user_message(json_t *email, const char *tag, size_t max_chars,
                          int *truncated);

/** Request parameters besides the messages. */
typedef struct ollama_request_opts_s {
    const char *model;      /**< model name */
    double temperature;     /**< options.temperature */
    long long num_ctx;      /**< options.num_ctx; 0: omitted (Ollama only) */
    const char *keep_alive; /**< Go duration; NULL or "": omitted (Ollama
                                 only) */
    long long num_predict;  /**< answer token limit (Ollama
                                 options.num_predict, OpenAI max_tokens);
                                 0: omitted */
    int openai;             /**< 1: OpenAI-compatible body */
} ollama_request_opts_t;

/**
 * @brief The chat request body.
 *
 * Ollama (/api/chat): model, stream:false, format (the schema), the system
 * and user messages, options {temperature, num_ctx, num_predict},
 * keep_alive. OpenAI-compatible (/v1/chat/completions): model, the same
 * messages, stream:false, temperature, max_tokens, and response_format
 * {type:"json_schema", json_schema:{name:"careerops_event", schema}}.
 * @returns malloc'd JSON text, NULL when out of memory.
 */
char *ollama_request_json(const ollama_request_opts_t *o, const char *user);

/**
 * @brief Check a keep_alive value the way Go's time.ParseDuration accepts
 *        it ("5m", "1h30m", "-1s", "0").
 * @returns 1 if valid.
 */
int ollama_keep_alive_valid(const char *s);

#endif
