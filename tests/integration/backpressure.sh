#!/usr/bin/env bash
# Embedded-mode backpressure: 200,000 records of 1 KiB into a sink that
# sleeps 1 ms per record all arrive: the host paused the source instead of
# letting the mock cluster's 5 MiB-per-partition window drop data.
. "$(dirname "$0")/lib.sh"
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
