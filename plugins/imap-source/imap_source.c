/**
 * @file plugins/imap-source/imap_source.c
 * @brief imap-source: IMAP4rev1 folders (TLS, implicit or STARTTLS) into
 *        careerops.email.v1 records (raw_inbox_stream), new mail by IDLE.
 *
 * libcurl connects, verifies TLS and logs in (password from a secret file,
 * or a SASL XOAUTH2/OAUTHBEARER bearer token from a secret file);
 * imap_proto.c then sends EXAMINE (read-only), UID SEARCH, UID FETCH
 * (UID BODY.PEEK[]) and IDLE on the first folder; the other folders are
 * watched with STATUS (UIDNEXT) every status_interval_ms on the same
 * connection (README "Watching several folders"). Records come from the
 * shared normalizer
 * (co_mail_to_json), so a message has the same key from any source.
 *
 * Position per folder (state key "folder:NAME"): "UIDVALIDITY LASTUID
 * RESYNC", handed to api->source_offset() after each batch (stored once
 * the batch is acknowledged). Each emitted key is also recorded with
 * idem_begin/idem_commit; after a UIDVALIDITY change (folder recreated)
 * the folder is read again and a message whose key is already recorded is
 * skipped, so the resync gives no duplicate events.
 */
#include "co_mail.h"
#include "co_mail_source.h"
#include "co_readfile.h"
#include "co_redact.h"
#include "imap_oauth.h"
#include "imap_proto.h"

#include <careerops/plugin.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const co_host_api_t *imap_api;

/** Configuration filled by the host from the option table. */
typedef struct imap_cfg_s {
    const char *url;
    const char *user;
    const char *password_secret;
    const char *bearer_secret;
    const char *oauth_token_url;
    const char *oauth_client_id_secret;
    const char *oauth_client_secret_secret;
    const char *oauth_refresh_token_secret;
    const char *const *folders;
    const char *ca_file;
    int64_t since_days;
    int64_t batch;
    int idle;
    int follow;
    int64_t poll_interval_ms;
    int64_t idle_restart_ms;
    int64_t status_interval_ms;
    int64_t timeout_ms;
    co_mail_source_cfg_t mail; /* shared: limits, archive */
} imap_cfg_t;

static const co_option_t imap_options[] = {
    {CO_OPT_STR, "url", NULL, CO_OPT_REQUIRED, 0, 0, offsetof(imap_cfg_t, url),
     "imaps://HOST[:993] (TLS from the start) or imap://HOST[:143] "
     "(STARTTLS, required: never plain text)."},
    {CO_OPT_STR, "user", NULL, CO_OPT_REQUIRED, 0, 0,
     offsetof(imap_cfg_t, user), "The login name (often the address)."},
    {CO_OPT_STR, "password_secret", "imap_password", 0, 0, 0,
     offsetof(imap_cfg_t, password_secret),
     "Name of the secret file holding the (app) password."},
    {CO_OPT_STR, "bearer_secret", NULL, 0, 0, 0,
     offsetof(imap_cfg_t, bearer_secret),
     "Name of the secret file holding an OAuth 2.0 access token: login "
     "with SASL XOAUTH2/OAUTHBEARER instead of the password."},
    {CO_OPT_STR, "oauth_token_url", NULL, 0, 0, 0,
     offsetof(imap_cfg_t, oauth_token_url),
     "OAuth 2.0 token endpoint (e.g. "
     "https://login.microsoftonline.com/common/oauth2/v2.0/token): with "
     "oauth_refresh_token_secret, log in with XOAUTH2/OAUTHBEARER and a "
     "fresh access token got from the refresh token."},
    {CO_OPT_STR, "oauth_client_id_secret", "imap_oauth_client_id", 0, 0, 0,
     offsetof(imap_cfg_t, oauth_client_id_secret),
     "Name of the secret holding the OAuth client id."},
    {CO_OPT_STR, "oauth_client_secret_secret", NULL, 0, 0, 0,
     offsetof(imap_cfg_t, oauth_client_secret_secret),
     "Name of the secret holding the OAuth client secret (unset for a "
     "public client)."},
    {CO_OPT_STR, "oauth_refresh_token_secret", "imap_refresh_token", 0, 0, 0,
     offsetof(imap_cfg_t, oauth_refresh_token_secret),
     "Name of the secret holding the refresh token."},
    {CO_OPT_STRLIST, "folders", "INBOX", 0, 0, 0, offsetof(imap_cfg_t, folders),
     "Folders to read; new mail in the first is awaited with IDLE, the "
     "others are watched with STATUS every status_interval_ms."},
    {CO_OPT_STR, "ca_file", NULL, CO_OPT_PATH, 0, 0,
     offsetof(imap_cfg_t, ca_file),
     "PEM file of the CA that signed the server's certificate (a "
     "self-signed server); the system CAs when unset. TLS is always "
     "verified."},
    {CO_OPT_INT, "since_days", "90", 0, 0, 36500,
     offsetof(imap_cfg_t, since_days),
     "First sync: messages received in the last N days; 0 = all."},
    {CO_OPT_INT, "batch", "50", 0, 1, 10000, offsetof(imap_cfg_t, batch),
     "Messages fetched per command; the position is saved after each."},
    {CO_OPT_BOOL, "idle", "true", 0, 0, 0, offsetof(imap_cfg_t, idle),
     "Wait for new mail with IDLE where the server has it (NOOP polling "
     "otherwise)."},
    {CO_OPT_BOOL, "follow", "true", 0, 0, 0, offsetof(imap_cfg_t, follow),
     "true: keep waiting for new mail; false: end the stage (EOF) once "
     "every folder is read (the demo's --until-idle runs)."},
    {CO_OPT_INT, "poll_interval_ms", "60000", 0, 100, 86400000,
     offsetof(imap_cfg_t, poll_interval_ms),
     "Without IDLE: how often to look for new mail (every folder is "
     "searched again this often in any case)."},
    {CO_OPT_INT, "status_interval_ms", "10000", 0, 500, 3600000,
     offsetof(imap_cfg_t, status_interval_ms),
     "While the first folder is in IDLE: how often the other folders are "
     "asked for their UIDNEXT (one STATUS command each, no search); new "
     "mail there is fetched at once."},
    {CO_OPT_INT, "idle_restart_ms", "1500000", 0, 1000, 1740000,
     offsetof(imap_cfg_t, idle_restart_ms),
     "IDLE is renewed this often (servers drop it after 30 minutes)."},
    {CO_OPT_INT, "timeout_ms", "30000", 0, 1000, 600000,
     offsetof(imap_cfg_t, timeout_ms),
     "Connect and response timeout, in milliseconds."},
    CO_MAIL_SOURCE_OPTIONS(imap_cfg_t, mail),
    {0},
};

/** Position and work list of one folder. */
typedef struct imap_folder_s {
    const char *name;
    int64_t validity; /* 0: unknown */
    int64_t last_uid; /* last UID emitted */
    int resync;       /* reading again after a UIDVALIDITY change */
    int64_t *uids;    /* UIDs found by the last search, ascending */
    size_t uids_n, uids_i;
    int64_t checked_ms; /* last search */
    int64_t uidnext;    /* UIDNEXT at the last search */
} imap_folder_t;

/** One stage instance. */
typedef struct imap_s {
    co_stage_t *st;
    const imap_cfg_t *cfg;
    char url[512];        /* cfg->url as messages show it (co_redact) */
    co_mail_source_t *ms; /* normalize -> archive -> record */
    char *password, *bearer;
    char *client_id, *client_secret, *refresh_token; /* OAuth refresh */
    int64_t bearer_exp_ms; /* refresh the access token after this */
    imap_folder_t *f;
    size_t nf;
    imap_conn_t conn;
    int connected, has_idle;
    int64_t idle_since_ms;
    int64_t status_ms;    /* last STATUS round over the other folders */
    int dirty;            /* IDLE said something changed */
    int logged_in;        /* has logged in once since the start */
    int64_t unreached_ms; /* first attempt to reach it, 0: none failed */
    int unreached_n;      /* attempts that failed before the first login */
} imap_t;

/* ---- connection ------------------------------------------------------- */

static void imap_close(imap_t *m)
{
    if (m->conn.curl != NULL)
        curl_easy_cleanup(m->conn.curl);
    free(m->conn.buf);
    memset(&m->conn, 0, sizeof m->conn);
    m->connected = 0;
}

/* Read responses until the tagged one of the last command; fn sees each
 * untagged one. Returns 1 OK, 0 NO/BAD (text in c->err), -1 error. */
static int imap_until_tagged(imap_t *m,
                             void (*fn)(imap_t *, imap_resp_t *, void *),
                             void *arg)
{
    for (;;) {
        imap_resp_t r;
        int rc = imap_read(&m->conn, &r, (int)m->cfg->timeout_ms);
        if (rc == 0)
            snprintf(m->conn.err, sizeof m->conn.err,
                     "no answer from the server in %lld ms",
                     (long long)m->cfg->timeout_ms);
        if (rc <= 0)
            return -1;
        int ok;
        if (imap_is_tagged(&m->conn, r.text, &ok)) {
            if (!ok)
                snprintf(m->conn.err, sizeof m->conn.err, "%.200s", r.text);
            imap_resp_clear(&r);
            return ok;
        }
        if (fn != NULL)
            fn(m, &r, arg);
        imap_resp_clear(&r);
    }
}

static void imap_on_capa(imap_t *m, imap_resp_t *r, void *arg)
{
    (void)arg;
    if (strncmp(r->text, "* CAPABILITY", 12) == 0 && strstr(r->text, " IDLE"))
        m->has_idle = 1;
}

static co_status_t imap_secret(imap_t *m, const char *name, char **out);

static void imap_wipe(char **p)
{
    if (*p != NULL) {
        memset(*p, 0, strlen(*p));
        free(*p);
        *p = NULL;
    }
}

/* With a refresh token: get an access token when the last one is (about
 * to be) expired. CO_OK, CO_RETRY, CO_FATAL (grant refused). */
static co_status_t imap_token(imap_t *m)
{
    if (m->refresh_token == NULL ||
        (m->bearer != NULL && imap_api->now_ms(m->st) < m->bearer_exp_ms))
        return CO_OK;
    char *tok = NULL, err[512] = "";
    int64_t ttl = 0;
    int rc = imap_oauth_refresh(m->cfg->oauth_token_url, m->client_id,
                                m->client_secret, m->refresh_token,
                                (long)m->cfg->timeout_ms, &tok, &ttl, err,
                                sizeof err);
    if (rc != 0) {
        imap_api->set_error(m->st, rc > 0 ? "auth" : "network", "%s%s", err,
                            rc > 0 ? ": make a new refresh token and put it "
                                     "in the secret file named by "
                                     "oauth_refresh_token_secret"
                                   : "; retrying");
        return rc > 0 ? CO_FATAL : CO_RETRY;
    }
    imap_wipe(&m->bearer);
    m->bearer = tok;
    /* a minute early, so a token never expires between check and login */
    m->bearer_exp_ms =
        imap_api->now_ms(m->st) + (ttl > 120 ? ttl - 60 : ttl) * 1000;
    imap_api->log(m->st, CO_LOG_INFO,
                  "got an OAuth access token (valid %lld s)", (long long)ttl);
    return CO_OK;
}

/* Attempts to reach the server before a one-shot run gives up. */
#define IMAP_UNREACHED_TRIES 4

/* The server could not be reached (`why`): CO_RETRY, reconnecting with the
 * host's backoff; but a one-shot run (follow false: the demo) that has not
 * logged in since its start gives up with CO_FATAL after
 * IMAP_UNREACHED_TRIES attempts or timeout_ms since the first, whichever
 * comes first (trial 51: the demo against a refused port logged
 * "reconnecting" until killed). A connection lost later is retried. */
static co_status_t imap_unreached(imap_t *m, const char *why)
{
    int64_t waited = imap_api->now_ms(m->st) - m->unreached_ms;
    m->unreached_n++;
    imap_close(m);
    if (m->cfg->follow || m->logged_in ||
        (m->unreached_n < IMAP_UNREACHED_TRIES &&
         waited < m->cfg->timeout_ms)) {
        imap_api->set_error(m->st, "network", "%s: %s; reconnecting", m->url,
                            why);
        return CO_RETRY;
    }
    imap_api->set_error(
        m->st, "network",
        "cannot reach the IMAP server %s: %s (%d attempt%s in %lld s): "
        "check the host name and port of the URL (993 for imaps://, 143 "
        "for imap://; `openssl s_client -connect HOST:PORT` tries it) and "
        "that the server is up and reachable from here",
        m->url, why, m->unreached_n, m->unreached_n == 1 ? "" : "s",
        (long long)(waited / 1000));
    return CO_FATAL;
}

/* Connect and log in. CO_OK, CO_RETRY (network), CO_FATAL (login; or
 * unreachable in a one-shot run, imap_unreached()). */
static co_status_t imap_connect(imap_t *m)
{
    imap_close(m);
    co_status_t s = imap_token(m);
    if (s != CO_OK)
        return s;
    if (!m->logged_in && m->unreached_ms == 0)
        m->unreached_ms = imap_api->now_ms(m->st);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return CO_RETRY;
    m->conn.curl = c;
    curl_easy_setopt(c, CURLOPT_URL, m->cfg->url);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(c, CURLOPT_USERNAME, m->cfg->user);
    if (m->bearer != NULL)
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, m->bearer);
    else
        curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
    if (m->cfg->ca_file != NULL && m->cfg->ca_file[0] != '\0')
        curl_easy_setopt(c, CURLOPT_CAINFO, m->cfg->ca_file);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)m->cfg->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char eb[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, eb);
    CURLcode e = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    if (e == CURLE_LOGIN_DENIED && m->refresh_token != NULL &&
        m->bearer_exp_ms != 0) {
        /* maybe revoked early: get a new token once before giving up */
        m->bearer_exp_ms = 0;
        imap_api->set_error(m->st, "auth",
                            "%s refused the access token of "
                            "user \"%s\": refreshing it",
                            m->url, m->cfg->user);
        imap_close(m);
        return CO_RETRY;
    }
    if (e == CURLE_LOGIN_DENIED) {
        imap_api->set_error(m->st, "auth",
                            "%s refused the login of user \"%s\" (%s): "
                            "check the %s in the secret file \"%s\" (an app "
                            "password where the provider requires one)",
                            m->url, m->cfg->user, eb[0] ? eb : "denied",
                            m->bearer ? "token" : "password",
                            m->refresh_token
                                ? m->cfg->oauth_refresh_token_secret
                            : m->bearer ? m->cfg->bearer_secret
                                        : m->cfg->password_secret);
        imap_close(m);
        return CO_FATAL;
    }
    if (e == CURLE_PEER_FAILED_VERIFICATION || e == CURLE_SSL_CACERT_BADFILE ||
        e == CURLE_UNSUPPORTED_PROTOCOL || e == CURLE_URL_MALFORMAT ||
        e == CURLE_USE_SSL_FAILED) {
        imap_api->set_error(
            m->st, "config", "%s: %s (%s): check config.url%s", m->url,
            curl_easy_strerror(e), eb,
            e == CURLE_PEER_FAILED_VERIFICATION ? " and config.ca_file" : "");
        imap_close(m);
        return CO_FATAL;
    }
    if (e != CURLE_OK) {
        char why[CURL_ERROR_SIZE + 128];
        snprintf(why, sizeof why, "%s (%s)", curl_easy_strerror(e), eb);
        return imap_unreached(m, why);
    }
    m->has_idle = 0;
    if (imap_send(&m->conn, "CAPABILITY") != 0 ||
        imap_until_tagged(m, imap_on_capa, NULL) != 1) {
        char why[sizeof m->conn.err];
        snprintf(why, sizeof why, "%s", m->conn.err);
        return imap_unreached(m, why);
    }
    m->connected = 1;
    m->logged_in = 1;
    imap_api->log(m->st, CO_LOG_INFO, "logged in to %s as %s%s", m->url,
                  m->cfg->user, m->has_idle ? " (IDLE)" : "");
    return CO_OK;
}

/* ---- position ---------------------------------------------------------- */

static int imap_save(imap_t *m, imap_folder_t *f)
{
    char key[512], val[96];
    snprintf(key, sizeof key, "folder:%s", f->name);
    int n = snprintf(val, sizeof val, "%lld %lld %d", (long long)f->validity,
                     (long long)f->last_uid, f->resync);
    return imap_api->source_offset(m->st, key, val, (size_t)n);
}

static void imap_load(imap_t *m, imap_folder_t *f)
{
    char key[512], *v = NULL;
    size_t vl = 0;
    snprintf(key, sizeof key, "folder:%s", f->name);
    if (imap_api->state_get(m->st, key, &v, &vl) != 0 || v == NULL)
        return;
    long long val = 0, last = 0;
    int rs = 0;
    if (sscanf(v, "%lld %lld %d", &val, &last, &rs) == 3 && val > 0 &&
        last >= 0) {
        f->validity = val;
        f->last_uid = last;
        f->resync = rs;
        imap_api->log(m->st, CO_LOG_INFO,
                      "resuming %s after UID %lld (UIDVALIDITY %lld)", f->name,
                      last, val);
    } else {
        imap_api->log(m->st, CO_LOG_WARN,
                      "stored position of %s is unreadable: reading it again "
                      "(records already sent are skipped by key)",
                      f->name);
        f->resync = 1;
    }
    imap_api->free(v);
}

/* ---- one message ------------------------------------------------------- */

static char *imap_source_json(imap_t *m, imap_folder_t *f, int64_t uid)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string("imap"));
    json_object_set_new(o, "url", json_string(m->url));
    json_object_set_new(o, "user", json_string(m->cfg->user));
    json_object_set_new(o, "folder", json_string(f->name));
    json_object_set_new(o, "uidvalidity", json_integer(f->validity));
    json_object_set_new(o, "uid", json_integer(uid));
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return s;
}

/* While reading a folder again after a UIDVALIDITY change, a message sent
 * before (its key is done in the idempotency store) is skipped. */
typedef struct imap_idem_s {
    imap_t *m;
    imap_folder_t *f;
    int idem; /* idem_begin's answer */
} imap_idem_t;

static int imap_skip(void *ud, const char *key)
{
    imap_idem_t *x = ud;
    x->idem = imap_api->idem_begin(x->m->st, key);
    return x->idem == CO_IDEM_DONE && x->f->resync;
}

/* Normalize, archive and emit (or dead-letter) one message. 0, or -1 when
 * the archive or the host could not take it (the stage's error says
 * why). */
static int imap_one(imap_t *m, imap_folder_t *f, int64_t uid, const char *raw,
                    size_t len)
{
    char *src = imap_source_json(m, f, uid), dl_key[600], key[65];
    snprintf(dl_key, sizeof dl_key, "imap:%s/%lld/%lld", f->name,
             (long long)f->validity, (long long)uid);
    imap_idem_t x = {m, f, -1};
    co_mail_msg_t msg = {.raw = raw,
                         .len = len,
                         .source_json = src,
                         .dl_key = dl_key,
                         .skip = imap_skip,
                         .ud = &x};
    int rc = co_mail_source_emit(m->ms, &msg, key);
    free(src);
    if (rc == CO_MAIL_SKIPPED)
        imap_api->metric_add(m->st, "resync_skipped", 1);
    else if (rc == CO_MAIL_EMITTED && x.idem >= 0)
        imap_api->idem_commit(m->st, key);
    return rc < 0 ? -1 : 0;
}

/* ---- folders ----------------------------------------------------------- */

/* What EXAMINE tells: [0] UIDVALIDITY, [1] UIDNEXT. */
static void imap_on_examine(imap_t *m, imap_resp_t *r, void *arg)
{
    (void)m;
    int64_t *v = arg;
    int64_t n = imap_num_after(r->text, "[UIDVALIDITY ");
    if (n > 0)
        v[0] = n;
    if ((n = imap_num_after(r->text, "[UIDNEXT ")) > 0)
        v[1] = n;
}

static void imap_on_search(imap_t *m, imap_resp_t *r, void *arg)
{
    imap_folder_t *f = arg;
    (void)m;
    if (strncmp(r->text, "* SEARCH", 8) != 0)
        return;
    for (char *p = r->text + 8; *p != '\0';) {
        char *end;
        long long u = strtoll(p, &end, 10);
        if (end == p)
            break;
        p = end;
        if (u <= f->last_uid)
            continue; /* "N:*" always matches the highest UID */
        int64_t *t = realloc(f->uids, (f->uids_n + 1) * sizeof *t);
        if (t == NULL)
            break;
        f->uids = t;
        f->uids[f->uids_n++] = u;
    }
}

static co_status_t imap_neterr(imap_t *m, const char *what)
{
    imap_api->set_error(m->st, "network", "%s %s: %s; reconnecting", m->url,
                        what, m->conn.err);
    imap_close(m);
    return CO_RETRY;
}

/* EXAMINE the folder (read-only: nothing can set \Seen) and search for
 * the UIDs after the position. */
static co_status_t imap_check(imap_t *m, imap_folder_t *f)
{
    char *q = imap_quote(f->name);
    int64_t ex[2] = {0, 0}, validity;
    int rc = q ? imap_send(&m->conn, "EXAMINE %s", q) : -1;
    free(q);
    if (rc == 0)
        rc = imap_until_tagged(m, imap_on_examine, ex);
    else
        rc = -1;
    if (rc < 0)
        return imap_neterr(m, "EXAMINE");
    validity = ex[0];
    f->uidnext = ex[1];
    if (rc == 0 || validity <= 0) {
        imap_api->set_error(m->st, "config",
                            "cannot open folder \"%s\" on %s (%s): check "
                            "config.folders",
                            f->name, m->url, m->conn.err);
        return CO_FATAL;
    }
    if (f->validity != 0 && f->validity != validity) {
        imap_api->log(m->st, CO_LOG_WARN,
                      "%s: UIDVALIDITY changed from %lld to %lld (folder "
                      "recreated): reading it again, skipping messages "
                      "already sent",
                      f->name, (long long)f->validity, (long long)validity);
        f->last_uid = 0;
        f->resync = 1;
    }
    f->validity = validity;
    free(f->uids);
    f->uids = NULL;
    f->uids_n = f->uids_i = 0;
    char since[64] = "";
    if (m->cfg->since_days > 0) {
        static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        time_t t = (time_t)(imap_api->now_ms(m->st) / 1000) -
                   (time_t)m->cfg->since_days * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(since, sizeof since, " SINCE %d-%s-%d", tm.tm_mday,
                 mon[tm.tm_mon], tm.tm_year + 1900);
    }
    if (imap_send(&m->conn, "UID SEARCH UID %lld:*%s",
                  (long long)f->last_uid + 1, since) != 0 ||
        (rc = imap_until_tagged(m, imap_on_search, f)) < 0)
        return imap_neterr(m, "UID SEARCH");
    if (rc == 0) {
        imap_api->set_error(m->st, "server", "UID SEARCH in %s: %s", f->name,
                            m->conn.err);
        return CO_RETRY;
    }
    f->checked_ms = imap_api->now_ms(m->st);
    if (f->uids_n == 0 && f->resync) {
        f->resync = 0; /* caught up */
        imap_save(m, f);
    }
    return CO_OK;
}

typedef struct imap_fetch_s {
    imap_folder_t *f;
    int err;
    int n;
} imap_fetch_t;

static void imap_on_fetch(imap_t *m, imap_resp_t *r, void *arg)
{
    imap_fetch_t *x = arg;
    if (x->err || strstr(r->text, " FETCH ") == NULL || r->lit == NULL)
        return;
    int64_t uid = imap_num_after(r->text, "UID ");
    if (uid <= x->f->last_uid)
        return;
    if (imap_one(m, x->f, uid, r->lit, r->lit_len) != 0) {
        x->err = 1;
        return;
    }
    x->f->last_uid = uid;
    x->n++;
}

/* Fetch and emit the next batch of f's work list. */
static co_status_t imap_fetch(imap_t *m, imap_folder_t *f, int *emitted)
{
    size_t end = f->uids_i + (size_t)m->cfg->batch;
    if (end > f->uids_n)
        end = f->uids_n;
    char set[1800];
    size_t sl = 0, i = f->uids_i;
    for (; i < end && sl + 24 < sizeof set; i++)
        sl += (size_t)snprintf(set + sl, sizeof set - sl, "%s%lld",
                               i > f->uids_i ? "," : "", (long long)f->uids[i]);
    f->uids_i = i;
    int rc = imap_send(&m->conn, "UID FETCH %s (UID BODY.PEEK[])", set);
    imap_fetch_t x = {f, 0, 0};
    if (rc == 0)
        rc = imap_until_tagged(m, imap_on_fetch, &x);
    else
        rc = -1;
    *emitted += x.n;
    if (x.n > 0 && imap_save(m, f) != 0) {
        imap_api->set_error(m->st, "state", "cannot save the position");
        return CO_RETRY;
    }
    if (x.err) { /* co_mail_source_emit() set the error */
        free(f->uids);
        f->uids = NULL;
        f->uids_n = f->uids_i = 0; /* search again from the position */
        return CO_RETRY;
    }
    if (rc < 0)
        return imap_neterr(m, "UID FETCH");
    if (rc == 0)
        imap_api->log(m->st, CO_LOG_WARN, "UID FETCH in %s: %s", f->name,
                      m->conn.err);
    return CO_OK;
}

/* ---- IDLE -------------------------------------------------------------- */

static co_status_t imap_idle_stop(imap_t *m)
{
    if (!m->conn.idling)
        return CO_OK;
    m->conn.idling = 0;
    if (imap_send_raw(&m->conn, "DONE\r\n", 6) != 0 ||
        imap_until_tagged(m, NULL, NULL) < 0)
        return imap_neterr(m, "IDLE");
    return CO_OK;
}

/* What STATUS tells: [0] UIDVALIDITY, [1] UIDNEXT. */
static void imap_on_status(imap_t *m, imap_resp_t *r, void *arg)
{
    (void)m;
    int64_t *v = arg;
    const char *p = strncmp(r->text, "* STATUS ", 9) == 0
                        ? strrchr(r->text, '(')
                        : NULL; /* the name may hold anything */
    if (p == NULL)
        return;
    int64_t n = imap_num_after(p, "UIDVALIDITY ");
    if (n > 0)
        v[0] = n;
    if ((n = imap_num_after(p, "UIDNEXT ")) > 0)
        v[1] = n;
}

/* The folders after the first, while the first is in IDLE (one connection
 * can IDLE on one folder only): STATUS (UIDNEXT UIDVALIDITY) for each, no
 * EXAMINE, no search. A folder whose UIDNEXT or UIDVALIDITY moved since
 * its last search is due now. *changed is set when one is. */
static co_status_t imap_status_others(imap_t *m, int *changed)
{
    co_status_t s = imap_idle_stop(m);
    if (s != CO_OK)
        return s;
    for (size_t i = 1; i < m->nf; i++) {
        imap_folder_t *f = &m->f[i];
        if (f->uidnext <= 0 || f->uids_i < f->uids_n)
            continue; /* never searched, or work left: the poll loop */
        char *q = imap_quote(f->name);
        int64_t st[2] = {0, 0};
        int rc =
            q ? imap_send(&m->conn, "STATUS %s (UIDNEXT UIDVALIDITY)", q) : -1;
        free(q);
        if (rc != 0 || (rc = imap_until_tagged(m, imap_on_status, st)) < 0)
            return imap_neterr(m, "STATUS");
        if (rc == 0) { /* NO: the poll loop's EXAMINE reports it */
            f->checked_ms = 0;
            *changed = 1;
            continue;
        }
        if (st[1] != f->uidnext || st[0] != f->validity) {
            imap_api->log(m->st, CO_LOG_DEBUG,
                          "%s: UIDNEXT %lld -> %lld: new mail", f->name,
                          (long long)f->uidnext, (long long)st[1]);
            f->checked_ms = 0; /* search it now */
            *changed = 1;
        }
    }
    return CO_OK;
}

/* Wait up to ms for new mail in the first folder (IDLE) or just wait. */
static co_status_t imap_wait_mail(imap_t *m, int ms)
{
    imap_folder_t *f = &m->f[0];
    if (!m->has_idle || !m->cfg->idle) {
        imap_api->sleep_ms(m->st, ms);
        return CO_OK;
    }
    int64_t now = imap_api->now_ms(m->st);
    if (m->nf > 1 && now - m->status_ms >= m->cfg->status_interval_ms) {
        m->status_ms = now;
        int changed = 0;
        co_status_t s = imap_status_others(m, &changed);
        if (s != CO_OK || changed)
            return s;
    }
    if (m->conn.idling && now - m->idle_since_ms >= m->cfg->idle_restart_ms) {
        co_status_t s = imap_idle_stop(m);
        if (s != CO_OK)
            return s;
    }
    if (!m->conn.idling) {
        char *q = imap_quote(f->name);
        int rc = q ? imap_send(&m->conn, "EXAMINE %s", q) : -1;
        free(q);
        int64_t ex[2] = {0, 0};
        if (rc != 0 || imap_until_tagged(m, imap_on_examine, ex) < 0)
            return imap_neterr(m, "IDLE");
        if (ex[1] != f->uidnext) {
            m->dirty = 1; /* mail came between the search and now */
            return CO_OK;
        }
        if (imap_send(&m->conn, "IDLE") != 0)
            return imap_neterr(m, "IDLE");
        imap_resp_t r;
        if (imap_read(&m->conn, &r, (int)m->cfg->timeout_ms) <= 0)
            return imap_neterr(m, "IDLE");
        int ok = 0, cont = r.text[0] == '+';
        if (!cont && imap_is_tagged(&m->conn, r.text, &ok)) {
            imap_resp_clear(&r);
            m->has_idle = 0; /* refused: poll instead */
            return CO_OK;
        }
        imap_resp_clear(&r);
        m->conn.idling = 1;
        m->idle_since_ms = now;
    }
    imap_resp_t r;
    int rc = imap_read(&m->conn, &r, ms);
    if (rc < 0)
        return imap_neterr(m, "IDLE");
    if (rc > 0) {
        if (strstr(r.text, " EXISTS") != NULL)
            m->dirty = 1;
        imap_resp_clear(&r);
    }
    return CO_OK;
}

/* ---- lifecycle --------------------------------------------------------- */

static co_status_t imap_secret(imap_t *m, const char *name, char **out)
{
    return co_mail_source_secret(imap_api, m->st, name,
                                 "the password (or token)", out);
}

/* The URL names the server and nothing else (co_url_server(): trial 53):
 * imaps://HOST[:PORT][/], HOST a DNS name, IPv4 or [IPv6] address, PORT
 * 1-65535. Whatever else it holds is refused without quoting the URL: a
 * login (imaps://USER@HOST, USER:PASSWORD@HOST, trial 52), a password
 * written after the host as a port or in '%' escapes, a query, a
 * fragment; the login name is config.user, the password a secret file,
 * and a URL is printed in every connection message and record. A folder
 * as its path was silently ignored: it goes in config.folders. */
static co_status_t imap_url_server(const char *url, char *err, size_t errsz)
{
    static const char form[] =
        "write imaps://HOST[:PORT] (HOST a host name, an IPv4 address or an "
        "[IPv6] address, PORT 1 to 65535); the login name goes in "
        "config.user and the password in the secret file named by "
        "config.password_secret";
    size_t rest = 0;
    switch (co_url_server(url, 0, &rest)) {
    case CO_URL_OK:
        break;
    case CO_URL_USERINFO:
        snprintf(err, errsz, "url: holds a login ('@'; not shown): %s", form);
        return CO_FATAL;
    case CO_URL_PORT:
        snprintf(err, errsz,
                 "url: the port after the host is not a number from 1 to "
                 "65535 (not shown): %s",
                 form);
        return CO_FATAL;
    default:
        snprintf(err, errsz,
                 "url: the host is not a host name, an IPv4 address or an "
                 "[IPv6] address (not shown; no '%%' escapes): %s",
                 form);
        return CO_FATAL;
    }
    const char *r = url + rest;
    if (r[0] == '/' && r[1] != '\0' && r[1] != '?' && r[1] != '#') {
        snprintf(err, errsz,
                 "url: has a path after the host (not shown), which is not "
                 "read: put the folder in config.folders (e.g. "
                 "[\"INBOX\", \"Jobs\"]) and write imaps://HOST[:PORT]");
        return CO_FATAL;
    }
    if (r[0] == '/')
        r++;
    if (r[0] != '\0') {
        snprintf(err, errsz,
                 "url: has a query ('?') or fragment ('#') after the host "
                 "(not shown): %s",
                 form);
        return CO_FATAL;
    }
    return CO_OK;
}

/* oauth_token_url: https:// (http:// on loopback only, as
 * imap_oauth_refresh() requires) and no login or password in it, which
 * would be logged on every retry (trial 53), nor a '#' fragment or a
 * secret in its query (trial 54); not quoted. */
static co_status_t imap_token_url(const char *url, char *err, size_t errsz)
{
    char e[384];
    if (imap_oauth_url_check(url, e, sizeof e) != 0) {
        snprintf(err, errsz,
                 "oauth_token_url: %s; the client id and secret go in the "
                 "secret files named by oauth_client_id_secret and "
                 "oauth_client_secret_secret",
                 e);
        return CO_FATAL;
    }
    return CO_OK;
}

/* ABI 1.2 check, also run by init(): url, user and folders, so that
 * `careerops validate` refuses them before anything starts (the server is
 * not contacted); oauth_token_url too. */
static co_status_t imap_check_config(const void *config, char *err,
                                     size_t errsz)
{
    const imap_cfg_t *cfg = config;
    if (cfg->url == NULL || (strncmp(cfg->url, "imaps://", 8) != 0 &&
                             strncmp(cfg->url, "imap://", 7) != 0)) {
        const char *u = cfg->url != NULL ? cfg->url : "";
        /* quoted only when it is a server's URL and nothing more
         * ("pop3://x"): "imaps:/host:PW", "IMAPS://host%3APW" and
         * "http://h/PW" were printed whole (trial 53) */
        size_t rest = 0;
        int quote = co_url_server(u, 0, &rest) == CO_URL_OK &&
                    (u[rest] == '\0' || strcmp(u + rest, "/") == 0);
        int login = strchr(u, '@') != NULL;
        int one_slash = (strncmp(u, "imaps:", 6) == 0 && u[6] != '/') ||
                        (strncmp(u, "imap:", 5) == 0 && u[5] != '/') ||
                        strncmp(u, "imaps:/", 7) == 0 ||
                        strncmp(u, "imap:/", 6) == 0;
        int upper = strncasecmp(u, "imaps://", 8) == 0 ||
                    strncasecmp(u, "imap://", 7) == 0;
        snprintf(err, errsz,
                 "url: %s%s%s is not an IMAP URL: %suse imaps://HOST (port "
                 "993) or imap://HOST (port 143, STARTTLS)%s",
                 quote ? "\"" : "", quote ? u : "the value (not shown)",
                 quote ? "\"" : "",
                 one_slash ? "write the scheme with two slashes: "
                 : upper   ? "write the scheme in lower case: "
                           : "",
                 login ? "; the login name goes in config.user and the "
                         "password in the secret file named by "
                         "config.password_secret"
                       : "");
        return CO_FATAL;
    }
    if (imap_url_server(cfg->url, err, errsz) != CO_OK)
        return CO_FATAL;
    if (cfg->oauth_token_url != NULL &&
        imap_token_url(cfg->oauth_token_url, err, errsz) != CO_OK)
        return CO_FATAL;
    if (cfg->user == NULL || cfg->user[0] == '\0') {
        snprintf(err, errsz, "user: required: the IMAP login name");
        return CO_FATAL;
    }
    if (cfg->folders == NULL || cfg->folders[0] == NULL) {
        snprintf(err, errsz, "folders: empty: e.g. [\"INBOX\"]");
        return CO_FATAL;
    }
    /* libcurl opens it blocking: a FIFO hung run, SIGTERM not heard
     * (trial 55); stat() only */
    const char *kind = cfg->ca_file != NULL && cfg->ca_file[0] != '\0'
                           ? co_readfile_not_regular(cfg->ca_file)
                           : NULL;
    if (kind != NULL) {
        snprintf(err, errsz,
                 "ca_file: '%s' is %s: name the PEM "
                 "file of the CA that signed the server's certificate",
                 cfg->ca_file, kind);
        return CO_FATAL;
    }
    return co_mail_source_check(&cfg->mail, err, errsz);
}

static co_status_t imap_init(const co_host_api_t *api, co_stage_t *st,
                             const void *config, void **instance)
{
    imap_api = api;
    const imap_cfg_t *cfg = config;
    char err[512];
    if (imap_check_config(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "config.%s", err);
        return CO_FATAL;
    }
    imap_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return CO_FATAL;
    m->st = st;
    m->cfg = cfg;
    co_redact(m->url, sizeof m->url, cfg->url);
    *instance = m;
    co_status_t s;
    if (cfg->oauth_token_url != NULL) {
        if ((s = imap_secret(m, cfg->oauth_client_id_secret, &m->client_id)) !=
                CO_OK ||
            (s = imap_secret(m, cfg->oauth_refresh_token_secret,
                             &m->refresh_token)) != CO_OK ||
            (cfg->oauth_client_secret_secret != NULL &&
             (s = imap_secret(m, cfg->oauth_client_secret_secret,
                              &m->client_secret)) != CO_OK))
            return s;
    } else if ((s = cfg->bearer_secret != NULL
                        ? imap_secret(m, cfg->bearer_secret, &m->bearer)
                        : imap_secret(m, cfg->password_secret, &m->password)) !=
               CO_OK) {
        return s;
    }
    for (const char *const *p = cfg->folders; p != NULL && *p != NULL; p++)
        m->nf++;
    m->f = calloc(m->nf, sizeof *m->f);
    if (m->f == NULL)
        return CO_FATAL;
    for (size_t i = 0; i < m->nf; i++)
        m->f[i].name = cfg->folders[i];
    co_mail_init();
    if ((m->ms = co_mail_source_new(api, st, &cfg->mail)) == NULL)
        return CO_FATAL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return CO_OK;
}

static co_status_t imap_start(void *instance)
{
    imap_t *m = instance;
    for (size_t i = 0; i < m->nf; i++)
        imap_load(m, &m->f[i]);
    return CO_OK;
}

static co_status_t imap_poll(void *instance, int timeout_ms)
{
    imap_t *m = instance;
    co_status_t s;
    if (!m->connected) {
        if ((s = imap_connect(m)) != CO_OK)
            return s;
        for (size_t i = 0; i < m->nf; i++)
            m->f[i].checked_ms = 0; /* search everything again */
        m->dirty = 1;
    }
    int64_t now = imap_api->now_ms(m->st);
    int emitted = 0;
    for (size_t i = 0; i < m->nf && !imap_api->stopping(m->st); i++) {
        imap_folder_t *f = &m->f[i];
        int due = f->checked_ms == 0 || (i == 0 && m->dirty) ||
                  now - f->checked_ms >= m->cfg->poll_interval_ms;
        if (f->uids_i >= f->uids_n && !due)
            continue;
        if ((s = imap_idle_stop(m)) != CO_OK)
            return s;
        if (f->uids_i >= f->uids_n) {
            if (i == 0)
                m->dirty = 0;
            if ((s = imap_check(m, f)) != CO_OK)
                return s;
        }
        if (f->uids_i < f->uids_n) {
            if ((s = imap_fetch(m, f, &emitted)) != CO_OK)
                return s;
            return CO_OK; /* one batch per poll */
        }
    }
    if (emitted > 0)
        return CO_OK;
    if (!m->cfg->follow)
        return CO_EOF; /* every folder searched and fetched */
    int ms = timeout_ms >= 0 && timeout_ms < 1000 ? timeout_ms : 1000;
    if (!(m->has_idle && m->cfg->idle) && ms > m->cfg->poll_interval_ms)
        ms = (int)m->cfg->poll_interval_ms;
    return imap_wait_mail(m, ms);
}

static void imap_destroy(void *instance)
{
    imap_t *m = instance;
    if (m == NULL)
        return;
    if (m->connected && !m->conn.idling && imap_send(&m->conn, "LOGOUT") == 0) {
        imap_resp_t r;
        if (imap_read(&m->conn, &r, 1000) > 0)
            imap_resp_clear(&r);
    }
    imap_close(m);
    for (size_t i = 0; i < m->nf; i++)
        free(m->f[i].uids);
    free(m->f);
    imap_wipe(&m->password);
    imap_wipe(&m->bearer);
    imap_wipe(&m->client_id);
    imap_wipe(&m->client_secret);
    imap_wipe(&m->refresh_token);
    co_mail_source_free(m->ms);
    free(m);
}

static const co_plugin_t imap_plugin = {
    CO_PLUGIN_HEADER,
    .name = "imap-source",
    .version = "1.0.0",
    .description = "Reads IMAP folders (Outlook, Fastmail, iCloud, any "
                   "IMAP4rev1 server over TLS) into careerops.email.v1 "
                   "records, new mail by IDLE, never marking mail read.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SOURCE,
    .options = imap_options,
    .config_size = sizeof(imap_cfg_t),
    .init = imap_init,
    .start = imap_start,
    .poll = imap_poll,
    .destroy = imap_destroy,
    .check =
        imap_check_config, /* url, user, folders, oauth, archive (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    imap_api = api;
    return &imap_plugin;
}
