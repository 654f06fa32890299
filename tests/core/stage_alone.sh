#!/usr/bin/env bash
# `run --stage` on the process's own in-memory broker (a new user's trial:
# `run m.json --stage ingest --until-idle` read a whole mailbox into a
# broker that ended with the process, saved the mailbox position past it,
# and the next full run said "nothing new": 40 messages never classified).
# 1. Without --bootstrap-file nothing could read what the stage writes:
#    refused (exit 2) before anything starts, the state untouched.
# 2. With --bootstrap-file the readers of other processes count: a SIGTERM
#    before any of them read leaves the source's position where it was
#    (exit 1, said), and the full run then gets every message.
# 3. A reader that joins through the file lets the source finish, exit 0.
# 6. careerops broker names at its stop the records no stage has read.
# 7. ... with --set, the consumer groups the stages ran as.
# 8. ... and the dead letters no stage reads.
. "$(dirname "$0")/../common/cli.sh"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
MB=$CAREEROPS_SOURCE_ROOT/datasets/sample-mailbox/sample.mbox
cat > m.json <<J
{"pipeline":"alone","state":"file:state.json","stages":[
 {"name":"ingest","plugin":"mailbox-source","output":"raw","config":{"path":"$MB","archive":"arch"}},
 {"name":"classify","plugin":"rules-classifier","input":"raw","output":"ev"},
 {"name":"show","plugin":"console-sink","input":"ev","config":{"path":"out.jsonl","format":"jsonl"}}]}
J
n_out() { [ -f out.jsonl ] && wc -l < out.jsonl || echo 0; }

# 1
expect 2 "error: stage classify \\(reads raw from ingest\\) is not in this process, and this process runs its own in-memory broker" \
    "run --stage ingest alone" timeout 60 "$B" run m.json --stage ingest --until-idle
[ ! -e state.json ] || fail "the refused run wrote its state: $(cat state.json)"
echo "ok: a source alone on its own broker is refused"

# 2 (the host is signalled once: GNU timeout without --foreground also
# signals its process group, and two SIGTERMs are a hard stop)
rm -f bs
timeout --foreground 60 "$B" run m.json --stage ingest --bootstrap-file bs --drain-timeout-ms 1500 \
    > src.log 2>&1 &
SRC=$!
for _ in $(seq 200); do grep -q "40 messages read this run" src.log && break; sleep 0.1; done
grep -q "40 messages read this run" src.log || fail "the source did not read: $(tail -3 src.log)"
kill -TERM $SRC
rc=0; wait $SRC || rc=$?
[ "$rc" = 1 ] || fail "source stopped before any reader: exit $rc, want 1: $(tail -3 src.log)"
grep -q "its position is not advanced" src.log || fail "no word on the position: $(tail -5 src.log)"
grep -q "within 1 s (stage classify, run by another process: " src.log ||
    fail "the stage run elsewhere that did not read is not named: $(grep 'not advanced' src.log)"
rc=0; timeout 90 "$B" run m.json --until-idle > full.log 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "the full run: exit $rc: $(tail -3 full.log)"
[ "$(n_out)" = 40 ] || fail "the full run after the lone source wrote $(n_out) events, want 40: $(grep -v debug full.log | tail -3)"
echo "ok: what no reader took is read again by the next run"

# 3
rm -f state.json out.jsonl bs
timeout 90 "$B" run m.json --stage ingest --bootstrap-file bs --until-idle > src2.log 2>&1 &
SRC=$!
for _ in $(seq 200); do [ -s bs ] && break; sleep 0.1; done
[ -s bs ] || fail "no bootstrap file: $(tail -3 src2.log)"
timeout 90 "$B" run m.json --stage classify --stage show \
    --set "kafka.bootstrap.servers=$(cat bs)" > rd.log 2>&1 &
RD=$!
rc=0; wait $SRC || rc=$?
[ "$rc" = 0 ] || fail "the source with a reader: exit $rc: $(tail -3 src2.log)"
kill -TERM $RD 2>/dev/null; wait $RD 2>/dev/null || true
[ "$(n_out)" = 40 ] || fail "the reader wrote $(n_out) events, want 40"
rc=0; timeout 60 "$B" run m.json --until-idle > again.log 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q "nothing new since the last run" again.log ||
    fail "after the reader took all: exit $rc: $(grep -v debug again.log | tail -3)"
echo "ok: a reader joining through --bootstrap-file lets the lone source finish"

# 4 (trial 61): every reader is named at once; a stage that reads the
# dead letters of a stage here counts as a reader; a lone reader process
# sharing its broker cannot tell when the sources of others are done
cat > m4.json <<J
{"pipeline":"alone4","state":"file:state4.json","stages":[
 {"name":"ingest","plugin":"mailbox-source","output":"raw","config":{"path":"$MB","archive":"arch"},
  "errors":{"dead_letter_topic":"dead"}},
 {"name":"classify","plugin":"rules-classifier","input":"raw","output":"ev"},
 {"name":"rawshow","plugin":"console-sink","input":"raw","config":{"path":"raw.jsonl","format":"jsonl"}},
 {"name":"show","plugin":"console-sink","input":"ev","config":{"path":"ev.jsonl","format":"jsonl"}},
 {"name":"dl","plugin":"console-sink","input":"dead","config":{"path":"dead.jsonl","format":"jsonl"}}]}
J
expect 2 "error: stages classify \\(reads raw from ingest\\), rawshow \\(reads raw from ingest\\), dl \\(reads dead from ingest\\) are not in this process.*add --stage classify --stage rawshow --stage dl" \
    "run --stage ingest with three readers elsewhere" timeout 60 "$B" run m4.json --stage ingest --until-idle
expect 2 "error: stage dl \\(reads dead from ingest\\) is not in this process" \
    "a dead-letter reader elsewhere" timeout 60 "$B" run m4.json --stage ingest --stage classify --stage rawshow --stage show --until-idle
expect 2 "error: --until-idle with --bootstrap-file: the source ingest of other processes" \
    "a reader process that shares its broker, --until-idle" timeout 60 "$B" run m4.json --stage classify --bootstrap-file bs4 --until-idle
[ ! -e state4.json ] && [ ! -e bs4 ] || fail "a refused run left state4.json or bs4"
echo "ok: every reader named, dead-letter readers count, --until-idle refused where the sources are elsewhere"

# 5 (trial 61): with --bootstrap-file, a reader of a later topic that never
# joins keeps the source's position: records of every topic live here
rm -f bs
timeout --foreground 60 "$B" run m4.json --stage ingest --bootstrap-file bs --drain-timeout-ms 1500 > s5.log 2>&1 &
SRC=$!
for _ in $(seq 200); do [ -s bs ] && break; sleep 0.1; done
[ -s bs ] || fail "no bootstrap file: $(tail -3 s5.log)"
"$B" run m4.json --stage classify --stage rawshow --stage dl \
    --set "kafka.bootstrap.servers=$(cat bs)" > r5.log 2>&1 &
RD=$!
for _ in $(seq 300); do [ -f raw.jsonl ] && [ "$(wc -l < raw.jsonl)" -ge 40 ] && break; sleep 0.1; done
sleep 3 # the source is idle now, but show has read nothing of ev
kill -TERM $SRC
rc=0; wait $SRC || rc=$?
kill -TERM $RD 2>/dev/null; wait $RD 2>/dev/null || true
[ "$rc" = 1 ] && grep -q "its position is not advanced" s5.log ||
    fail "a source whose later topic was not read: exit $rc: $(grep -v debug s5.log | tail -3)"
! grep -q '"alone4/ingest"' state4.json 2>/dev/null || ! grep -q '"position"' state4.json ||
    fail "the position was saved past events nobody read: $(head -c 300 state4.json)"
echo "ok: a later topic nobody read keeps the source's position"

# broker_up FILE LOG ARGS...: start `careerops broker --bootstrap-file
# FILE ARGS...` (stderr to LOG) in the background as $BR, and wait for FILE
broker_up() {
    local f=$1 log=$2
    shift 2
    rm -f "$f"
    "$B" broker --bootstrap-file "$f" "$@" > /dev/null 2> "$log" &
    BR=$!
    for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.1; done
    [ -s "$f" ] || fail "the broker did not start: $(cat "$log")"
}
# broker_down: SIGTERM $BR; its exit status in $rc
broker_down() {
    kill -TERM "$BR"
    rc=0
    wait "$BR" || rc=$?
}

# 6 (trial 63): on `careerops broker`, stages only with --until-idle ended
# at once saying "all sources done"; the source ran next, and the broker
# stopped without a word with its 40 records unread (the source's position
# past them, every exit status 0). The run now says no source runs there,
# and the broker names the records lost with it, exit 1.
rm -f state.json out.jsonl
broker_up bs6 br6.log --manifest m.json
timeout 60 "$B" run m.json --stage classify --stage show --set "kafka.bootstrap.servers=$(cat bs6)" --until-idle > c6.log 2>&1 ||
    fail "stages only, --until-idle: exit $?: $(grep -v debug c6.log | tail -3)"
grep -q "no source runs in this process" c6.log && ! grep -q "all sources done" c6.log ||
    fail "stages only: not said that no source runs there: $(grep caught c6.log)"
timeout 60 "$B" run m.json --stage ingest --set "kafka.bootstrap.servers=$(cat bs6)" --until-idle > i6.log 2>&1 ||
    fail "the source alone: exit $?: $(grep -v debug i6.log | tail -3)"
# trial 64: the source alone said "every stage caught up"
grep -q "stages of other processes may still be reading" i6.log && ! grep -q "every stage caught up" i6.log ||
    fail "the source alone: $(grep caught i6.log)"
broker_down
[ "$rc" = 1 ] || fail "the broker stopped with 40 records unread: exit $rc, want 1: $(tail -2 br6.log)"
grep -q "stopping with 40 records of topic raw that stage classify of pipeline alone has not read: they are lost" br6.log ||
    fail "the broker did not name the records lost with it: $(tail -2 br6.log)"
echo "ok: stages only on careerops broker say no source runs there; the broker names the records lost at its stop"

# 7 (note 29): stages run with `--set pipeline=other` commit as consumer
# groups of "other"; a broker given the manifest alone found nothing
# committed by "alone"'s and cried loss at its stop (exit 1). Given the
# same --set it finds them: exit 0; without it, the ERROR says why
rm -f state.json out.jsonl
broker_up bs7 br7.log --manifest m.json --set pipeline=other
timeout 120 "$B" run m.json --set pipeline=other --set "kafka.bootstrap.servers=$(cat bs7)" --until-idle > r7.log 2>&1 ||
    fail "the whole pipeline on careerops broker: exit $?: $(grep -v debug r7.log | tail -3)"
broker_down
[ "$rc" = 0 ] || fail "the broker with the stages' --set: exit $rc, want 0: $(grep -v debug br7.log | tail -2)"
expect 2 "error: --set overrides fields of the --manifest files" "broker --set without --manifest" \
    "$B" broker --set pipeline=x
rm -f state.json out.jsonl
broker_up bs7 br7b.log --manifest m.json
timeout 120 "$B" run m.json --set pipeline=other --set "kafka.bootstrap.servers=$(cat bs7)" --until-idle > r7b.log 2>&1 ||
    fail "the pipeline as 'other': exit $?: $(grep -v debug r7b.log | tail -3)"
broker_down
[ "$rc" = 1 ] && grep -q "Its consumer group careerops\.alone\.classify has committed nothing: if the stage ran with another pipeline name (\`--set pipeline=\.\.\.\`), its group is another; give \`careerops broker\` the same --set" br7b.log ||
    fail "a broker without the stages' --set: exit $rc: $(grep -v debug br7b.log | tail -2)"
echo "ok: careerops broker --set pipeline=... checks the groups the stages used"

# 8 (note 29): dead letters no stage reads died with the broker without a
# word; the broker now says how many, and how to read them first
cat > dl.json <<'J'
{"pipeline":"dl","state":"file:state8.json","stages":[
 {"name":"src","plugin":"mock-source","output":"a","config":{"count":20}},
 {"name":"mid","plugin":"mock-fault","input":"a","output":"b","config":{"fail_every":5}},
 {"name":"out","plugin":"mock-sink","input":"b","config":{"path":"out8.jsonl"}}]}
J
broker_up bs8 br8.log --manifest dl.json
timeout 120 "$B" run dl.json --set "kafka.bootstrap.servers=$(cat bs8)" --until-idle > r8.log 2>&1 ||
    fail "the pipeline with dead letters: exit $?: $(grep -v debug r8.log | tail -3)"
broker_down
[ "$rc" = 0 ] || fail "dead letters made the broker exit $rc: $(grep -v debug br8.log | tail -2)"
grep -q '"level":"warn".*stopping with 4 dead letters in topic dlq_dead_letters of pipeline dl, which no stage reads: they are lost with this in-memory broker; read them before the stop (`careerops dlq list dl.json --set kafka.bootstrap.servers=' br8.log ||
    fail "the dead letters no stage read were not named: $(grep -v debug br8.log | tail -2)"
! grep -q "not measured" br8.log || fail "unmeasured at the broker's stop: $(grep 'not measured' br8.log)"
echo "ok: careerops broker names the dead letters no stage reads at its stop"
