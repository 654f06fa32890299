/**
 * @file tests/fakes/co_fake_ollama.h
 * @brief A fake Ollama REST server (WIRE.md section 2) on a co_fake_t.
 *
 * Routes: `GET /` ("Ollama is running"), `GET /api/version`,
 * `GET /api/tags`, `POST /api/chat` (non-stream JSON object, or NDJSON
 * chunks when `stream` is absent or true), `POST /api/embed` (deterministic
 * vectors). Request checks as Ollama does them: empty body -> 400
 * `missing request body`; bad JSON -> 400 with the decoder's text; no model
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

/** @brief Number of /api/chat requests answered so far. */
size_t co_fake_ollama_chat_count(co_fake_ollama_t *o);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_OLLAMA_H */
