#!/usr/bin/env bash
# delivery: exactly-once on a real Kafka cluster: EOS_RECORDS (20,000)
# numbered records in a 4-partition topic go through a processor stage with
# `delivery: exactly-once` (5 ms per record), run as its own process and
# SIGKILLed EOS_KILLS (50) times mid-stream, restarted at once: each kill
# lands a random 0..EOS_KILL_MS (1000) ms after the host took in its first
# record, so transactions are open (up to 200 ms or 500 records each), and
# the host started after the last kill must still find records to process.
# A read_committed consumer downstream then counts the output: 0 missing,
# 0 duplicates. A read_uncommitted count shows what the aborted
# transactions left in the log (informational).
#
# Needs CAREEROPS_KAFKA_BOOTSTRAP (`eval "$(scripts/kafka.sh env)"`), else
# it is skipped (exit 77). EOS_SEED repeats a kill schedule.
if [ -z "${CAREEROPS_KAFKA_BOOTSTRAP:-}" ]; then
    echo "SKIP: CAREEROPS_KAFKA_BOOTSTRAP is not set: start a real broker" \
        "with scripts/kafka.sh start and eval \"\$(scripts/kafka.sh env)\"" \
        "(needs Java 17 and Maven Central)"
    exit 77
fi
. "$(dirname "$0")/../integration/lib.sh"
# this test names its own broker and topics: the real binary, not the
# manifest rewriter of `meson test --setup kafka` (tests/kafka/on_kafka.py)
B=${CAREEROPS_REAL_BIN:-$B}
: "${EOS_TOOL:?run through meson test}"
KBS=$CAREEROPS_KAFKA_BOOTSTRAP
N=${EOS_RECORDS:-20000}
KILLS=${EOS_KILLS:-50}
KILL_MS=${EOS_KILL_MS:-1000}
SEED=${EOS_SEED:-$$}
RANDOM=$SEED
echo "seed $SEED (EOS_SEED=$SEED repeats the kill schedule), broker $KBS"
# the real broker keeps its topics and groups: names of this run only
RUN="eos$(date +%s)x$$"
IN="${RUN}_in" OUT="${RUN}_out" DLQ="${RUN}_dlq"

"$EOS_TOOL" produce "$KBS" "$IN" 4 "$N" || fail "cannot produce the input"

cat > m.json <<J
{"pipeline":"$RUN","kafka":{"bootstrap.servers":"$KBS"},
 "state":"file:state.json","http":{"listen":"127.0.0.1:0"},
 "defaults":{"partitions":4},
 "stages":[
  {"name":"mid","plugin":"mock-fault","input":"$IN","output":"$OUT",
   "delivery":"exactly-once","commit_interval_ms":200,"max_batch":500,
   "errors":{"dead_letter_topic":"$DLQ"},
   "config":{"sleep_ms":5}}]}
J
"$B" validate m.json || fail "validate refused the exactly-once manifest"

mkdir -p logs
STARTS=0
start() {
    STARTS=$((STARTS + 1))
    LOG="logs/mid.$STARTS.log"
    "$B" run m.json --stage mid 2> "$LOG" &
    PID=$!
    PIDS+=($!)
}
# records the current host took in (careerops_records_in_total on its
# /metrics), 0 until it answers
records_in() {
    local addr
    addr=$(sed -n 's/.*http endpoint on \([0-9.]*:[0-9]*\).*/\1/p' "$LOG" 2>/dev/null)
    curl -sf -m 2 "http://${addr:-127.0.0.1:1}/metrics" 2>/dev/null |
        awk '/^careerops_records_in_total/ { n += $NF } END { printf "%d\n", n }'
}
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

t0=$SECONDS
start
busy=0
# wait_busy SECONDS: until the current host took in a record
wait_busy() {
    local end=$((SECONDS + $1))
    while [ $SECONDS -lt $end ] && [ "$(records_in)" -lt 1 ]; do
        kill -0 "$PID" 2>/dev/null || return 1
        sleep 0.05
    done
    [ "$(records_in)" -ge 1 ]
}
for ((k = 1; k <= KILLS; k++)); do
    wait_busy 30 || fail "kill $k: the host took in nothing within 30 s" \
        "(the stream ended early, or the host is stuck): $(tail -3 "$LOG")"
    sleep_ms $((RANDOM % (KILL_MS + 1)))
    busy=$((busy + $(records_in)))
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    start
done
echo "$KILLS SIGKILLs in $((SECONDS - t0)) s; the killed hosts took in" \
    "$busy records in all (those of open transactions are processed again)"
wait_busy 30 || fail "the stream ended before the last kill: raise EOS_RECORDS"
echo "the host after the last kill still had records to process"

# the last host finishes the stream; the downstream consumer counts
"$EOS_TOOL" count "$KBS" "$OUT" "$N" 600 > count.txt || true
kill -TERM "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
cat count.txt
"$EOS_TOOL" count "$KBS" "$OUT" "$N" 60 read_uncommitted || true
echo "$((SECONDS - t0)) s in all"
if grep -ah '"level":"error"' logs/*.log | grep -v 'Disconnected\|alert trigger' | head -5 | grep .; then
    echo "(errors above were logged by the hosts)"
fi
grep -q 'FAILED' "$LOG" && fail "the last host FAILED: $(grep -a FAILED "$LOG" | head -3)"
"$EOS_TOOL" count "$KBS" "$OUT" "$N" 60 > final.txt ||
    fail "downstream read_committed: $(cat final.txt)"
cat final.txt
ok "$N records through $KILLS SIGKILLs: 0 missing, 0 duplicates downstream (read_committed)"
