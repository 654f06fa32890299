/* `careerops validate`'s check of each stage's `when` filter against the
 * records its input topics carry (docs/manifest.md, "A stage";
 * docs/schemas/README.md). A record without the field never equals a
 * value, so a typo'd field or label makes the stage skip every record
 * silently: that is a fault here, with the likely name. */
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* The field paths of each record schema the bundled plugins and the host
 * produce, as docs/schemas/ lists them (a schema only gains fields within
 * its v1), with the optional ones the classifiers and the notifier add
 * (unsure, opinions, correction, briefing_key). A path is dotted; "#" is an
 * array index (0, 1, ...), "*" anything below an object whose fields the
 * docs do not fix, and a trailing "?" marks a field that may be null or
 * absent (so `null` can match it), also on a parent ("from?.address"): a
 * path through it, or through an array index, may be absent too. */
static const char *const co__email_fields[] = {
    "schema",
    "key",
    "message_id?",
    "references",
    "references.#",
    "in_reply_to?",
    "thread_id?",
    "from?",
    "from?.name?",
    "from?.address",
    "to",
    "to.#",
    "to.#.name?",
    "to.#.address",
    "cc",
    "cc.#",
    "cc.#.name?",
    "cc.#.address",
    "reply_to",
    "reply_to.#",
    "reply_to.#.name?",
    "reply_to.#.address",
    "subject",
    "date?",
    "date_raw?",
    "date_zone_unknown",
    "text",
    "text_truncated",
    "has_html",
    "links",
    "links.#",
    "links.#.url",
    "links.#.text",
    "attachments",
    "attachments.#",
    "attachments.#.name?",
    "attachments.#.type",
    "attachments.#.size",
    "calendar",
    "calendar.#",
    "calendar.#.uid?",
    "calendar.#.method?",
    "calendar.#.summary?",
    "calendar.#.start?",
    "calendar.#.end?",
    "calendar.#.floating",
    "calendar.#.all_day",
    "calendar.#.organizer?",
    "calendar.#.organizer?.name?",
    "calendar.#.organizer?.address?",
    "calendar.#.attendees",
    "calendar.#.attendees.#",
    "calendar.#.attendees.#.name?",
    "calendar.#.attendees.#.address?",
    "calendar.#.location?",
    "calendar.#.url?",
    "calendar.#.status?",
    "calendar.#.sequence?",
    "calendar.#.recurrence_id?",
    "calendar.#.rrule?",
    "headers",
    "headers.list_unsubscribe?",
    "headers.list_id?",
    "headers.precedence?",
    "headers.auto_submitted?",
    "headers.x_mailer?",
    "source?",
    "source?.kind",
    "source?.path?",
    "source?.offset?",
    "source?.folder?",
    "source?.file?",
    "source?.gmail_id?",
    "source?.history_id?",
    "source?.thread_id?",
    "size",
    "truncated",
    "truncated_fields",
    "truncated_fields.#",
    "defects",
    "defects.#",
    "archive?",
    "archive?.archive_url",
    "archive?.size",
    "archive?.sha256",
    NULL};
/* what the classifiers and relabel add to an event, and the notifier
 * copies: both schemas' optional fields */
static const char *const co__opinion_fields[] = {"unsure?",
                                                 "opinions?",
                                                 "opinions?.#",
                                                 "opinions?.#.classifier",
                                                 "opinions?.#.model?",
                                                 "opinions?.#.event_type",
                                                 "opinions?.#.confidence?",
                                                 "correction?",
                                                 "correction?.*",
                                                 NULL};
static const char *const co__event_fields[] = {"schema",
                                               "event_type",
                                               "company?",
                                               "role?",
                                               "scheduled_date?",
                                               "confidence",
                                               "evidence",
                                               "evidence.#",
                                               "classifier",
                                               "classifier.name",
                                               "classifier.model",
                                               "email",
                                               "email.key?",
                                               "email.subject?",
                                               "email.from?",
                                               "email.from_name?",
                                               "email.message_id?",
                                               "email.date?",
                                               "email.calendar?",
                                               "email.calendar?.#",
                                               "email.calendar?.#.uid?",
                                               "email.calendar?.#.method?",
                                               "email.calendar?.#.status?",
                                               "email.calendar?.#.sequence?",
                                               "email.calendar?.#.start?",
                                               "email.calendar?.#.end?",
                                               NULL};
static const char *const co__notification_fields[] = {"schema",
                                                      "event_key",
                                                      "event_type",
                                                      "title",
                                                      "company?",
                                                      "role?",
                                                      "date_utc?",
                                                      "date_local?",
                                                      "timezone?",
                                                      "summary?",
                                                      "sources",
                                                      "sources.#",
                                                      "sources.#.title?",
                                                      "sources.#.url?",
                                                      "briefing_url?",
                                                      "email",
                                                      "email.subject?",
                                                      "email.from?",
                                                      "email.date?",
                                                      "email.date_local?",
                                                      "date_label?",
                                                      "briefing_key?",
                                                      NULL};
static const char *const co__briefing_fields[] = {"schema",
                                                  "briefing_id",
                                                  "company?",
                                                  "role?",
                                                  "event",
                                                  "event.key",
                                                  "event.event_type",
                                                  "event.scheduled_date?",
                                                  "summary",
                                                  "sources",
                                                  "sources.#",
                                                  "sources.#.title?",
                                                  "sources.#.url",
                                                  "sources.#.published_date?",
                                                  "generated_at",
                                                  "generator",
                                                  "generator.plugin",
                                                  "generator.model?",
                                                  NULL};
static const char *const co__alert_fields[] = {
    "schema",    "pipeline",  "alert", "action",  "value",
    "threshold", "dedup_key", "time",  "summary", NULL};
/* careerops.event.v1's event_type (and the notification's copy of it) */
static const char *const co__event_types[] = {
    "INTERVIEW",          "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
    "RECRUITER_OUTREACH", "OTHER", NULL};

typedef struct co__schema_s {
    const char *name;
    const char *const *fields;
    const char *producers;    /* the plugins that write it, space-separated */
    const char *const *extra; /* more fields (shared), or NULL */
} co__schema_t;

static const co__schema_t co__schemas[] = {
    {"careerops.email.v1", co__email_fields,
     " mailbox-source gmail-source imap-source ", NULL},
    {"careerops.event.v1", co__event_fields,
     " rules-classifier ollama-classifier ", co__opinion_fields},
    {"careerops.notification.v1", co__notification_fields, " notifier ",
     co__opinion_fields},
    {"careerops.briefing.v1", co__briefing_fields, " tavily-researcher ", NULL},
};
static const co__schema_t co__alert_schema = {"careerops.alert.v1",
                                              co__alert_fields, "", NULL};

/* The i-th field path of `sc` (its fields, then the extra ones); NULL
 * past the last. */
static const char *co__field_at(const co__schema_t *sc, size_t i)
{
    size_t n = 0;
    while (sc->fields[n])
        n++;
    return i < n ? sc->fields[i] : sc->extra ? sc->extra[i - n] : NULL;
}

/* The schema of the records on `topic` when every stage writing it is a
 * bundled plugin of one schema (or the host's alerts topic); NULL when
 * unknown (another plugin, dead letters, no writer in this manifest). */
static const co__schema_t *co__topic_schema(const co_manifest_t *m,
                                            const char *topic)
{
    const co__schema_t *found = NULL;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (s->output == NULL || strcmp(s->output, topic) != 0)
            continue;
        if (s->plugin == NULL || s->plugin_file != NULL)
            return NULL;
        char word[256];
        snprintf(word, sizeof word, " %s ", s->plugin);
        const co__schema_t *sc = NULL;
        for (size_t k = 0; k < sizeof co__schemas / sizeof co__schemas[0]; k++)
            if (strstr(co__schemas[k].producers, word))
                sc = &co__schemas[k];
        if (sc == NULL || (found && found != sc))
            return NULL;
        found = sc;
    }
    if (found == NULL && m->alerts.topic && strcmp(topic, m->alerts.topic) == 0)
        return &co__alert_schema;
    return found;
}

/* "did you mean" candidates: at most this many names of one level */
enum { CO__MAX_NAMES = 96, CO__MAX_SCHEMAS = 4 };

/* The names one level of a schema offers: NULL-terminated `names`,
 * pointing into `store`. */
typedef struct co__level_s {
    const char *names[CO__MAX_NAMES + 1];
    char store[2048];
    size_t n, used;
} co__level_t;

static void co__level_add(co__level_t *l, const char *seg, size_t len)
{
    if (len > 0 && seg[len - 1] == '?')
        len--;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->names[i]) == len && strncmp(l->names[i], seg, len) == 0)
            return;
    if (l->n == CO__MAX_NAMES || l->used + len + 1 > sizeof l->store)
        return;
    char *to = l->store + l->used;
    memcpy(to, seg, len);
    to[len] = '\0';
    l->used += len + 1;
    l->names[l->n++] = to;
    l->names[l->n] = NULL;
}

/* How far the dotted `path` follows the schema path `pat`: the number of
 * its leading parts that match; *whole is 1 when all of `path` does (a
 * field of the schema, or an object above one), and *opt then 1 when the
 * field may be null or absent. *next: the part of `pat` after the matched
 * ones (NULL at its end). */
static size_t co__follow(const char *pat, const char *path, int *whole,
                         int *opt, const char **next)
{
    size_t depth = 0;
    int o = 0;
    const char *p = path, *q = pat;
    *whole = 0;
    *opt = 0;
    for (;;) {
        *next = *q ? q : NULL;
        if (*p == '\0') {
            *whole = 1;
            *opt = o;
            return depth;
        }
        size_t pn = strcspn(p, "."), qn = strcspn(q, ".");
        if (qn == 0)
            return depth; /* `pat` is a value: nothing below it */
        int qopt = q[qn - 1] == '?';
        size_t ql = qopt ? qn - 1 : qn;
        if (ql == 1 && q[0] == '*') { /* fields the docs do not fix */
            *whole = *opt = 1;
            return depth;
        }
        int ok = ql == 1 && q[0] == '#'
                     ? pn > 0 && strspn(p, "0123456789") >= pn
                     : pn == ql && strncmp(p, q, pn) == 0;
        if (!ok)
            return depth;
        o |= qopt || q[0] == '#'; /* an index may be past the end */
        depth++;
        p += pn + (p[pn] == '.');
        q += qn + (q[qn] == '.');
    }
}

/* `path` in schema `sc`: 1 when it is a field (*opt: may be null or
 * absent), else 0 with the deepest level it reaches (*depth parts) and
 * the names that level offers in `lv`. */
static int co__lookup(const co__schema_t *sc, const char *path, int *opt,
                      size_t *depth, co__level_t *lv)
{
    int found = 0;
    *opt = 0;
    *depth = 0;
    const char *f;
    for (size_t i = 0; (f = co__field_at(sc, i)) != NULL; i++) {
        int whole, o;
        const char *next;
        size_t dp = co__follow(f, path, &whole, &o, &next);
        if (whole) {
            found = 1;
            *opt |= o;
        } else if (dp > *depth) {
            *depth = dp;
            lv->n = lv->used = 0;
            lv->names[0] = NULL;
        }
        if (!whole && dp == *depth && next)
            co__level_add(lv, next, strcspn(next, "."));
    }
    return found;
}

static void co__list(co_buf_t *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        co_buf_printf(b, "%s%s", i ? ", " : "",
                      strcmp(names[i], "#") == 0 ? "an index (0, 1, ...)"
                                                 : names[i]);
}

/* event_type values must be labels: "INTERVEIW" would match nothing. */
static void co__check_labels(json_t *want, const char *at, co_diag_t *d)
{
    size_t n = json_is_array(want) ? json_array_size(want) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_is_array(want) ? json_array_get(want, i) : want;
        const char *l = json_string_value(v);
        if (json_is_null(v))
            continue;    /* null: refused by co__check_value() */
        if (l == NULL) { /* trial 72: [..., 3, true] passed */
            char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            co_buf_t all = {0};
            co__list(&all, co__event_types);
            co_diag_add(d, at,
                        "%s is not an event type (event types are strings): "
                        "no record would match it; use %s",
                        t ? t : "the value", all.data);
            co_buf_free(&all);
            free(t);
            continue;
        }
        int known = 0;
        for (size_t k = 0; co__event_types[k]; k++)
            known |= strcmp(l, co__event_types[k]) == 0;
        if (known)
            continue;
        const char *near = co_closest_name(l, co__event_types);
        co_buf_t all = {0};
        co__list(&all, co__event_types);
        co_diag_add(d, at,
                    "\"%s\" is not an event type%s%s%s: no record would "
                    "match it; use %s",
                    l, near ? " (did you mean \"" : "", near ? near : "",
                    near ? "\"?)" : "", all.data);
        co_buf_free(&all);
    }
}

/* The value of one `when` field matches nothing when it is an empty list
 * or holds an object or a list (co_when_match_doc() compares whole JSON
 * values: {"email": {"subject": "x"}} needs the whole email to be just
 * that). Returns 1 when it is null, or a list of nulls only (checked
 * against the schema: a field every record has never matches). */
static int co__check_value(json_t *want, const char *k, const char *at,
                           co_diag_t *d)
{
    if (json_is_array(want) && json_array_size(want) == 0) {
        co_diag_add(d, at,
                    "[] (an empty list) matches no record: give the values "
                    "the field may have, e.g. [\"INTERVIEW\", \"OFFER\"], "
                    "or remove \"%s\" to take every record",
                    k);
        return 0;
    }
    size_t n = json_is_array(want) ? json_array_size(want) : 1;
    int null = 1; /* every value is null */
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_is_array(want) ? json_array_get(want, i) : want;
        null &= json_is_null(v);
        if (!json_is_object(v) && !json_is_array(v))
            continue;
        co_diag_add(d, at,
                    "%s%s matches only a field that is exactly that JSON "
                    "value: give a string, number, boolean or null (or a "
                    "list of them), and a nested field as a dotted path, "
                    "e.g. {\"email.subject\": \"...\"}",
                    json_is_object(v) ? "an object" : "a list",
                    json_is_array(want) ? " in the list" : "");
        return 0;
    }
    return null;
}

/* The message for a path none of the schemas `sc` has. */
static void co__unknown_field(const co_stage_conf_t *s, const char *at,
                              const char *k, const co__schema_t *const *sc,
                              size_t n, co_diag_t *d)
{
    co__level_t lv = {0}, best = {0};
    size_t bd = 0, bi = 0;
    for (size_t i = 0; i < n; i++) {
        int opt;
        size_t dp;
        lv.n = lv.used = 0;
        lv.names[0] = NULL;
        co__lookup(sc[i], k, &opt, &dp, &lv);
        if (i == 0 || dp > bd) {
            best = lv;
            for (size_t j = 0; j < lv.n; j++) /* re-point into best.store */
                best.names[j] = best.store + (lv.names[j] - lv.store);
            bd = dp;
            bi = i;
        }
    }
    const char *p = k;
    for (size_t i = 0; i < bd; i++)
        p += strcspn(p, ".") + 1;
    char part[128], above[256];
    snprintf(part, sizeof part, "%.*s", (int)strcspn(p, "."), p);
    snprintf(above, sizeof above, "%.*s", (int)(p - k - (bd > 0)), k);
    const char *near = co_closest_name(part, best.names);
    co_buf_t all = {0};
    if (bd == 0) {
        for (size_t i = 0; i < n; i++) {
            co__level_t top = {0};
            const char *f;
            for (size_t j = 0; (f = co__field_at(sc[i], j)) != NULL; j++)
                co__level_add(&top, f, strcspn(f, "."));
            co_buf_printf(&all, "%s%s: ", i ? "; " : "", sc[i]->name);
            co__list(&all, top.names);
        }
    } else if (best.n > 0) {
        co_buf_printf(&all, "the fields of \"%s\" in %s: ", above,
                      sc[bi]->name);
        co__list(&all, best.names);
    } else {
        co_buf_printf(&all, "\"%s\" in %s is a value, with no fields below it",
                      above, sc[bi]->name);
    }
    co_diag_add(d, at,
                "the records of input %s have no field \"%s\", so stage "
                "'%s' would skip every record%s%s%s%s%s (%s%s; "
                "docs/schemas/README.md)",
                s->inputs[0], bd ? k : part, s->name ? s->name : "",
                near ? ": did you mean \"" : "", near && bd ? above : "",
                near && bd ? "." : "", near ? near : "", near ? "\"?" : "",
                bd == 0 ? "the fields of " : "", all.data);
    co_buf_free(&all);
}

/* One field path of a stage's `when` against the schemas of its inputs
 * (`sc`, `n` of them; 0 when any input's records are unknown). */
static void co__check_field(const co_stage_conf_t *s, const char *sp,
                            const co__schema_t *const *sc, size_t n,
                            const char *k, json_t *want, co_diag_t *d)
{
    char at[CO_STAGE_PATH_MAX + 320];
    snprintf(at, sizeof at, "%s.when%s%s", sp, k[0] ? "." : "", k);
    if (co_field_path_has_empty_part(k)) {
        co_diag_add(d, at,
                    "\"%s\" is not a field path (an empty part): give a "
                    "field of the record, dotted for a nested one, e.g. "
                    "{\"event_type\": [\"INTERVIEW\"]} or "
                    "{\"email.subject\": \"...\"}",
                    k);
        return;
    }
    int null = co__check_value(want, k, at, d);
    int known = 0, opt = 0, labels = 0;
    for (size_t i = 0; i < n; i++) {
        co__level_t lv = {0};
        int o;
        size_t dp;
        if (co__lookup(sc[i], k, &o, &dp, &lv)) {
            known = 1;
            opt |= o;
            labels |= strcmp(k, "event_type") == 0 &&
                      (sc[i]->fields == co__event_fields ||
                       sc[i]->fields == co__notification_fields);
        }
    }
    if (labels)
        co__check_labels(want, at, d);
    if (n == 0)
        return; /* the inputs are unknown: any path may be there */
    if (!known) {
        co__unknown_field(s, at, k, sc, n, d);
        return;
    }
    if (null && !opt)
        co_diag_add(d, at,
                    "null matches a record without the field, but \"%s\" is "
                    "in every record of input %s (%s), never null: no "
                    "record would match; give its value(s), or remove \"%s\"",
                    k, s->inputs[0], sc[0]->name, k);
}

int co_validate_when(const co_manifest_t *m, co_diag_t *d)
{
    size_t before = d->n;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (s->when == NULL || s->input_invalid)
            continue;
        /* the schemas of the inputs; none when one of them is unknown */
        const co__schema_t *sc[CO__MAX_SCHEMAS];
        size_t n = 0;
        for (size_t t = 0; t < s->n_inputs; t++) {
            const co__schema_t *ts = co__topic_schema(m, s->inputs[t]);
            if (ts == NULL) {
                n = 0;
                break;
            }
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= sc[j] == ts;
            if (!dup && n < CO__MAX_SCHEMAS)
                sc[n++] = ts;
        }
        char sp[CO_STAGE_PATH_MAX];
        co_manifest_stage_path(sp, sizeof sp, i, s->name);
        const char *k;
        json_t *want;
        json_object_foreach(s->when, k, want)
            co__check_field(s, sp, sc, n, k, want, d);
    }
    return (int)(d->n - before);
}
