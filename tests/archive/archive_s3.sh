#!/usr/bin/env bash
# The S3 backend against a real S3-compatible server on loopback
# (SeaweedFS `weed server -s3`, weed.sh): bucket creation, put (reference
# s3://bucket/prefix/sha256/…), get (same bytes), idempotent re-put
# ("existed", one object), integrity (x-amz-content-sha256 checked by the
# server, x-amz-meta-sha256 and the size checked by a HEAD after each PUT
# and before a re-put: a damaged object is written again), ls/prune, wrong
# credentials → a clear error
# naming the settings, and a put while the server is down for 10 s ridden
# out by the retries. Skips (77) when SeaweedFS can be neither found nor
# built.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_BUILD_ROOT:?run through meson test}"
B=$CAREEROPS_BIN
. "$CAREEROPS_SOURCE_ROOT/tests/archive/weed.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-s3.XXXXXX")
trap 'weed_kill; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$T/weed.log" ] && tail -n 5 "$T/weed.log" >&2; exit 1; }
ok() { echo "ok: $*"; }
weed_find
weed_up "$T" || fail "SeaweedFS did not start"
printf 'careerops-test\n' > "$T/ak"
printf 'careerops-test-secret\n' > "$T/sk"
export CAREEROPS_ARCHIVE=s3://raw/mail CAREEROPS_ARCHIVE_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE=$T/ak CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE=$T/sk
cd "$T"
printf 'From: a@example.org\nSubject: s3\n\nhello from S3\n' > m1.eml
head -c 2500000 /dev/urandom > big.bin
# the filer may need a moment after the port opens
for _ in $(seq 1 20); do "$B" archive init 2> init.err && break; sleep 1; done
[ -s init.err ] && ! "$B" archive init 2> init.err && fail "archive init: $(cat init.err)"
"$B" archive put m1.eml big.bin > refs.json || fail "put"
h1=$(sha256sum m1.eml | cut -c1-64)
h2=$(sha256sum big.bin | cut -c1-64)
grep -q "\"archive_url\":\"s3://raw/mail/sha256/${h1:0:2}/${h1:2}\",\"size\":$(stat -c %s m1.eml),\"sha256\":\"$h1\"}" refs.json ||
    fail "reference: $(cat refs.json)"
ok "put: s3://raw/mail/sha256/… references"
"$B" archive get "s3://raw/mail/sha256/${h1:0:2}/${h1:2}" | cmp - m1.eml || fail "get by url"
"$B" archive get "$h2" -o out.bin && cmp out.bin big.bin || fail "get of the 2.5 MB binary"
ok "get: same bytes"
"$B" archive put m1.eml > again.json
grep -q '"existed":true' again.json || fail "re-put: $(cat again.json)"
[ "$("$B" archive ls sha256/ | wc -l)" = 2 ] || fail "ls: $("$B" archive ls sha256/)"
ok "re-put is idempotent (HEAD finds it; 2 objects listed)"
# integrity: the object carries its SHA-256 (x-amz-meta-sha256), its ETag
# is the MD5 of the bytes (single-part PUT), the server refuses a body that
# does not match x-amz-content-sha256, and a stored object of another size
# or hash is found by the put's HEAD and written again
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
s3curl() { curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user careerops-test:careerops-test-secret "$@"; }
O1=$CAREEROPS_ARCHIVE_S3_ENDPOINT/raw/mail/sha256/${h1:0:2}/${h1:2}
head_of() { s3curl -I "$1" -H "x-amz-content-sha256: $EMPTY" | tr -d '\r'; }
head_of "$O1" > h1.txt
grep -qi "^x-amz-meta-sha256: $h1$" h1.txt || fail "no x-amz-meta-sha256 on the object: $(cat h1.txt)"
grep -qi "^etag: \"$(md5sum m1.eml | cut -c1-32)\"$" h1.txt || fail "ETag is not the MD5 of the bytes: $(grep -i etag h1.txt)"
code=$(s3curl -o mism.xml -w '%{http_code}' -T m1.eml "$O1.x" -H "x-amz-content-sha256: $h2")
[ "$code" = 400 ] && grep -q XAmzContentSHA256Mismatch mism.xml ||
    fail "a body not matching x-amz-content-sha256 was not refused: $code $(cat mism.xml)"
ok "object stored with x-amz-meta-sha256 and ETag = MD5; a body not matching x-amz-content-sha256 is refused (XAmzContentSHA256Mismatch)"
printf 'truncated' > cut.txt
s3curl -o /dev/null -T cut.txt "$O1" -H "x-amz-content-sha256: $(sha256sum cut.txt | cut -c1-64)"
"$B" archive put m1.eml > rep1.json || fail "put over a truncated object"
grep -q '"repaired":true' rep1.json || fail "a stored object of another size was not written again: $(cat rep1.json)"
"$B" archive get "$h1" | cmp - m1.eml || fail "get after the repair (size)"
sed 's/hello/HELLO/' m1.eml > same-size.eml
s3curl -o /dev/null -T same-size.eml "$O1" -H "x-amz-content-sha256: $(sha256sum same-size.eml | cut -c1-64)" \
    -H "x-amz-meta-sha256: $(sha256sum same-size.eml | cut -c1-64)"
"$B" archive put m1.eml > rep2.json || fail "put over an object of the same size"
grep -q '"repaired":true' rep2.json || fail "a stored object with another hash was not written again: $(cat rep2.json)"
"$B" archive get "$h1" | cmp - m1.eml || fail "get after the repair (hash)"
head_of "$O1" | grep -qi "^x-amz-meta-sha256: $h1$" || fail "the repaired object lacks its hash"
ok "a stored object of another size, or of the same size with another hash, is written again (\"repaired\")"
set +e
"$B" archive get "$(printf '%064d' 0)" 2> e0; r0=$?
printf 'careerops-test\n' > bad-sk-is-this
CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE=$T/bad-sk-is-this "$B" archive put m1.eml 2> e1; r1=$?
printf 'nobody\n' > bad-ak
CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE=$T/bad-ak "$B" archive get "$h1" 2> e2 > /dev/null; r2=$?
set -e
[ $r0 = 2 ] && grep -q "not found" e0 || fail "missing object: $r0 $(cat e0)"
for i in 1 2; do
    eval "r=\$r$i"
    [ "$r" = 1 ] && grep -q "refused the credentials" e$i && grep -q CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE e$i ||
        fail "wrong credentials $i: rc $r: $(cat e$i)"
    ! grep -q "careerops-test-secret" e$i || fail "the secret was printed"
done
ok "wrong credentials: $(head -c 160 e1)…"
# retention by age on S3: nothing is older than a day, everything older than 0
"$B" archive prune --older-than 1 | grep -q "pruned 0" || fail "prune 1 day"
# the server down for 10 s during a put: the retries ride it out
weed_stop
head -c 1000000 /dev/urandom > during.bin
start=$(date +%s)
"$B" archive put during.bin --retry-seconds 150 > during.json 2> during.err &
put=$!
sleep 10
weed_restart "$T" || fail "SeaweedFS did not come back after the outage"
wait $put || fail "put during the outage: $(cat during.err)"
took=$(($(date +%s) - start))
[ "$took" -ge 10 ] || fail "the put did not wait for the server ($took s)"
"$B" archive get "$(sha256sum during.bin | cut -c1-64)" | cmp - during.bin || fail "get after the outage"
ok "server down for 10 s during a put: stored after $took s by retries"
"$B" archive prune --older-than 0 > /dev/null
sleep 1
"$B" archive prune --older-than 0 | grep -q "pruned" || fail "prune 0"
[ "$("$B" archive ls sha256/ | wc -l)" = 0 ] || fail "prune left: $("$B" archive ls sha256/)"
ok "prune --older-than 0 empties sha256/"
