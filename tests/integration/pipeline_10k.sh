#!/usr/bin/env bash
# 10,000 records: mock-source -> mock-passthrough -> mock-sink on the
# in-process embedded broker; each record exactly once in the sink's set.
# Also reads /health, /metrics and /api/stages while it runs.
. "$(dirname "$0")/lib.sh"
cat > m.json <<'J'
{"pipeline":"it10k","kafka":{"bootstrap.servers":"embedded"},
 "http":{"listen":"127.0.0.1:0"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10000,"rate":4000}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
"$B" run m.json --until-idle 2> run.log &
RP=$!; PIDS+=($RP)
port=""
for _ in $(seq 50); do
    port=$(grep -o 'http endpoint on 127.0.0.1:[0-9]*' run.log | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || fail "no http endpoint in the log"
sleep 1
curl -sf "http://127.0.0.1:$port/health" | grep -q '"ok"' || fail "/health"
curl -sf "http://127.0.0.1:$port/metrics" > metrics.txt || fail "/metrics"
grep -q '^careerops_records_out_total{stage="src"}' metrics.txt || fail "metrics lack records_out"
grep -q '^# TYPE careerops_processing_seconds histogram' metrics.txt || fail "no latency histogram"
curl -sf "http://127.0.0.1:$port/api/stages" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["stages"])==3, d' || fail "/api/stages"
wait $RP || fail "run exited $?: $(tail -5 run.log)"
n=$(total_lines out.jsonl); k=$(distinct_keys out.jsonl)
echo "sink lines: $n, distinct keys: $k"
[ "$k" = 10000 ] || fail "expected 10000 distinct keys, got $k"
[ "$n" = 10000 ] || fail "expected each record exactly once, got $n lines"
ok "10,000 records exactly once; http endpoints answered"
