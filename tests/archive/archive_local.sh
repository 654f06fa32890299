#!/usr/bin/env bash
# The local folder archive (careerops archive): put prints the reference
# (archive_url, size, sha256 = sha256sum of the file), get gives the same
# bytes back (by archive_url, sha256:HEX, bare hex, key; to stdout and -o),
# a re-put is idempotent (same key, "existed", the stored file untouched),
# a 3 MB binary round-trips, a corrupted object is reported before a byte
# is written and a re-put repairs it, prune
# --older-than removes only old raw messages, bad input is refused clearly.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
B=$CAREEROPS_BIN
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-archive.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
export CAREEROPS_ARCHIVE="file://$T/store"
cd "$T"
printf 'From: a@example.org\nSubject: hi\n\nhello\n' > m1.eml
head -c 3000000 /dev/urandom > big.bin
"$B" archive init
"$B" archive put m1.eml big.bin > refs.json
h1=$(sha256sum m1.eml | cut -c1-64)
h2=$(sha256sum big.bin | cut -c1-64)
python3 - refs.json "$h1" "$h2" "$T" <<'P' || fail "references: $(cat refs.json)"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["sha256"] for x in r] == sys.argv[2:4], r
assert r[0]["size"] == 39 and r[1]["size"] == 3000000, r
h = sys.argv[2]
assert r[0]["archive_url"] == "file://%s/store/sha256/%s/%s" % (sys.argv[4], h[:2], h[2:]), r[0]
assert "existed" not in r[0]
P
ok "put: references with archive_url, size, sha256"
url=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["archive_url"])' refs.json)
"$B" archive get "$url" | cmp - m1.eml || fail "get by archive_url"
"$B" archive get "sha256:$h1" | cmp - m1.eml || fail "get by sha256:HEX"
"$B" archive get "$h2" -o out.bin && cmp out.bin big.bin || fail "get -o of the 3 MB binary"
"$B" archive get "sha256/${h1:0:2}/${h1:2}" | cmp - m1.eml || fail "get by key"
ok "get: same bytes by url, sha256:HEX, hex, key, -o"
f1=$T/store/sha256/${h1:0:2}/${h1:2}
touch -d '2000-01-01' "$f1"
"$B" archive put m1.eml > again.json
grep -q '"existed":true' again.json || fail "re-put: $(cat again.json)"
[ "$(stat -c %Y "$f1")" = "$(date -d 2000-01-01 +%s)" ] || fail "re-put rewrote the stored object"
[ "$(find store -type f | wc -l)" = 2 ] || fail "re-put made another object: $(find store -type f)"
ok "re-put is idempotent (same key, not written again)"
# corruption is detected
cp "$f1" keep && chmod u+w "$f1" && echo x >> "$f1"
if "$B" archive get "$h1" > /dev/null 2> err; then fail "corrupt object not reported"; fi
grep -q "does not match its hash" err || fail "corrupt object: $(cat err)"
# same size, other bytes: get writes nothing, put repairs it
printf 'From: b@example.org\nSubject: hi\n\nhello\n' > "$f1"
if "$B" archive get "$h1" > out.eml 2> err; then fail "same-size corruption not reported"; fi
grep -q "does not match its hash" err || fail "same-size corruption: $(cat err)"
[ ! -s out.eml ] || fail "get wrote corrupt bytes to stdout: $(cat out.eml)"
"$B" archive put m1.eml > fix.json
grep -q '"repaired":true' fix.json && ! grep -q existed fix.json || fail "re-put of a corrupt object: $(cat fix.json)"
cmp "$f1" m1.eml || fail "re-put did not repair the stored object"
cp keep "$f1" && touch -d '2000-01-01' "$f1"
ok "a corrupted object is reported (nothing written) and repaired by put"
# retention by age: m1 is old (2000), big.bin is new
"$B" archive prune --older-than 30 > prune.out
grep -q "pruned 1 object" prune.out || fail "prune: $(cat prune.out)"
[ ! -e "$f1" ] || fail "prune kept the old object"
"$B" archive get "$h2" | cmp - big.bin || fail "prune removed a new object"
ok "prune --older-than 30 removes only the old object"
# bad input
set +e
"$B" archive get "$h1" 2> e1; r1=$?
"$B" archive get 2> e2; r2=$?
"$B" archive prune 2> e3; r3=$?
"$B" archive put no-such-file 2> e4; r4=$?
"$B" archive ls --archive ftp://x/y 2> e5; r5=$?
"$B" archive ls --archive s3://bucket/p 2> e6; r6=$?
"$B" archive put "$T" 2> e7; r7=$?
"$B" archive get nothex 2> e8; r8=$?
set -e
[ $r7 = 2 ] && grep -q "$T is a folder" e7 || fail "put of a folder: $r7 $(cat e7)"
[ $r8 = 2 ] && grep -q "'nothex' is not a reference: give an archive_url" e8 || fail "get nothex: $r8 $(cat e8)"
[ $r1 = 2 ] && grep -q "not found" e1 || fail "missing ref: $r1 $(cat e1)"
[ $r2 = 2 ] && grep -q "give one REF" e2 || fail "get without ref: $r2 $(cat e2)"
[ $r3 = 2 ] && grep -q -- "--older-than DAYS" e3 || fail "prune without age: $r3 $(cat e3)"
[ $r4 = 2 ] && grep -q "no-such-file" e4 || fail "put missing file: $r4 $(cat e4)"
[ $r5 = 2 ] && grep -q "unknown scheme" e5 || fail "bad scheme: $r5 $(cat e5)"
[ $r6 = 2 ] && grep -q "CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE" e6 || fail "s3 without keys: $r6 $(cat e6)"
ok "bad input refused with the setting named"
# trial 53: `archive ls` against an S3 endpoint that refuses connections
# retried for 28 s without a word: the first retry is announced, the end
# says how many attempts in how long
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo AK > ak; echo SK > sk
rc=0
timeout 60 "$B" archive ls --archive s3://bkt --s3-endpoint "http://127.0.0.1:$port" \
    --s3-access-key-file ak --s3-secret-key-file sk --retry-seconds 2 > o7 2> e7 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "ls on a closed endpoint: exit $rc $(cat e7)"
grep -q "^careerops archive: GET http://127.0.0.1:$port/bkt: .*; retrying for up to 2 s$" e7 ||
    fail "ls on a closed endpoint: no retry note: $(cat e7)"
grep -q "attempts in [0-9]* ms; check the S3 endpoint" e7 || fail "ls on a closed endpoint: $(cat e7)"
# the budget is used whole (trial 55: "up to 5 s" gave up after 2.2 s)
ms=$(sed -n 's/.* attempts in \([0-9]*\) ms;.*/\1/p' e7)
[ "${ms:-0}" -ge 1900 ] || fail "ls on a closed endpoint gave up after $ms ms of a 2 s budget"
rc=0
timeout 60 "$B" archive prune --older-than 1 --archive s3://bkt --s3-endpoint "http://127.0.0.1:$port" \
    --s3-access-key-file ak --s3-secret-key-file sk --retry-seconds 1 > o8 2> e8 || rc=$?
[ $rc = 1 ] || fail "prune on a closed endpoint: exit $rc $(cat e8)"
! grep -q pruned o8 || fail "prune on a closed endpoint said: $(cat o8)"
ok "a closed S3 endpoint: the first retry is announced, the end names the attempts; prune says no 'pruned 0'"
# trial 55: `archive init extra` ran and exited 0
for args in "init extra" "prune x --older-than 1" "ls a b" "get a b"; do
    rc=0
    # shellcheck disable=SC2086
    "$B" archive $args > o9 2> e9 || rc=$?
    [ $rc = 2 ] && grep -q "unexpected argument" e9 || fail "archive $args: exit $rc $(cat e9)"
done
ok "archive init, prune, ls and get refuse extra words"
# trial 56: `archive put FIFO` and `get -o FIFO` hung, /dev/zero had no end
# (and left a 1.36 GB temporary file after SIGTERM), a failed `get -o F`
# removed F (/dev/null as root), `prune --older-than 0x10` was read as 16
"$B" archive put m1.eml > /dev/null
mkfifo pipe
for f in pipe /dev/zero; do
    rc=0
    timeout 20 "$B" archive put "$f" > o10 2> e10 || rc=$?
    [ $rc = 2 ] && grep -q "$f is not a regular file" e10 || fail "put $f: exit $rc $(cat e10)"
done
rc=0
timeout 20 "$B" archive get "sha256:$h1" -o pipe 2> e11 || rc=$?
[ $rc = 2 ] && grep -q "a named pipe that nothing reads from" e11 || fail "get -o FIFO: exit $rc $(cat e11)"
echo keep > kept.txt
rc=0
"$B" archive get "sha256:$(printf '%064d' 0)" -o kept.txt 2> e12 || rc=$?
[ $rc = 2 ] && [ "$(cat kept.txt)" = keep ] || fail "a failed get -o changed the file: exit $rc $(cat kept.txt)"
"$B" archive get "sha256:$(printf '%064d' 0)" -o /dev/null 2> /dev/null && fail "get of nothing succeeded"
[ -c /dev/null ] || fail "a failed get -o /dev/null removed it"
"$B" archive get "sha256:$h1" -o /dev/null || fail "get -o /dev/null"
"$B" archive get "sha256:$h1" -o kept.txt && cmp kept.txt m1.eml || fail "get -o over a file"
ls -a | grep -q '\.tmp' && fail "temporary files left: $(ls -a)"
# a put killed part-way leaves no part in the store (an unnamed file until whole)
head -c 200000000 /dev/zero > huge.bin
"$B" archive put huge.bin > /dev/null 2>&1 &
pid=$!
sleep 0.5
kill -TERM "$pid" 2> /dev/null || true
wait "$pid" || true
find store -name '*.tmp*' | grep -q . && fail "a killed put left: $(find store -name '*.tmp*')"
rm -f huge.bin
for v in 0x10 '' . ' 5'; do
    rc=0
    "$B" archive prune --older-than "$v" > o13 2> e13 || rc=$?
    [ $rc = 2 ] && grep -q -- "--older-than DAYS" e13 || fail "prune --older-than '$v': exit $rc $(cat o13 e13)"
done
"$B" archive get "sha256:$h1" > /dev/null || fail "a refused prune removed objects"
ok "put of a FIFO or device and get -o to a FIFO without a reader are refused; a failed get -o leaves the file; no temporary file; hex days refused"
# trial 55: a SIGTERM while mailbox-source retried its S3 archive waited
# for the whole retry budget (30 s); the retry ends when the stop comes
mb=$CAREEROPS_SOURCE_ROOT/datasets/sample-mailbox/sample.mbox
cat > s3stop.json <<J
{"pipeline":"s3stop","kafka":{"bootstrap.servers":"embedded"},
 "stages":[{"name":"ingest","plugin":"mailbox-source","output":"raw","config":{"path":"$mb",
   "archive":"s3://bkt","archive_s3_endpoint":"http://127.0.0.1:$port",
   "archive_s3_access_key_file":"ak","archive_s3_secret_key_file":"sk"}},
 {"name":"out","plugin":"mock-sink","input":"raw","config":{"path":"s3stop.jsonl"}}]}
J
"$B" run s3stop.json 2> s3stop.log &
rp=$!
sleep 3
kill -TERM "$rp"
t0=$SECONDS
rc=0
wait "$rp" || rc=$?
[ $((SECONDS - t0)) -lt 20 ] || fail "the stop waited $((SECONDS - t0)) s for the S3 retry"
grep -q "stopped while retrying" s3stop.log || fail "no 'stopped while retrying': $(grep -v librdkafka s3stop.log | tail -n 3)"
ok "a stop during mailbox-source's S3 retry ends it ($((SECONDS - t0)) s, exit $rc)"
# trial 55: an S3 endpoint with a port out of range was retried for the
# whole budget; it is refused at once, by the command and by validate
rc=0
timeout 60 "$B" archive ls --archive s3://bkt --s3-endpoint http://127.0.0.1:99999 \
    --s3-access-key-file ak --s3-secret-key-file sk --retry-seconds 5 > o14 2> e14 || rc=$?
[ $rc = 2 ] && grep -q "S3 endpoint: not a port number from 1 to 65535" e14 || fail "endpoint port 99999: exit $rc $(cat e14)"
sed "s|\"archive_s3_endpoint\":\"http://127.0.0.1:$port\"|\"archive_s3_endpoint\":\"http://127.0.0.1:99999\"|" s3stop.json > s3port.json
rc=0
"$B" validate s3port.json > o15 2> e15 || rc=$?
[ $rc = 2 ] && grep -q "config\.archive_s3_endpoint: not a port number from 1 to 65535" e15 || fail "validate endpoint port 99999: exit $rc $(cat e15)"
ok "an S3 endpoint port out of 1-65535 is refused at once"
