/* core/ce.c: CloudEvents headers: ids are RFC 9562 version-8 UUIDs,
 * distinct per record and per instance; ce_type comes from "schema";
 * only the four required attributes are written (no ce_time); a stage's
 * `cloudevents` and `input_headers` settings are parsed and checked, and
 * an unset `input_headers` follows what the plugin declares (ABI 1.3). */
#include "co_test.h"

#include "ce.h"
#include "loader.h"
#include "manifest.h"

#include <ctype.h>

static int is_uuid8(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i]) ||
                   isupper((unsigned char)s[i])) {
            return 0;
        }
    }
    return s[14] == '8' && strchr("89ab", s[19]) != NULL;
}

START_TEST(ids_are_uuid_v8_and_distinct)
{
    co_ce_t a, b;
    co_ce_init(&a, "demo", "classify");
    co_ce_init(&b, "demo", "classify");
    char x[CO_CE_ID_LEN + 1], y[CO_CE_ID_LEN + 1], z[CO_CE_ID_LEN + 1];
    ck_assert_uint_eq(co_ce_next_id(&a, x), 36);
    co_ce_next_id(&a, y);
    co_ce_next_id(&b, z);
    ck_assert_msg(is_uuid8(x), "not a v8 UUID: %s", x);
    ck_assert_msg(is_uuid8(y), "not a v8 UUID: %s", y);
    ck_assert_str_ne(x, y);
    ck_assert_str_ne(x, z); /* another instance: another random part */
    ck_assert_int_eq(memcmp(x, y, 19), 0); /* same instance prefix */
    ck_assert_str_eq(x + 19, "8000-000000000000");
    ck_assert_str_eq(y + 19, "8000-000000000001");
    ck_assert_str_eq(a.source, "/careerops/demo/classify");
}
END_TEST

/* Ids are formatted in full once per 4,096 and only their last three hex
 * digits change in between: every id equals the counter in full hex. */
START_TEST(id_counter_carries)
{
    co_ce_t a;
    co_ce_init(&a, "demo", "classify");
    char x[CO_CE_ID_LEN + 1], want[20];
    for (uint64_t c = 0; c < 3 * 4096 + 7; c++) {
        co_ce_next_id(&a, x);
        ck_assert_msg(is_uuid8(x), "not a v8 UUID: %s", x);
        uint64_t v = c | (2ULL << 62);
        snprintf(want, sizeof want, "%04x-%012llx", (unsigned)(v >> 48),
                 (unsigned long long)(v & 0xffffffffffffULL));
        ck_assert_str_eq(x + 19, want);
    }
    ck_assert_str_eq(x + 19, "8000-000000003006");
}
END_TEST

START_TEST(type_from_schema)
{
    char t[128];
    const char *v = "{\"schema\":\"careerops.event.v1\",\"x\":1}";
    co_ce_type(v, strlen(v), t, sizeof t);
    ck_assert_str_eq(t, "careerops.event.v1");
    const char *w =
        "{\"id\":\"a\",\"x\":\"\\\"\",\"schema\":\"careerops.alert.v1\"}";
    co_ce_type(w, strlen(w), t, sizeof t);
    ck_assert_str_eq(t, "careerops.alert.v1");
    const char *cut = "{\"x\":1,\"schema\":\"";
    co_ce_type(cut, strlen(cut), t, sizeof t); /* no closing quote */
    ck_assert_str_eq(t, "careerops.record");
    co_ce_type("not json at all", 15, t, sizeof t);
    ck_assert_str_eq(t, "careerops.record");
    co_ce_type(NULL, 0, t, sizeof t);
    ck_assert_str_eq(t, "careerops.record");
}
END_TEST

static const char *hdr(rd_kafka_headers_t *h, const char *name, char *buf)
{
    const void *v;
    size_t n;
    if (rd_kafka_header_get_last(h, name, &v, &n) != 0)
        return NULL;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}

START_TEST(headers_added)
{
    co_ce_t ce;
    co_ce_init(&ce, "p", "s");
    rd_kafka_headers_t *h = rd_kafka_headers_new(4);
    const char *v = "{\"schema\":\"careerops.email.v1\"}";
    size_t wire = co_ce_add(&ce, h, v, strlen(v));
    /* the four required attributes only: time is the record's timestamp */
    ck_assert_uint_eq(rd_kafka_header_cnt(h), 4);
    /* names, values and a length byte each */
    ck_assert_uint_eq(wire, (14 + 3 + 2) + (5 + 36 + 2) +
                                (7 + strlen("careerops.email.v1") + 2) +
                                (9 + strlen("/careerops/p/s") + 2));
    char b[600];
    ck_assert_str_eq(hdr(h, "ce_specversion", b), "1.0");
    ck_assert_str_eq(hdr(h, "ce_type", b), "careerops.email.v1");
    ck_assert_str_eq(hdr(h, "ce_source", b), "/careerops/p/s");
    ck_assert(is_uuid8(hdr(h, "ce_id", b)));
    ck_assert_ptr_null(hdr(h, "ce_time", b));
    rd_kafka_headers_destroy(h);
}
END_TEST

static co_manifest_t *load_stage(const char *extra, co_diag_t *d)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"pipeline\":\"p\",\"defaults\":{\"input_headers\":false},"
             "\"stages\":[{\"name\":\"src\",\"plugin\":\"mock-source\","
             "\"output\":\"a\"},{\"name\":\"mid\",\"plugin\":"
             "\"mock-passthrough\",\"input\":\"a\",\"output\":\"b\"%s}]}",
             extra);
    return co_manifest_load_buffer(text, strlen(text), "m.json", "/tmp", NULL,
                                   d);
}

START_TEST(stage_settings)
{
    co_diag_t d = {0};
    co_manifest_t *m = load_stage("", &d);
    ck_assert_msg(d.n == 0, "%s", d.n ? d.msgs[0] : "");
    ck_assert_int_eq(m->stages[1].cloudevents, CO_CE_BINARY);
    ck_assert_int_eq(m->stages[1].input_headers, 0); /* from defaults */
    co_manifest_free(m);
    m = load_stage(",\"cloudevents\":\"off\",\"input_headers\":true", &d);
    ck_assert_msg(d.n == 0, "%s", d.n ? d.msgs[0] : "");
    ck_assert_int_eq(m->stages[1].cloudevents, CO_CE_OFF);
    ck_assert_int_eq(m->stages[1].input_headers, 1);
    co_manifest_free(m);
    m = load_stage(",\"cloudevents\":\"structured\"", &d);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_msg(strstr(d.msgs[0], "stages[1] (mid).cloudevents") &&
                      strstr(d.msgs[0], "\"off\""),
                  "%s", d.msgs[0]);
    co_diag_free(&d);
    co_manifest_free(m);
    /* neither the stage nor defaults set it: -1, the plugin decides */
    const char *bare = "{\"pipeline\":\"p\",\"stages\":[{\"name\":\"s\","
                       "\"plugin\":\"mock-source\",\"output\":\"a\"}]}";
    m = co_manifest_load_buffer(bare, strlen(bare), "m.json", "/tmp", NULL, &d);
    ck_assert_msg(d.n == 0, "%s", d.n ? d.msgs[0] : "");
    ck_assert_int_eq(m->stages[0].input_headers, -1);
    co_manifest_free(m);
    m = load_stage(",\"input_headers\":\"no\"", &d);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_msg(strstr(d.msgs[0], "input_headers") != NULL, "%s", d.msgs[0]);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* `input_headers` unset follows co_plugin_t::flags, but only of a plugin
 * built for ABI 1.3 or later: older minors always had the slot zero and
 * always got the headers. An explicit setting wins either way. */
START_TEST(input_headers_follow_the_plugin)
{
    co_plugin_t p = {CO_PLUGIN_HEADER, .name = "x"};
    ck_assert_int_eq(co_plugin_input_headers(&p, -1), 1); /* declares none */
    p.flags = CO_PLUGIN_NO_INPUT_HEADERS;
    ck_assert_int_eq(co_plugin_input_headers(&p, -1), 0);
    ck_assert_int_eq(co_plugin_input_headers(&p, 1), 1);
    ck_assert_int_eq(co_plugin_input_headers(&p, 0), 0);
    p.abi_minor = 2; /* the same bits in a 1.2 plugin's reserved[0] */
    ck_assert_int_eq(co_plugin_input_headers(&p, -1), 1);
    p.abi_minor = 3;
    p.size = (uint32_t)offsetof(co_plugin_t, flags); /* too short a struct */
    ck_assert_int_eq(co_plugin_input_headers(&p, -1), 1);
    ck_assert_int_eq(co_plugin_input_headers(NULL, -1), 1);
    ck_assert_int_eq(co_plugin_input_headers(NULL, 0), 0);
}
END_TEST

static Suite *ce_suite(void)
{
    Suite *s = suite_create("ce");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ids_are_uuid_v8_and_distinct);
    tcase_add_test(tc, id_counter_carries);
    tcase_add_test(tc, type_from_schema);
    tcase_add_test(tc, headers_added);
    tcase_add_test(tc, stage_settings);
    tcase_add_test(tc, input_headers_follow_the_plugin);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(ce_suite)
