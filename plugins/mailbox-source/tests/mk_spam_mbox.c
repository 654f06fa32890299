/**
 * @file plugins/mailbox-source/tests/mk_spam_mbox.c
 * @brief Writes the 782-message mboxrd built from
 *        ../shared/corpus/negatives/spamassassin (see mailbox_test_util.h)
 *        to the path given, for the end-to-end test. Prints the count.
 *        Exit 77 when the corpus is missing (outside CI).
 */
#include "mailbox_test_util.h"

#include <stdio.h>

static const char *mk_out;
static int mk_count, mk_from;

/* the builder asserts with Check, so it runs as a one-test suite */
START_TEST(build)
{
    mk_count = mbt_build_spamassassin(mk_out, NULL, &mk_from);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mk_spam_mbox OUT.mbox\n");
        return 2;
    }
    mk_out = argv[1];
    Suite *s = suite_create("mk_spam_mbox");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, build);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (nf != 0 || mk_count == 0)
        return 1;
    printf("%d %d\n", mk_count, mk_from);
    return 0;
}
