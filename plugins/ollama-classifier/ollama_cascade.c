/**
 * @file plugins/ollama-classifier/ollama_cascade.c
 * @brief The cascade's bulk-mail rule; see ollama_cascade.h.
 */
#include "ollama_cascade.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Bytes of the body searched for phrases (alerts say it up front). */
#define OLLAMA_CASCADE_BODY_BYTES 2000

/* Job-alert and newsletter phrases, matched case-insensitively (ASCII). */
static const char *const ollama_cascade_phrases[] = {
    /* English */
    "job alert", "jobs you may be interested in", "jobs you might like",
    "new jobs for you", "recommended jobs", "jobs matching your",
    "new job matches", "jobs based on your", "job recommendations",
    "newsletter", "weekly digest",
    /* German */
    "jobempfehlungen", "neue jobs", "job-alert", "jobagent",
    /* French */
    "alerte emploi", "offres d'emploi qui pourraient",
    "offres qui correspondent",
    /* Spanish */
    "alerta de empleo", "empleos recomendados", "ofertas de empleo para ti",
    NULL};

static const char *ollama_cascade_header(json_t *email, const char *name)
{
    const char *v = json_string_value(
        json_object_get(json_object_get(email, "headers"), name));
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Finds a phrase in the first `max` bytes of s (or all of s if max is 0). */
static const char *ollama_cascade_phrase(const char *s, size_t max)
{
    if (s == NULL)
        return NULL;
    for (size_t i = 0; ollama_cascade_phrases[i]; i++) {
        const char *hit = strcasestr(s, ollama_cascade_phrases[i]);
        if (hit != NULL && (max == 0 || (size_t)(hit - s) < max))
            return ollama_cascade_phrases[i];
    }
    return NULL;
}

int ollama_cascade_settle(json_t *email, json_t *evidence)
{
    if (json_array_size(json_object_get(email, "calendar")) > 0)
        return 0;

    const char *bulk = NULL;
    const char *prec = ollama_cascade_header(email, "precedence");
    if (ollama_cascade_header(email, "list_unsubscribe"))
        bulk = "List-Unsubscribe header";
    else if (ollama_cascade_header(email, "list_id"))
        bulk = "List-Id header";
    else if (prec &&
             (strcasecmp(prec, "bulk") == 0 || strcasecmp(prec, "list") == 0 ||
              strcasecmp(prec, "junk") == 0))
        bulk = "Precedence bulk header";
    if (bulk == NULL)
        return 0;

    const char *phrase = ollama_cascade_phrase(
        json_string_value(json_object_get(email, "subject")), 0);
    if (phrase == NULL)
        phrase = ollama_cascade_phrase(
            json_string_value(json_object_get(email, "text")),
            OLLAMA_CASCADE_BODY_BYTES);
    if (phrase == NULL)
        return 0;

    char buf[128];
    json_array_append_new(evidence, json_string(bulk));
    snprintf(buf, sizeof buf, "phrase: %s", phrase);
    json_array_append_new(evidence, json_string(buf));
    return 1;
}
