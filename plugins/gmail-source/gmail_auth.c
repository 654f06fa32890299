/**
 * @file plugins/gmail-source/gmail_auth.c
 * @brief `careerops auth gmail`: Google's OAuth 2.0 installed-app flow
 *        with a loopback redirect and PKCE (RFC 7636, S256), storing the
 *        refresh token sealed with libsodium's crypto_secretbox.
 *
 *   careerops auth gmail --client-id-file F --client-secret-file F
 *                        --token-out FILE --key-file KEYFILE
 *                        [--auth-url URL] [--token-url URL] [--no-browser]
 *                        [--timeout S]
 *
 * Steps: read the client id and secret; create KEYFILE (32 random bytes as
 * 64 hex digits, mode 0600) unless it exists; listen on 127.0.0.1 on a free
 * port (libmicrohttpd); print the consent URL (scope gmail.readonly only,
 * code_challenge, state); wait for the browser's redirect
 * `GET /?code=..&state=..` and check the state; exchange the code at the
 * token endpoint (form-encoded, with code_verifier, lib/http); write
 * "careerops-sealed-v1 <base64(nonce || secretbox)>" to FILE (mode 0600);
 * only then answer the redirect, with the result (trial 57).
 * gmail-source opens it with the key from its secret `gmail_token_key`
 * (lib/sealed, same format).
 *
 * With CAREEROPS_LOOPBACK_ONLY=1 (tests) a token URL that is not loopback is
 * refused before any connection.
 *
 * A command of the gmail-source plugin (ABI 1.1, co_command_t); the token
 * is sealed with co_sealed_seal() (lib/sealed), which gmail-source opens.
 */
#include "gmail_auth.h"
#include "co_http.h"
#include "co_cli.h" /* co_cli_getopt(), co_cli_shown() */
#include "co_readfile.h"
#include "co_sealed.h"
#include "gmail_util.h" /* gmail_parse_error(), gmail_err_shown() */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CO__AUTH_SCOPE "https://www.googleapis.com/auth/gmail.readonly"
#define CO__AUTH_URL   "https://accounts.google.com/o/oauth2/v2/auth"
#define CO__TOKEN_URL  "https://oauth2.googleapis.com/token"

extern char **environ;

/** What the loopback listener received (guarded by mu). */
typedef struct co__auth_wait_s {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int got;  /* a result was recorded (code or error) */
    int done; /* ... and its answer page was sent: stop listening */
    char *code;
    char *error;
    const char *state; /* expected */
    /* the answer to the code's redirect, set by the main thread once the
     * code-for-token exchange is over: the page said "authorized" before
     * it (trial 57) */
    char page[768];
    unsigned page_status; /* 0: not yet */
} co__auth_wait_t;

/* The longest the redirect's answer waits for the exchange (its request
 * has a 30 s timeout; storing the token is quick). */
#define CO__AUTH_PAGE_WAIT_S 60

static void co__auth_usage(FILE *out)
{
    fprintf(out,
            "Usage: careerops auth gmail --client-id-file FILE "
            "--client-secret-file FILE\n"
            "                            --token-out FILE --key-file KEYFILE\n"
            "                            [--auth-url URL] [--token-url URL] "
            "[--no-browser] [--timeout SECONDS]\n"
            "Authorize CareerOps to read Gmail (gmail.readonly) and store the "
            "refresh token\nsealed with KEYFILE (created, mode 0600, if "
            "missing). Put KEYFILE's content in\nthe secret gmail_token_key "
            "and point gmail-source's refresh_token_file at FILE.\n");
}

/* Read a small text file, trimming surrounding blanks. NULL on error. */
static char *co__auth_read(const char *path, const char *what)
{
    /* a FIFO that nothing writes to is refused after 5 s, not waited for
     * (trial 54's key files) */
    char *buf = NULL;
    size_t n = 0;
    int rc = co_readfile_max(path, &buf, &n, 8192);
    if (rc != 0) {
        fprintf(stderr, "error: %s %s: %s\n", what, co_cli_shown(path),
                co_readfile_strerror(rc));
        return NULL;
    }
    char *s = buf;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t l = strlen(s);
    while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' ||
                     s[l - 1] == '\n'))
        s[--l] = '\0';
    char *r = l > 0 ? strdup(s) : NULL;
    sodium_memzero(buf, n);
    free(buf);
    if (l == 0) {
        fprintf(stderr, "error: %s %s is empty\n", what, co_cli_shown(path));
    }
    return r;
}

/* Load or create the 32-byte key (64 hex digits). 0 (loaded), 1 (created
 * here), -1 when it cannot be written, -2 when the path given is at fault
 * (exit 2). */
static int co__auth_key(const char *path, unsigned char key[32])
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        char hex[65];
        randombytes_buf(key, 32);
        sodium_bin2hex(hex, sizeof hex, key, 32);
        hex[64] = '\n';
        int ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
        sodium_memzero(hex, sizeof hex);
        if (close(fd) != 0 || !ok) {
            fprintf(stderr, "error: cannot write the key file %s: %s\n",
                    co_cli_shown(path), strerror(errno));
            return -1;
        }
        fprintf(stderr, "created the key file %s (mode 0600)\n",
                co_cli_shown(path));
        return 1; /* created */
    }
    if (errno != EEXIST) {
        fprintf(stderr, "error: cannot create the key file %s: %s\n",
                co_cli_shown(path), strerror(errno));
        return -2; /* a missing folder, no permission: the path given */
    }
    char *hex = co__auth_read(path, "key file");
    size_t kl = 0;
    int rc = hex != NULL &&
                     sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &kl,
                                    NULL) == 0 &&
                     kl == 32
                 ? 0
                 : -2; /* unreadable, a FIFO, not a key: the file given */
    if (hex != NULL && rc != 0)
        fprintf(stderr,
                "error: the key file %s does not hold 64 hex digits; remove "
                "it to create a new key\n",
                co_cli_shown(path));
    if (hex != NULL)
        sodium_memzero(hex, strlen(hex));
    free(hex);
    return rc;
}

/* base64url without padding (RFC 7636 section 4.1/4.2). */
static void co__auth_b64url(const unsigned char *in, size_t len, char *out,
                            size_t out_size)
{
    sodium_bin2base64(out, out_size, in, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static enum MHD_Result co__auth_redirect(void *cls, struct MHD_Connection *c,
                                         const char *url, const char *method,
                                         const char *version, const char *data,
                                         size_t *size, void **con_cls)
{
    (void)url;
    (void)version;
    (void)data;
    (void)size;
    (void)con_cls;
    co__auth_wait_t *w = cls;
    const char *code =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "code");
    const char *state =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    const char *err =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "error");
    const char *page;
    unsigned status = 200;
    pthread_mutex_lock(&w->mu);
    if (strcmp(method, "GET") != 0 || (code == NULL && err == NULL)) {
        status = 404; /* favicon and the like: keep waiting */
        page = "Not the OAuth redirect.\n";
    } else if (state == NULL || strcmp(state, w->state) != 0) {
        status = 400;
        page = "The state parameter does not match: this redirect is not "
               "from the consent page CareerOps opened.\n";
        if (!w->got) {
            w->error = strdup("the redirect's state parameter does not match "
                              "(a stale or forged redirect); run the command "
                              "again");
            w->got = 1;
        }
    } else if (err != NULL) {
        page = "Authorization was not granted. You can close this tab.\n";
        if (!w->got) {
            char m[300];
            snprintf(m, sizeof m,
                     "Google answered error=%s (consent denied or "
                     "cancelled)",
                     err);
            w->error = strdup(m);
            w->got = 1;
        }
    } else if (!w->got) {
        /* answered once the main thread has exchanged the code for a
         * token: the page says how that went */
        w->code = strdup(code);
        w->got = 1;
        pthread_cond_broadcast(&w->cv);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CO__AUTH_PAGE_WAIT_S;
        while (w->page_status == 0 &&
               pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
            ;
        if (w->page_status == 0) {
            status = 504;
            page = "CareerOps did not finish the token exchange in time; see "
                   "the terminal.\n";
        } else {
            status = w->page_status;
            page = w->page;
        }
    } else {
        status = w->page_status ? w->page_status : 409;
        page = w->page_status ? w->page
                              : "CareerOps is already handling an earlier "
                                "redirect; see the terminal.\n";
    }
    pthread_mutex_unlock(&w->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(page), (void *)page, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Called by libmicrohttpd once a request's answer was sent (or the
 * connection failed): only then may the listener stop. */
static void co__auth_completed(void *cls, struct MHD_Connection *c,
                               void **con_cls,
                               enum MHD_RequestTerminationCode tc)
{
    (void)c;
    (void)con_cls;
    (void)tc;
    co__auth_wait_t *w = cls;
    pthread_mutex_lock(&w->mu);
    if (w->got && !w->done) {
        w->done = 1;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

/* Give the waiting redirect its page: the result of the exchange. */
static void co__auth_answer(co__auth_wait_t *w, int ok, const char *why)
{
    pthread_mutex_lock(&w->mu);
    if (ok)
        snprintf(w->page, sizeof w->page,
                 "CareerOps is authorized to read Gmail: the refresh token "
                 "is stored. You can close this tab.\n");
    else
        snprintf(w->page, sizeof w->page,
                 "CareerOps could not finish: %s. Nothing was stored. See "
                 "the terminal, then run `careerops auth gmail` again. You "
                 "can close this tab.\n",
                 why[0] ? why : "the code-for-token exchange failed");
    w->page_status = ok ? 200 : 502;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Wait (at most 10 s) until the redirect's page was sent, so that stopping
 * the listener does not cut it. */
static void co__auth_wait_sent(co__auth_wait_t *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&w->mu);
    while (!w->done &&
           pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&w->mu);
}

/* Exchange the code; returns the refresh token (malloc) or NULL, with the
 * details on stderr and a short cause for the browser page in `why`. */
static char *co__auth_exchange(const char *token_url, const char *client_id,
                               const char *client_secret, const char *code,
                               const char *redirect, const char *verifier,
                               char *why, size_t why_size)
{
    const char *names[] = {"grant_type",    "code",         "client_id",
                           "client_secret", "redirect_uri", "code_verifier"};
    const char *vals[] = {"authorization_code", code,     client_id,
                          client_secret,        redirect, verifier};
    char *form = NULL;
    size_t fl = 0;
    FILE *fs = open_memstream(&form, &fl);
    if (fs == NULL) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < 6; i++) {
        char *e = curl_easy_escape(NULL, vals[i], 0);
        fprintf(fs, "%s%s=%s", i ? "&" : "", names[i], e ? e : "");
        curl_free(e);
    }
    fclose(fs);
    const char *hdrs[] = {"Accept: application/json", NULL};
    co_http_request_t rq = {.method = "POST",
                            .url = token_url,
                            .headers = hdrs,
                            .body = form,
                            .body_len = fl,
                            .content_type = "application/x-www-form-urlencoded",
                            .timeout_ms = 30000,
                            .max_body = 65536};
    co_http_response_t rs;
    co_http_perform(NULL, &rq, &rs);
    sodium_memzero(form, fl);
    free(form);
    char *rt = NULL;
    json_t *j = rs.status == 200 ? json_loads(rs.body, 0, NULL) : NULL;
    if (rs.fail != CO_HTTP_OK) {
        fprintf(stderr, "error: token endpoint %s: %s\n",
                co_cli_shown(token_url), co_cli_shown(rs.error));
        snprintf(why, why_size, "the token endpoint did not answer (%s)",
                 co_http_error_class(&rs));
    } else if (rs.status != 200) {
        /* its `error` and `error_description` only, escaped and cut: the
         * body may carry anything (trial 57) */
        gmail_err_t e;
        gmail_parse_error(rs.body, &e);
        char shown[1024];
        gmail_err_shown(&e, shown, sizeof shown);
        fprintf(stderr,
                "error: the token endpoint refused the code (HTTP %ld%s%s)%s\n",
                rs.status, shown[0] ? ": " : "", shown,
                strcmp(e.reason, "invalid_client") == 0
                    ? "; check the client id and secret files"
                    : "; run the command again");
        snprintf(why, why_size,
                 "the token endpoint refused the code (HTTP %ld)", rs.status);
    } else {
        const char *r = json_string_value(json_object_get(j, "refresh_token"));
        const char *scope = json_string_value(json_object_get(j, "scope"));
        if (r == NULL || r[0] == '\0') {
            fprintf(stderr,
                    "error: Google returned no refresh_token; remove "
                    "CareerOps' access at "
                    "https://myaccount.google.com/permissions and run the "
                    "command again\n");
            snprintf(why, why_size,
                     "Google returned no refresh token: remove CareerOps' "
                     "access at https://myaccount.google.com/permissions "
                     "first");
        } else {
            rt = strdup(r);
        }
        if (scope != NULL && strstr(scope, "gmail.readonly") == NULL)
            fprintf(stderr,
                    "warning: granted scope \"%s\" lacks "
                    "gmail.readonly\n",
                    co_cli_shown(scope));
    }
    json_decref(j);
    if (rs.body != NULL)
        sodium_memzero(rs.body, rs.body_len);
    co_http_response_clear(&rs);
    return rt;
}

/* Write the sealed token atomically with mode 0600. */
static int co__auth_store(const char *path, const char *token,
                          const unsigned char key[32])
{
    char *sealed = NULL;
    if (co_sealed_seal(token, key, &sealed) != 0)
        return -1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = fd >= 0 && fchmod(fd, 0600) == 0;
    if (ok) {
        FILE *f = fdopen(fd, "w");
        ok = f != NULL && fputs(sealed, f) >= 0 && fflush(f) == 0 &&
             fsync(fileno(f)) == 0;
        if (f != NULL)
            ok = (fclose(f) == 0) && ok;
        else
            close(fd);
    } else if (fd >= 0) {
        close(fd);
    }
    free(sealed);
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "error: cannot write the token file %s: %s\n",
                co_cli_shown(path), strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void co__auth_open_browser(const char *url)
{
    if (getenv("DISPLAY") == NULL && getenv("WAYLAND_DISPLAY") == NULL)
        return;
    pid_t pid;
    char *args[] = {"xdg-open", (char *)url, NULL};
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, args, environ) == 0)
        waitpid(pid, NULL, 0);
}

static int co__auth_gmail(int argc, char **argv)
{
    enum { O_CID = 1, O_CSEC, O_OUT, O_KEY, O_AUTH, O_TOKEN, O_NB, O_TO, O_H };
    static const struct option opts[] = {
        {"client-id-file", required_argument, NULL, O_CID},
        {"client-secret-file", required_argument, NULL, O_CSEC},
        {"token-out", required_argument, NULL, O_OUT},
        {"key-file", required_argument, NULL, O_KEY},
        {"auth-url", required_argument, NULL, O_AUTH},
        {"token-url", required_argument, NULL, O_TOKEN},
        {"no-browser", no_argument, NULL, O_NB},
        {"timeout", required_argument, NULL, O_TO},
        {"help", no_argument, NULL, O_H},
        {NULL, 0, NULL, 0}};
    const char *cid_f = NULL, *csec_f = NULL, *out = NULL, *key_f = NULL;
    const char *auth_url = CO__AUTH_URL, *token_url = CO__TOKEN_URL;
    int browser = 1;
    long timeout_s = 300;
    int c;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_CID:
            cid_f = optarg;
            break;
        case O_CSEC:
            csec_f = optarg;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_KEY:
            key_f = optarg;
            break;
        case O_AUTH:
            auth_url = optarg;
            break;
        case O_TOKEN:
            token_url = optarg;
            break;
        case O_NB:
            browser = 0;
            break;
        case O_TO: {
            char *end = NULL;
            errno = 0;
            timeout_s = strtol(optarg, &end, 10);
            /* whole decimal seconds: "abc" and "5x" were read as 0 and 5,
             * and 0 was reported as a missing file (trial 56) */
            if (end == optarg || *end != '\0' || errno != 0 ||
                optarg[strspn(optarg, "0123456789")] != '\0' || timeout_s < 1 ||
                timeout_s > 86400) {
                char *shown = co_visible(optarg);
                fprintf(stderr,
                        "error: --timeout %s: give the seconds to wait for "
                        "the consent, 1 to 86400 (default 300)\n",
                        shown);
                free(shown);
                return 2;
            }
            break;
        }
        case O_H:
            co__auth_usage(stdout);
            return 0;
        default:
            co__auth_usage(stderr);
            return 2;
        }
    }
    if (cid_f == NULL || csec_f == NULL || out == NULL || key_f == NULL) {
        fprintf(stderr, "error: --client-id-file, --client-secret-file, "
                        "--token-out and --key-file are required\n");
        co__auth_usage(stderr);
        return 2;
    }
    /* --token-out is replaced whole: one that exists must be a sealed
     * token written before (or empty), checked before the browser step
     * (trial 56: a manifest given by mistake was replaced, a symlink or
     * FIFO became a file, a folder was refused only after the consent) */
    char head[20];
    ssize_t hn;
    long long osize;
    co_peek_t okind = co_readfile_peek(out, head, sizeof head, &hn, &osize);
    if (okind != CO_PEEK_ABSENT &&
        !(okind == CO_PEEK_REGULAR &&
          (osize == 0 ||
           (hn >= 19 && memcmp(head, "careerops-sealed-v1", 19) == 0)))) {
        fprintf(stderr,
                "error: --token-out %s: the file exists and is not a sealed "
                "token of an earlier `auth gmail` (%s); it would be "
                "replaced: give a path that does not exist yet\n",
                co_cli_shown(out),
                okind == CO_PEEK_REGULAR ? "another file"
                : okind == CO_PEEK_LINK  ? "a symbolic link"
                                         : "not a regular file");
        return 2;
    }
    /* its folder must exist and take a file, checked before the browser
     * step (trial 89: "cannot write the token file" after the consent) */
    if (okind == CO_PEEK_ABSENT) {
        char *dir = strdup(out);
        char *sl = dir ? strrchr(dir, '/') : NULL;
        const char *d = dir == NULL ? "." : sl == NULL ? "." : dir;
        if (sl == dir)
            d = "/";
        else if (sl != NULL)
            *sl = '\0';
        struct stat dst;
        int bad = stat(d, &dst) != 0            ? errno
                  : !S_ISDIR(dst.st_mode)       ? ENOTDIR
                  : access(d, W_OK | X_OK) != 0 ? errno
                                                : 0;
        if (bad != 0) {
            fprintf(stderr,
                    "error: --token-out %s: its folder %s cannot take the "
                    "file (%s): create the folder or give another path\n",
                    co_cli_shown(out), co_cli_shown(d), strerror(bad));
            free(dir);
            return 2;
        }
        free(dir);
    }
    /* it receives the client secret: checked as gmail-source's token_url
     * (trial 54), before the browser step, not quoted */
    char why[512];
    if (co_http_check_url_ex(token_url,
                             CO_HTTP_URL_TLS | CO_URL_NO_FRAGMENT |
                                 CO_URL_NO_QUERY_SECRET,
                             why, sizeof why) != 0) {
        fprintf(stderr, "error: --token-url: %s\n", why);
        return 2;
    }
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "error: libsodium or libcurl failed to initialise\n");
        return 1;
    }
    int rc = 1, key_created = 0;
    char *cid = co__auth_read(cid_f, "client id file");
    char *csec = co__auth_read(csec_f, "client secret file");
    unsigned char key[32];
    struct MHD_Daemon *d = NULL;
    co__auth_wait_t w = {.mu = PTHREAD_MUTEX_INITIALIZER,
                         .cv = PTHREAD_COND_INITIALIZER};
    char *consent = NULL, *rt = NULL;
    if (cid == NULL || csec == NULL) {
        rc = 2; /* the files given: the input's fault, said above */
        goto out;
    }
    int kr = co__auth_key(key_f, key);
    key_created = kr == 1;
    if (kr < 0) {
        rc = kr == -2 ? 2 : 1; /* trial 56: a FIFO key file exited 1 */
        goto out;
    }

    /* PKCE: 32 random bytes -> 43-char verifier; S256 challenge */
    unsigned char rnd[32], hash[crypto_hash_sha256_BYTES];
    char verifier[64], challenge[64], state[33];
    randombytes_buf(rnd, sizeof rnd);
    co__auth_b64url(rnd, sizeof rnd, verifier, sizeof verifier);
    crypto_hash_sha256(hash, (const unsigned char *)verifier, strlen(verifier));
    co__auth_b64url(hash, sizeof hash, challenge, sizeof challenge);
    randombytes_buf(rnd, 16);
    sodium_bin2hex(state, sizeof state, rnd, 16);
    w.state = state;

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
                         NULL, NULL, co__auth_redirect, &w,
                         MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                         co__auth_completed, &w, MHD_OPTION_END);
    const union MHD_DaemonInfo *di =
        d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (di == NULL) {
        fprintf(stderr, "error: cannot listen on 127.0.0.1 for the OAuth "
                        "redirect\n");
        goto out;
    }
    char redirect[64];
    snprintf(redirect, sizeof redirect, "http://127.0.0.1:%u/",
             (unsigned)di->port);
    char *e_cid = curl_easy_escape(NULL, cid, 0);
    char *e_red = curl_easy_escape(NULL, redirect, 0);
    char *e_scope = curl_easy_escape(NULL, CO__AUTH_SCOPE, 0);
    int n = asprintf(&consent,
                     "%s%cclient_id=%s&redirect_uri=%s&response_type=code"
                     "&scope=%s&code_challenge=%s&code_challenge_method=S256"
                     "&state=%s&access_type=offline&prompt=consent",
                     auth_url, strchr(auth_url, '?') ? '&' : '?', e_cid, e_red,
                     e_scope, challenge, state);
    curl_free(e_cid);
    curl_free(e_red);
    curl_free(e_scope);
    if (n < 0) {
        consent = NULL;
        goto out;
    }
    /* --auth-url is the user's: an escape sequence in it is written \x1b */
    printf("Open this URL in a browser and allow read-only Gmail access:\n"
           "%s\n",
           co_cli_shown(consent));
    printf("Waiting for the redirect to %s ...\n", redirect);
    fflush(stdout);
    if (browser)
        co__auth_open_browser(consent);

    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_s;
    pthread_mutex_lock(&w.mu);
    while (!w.got && pthread_cond_timedwait(&w.cv, &w.mu, &until) != ETIMEDOUT)
        ;
    int got = w.got, refused = w.error != NULL;
    char *code = w.code != NULL ? strdup(w.code) : NULL;
    pthread_mutex_unlock(&w.mu);
    if (!got) {
        fprintf(stderr,
                "error: no redirect within %ld s; open the URL above and "
                "allow access, or raise --timeout\n",
                timeout_s);
        goto out;
    }
    if (!refused) {
        /* the exchange first, then the browser's page says how it went */
        char why[384] = "out of memory";
        if (code != NULL) {
            rt = co__auth_exchange(token_url, cid, csec, code, redirect,
                                   verifier, why, sizeof why);
            sodium_memzero(code, strlen(code));
            free(code);
        }
        sodium_memzero(verifier, sizeof verifier);
        if (rt != NULL && co__auth_store(out, rt, key) != 0)
            snprintf(why, sizeof why, "the token file could not be written");
        else if (rt != NULL)
            rc = 0;
        co__auth_answer(&w, rc == 0, why);
    }
    co__auth_wait_sent(&w);
    MHD_stop_daemon(d);
    d = NULL;
    if (w.error != NULL) {
        fprintf(stderr, "error: %s\n", co_cli_shown(w.error));
        goto out;
    }
    if (rc != 0)
        goto out;
    printf("Stored the refresh token sealed in %s (key: %s).\n"
           "Next: copy %s to the manifest's secrets folder as "
           "gmail_token_key, the client id and secret as gmail_client_id "
           "and gmail_client_secret, and set gmail-source's "
           "refresh_token_file to %s.\n",
           co_cli_shown(out), co_cli_shown(key_f), co_cli_shown(key_f),
           co_cli_shown(out));
out:
    /* a key made for a token that was never written seals nothing: not
     * left behind (trial 57) */
    if (rc != 0 && key_created && unlink(key_f) == 0)
        fprintf(stderr, "removed the key file %s created by this run\n",
                co_cli_shown(key_f));
    if (d != NULL)
        MHD_stop_daemon(d);
    if (rt != NULL)
        sodium_memzero(rt, strlen(rt));
    free(rt);
    if (csec != NULL)
        sodium_memzero(csec, strlen(csec));
    free(csec);
    free(cid);
    free(consent);
    free(w.code);
    free(w.error);
    sodium_memzero(key, sizeof key);
    return rc;
}

int gmail_cmd_auth(const co_host_api_t *api, int argc, char **argv)
{
    (void)api;
    /* argv[0] is "auth", argv[1] "gmail" (the command's name) */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        co__auth_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "gmail") != 0) {
        fprintf(stderr,
                "error: unknown provider '%s' for auth (supported: gmail)\n",
                co_cli_shown(argv[1]));
        return 2;
    }
    return co__auth_gmail(argc - 1, argv + 1);
}
