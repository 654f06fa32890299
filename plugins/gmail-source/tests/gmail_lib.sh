# Helpers shared by the gmail-source shell tests (sourced after
# tests/integration/lib.sh, which provides B, PIDS, fail).

# start_fake_gmail ARG...: co-fake-server --service gmail ARG... in the
# background (request log in fake.log); sets FURL.
start_fake_gmail() {
    "${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server" --service gmail \
        --port-file fake.port --log fake.log "$@" 2> fake.err &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s fake.port ] && break; sleep 0.1; done
    [ -s fake.port ] || fail "fake Gmail did not start: $(cat fake.err)"
    FURL="http://127.0.0.1:$(cat fake.port)"
}

# consent URL -> scripted browser GET to the redirect (python3 stdlib);
# prints "redirect answered STATUS" and the page
browser() { # OUTFILE STATE_OVERRIDE
    python3 - "$1" "${2:-}" <<'P'
import sys, time, urllib.parse, urllib.request, urllib.error
out, override = sys.argv[1], sys.argv[2]
for _ in range(200):
    try:
        lines = open(out).read().splitlines()
    except FileNotFoundError:
        lines = []
    # a complete consent URL line (the state comes last but two)
    url = next((l for l in lines if l.startswith("http") and "&prompt=" in l), None)
    if url:
        break
    time.sleep(0.05)
else:
    sys.exit("no consent URL printed")
q = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
assert q["scope"] == ["https://www.googleapis.com/auth/gmail.readonly"], q["scope"]
assert q["code_challenge_method"] == ["S256"], q
assert q["response_type"] == ["code"], q
assert q["client_id"] == ["fake-client.apps.example"], q
redir = q["redirect_uri"][0]
assert urllib.parse.urlparse(redir).hostname == "127.0.0.1", redir
open(out + ".challenge", "w").write(q["code_challenge"][0])
state = override or q["state"][0]
try:
    r = urllib.request.urlopen(redir + "?" + urllib.parse.urlencode(
        {"code": "4/fake-authorization-code", "state": state,
         "scope": q["scope"][0]}), timeout=90)
    print("redirect answered", r.status)
    print(r.read().decode())
except urllib.error.HTTPError as e:
    print("redirect answered", e.code)
    print(e.read().decode())
P
}


# auth_fake FURL: run `careerops auth gmail` against the fake at FURL with
# the scripted browser; writes cid, csec, token.sealed, token.key.
printf 'fake-client.apps.example\n' > cid
printf 'fake-client-secret\n' > csec
auth_fake() {
    "$B" auth gmail --client-id-file cid --client-secret-file csec \
        --token-out token.sealed --key-file token.key --no-browser \
        --timeout 30 --auth-url "$1/o/oauth2/v2/auth" \
        --token-url "$1/token" > auth.out 2> auth.err &
    local pid=$!
    browser auth.out > browser.out || { kill "$pid"; return 1; }
    wait "$pid"
}

# auth_secrets FURL: auth_fake, then the secrets folder gmail-source reads
# (secrets/gmail_client_id, gmail_client_secret, gmail_token_key).
auth_secrets() {
    auth_fake "$1" || fail "auth gmail: $(cat auth.err)"
    mkdir -p secrets
    cp cid secrets/gmail_client_id
    cp csec secrets/gmail_client_secret
    cp token.key secrets/gmail_token_key
}
