/* core/offtrack.c: the commit position of a partition follows the
 * contiguous prefix of records whose outputs are all acknowledged and that
 * are released, whatever order the acknowledgements come in. */
#include "co_test.h"

#include "offtrack.h"

START_TEST(in_order_and_out_of_order_acks)
{
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 0);
    uint64_t a = co_offtrack_push(&t, p, 10);
    co_offtrack_output(&t, a);
    co_offtrack_release(&t, a);
    uint64_t b = co_offtrack_push(&t, p, 11);
    co_offtrack_output(&t, b);
    co_offtrack_output(&t, b); /* two outputs */
    co_offtrack_release(&t, b);
    uint64_t c = co_offtrack_push(&t, p, 12);
    co_offtrack_output(&t, c);
    co_offtrack_release(&t, c);
    /* nothing acknowledged: the position is the first offset consumed */
    ck_assert_int_eq(t.parts[p].done, 10);
    /* c and one of b's outputs first: still blocked by a */
    co_offtrack_ack(&t, c, 1);
    co_offtrack_ack(&t, b, 1);
    ck_assert_int_eq(t.parts[p].done, 10);
    co_offtrack_ack(&t, a, 1);
    ck_assert_int_eq(t.parts[p].done, 11); /* b waits for its 2nd output */
    co_offtrack_ack(&t, b, 1);
    ck_assert_int_eq(t.parts[p].done, 13);
    ck_assert_uint_eq(co_offtrack_inflight(&t, p), 0);
    size_t i = 0;
    ck_assert_int_eq(co_offtrack_take_dirty(&t, &i), 1);
    ck_assert_uint_eq(i, p);
    i++;
    ck_assert_int_eq(co_offtrack_take_dirty(&t, &i), 0);
    co_offtrack_free(&t);
}
END_TEST

START_TEST(held_until_released)
{
    /* a sink: processed records wait for the flush, even with no output */
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 3);
    uint64_t a = co_offtrack_push(&t, p, 0);
    uint64_t b = co_offtrack_push(&t, p, 1);
    co_offtrack_output(&t, b); /* a dead letter of b */
    co_offtrack_ack(&t, b, 1);
    ck_assert_uint_eq(t.held, 2);
    ck_assert_int_eq(t.parts[p].done, 0);
    co_offtrack_release_all(&t, CO_OFFTRACK_NONE); /* flush succeeded */
    ck_assert_uint_eq(t.held, 0);
    ck_assert_int_eq(t.parts[p].done, 2);
    (void)a;
    co_offtrack_free(&t);
}
END_TEST

START_TEST(flush_while_one_waits_keeps_it)
{
    /* a sink flushed while record b still waits for a rate-limit token
     * (trial 71: nothing was committed during the wait): a is released, b
     * stays held and the position stops before it */
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 0);
    uint64_t a = co_offtrack_push(&t, p, 20);
    uint64_t b = co_offtrack_push(&t, p, 21);
    co_offtrack_release_all(&t, b);
    ck_assert_uint_eq(t.held, 1);
    ck_assert_int_eq(t.parts[p].done, 21);
    co_offtrack_release_all(&t, CO_OFFTRACK_NONE); /* b processed, flushed */
    ck_assert_uint_eq(t.held, 0);
    ck_assert_int_eq(t.parts[p].done, 22);
    (void)a;
    co_offtrack_free(&t);
}
END_TEST

START_TEST(abandoned_record_is_never_committed)
{
    /* a sink stopped while record b waited for a rate-limit token: the
     * flush of a and c must not commit past b (trial 28) */
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 0);
    uint64_t a = co_offtrack_push(&t, p, 10);
    uint64_t b = co_offtrack_push(&t, p, 11);
    co_offtrack_abandon(&t, b);
    ck_assert_uint_eq(t.held, 1);
    uint64_t c = co_offtrack_push(&t, p, 12);
    co_offtrack_release_all(&t, CO_OFFTRACK_NONE);
    ck_assert_uint_eq(t.held, 0);
    ck_assert_int_eq(t.parts[p].done, 11); /* b is read again */
    co_offtrack_release(&t, b);            /* stays abandoned */
    ck_assert_int_eq(t.parts[p].done, 11);
    co_offtrack_reset(&t, p);
    ck_assert_uint_eq(t.held, 0);
    (void)a;
    (void)c;
    co_offtrack_free(&t);
}
END_TEST

START_TEST(failed_ack_blocks_until_reset)
{
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 1);
    size_t q = co_offtrack_part(&t, "other", 1);
    ck_assert_uint_ne(p, q);
    ck_assert_uint_eq(co_offtrack_part(&t, "in", 1), p);
    uint64_t a = co_offtrack_push(&t, p, 5);
    co_offtrack_output(&t, a);
    co_offtrack_release(&t, a);
    uint64_t b = co_offtrack_push(&t, p, 6);
    co_offtrack_output(&t, b);
    co_offtrack_release(&t, b);
    co_offtrack_ack(&t, a, 0); /* refused for good */
    co_offtrack_ack(&t, b, 1);
    ck_assert_int_eq(t.any_failed, 1);
    ck_assert_int_eq(t.parts[p].done, 5); /* never past the failure */
    co_offtrack_reset(&t, p);
    ck_assert_int_eq(t.any_failed, 0);
    ck_assert_uint_eq(co_offtrack_inflight(&t, p), 0);
    /* late acknowledgements of abandoned records change nothing */
    co_offtrack_ack(&t, a, 1);
    co_offtrack_ack(&t, b, 1);
    ck_assert_int_eq(t.parts[p].done, 5);
    /* re-read from 5 */
    uint64_t a2 = co_offtrack_push(&t, p, 5);
    co_offtrack_release(&t, a2);
    ck_assert_int_eq(t.parts[p].done, 6);
    co_offtrack_free(&t);
}
END_TEST

START_TEST(ring_grows_and_keeps_order)
{
    co_offtrack_t t = {0};
    size_t p = co_offtrack_part(&t, "in", 0);
    enum { N = 5000 };
    static uint64_t tok[N];
    for (int i = 0; i < N; i++) {
        tok[i] = co_offtrack_push(&t, p, 100 + i);
        co_offtrack_output(&t, tok[i]);
        co_offtrack_release(&t, tok[i]);
    }
    ck_assert_uint_eq(co_offtrack_inflight(&t, p), N);
    for (int i = N - 1; i >= 1; i--) /* all but the first, backwards */
        co_offtrack_ack(&t, tok[i], 1);
    ck_assert_int_eq(t.parts[p].done, 100);
    co_offtrack_ack(&t, tok[0], 1);
    ck_assert_int_eq(t.parts[p].done, 100 + N);
    co_offtrack_free(&t);
}
END_TEST

START_TEST(foreign_tokens_ignored)
{
    co_offtrack_t t = {0};
    co_offtrack_ack(&t, CO_OFFTRACK_NONE, 1);
    co_offtrack_release(&t, 12345);
    size_t p = co_offtrack_part(&t, "in", 0);
    uint64_t a = co_offtrack_push(&t, p, 0);
    co_offtrack_ack(&t, a + 7, 1); /* a sequence never pushed */
    co_offtrack_release(&t, a);
    ck_assert_int_eq(t.parts[p].done, 1);
    co_offtrack_free(&t);
}
END_TEST

/* Loss detection (co_offtrack_lost): what counts as lost. */
START_TEST(loss_only_below_log_start)
{
    int64_t from = -7, to = -7;
    /* no gap, nothing expected yet, or a gap the broker still holds
     * (transaction markers, compaction): nothing lost */
    ck_assert_int_eq(co_offtrack_lost(100, 100, 0, -1, &from, &to), 0);
    ck_assert_int_eq(co_offtrack_lost(-1, 500, 400, -1, &from, &to), 0);
    ck_assert_int_eq(co_offtrack_lost(100, 110, 50, -1, &from, &to), 0);
    ck_assert_int_eq(from, -7);
    /* retention passed the expected offset: lost up to the log start */
    ck_assert_int_eq(co_offtrack_lost(100, 500, 400, 100, &from, &to), 1);
    ck_assert_int_eq(from, 100);
    ck_assert_int_eq(to, 400);
    /* the log start beyond the record that arrived: up to that record */
    ck_assert_int_eq(co_offtrack_lost(100, 300, 400, -1, &from, &to), 1);
    ck_assert_int_eq(to, 300);
}
END_TEST

/* The false DATA LOSS of the crash test: a consumer took its expectation
 * from the committed offset (100) when it was assigned; the previous
 * owner's last commit (500) landed a moment later, before librdkafka read
 * the committed offset it fetches from, and retention has since passed
 * 100. Offsets 100..499 were processed and committed by the group: no
 * loss. Retention past the new committed offset is still loss. */
START_TEST(loss_not_reported_for_offsets_the_group_committed)
{
    int64_t from = -7, to = -7;
    ck_assert_int_eq(co_offtrack_lost(100, 500, 450, 500, &from, &to), 0);
    ck_assert_int_eq(co_offtrack_lost(100, 500, 500, 500, &from, &to), 0);
    ck_assert_int_eq(from, -7);
    /* committed 300, log start 450, got 500: 300..449 lost */
    ck_assert_int_eq(co_offtrack_lost(100, 500, 450, 300, &from, &to), 1);
    ck_assert_int_eq(from, 300);
    ck_assert_int_eq(to, 450);
    /* a committed offset behind the expectation changes nothing */
    ck_assert_int_eq(co_offtrack_lost(100, 500, 450, 20, &from, &to), 1);
    ck_assert_int_eq(from, 100);
}
END_TEST

static Suite *offtrack_suite(void)
{
    Suite *s = suite_create("offtrack");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, in_order_and_out_of_order_acks);
    tcase_add_test(tc, held_until_released);
    tcase_add_test(tc, flush_while_one_waits_keeps_it);
    tcase_add_test(tc, abandoned_record_is_never_committed);
    tcase_add_test(tc, failed_ack_blocks_until_reset);
    tcase_add_test(tc, ring_grows_and_keeps_order);
    tcase_add_test(tc, foreign_tokens_ignored);
    tcase_add_test(tc, loss_only_below_log_start);
    tcase_add_test(tc, loss_not_reported_for_offsets_the_group_committed);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(offtrack_suite)
