#!/usr/bin/env bash
# `careerops broker` SIGKILLed while a host that runs every stage of the
# pipeline is busy (trial 44: 2,605 of 6,000 emails never stored, the
# mailbox source already past them, no word): the source's position is
# saved only when the whole pipeline has stored what it emitted, so the
# next run, on a new broker, reads the rest again: every message arrives
# (duplicates allowed; the positions in a file:, as in PostgreSQL, outlive
# the broker). A host running some stages only says at start that
# records the broker holds are lost if it dies.
. "$(dirname "$0")/lib.sh"
mock_only "kills the standalone embedded broker"
N=2000
python3 - "$N" <<'P'
import sys
n = int(sys.argv[1])
with open("box.mbox", "w") as f:
    for i in range(n):
        f.write(f"From a{i}@example.test Mon Jan  5 10:00:00 2026\n"
                f"From: Sender {i} <a{i}@example.test>\nTo: me@example.test\n"
                f"Subject: message {i}\nMessage-ID: <m{i}@example.test>\n"
                f"Date: Mon, 5 Jan 2026 10:00:00 +0000\n\nbody {i}\n\n")
P
cat > m.json <<'J'
{"pipeline":"itkill","kafka":{"bootstrap.servers":"embedded"},"defaults":{"partitions":1},"state":"file:state.json",
 "stages":[
  {"name":"ingest","plugin":"mailbox-source","output":"raw","config":{"path":"box.mbox"}},
  {"name":"mid","plugin":"mock-passthrough","input":"raw","output":"ev"},
  {"name":"sink","plugin":"mock-sink","input":"ev","commit_interval_ms":100,
   "config":{"path":"out.jsonl","sleep_ms":2}}]}
J
start_broker m.json
BPID=${PIDS[-1]}
"$B" run m.json --set "kafka.bootstrap.servers=$BS" 2> run1.log & RP=$!; PIDS+=($RP)
wait_grow out.jsonl 200 60 || fail "no records flowed: $(tail -3 run1.log)"
kill -9 "$BPID"
stop_host "$RP" run1.log
[ "$rc" = 1 ] || fail "exit $rc after a stop with records the dead broker held (want 1): $(grep -v debug run1.log | tail -n 3)"
first=$(distinct_keys out.jsonl)
[ "$first" -lt "$N" ] || fail "all $N arrived before the broker died: make the sink slower"
rm -f bs.txt
start_broker m.json
timeout 300 "$B" run m.json --until-idle --set "kafka.bootstrap.servers=$BS" 2> run2.log ||
    fail "second run: exit $?: $(tail -n 3 run2.log)"
got=$(distinct_keys out.jsonl)
[ "$got" = "$N" ] || fail "$got of $N messages after the broker was SIGKILLed and the run repeated ($first before): $(grep -i resum run2.log | head -n 2)"
ok "broker SIGKILLed with $first of $N stored: the next run on a new broker read the rest again, $got of $N ($(total_lines out.jsonl) lines with duplicates)"

# the same when the source has read everything already and only the
# stages downstream hold records (trial 45: exit 0, one WARN about "the
# partitions' next owner"): exit 1, and an ERROR says what is read again
rm -f state.json out.jsonl
sed 's/"sleep_ms":2/"sleep_ms":20/' m.json > m2.json
rm -f bs.txt
start_broker m.json
BPID=${PIDS[-1]}
"$B" run m2.json --set "kafka.bootstrap.servers=$BS" 2> run3.log & RP=$!; PIDS+=($RP)
wait_grow out.jsonl 30 60 || fail "no records flowed: $(tail -3 run3.log)"
wait_line run3.log "$N messages read this run" 60 || fail "the source did not read the mailbox: $(grep -v debug run3.log | tail -n 2)"
kill -9 "$BPID"
stop_host "$RP" run3.log
n3=$(distinct_keys out.jsonl)
[ "$n3" -lt "$N" ] || fail "all $N stored before the broker died: make the sink slower"
[ "$rc" = 1 ] || fail "exit $rc with $n3 of $N stored and the broker dead (want 1): $(grep -v debug run3.log | grep -v librdkafka | tail -n 4)"
grep -q '"level":"error".*read again at' run3.log ||
    fail "no ERROR saying what is read again: $(grep -v debug run3.log | grep -v librdkafka | tail -n 4)"
grep -q "next owner" run3.log && fail "a stop speaks of the partitions' next owner: $(grep 'next owner' run3.log | head -n 1)"
ok "the source done, $n3 of $N stored, the broker SIGKILLed: exit 1, an ERROR says what is read again"
rm -f bs.txt
start_broker m.json

# a host with some stages only: the WARN at start
"$B" run m.json --stage ingest --set "kafka.bootstrap.servers=$BS" 2> part.log & RP=$!; PIDS+=($RP)
wait_line part.log 'keeps records in memory only: if it dies' 30 ||
    fail "no WARN for a host with some stages on the embedded broker: $(grep -v debug part.log | tail -n 3)"
kill -TERM "$RP"; wait "$RP" || true
# trial 63: said in every --stage process, also where no source runs
sink=$(python3 -c 'import json,sys; print([s["name"] for s in json.load(open(sys.argv[1]))["stages"] if s.get("input")][-1])' m.json)
"$B" run m.json --stage "$sink" --set "kafka.bootstrap.servers=$BS" 2> part2.log & RP=$!; PIDS+=($RP)
wait_line part2.log 'running 1 stage instance' 30 || fail "the sink alone did not start: $(grep -v debug part2.log | tail -n 3)"
kill -TERM "$RP"; wait "$RP" || true
! grep -q 'keeps records in memory only' part2.log || fail "the WARN about a source's records in a process with no source"
! grep -q 'state is the in-memory store' part2.log || fail "the in-memory state WARN with state file:"
# trial 80: with the in-memory state, each process's positions end with it
"$B" run m.json --stage "$sink" --set "kafka.bootstrap.servers=$BS" --set state=memory: 2> part3.log & RP=$!; PIDS+=($RP)
wait_line part3.log 'state is the in-memory store (memory:) and this process runs only some of the stages' 30 ||
    fail "no WARN for the in-memory state with --stage: $(grep -v debug part3.log | tail -n 3)"
kill -TERM "$RP"; wait "$RP" || true
ok "a host with some stages only on careerops broker says records are lost if the broker dies (where a source runs), and that an in-memory state ends with the process"
