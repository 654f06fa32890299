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
