#!/usr/bin/env bash
# mock-fault FAILs every 100th record and RETRYs every 77th twice: the 100
# failures land in dlq_dead_letters with every careerops.error.* header, the
# rest reach the sink once, and retried records are delivered, not
# dead-lettered. Uses a standalone broker so `careerops dlq` can read it.
. "$(dirname "$0")/lib.sh"
cat > m.json <<'J'
{"pipeline":"itdlq","kafka":{"bootstrap.servers":"embedded"},"state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10000}},
  {"name":"mid","plugin":"mock-fault","input":"a","output":"b",
   "config":{"fail_every":100,"retry_every":77,"retry_times":2},
   "errors":{"backoff_ms":5,"backoff_max_ms":50}},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
start_broker m.json
"$B" run m.json --set "kafka.bootstrap.servers=$BS" --until-idle 2> run.log || fail "run: $(tail -3 run.log)"
k=$(distinct_keys out.jsonl); n=$(total_lines out.jsonl)
[ "$k" = 9900 ] && [ "$n" = 9900 ] || fail "sink has $n lines / $k keys, expected 9900"
# trial 85: dead letters, then exit 0 and no word at the end
grep -q 'pipeline itdlq: 100 records went to dead-letter topics this run' run.log ||
    fail "no closing line about the dead letters: $(tail -2 run.log)"
grep -q 'shows them and why' run.log || fail "no dlq list hint: $(tail -2 run.log)"
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" > dlq.txt
[ "$(wc -l < dlq.txt)" = 100 ] || fail "expected 100 dead letters, got $(wc -l < dlq.txt)"
grep -c 'injected failure for seq' dlq.txt | grep -qx 100 || fail "dead letters lack the reason"
first=$(head -1 dlq.txt | cut -f1)
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" > one.txt
for h in stage plugin class message attempts topic partition offset time; do
    grep -q "^header careerops.error.$h: ." one.txt || fail "missing header careerops.error.$h"
done
grep -q '^header careerops.error.stage: mid' one.txt || fail "wrong stage header"
# bad --offset, unknown topic, a replay that replays nothing: errors
set +e
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset abc 2> e1; r1=$?
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" --topic nosuch 2> e2; r2=$?
"$B" dlq replay m.json --set "kafka.bootstrap.servers=$BS" --offset 9:999999 > o3 2> e3; r3=$?
set -e
[ $r1 = 2 ] && grep -q -- "--offset 'abc': expected P:O" e1 || fail "show --offset abc: $r1 $(cat e1)"
# what names nothing is a fault of the command line, exit 2 (trial 71: 1
# here, 2 elsewhere); no "replayed 0" line
[ $r2 = 2 ] && grep -Eq -- "--topic nosuch(-[A-Za-z0-9]+)?: no such topic at .*no stage of the manifest dead-letters to it" e2 ||
    fail "list --topic nosuch: $r2 $(cat e2)"
[ $r3 = 2 ] && grep -q -- "--offset 9:999999: no dead letter there" e3 && [ ! -s o3 ] ||
    fail "replay of nothing: $r3 $(cat o3 e3)"
set +e
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset 9:0 > o7 2> e7; r7=$?
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" > o8 2> e8; r8=$?
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" --to a > o9 2> e9; r9=$?
# a dead-letter topic of the manifest nobody wrote to yet is empty, not a
# fault: list says so, exit 0
sed 's/"config":{"path":"out.jsonl"}}/"config":{"path":"out.jsonl"},"errors":{"dead_letter_topic":"dlq_sink"}}/' m.json > m10.json
grep -q dlq_sink m10.json || fail "m10.json has no dlq_sink"
"$B" dlq list m10.json --set "kafka.bootstrap.servers=$BS" --topic dlq_sink > o10 2> e10; r10=$?
set -e
[ $r7 = 2 ] && grep -q -- "--offset 9:0: no dead letter there" e7 || fail "show --offset 9:0: $r7 $(cat e7)"
[ $r8 = 2 ] && grep -q -- "dlq list takes no --offset" e8 || fail "list --offset: $r8 $(cat e8)"
[ $r9 = 2 ] && grep -q -- "dlq show takes no --to" e9 || fail "show --to: $r9 $(cat e9)"
[ $r10 = 0 ] && [ ! -s o10 ] && grep -Eq "^dlq_sink(-[A-Za-z0-9]+)? holds no dead letters$" e10 ||
    fail "list of an unwritten dead-letter topic: $r10 $(cat o10 e10)"
# trial 73: show and replay took a data topic's records for dead letters;
# replay of nothing was exit 1 though nothing failed; list of the default
# topic said "no dead letters" without naming the topic that had them
sed 's/"name":"src","plugin":"mock-source",/"name":"src","plugin":"mock-source","errors":{"dead_letter_topic":"dlq_src"},/' m.json > m11.json
set +e
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --topic b --offset 0:0 > o11 2> e11; r11=$?
"$B" dlq replay m.json --set "kafka.bootstrap.servers=$BS" --topic b > o12 2> e12; r12=$?
"$B" dlq replay m10.json --set "kafka.bootstrap.servers=$BS" --topic dlq_sink > o13 2> e13; r13=$?
"$B" dlq list m11.json --set "kafka.bootstrap.servers=$BS" > o14 2> e14; r14=$?
set -e
[ $r11 = 2 ] && [ ! -s o11 ] && grep -Eq "error: 0:0 in b(-[A-Za-z0-9]+)? is not a dead letter" e11 ||
    fail "show of a data topic's record: $r11 $(cat o11 e11)"
[ $r12 = 2 ] && grep -Eq "error: b(-[A-Za-z0-9]+)? holds no dead letters \(no record has" e12 ||
    fail "replay of a data topic: $r12 $(cat o12 e12)"
[ $r13 = 0 ] && grep -q "nothing replayed: dlq_sink.* holds no dead letters" e13 ||
    fail "replay of an unwritten dead-letter topic: $r13 $(cat o13 e13)"
[ $r14 = 0 ] && grep -Eq "^dlq_src(-[A-Za-z0-9]+)? holds no dead letters \(the manifest's other dead-letter topics: dlq_dead_letters(-[A-Za-z0-9]+)?; give --topic\)$" e14 ||
    fail "list of an empty default topic: $r14 $(cat o14 e14)"
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" | grep -q '^key: (none: null key)$' &&
    fail "a keyed dead letter shown as null-keyed"
"$B" dlq replay m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" --to a > o4 ||
    fail "replay of one: $(cat o4)"
grep -qx "replayed 1 dead letter" o4 || fail "replay of one: $(cat o4)"
# list of a topic that holds records but no dead letters (trial 28: empty
# columns, exit 0)
set +e
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" --topic b > o6 2> e6; r6=$?
set -e
[ $r6 = 2 ] && [ ! -s o6 ] && grep -Eq "error: b(-[A-Za-z0-9]+)? holds no dead letters" e6 || fail "list --topic b: exit $r6: $(cat e6)"
# --to a name Kafka refuses, or a dead-letter topic: refused before
# anything is produced (trial 28: "replayed 1 dead letters", exit 0)
for to in 'bad topic' '' dlq_dead_letters alerts __consumer_offsets aa; do
    set +e
    "$B" dlq replay m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" --to "$to" > o5 2> e5; r5=$?
    set -e
    [ $r5 = 2 ] && grep -Eq "error: --to .*(a topic name is|is a dead-letter topic|no stage of the manifest reads)" e5 ||
        fail "replay --to '$to': exit $r5: $(cat o5 e5)"
done
# every 77th record (not also a 100th) retried twice then delivered, once
python3 - <<'P' || fail "retried records wrong"
import json
seqs=[json.loads(json.loads(l)["value"])["seq"] for l in open("out.jsonl")]
want={s for s in range(77,10001,77) if s%100}
got=[s for s in seqs if s in want]
assert len(got)==len(want)==len(set(got)), (len(got),len(want))
P
grep -q '"retry 2 in' run.log || fail "no second retry in the log"
ok "100 dead letters with all headers; 9,900 delivered once; retried records delivered once; bad --offset, unknown topic and empty replay refused"
# trial 89: on the in-process broker the hint named `dlq list`, which then
# refused: the dead letters are gone with the process
"$B" run m.json --set stages.src.config.count=200 --set state=file:emb-state.json \
    --set stages.sink.config.path=emb.jsonl --until-idle 2> emb.log ||
    fail "run on the in-process broker: $(tail -3 emb.log)"
# (under `meson test --setup kafka` "embedded" is the real cluster: the
# dead letters stay, and the line names `dlq list`)
if grep -q 'embedded broker (in memory' emb.log; then
    grep -q 'pipeline itdlq: 2 records went to dead-letter topics this run .*gone with it: to keep dead letters for `careerops dlq replay`, run on `careerops broker` or a Kafka cluster' emb.log ||
        fail "the in-process broker's closing line: $(grep dead-letter emb.log | tail -1)"
else
    grep -q 'pipeline itdlq: [0-9]* records went to dead-letter topics this run (`careerops dlq list MANIFEST` shows them and why)' emb.log ||
        fail "the closing line on a cluster: $(grep dead-letter emb.log | tail -1)"
fi
ok "the closing line says where the dead letters are (gone with an in-process broker)"
