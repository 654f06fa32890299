#!/usr/bin/env bash
# core/worker.c: offsets are committed only once every output of the
# records before them is acknowledged (pipelined, asynchronous commits).
# The processor runs in a process of its own on a standalone broker and is
# SIGKILLed three times while records flow: a commit ahead of its
# acknowledgements would lose records; none may be missing (duplicates
# are allowed and printed).
. "$(dirname "$0")/../integration/lib.sh"
cat > m.json <<'J'
{"pipeline":"commitorder","kafka":{"bootstrap.servers":"embedded"},
 "topics":{"a":{"partitions":4},"b":{"partitions":4}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":20000,"rate":2500}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b",
   "commit_interval_ms":200},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
start_broker m.json
"$B" run m.json --set "kafka.bootstrap.servers=$BS" --stage src --stage sink 2> ends.log &
PIDS+=($!)
start_mid() {
    "$B" run m.json --set "kafka.bootstrap.servers=$BS" --stage mid 2>> mid.log &
    MID=$!
    PIDS+=($MID)
}
start_mid
for k in 1 2 3; do
    sleep "$(python3 -c 'import random; print(round(random.uniform(1.5, 3), 2))')"
    kill -9 "$MID" 2>/dev/null || true
    wait "$MID" 2>/dev/null || true
    echo "killed the processor ($k)"
    start_mid
done
wait_keys out.jsonl 20000 150 || fail "only $(distinct_keys out.jsonl) of 20000 records reached the sink"
n=$(total_lines out.jsonl)
echo "sink lines: $n, distinct keys: 20000, duplicates: $((n - 20000))"
ok "3 SIGKILLs of the processor, no record missing"
