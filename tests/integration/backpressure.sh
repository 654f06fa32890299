#!/usr/bin/env bash
# Embedded-mode backpressure: 200,000 records of 1 KiB into a sink that
# sleeps 1 ms per record all arrive: the host paused the source instead of
# letting the mock cluster's 5 MiB-per-partition window drop data.
. "$(dirname "$0")/lib.sh"
mock_only "it guards the mock cluster's 5 MiB window (real Kafka keeps the backlog on disk)"
cat > m.json <<'J'
{"pipeline":"itbp","kafka":{"bootstrap.servers":"embedded"},
 "defaults":{"partitions":8},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":200000,"value_size":1024}},
  {"name":"sink","plugin":"mock-sink","input":"a","concurrency":8,
   "config":{"path":"out.jsonl","sleep_ms":1}}]}
J
start=$SECONDS
"$B" run m.json --until-idle 2> run.log || fail "run: $(tail -3 run.log)"
k=$(distinct_keys out.jsonl)
echo "sink: $k distinct of 200000 in $((SECONDS - start)) s"
grep -q 'DATA LOSS' run.log && fail "data loss reported: $(grep 'DATA LOSS' run.log | head -2)"
[ "$k" = 200000 ] || fail "lost records: $k of 200000"
ok "200,000 x 1 KiB delivered with backpressure"

# One stage per process on `careerops broker`: a fast processor before a
# slow sink waits on its output topic too (20,000 x 1 KiB on one partition
# is four times the mock cluster's window).
cat > p.json <<'J'
{"pipeline":"itbpmp","kafka":{"bootstrap.servers":"embedded"},
 "defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":20000,"value_size":1024}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"mp.jsonl","sleep_ms":1}}]}
J
start_broker p.json
S=(--set "kafka.bootstrap.servers=$BS")
start=$SECONDS
"$B" run p.json "${S[@]}" --stage sink 2> sink.log & SINK=$!; PIDS+=($SINK)
"$B" run p.json "${S[@]}" --stage mid 2> mid.log & MID=$!; PIDS+=($MID)
"$B" run p.json "${S[@]}" --stage src --until-idle 2> src.log || fail "source: $(tail -3 src.log)"
wait_keys mp.jsonl 20000 300 || true
kill -TERM $MID $SINK; wait $MID || true; wait $SINK || true
k=$(distinct_keys mp.jsonl)
echo "one stage per process: $k distinct of 20000 in $((SECONDS - start)) s"
grep -h 'DATA LOSS' sink.log mid.log && fail "data loss reported"
[ "$k" = 20000 ] || fail "lost records: $k of 20000"
ok "a processor before a slow sink waits on its output; nothing lost"
