#!/usr/bin/env bash
# A sink with a rate limit, one stage per process on a shared standalone
# broker, stopped with SIGTERM three times while it waits for tokens: the
# record that waited is not committed by the sink's last flush (trial 28
# lost one record per stop), so after a final run every record is there.
. "$(dirname "$0")/lib.sh"
cat > m.json <<'J'
{"pipeline":"itrate","state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":1500}},
  {"name":"sink","plugin":"mock-sink","input":"a","rate_limit":{"per_second":150},
   "config":{"path":"out.jsonl"}}]}
J
start_broker m.json
S=(--set "kafka.bootstrap.servers=$BS")
"$B" run m.json "${S[@]}" --stage src --until-idle 2> src.log & SRC=$!; PIDS+=($SRC)
for i in 1 2 3; do
    "$B" run m.json "${S[@]}" --stage sink 2>> sink.log & SINK=$!; PIDS+=($SINK)
    wait_grow out.jsonl 200 30 || true
    kill -TERM $SINK; wait $SINK || fail "sink host exited $? on SIGTERM"
    echo "stopped the sink ($i), it has $(total_lines out.jsonl) lines"
done
wait $SRC || fail "source host failed: $(tail -3 src.log)"
"$B" run m.json "${S[@]}" --stage sink --until-idle 2>> sink.log ||
    fail "final sink run failed: $(tail -3 sink.log)"
n=$(total_lines out.jsonl); k=$(distinct_keys out.jsonl)
echo "duplicates after 3 SIGTERMs: $((n - k)) (lines $n, distinct $k)"
[ "$k" = 1500 ] || fail "missing records: $k of 1500"
ok "every record present after 3 SIGTERMs of a rate-limited sink"

# trial 71: while a record waited for a token, nothing finished before it
# was flushed or committed and records_in stood still for the whole wait.
# At 30 records a minute (2 s per token), 5 s in: records in, flushed,
# committed (lag below what was read), and the wait counted as it goes.
cat > slow.json <<'J'
{"pipeline":"itrateslow","kafka":{"bootstrap.servers":"embedded"},
 "http":{"listen":"127.0.0.1:0"},"defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"slow_a","config":{"count":8}},
  {"name":"sink","plugin":"mock-sink","input":"slow_a","rate_limit":{"per_minute":30},
   "config":{"path":"slow.jsonl"}}]}
J
start_run slow.json slow.log
wait_grow slow.jsonl 1 30 || fail "the first record was never flushed: $(tail -3 slow.log)"
sleep 5
curl -sf "http://127.0.0.1:$port/metrics" > slow.metrics || fail "no /metrics"
python3 - slow.metrics "$(total_lines slow.jsonl)" <<'P' || fail "metrics stood still during the waits: $(grep -E 'records_in_total|rate_limit_wait|consumer_lag' slow.metrics)"
import re, sys
m = open(sys.argv[1]).read()
flushed = int(sys.argv[2])
def val(pat):
    v = [float(x) for x in re.findall(pat + r'[^\n]* ([0-9.e+]+)$', m, re.M)]
    return sum(v) if v else None
rin = val(r'^careerops_records_in_total\{[^}]*stage="sink"')
wait = val(r'^careerops_rate_limit_wait_seconds_total\{[^}]*stage="sink"')
lag = val(r'^careerops_consumer_lag\{[^}]*stage="sink"')
print(f"records_in {rin}, wait {wait} s, lag {lag}, flushed {flushed}")
assert rin is not None and rin >= 2, rin
assert flushed >= 2, flushed
assert wait is not None and wait >= 3, wait
assert lag is not None and lag <= 8 - 2, lag
P
kill -TERM $RP; wait $RP || true
ok "a sink at 30 records a minute: records in, flushed, committed and the wait counted while it waits"

# trial 73: concurrency 4 let 4 times the rate through; the rate is the
# stage's, each instance takes a quarter (40 records at 8 a second: 5 s at
# least)
cat > conc.json <<'J'
{"pipeline":"itrateconc","kafka":{"bootstrap.servers":"embedded"},"defaults":{"partitions":4},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"conc_a","config":{"count":40}},
  {"name":"mid","plugin":"mock-passthrough","input":"conc_a","output":"conc_b","concurrency":4,
   "rate_limit":{"per_second":8}},
  {"name":"sink","plugin":"mock-sink","input":"conc_b","config":{"path":"conc.jsonl"}}]}
J
start_run conc.json conc.log
wait_keys conc.jsonl 1 60 || fail "no record reached the sink: $(tail -3 conc.log)"
t0=$(date +%s%N)
wait_keys conc.jsonl 40 120 || fail "only $(distinct_keys conc.jsonl) of 40 records"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -TERM $RP; wait $RP || true
[ "$ms" -ge 3500 ] || fail "39 records at 8 a second with concurrency 4 took $ms ms (the rate is the stage's)"
ok "concurrency 4 at 8 records a second: 39 records in $ms ms"

# trial 73: SIGINT while the next token is a minute away waited the whole
# 30 s drain: the stop does not wait past the drain's end for a token; the
# waiting record is read again by the next run (the drain is the
# in-process broker's: not on real Kafka)
[ "$ON_KAFKA" = 1 ] || {
cat > far.json <<'J'
{"pipeline":"itratefar","kafka":{"bootstrap.servers":"embedded"},"state":"file:far-state.json",
 "defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"far_a","config":{"count":5}},
  {"name":"sink","plugin":"mock-sink","input":"far_a","rate_limit":{"per_minute":1,"burst":2},
   "config":{"path":"far.jsonl"}}]}
J
start_run far.json far.log
wait_keys far.jsonl 2 60 || fail "the burst of 2 never reached the sink: $(tail -3 far.log)"
sleep 1
t0=$(date +%s)
kill -INT $RP; rc=0; wait $RP || rc=$?
took=$(( $(date +%s) - t0 ))
[ "$took" -lt 15 ] || fail "SIGINT with a token a minute away took $took s"
grep -q 'stage sink waits for a rate_limit token due after the drain.s end: not waiting for downstream to drain' far.log ||
    fail "the stop did not say why it did not wait: $(tail -5 far.log)"
ok "SIGINT with the next token a minute away: stopped in $took s (exit $rc), saying so"
}
