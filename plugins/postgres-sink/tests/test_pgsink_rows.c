/* postgres-sink: record -> row and batches, without a server. */
#include "co_test.h"
#include "pgsink.h"

static co_record_t t_rec(const char *key, const char *value)
{
    co_record_t r = CO_RECORD_INIT;
    r.key = key;
    r.key_len = key != NULL ? strlen(key) : 0;
    r.value = value;
    r.value_len = value != NULL ? strlen(value) : 0;
    r.topic = "classified_events";
    r.partition = 3;
    r.offset = 1234;
    return r;
}

static const char *t_col(json_t *row, const char *col)
{
    return json_string_value(json_object_get(row, col));
}

static const char t_event[] =
    "{\"schema\":\"careerops.event.v1\",\"event_type\":\"INTERVIEW\","
    "\"company\":\"Fictional Widgets Ltd\",\"role\":\"Platform Engineer\","
    "\"scheduled_date\":\"2025-03-04T15:00:00Z\",\"confidence\":0.93,"
    "\"evidence\":[\"invite you to an interview\"],"
    "\"classifier\":{\"name\":\"rules-classifier\",\"model\":\"rules-v1\"},"
    "\"email\":{\"key\":\"abc123\",\"subject\":\"Interview: Platform "
    "Engineer\",\"from\":\"talent@widgets.example\",\"from_name\":\"Ada\","
    "\"message_id\":\"<m1@widgets.example>\",\"date\":\"2025-03-01T09:00:00Z\"}"
    "}";

START_TEST(schema_to_table)
{
    ck_assert_int_eq(pgsink_table_for_schema("careerops.email.v1"),
                     PGSINK_EMAILS);
    ck_assert_int_eq(pgsink_table_for_schema("careerops.event.v1"),
                     PGSINK_EVENTS);
    ck_assert_int_eq(pgsink_table_for_schema("careerops.briefing.v1"),
                     PGSINK_BRIEFINGS);
    ck_assert_int_eq(pgsink_table_for_schema("careerops.event.v2"), -1);
    ck_assert_int_eq(pgsink_table_for_schema(NULL), -1);
    ck_assert_int_eq(pgsink_table_from_name("briefings"), PGSINK_BRIEFINGS);
    ck_assert_int_eq(pgsink_table_from_name("Events"), -1);
    ck_assert_str_eq(pgsink_table_name(PGSINK_EVENTS), "events");
}
END_TEST

START_TEST(event_row)
{
    co_record_t rec = t_rec("abc123", t_event);
    json_t *row;
    char err[512];
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                     PGSINK_EVENTS);
    ck_assert_str_eq(t_col(row, "key"), "abc123");
    ck_assert_str_eq(t_col(row, "event_type"), "INTERVIEW");
    ck_assert_str_eq(t_col(row, "company"), "Fictional Widgets Ltd");
    ck_assert_str_eq(t_col(row, "role"), "Platform Engineer");
    ck_assert_str_eq(t_col(row, "scheduled_at"), "2025-03-04T15:00:00Z");
    ck_assert_double_eq(json_real_value(json_object_get(row, "confidence")),
                        0.93);
    ck_assert_str_eq(t_col(row, "subject"), "Interview: Platform Engineer");
    ck_assert_str_eq(t_col(row, "sender"), "talent@widgets.example");
    ck_assert_str_eq(t_col(row, "received_at"), "2025-03-01T09:00:00Z");
    ck_assert_str_eq(t_col(row, "classifier"), "rules-classifier");
    ck_assert_str_eq(t_col(row, "model"), "rules-v1");
    ck_assert_str_eq(t_col(row, "source_topic"), "classified_events");
    ck_assert_int_eq(
        json_integer_value(json_object_get(row, "source_partition")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(row, "source_offset")),
                     1234);
    ck_assert(json_is_object(json_object_get(row, "doc")));
    json_decref(row);

    /* Without a record key the email's key is used; nulls stay null. */
    rec = t_rec(NULL, "{\"schema\":\"careerops.event.v1\",\"event_type\":"
                      "\"OTHER\",\"company\":null,\"confidence\":\"high\","
                      "\"email\":{\"key\":\"k-from-doc\"}}");
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                     PGSINK_EVENTS);
    ck_assert_str_eq(t_col(row, "key"), "k-from-doc");
    ck_assert(json_is_null(json_object_get(row, "company")));
    ck_assert(json_is_null(json_object_get(row, "confidence")));
    ck_assert(json_is_null(json_object_get(row, "scheduled_at")));
    json_decref(row);
}
END_TEST

START_TEST(email_and_briefing_rows)
{
    co_record_t rec = t_rec(
        "recordkey",
        "{\"schema\":\"careerops.email.v1\",\"key\":\"emailkey\","
        "\"message_id\":\"<x@y>\",\"thread_id\":\"t1\",\"subject\":\"Hi\","
        "\"from\":{\"name\":\"Ada Example\",\"address\":\"ada@example.org\"},"
        "\"date\":\"2025-01-02T03:04:05Z\",\"text\":\"body\"}");
    json_t *row;
    char err[512];
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                     PGSINK_EMAILS);
    ck_assert_str_eq(t_col(row, "key"), "emailkey");
    ck_assert_str_eq(t_col(row, "message_id"), "<x@y>");
    ck_assert_str_eq(t_col(row, "thread_id"), "t1");
    ck_assert_str_eq(t_col(row, "sender"), "ada@example.org");
    ck_assert_str_eq(t_col(row, "sender_name"), "Ada Example");
    ck_assert_str_eq(t_col(row, "received_at"), "2025-01-02T03:04:05Z");
    json_decref(row);

    rec = t_rec(NULL,
                "{\"schema\":\"careerops.briefing.v1\",\"company\":"
                "\"Fictional Widgets Ltd\",\"event\":{\"key\":\"ev1\","
                "\"event_type\":\"OFFER\"},\"summary\":\"# Widgets\","
                "\"sources\":[],\"generated_at\":\"2025-03-02T00:00:00Z\"}");
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                     PGSINK_BRIEFINGS);
    ck_assert_str_eq(t_col(row, "key"), "ev1");
    ck_assert_str_eq(t_col(row, "event_key"), "ev1");
    ck_assert_str_eq(t_col(row, "event_type"), "OFFER");
    ck_assert_str_eq(t_col(row, "summary"), "# Widgets");
    ck_assert_str_eq(t_col(row, "generated_at"), "2025-03-02T00:00:00Z");
    ck_assert(json_is_null(json_object_get(row, "source_topic")) == 0);
    json_decref(row);
}
END_TEST

static void t_reject(const char *key, const char *value, const char *want)
{
    co_record_t rec = t_rec(key, value);
    json_t *row = (json_t *)1;
    char err[1024] = "";
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err), -1);
    ck_assert_ptr_null(row);
    ck_assert_msg(strstr(err, want) != NULL, "\"%s\" lacks \"%s\"", err, want);
}

START_TEST(rejects_with_reasons)
{
    t_reject("k", "{\"schema\":\"careerops.notification.v1\"}",
             "unknown record schema \"careerops.notification.v1\"");
    t_reject("k", "{\"event_type\":\"OFFER\"}",
             "unknown record schema \"(missing)\"");
    t_reject("k", "[1,2]", "JSON array");
    t_reject("k", "not json", "not JSON");
    t_reject("k", NULL, "no value");
    /* PostgreSQL text and jsonb cannot hold NUL. */
    t_reject("k", "{\"schema\":\"careerops.email.v1\",\"text\":\"a\\u0000b\"}",
             "not JSON that PostgreSQL can store");
    t_reject("k", "{\"schema\":\"careerops.event.v1\",\"company\":\"X\"}",
             "no \"event_type\"");
    t_reject(NULL, "{\"schema\":\"careerops.event.v1\",\"event_type\":\"X\"}",
             "no usable idempotency key");
    t_reject("\xff\xfe", "{\"schema\":\"careerops.email.v1\"}",
             "no usable idempotency key");
    char big[PGSINK_KEY_MAX + 20];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    t_reject(big, "{\"schema\":\"careerops.email.v1\"}",
             "no usable idempotency key");
}
END_TEST

/* Typed columns are cut at a UTF-8 boundary; the document keeps it all. */
START_TEST(typed_columns_clipped)
{
    size_t n = PGSINK_TYPED_MAX * 2;
    char *company = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(company + 2 * i, "\xc3\xa9", 2); /* é */
    company[2 * n] = '\0';
    json_t *doc = json_pack("{s:s, s:s, s:s, s:{s:s}}", "schema",
                            "careerops.event.v1", "event_type", "OFFER",
                            "company", company, "email", "key", "k");
    char *value = json_dumps(doc, 0);
    co_record_t rec = t_rec(NULL, value);
    json_t *row;
    char err[256];
    ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                     PGSINK_EVENTS);
    const char *c = t_col(row, "company");
    ck_assert_uint_le(strlen(c), PGSINK_TYPED_MAX);
    ck_assert_uint_eq(strlen(c) % 2, 0);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(row, "doc"), "company")),
                     company);
    json_decref(row);
    json_decref(doc);
    free(value);
    free(company);
}
END_TEST

/* The batch keeps copies of records and one row per key per table. */
START_TEST(batch_dedups_and_copies)
{
    pgsink_batch_t *b = pgsink_batch_new();
    ck_assert_ptr_nonnull(b);
    for (int i = 0; i < 3; i++) {
        char *value = strdup(t_event);
        co_header_t h = {"ce_id", "id-1", 4};
        co_record_t rec = t_rec("abc123", value);
        rec.headers = &h;
        rec.header_cnt = 1;
        json_t *row;
        char err[256];
        ck_assert_int_eq(pgsink_row_build(&rec, &row, err, sizeof err),
                         PGSINK_EVENTS);
        ck_assert_int_eq(pgsink_batch_add(b, PGSINK_EVENTS, row, &rec), 0);
        memset(value, 'x', strlen(value)); /* the batch has its own copy */
        free(value);
    }
    ck_assert_uint_eq(pgsink_batch_count(b), 3);
    ck_assert_uint_eq(pgsink_batch_failed_count(b), 0);
    ck_assert_ptr_null(pgsink_batch_failed(b, 0, NULL));
    pgsink_batch_clear(b);
    ck_assert_uint_eq(pgsink_batch_count(b), 0);
    pgsink_batch_free(b);
    pgsink_batch_free(NULL);
}
END_TEST

static Suite *rows_suite(void)
{
    Suite *s = suite_create("postgres-sink-rows");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, schema_to_table);
    tcase_add_test(tc, event_row);
    tcase_add_test(tc, email_and_briefing_rows);
    tcase_add_test(tc, rejects_with_reasons);
    tcase_add_test(tc, typed_columns_clipped);
    tcase_add_test(tc, batch_dedups_and_copies);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(rows_suite)
