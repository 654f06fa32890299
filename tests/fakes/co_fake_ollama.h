/**
 * @file tests/fakes/co_fake_ollama.h
 * @brief A fake Ollama REST server (WIRE.md section 2) on a co_fake_t.
 *
 * Routes: `GET /` ("Ollama is running"), `GET /api/version`,
 * `GET /api/tags`, `POST /api/chat` (non-stream JSON object, or NDJSON
 * chunks when `stream` is absent or true), `POST /api/embed` (deterministic
 * vectors), and the OpenAI-compatible dialect that llama.cpp's server,
 * vLLM, LM Studio and Ollama itself also serve: `POST /v1/chat/completions`
 * (non-stream `chat.completion`: `choices[0].message.content`,
 * `finish_reason` "stop" or "length", `usage`; errors as
 * `{"error":{"message","type","param","code"}}`: 401 without the bearer key
 * set by co_fake_ollama_set_api_key(), 404 `model_not_found`, 400 for a
 * `response_format` that is not text, json_object or json_schema with
 * `name` and `schema`) and `GET /v1/models`.
 *
 * Both dialects share the answer queue, record the user messages they get
 * (co_fake_ollama_prompt()) with the answer limit asked for (num_predict /
 * max_tokens), and can be told to answer cut at the length limit
 * (co_fake_ollama_set_length_cut(), co_fake_ollama_push_length()). Request
 * checks as Ollama does them: empty body -> 400 `missing request body`; bad
 * JSON -> 400 with the decoder's text; no model
 * -> 400 `model is required`; unknown model -> 404 `model 'NAME' not found`;
 * `format` neither "json" nor an object -> 400 `invalid format: ...`;
 * other methods -> 405; unknown paths -> 404.
 *
 * The chat answer comes from, in order: the generic co_fake_push() queue
 * (raw replies), this fake's answer queue (co_fake_ollama_push_content(),
 * co_fake_ollama_push_error()), the default content
 * (co_fake_ollama_set_default_content()), or a built-in keyword heuristic
 * that returns a valid careerops event JSON.
 *
 * Thread-safety: all functions may be called while requests are served.
 */
#ifndef CO_FAKE_OLLAMA_H
#define CO_FAKE_OLLAMA_H

#include "co_fake.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ollama's 503 message when its queue is full (note the two spaces). */
#define CO_FAKE_OLLAMA_BUSY                                                    \
    "server busy, please try again.  maximum pending requests exceeded"

/** The fake's state; owned by the co_fake_t it is installed on. */
typedef struct co_fake_ollama_s co_fake_ollama_t;

/**
 * @brief Install the Ollama routes on `f`.
 * @returns The fake's handle (freed by co_fake_stop(f)), or NULL.
 */
co_fake_ollama_t *co_fake_ollama_install(co_fake_t *f);

/**
 * @brief Declare an installed model ("name" or "name:tag"; a name without a
 *        tag also matches "name:latest"). While no model is declared, every
 *        model name is accepted.
 */
void co_fake_ollama_add_model(co_fake_ollama_t *o, const char *name);

/**
 * @brief Queue the next chat answer: 200 with `message.content` = content
 *        (any text: a valid event JSON, or something that is not JSON).
 * @param delay_ms Delay before answering (0: the fake's default delay).
 */
void co_fake_ollama_push_content(co_fake_ollama_t *o, const char *content,
                                 int delay_ms);

/**
 * @brief Queue the next chat answer as an error: `status` with
 *        `{"error":message}` (e.g. 500, or 503 with CO_FAKE_OLLAMA_BUSY).
 */
void co_fake_ollama_push_error(co_fake_ollama_t *o, int status,
                               const char *message, int delay_ms);

/** @brief Delay every chat/embed answer by `ms` (slow model). */
void co_fake_ollama_set_delay(co_fake_ollama_t *o, int ms);

/** @brief Content used when the queue is empty; NULL restores the
 *         built-in heuristic. Copied. */
void co_fake_ollama_set_default_content(co_fake_ollama_t *o,
                                        const char *content);

/** @brief Number of chat requests (either dialect) answered so far. */
size_t co_fake_ollama_chat_count(co_fake_ollama_t *o);

/**
 * @brief Queue the next chat answer as cut at the token limit: 200 with
 *        `content` as given and done_reason / finish_reason "length".
 *        Copied.
 */
void co_fake_ollama_push_length(co_fake_ollama_t *o, const char *content);

/**
 * @brief Answer the next `count` chats (-1: all, 0: none) cut at the token
 *        limit: the content (queued, default or heuristic) is cut in half
 *        and the reason is "length". Error answers are not affected.
 */
void co_fake_ollama_set_length_cut(co_fake_ollama_t *o, int count);

/**
 * @brief OpenAI dialect: require `Authorization: Bearer KEY` (copied);
 *        NULL accepts any request.
 */
void co_fake_ollama_set_api_key(co_fake_ollama_t *o, const char *key);

/** @brief Number of chat prompts recorded (either dialect). */
size_t co_fake_ollama_prompt_count(co_fake_ollama_t *o);

/**
 * @brief The user message(s) of the i-th chat request, joined by newlines.
 * @param answer_limit Out (may be NULL): its num_predict / max_tokens, -1
 *        when absent.
 * @returns malloc'd copy (free()), or NULL when i is out of range.
 */
char *co_fake_ollama_prompt(co_fake_ollama_t *o, size_t i,
                            long long *answer_limit);

/** @brief 1 if any recorded prompt contains `needle`. */
int co_fake_ollama_prompts_contain(co_fake_ollama_t *o, const char *needle);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_OLLAMA_H */
