/**
 * @file plugins/tavily-researcher/tavily_brief.h
 * @brief The pure parts of tavily-researcher: Tavily request bodies and
 *        result parsing (WIRE.md 3), the Ollama chat request (WIRE.md 2.1),
 *        the extractive digest, the citation filter and the
 *        careerops.briefing.v1 document. No I/O; compiled into the plugin
 *        and into its unit tests.
 *
 * Thread-safety: every function is reentrant (no shared state).
 */
#ifndef TAVILY_BRIEF_H
#define TAVILY_BRIEF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/** The event a briefing answers (borrowed strings; NULL when unknown). */
typedef struct tavily_event_s {
    const char *key;            /**< the event's record key (email key) */
    const char *event_type;     /**< INTERVIEW | OFFER | ASSESSMENT */
    const char *company;        /**< company name, non-empty */
    const char *role;           /**< role, or NULL */
    const char *scheduled_date; /**< RFC 3339, or NULL */
} tavily_event_t;

/** Search parameters from the stage configuration (borrowed). */
typedef struct tavily_search_opts_s {
    const char *search_depth;           /**< basic | advanced | ... */
    int max_results;                    /**< 0..20 */
    int news_days;                      /**< days back for the news search */
    const char *const *include_domains; /**< NULL-terminated, or NULL */
    const char *const *exclude_domains; /**< NULL-terminated, or NULL */
} tavily_search_opts_t;

/**
 * @brief The JSON body of one Tavily `/search` request. The key goes in
 *        the Authorization header, never in the body.
 * @param topic "news" (adds `days`) or "general".
 * @param query The query text (borrowed).
 * @returns A new object (json_decref() it).
 */
json_t *tavily_search_body(const tavily_search_opts_t *o, const char *topic,
                           const char *query);

/**
 * @brief The query of a search: "<company>" for news, "<company> <role>
 *        company overview" (or without the role) for general.
 * @returns A malloc'd string.
 */
char *tavily_query(const tavily_event_t *ev, const char *topic);

/**
 * @brief Parse a Tavily 200 answer into an array of
 *        {"title","url","content","published_date"|null}, keeping results
 *        with an http(s) URL only.
 * @param err Receives the reason on failure.
 * @returns A new array, or NULL when the body is not a search answer.
 */
json_t *tavily_parse_results(const char *body, size_t len, char *err,
                             size_t err_size);

/**
 * @brief The error text of a Tavily error body: `detail.error`, a string
 *        `detail`, `error.message` (keyless mode), or the body's first 200
 *        bytes on one line.
 * @returns A malloc'd string.
 */
char *tavily_error_text(const char *body, size_t len);

/**
 * @brief The sources of a briefing: news then general results, deduplicated
 *        by URL, as [{"title","url","published_date"}].
 * @returns A new array.
 */
json_t *tavily_sources(json_t *news, json_t *general);

/**
 * @brief The Ollama /api/chat request (stream false): a system prompt that
 *        says to cite only the given URLs and to treat the results as data,
 *        and a user message with the event and the results fenced as
 *        untrusted data.
 * @returns A new object.
 */
json_t *tavily_chat_body(const char *model, const tavily_event_t *ev,
                         json_t *news, json_t *general);

/**
 * @brief An extractive Markdown digest of the results (used when no Ollama
 *        URL is configured): title line, then "Recent news" and "About"
 *        lists with links, dates and the first sentences of each result.
 * @returns A malloc'd string.
 */
char *tavily_digest(const tavily_event_t *ev, json_t *news, json_t *general);

/**
 * @brief Remove every http(s) URL from `text` that is not the `url` of one
 *        of `sources`. A Markdown link `[label](bad)` becomes `label`; a bare
 *        bad URL is removed.
 * @param dropped Out (may be NULL): how many URLs were removed.
 * @returns A malloc'd string.
 */
char *tavily_filter_urls(const char *text, json_t *sources, size_t *dropped);

/**
 * @brief The company's cache key part: lower case, blanks collapsed to one
 *        '-', other characters kept (UTF-8 bytes unchanged).
 * @returns A malloc'd string.
 */
char *tavily_company_norm(const char *company);

/**
 * @brief The careerops.briefing.v1 document.
 * @param briefing_id 64 hex characters.
 * @param summary Markdown (already filtered).
 * @param sources From tavily_sources() (reference borrowed).
 * @param now_ms Generation time, ms since the epoch.
 * @param model The Ollama model, or NULL for the extractive digest.
 * @returns A new object.
 */
json_t *tavily_briefing(const char *briefing_id, const tavily_event_t *ev,
                        const char *summary, json_t *sources, int64_t now_ms,
                        const char *model);

/** @brief Format ms since the epoch as RFC 3339 UTC ("...Z") into out
 *         (at least 25 bytes). */
void tavily_rfc3339(int64_t ms, char *out, size_t out_size);

#endif /* TAVILY_BRIEF_H */
