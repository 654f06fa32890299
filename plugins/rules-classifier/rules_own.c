/*
 * The user's own messages: which messages the user sent (the option
 * own_addresses, else inferred from a reply's addresses), and what such a
 * message may be. The mailbox holds the user's replies to recruiters too;
 * read as a company's mail they became REJECTIONs ("Thanks, but I have to
 * say no this time") and interviews "(no date yet)" ("Could we do
 * Wednesday instead?"). See docs/classification.md, "The user's own
 * messages".
 */
#include "rules_company.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *rules_own_jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A forward ("Fwd:", "FW:", "WG:", "TR:", "RV:", "ENC:"): the user
 * passing on a company's message, which keeps its own label. */
static int rules_own_forward(const char *subject)
{
    static const char *const fw[] = {
        "fwd:", "fw:", "wg:", "tr:", "rv:", "enc:", "doorst:", NULL};
    if (subject == NULL)
        return 0;
    while (*subject == ' ')
        subject++;
    for (size_t i = 0; fw[i]; i++)
        if (strncasecmp(subject, fw[i], strlen(fw[i])) == 0)
            return 1;
    return 0;
}

/* The first recipient's address, or NULL. */
static const char *rules_own_first_to(const rules_ctx_t *c)
{
    const json_t *to = json_object_get(c->email, "to");
    size_t i;
    const json_t *a;
    json_array_foreach(to, i, a)
    {
        const char *ta = rules_own_jstr(a, "address");
        if (ta != NULL && strchr(ta, '@') != NULL)
            return ta;
    }
    return NULL;
}

/* An organisation's address: not a personal mailbox, not a job board's,
 * job alerts' or meeting service's, and on another domain than from. */
static int rules_own_org_address(const rules_db_t *db, const char *addr,
                                 const char *from)
{
    const rules_sender_t *s = rules_db_sender(db, addr);
    if (rules_personal_sender(addr, s) ||
        (s != NULL &&
         (s->kind == RULES_K_FREEMAIL || s->kind == RULES_K_JOBBOARD ||
          s->kind == RULES_K_ALERTS || s->kind == RULES_K_MEETING)))
        return 0;
    const char *a = strrchr(addr, '@'), *f = strrchr(from, '@');
    return a != NULL && f != NULL && strcasecmp(a, f) != 0;
}

int rules_own_message(const rules_ctx_t *c)
{
    const char *from = c->from_addr;
    if (from == NULL || strchr(from, '@') == NULL)
        return 0;
    if (c->db->nown > 0)
        return rules_db_own_address(c->db, from) ? 1 : 0;
    if (!rules_is_reply(c) ||
        rules_own_forward(rules_own_jstr(c->email, "subject")))
        return 0;
    if (!rules_personal_sender(from, c->sender) || rules_role_account(from))
        return 0;
    const char *to = rules_own_first_to(c);
    return to != NULL && rules_own_org_address(c->db, to, from) ? 2 : 0;
}
