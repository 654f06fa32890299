/**
 * @file rules_model.h
 * @brief The learned model inside rules-classifier: loads a model file
 *        (lib/classify), computes its probabilities for each email and
 *        combines them with the rules (rules_classify_ex()).
 *
 * Decision modes: "combined" (default: the rules keep the cases where they
 * are reliable, the model decides the rest), "rules" (the rules alone, as
 * before the model) and "model" (the model alone; for measuring what each
 * part brings).
 *
 * Thread-safety: rules_model_classify() may be called from several threads
 * (the feature extractor is guarded by a mutex).
 */
#ifndef RULES_MODEL_H
#define RULES_MODEL_H

#include "rules_engine.h"

/** How the label is decided. */
typedef enum rules_mode_e {
    RULES_MODE_COMBINED = 0, /**< rules where reliable, else the model */
    RULES_MODE_RULES,        /**< rules only */
    RULES_MODE_MODEL         /**< model only */
} rules_mode_t;

/** @brief Mode for a name ("combined", "rules", "model"); -1 if unknown. */
int rules_mode_parse(const char *name);

typedef struct rules_model_s rules_model_t;

/** @brief What the last classification saw (for tools and tests). */
typedef struct rules_model_trace_s {
    double prob[RULES_NLABELS]; /**< the model's calibrated probabilities */
    rules_label_t rules_label;  /**< the rules' own label */
    double rules_confidence;
    double bulk, context;
    int alerts_sender, calendar;
    rules_label_t model_label;         /**< argmax of prob */
    double rules_score[RULES_NLABELS]; /**< the rules' phrase scores */
} rules_model_trace_t;

/**
 * @brief Load a model file.
 * @returns The model, or NULL with "PATH: reason" in err.
 */
rules_model_t *rules_model_load(const char *path, rules_mode_t mode, char *err,
                                size_t err_size);

/** @brief Free; NULL is allowed. */
void rules_model_free(rules_model_t *rm);

/**
 * @brief Classify with the rules database and, unless `rm` is NULL or the
 *        mode is "rules", the model.
 * @param trace Filled when not NULL.
 * @returns 0, or -1 when `email` is not an object or memory ran out.
 */
int rules_model_classify(rules_model_t *rm, const rules_db_t *db,
                         const json_t *email, rules_result_t *res,
                         rules_model_trace_t *trace);

/**
 * @brief Whether `email` (careerops.email.v1, borrowed) is a delivery
 *        status notification (a bounce, RFC 3464): from MAILER-DAEMON or
 *        postmaster, a "Mail Delivery System/Subsystem" display name, or
 *        Auto-Submitted (RFC 3834) with a mail system's subject such as
 *        "Undeliverable:". Its text quotes the user's own message, so it is
 *        OTHER whatever that message said.
 * @returns 1 or 0. Pure; thread-safe.
 */
int rules_is_bounce(const json_t *email);

/**
 * @brief Whether `email` (careerops.email.v1, borrowed) is an automatic
 *        reply (RFC 3834 Auto-Submitted: auto-replied, Precedence:
 *        auto_reply, or a mail client's "Automatic reply:" / "Out of
 *        Office" subject in the languages listed in docs/classification.md,
 *        after "[TAG]" and "RE:" prefixes). Such a reply quotes or names the
 *        mail it answers, so an interview, offer, assessment or rejection
 *        read in it is OTHER; an applicant-tracking acknowledgement is an
 *        automatic reply too and keeps its label.
 * @returns 1 or 0. Pure; thread-safe.
 */
int rules_is_auto_reply(const json_t *email);

/** @brief The training set's SHA-256 recorded in the model file. */
const char *rules_model_dataset(const rules_model_t *rm);

#endif
