#!/usr/bin/env bash
# validate refuses what run and serve refuse at start (trial 7): an
# http.token_file whose token is shorter than 16 or longer than 255
# characters, and a mailbox-source path that does not exist (CO_OPT_INPUT).
. "$(dirname "$0")/../integration/lib.sh"
mkdir inbox
cat > m.json <<'J'
{"pipeline":"vin","kafka":{"bootstrap.servers":"embedded"},
 "http":{"token_file":"tok"},
 "stages":[{"name":"mail","plugin":"mailbox-source","output":"a","config":{"path":"inbox"}},
           {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
umask 077
head -c 32 /dev/urandom | base64 | tr -d '\n=+/' | head -c 40 > tok
"$B" validate m.json > out.txt 2> err.txt || fail "validate refused a good token: $(cat err.txt)"
for len in 10 300; do
    head -c "$len" /dev/zero | tr '\0' x > tok
    rc=0; "$B" validate m.json > out.txt 2> err.txt || rc=$?
    [ "$rc" = 2 ] || fail "token of $len characters: exit $rc, want 2: $(cat err.txt)"
    grep -q "http.token_file: .*the token must be one line of 16 to 255 characters" err.txt ||
        fail "token of $len characters: no http.token_file error in: $(cat err.txt)"
    ! grep -q xxxxxxxxxx err.txt || fail "the token shows in: $(cat err.txt)"
done
head -c 32 /dev/urandom | base64 | tr -d '\n=+/' | head -c 40 > tok
sed 's/"path":"inbox"/"path":"no-such-inbox"/' m.json > miss.json
for cmd in validate run; do
    rc=0; timeout 30 "$B" $cmd miss.json > out.txt 2> err.txt || rc=$?
    [ "$rc" = 2 ] || fail "$cmd, missing mailbox: exit $rc, want 2: $(cat err.txt)"
    grep -q "stages\[0\] (mail).config.path: cannot read .*no-such-inbox: No such file or directory" err.txt ||
        fail "$cmd, missing mailbox: no stages[0] (mail).config.path error in: $(cat err.txt)"
done
echo "ok: validate checks the token's length and that a mailbox exists"
