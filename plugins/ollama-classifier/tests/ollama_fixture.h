/**
 * @file plugins/ollama-classifier/tests/ollama_fixture.h
 * @brief What the ollama-classifier tests share: the fake Ollama serving
 *        MODEL, the fake host, the plugin under test, and careerops.email.v1
 *        records. One test process, one thread.
 */
#ifndef OLLAMA_FIXTURE_H
#define OLLAMA_FIXTURE_H

#include "co_fake_host.h"
#include "co_fake_ollama.h"

#include <jansson.h>

#define MODEL "llama3.2:3b"

extern co_fake_t *fake;           /**< the in-process fake server */
extern co_fake_ollama_t *ollama;  /**< its Ollama service, with MODEL */
extern co_fake_host_t *host;      /**< the fake host */
extern const co_plugin_t *plugin; /**< ollama-classifier's descriptor */
extern co_fake_plugin_t run;      /**< the instance under test */

/** @brief Checked setup: start the fake with MODEL, the host, the plugin. */
void ollama_fixture_setup(void);

/** @brief Checked teardown: stop the instance, the host and the fake. */
void ollama_fixture_teardown(void);

/**
 * @brief Validate and fill {base_url: the fake, model: MODEL} merged with
 *        `more` (taken; may be NULL) and `extra` (JSON text; may be NULL)
 *        as the host does, then init() into `run`; asserts no fault.
 * @returns What init() returned.
 */
co_status_t ollama_fixture_start(json_t *more, const char *extra);

/**
 * @brief A careerops.email.v1 record from Mara Lind of Lindqvist Robotics.
 * @returns The record; its value is malloc'd (free((void *)rec.value)).
 */
co_record_t ollama_email_record(const char *key, const char *subject,
                                const char *text);

#endif /* OLLAMA_FIXTURE_H */
