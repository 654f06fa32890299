#!/usr/bin/env bash
# One stage per process on a shared standalone broker. The processor host
# is killed with SIGKILL mid-stream three times and restarted; the sink
# must end with every one of the 10,000 records (duplicates allowed).
. "$(dirname "$0")/lib.sh"
cat > m.json <<'J'
{"pipeline":"itcrash","kafka":{"bootstrap.servers":"embedded",
   "session.timeout.ms":"6000","heartbeat.interval.ms":"500"},"state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10000}},
  {"name":"mid","plugin":"mock-fault","input":"a","output":"b","commit_interval_ms":200,
   "config":{"sleep_ms":1}},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
start_broker m.json
S=(--set "kafka.bootstrap.servers=$BS")
"$B" run m.json "${S[@]}" --stage sink 2> sink.log & SINK=$!; PIDS+=($SINK)
"$B" run m.json "${S[@]}" --stage src --until-idle 2> src.log & SRC=$!; PIDS+=($SRC)
kills=0
for i in 1 2 3; do
    "$B" run m.json "${S[@]}" --stage mid 2>> mid.log & MID=$!; PIDS+=($MID)
    # kill once this process has moved the sink forward by 1,500 records
    wait_grow out.jsonl 1500 60 || true
    kill -9 $MID; wait $MID 2>/dev/null || true
    kills=$((kills + 1))
    echo "killed the processor host ($kills), sink has $(total_lines out.jsonl) lines"
done
"$B" run m.json "${S[@]}" --stage mid 2>> mid.log & MID=$!; PIDS+=($MID)
wait $SRC || fail "source host failed: $(tail -3 src.log)"
wait_keys out.jsonl 10000 120 || fail "sink has only $(distinct_keys out.jsonl) of 10000 keys"
kill -TERM $MID $SINK; wait $MID || fail "processor did not stop cleanly"; wait $SINK || true
n=$(total_lines out.jsonl); k=$(distinct_keys out.jsonl)
echo "duplicates after $kills SIGKILLs: $((n - k)) (lines $n, distinct $k)"
[ "$k" = 10000 ] || fail "missing records: $k of 10000"
ok "every record present after 3 SIGKILLs of the processor"
