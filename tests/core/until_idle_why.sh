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
# run_until_line MANIFEST LOG PATTERN: run MANIFEST --until-idle, logging
# every 0.5 s why it is not idle, until LOG has PATTERN; then stop it
run_until_line() {
    CAREEROPS_IDLE_REPORT_MS=500 "$B" run "$1" --until-idle 2> "$2" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 300); do
        grep -q "$3" "$2" && break
        kill -0 "$pid" 2>/dev/null || fail "the run ended: $(tail -3 "$2")"
        sleep 0.1
    done
    kill -TERM "$pid"
    wait "$pid" || true
}
run_until_line m.json run.log 'not idle for'
grep 'not idle for' run.log | head -n 1 | grep -q '"level":"info".*--until-idle: not idle for [0-9]* s: source src is RUNNING' ||
    fail "no 'not idle' line naming the source: $(grep -m1 'not idle' run.log || tail -3 run.log)"
ok "a run that does not end logs what it waits for"

# a sink whose flush keeps failing: the line names the partitions behind
# (committed offset, end), how many records the stage's plugin processed
# OK and the state of an instance not RUNNING, so that a stall says
# whether the stage or the broker holds the records. With two instances
# and two inputs the count is the stage's, said once (trial 65: doubled,
# and repeated per topic)
printf '{"key":"j%d","value":"v"}\n' 1 2 3 4 > in2.jsonl
cat > m2.json <<'J'
{"pipeline":"why2","kafka":{"bootstrap.servers":"embedded"},
 "topics":{"c":{"partitions":2},"d":{"partitions":1}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"c","config":{"file":"in.jsonl"}},
  {"name":"src2","plugin":"mock-source","output":"d","config":{"file":"in2.jsonl"}},
  {"name":"out","plugin":"mock-sink","input":["c","d"],"concurrency":2,
   "config":{"path":"out2.jsonl","fail_on_flush":1000000}}]}
J
# (own topics: on Kafka the first run's "a" is the same topic)
# (the steady state: every record processed, both instances' flush failed)
steady='not idle for.*7 records processed OK.*instance [01] is WAITING.*behind on d'
run_until_line m2.json run2.log "$steady"
line=$(grep -m1 "$steady" run2.log || true)
echo "$line" | grep -Eq 'stage out is 3 records behind on c[^ ]* \(partition [01]: committed none, end [123](; partition 1: committed none, end [12])?\), 7 records processed OK by its plugin this run \(all its inputs\); instance [01] is WAITING: [^;]*; (instance [01] is WAITING: [^;]*; )?stage out is 4 records behind on d[^ ]* \(partition 0: committed none, end 4\)"' ||
    fail "the 'not idle' line (partitions, the stage's count once, its state): ${line:-$(tail -3 run2.log)}"
ok "a stage behind: its partitions (committed, end), its plugin's count once, its state"

# trial 83: errors.restart with a FATAL on every record restarted the stage
# every second for ever, and --until-idle never returned; now it gives up
# after CO_SUP_QUICK_FAIL_MAX quick FATALs in a row, exit 1
cat > m3.json <<'J'
{"pipeline":"why3","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"e","config":{"count":3}},
  {"name":"bad","plugin":"mock-fault","input":"e","output":"f",
   "errors":{"restart":true,"restart_backoff_ms":100},"config":{"fatal_at":1}},
  {"name":"out","plugin":"mock-sink","input":"f","config":{"path":"out3.jsonl"}}]}
J
rc=0
timeout 120 "$B" run m3.json --until-idle 2> run3.log || rc=$?
[ "$rc" = 1 ] || fail "a stage that FATALs at every restart: exit $rc, not 1: $(tail -3 run3.log)"
grep -q 'stage bad FAILED 5 times in a row, each within 10 s of its start: --until-idle does not restart it again' run3.log ||
    fail "no line about giving up on the stage: $(tail -3 run3.log)"
ok "--until-idle gives up on a stage that FATALs at every restart (exit 1)"
