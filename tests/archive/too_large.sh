#!/usr/bin/env bash
# The host's size check before producing (issue 17): mock-source emits a
# small record, a 2.4 MB record (a plain-text email's size) and a small one.
# The big one is over the producer's message.max.bytes (1,000,000): it
# becomes ONE dead letter with the reason (class too_large, its value cut
# to fit), never a retry loop; the records before and after reach the sink,
# and the run ends within seconds.
. "$CAREEROPS_SOURCE_ROOT/tests/integration/lib.sh"
python3 - <<'P'
import json
with open("in.jsonl", "w") as f:
    f.write(json.dumps({"key": "before", "value": "small 1"}) + "\n")
    f.write(json.dumps({"key": "big", "value": "Subject: big\n\n" + "plain text line\n" * 150000}) + "\n")
    f.write(json.dumps({"key": "after", "value": "small 2"}) + "\n")
P
cat > m.json <<'J'
{"pipeline":"ittoolarge","kafka":{"bootstrap.servers":"embedded"},"state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"file":"in.jsonl"}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J
start_broker m.json
start=$(date +%s)
timeout 60 "$B" run m.json --set "kafka.bootstrap.servers=$BS" --until-idle 2> run.log ||
    fail "run: $(tail -3 run.log)"
took=$(($(date +%s) - start))
[ "$took" -le 30 ] || fail "took $took s"
python3 - <<'P' || fail "sink: $(cut -c1-200 out.jsonl)"
import json
keys = [json.loads(l)["key"] for l in open("out.jsonl")]
assert sorted(keys) == ["after", "before"], keys  # partitions: any order
P
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" > dlq.txt
[ "$(wc -l < dlq.txt)" = 1 ] || fail "expected 1 dead letter: $(cat dlq.txt)"
grep -q "record too large for topic a: 24[0-9]* bytes with headers, over the producer's message.max.bytes 1000000" dlq.txt ||
    fail "dead letter reason: $(cat dlq.txt)"
[ "$(grep -c 'record too large' run.log)" = 1 ] || fail "retried: $(grep -c 'record too large' run.log) warnings"
first=$(cut -f1 dlq.txt)
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" > one.txt
grep -q '^header careerops.error.class: too_large' one.txt || fail "class: $(grep class one.txt)"
ok "2.4 MB record: one dead letter ($(cut -f2- dlq.txt | cut -c1-160)), the records around it delivered, $took s"

# A processor's output too large (mock-fault pads it): its INPUT record is
# the dead letter, with its origin, so `dlq replay` sends it back through
# the stage (trial 40: the cut output went with an empty origin, and
# replay said "a source's dead letter")
cat > p.json <<'J'
{"pipeline":"ittoolargeproc","kafka":{"bootstrap.servers":"embedded"},"state":"file:pstate.json",
 "defaults":{"partitions":1},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"pa","config":{"count":3}},
  {"name":"mid","plugin":"mock-fault","input":"pa","output":"pb","errors":{"dead_letter_topic":"dlq_mid"},
   "config":{"inflate_bytes":1200000}},
  {"name":"sink","plugin":"mock-sink","input":"pb","config":{"path":"pout.jsonl"}}]}
J
timeout 60 "$B" run p.json --set "kafka.bootstrap.servers=$BS" --until-idle 2> prun.log ||
    fail "run: $(tail -3 prun.log)"
"$B" dlq list p.json --set "kafka.bootstrap.servers=$BS" --topic dlq_mid > pdlq.txt
[ "$(wc -l < pdlq.txt)" = 3 ] || fail "expected 3 dead letters: $(cat pdlq.txt)"
"$B" dlq show p.json --set "kafka.bootstrap.servers=$BS" --topic dlq_mid --offset "$(head -n 1 pdlq.txt | cut -f1)" > pone.txt
grep -q '^header careerops.error.topic: pa$' pone.txt || fail "origin topic: $(grep error.topic pone.txt)"
grep -q '^header careerops.error.offset: 0$' pone.txt || fail "origin offset: $(grep error.offset pone.txt)"
grep -q 'the input record is the dead letter' pone.txt || fail "reason: $(grep error.message pone.txt)"
[ "$(grep -c '"seq"' pone.txt)" -ge 1 ] && ! grep -q '      ' pone.txt || fail "the value is not the input record: $(grep -v header pone.txt | cut -c1-200)"
ok "a processor's output too large: its input record is the dead letter, origin pa@0"
