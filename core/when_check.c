/* `careerops validate`'s check of each stage's `when` filter against the
 * records its input topics carry (docs/manifest.md, "A stage";
 * docs/schemas/README.md). A record without the field never equals a
 * value, so a typo'd field or label makes the stage skip every record
 * silently: that is a fault here, with the likely name. */
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* The top-level fields of each record schema the bundled plugins and the
 * host produce, as docs/schemas/ lists them (a schema only gains fields
 * within its v1), with the optional ones the classifiers and the notifier
 * add (unsure, opinions, correction, briefing_key). */
static const char *const co__email_fields[] = {"schema",
                                               "key",
                                               "message_id",
                                               "references",
                                               "in_reply_to",
                                               "thread_id",
                                               "from",
                                               "to",
                                               "cc",
                                               "reply_to",
                                               "subject",
                                               "date",
                                               "date_raw",
                                               "date_zone_unknown",
                                               "text",
                                               "text_truncated",
                                               "has_html",
                                               "links",
                                               "attachments",
                                               "calendar",
                                               "headers",
                                               "source",
                                               "size",
                                               "truncated",
                                               "truncated_fields",
                                               "defects",
                                               "archive",
                                               NULL};
static const char *const co__event_fields[] = {
    "schema",     "event_type", "company",    "role",  "scheduled_date",
    "confidence", "evidence",   "classifier", "email", "unsure",
    "opinions",   "correction", NULL};
static const char *const co__notification_fields[] = {
    "schema",   "event_key",    "event_type",   "title",      "company",
    "role",     "date_utc",     "date_local",   "timezone",   "summary",
    "sources",  "briefing_url", "email",        "date_label", "unsure",
    "opinions", "correction",   "briefing_key", NULL};
static const char *const co__briefing_fields[] = {
    "schema",  "briefing_id", "company",      "role",      "event",
    "summary", "sources",     "generated_at", "generator", NULL};
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
    const char *producers; /* the plugins that write it, space-separated */
} co__schema_t;

static const co__schema_t co__schemas[] = {
    {"careerops.email.v1", co__email_fields,
     " mailbox-source gmail-source imap-source "},
    {"careerops.event.v1", co__event_fields,
     " rules-classifier ollama-classifier "},
    {"careerops.notification.v1", co__notification_fields, " notifier "},
    {"careerops.briefing.v1", co__briefing_fields, " tavily-researcher "},
};
static const co__schema_t co__alert_schema = {"careerops.alert.v1",
                                              co__alert_fields, ""};

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

static void co__list(co_buf_t *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        co_buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

/* event_type values must be labels: "INTERVEIW" would match nothing. */
static void co__check_labels(json_t *want, const char *at, co_diag_t *d)
{
    size_t n = json_is_array(want) ? json_array_size(want) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_is_array(want) ? json_array_get(want, i) : want;
        const char *l = json_string_value(v);
        if (l == NULL)
            continue; /* null: "has no event_type" */
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

enum { CO__MAX_SCHEMAS = 4 };

static int co__has_field(const co__schema_t *sc, const char *f)
{
    for (size_t i = 0; sc->fields[i]; i++)
        if (strcmp(f, sc->fields[i]) == 0)
            return 1;
    return 0;
}

/* One field path of a stage's `when` against the schemas of its inputs
 * (`sc`, `n` of them; 0 when any input's records are unknown). */
static void co__check_field(const co_stage_conf_t *s, const char *sp,
                            const co__schema_t *const *sc, size_t n,
                            const char *k, json_t *want, co_diag_t *d)
{
    char at[CO_STAGE_PATH_MAX + 320];
    snprintf(at, sizeof at, "%s.when%s%s", sp, k[0] ? "." : "", k);
    size_t top_len = strcspn(k, ".");
    if (top_len == 0 || k[strlen(k) - 1] == '.' || strstr(k, "..")) {
        co_diag_add(d, at,
                    "\"%s\" is not a field path (an empty part): give a "
                    "field of the record, dotted for a nested one, e.g. "
                    "{\"event_type\": [\"INTERVIEW\"]} or "
                    "{\"email.subject\": \"...\"}",
                    k);
        return;
    }
    char top[128];
    snprintf(top, sizeof top, "%.*s", (int)(top_len < 127 ? top_len : 127), k);
    int labels = 0;
    for (size_t i = 0; i < n; i++) {
        if (co__has_field(sc[i], top)) {
            labels |= strcmp(k, "event_type") == 0 &&
                      (sc[i]->fields == co__event_fields ||
                       sc[i]->fields == co__notification_fields);
            n = 0; /* known: stop */
            break;
        }
    }
    if (labels)
        co__check_labels(want, at, d);
    if (n == 0)
        return; /* a field of one of the inputs, or the inputs are unknown */
    const char *near = co_closest_name(top, sc[0]->fields);
    co_buf_t all = {0};
    for (size_t i = 0; i < n; i++) {
        co_buf_printf(&all, "%s%s: ", i ? "; " : "", sc[i]->name);
        co__list(&all, sc[i]->fields);
    }
    co_diag_add(d, at,
                "the records of input %s have no field \"%s\", so stage "
                "'%s' would skip every record%s%s%s (the fields of %s; "
                "docs/schemas/README.md)",
                s->inputs[0], top, s->name ? s->name : "",
                near ? ": did you mean \"" : "", near ? near : "",
                near ? "\"?" : "", all.data);
    co_buf_free(&all);
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
