/*
 * lib/classify features: the shared link-host parser, and the
 * cross-language concepts (a French, a Spanish and an English rejection
 * share the "regret" and "others" concepts and the cognate prefix "candi";
 * a concepts-only copy keeps the concepts and drops the words).
 */
#include "co_clf.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

START_TEST(url_host)
{
    char h[64];
    ck_assert_uint_eq(
        co_clf_url_host("https://Acme.Greenhouse.io:443/jobs?x=1", h, sizeof h),
        18);
    ck_assert_str_eq(h, "acme.greenhouse.io");
    ck_assert_uint_eq(co_clf_url_host("http://jobs.lever.co/acme", h, sizeof h),
                      13);
    ck_assert_str_eq(h, "jobs.lever.co");
    ck_assert_uint_eq(co_clf_url_host("mailto:jo@acme.example", h, sizeof h),
                      0);
    ck_assert_uint_eq(co_clf_url_host("https:///path", h, sizeof h), 0);
    ck_assert_uint_eq(co_clf_url_host(NULL, h, sizeof h), 0);
    ck_assert_uint_eq(co_clf_url_host("https://a-very-long-host.example", h, 8),
                      0);
}
END_TEST

static char *dump(co_clf_extractor_t *x, const char *subject, const char *text)
{
    json_t *e = json_pack("{s:s, s:s, s:{s:s}}", "subject", subject, "text",
                          text, "from", "address", "jo@acme.example");
    char *d = co_clf_feature_dump(x, e);
    json_decref(e);
    ck_assert_ptr_nonnull(d);
    return d;
}

START_TEST(concepts_across_languages)
{
    co_clf_extractor_t *x = co_clf_extractor_new();
    ck_assert_ptr_nonnull(x);
    static const char *const texts[] = {
        "Malheureusement, nous avons retenu un autre candidat pour ce poste.",
        "Lamentablemente, hemos seleccionado a otros candidatos para el "
        "puesto.",
        "Unfortunately we have selected another candidate for the role.",
    };
    for (size_t i = 0; i < 3; i++) {
        char *d = dump(x, "Candidature", texts[i]);
        ck_assert_msg(strstr(d, "k:b@_regret\n") != NULL, "%s", d);
        ck_assert_msg(strstr(d, "k:b@_others\n") != NULL, "%s", d);
        ck_assert_msg(strstr(d, "k:b@_role\n") != NULL, "%s", d);
        ck_assert_msg(strstr(d, "k:s@_application\n") != NULL, "%s", d);
        /* and the cognates' first five letters */
        ck_assert_msg(strstr(d, "p:b:_candi\n") != NULL, "%s", d);
        free(d);
    }
    /* conjugated and plural forms meet the same concept after stemming */
    char *d = dump(x, "", "Nous vous félicitons : entretiens, entrevistas.");
    ck_assert_msg(strstr(d, "k:b@_interview\n") != NULL, "%s", d);
    free(d);
    co_clf_extractor_free(x);
}
END_TEST

START_TEST(concepts_only_variant)
{
    co_clf_extractor_t *x = co_clf_extractor_new();
    json_t *e = json_pack("{s:s, s:s}", "subject", "Entretien", "text",
                          "Merci pour votre candidature.");
    co_clf_vec_t all = {0}, only = {0};
    ck_assert_int_eq(co_clf_featurize(x, e, CO_CLF_AS_IS, &all), 0);
    ck_assert_int_eq(co_clf_featurize(x, e, CO_CLF_CONCEPTS_ONLY, &only), 0);
    /* fewer features, but the concepts are there */
    ck_assert_uint_gt(only.n, 3);
    ck_assert_uint_lt(only.n, all.n);
    size_t common = 0;
    for (size_t i = 0; i < only.n; i++)
        for (size_t j = 0; j < all.n; j++)
            common += only.idx[i] == all.idx[j];
    ck_assert_uint_eq(common, only.n);
    co_clf_vec_free(&all);
    co_clf_vec_free(&only);
    json_decref(e);
    co_clf_extractor_free(x);
}
END_TEST

/* A bulk-mail footer (from a separator or an unsubscribe, privacy or
 * "do not reply" line among the last lines) gives no word features, only
 * the meta feature "footer"; a letter that only mentions a preference keeps
 * its words, and a short message made of such lines is not cut away. */
START_TEST(footer_kept_out)
{
    co_clf_extractor_t *x = co_clf_extractor_new();
    char *d = dump(x, "Interview invitation",
                   "Hi Sam,\n\nWe would like to invite you to an interview "
                   "on Tuesday.\n\nBest,\nThe Pell team\n\n---\n"
                   "You are receiving this email because you applied.\n"
                   "Unsubscribe | Manage email preferences | Privacy policy\n");
    ck_assert_msg(strstr(d, "m:footer\n") != NULL, "%s", d);
    ck_assert_msg(strstr(d, "b:invit\n") != NULL, "%s", d);
    ck_assert_msg(strstr(d, "unsubscrib") == NULL, "%s", d);
    ck_assert_msg(strstr(d, "privaci") == NULL, "%s", d);
    free(d);
    d = dump(x, "Times",
             "Hi Sam,\n\nPlease send your preferences for a time slot.\n\n"
             "Thanks,\nKim\n");
    ck_assert_msg(strstr(d, "m:footer\n") == NULL, "%s", d);
    ck_assert_msg(strstr(d, "b:prefer\n") != NULL, "%s", d);
    free(d);
    d = dump(x, "Settings", "Unsubscribe here.\nEmail preferences: weekly\n");
    ck_assert_msg(strstr(d, "m:footer\n") == NULL, "%s", d);
    ck_assert_msg(strstr(d, "unsubscrib") != NULL, "%s", d);
    free(d);
    co_clf_extractor_free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clf-features");
    TCase *tc = tcase_create("features");
    tcase_add_test(tc, url_host);
    tcase_add_test(tc, concepts_across_languages);
    tcase_add_test(tc, concepts_only_variant);
    tcase_add_test(tc, footer_kept_out);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
