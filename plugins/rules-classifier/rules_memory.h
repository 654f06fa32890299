/**
 * @file rules_memory.h
 * @brief The company memory of one classifier stage: the spellings of the
 *        companies it has read in earlier messages of the mailbox, so that
 *        one company gets one spelling (issue 13: "one canonical spelling
 *        per company (aliases merged)").
 *
 * A message often names its company short or not at all: "Ashcombe -
 * outcome" from lydia.shaw@ashcombe.example, where earlier mail of the same
 * thread signed "Ashcombe Partners"; or only its domain, `telistmo.example`,
 * where earlier mail from that domain wrote "Telefónica del Istmo". The
 * memory replaces such a company by the fuller spelling read before:
 *
 * - **a longer name that begins with the same words** ("Ashcombe" ->
 *   "Ashcombe Partners"), written by the same sender domain at least half
 *   as often as the short one, when that domain is the company's own (a
 *   label spells the short name: ashcombe.example; not a shared
 *   applicant-tracking or agency domain); when that domain wrote two
 *   different longer names ("Harbor Analytics", "Harbor Foods"), the name
 *   stays;
 * - **a domain's label** (rules_result_t.company_from_domain) -> the name
 *   read most often from that sender domain whose words spell the label
 *   (rules_slug_spells_name()).
 *
 * Only earlier messages count, in the order the stage reads them (which,
 * from a topic of several partitions, is not the mailbox's order), and a
 * message's own company is remembered after it is looked up. Names that are
 * only a domain's label are remembered, but never offered as the fuller
 * spelling. Each lookup is one pass over the table.
 *
 * Thread-safety: none; one memory per stage instance, used from the
 * stage's worker thread only.
 */
#ifndef RULES_MEMORY_H
#define RULES_MEMORY_H

#include "rules_engine.h"

#include <jansson.h>
#include <stddef.h>

/** @brief The memory (opaque). */
typedef struct rules_memory_s rules_memory_t;

/**
 * @brief A new, empty memory.
 * @param max_names How many (name, sender domain) pairs it keeps; past
 *        that, the one read longest ago is forgotten. 0 is allowed: the
 *        memory then keeps nothing and changes nothing.
 * @returns The memory (free with rules_memory_free()), or NULL when out of
 *          memory.
 */
rules_memory_t *rules_memory_new(size_t max_names);

/** @brief Free a memory; NULL is allowed. */
void rules_memory_free(rules_memory_t *m);

/**
 * @brief Look up res->company in the memory, replace it by the fuller
 *        spelling when there is one, and remember the message's company.
 *        Mail from a free-mail sender (senders.tsv) or without a sender
 *        address is neither changed nor remembered.
 * @param m The memory (NULL: nothing happens).
 * @param db The rule tables (borrowed): the sender kinds.
 * @param email The careerops.email.v1 document classified (borrowed): its
 *        `from.address` gives the sender domain.
 * @param res The result (borrowed); res->company may be freed and replaced
 *        by a malloc'd copy of the fuller spelling.
 * @returns 1 if res->company was replaced, 0 if not, -1 when out of memory
 *          (res unchanged).
 */
int rules_memory_apply(rules_memory_t *m, const rules_db_t *db,
                       const json_t *email, rules_result_t *res);

/** @brief How many (name, sender domain) pairs the memory holds. */
size_t rules_memory_count(const rules_memory_t *m);

#endif
