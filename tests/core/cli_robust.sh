#!/usr/bin/env bash
# Robustness a new user's trial (trial 5) found missing:
# - SIGTERM while `run` waits for an unreachable PostgreSQL ends the wait at
#   once: exit 0 within 3 s, with "stopped waiting for PostgreSQL"; with
#   --until-idle the wait ends, exit 2, after 60 s without an answer;
# - mailbox-source refuses a pipe or a device as config.path at start;
# - an unknown IANA zone in default_tz (mailbox-source) or timezone
#   (notifier) is a validate error naming stages[N] (NAME).config.OPTION;
# - `plugins info` prints an integer option's range as integers.
. "$(dirname "$0")/../common/cli.sh"

# ---- SIGTERM during the wait for PostgreSQL
cat >pg.json <<'J'
{"pipeline":"pgwait","state":"postgresql://careerops@127.0.0.1:1/careerops",
 "stages":[{"name":"src","plugin":"mock-source","output":"t",
            "config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":"t",
            "config":{"path":"out.jsonl"}}]}
J
"$B" run pg.json --until-idle >out.txt 2>err.txt &
pid=$!
sleep 2
grep -q 'waiting for PostgreSQL' err.txt || fail "no 'waiting for PostgreSQL' after 2 s: $(cat err.txt)"
kill -TERM "$pid"
t0=$(date +%s%N)
rc=0
for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    fail "run still waiting 3 s after SIGTERM: $(tail -n 3 err.txt)"
fi
wait "$pid" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 0 ] || fail "SIGTERM during the wait: exit $rc, not 0: $(tail -n 3 err.txt)"
grep -q 'stopped waiting for PostgreSQL: asked to stop' err.txt ||
    fail "no 'stopped waiting' line: $(tail -n 3 err.txt)"
echo "ok: SIGTERM while waiting for PostgreSQL: exit 0 after $ms ms"
# trial 65: --until-idle waited for ever for a store that never answers
# (exit 0 at a signal); a batch run gives up after 60 s (here 1.5 s)
rc=0
CAREEROPS_UNTIL_IDLE_STATE_WAIT_MS=1500 timeout 30 "$B" run pg.json --until-idle >out.txt 2>err.txt || rc=$?
[ "$rc" = 1 ] || fail "--until-idle, no PostgreSQL: exit $rc, want 1: $(tail -n 3 err.txt)"
grep -q '"level":"error".*stage src: state store: not reachable within 1 s, and --until-idle gives up (a run without it waits until the store answers)' err.txt ||
    fail "--until-idle gave up without saying so: $(tail -n 3 err.txt)"
echo "ok: --until-idle gives up on a state store that never answers, exit 1"

# ---- mailbox-source on a pipe or a device
mkfifo stream.mbox
cat >mb.json <<'J'
{"pipeline":"mb","state":"memory:","stages":[
 {"name":"ingest","plugin":"mailbox-source","output":"raw",
  "config":{"path":"${env:CO_TEST_MAILBOX}","archive":"archive"}},
 {"name":"sink","plugin":"mock-sink","input":"raw","config":{"path":"out.jsonl"}}]}
J
CO_TEST_MAILBOX=$t/stream.mbox expect 2 "stream.mbox is a pipe \(FIFO\), not a regular file, Maildir or folder: save the stream to a file first" \
    "run on a FIFO" timeout 20 "$B" run mb.json --until-idle
CO_TEST_MAILBOX=/dev/zero expect 2 "/dev/zero is a character device.*save the stream to a file first" \
    "run on /dev/zero" timeout 20 "$B" run mb.json --until-idle
# validate says it too (trial 41: it passed), at the path of the option
CO_TEST_MAILBOX=/dev/zero expect 2 "config.path: /dev/zero is a character device" \
    "validate on /dev/zero" "$B" validate mb.json
head -c 1048576 /dev/urandom >big.bin
CO_TEST_MAILBOX=$t/big.bin expect 2 "big.bin is not mail" \
    "run on random bytes" timeout 20 "$B" run mb.json --until-idle
[ -z "$(find archive -type f 2>/dev/null)" ] || fail "random bytes archived"
echo "ok: mailbox-source refuses a FIFO, /dev/zero and random bytes at start, nothing archived"

# ---- time zones (a mailbox validate takes: not big.bin, which it refuses)
printf 'From a@example.com Wed Mar  5 09:00:00 2025\nSubject: tz\n\nbody\n' >tz.mbox
cat >tz.json <<'J'
{"pipeline":"tz","state":"memory:","stages":[
 {"name":"ingest","plugin":"mailbox-source","output":"raw",
  "config":{"path":"tz.mbox","default_tz":"Mars/Base"}},
 {"name":"notify","plugin":"notifier","input":"raw","output":"n",
  "config":{"timezone":"Europe/Parus"}},
 {"name":"sink","plugin":"mock-sink","input":"n","config":{"path":"out.jsonl"}}]}
J
expect 2 'stages\[0\] \(ingest\)\.config\.default_tz: unknown IANA time zone "Mars/Base"' \
    "validate default_tz Mars/Base" "$B" validate tz.json
grep -q 'stages\[1\] (notify)\.config\.timezone: unknown IANA time zone "Europe/Parus"' err.txt ||
    fail "notifier timezone not checked: $(cat err.txt)"
expect 2 'unknown IANA time zone "Mars/Base"' "run with Mars/Base" "$B" run tz.json --until-idle
# an empty zone is said to be empty (trial 82: 'unknown IANA time zone ""')
expect 2 'stages\[1\] \(notify\)\.config\.timezone: is empty: no time zone: use a name' \
    "validate an empty timezone" "$B" validate tz.json --set 'stages[1].config.timezone='
# a zone in the wrong case gets its spelling (trial 83)
expect 2 'timezone: unknown IANA time zone "europe/paris": zone names are case-sensitive; write "Europe/Paris"' \
    "validate europe/paris" "$B" validate tz.json --set 'stages[1].config.timezone=europe/paris'
sed -i 's#Mars/Base#America/New_York#; s#Europe/Parus#UTC#' tz.json
"$B" validate tz.json >out.txt 2>err.txt || fail "known zones refused: $(cat err.txt)"
echo "ok: unknown zones are validate/run errors naming the option; known ones pass"

# ---- integer ranges
"$B" plugins info mailbox-source >out.txt 2>err.txt || fail "plugins info: $(cat err.txt)"
grep -Eq 'range: [0-9]+\.\.[0-9]+$' out.txt || fail "no integer range: $(grep range out.txt)"
! grep -q 'range: .*e+' out.txt || fail "range in exponent form: $(grep 'e+' out.txt)"
echo "ok: plugins info prints integer ranges as integers"

# ---- the broker removes its --bootstrap-file on SIGTERM and says so
mkdir -p bs
"$B" broker --bootstrap-file bs/addr >out.txt 2>err.txt &
pid=$!
for _ in $(seq 100); do [ -s bs/addr ] && break; sleep 0.1; done
[ -s bs/addr ] || { kill "$pid"; fail "no bootstrap file: $(cat err.txt)"; }
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "broker exit $rc after SIGTERM: $(cat err.txt)"
[ ! -e bs/addr ] || fail "bs/addr left behind with $(cat bs/addr)"
grep -q 'received SIGTERM, stopping and removing bs/addr' err.txt ||
    fail "no shutdown line: $(cat err.txt)"
echo "ok: broker: SIGTERM removes the bootstrap file, logs its shutdown"

# ---- one error per fault in validate (no cascades)
mkdir -p nosecrets
cat >cascade.json <<'J'
{"pipeline":"cascade","state":"${secret:postgres_url}","secrets_dir":"nosecrets",
 "stages":[{"name":"src","plugin":"mock-source","output":"t","config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":7,"config":{"path":"out.jsonl"}}]}
J
expect 2 "postgres_url" "validate with a missing secret and input 7" "$B" validate cascade.json
n=$(grep -c '^' err.txt)
grep -q 'is not a state store' err.txt && fail "state reported twice: $(cat err.txt)"
grep -q 'neither input nor output\|add "input"' err.txt && fail "input 7 cascades: $(cat err.txt)"
grep -q 'stages\[1\] (sink)\.input: must be a topic name' err.txt || fail "no input error: $(cat err.txt)"
echo "ok: validate reports each fault once ($n lines for 2 faults)"
# "output": 42 is a wrong output, not a missing one (trial 36)
printf '{"pipeline":"o42","stages":[{"name":"a","plugin":"mock-source","output":42}]}' >o42.json
expect 2 'stages\[0\] \(a\)\.output: must be a string' "validate with output 42" "$B" validate o42.json
grep -q 'neither input nor output' err.txt && fail "output 42 cascades: $(cat err.txt)"

# ---- small CLI points
expect 2 "plugins list takes no argument \(got 'extra'\)" "plugins list extra" "$B" plugins list extra
expect 2 "see \`careerops run --help\`" "run --bogus" "$B" run --bogus
expect 2 "see \`careerops validate --help\`" "validate --bogus" "$B" validate --bogus
"$B" plugins list >out.txt 2>err.txt || true
grep -Eq '^mock-sink .*\(test\) ' out.txt || fail "mock plugins not marked (test): $(grep mock out.txt)"
echo "ok: plugins list extra, run/validate --bogus hint, (test) plugins"
expect 2 "^error: --input /nonexistent: No such file or directory \(give a JSONL file" \
    "plugins test --input /nonexistent" "$B" plugins test mock-sink --input /nonexistent
echo "ok: plugins test names the missing --input file"

# ---- files read whole are bounded (trial 28: validate /dev/zero grew to
# 9.5 GB; a 3 GB sparse manifest was read whole before it was refused)
expect 2 "cannot read /dev/zero: a device or stream that did not end within the size limit" "validate /dev/zero" \
    timeout 20 "$B" validate /dev/zero
truncate -s 3G sparse.json
expect 2 "cannot read sparse.json: File too large" "validate a 3 GB file" \
    timeout 20 "$B" validate sparse.json
rm -f sparse.json
expect 2 "http.token_file: /dev/zero: a device or stream that did not end" "token_file /dev/zero" \
    timeout 20 "$B" validate pg.json --set http.token_file=/dev/zero
echo "ok: /dev/zero and a 3 GB file refused as manifest and token file"

# ---- run --bootstrap-file in a missing folder, or a folder: refused like
# `broker` refuses it (trial 28: ignored, exit 0)
expect 2 "error: --bootstrap-file /nonexistent-co/bs: its folder /nonexistent-co does not exist" \
    "run --bootstrap-file in a missing folder" \
    "$B" run pg.json --until-idle --bootstrap-file /nonexistent-co/bs
cat >bs.json <<'J'
{"pipeline":"bsfile","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"count":1}},{"name":"sink","plugin":"mock-sink","input":"t",
 "config":{"path":"bs-out.jsonl"}}]}
J
mkdir -p bsdir
"$B" run bs.json --until-idle --bootstrap-file bsdir >out.txt 2>err.txt && fail "run --bootstrap-file DIR: exit 0"
# refused before anything starts since trial 55 (an existing path that is
# not a bootstrap file)
grep -q "bootstrap-file bsdir: the file exists and is not a regular file" err.txt ||
    fail "run --bootstrap-file DIR: $(tail -3 err.txt)"
echo "ok: run --bootstrap-file in a missing folder or naming a folder is refused"

# ---- --stage on the in-process embedded broker: a stage whose input only
# another process's stage writes is warned about (trial 28: no word)
timeout -s TERM 4 "$B" run bs.json --stage sink >out.txt 2>err.txt || true
grep -q '"level":"warn","stage":"sink".*input t is written by stage src, which is not in this process' err.txt ||
    fail "no warning for a lone stage: $(head -5 err.txt)"
echo "ok: a lone --stage on the in-process broker is warned about"

# ---- small points of trial 28: a UTF-8 byte order mark is read, NUL bytes
# are named, an unknown CAREEROPS_LOG_LEVEL is said, a --stage twice refused
printf '\xef\xbb\xbf' >bom.json && cat bs.json >>bom.json
"$B" validate bom.json >out.txt 2>err.txt || fail "a manifest with a BOM: $(cat err.txt)"
head -c 64 /dev/zero >nul.json
expect 2 "the file holds NUL bytes" "validate a file of NUL bytes" "$B" validate nul.json
CAREEROPS_LOG_LEVEL=bogus "$B" validate bs.json >out.txt 2>err.txt || true
grep -q '^{"ts":"[^"]*","level":"warn","msg":"CAREEROPS_LOG_LEVEL: unknown level' err.txt || fail "bogus log level: $(cat err.txt)"
expect 2 "error: --stage sink is given twice" "--stage twice" \
    "$B" run bs.json --stage sink --stage sink
echo "ok: BOM, NUL bytes, an unknown log level, a --stage given twice"

# ---- graph: a stage with errors.tolerance none has no failures edge
cat >tn.json <<'J'
{"pipeline":"tn","stages":[{"name":"src","plugin":"mock-source","output":"t"},
 {"name":"sink","plugin":"mock-sink","input":"t","errors":{"tolerance":"none"},
  "config":{"path":"x.jsonl"}}]}
J
"$B" graph tn.json >out.txt 2>err.txt || fail "graph: $(cat err.txt)"
grep -q 's_src -> t_dlq_dead_letters \[style=dashed' out.txt || fail "no failures edge for src: $(cat out.txt)"
! grep -q 's_sink -> t_dlq_dead_letters' out.txt || fail "a failures edge for a tolerance none stage: $(cat out.txt)"
echo "ok: graph draws no failures edge for errors.tolerance none"

# ---- a long chain of stages validates (trial 28: 3,000 stages did not
# finish in 120 s; the topology search compared topic names over and over)
python3 - <<'P'
import json
st = [{"name": "src", "plugin": "mock-source", "output": "t0"}]
for i in range(1, 2000):
    st.append({"name": "s%d" % i, "plugin": "mock-passthrough",
               "input": "t%d" % (i - 1), "output": "t%d" % i})
st.append({"name": "sink", "plugin": "mock-sink", "input": "t1999",
           "config": {"path": "x.jsonl"}})
json.dump({"pipeline": "long", "stages": st}, open("long.json", "w"))
P
timeout 60 "$B" validate long.json >out.txt 2>err.txt || fail "validate of 2,001 stages: $(tail -2 err.txt)"
grep -q "^ok: long.json: pipeline long, 2001 stages" out.txt || fail "long chain: $(cat out.txt)"
echo "ok: a chain of 2,001 stages validates"

# ---- ${env:} without a name says so (trial 28: "environment variable  is
# not set")
cat >envm.json <<'J'
{"pipeline":"envm","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"key_prefix":"${env:}"}},{"name":"sink","plugin":"mock-sink","input":"t",
 "config":{"path":"x.jsonl"}}]}
J
expect 2 'names no variable: write \$\{env:NAME\}' '${env:}' "$B" validate envm.json
echo "ok: \${env:} without a name"

# ---- plugin_file naming a folder says so (trial 28: "no such file")
mkdir -p lib.so
cat >pf.json <<'J'
{"pipeline":"pf","stages":[{"name":"src","plugin":"mock-source","output":"t"},
 {"name":"sink","plugin_file":"lib.so","input":"t"}]}
J
expect 2 "plugin_file ./lib.so: is a folder, not a plugin library" "plugin_file a folder" \
    "$B" validate pf.json
echo "ok: plugin_file naming a folder"
# a relative plugin_file that is missing says where it was looked for
sed 's/"lib.so"/"sub\/none.so"/' pf.json >pf2.json
expect 2 "read from the manifest's folder" "plugin_file missing" \
    "$B" validate pf2.json
echo "ok: plugin_file missing"

# ---- relabel and applications: one name for the connection each way, and
# an empty --schema refused (note 18: `applications --schema ''` read the
# demo's schema; relabel said --conninfo where applications said --dsn)
expect 2 "--schema '' names no schema" "applications --schema ''" \
    "$B" applications --dsn "host=127.0.0.1 port=1" --schema ''
expect 2 "--schema '' names no schema" "relabel --schema ''" \
    "$B" relabel 0123456789abcdef INTERVIEW --dsn "host=127.0.0.1 port=1" --schema ''
# --dsn and --conninfo name the same option in both: the connection is tried
# (port 1: refused), not the option
expect 1 "cannot connect to PostgreSQL" "applications --conninfo" \
    env -u CAREEROPS_STATE "$B" applications --conninfo "host=127.0.0.1 port=1"
expect 1 "cannot connect to PostgreSQL" "relabel --dsn" \
    env -u CAREEROPS_STATE "$B" relabel 0123456789abcdef INTERVIEW --dsn "host=127.0.0.1 port=1" --no-emit
# CAREEROPS_STATE is relabel's default connection too
expect 1 "cannot connect to PostgreSQL" "relabel from CAREEROPS_STATE" \
    env CAREEROPS_STATE="host=127.0.0.1 port=1" "$B" relabel 0123456789abcdef INTERVIEW --no-emit
echo "ok: relabel/applications --dsn, --conninfo, CAREEROPS_STATE and --schema ''"

# ---- an allocator put in with LD_PRELOAD (jemalloc, as operators do): the
# host's calloc() for large blocks goes to that allocator's calloc, whose
# free() gets the block (session 19: glibc's __libc_calloc under jemalloc's
# free crashed the host at its first records). Skipped in sanitizer builds,
# whose runtime owns the allocator, and without libjemalloc2.
je=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -n 1 || true)
if [ -z "$je" ]; then
    echo "skip: libjemalloc2 is not installed (LD_PRELOAD check)"
elif ldd "$B" | grep -q 'lib[at]san\|libubsan'; then
    echo "skip: a sanitizer build (LD_PRELOAD check)"
else
    cat >je.json <<'J'
{"pipeline":"je","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"count":3000,"value_size":2048}},
 {"name":"pass","plugin":"mock-passthrough","input":"t","output":"u"},
 {"name":"sink","plugin":"mock-sink","input":"u","config":{"path":"je.jsonl"}}]}
J
    LD_PRELOAD=$je "$B" run je.json --until-idle >je.out 2>je.err ||
        fail "the host under LD_PRELOAD=$je exited $?: $(tail -n 3 je.err)"
    [ "$(wc -l <je.jsonl)" = 3000 ] || fail "under jemalloc: $(wc -l <je.jsonl) of 3000 records"
    echo "ok: the host under LD_PRELOAD=jemalloc passes 3000 records of 2 KiB"
fi

# exits_1_within PID SECONDS LOG WHAT: the host PID ends within SECONDS
# with exit status 1 (else killed and failed, LOG's last lines shown)
exits_1_within() {
    local p=$1 rc=0
    for _ in $(seq $(($2 * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
        kill -KILL "$p"
        fail "the host still runs $2 s $4: $(tail -n 3 "$3")"
    fi
    wait "$p" || rc=$?
    [ "$rc" = 1 ] || fail "$4: exit $rc, not 1: $(tail -n 3 "$3")"
}

# ---- a second signal stops at once, also when a plugin blocks in
# process() (trial 40: TERM, TERM, INT and the host hung for 10 minutes):
# the stages get 5 s, then the host exits 1 naming the stage still busy
cat >blk.json <<'J'
{"pipeline":"blk","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"count":5}},
 {"name":"mid","plugin":"mock-fault","input":"t","output":"u","config":{"block_ms":600000}},
 {"name":"sink","plugin":"mock-sink","input":"u","config":{"path":"blk.jsonl"}}]}
J
"$B" run blk.json --until-idle >blk.out 2>blk.err &
pid=$!
for _ in $(seq 100); do grep -q 'running .* stage instance' blk.err && break; sleep 0.1; done
sleep 2
kill -TERM "$pid"
sleep 0.5
kill -TERM "$pid"
t0=$(date +%s)
exits_1_within "$pid" 15 blk.err "after the second signal"
grep -q 'exiting now without waiting for mid#0' blk.err ||
    fail "no line naming the stuck stage: $(tail -n 3 blk.err)"
echo "ok: a second signal ends the host $(($(date +%s) - t0)) s later although mid blocks in process()"

# ---- one signal while a plugin blocks in init() (trial 55: the host
# waited without limit): 10 s later the host exits 1 naming the stage
cat >stuck.json <<'J'
{"pipeline":"stuck","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"count":5}},
 {"name":"slow","plugin":"mock-fault","input":"t","output":"u","config":{"init_block_ms":600000}}]}
J
"$B" run stuck.json >stuck.out 2>stuck.err &
pid=$!
sleep 2 # slow's init() blocks from the start
kill -TERM "$pid"
t0=$(date +%s)
exits_1_within "$pid" 30 stuck.err "after one SIGTERM with a plugin stuck in init()"
grep -q "stage slow is still in its plugin's init() 10 s after the stop was asked" stuck.err ||
    fail "no line naming the stage stuck starting: $(tail -n 3 stuck.err)"
echo "ok: one SIGTERM ends the host $(($(date +%s) - t0)) s later although slow blocks in init()"

# ---- one signal while a plugin blocks in process() (trial 57: the host
# waited without limit for console-sink writing to a stalled pipe): the
# drain timeout plus 30 s, then exit 1 naming the stage
"$B" run blk.json --drain-timeout-ms 0 >blk1.out 2>blk1.err &
pid=$!
for _ in $(seq 100); do grep -q 'running .* stage instance' blk1.err && break; sleep 0.1; done
sleep 2
kill -TERM "$pid"
t0=$(date +%s)
exits_1_within "$pid" 60 blk1.err "after one SIGTERM with a plugin stuck in process()"
grep -q 'not stopped 30 s after the first signal: exiting now without waiting for mid#0' blk1.err ||
    fail "no line naming the stage stuck in process(): $(tail -n 3 blk1.err)"
grep -q 'received SIGTERM: finishing in-flight records (.*at most 30 s in all)' blk1.err ||
    fail "the stop line does not give the bound: $(grep SIGTERM blk1.err)"
echo "ok: one SIGTERM ends the host $(($(date +%s) - t0)) s later although mid blocks in process()"

# ---- process() returning a value that is no co_status_t: the stage FAILS
# with the value in its error (trial 40: -1 stalled the stage silently
# until a timeout, 42 passed every record as CO_OK)
for v in -1 42; do
    cat >bogus.json <<J
{"pipeline":"bogus","stages":[{"name":"src","plugin":"mock-source","output":"t",
 "config":{"count":5}},
 {"name":"mid","plugin":"mock-fault","input":"t","output":"u","config":{"bogus_status":$v}},
 {"name":"sink","plugin":"mock-sink","input":"u","config":{"path":"bogus.jsonl"}}]}
J
    rc=0
    timeout 60 "$B" run bogus.json --until-idle >bogus.out 2>bogus.err || rc=$?
    [ "$rc" = 1 ] || fail "process() returning $v: exit $rc, not 1: $(tail -n 3 bogus.err)"
    grep -q "process() returned $v, not one of CO_OK, CO_RETRY, CO_FAIL, CO_FATAL" bogus.err ||
        fail "process() returning $v: no clear error: $(tail -n 3 bogus.err)"
done
echo "ok: process() returning -1 or 42 fails the stage with the value named"

# ---- http.listen on a port in use stops the run before any stage starts,
# exit 2 (trial 41: a WARN, the pipeline ran without its endpoint)
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
open("busy.port","w").write(str(s.getsockname()[1])); sys.stdout.flush(); time.sleep(60)' &
hold=$!
for _ in $(seq 50); do [ -s busy.port ] && break; sleep 0.1; done
cat >busy.json <<J
{"pipeline":"busy","http":{"listen":"127.0.0.1:$(cat busy.port)"},
 "stages":[{"name":"src","plugin":"mock-source","output":"t","config":{"count":3}},
 {"name":"sink","plugin":"mock-sink","input":"t","config":{"path":"busy.jsonl"}}]}
J
expect 2 "http.listen: cannot listen on 127.0.0.1:$(cat busy.port).*no stage started" \
    "a port in use" "$B" run busy.json --until-idle
kill "$hold" 2>/dev/null || true
[ ! -s busy.jsonl ] || fail "records flowed although the endpoint could not listen"
echo "ok: http.listen on a port in use: exit 2 before any stage starts"

# ---- trial 41: `broker demo.json` (no --manifest) started without topics;
# a global kafka.transactional.id or group.id passed validate
expect 2 "takes no argument 'm.json'; a manifest whose topics it creates is --manifest m.json" \
    "broker with a stray argument" "$B" broker m.json
cat >tx.json <<'J'
{"pipeline":"tx","stages":[{"name":"src","plugin":"mock-source","output":"t"},
 {"name":"sink","plugin":"mock-sink","input":"t","config":{"path":"tx.jsonl"}}]}
J
expect 2 'kafka.transactional.id: the host sets transactional.id itself' "kafka.transactional.id" \
    "$B" validate tx.json --set kafka.transactional.id=x
expect 2 'kafka.group.id: the host sets group.id itself' "kafka.group.id" \
    "$B" validate tx.json --set kafka.group.id=x
# trial 45: a manifest fault the broker does not need (an unset
# ${env:...} for the state store) refused the broker; now a warning
cat >envst.json <<'J'
{"pipeline":"envst","state":"${env:CO_UNSET_STATE_45}",
 "stages":[{"name":"src","plugin":"mock-source","output":"t45"},
 {"name":"sink","plugin":"mock-sink","input":"t45","config":{"path":"e.jsonl"}}]}
J
env -u CO_UNSET_STATE_45 "$B" broker --bootstrap-file envst.bs --manifest envst.json 2> envst.err & BP=$!
up=0
for _ in $(seq 100); do [ -s envst.bs ] && { up=1; break; }; sleep 0.1; done
kill -TERM "$BP" 2>/dev/null; wait "$BP" || true
[ $up = 1 ] || fail "broker refused a manifest with an unset \${env:...} state: $(cat envst.err)"
grep -q '^warning: envst.json: state: environment variable CO_UNSET_STATE_45 is not set' envst.err &&
    grep -q 'its topics are created anyway' envst.err || fail "broker warnings: $(cat envst.err)"
# note 31: a topic name it cannot create was a warning too
sed 's/"t45"/"bad topic!"/g' envst.json > badtopic.json
rc=0
timeout 30 "$B" broker --bootstrap-file badtopic.bs --manifest badtopic.json 2> badtopic.err || rc=$?
[ $rc = 2 ] && [ ! -e badtopic.bs ] || fail "broker with a bad topic name: exit $rc, $(cat badtopic.err)"
grep -q '^error: badtopic.json: stages\[0\] (src).output: the topic name "bad topic!"' badtopic.err &&
    grep -q 'topic name(s) the broker cannot create' badtopic.err || fail "broker, bad topic: $(cat badtopic.err)"
echo "ok: broker refuses a stray argument; kafka.transactional.id and group.id refused; an unset \${env:} it does not need is a warning, a bad topic name an error"

# ---- a plugin crashing the host leaves a last line naming the stage, the
# plugin, the callback and the input record (trial 40: the log ended at
# "running 4 stage instance(s)"); the exit status stays the signal's.
# Not in sanitizer builds (their runtime reports the crash).
if ldd "$B" | grep -q 'libasan\|libtsan'; then
    echo "skip: a sanitizer build (crash line)"
else
    cat >crash.json <<'J'
{"pipeline":"crash","defaults":{"partitions":1},
 "stages":[{"name":"src","plugin":"mock-source","output":"t","config":{"count":10}},
 {"name":"mid","plugin":"mock-fault","input":"t","output":"u","config":{"abort_after":3}},
 {"name":"sink","plugin":"mock-sink","input":"u","config":{"path":"crash.jsonl"}}]}
J
    rc=0
    timeout 60 "$B" run crash.json --until-idle >crash.out 2>crash.err || rc=$?
    [ "$rc" = 134 ] || fail "abort() in a plugin: exit $rc, not 134: $(tail -n 3 crash.err)"
    grep -Eq '^careerops: crashed \(SIGABRT\) in stage mid, plugin mock-fault, in process\(\) of the record t\[0\]@2 ' crash.err ||
        fail "no crash line naming stage, plugin and record: $(tail -n 3 crash.err)"
    echo "ok: a crash in process() names the stage, plugin and record: $(grep -o 'in stage.*@[0-9]*' crash.err)"
fi

# ---- dlq with a broker host that does not resolve: exit 2 at once, as run
# (trial 41: exit 1 after 10 s)
expect 2 "kafka.bootstrap.servers: host no-such-host.invalid does not resolve" \
    "dlq list, unresolvable host" "$B" dlq list tx.json --set kafka.bootstrap.servers=no-such-host.invalid:9092
echo "ok: dlq with an unresolvable broker host: exit 2"

# ---- a secret not readable is one fault, not two (trial 41: the plugin's
# check and the alerts' URL check then judged "${secret:...}" itself)
cat >sec.json <<'J'
{"pipeline":"sec","secrets_dir":"nosecrets","alerts":{"webhook_url":"${secret:hook}"},
 "stages":[{"name":"src","plugin":"mock-source","output":"t"},
 {"name":"store","plugin":"postgres-sink","input":"t","config":{"conninfo":"${secret:pg}"}}]}
J
expect 2 "2 errors in sec.json" "missing secrets" "$B" validate sec.json
grep -q "config.conninfo: secret 'pg' not readable" err.txt || fail "no secret fault: $(cat err.txt)"
! grep -q "not a libpq\|not an http" err.txt || fail "a second fault about the secret: $(cat err.txt)"
echo "ok: a missing secret is one fault"

# ---- emit() to a topic no stage names (a plugin's typo) is warned once
# (trial 40: the records went nowhere, silently, exit 0)
printf '%s\n' '{"key":"a","value":"\"elsewhere\""}' '{"key":"b","value":"\"elsewhere\""}' '{"key":"c","value":"x"}' >odd_in.jsonl
cat >odd.json <<J
{"pipeline":"odd","stages":[{"name":"src","plugin":"mock-source","output":"t","config":{"file":"odd_in.jsonl"}},
 {"name":"mid","plugin":"tagga","plugin_file":"$CAREEROPS_BUILD_ROOT/tests/core/tagger.so","input":"t","output":"u"},
 {"name":"sink","plugin":"mock-sink","input":"u","config":{"path":"odd.jsonl"}}]}
J
timeout 60 "$B" run odd.json --until-idle >odd.out 2>odd.err || fail "run: $(tail -n 3 odd.err)"
[ "$(grep -c 'emit() to topic nowhere_topic, which no stage of pipeline odd reads or writes' odd.err)" = 1 ] ||
    fail "not one warning for the odd topic: $(grep -c nowhere_topic odd.err)"
echo "ok: emit() to a topic no stage names: one WARN"

# ---- run --until-idle ends when a source still fails after its retries
# (trial 57: a dead S3 endpoint kept it running for ever); `run` without
# it pauses and tries again (a service waits the fault out, unless the
# plugin itself gives up: imap-source does after its fourth attempt)
mkdir -p sec && chmod 700 sec && echo x > sec/pw && chmod 600 sec/pw
cat >dead.json <<'J'
{"pipeline":"dead","kafka":{"bootstrap.servers":"embedded"},"secrets_dir":"sec",
 "stages":[{"name":"src","plugin":"imap-source","output":"a",
   "errors":{"retries":2,"backoff_ms":100,"backoff_max_ms":200},
   "config":{"url":"imap://127.0.0.1:1","user":"u","password_secret":"pw","follow":false,"timeout_ms":1000}},
 {"name":"out","plugin":"mock-sink","input":"a","config":{"path":"dead.jsonl"}}]}
J
rc=0
timeout 60 "$B" run dead.json --until-idle >dead.out 2>dead.err || rc=$?
[ "$rc" = 1 ] || fail "run --until-idle with a dead source: exit $rc (124: it never ended)"
grep -q 'stage FAILED: source failed after its retries (errors.retries; run --until-idle stops here' dead.err ||
    fail "no reason: $(grep -v librdkafka dead.err | tail -n 3)"
timeout -s INT 4 "$B" run dead.json >dead2.out 2>dead2.err || true
grep -q 'source keeps failing' dead2.err || fail "run without --until-idle: $(grep -v librdkafka dead2.err | tail -n 3)"
echo "ok: run --until-idle ends (exit 1) when a source fails after its retries; run keeps trying"

# ---- trial 59: two runs, each with a broker of its own, on one file:
# state store: each read all the input and, taking the other's claims for
# a crash's leftovers, printed notifications twice; the second is refused
cat >two.json <<'J'
{"pipeline":"two","kafka":{"bootstrap.servers":"embedded"},"state":"file:st2.json",
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":50,"rate":20}},
 {"name":"out","plugin":"mock-sink","input":"a","config":{"path":"two.jsonl"}}]}
J
"$B" run two.json --until-idle 2>two1.err & first=$!
for _ in $(seq 100); do grep -q 'running 2 stage' two1.err 2>/dev/null && break; sleep 0.1; done
rc=0
timeout 60 "$B" run two.json --until-idle >two2.out 2>two2.err || rc=$?
[ "$rc" = 2 ] || fail "a second run on one state file: exit $rc"
grep -q 'another `careerops run` with a broker of its own runs this stage on state file:' two2.err ||
    fail "no reason: $(grep -v librdkafka two2.err | tail -n 3)"
wait "$first" || fail "the first run failed: $(grep -v librdkafka two1.err | tail -n 3)"
timeout 60 "$B" run two.json --until-idle 2>two3.err || fail "a run after the first ended: $(grep -v librdkafka two3.err | tail -n 3)"
echo "ok: a second run with a broker of its own on one state file is refused; after the first ends it runs"
