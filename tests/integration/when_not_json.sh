#!/usr/bin/env bash
# A stage with `when` and a record whose value is not a JSON document: the
# record is dead-lettered with the reason, not skipped in silence (trial
# 28); JSON records are selected by `when` as before.
. "$(dirname "$0")/lib.sh"
cat > in.jsonl <<'J'
{"key":"a","value":"{\"event_type\":\"INTERVIEW\",\"company\":\"Acme\"}"}
{"key":"b","value":"{\"event_type\":\"OTHER\"}"}
{"key":"c","value":"plain text, not JSON"}
{"key":"d","value":null}
J
cat > m.json <<'J'
{"pipeline":"itwhen","stages":[
  {"name":"src","plugin":"mock-source","output":"ev","config":{"file":"in.jsonl"}},
  {"name":"show","plugin":"mock-sink","input":"ev","when":{"event_type":["INTERVIEW"]},
   "config":{"path":"out.jsonl"}},
  {"name":"dl","plugin":"mock-sink","input":"dlq_dead_letters","errors":{"tolerance":"none"},
   "config":{"path":"dl.jsonl"}}]}
J
"$B" run m.json --until-idle 2> run.log || fail "run failed: $(tail -3 run.log)"
[ "$(total_lines out.jsonl)" = 1 ] && grep -q '"key":"a"' out.jsonl ||
    fail "when selected: $(cat out.jsonl)"
# trial 71: a record with a null value vanished (neither passed nor
# dead-lettered)
[ "$(total_lines dl.jsonl)" = 2 ] && grep -q '"key":"c"' dl.jsonl && grep -q '"key":"d"' dl.jsonl ||
    fail "dead letters: $(cat dl.jsonl 2>/dev/null)"
grep -q "the record's value is null (no value), so the stage's .when. cannot test it" run.log ||
    fail "no reason for the null value: $(grep -c when run.log)"
grep -q "dead-lettering record .*\[when\] .*cannot test it" run.log || fail "no reason logged: $(tail -3 run.log)"
ok "a value that is not JSON, or null, under when: a dead letter each with the reason; when selects the rest"
