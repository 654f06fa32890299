/**
 * @file plugins/slack-sink/tests/slack_test_data.h
 * @brief A careerops.notification.v1 record for the slack-sink tests
 *        (fictional company and people).
 */
#ifndef SLACK_TEST_DATA_H
#define SLACK_TEST_DATA_H

#include <jansson.h>
#include <stdlib.h>

#define SLACK_TEST_KEY                                                         \
    "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f2b4d6c8a0e1f3b5d7c9a1e3f5b7d9c1a"
#define SLACK_TEST_BRIEFING "http://127.0.0.1:8480/briefings/5f0c3a1e"
/* the notifier's date_local (RFC 3339 in the user's zone) and how a post
 * shows it */
#define SLACK_TEST_DATE_LOCAL "2025-03-04T16:00:00+01:00"
#define SLACK_TEST_TZ         "Europe/Paris"
#define SLACK_TEST_SHOWN      "Tue 4 Mar 2025, 16:00 (Europe/Paris)"
#define SLACK_TEST_DATE_UTC   "2025-03-04T15:00:00Z"

/**
 * @brief An INTERVIEW notification; `subject` overrides the email subject
 *        (NULL: a plain one). @returns malloc'd JSON (free()).
 */
static inline char *slack_test_notification(const char *key,
                                            const char *subject)
{
    json_t *n = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
        "s:[{s:s, s:s}], s:s, s:{s:s, s:s}}",
        "schema", "careerops.notification.v1", "event_key",
        key ? key : SLACK_TEST_KEY, "event_type", "INTERVIEW", "title",
        "Interview: Lindqvist Robotics", "company", "Lindqvist Robotics",
        "role", "Firmware Engineer", "date_utc", SLACK_TEST_DATE_UTC,
        "date_local", SLACK_TEST_DATE_LOCAL, "timezone", SLACK_TEST_TZ,
        "summary",
        "Second-round interview with the embedded team; bring notes on "
        "motor control.",
        "sources", "title", "Lindqvist Robotics - About", "url",
        "https://lindqvist-robotics.example/about", "briefing_url",
        SLACK_TEST_BRIEFING, "email", "subject",
        subject ? subject : "Interview invitation: Firmware Engineer", "from",
        "Mara Lind <mara@lindqvist-robotics.example>");
    char *s = json_dumps(n, JSON_COMPACT);
    json_decref(n);
    return s;
}

#endif
