/**
 * @file plugins/ollama-classifier/ollama_local.h
 * @brief The local classifier inside ollama-classifier: the rules-classifier
 *        engine (rules tables + learned model, decision "combined"), used
 *        as the second opinion on every email and as the fallback when the
 *        LLM's answer is cut at its token limit twice.
 *
 * Where the tables and the model come from when the options are empty:
 * the installed rules folder (RULES_DATADIR, with classifier.model in it)
 * when it exists, else the source tree's tables with the model meson built
 * (RULES_SOURCE_DATADIR, RULES_BUILD_DIR) so that tests and a build tree
 * work without installing.
 *
 * Thread-safety: a loaded ollama_local_t is shared read-only;
 * ollama_local_classify() may be called from several threads.
 */
#ifndef OLLAMA_LOCAL_H
#define OLLAMA_LOCAL_H

#include "ollama_answer.h"

#include <jansson.h>
#include <stddef.h>

typedef struct ollama_local_s ollama_local_t;

/**
 * @brief Load the rules tables and the learned model.
 * @param rules_dir Folder of *.tsv tables; NULL or "" for the default.
 * @param model_file Model file (careerops train --out); NULL or "" for
 *        classifier.model next to the tables (or in the build tree).
 * @param err Receives the reason on failure, naming the path.
 * @returns The classifier, or NULL.
 */
ollama_local_t *ollama_local_load(const char *rules_dir, const char *model_file,
                                  char *err, size_t err_size);

/** @brief Free; NULL is allowed. */
void ollama_local_free(ollama_local_t *l);

/** @brief The model name written in events ("rules-v1+MODEL-SHA8"). */
const char *ollama_local_name(const ollama_local_t *l);

/**
 * @brief Classify one careerops.email.v1 document.
 * @param ev Out: filled on success (free with ollama_event_clear()).
 * @returns 0, or -1 when the email is not an object or memory ran out.
 */
int ollama_local_classify(ollama_local_t *l, const json_t *email,
                          ollama_event_t *ev);

/**
 * @brief Whether two labels disagree on a job label: they differ and at
 *        least one of them is not OTHER.
 */
int ollama_labels_disagree(const char *a, const char *b);

#endif
