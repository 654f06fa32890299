#!/usr/bin/env bash
# A fatal librdkafka error after the stage started (the idempotent
# producer's OUT_OF_ORDER_SEQUENCE_NUMBER, raised by the test hook
# CAREEROPS_TEST_KAFKA_FATAL_AFTER through rd_kafka_test_fatal_error())
# ends the stage FAILED: one FATAL line naming the error and the setting to
# check, /health 503, exit 1 when the process is stopped (no
# errors.restart) or a restart in the process (errors.restart); nothing
# that was not acknowledged is committed: after the restarts every input
# record reaches the sink (duplicates allowed and printed). Also: a
# malformed hook value is refused naming the variable; a source's fatal
# error ends --until-idle with exit 1.
. "$(dirname "$0")/../integration/lib.sh"
mock_only "the test hook needs the host's own producer; the same on Kafka"
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
N=20000
cat > m.json <<J
{"pipeline":"kfatal","kafka":{"bootstrap.servers":"embedded"},
 "http":{"listen":"127.0.0.1:0"},
 "topics":{"a":{"partitions":4},"b":{"partitions":4}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":$N,"rate":2000}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b",
   "commit_interval_ms":200},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
start_broker m.json

# 1. a malformed hook value: the stage cannot start, the log names it
rc=0
CAREEROPS_TEST_KAFKA_FATAL_AFTER=12x timeout 60 "$B" run m.json \
    --set "kafka.bootstrap.servers=$BS" \
    --stage mid --until-idle 2> bad.log || rc=$?
[ "$rc" = 1 ] || fail "a malformed CAREEROPS_TEST_KAFKA_FATAL_AFTER: exit $rc, not 1: $(tail -3 bad.log)"
grep -q 'CAREEROPS_TEST_KAFKA_FATAL_AFTER=\\"12x\\": not a positive count' bad.log ||
    fail "the log does not name the malformed hook value: $(tail -3 bad.log)"
ok "CAREEROPS_TEST_KAFKA_FATAL_AFTER=12x refused naming the variable (exit 1)"

# 2. the producer's fatal error after 8000 records
CAREEROPS_LOG_LEVEL=debug CAREEROPS_TEST_KAFKA_FATAL_AFTER=8000 "$B" run m.json \
    --set "kafka.bootstrap.servers=$BS" --stage mid 2> mid1.log &
MID=$!
PIDS+=($MID)
# the source after the processor joined its group (the mock delays the
# first join 3 s): the fatal error then meets a steady stream, with
# positions committed before it
wait_line mid1.log '"msg":"assigned [1-9]' 60 ||
    fail "mid got no partitions in 60 s: $(tail -3 mid1.log)"
"$B" run m.json --set "kafka.bootstrap.servers=$BS" --stage src --stage sink 2> ends.log &
PIDS+=($!)
wait_line mid1.log 'FATAL: stage mid' 60 || true
line=$(grep 'FATAL: stage mid' mid1.log || true)
[ -n "$line" ] || fail "no FATAL line for stage mid: $(tail -5 mid1.log)"
# librdkafka's own "FATAL" log line is left to debug: one line says it
fl=$(grep -v '"level":"debug"' mid1.log | grep '"msg":"FATAL' || true)
[ "$(grep -c . <<< "$fl")" = 1 ] || fail "not one FATAL line: $fl"
echo "$line"
for want in 'kafka producer fatal error: OUT_OF_ORDER_SEQUENCE_NUMBER' \
            'CAREEROPS_TEST_KAFKA_FATAL_AFTER=8000' \
            'check kafka.enable.idempotence' 'transactional.id'; do
    grep -qF "$want" <<< "$line" || fail "the FATAL line does not say '$want'"
done
grep -q '"level":"error"' <<< "$line" || fail "the FATAL line is not at level error"
port=$(grep -o 'http endpoint on [0-9.]*:[0-9]*' mid1.log | grep -o '[0-9]*$' | head -1)
[ -n "$port" ] || fail "no http endpoint in mid1.log"
st=$(curl -sf "http://127.0.0.1:$port/api/stages" | python3 -c 'import json,sys
d=json.load(sys.stdin); print(",".join(s["status"] for s in d["stages"] if s["stage"]=="mid"))')
[ "$st" = FAILED ] || fail "mid is '$st' after the fatal error, not FAILED"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")
[ "$code" = 503 ] || fail "/health is $code while mid is FAILED"
grep -q 'cannot produce to' mid1.log && fail "a produce error was logged besides the FATAL line"
kill -0 "$MID" 2>/dev/null || fail "the process exited by itself (no errors.restart: it stays up, FAILED)"
kill -TERM "$MID"
rc=0; wait "$MID" || rc=$?
[ "$rc" = 1 ] || fail "the process exited $rc after SIGTERM with a FAILED stage, not 1"
before=$(distinct_keys out.jsonl 2>/dev/null || echo 0)
ok "FATAL line names the error and the settings; mid FAILED, /health 503, exit 1 ($before records out before the restart)"

# 3. the processor started again, now with errors.restart: its second
# fatal error (8000 records later) restarts the stage in the process with
# new clients; every record arrives (what was not acknowledged was not
# committed and is read again)
python3 - <<'P'
import json
m = json.load(open("m.json"))
m["stages"][1]["errors"] = {"restart": True, "restart_backoff_ms": 200}
json.dump(m, open("m2.json", "w"))
P
CAREEROPS_TEST_KAFKA_FATAL_AFTER=8000 "$B" run m2.json \
    --set "kafka.bootstrap.servers=$BS" --stage mid 2> mid2.log &
PIDS+=($!)
wait_keys out.jsonl $N 150 || fail "only $(distinct_keys out.jsonl) of $N records reached the sink after the restart"
# (the hook fires once per process: the restarted instance runs on)
nf=$(grep -c '"msg":"FATAL: stage mid' mid2.log || true)
[ "$nf" = 1 ] || fail "$nf fatal errors with errors.restart, not 1: $(tail -3 mid2.log)"
grep -q 'restarting stage mid' mid2.log || fail "errors.restart did not restart mid after its fatal error"
n=$(total_lines out.jsonl)
echo "sink lines: $n, distinct keys: $N, duplicates: $((n - N))"
ok "after a fatal error and a process restart, and one more with errors.restart (restarted in the process), no record missing"

# 4. a source's producer: the source stops FAILED (its winding down does
# not hide it) and --until-idle exits 1 at once
cat > s.json <<'J'
{"pipeline":"kfsrc","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":5000}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"s.jsonl"}}]}
J
rc=0
CAREEROPS_TEST_KAFKA_FATAL_AFTER=1000 timeout 60 "$B" run s.json --until-idle 2> src.log || rc=$?
[ "$rc" = 1 ] || fail "a source's fatal error: exit $rc, not 1: $(tail -3 src.log)"
grep -q '"msg":"FATAL: stage src: kafka producer fatal error: OUT_OF_ORDER_SEQUENCE_NUMBER' src.log ||
    fail "no FATAL line for the source: $(tail -3 src.log)"
ok "a source's fatal producer error: FAILED, --until-idle exit 1"
