/*
 * The rules classifier on real and labeled mail, through the shared mail
 * normalizer (co_mail_to_json) and the rules engine:
 * - datasets/dev: the done-when targets (INTERVIEW precision >= 0.95 and
 *   recall >= 0.85, OFFER and ASSESSMENT precision >= 0.9);
 * - datasets/holdout: figures printed (written separately from the rules,
 *   to see over-fitting), with the same false-alarm bar on INTERVIEW;
 * - ../shared/corpus/negatives: no message is INTERVIEW, OFFER or
 *   ASSESSMENT;
 * - tests/classify/mail/own-*.eml: the user's own replies (a decline, a
 *   counter-proposal, confirmations) and the own_addresses setting.
 * Per-label figures and mistakes go to stderr (the test log).
 * Classification is the plugin's: the rules and the learned model that
 * meson built (RULES_MODEL_FILE), decision "combined".
 */
#include "co_mail.h"
#include "co_test.h"
#include "rules_eval.h"
#include "rules_engine.h"
#include "rules_model.h"

#include <jansson.h>
#include <limits.h>

static rules_db_t *db;
static rules_model_t *clf;

static void setup(void)
{
    char err[512] = "";
    db = rules_db_new();
    ck_assert_msg(rules_db_load_dir(db, RULES_SOURCE_DATADIR, err, sizeof err) >
                      0,
                  "%s", err);
    ck_assert_msg(rules_db_finish(db, err, sizeof err) == 0, "%s", err);
    clf = rules_model_load(RULES_MODEL_FILE, RULES_MODE_COMBINED, err,
                           sizeof err);
    ck_assert_msg(clf != NULL, "%s", err);
}

static void teardown(void)
{
    rules_db_free(db);
    rules_model_free(clf);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b != NULL) {
        b[n] = '\0';
        *len = (size_t)n;
    }
    return b;
}

/* Normalize and classify one file. Returns the label, or -1 when the
 * normalizer refuses the bytes (the pipeline dead-letters those). */
static int classify_file(const char *path, rules_result_t *res)
{
    size_t len = 0;
    char *raw = slurp(path, &len);
    ck_assert_msg(raw != NULL, "cannot read %s", path);
    char *json = NULL, key[65], err[256];
    int rc = co_mail_to_json(raw, len, NULL, NULL, &json, NULL, key, err,
                             sizeof err);
    free(raw);
    if (rc != 0)
        return -1;
    json_error_t je;
    json_t *e = json_loads(json, 0, &je);
    free(json);
    ck_assert_msg(e != NULL, "%s: normalizer output is not JSON", path);
    ck_assert_int_eq(rules_model_classify(clf, db, e, res, NULL), 0);
    json_decref(e);
    return (int)res->label;
}

typedef struct {
    long conf[RULES_NLABELS][RULES_NLABELS];
    long n, company_rows, company_ok, date_rows, date_ok;
} stats_t;

static double prec(const stats_t *s, int l)
{
    long tp = s->conf[l][l], fp = 0;
    for (int k = 0; k < RULES_NLABELS; k++)
        if (k != l)
            fp += s->conf[k][l];
    return tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
}

static double rec(const stats_t *s, int l)
{
    long tp = s->conf[l][l], fn = 0;
    for (int k = 0; k < RULES_NLABELS; k++)
        if (k != l)
            fn += s->conf[l][k];
    return tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
}

static int same_company(const char *a, const char *b)
{
    char ka[256], kb[256];
    co_eval_company_key(a, ka, sizeof ka);
    co_eval_company_key(b, kb, sizeof kb);
    return ka[0] != '\0' && strcmp(ka, kb) == 0;
}

/* Run a labeled set (labels.csv written by datasets' generate.py: no
 * quoted fields). */
static void run_set(const char *name, stats_t *s)
{
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets/%s/labels.csv", root, name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[1024];
    memset(s, 0, sizeof *s);
    ck_assert(fgets(line, sizeof line, f) != NULL);
    ck_assert_str_eq(line, "file,label,company,scheduled_date\n");
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *file = line, *lab = strchr(file, ',');
        ck_assert_ptr_nonnull(lab);
        *lab++ = '\0';
        char *comp = strchr(lab, ',');
        ck_assert_ptr_nonnull(comp);
        *comp++ = '\0';
        char *date = strchr(comp, ',');
        ck_assert_ptr_nonnull(date);
        *date++ = '\0';
        int want = rules_label_parse(lab);
        ck_assert_int_ge(want, 0);
        snprintf(path, sizeof path, "%s/datasets/%s/emails/%s", root, name,
                 file);
        rules_result_t r;
        int got = classify_file(path, &r);
        ck_assert_msg(got >= 0, "%s: the normalizer refused it", path);
        s->conf[want][got]++;
        s->n++;
        int comp_ok = 1, date_ok = 1;
        if (*comp) {
            s->company_rows++;
            comp_ok = r.company && same_company(comp, r.company);
            s->company_ok += comp_ok;
        }
        if (*date) {
            s->date_rows++;
            /* same minute: compare the first 16 characters */
            date_ok = strncmp(date, r.scheduled, 16) == 0;
            s->date_ok += date_ok;
        }
        if (got != want || !comp_ok || !date_ok)
            fprintf(stderr,
                    "  %s %s: expected %s, got %s (%.2f); company \"%s\" vs "
                    "\"%s\"; date \"%s\" vs \"%s\"\n",
                    name, file, lab, rules_label_name(r.label), r.confidence,
                    comp, r.company ? r.company : "", date, r.scheduled);
        rules_result_clear(&r);
    }
    fclose(f);
    fprintf(stderr, "%s: %ld messages\n%-20s %9s %7s\n", name, s->n, "label",
            "precision", "recall");
    for (int l = 0; l < RULES_NLABELS; l++)
        fprintf(stderr, "%-20s %9.3f %7.3f\n",
                rules_label_name((rules_label_t)l), prec(s, l), rec(s, l));
    fprintf(stderr, "company %ld/%ld, date %ld/%ld\n", s->company_ok,
            s->company_rows, s->date_ok, s->date_rows);
}

START_TEST(dev_set_targets)
{
    stats_t s;
    run_set("dev", &s);
    ck_assert_int_ge(s.n, 150);
    ck_assert_msg(prec(&s, RULES_INTERVIEW) >= 0.95, "INTERVIEW precision %.3f",
                  prec(&s, RULES_INTERVIEW));
    ck_assert_msg(rec(&s, RULES_INTERVIEW) >= 0.85, "INTERVIEW recall %.3f",
                  rec(&s, RULES_INTERVIEW));
    ck_assert_msg(prec(&s, RULES_OFFER) >= 0.9, "OFFER precision %.3f",
                  prec(&s, RULES_OFFER));
    ck_assert_msg(prec(&s, RULES_ASSESSMENT) >= 0.9,
                  "ASSESSMENT precision %.3f", prec(&s, RULES_ASSESSMENT));
}
END_TEST

START_TEST(holdout_set)
{
    stats_t s;
    run_set("holdout", &s);
    ck_assert_int_ge(s.n, 30);
    /* the false alarm that costs a user's trust, on unseen mail too */
    ck_assert_msg(prec(&s, RULES_INTERVIEW) >= 0.9, "INTERVIEW precision %.3f",
                  prec(&s, RULES_INTERVIEW));
}
END_TEST

START_TEST(negatives_never_strong)
{
    const char *corpus = co_test_corpus();
    char path[4096];
    snprintf(path, sizeof path, "%s/negatives/spamassassin/MANIFEST.csv",
             corpus);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[4096];
    long count[RULES_NLABELS] = {0}, refused = 0, total = 0, bad = 0;
    ck_assert(fgets(line, sizeof line, f) != NULL); /* header */
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, ",")] = '\0';
        snprintf(path, sizeof path, "%s/negatives/spamassassin/%s", corpus,
                 line);
        rules_result_t r;
        int got = classify_file(path, &r);
        total++;
        if (got < 0) {
            refused++;
            continue;
        }
        count[got]++;
        if (got == RULES_INTERVIEW || got == RULES_OFFER ||
            got == RULES_ASSESSMENT) {
            fprintf(stderr, "  FALSE ALARM %s: %s (%.2f) %s\n", line,
                    rules_label_name(r.label), r.confidence,
                    r.n_evidence ? r.evidence[0] : "");
            bad++;
        }
        rules_result_clear(&r);
    }
    fclose(f);
    fprintf(stderr, "negatives: %ld messages, %ld refused by the normalizer\n",
            total, refused);
    for (int l = 0; l < RULES_NLABELS; l++)
        fprintf(stderr, "  %-20s %ld\n", rules_label_name((rules_label_t)l),
                count[l]);
    ck_assert_int_eq(total, 782);
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Strong rules (three interview phrases, a date and a time) that the model
 * only doubts (p 0.38, a neutral "Team <jobs@...>" sender, HTML only) are
 * not silenced to OTHER (trial 13; docs/classification.md, "Decision"). */
START_TEST(strong_rules_not_silenced)
{
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    char path[4096];
    snprintf(path, sizeof path,
             "%s/tests/classify/mail/strong-rules-neutral-sender.eml", root);
    rules_result_t r;
    int got = classify_file(path, &r);
    ck_assert_msg(got == RULES_INTERVIEW, "%s: %s (%.2f)", path,
                  got >= 0 ? rules_label_name((rules_label_t)got) : "refused",
                  got >= 0 ? r.confidence : 0.0);
    rules_result_clear(&r);
}
END_TEST

/* The user's own replies (docs/classification.md, "The user's own
 * messages"), inferred without own_addresses: a decline outside the SELF
 * phrases is no REJECTION, a counter-proposal without a time no INTERVIEW
 * "(no date yet)", and a confirmation is the interview at the time it
 * confirms, a weekday read from the reply's own Date ("Thursday at 3 PM
 * works" sent on Thursday morning is that day, not a week later). Both
 * decisions, combined (the model) and rules. */
/* A few words with no hiring context ("OK one" / "ok body", "Hi" / "Hi")
 * are OTHER, not the recruiter outreach the model's priors lean to (trial
 * 76: each became a PROSPECT application); a terse job message with a
 * sure model keeps its label (the training writers' "Application
 * received" and "Corvid passed, sorry" are checked by dev_set_targets'
 * sets and the leave-one-writer-out figures). */
START_TEST(short_mail_other)
{
    /* and greetings or thanks alone from a company's address (trial 77:
     * RECRUITER_OUTREACH 0.79, REJECTION 0.72) */
    /* and an out-of-office auto-reply to the user's mail about an
     * interview (trial 78: an INTERVIEW and an application) */
    static const char *const files[] = {
        "short-ok.eml", "short-hi.eml", "short-company-hi.eml",
        "short-company-thanks.eml", "auto-reply-ooo.eml",
        /* after a tag and a reply prefix, in German with auto-generated,
         * and marked by Precedence: auto_reply (trial 79) */
        "auto-reply-tagged.eml", "auto-reply-de.eml",
        "auto-reply-precedence.eml"};
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
                 files[i]);
        rules_result_t r;
        int got = classify_file(path, &r);
        ck_assert_msg(got == RULES_OTHER, "%s: %s (%.2f)", files[i],
                      got >= 0 ? rules_label_name((rules_label_t)got)
                               : "refused",
                      got >= 0 ? r.confidence : 0.0);
        rules_result_clear(&r);
    }
}
END_TEST

START_TEST(own_replies)
{
    static const struct {
        const char *file;
        rules_label_t label;
        const char *date; /* expected scheduled date, "" none */
    } cases[] = {
        {"own-decline-offer.eml", RULES_OTHER, ""},
        {"own-signed-elsewhere.eml", RULES_OTHER, ""},
        /* guessed only: INTERVIEW may stay (below); with own_addresses
         * (own_addresses_option) it is OTHER */
        {"own-counter-proposal.eml", RULES_OTHER, ""},
        {"own-confirm-thursday.eml", RULES_INTERVIEW, "2026-03-12T19:00:00Z"},
        {"own-confirm-wednesday.eml", RULES_INTERVIEW, "2026-03-12T19:00:00Z"},
        /* the calendar's "Accepted:" answer (PARTSTAT) confirms the time;
         * "Declined:" confirms nothing (note 20: both skipped) */
        {"own-accepted-reply.eml", RULES_INTERVIEW, "2026-03-12T19:00:00Z"},
        /* Google's subject and body (trial 46: the model read OTHER) */
        {"own-accepted-google.eml", RULES_INTERVIEW, "2026-03-12T19:00:00Z"},
        {"own-declined-reply.eml", RULES_OTHER, ""},
    };
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
                 cases[i].file);
        for (int mode = 0; mode < 2; mode++) {
            rules_model_t *keep = clf;
            if (mode == 1)
                clf = NULL; /* the rules alone */
            rules_result_t r;
            int got = classify_file(path, &r);
            clf = keep;
            /* the rules alone read no confirmation as an interview (nor
             * did they before): OTHER will do there, no other label */
            int rules_other = mode == 1 && got == RULES_OTHER;
            /* a guess keeps INTERVIEW, OFFER and ASSESSMENT (trial 44) */
            int guessed_kept = got == RULES_INTERVIEW && i == 2;
            ck_assert_msg(rules_other || guessed_kept ||
                              (got == (int)cases[i].label &&
                               strcmp(r.scheduled, cases[i].date) == 0),
                          "%s (%s): %s date \"%s\", want %s \"%s\"",
                          cases[i].file, mode ? "rules" : "combined",
                          got >= 0 ? rules_label_name((rules_label_t)got)
                                   : "refused",
                          got >= 0 ? r.scheduled : "",
                          rules_label_name(cases[i].label), cases[i].date);
            ck_assert_int_eq(r.own_message, 2);
            rules_result_clear(&r);
        }
    }
}
END_TEST

/* own_addresses: a message from one of them is the user's own; with
 * them, nothing is inferred (another personal sender's reply is not). */
START_TEST(own_addresses_option)
{
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    char err[512] = "";
    rules_db_t *keep = db;
    db = rules_db_new();
    ck_assert_int_gt(
        rules_db_load_dir(db, RULES_SOURCE_DATADIR, err, sizeof err), 0);
    ck_assert_int_eq(rules_db_add_own_address(db, "no-address"), -1);
    /* trial 45: validate and init took these */
    static const char *const bad[] = {
        "@", "x@", "@x.example", "a@b@c", "a b@c.example", "a@c.example\n",
        /* trial 46 */
        "<me@x.example>", "*@x.example", "me@.x", "me@x..example", "me@x.",
        "mailto:me@x.example"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(rules_db_add_own_address(db, bad[i]) == -1, "took %s",
                      bad[i]);
    ck_assert_int_eq(
        rules_db_add_own_address(db, "Priya.Vance@Mailbox.example"), 0);
    ck_assert_msg(rules_db_finish(db, err, sizeof err) == 0, "%s", err);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
             "own-decline-offer.eml");
    rules_result_t r;
    ck_assert_int_eq(classify_file(path, &r), RULES_OTHER);
    ck_assert_int_eq(r.own_message, 1);
    rules_result_clear(&r);
    snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
             "own-confirm-thursday.eml");
    classify_file(path, &r);
    ck_assert_int_eq(r.own_message, 0);
    rules_result_clear(&r);
    /* a sub-address of an own address is the user's too (RFC 5233; trial
     * 45: a decline from the +jobs address became the company's
     * REJECTION); another local part is not */
    static const struct {
        const char *from;
        int own;
    } sub[] = {{"priya.vance+jobs@mailbox.example", 1},
               {"PRIYA.VANCE+x@MAILBOX.example", 1},
               {"priya.vancex@mailbox.example", 0},
               {"priya.vance+jobs@other.example", 0}};
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        json_t *m = json_pack(
            "{s:s, s:s, s:{s:s}, s:[{s:s}], s:s, s:s, s:s}", "schema",
            "careerops.email.v1", "key", "sub", "from", "address", sub[i].from,
            "to", "address", "tomas@larkspur-analytics.example", "subject",
            "Re: Offer", "date", "2026-03-11T22:20:00Z", "text",
            "Thanks for the offer. I won't be moving forward with the "
            "process.");
        ck_assert_int_eq(rules_classify(db, m, &r), 0);
        ck_assert_msg(r.own_message == sub[i].own, "%s: own_message %d",
                      sub[i].from, r.own_message);
        rules_result_clear(&r);
        json_decref(m);
    }
    rules_db_free(db);
    db = keep;
}
END_TEST

/* A counter-proposal the user sent, known by own_addresses: OTHER (a
 * guess keeps INTERVIEW, own_replies); and a founder's offer from free
 * mail to a user on their own domain, which has the shape of an own
 * reply, stays an OFFER when nothing but the guess says so (trial 44:
 * OTHER, never notified). */
START_TEST(own_guess_keeps_alerting_labels)
{
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "CAREEROPS_SOURCE_ROOT is not set");
    char path[4096], err[512] = "";
    rules_result_t r;
    snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
             "own-guess-founder-offer.eml");
    ck_assert_int_eq(classify_file(path, &r), RULES_OFFER);
    ck_assert_int_eq(r.own_message, 2);
    rules_result_clear(&r);
    rules_db_t *keep = db;
    db = rules_db_new();
    ck_assert_int_gt(
        rules_db_load_dir(db, RULES_SOURCE_DATADIR, err, sizeof err), 0);
    ck_assert_int_eq(
        rules_db_add_own_address(db, "lena.okonjo@fastmail.example"), 0);
    ck_assert_msg(rules_db_finish(db, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/tests/classify/mail/%s", root,
             "own-counter-proposal.eml");
    ck_assert_int_eq(classify_file(path, &r), RULES_OTHER);
    ck_assert_int_eq(r.own_message, 1);
    rules_result_clear(&r);
    rules_db_free(db);
    db = keep;
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("classify_sets");
    TCase *tc = tcase_create("sets");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dev_set_targets);
    tcase_add_test(tc, holdout_set);
    tcase_add_test(tc, negatives_never_strong);
    tcase_add_test(tc, strong_rules_not_silenced);
    tcase_add_test(tc, short_mail_other);
    tcase_add_test(tc, own_replies);
    tcase_add_test(tc, own_addresses_option);
    tcase_add_test(tc, own_guess_keeps_alerting_labels);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
