/**
 * @file lib/classify/co_clf_train.h
 * @brief `careerops train`: train the learned classifier on labeled
 *        folders of raw messages. Compiled into the rules-classifier
 *        plugin, whose `train` command (ABI 1.1) it is (it needs the
 *        plugin's labels reader, rules_eval.c, and the mail library).
 *
 * Usage:
 *   careerops train --labels CSV --emails DIR [--labels CSV --emails DIR]...
 *                   --out MODEL [--seed N] [--epochs N] [--no-augment]
 *                   [--corrections CSV|DSN [--corrections-weight W]
 *                    [--corrections-schema S]]
 *
 * Each labels file has the header of `careerops eval`
 * (`file,label,company,scheduled_date`); each message is normalized with
 * co_mail_to_json() and featurized (co_clf_featurize()) as is and, unless
 * --no-augment, twice more at half weight: with a neutral sender and cut to
 * the subject and first paragraph. The model records the SHA-256 of the
 * training set: of every row's label and message bytes, in order.
 *
 * --corrections folds a user's corrections (lib/relabel: a CSV from
 * `careerops relabel --export`, or the database itself) into the model:
 * each corrected email is featurized like a labeled message (with the same
 * augmentation) at W times the weight (default 5), and is part of the
 * recorded data-set digest.
 *
 * Exit status: 0 written; 1 training or writing failed; 2 bad arguments or
 * a bad labels file (the file and line are named).
 */
#ifndef CO_CLF_TRAIN_H
#define CO_CLF_TRAIN_H

/**
 * @brief The `train` sub-command.
 * @param argc,argv Arguments after the word "train" (borrowed).
 * @returns The process exit status (see the file comment).
 * @remark Main thread; prints a summary to stderr.
 */
int co_cmd_train(int argc, char **argv);

#endif
