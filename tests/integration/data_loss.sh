#!/usr/bin/env bash
# With backpressure off and a tiny consumer prefetch, a fast source
# overruns the mock cluster's 5 MiB window while a slow sink reads: the host
# must report the loss with topic, partition and offsets.
. "$(dirname "$0")/lib.sh"
mock_only "it overruns the mock cluster's 5 MiB window on purpose (real Kafka keeps the records: nothing to detect)"
cat > m.json <<'J'
{"pipeline":"itloss","kafka":{"bootstrap.servers":"embedded",
   "queued.max.messages.kbytes":"64","queued.min.messages":"10","fetch.message.max.bytes":"65536"},
 "defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":30000,"value_size":1024}},
  {"name":"sink","plugin":"mock-sink","input":"a","commit_interval_ms":100,
   "config":{"path":"out.jsonl","sleep_ms":1}}]}
J
"$B" run m.json --no-backpressure --until-idle 2> run.log || true
grep 'DATA LOSS' run.log | head -1
grep -q 'DATA LOSS: topic a partition 0 offsets [0-9]*\.\.[0-9]* ([0-9]* records)' run.log \
    || fail "no data-loss report: $(tail -3 run.log)"
ok "data loss reported with topic, partition and offsets"

# The same with one stage per process on `careerops broker`, the consumer
# started after the source overran the window (nothing committed yet): the
# loss is reported from offset 0, not ignored.
cat > p.json <<'J'
{"pipeline":"itlossmp","kafka":{"bootstrap.servers":"embedded"},
 "defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":30000,"value_size":1024}},
  {"name":"sink","plugin":"mock-sink","input":"a","commit_interval_ms":100,
   "config":{"path":"mp.jsonl"}}]}
J
start_broker p.json
S=(--set "kafka.bootstrap.servers=$BS")
"$B" run p.json "${S[@]}" --stage src --until-idle --no-backpressure 2> src.log \
    || fail "source host: $(tail -3 src.log)"
"$B" run p.json "${S[@]}" --stage sink 2> sink.log & SINK=$!; PIDS+=($SINK)
for _ in $(seq 300); do grep -q 'DATA LOSS' sink.log && break; sleep 0.1; done
kill -TERM $SINK; wait $SINK || true
grep 'DATA LOSS' sink.log | head -1
grep -q 'DATA LOSS: topic a partition 0 offsets 0\.\.[0-9]* ([0-9]* records)' sink.log \
    || fail "no data-loss report from offset 0 on the standalone broker: $(tail -3 sink.log)"
ok "data loss reported on the standalone broker before the first commit"
