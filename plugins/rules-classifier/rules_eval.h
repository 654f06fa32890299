/**
 * @file plugins/rules-classifier/rules_eval.h
 * @brief `careerops eval`: measure a classifier stage on a labeled folder
 *        of raw messages; a command of the rules-classifier plugin
 *        (ABI 1.1). Not installed.
 *
 * Usage:
 *   careerops eval --manifest M --stage S --labels labels.csv --emails DIR
 *                  [--set path=value]... [--json] [--mismatches]
 *
 * The labels file is CSV (RFC 4180 quoting) whose header starts with
 * exactly `file,label,company,scheduled_date`; further columns are ignored.
 * `file` is relative to DIR; `label` is one of INTERVIEW, OFFER,
 * ASSESSMENT, REJECTION, APPLICATION_ACK, RECRUITER_OUTREACH, OTHER;
 * `company` and `scheduled_date` (RFC 3339) may be empty. A file may also
 * be a careerops.email.v1 document (as `careerops relabel --export`
 * writes them), which is classified as it is.
 *
 * Each message is normalized with the shared mail library
 * (co_mail_to_json()) into a careerops.email.v1 record, handed to the
 * stage's plugin in-process (api->capture_open(), configured exactly as
 * `careerops run` would), and the emitted careerops.event.v1 is compared
 * with the row:
 * - per label: precision = TP / (TP + FP), recall = TP / (TP + FN),
 *   F1 = harmonic mean; a label never predicted has precision null (JSON)
 *   or "n/a" (text). A message for which the stage emitted no event (it
 *   failed) counts as a wrong prediction of its expected label.
 * - confusion matrix: rows are expected labels, columns predicted.
 * - company accuracy: over rows with a non-empty expected company, the
 *   share whose event names the same company. Names are compared by
 *   co_eval_company_key(): case, punctuation, a leading "The" and legal
 *   forms (Inc, LLC, Ltd, GmbH, AG, SA, S.L., Corp, ...) are ignored. The
 *   label need not be right for the company to count.
 * - date accuracy: over rows with a non-empty expected scheduled_date, the
 *   share whose event's scheduled_date is the same UTC minute.
 *
 * `--json` prints one object: `count`, `accuracy`, `failed`,
 * `labels.<LABEL>.precision/.recall/.f1/.support`, `confusion.<EXPECTED>.
 * <PREDICTED>`, `company_accuracy`, `company_rows`, `date_accuracy`,
 * `date_rows` (an accuracy over zero rows is null).
 *
 * Exit status: 0 measured; 1 the stage could not be created; 2 bad
 * arguments or a bad labels file (missing file, bad header, unknown label,
 * bad date), with the file and line in the message.
 */
#ifndef RULES_EVAL_H
#define RULES_EVAL_H

#include <careerops/plugin.h>
#include <stddef.h>

/**
 * @brief The `eval` command.
 * @param api The host services; the capture_* services (ABI 1.1) are
 *        required.
 * @param argc,argv The command line from the word "eval" on. Borrowed.
 * @returns The process exit status (see the file comment).
 * @remark Main thread; prints to stdout (results) and stderr (errors).
 */
int rules_cmd_eval(const co_host_api_t *api, int argc, char **argv);

/**
 * @brief Comparison key of an organisation name (see the file comment):
 *        "Harbor & Pike, Inc." and "harbor and pike" differ, "The Acme
 *        Corp." and "acme" are equal.
 * @param key Receives the key (NUL-terminated, truncated to key_size).
 */
void co_eval_company_key(const char *name, char *key, size_t key_size);

#include "util.h" /* co_eval_parse_rfc3339() */

/** @brief One row of a labels file, for other commands (`train`). */
typedef struct co_eval_label_s {
    char *path;       /**< the message file: --emails DIR joined with `file` */
    int label;        /**< 0..6 in the order INTERVIEW, OFFER, ASSESSMENT,
                           REJECTION, APPLICATION_ACK, RECRUITER_OUTREACH, OTHER */
    long long minute; /**< expected scheduled_date, UTC minutes since the
                           epoch; -1 when the row gives none */
} co_eval_label_t;

/**
 * @brief Read and check a labels file exactly as `careerops eval` does.
 * @param csv The labels file; @param dir the folder its `file` column is
 *        relative to (both borrowed).
 * @param out Set to a malloc'd array of *n rows (co_eval_labels_free()).
 * @returns 0, or 2 after printing "FILE:LINE: reason" to stderr.
 */
int co_eval_read_labels(const char *csv, const char *dir, co_eval_label_t **out,
                        size_t *n);

/** @brief Free what co_eval_read_labels() returned; NULL is allowed. */
void co_eval_labels_free(co_eval_label_t *v, size_t n);

/** @brief The plugin's commands, `eval` and `train` (rules_commands.c),
 *  ended by a NULL name: co_plugin_t::commands. */
extern const co_command_t rules_commands[];

#endif
