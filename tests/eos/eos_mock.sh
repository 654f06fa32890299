#!/usr/bin/env bash
# delivery: exactly-once is refused where it cannot hold: on the embedded
# broker (validate names the reason and the fix), on a source and on a
# sink (validate says why), and on `careerops broker` behind a plain
# address (run refuses it before any stage starts, exit 2).
. "$(dirname "$0")/../integration/lib.sh"
# on a real broker (meson test --setup kafka) there is nothing to refuse
if declare -F mock_only > /dev/null; then
    mock_only "exactly-once is refused on the mock broker only"
fi

manifest() { # BOOTSTRAP
    cat > m.json <<J
{"pipeline":"eosmock","kafka":{"bootstrap.servers":"$1"},
 "state":"file:state.json","http":{"listen":"127.0.0.1:0"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b",
   "delivery":"exactly-once"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
}

manifest embedded
if "$B" validate m.json > out.txt 2> err.txt; then
    fail "validate accepted exactly-once on the embedded broker"
fi
grep -q 'stages\[1\] (mid).delivery: .*needs a real Kafka cluster.*mock cluster.*read_committed.*kafka.bootstrap.servers' err.txt ||
    fail "no reason and fix for the embedded broker: $(cat err.txt)"
ok "validate refuses exactly-once on the embedded broker, naming the fix"

# on a source and on a sink: refused whatever the broker
for s in src sink; do
    "$B" validate m.json --set "stages.$s.delivery=exactly-once" \
        --set kafka.bootstrap.servers=127.0.0.1:9 > out.txt 2> err.txt &&
        fail "validate accepted exactly-once on $s"
done
"$B" validate m.json --set stages.src.delivery=exactly-once \
    --set kafka.bootstrap.servers=127.0.0.1:9 2> err.txt || true
grep -q "stages\[0\] (src).delivery: .*source's input is not a Kafka topic" err.txt ||
    fail "no reason for the source: $(cat err.txt)"
"$B" validate m.json --set stages.sink.delivery=exactly-once \
    --set kafka.bootstrap.servers=127.0.0.1:9 2> err.txt || true
grep -q "stages\[2\] (sink).delivery: .*side effects .*outside the Kafka transaction" err.txt ||
    fail "no reason for the sink: $(cat err.txt)"
ok "validate refuses exactly-once on a source and on a sink, saying why"

# a processor on a cluster address: accepted by validate
"$B" validate m.json --set kafka.bootstrap.servers=127.0.0.1:9 > out.txt 2> err.txt ||
    fail "validate refused exactly-once on a cluster address: $(cat err.txt)"
"$B" validate m.json --set kafka.bootstrap.servers=127.0.0.1:9 \
    --set stages.mid.commit_interval_ms=70000 2> err.txt &&
    fail "validate accepted commit_interval_ms above transaction.timeout.ms"
grep -q 'stages\[1\] (mid).commit_interval_ms: .*transaction.timeout.ms' err.txt ||
    fail "no reason for the commit interval: $(cat err.txt)"
"$B" validate m.json --set kafka.bootstrap.servers=127.0.0.1:9 \
    --set stages.mid.max_batch=60000 \
    --set kafka.isolation.level=read_uncommitted 2> err.txt &&
    fail "validate accepted read_uncommitted and a huge transaction"
grep -q 'kafka.isolation.level: "read_uncommitted": .*aborted transactions' err.txt ||
    fail "no reason for isolation.level: $(cat err.txt)"
grep -q 'stages\[1\] (mid).max_batch: 60000 records per exactly-once transaction' err.txt ||
    fail "no reason for max_batch: $(cat err.txt)"
ok "validate accepts an exactly-once processor on a cluster address"

# `careerops broker` is the mock cluster too: the run refuses to start,
# exit 2 as for any configuration fault (trial 71: the stage went FAILED
# at start and the run exited 1), naming the stage's field
manifest embedded
start_broker m.json
for only in "--stage mid" ""; do
    rc=0
    timeout 60 "$B" run m.json --set "kafka.bootstrap.servers=$BS" $only \
        > run.out 2> run.err || rc=$?
    [ "$rc" = 2 ] || fail "run ${only:-(every stage)} on careerops broker: exit $rc, want 2: $(tail -3 run.err)"
    grep -q 'stages\[1\] (mid).delivery: delivery \\"exactly-once\\" needs a real Kafka cluster.*mock cluster.*set kafka.bootstrap.servers' run.err ||
        fail "no reason naming the field on careerops broker: $(tail -5 run.err)"
    grep -q 'stage src\|stage mid.*RUNNING' run.err && fail "a stage started: $(cat run.err)"
done
# a process without the exactly-once stage runs
timeout 60 "$B" run m.json --set "kafka.bootstrap.servers=$BS" --stage sink --until-idle \
    > run.out 2> run.err || fail "the sink alone did not run: $(tail -3 run.err)"
ok "exactly-once on careerops broker: run refused before any stage starts, exit 2, naming stages[1] (mid).delivery"
