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
rc=0
"$B" run m.json --no-backpressure --until-idle 2> run.log || rc=$?
grep 'DATA LOSS' run.log | head -1
grep -q 'DATA LOSS: topic a partition 0 offsets [0-9]*\.\.[0-9]* ([0-9]* records)' run.log \
    || fail "no data-loss report: $(tail -3 run.log)"
ok "data loss reported with topic, partition and offsets"
# trial 83: records lost, and the run exited 0
[ "$rc" = 1 ] || fail "a run that lost records exited $rc, not 1"
grep -q 'pipeline itloss: [0-9]* records were dropped by the broker before a stage read them' run.log \
    || fail "no closing line about the loss: $(tail -3 run.log)"
ok "a run that lost records exits 1 and says how many"

# trial 83: records of 900 KB (two fit in 40% of the 5 MiB window): the
# backpressure's floor of 10 records let the source overrun the window
# (13 of 40 lost, exit 0); now nothing is lost
cat > big.json <<'J'
{"pipeline":"itbig","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":40,"value_size":900000}},
  {"name":"pass","plugin":"mock-passthrough","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"big.jsonl"}}]}
J
"$B" run big.json --until-idle 2> big.log || fail "900 KB records: exit $?: $(grep -m1 'DATA LOSS' big.log)"
[ "$(wc -l < big.jsonl)" = 40 ] || fail "900 KB records: $(wc -l < big.jsonl) of 40 arrived"
ok "40 records of 900 KB pass the embedded broker, none lost"

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
