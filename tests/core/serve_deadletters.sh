#!/usr/bin/env bash
# Trial 45: careerops serve's dead letters. (1) A named pipe as the file
# held all 8 endpoint threads in open() for good: /health never answered
# again and SIGTERM did not end serve; now it is refused at once (500
# saying what it is) and SIGTERM ends serve within 5 s whatever its
# requests do. (4) 3 listings at once of 60 letters of 15 MiB took 62 s
# and 5.5 GB; now a listing stops at 32 MiB of letters, cuts long
# strings, says how many it left out. (6) serve pipelines/demo.json read
# .run/demo/dead-letters.jsonl, the demo writes .run/demo/demo/. No
# PostgreSQL needed.
. "$(dirname "$0")/../integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
trap 'echo "ERR line $LINENO: $BASH_COMMAND" >&2' ERR
SRC=${CAREEROPS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export CAREEROPS_STATE=postgresql://nobody@127.0.0.1:1/none
# serve_start OUT: careerops serve on the demo manifest; sets url, tok, SP
serve_start() {
    "$B" serve "$SRC/pipelines/demo.json" --listen 127.0.0.1:0 > "$1.out" 2> "$1.log" & SP=$!; PIDS+=($SP)
    for _ in $(seq 100); do grep -q http "$1.out" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[0-9.:]*/' "$1.out") || fail "serve: $(cat "$1.log")"
    tok=$(grep -o '#token=[0-9a-f]*' "$1.out" | cut -d= -f2)
}
# stopped_within SECONDS: SIGTERM to serve; it must exit within SECONDS
stopped_within() {
    local t0=$SECONDS
    kill -TERM "$SP"
    for _ in $(seq $(($1 * 10))); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$SP" 2>/dev/null || fail "serve still runs $1 s after SIGTERM"
    wait "$SP" || true
    echo $((SECONDS - t0))
}

# (6) the demo's file: demo.sh writes $root/.run/demo/$id/dead-letters.jsonl,
# id=demo for the sample mailbox (schema demo, the manifest's default)
grep -q 'run=$root/.run/demo/$id$' "$SRC/scripts/demo.sh" &&
    grep -q 'dlq=$run/dead-letters.jsonl' "$SRC/scripts/demo.sh" ||
    fail "scripts/demo.sh no longer keeps dead letters in .run/demo/\$id/: update this test and pipelines/demo.json"
(unset CAREEROPS_DEMO_DLQ; serve_start demo
 f=$(curl -s -H "Authorization: Bearer $tok" "${url}api/deadletters" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["file"])')
 case "$f" in */.run/demo/demo/dead-letters.jsonl) ;; *) fail "serve reads $f, the demo writes .run/demo/demo/dead-letters.jsonl" ;; esac
 stopped_within 5 > /dev/null
 ok "serve pipelines/demo.json reads the demo's dead letters: $f")

# (1) a named pipe
mkfifo dl.fifo
export CAREEROPS_DEMO_DLQ=$T/dl.fifo
serve_start fifo
for i in $(seq 30); do
    curl -s -m 20 -o "f$i.json" -w '%{http_code}' -H "Authorization: Bearer $tok" \
        "${url}api/deadletters" > "f$i.code" &
done
sleep 0.5
h=$(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}' "${url}health")
wait $(jobs -p | grep -v "^$SP$") 2> /dev/null || true
read -r hc ht <<< "$h"
[ "$hc" = 200 ] && python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 2)" "$ht" ||
    fail "/health with 30 listings of a FIFO: $hc in $ht s"
[ "$(cat f1.code)" = 500 ] && grep -q 'a named pipe, not a regular file' f1.json ||
    fail "a FIFO as the dead letters: $(cat f1.code) $(cat f1.json)"
n500=$(grep -l 'named pipe' f*.json | wc -l)
[ $((n500 + $(grep -l 'busy' f*.json | wc -l))) = 30 ] || fail "30 listings of a FIFO: $(cat f*.code)"
s=$(stopped_within 6)
ok "a FIFO: $n500 of 30 answered 500 naming it (the others 503 busy), /health in $ht s, SIGTERM ended serve in ${s}s"

# (4) 10 letters of 15 MiB, 3 listings at once: bounded time and memory
python3 - "$T/big.jsonl" <<'P'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write("\n\nnot a letter\n")
    for i in range(10):
        f.write(json.dumps({"partition": 0, "offset": i, "key": "k%d" % i,
                            "headers": {"careerops.error.message": "too big"},
                            "value": "x" * (15 << 20)}) + "\n")
P
export CAREEROPS_DEMO_DLQ=$T/big.jsonl
serve_start big
for i in 1 2 3; do
    curl -s -m 60 -o "b$i.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $tok" \
        "${url}api/deadletters" > "b$i.code" &
done
wait $(jobs -p | grep -v "^$SP$") 2> /dev/null || true
hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$SP/status")
for i in 1 2 3; do
    read -r c t < "b$i.code"
    [ "$c" = 200 ] || grep -q busy "b$i.json" || fail "listing $i: $c $(head -c 300 "b$i.json")"
done
# one of the listings that was not turned away busy (which one is chance)
ok200=$(grep -l '^200 ' b1.code b2.code b3.code | head -n 1)
[ -n "$ok200" ] || fail "no listing answered 200: $(cat b*.code)"
okjson=${ok200%.code}.json
python3 - "$okjson" <<'P' || fail "the bounded listing: $(head -c 300 "$okjson")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] == 10 and d["unreadable"] == 1, d
assert len(d["letters"]) == 2 and d["left_out"] == 8, (len(d["letters"]), d["left_out"])
l = d["letters"][-1]
assert l["offset"] == 9 and len(l["value"]) == 16 << 10 and l["truncated"] == {"value": 15 << 20}, l.keys()
assert len(open(sys.argv[1]).read()) < 1 << 20
P
[ "$hwm" -lt 400 ] || fail "serve peaked at $hwm MB for 3 listings of 15 MiB letters (want under 400)"
read -r c t < "$ok200"
s=$(stopped_within 6)
ok "10 letters of 15 MiB, 3 listings at once: 2 listed (values cut to 16 KiB), 8 left out, in $t s; serve peaked at $hwm MB"
