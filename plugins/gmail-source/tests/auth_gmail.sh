#!/usr/bin/env bash
# `careerops auth gmail` against the fake token server: a scripted browser
# step (an HTTP GET to the loopback redirect with a code and the state from
# the consent URL), then checks: PKCE S256 and gmail.readonly in the URL,
# the fake saw a valid code_verifier, the token and key files are 0600, and
# the token file does not hold the refresh token in plain text. Also: a
# wrong state is refused, a non-loopback token URL is refused; ESC and
# U+202E in --auth-url and file names are written escaped.
# usage: meson test gmail-auth
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=netns_reexec.sh
. "$HERE/netns_reexec.sh"
# shellcheck source=../../../tests/integration/lib.sh
. "${CAREEROPS_SOURCE_ROOT:?run through meson test}/tests/integration/lib.sh"
# shellcheck source=gmail_lib.sh
. "$HERE/gmail_lib.sh"
start_fake_gmail
auth_fake "$FURL" || fail "auth gmail failed: $(cat auth.err)"
grep -q "redirect answered 200" browser.out || fail "redirect: $(cat browser.out)"
grep -q "CareerOps is authorized to read Gmail: the refresh token is stored" browser.out ||
    fail "success page: $(cat browser.out)"
[ "$(stat -c %a token.sealed)" = 600 ] || fail "token file mode $(stat -c %a token.sealed)"
[ "$(stat -c %a token.key)" = 600 ] || fail "key file mode $(stat -c %a token.key)"
grep -q '^careerops-sealed-v1 ' token.sealed || fail "token file format"
if grep -q 'fake-refresh' token.sealed; then fail "refresh token in plain text"; fi
[ "$(tr -d '\n' < token.key | wc -c)" = 64 ] || fail "key file is not 64 hex digits"
# the fake got a code_verifier whose S256 is the URL's code_challenge
python3 - <<'P' || fail "PKCE verifier does not match the challenge"
import json, base64, hashlib, urllib.parse
reqs = [json.loads(l) for l in open("fake.log")]
tok = [r for r in reqs if r["path"] == "/token"]
assert len(tok) == 1, tok
form = urllib.parse.parse_qs(tok[0]["body"])
assert form["grant_type"] == ["authorization_code"]
assert form["code"] == ["4/fake-authorization-code"]
v = form["code_verifier"][0]
ch = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
assert ch == open("auth.out.challenge").read(), (ch,)
P
echo "ok: auth gmail stored a sealed token (0600), PKCE S256 verified"

# a wrong state is refused and nothing is written
"$B" auth gmail --client-id-file cid --client-secret-file csec \
    --token-out other.sealed --key-file token.key --no-browser --timeout 30 \
    --auth-url "$FURL/auth" --token-url "$FURL/token" \
    > auth2.out 2> auth2.err & AUTH=$!
PIDS+=("$AUTH")
browser auth2.out forged-state > browser2.out || true
if wait $AUTH; then fail "a forged state was accepted"; fi
grep -q "state parameter does not match" auth2.err || fail "state error: $(cat auth2.err)"
[ ! -e other.sealed ] || fail "token written despite a bad state"
echo "ok: forged state refused"

# a token URL off loopback is refused under CAREEROPS_LOOPBACK_ONLY=1
"$B" auth gmail --client-id-file cid --client-secret-file csec \
    --token-out other.sealed --key-file token.key --no-browser --timeout 30 \
    --auth-url "$FURL/auth" --token-url "https://oauth2.googleapis.com/token" \
    > auth3.out 2> auth3.err & AUTH=$!
PIDS+=("$AUTH")
browser auth3.out > /dev/null || true
if wait $AUTH; then fail "a non-loopback token URL was used"; fi
grep -q "^error: --token-url: host 'oauth2.googleapis.com' refused: CAREEROPS_LOOPBACK_ONLY=1" auth3.err ||
    fail "loopback error: $(cat auth3.err)"
grep -q "consent" auth3.out && fail "a browser step before the token URL was checked: $(cat auth3.out)"
echo "ok: non-loopback token URL refused before the browser step"
# trial 54: the token URL receives the client secret: no plain http off
# loopback, no secret in its query, no fragment, never quoted; a FIFO as
# the client secret file is refused after 5 s, not waited for
for u in 'http://oauth.example/token' 'https://oauth.example/token?client_secret=TKPW54' 'https://oauth.example/t#TKPW54'; do
    rc=0
    CAREEROPS_LOOPBACK_ONLY= timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
        --token-out other.sealed --key-file token.key --no-browser --timeout 30 --token-url "$u" \
        > auth4.out 2> auth4.err || rc=$?
    [ "$rc" = 2 ] || fail "--token-url $u: exit $rc: $(cat auth4.err)"
    grep -q "^error: --token-url: " auth4.err || fail "--token-url $u: $(cat auth4.err)"
    grep -q "TKPW54\|oauth\.example" auth4.err && fail "--token-url $u quoted: $(cat auth4.err)"
done
mkfifo csec.fifo
rc=0
timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec.fifo \
    --token-out other.sealed --key-file token.key --no-browser --timeout 30 --token-url "$FURL/token" > auth5.out 2> auth5.err || rc=$?
[ "$rc" = 2 ] || fail "a FIFO client secret file: exit $rc (124: it hung): $(cat auth5.err)"
grep -q "client secret file csec.fifo: a named pipe (FIFO) that nothing wrote to" auth5.err || fail "a FIFO client secret file: $(cat auth5.err)"
echo "ok: --token-url in clear text, with a secret or a fragment, and a FIFO client secret file are refused"
# trial 56: --token-out replaced a manifest given by mistake (a symlink or
# a FIFO became a file): refused before the browser step
printf '{"pipeline":"keep"}\n' > keep.json
mkfifo out.fifo
for f in keep.json out.fifo; do
    rc=0
    timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
        --token-out "$f" --key-file token.key --no-browser --timeout 30 --token-url "$FURL/token" \
        > auth6.out 2> auth6.err || rc=$?
    [ "$rc" = 2 ] || fail "--token-out $f: exit $rc: $(cat auth6.err)"
    grep -q "^error: --token-out $f: the file exists and is not a sealed token" auth6.err || fail "--token-out $f: $(cat auth6.err)"
    grep -q "consent" auth6.out && fail "--token-out $f: the browser step ran first"
done
grep -q '"keep"' keep.json && [ -p out.fifo ] || fail "--token-out changed keep.json or out.fifo"
echo "ok: --token-out refuses an existing file that is not a sealed token"
# trial 89: a --token-out in a folder that does not exist failed only after
# the consent
rc=0
timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
    --token-out nofolder/t.sealed --key-file token.key --no-browser --timeout 30 --token-url "$FURL/token" \
    > auth6.out 2> auth6.err || rc=$?
[ "$rc" = 2 ] && grep -q "^error: --token-out nofolder/t.sealed: its folder nofolder cannot take the file" auth6.err ||
    fail "--token-out in a missing folder: exit $rc: $(cat auth6.err)"
grep -q "consent" auth6.out && fail "--token-out in a missing folder: the browser step ran first"
echo "ok: --token-out in a folder that does not exist is refused before the consent"
# trial 56: --timeout read leading digits only ("5x" was 5) and "abc" or 0
# said the four files were required
for v in abc 5x 0 -3 99999999 ''; do
    rc=0
    timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
        --token-out other.sealed --key-file token.key --no-browser --timeout "$v" \
        > auth7.out 2> auth7.err || rc=$?
    [ "$rc" = 2 ] && grep -q "^error: --timeout $v: give the seconds to wait for the consent, 1 to 86400" auth7.err ||
        fail "--timeout '$v': exit $rc: $(cat auth7.err)"
done
echo "ok: --timeout takes whole seconds from 1 to 86400"
# trial 56: a FIFO or a file that holds no key as --key-file exited 1
mkfifo key.fifo
echo "not a key" > notkey.txt
for k in key.fifo notkey.txt; do
    rc=0
    timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
        --token-out other.sealed --key-file "$k" --no-browser --timeout 30 --token-url "$FURL/token" \
        > auth8.out 2> auth8.err || rc=$?
    [ "$rc" = 2 ] || fail "--key-file $k: exit $rc, want 2: $(cat auth8.err)"
done
echo "ok: a --key-file that is a FIFO or holds no key exits 2"
# a fresh tester's trial: an escape sequence or U+202E in --auth-url or a
# file name was printed raw (the consent URL, "created the key file")
ESC=$(printf '\033') RLO=$(printf '\342\200\256')
rc=0
timeout 30 "$B" auth gmail --client-id-file cid --client-secret-file csec \
    --token-out "t${RLO}.sealed" --key-file "k${ESC}[31m.key" --no-browser --timeout 1 \
    --auth-url "$FURL/auth${ESC}[2J${RLO}" --token-url "$FURL/token" > auth9.out 2> auth9.err || rc=$?
[ "$rc" = 1 ] || fail "auth gmail with escapes: exit $rc: $(cat -v auth9.err)"
grep -q "$ESC\|$RLO" auth9.out auth9.err && fail "a raw ESC or U+202E: $(cat -v auth9.out auth9.err)"
grep -q '/auth\\x1b\[2J\\u202e?client_id=' auth9.out || fail "consent URL: $(cat -v auth9.out)"
grep -q '^created the key file k\\x1b\[31m.key' auth9.err || fail "key file: $(cat -v auth9.err)"
# trial 57: the key file this run created was left after the failure
[ ! -e "k${ESC}[31m.key" ] || fail "the key file created by a failed auth was left"
grep -q '^removed the key file k\\x1b\[31m.key created by this run' auth9.err || fail "no removal line: $(cat -v auth9.err)"
echo "ok: auth gmail writes ESC and U+202E of --auth-url and file names escaped; a key it created is removed when it fails"
# trial 57: the page said "authorized" before the code-for-token exchange,
# and the token endpoint's error body was printed whole: a refused exchange
# now answers the browser with the failure; the terminal shows the body's
# error and error_description only, escaped and cut to 200 bytes
mkdir refused && cp cid csec refused/ && cd refused
cat > script.json <<'J'
[{"method":"POST","path":"/token","status":400,"body":{"error":"invalid_grant","error_description":"Bad\u001b[31m code\nnext line XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX-CUT-TAIL","refresh_token":"LEAKED-EXTRA-FIELD","debug":"SECRET-DEBUG-FIELD"}}]
J
start_fake_gmail --script script.json
if auth_fake "$FURL"; then fail "auth gmail succeeded with a refused exchange"; fi
grep -q "redirect answered 502" browser.out || fail "refused exchange page: $(cat browser.out)"
grep -qi "authorized" browser.out && fail "the page says authorized after a refused exchange: $(cat browser.out)"
grep -q "CareerOps could not finish: the token endpoint refused the code (HTTP 400). Nothing was stored" browser.out ||
    fail "refused exchange page: $(cat browser.out)"
ESC=$(printf '\033')
grep -q '^error: the token endpoint refused the code (HTTP 400: invalid_grant: Bad\\x1b\[31m code\\x0anext line XXX*\.\.\.); run the command again$' auth.err ||
    fail "token endpoint error: $(cat -v auth.err)"
grep -q "$ESC\|LEAKED-EXTRA-FIELD\|SECRET-DEBUG-FIELD\|CUT-TAIL" auth.err && fail "the error body was printed beyond its two fields: $(cat -v auth.err)"
[ ! -e token.sealed ] && [ ! -e token.key ] || fail "a refused exchange left token.sealed or token.key"
cd ..
echo "ok: a refused exchange answers the browser with the failure; its error body is shown by error and error_description only, escaped and cut"
