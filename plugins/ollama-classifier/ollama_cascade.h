/**
 * @file plugins/ollama-classifier/ollama_cascade.h
 * @brief `cascade: true`: settle obvious bulk mail without the model.
 *
 * An email is settled as OTHER (classifier "ollama-classifier/cascade")
 * when all of these hold:
 *  1. it carries no calendar invitation (an invite may be an interview);
 *  2. it is bulk mail: a List-Unsubscribe or List-Id header, or
 *     Precedence: bulk, list or junk;
 *  3. its subject or the start of its body contains a job-alert or
 *     newsletter phrase (English, German, French, Spanish; table in
 *     ollama_cascade.c), e.g. "job alert", "jobs you may be interested
 *     in", "newsletter", "Jobempfehlungen", "alerte emploi".
 * Anything else goes to the model. Deliberately narrow: a mass-mailed
 * recruiter message or an ATS rejection with List-Unsubscribe still goes to
 * the model. The full rules classifier is the separate rules-classifier
 * plugin.
 *
 * Pure function; thread-safe.
 */
#ifndef OLLAMA_CASCADE_H
#define OLLAMA_CASCADE_H

#include <jansson.h>

/**
 * @brief Decide whether `email` is obvious bulk mail.
 * @param email A careerops.email.v1 object (borrowed).
 * @param evidence Array to which the reasons are appended as strings
 *        (e.g. "List-Unsubscribe header", "phrase: job alert") when the
 *        email is settled; untouched otherwise.
 * @returns 1 if settled as OTHER, else 0.
 */
int ollama_cascade_settle(json_t *email, json_t *evidence);

#endif
