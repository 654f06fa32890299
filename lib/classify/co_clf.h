/**
 * @file lib/classify/co_clf.h
 * @brief The learned email classifier: text normalization, hashed features
 *        and a multinomial logistic regression with calibrated confidence.
 *
 * Pipeline: a careerops.email.v1 document -> co_clf_featurize() (Unicode
 * case folding, contraction expansion, Snowball stemming in the detected
 * language, words and word pairs per feature space, sender kind, structure,
 * negation and "later step" cues) -> a sparse vector of hashed feature
 * indices -> co_clf_model_predict() -> seven probabilities (softmax of the
 * linear scores divided by the calibration temperature).
 *
 * The model file (co_clf_model_save()) is a text header (format version,
 * feature settings, temperature, SHA-256 of the training set, training
 * counts) followed by the non-zero weight rows. Training
 * (co_clf_model_train()) is deterministic for a given seed and example
 * order.
 *
 * Thread-safety: a loaded model is read-only and may be shared; a
 * co_clf_extractor_t (it owns the stemmers) and a co_clf_vec_t belong to
 * one thread at a time.
 */
#ifndef CO_CLF_H
#define CO_CLF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Labels, in the order of careerops.event.v1 (and rules_label_t). */
#define CO_CLF_NLABELS 7
/** Model file format version written by co_clf_model_save(). */
#define CO_CLF_FORMAT_VERSION 1
/** Feature settings version: bump when co_clf_featurize() changes. */
#define CO_CLF_FEATURES_VERSION 4
/** log2 of the number of hashed feature slots. */
#define CO_CLF_HASH_BITS 19

/** @brief Canonical name of label i ("INTERVIEW"...); "OTHER" if out of
 *         range. */
const char *co_clf_label_name(int i);

/** @brief Label index for a name (case-insensitive); -1 if unknown. */
int co_clf_label_parse(const char *name);

/**
 * @brief A sparse feature vector: indices into the hashed space with
 *        values, sorted and without repeats after co_clf_featurize().
 *        Zero-initialise; free with co_clf_vec_free().
 */
typedef struct co_clf_vec_s {
    uint32_t *idx; /**< feature slots, < 2^CO_CLF_HASH_BITS */
    float *val;    /**< values (the vector has unit L2 norm) */
    size_t n;      /**< entries in use */
    size_t cap;    /**< entries allocated */
} co_clf_vec_t;

/** @brief Free a vector's arrays and zero it. */
void co_clf_vec_free(co_clf_vec_t *v);

/**
 * @brief Variants of a message used to train for robustness (the same
 *        transformations scripts/robustness.sh applies to a labeled set).
 */
typedef enum co_clf_variant_e {
    CO_CLF_AS_IS = 0,       /**< the message as it is */
    CO_CLF_NEUTRAL_SENDER,  /**< sender features as for notifications@ of a
                               neutral domain */
    CO_CLF_FIRST_PARAGRAPH, /**< subject and the first paragraph only */
    CO_CLF_CONCEPTS_ONLY,   /**< sender kind, structure and cross-language
                               concepts without the words themselves (as
                               mail in a language the training set barely
                               has looks to the model) */
    CO_CLF_FIRST_PARAGRAPH_CONCEPTS /**< subject and first paragraph, as
                                       concepts only (a short message in a
                                       language with few training words) */
} co_clf_variant_t;

typedef struct co_clf_extractor_s co_clf_extractor_t;

/** @brief New feature extractor (owns one Snowball stemmer per language);
 *         NULL when out of memory. */
co_clf_extractor_t *co_clf_extractor_new(void);

/** @brief Free an extractor; NULL is allowed. */
void co_clf_extractor_free(co_clf_extractor_t *x);

/**
 * @brief Compute the features of one careerops.email.v1 document.
 * @param x Extractor (not shared between threads).
 * @param email The document (borrowed); missing fields count as empty.
 * @param variant CO_CLF_AS_IS for classification.
 * @param out Replaced with the features (arrays reused).
 * @returns 0, or -1 when email is not an object or memory ran out.
 */
int co_clf_featurize(co_clf_extractor_t *x, const json_t *email,
                     co_clf_variant_t variant, co_clf_vec_t *out);

/**
 * @brief Debugging: the feature strings (before hashing) of a document,
 *        one per line, into a malloc'd string (free()). NULL on error.
 */
char *co_clf_feature_dump(co_clf_extractor_t *x, const json_t *email);

/**
 * @brief Sender kind of an address or host, from the built-in vendor list:
 *        "ats", "scheduling", "assessment", "video", "jobboard", "alerts",
 *        "freemail", or NULL (a company's own domain or unknown).
 */
const char *co_clf_sender_kind(const char *addr_or_host);

/**
 * @brief The host of a link ("https://Acme.Greenhouse.io:443/x" ->
 *        "acme.greenhouse.io"), lower-cased, into host (NUL-terminated).
 *        Shared by the features and rules-classifier.
 * @returns The host's length, or 0 when url is NULL, has no "://", an
 *          empty host or one longer than host_size - 1 bytes.
 */
size_t co_clf_url_host(const char *url, char *host, size_t host_size);

typedef struct co_clf_model_s co_clf_model_t;

/** @brief Training settings; co_clf_train_opts_default() fills them. */
typedef struct co_clf_train_opts_s {
    uint64_t seed;     /**< shuffling and the calibration fold */
    int epochs;        /**< passes over the data (default 12) */
    double lr;         /**< AdaGrad step (default 0.3) */
    double l2;         /**< L2 penalty per example step (default 1e-6) */
    double calib_frac; /**< share held out to fit the temperature (0.2) */
} co_clf_train_opts_t;

/** @brief Default training settings (seed 1). */
void co_clf_train_opts_default(co_clf_train_opts_t *o);

/** @brief One training example. The trainer borrows it. */
typedef struct co_clf_example_s {
    co_clf_vec_t x; /**< features */
    int label;      /**< 0..CO_CLF_NLABELS-1 */
    float weight;   /**< example weight (1 for a message as is) */
    uint32_t group; /**< the message it comes from: a message and its
                         augmented copies share the group */
    int augmented;  /**< 1 for a robustness copy (never used to fit the
                         temperature) */
} co_clf_example_t;

/**
 * @brief Train a model: fit the temperature on a held-out share of the
 *        messages (whole groups, as-is copies only), then retrain on
 *        everything.
 * @param ex Examples (borrowed); `n` of them.
 * @param dataset_sha256 64 hex digits recorded in the model (borrowed).
 * @param err Receives the reason on failure.
 * @returns A new model, or NULL (no examples, out of memory).
 * @remark Deterministic: the same examples, order and options give the
 *         same model.
 */
co_clf_model_t *co_clf_model_train(const co_clf_example_t *ex, size_t n,
                                   const co_clf_train_opts_t *opts,
                                   const char *dataset_sha256, char *err,
                                   size_t err_size);

/**
 * @brief Write a model file.
 * @returns 0, or -1 with the reason in err.
 */
int co_clf_model_save(const co_clf_model_t *m, const char *path, char *err,
                      size_t err_size);

/**
 * @brief Read a model file.
 * @returns The model, or NULL with "PATH: reason" in err (unreadable,
 *          another format or feature version, a bad row).
 */
co_clf_model_t *co_clf_model_load(const char *path, char *err, size_t err_size);

/**
 * @brief Check that a file is a model this version can load: it is read
 *        in full, as co_clf_model_load() does when the stage starts (header,
 *        every weight row, the closing "end" line; about 110 ms for the
 *        bundled 12 MB model), so that `careerops validate` refuses a
 *        truncated or corrupt file rather than the stage failing at start.
 * @returns 0, or -1 with "PATH: reason" or "PATH:LINE: reason" in err.
 */
int co_clf_model_check(const char *path, char *err, size_t err_size);

/** @brief Free a model; NULL is allowed. */
void co_clf_model_free(co_clf_model_t *m);

/**
 * @brief Calibrated probabilities of the seven labels for a feature vector.
 * @param prob Receives CO_CLF_NLABELS probabilities summing to 1.
 * @returns The most probable label.
 */
int co_clf_model_predict(const co_clf_model_t *m, const co_clf_vec_t *x,
                         double prob[CO_CLF_NLABELS]);

/** @brief The calibration temperature of a model (1 = none). */
double co_clf_model_temperature(const co_clf_model_t *m);

/** @brief The training set's SHA-256 (64 hex digits) recorded in a model. */
const char *co_clf_model_dataset_sha256(const co_clf_model_t *m);

#ifdef __cplusplus
}
#endif

#endif
