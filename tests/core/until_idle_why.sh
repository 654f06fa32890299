#!/usr/bin/env bash
# --until-idle on a run that cannot end (a source that follows its file):
# every CAREEROPS_IDLE_REPORT_MS (30 s by default) the host logs what it
# waits for, so that a run that never ends says why (core/supervisor.c).
. "$(dirname "$0")/../integration/lib.sh"
printf '{"key":"k%d","value":"v"}\n' 1 2 3 > in.jsonl
cat > m.json <<'J'
{"pipeline":"why","kafka":{"bootstrap.servers":"embedded"},
 "topics":{"a":{"partitions":2}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a",
   "config":{"file":"in.jsonl","follow":true}},
  {"name":"out","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J
CAREEROPS_IDLE_REPORT_MS=500 "$B" run m.json --until-idle 2> run.log &
pid=$!
PIDS+=("$pid")
for _ in $(seq 300); do
    grep -q 'not idle for' run.log && break
    kill -0 "$pid" 2>/dev/null || fail "the run ended: $(tail -3 run.log)"
    sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
grep 'not idle for' run.log | head -n 1 | grep -q '"level":"info".*--until-idle: not idle for [0-9]* s: source src is RUNNING' ||
    fail "no 'not idle' line naming the source: $(grep -m1 'not idle' run.log || tail -3 run.log)"
ok "a run that does not end logs what it waits for"
