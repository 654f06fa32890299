#!/usr/bin/env bash
# A value that came from ${secret:NAME} never shows in an error or a log
# line: validate and run print ${secret:NAME} instead, librdkafka's
# "Invalid value ..." included (trial 5, defect 3).
. "$(dirname "$0")/../integration/lib.sh"
mkdir -m 700 sec
printf 'TOPSECRET-abc123\n' > sec/pw
cat > m.json <<'J'
{"pipeline":"sec","secrets_dir":"sec",
 "kafka":{"bootstrap.servers":"embedded","security.protocol":"${secret:pw}"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":3}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J
check() { # WHAT FILE: the secret is absent, its reference present
    ! grep -q 'TOPSECRET' "$2" || fail "$1 shows the secret: $(grep TOPSECRET "$2")"
    grep -qF '${secret:pw}' "$2" || fail "$1 does not name \${secret:pw}: $(cat "$2")"
}
! "$B" validate m.json > v.out 2>&1 || fail "validate accepted a bad security.protocol"
grep -q 'security.protocol' v.out || fail "validate does not report kafka.security.protocol: $(cat v.out)"
check "validate (librdkafka property)" v.out
! timeout 30 "$B" run m.json --until-idle > r.out 2>&1 || fail "run accepted a bad security.protocol"
check "run (librdkafka property)" r.out
# http.listen from a secret
"$B" validate m.json --set kafka.security.protocol=plaintext \
    --set 'http.listen=${secret:pw}' > l.out 2>&1 && fail "validate accepted http.listen TOPSECRET"
grep -q 'http.listen' l.out || fail "no http.listen error: $(cat l.out)"
check "validate (http.listen)" l.out
! timeout 30 "$B" run m.json --until-idle --set kafka.security.protocol=plaintext \
    --set 'http.listen=${secret:pw}' > rl.out 2>&1 || fail "run accepted http.listen TOPSECRET"
check "run (http.listen)" rl.out
ok "validate and run show \${secret:pw}, never the secret (librdkafka property, http.listen)"
# trial 53: a secret longer than a message buffer was cut before it was
# hidden, and printed but for its end (librdkafka's "Invalid value")
for n in 520 1100 2100; do
    python3 -c "print('TOPSECRET-LONG-' + 'y' * $n)" > sec/long
    sed 's/\${secret:pw}/${secret:long}/' m.json > long.json
    ! "$B" validate long.json > lv.out 2>&1 || fail "validate accepted a $n-byte security.protocol"
    ! timeout 30 "$B" run long.json --until-idle > lr.out 2>&1 || fail "run accepted it"
    ! grep -q 'TOPSECRET' lv.out lr.out || fail "a $n-byte secret printed: $(grep -h TOPSECRET lv.out lr.out | cut -c1-200)"
done
ok "a secret longer than a message's buffer is hidden too"
# trial 47: an s3:// archive URL with a password in its userinfo, named in
# mailbox-source's start error, shows *** for it
mkdir -p box
cat > s3.json <<'J'
{"pipeline":"s3t","kafka":{"bootstrap.servers":"embedded"},"state":"memory:",
 "stages":[{"name":"ingest","plugin":"mailbox-source","output":"raw",
   "config":{"path":"box","archive":"s3://ak:SECRETARCH10@127.0.0.1:1/b"}},
  {"name":"sink","plugin":"mock-sink","input":"raw","config":{"path":"o.jsonl"}}]}
J
env -u CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE timeout 30 "$B" run s3.json --until-idle > s3.out 2>&1 &&
    fail "run started with an s3 archive and no key file"
# (the login too, trial 54: it may be an access key id)
grep -q 'config.archive: URL s3://\*\*\*@127.0.0.1:1/b' s3.out || fail "the archive URL: $(grep -i archive s3.out | head -n 2)"
grep -q 'ak:' s3.out && fail "the archive URL's login printed: $(grep 'ak:' s3.out | head -n 1)"
grep -q SECRETARCH10 s3.out && fail "the archive URL's password printed: $(grep SECRETARCH10 s3.out | head -n 1)"
grep -q "credentials do not go in the URL" s3.out || fail "no word on credentials in the URL: $(grep -i archive s3.out | head -n 2)"
# trial 48: a password with '@' '/' '?' '#', and a URL of another scheme
# (the archive library's own error repeated it)
for url in 's3://ak:S@C/R?E#TARCH48@127.0.0.1:1/b' 'ftp://u:FTPARCH48@h/x'; do
    sed "s|s3://ak:SECRETARCH10@127.0.0.1:1/b|$url|" s3.json > s3b.json
    timeout 30 "$B" run s3b.json --until-idle > s3b.out 2>&1 && fail "run started with archive $url"
    grep -q 'config.archive' s3b.out || fail "no config.archive error for $url: $(tail -n 3 s3b.out)"
    grep -qE 'C/R|ARCH48' s3b.out && fail "archive $url: its password printed: $(grep -E 'C/R|ARCH48' s3b.out | head -n 1)"
done
ok "an s3:// archive URL's password is *** in mailbox-source's start error ('@' '/' '?' '#' in it, other schemes too)"
# trial 49: the archive commands' own messages, credentials with no '@',
# a '?' in a user name, and "s3:/" with one slash (it made a folder)
for cmd in "archive ls --archive file://$PWD/none?password=ARCH49A" \
    "archive ls --archive s3://AKIA:ARCH49B" \
    "archive get s3://AK:ARCH49C@bucket/sha256/e3/b0 --archive file://$PWD" \
    "applications --dsn postgresql://us?er:ARCH49D@127.0.0.1:1/db --dsn host=x"; do
    # shellcheck disable=SC2086
    "$B" $cmd > a49.out 2>&1 && fail "$cmd passed"
    grep -q ARCH49 a49.out && fail "$cmd printed the password: $(cat a49.out)"
    grep -q . a49.out || fail "$cmd said nothing"
done
sed 's|s3://ak:SECRETARCH10@127.0.0.1:1/b|s3:/AK:ARCH49E@bucket/p|' s3.json > s3c.json
timeout 30 "$B" run s3c.json --until-idle > s3c.out 2>&1 && fail "run started with archive s3:/..."
grep -q 'write s3:// (two slashes)' s3c.out || fail "s3:/ with one slash: $(grep -i archive s3c.out | head -n 2)"
grep -q ARCH49E s3c.out && fail "s3:/ printed its password: $(grep ARCH49E s3c.out | head -n 1)"
[ ! -e 's3:' ] || fail "s3:/ made a folder named s3:"
ok "the archive commands' messages, s3://AK:PW and 's3:/' show no password; 's3:/' is refused"
