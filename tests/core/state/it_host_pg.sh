#!/usr/bin/env bash
# Whole-host tests of PostgreSQL state and postgres-sink (run by meson):
#
#   it_host_pg.sh replay   2,000 events through the broker into postgres-sink
#                          give 2,000 rows; the same topic replayed from
#                          offset 0 (a new consumer group) leaves 2,000
#   it_host_pg.sh outage   PostgreSQL (state store and sink) stopped for 20 s
#                          in the middle of a 3,000-record run: every record
#                          in its table once, no dead letter, and the log
#                          says the stage was waiting for the database
#   it_host_pg.sh idem     a mock sink guarded by the idempotency check gets
#                          the same 1,000 keys three times across two
#                          restarts of its host: 1,000 side effects
#
# Needs CAREEROPS_TEST_PG (bash scripts/pg.sh start), the careerops binary
# and the mock and postgres-sink plugins. The broker runs as its own process
# (`careerops broker`) so topics outlive each `careerops run`.
set -euo pipefail

case_name=${1:?usage: it_host_pg.sh replay|outage|idem|term}
skip() {
    if [ "${CI:-}" = true ]; then echo "FAIL: $*"; exit 1; fi
    echo "SKIP: $*"
    exit 77
}
[ -n "${CAREEROPS_TEST_PG:-}" ] || skip "CAREEROPS_TEST_PG is not set (bash scripts/pg.sh start)"
bin=${CAREEROPS_BIN:?}
src=${CAREEROPS_SOURCE_ROOT:?}
for p in mock/mock-source.so mock/mock-sink.so postgres-sink/postgres-sink.so; do
    [ -f "$CAREEROPS_PLUGIN_PATH/$p" ] || skip "plugin $p is not built (ninja -C build; -Dplugins=... if it leaves it out)"
done
command -v psql >/dev/null || skip "psql is missing (Debian package postgresql-client)"

work=$(mktemp -d "${TMPDIR:-/tmp}/co-it-pg.XXXXXX")
chmod 755 "$work"
db=careerops_it_${case_name}_$$
broker_pid=
run_pid=
own_cluster=
cleanup() {
    set +e
    [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null && wait "$run_pid"
    [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid"
    if [ -n "$own_cluster" ]; then
        CAREEROPS_PG_DIR=$own_cluster bash "$src/scripts/pg.sh" stop
    else
        psql "$CAREEROPS_TEST_PG dbname=postgres" -XqAc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
# wait_exit PID SECONDS: wait (0.5 s steps) until PID has ended; status 1 if
# it still runs after SECONDS (a deadline, not a speed target: the tests
# running alongside may load the machine).
wait_exit() {
    for _ in $(seq $(($2 * 2))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
    ! kill -0 "$1" 2>/dev/null
}
# JSON string literal of $1 (conninfo strings may hold quotes and slashes).
json_str() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

start_broker() {
    "$bin" broker --bootstrap-file "$work/bootstrap" >"$work/broker.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
    [ -s "$work/bootstrap" ] || fail "the broker did not start: $(cat "$work/broker.log")"
}

# events.jsonl: N careerops.event.v1 records for mock-source's file mode,
# over 1,000 companies: postgres-sink re-derives an application from all its
# events on each insert, so few events per company keep the runs short.
make_events() {
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) { k = sprintf("%064d", i);
        printf("{\"key\":\"%s\",\"value\":{\"schema\":\"careerops.event.v1\",\"event_type\":\"INTERVIEW\",\"company\":\"Fictional Co %d\",\"scheduled_date\":\"2025-03-04T15:00:00Z\",\"email\":{\"key\":\"%s\",\"subject\":\"Interview %d\",\"from\":\"hr@co%d.example\"}}}\n", k, i % 1000, k, i, i % 1000) } }' \
        >"$work/events.jsonl"
}

# manifest FILE STATE_CONNINFO SOURCE_CONFIG SINK_STAGE_JSON
manifest() {
    cat >"$1" <<EOF
{"pipeline": "pgit", "kafka": {"bootstrap.servers": "$(cat "$work/bootstrap")"},
 "state": $(json_str "$2"),
 "stages": [
  {"name": "src", "plugin": "mock-source", "output": "classified_events", "config": $3},
  $4]}
EOF
}

sql() { psql "$conninfo" -XtAc "$1"; }

case $case_name in
replay)
    psql "$CAREEROPS_TEST_PG dbname=postgres" -XqAc "CREATE DATABASE $db"
    conninfo="$CAREEROPS_TEST_PG dbname=$db"
    start_broker
    make_events 2000
    manifest "$work/m.json" "$conninfo" '{"file": "events.jsonl"}' \
        "{\"name\": \"store\", \"plugin\": \"postgres-sink\", \"input\": \"classified_events\", \"config\": {\"conninfo\": $(json_str "$conninfo")}}"
    "$bin" run "$work/m.json" --until-idle >"$work/run1.log" 2>&1 || fail "run 1: $(tail -5 "$work/run1.log")"
    n=$(sql "SELECT count(*) || ' ' || count(DISTINCT key) FROM events")
    [ "$n" = "2000 2000" ] || fail "after the first run: rows, distinct keys = $n"
    echo "run 1: $n rows"
    # Replay: a new consumer group reads classified_events from offset 0.
    # Remove 50 rows first, so the replay must be read to restore them.
    sql "DELETE FROM events WHERE key LIKE '%00'" >/dev/null
    "$bin" run "$work/m.json" --stage store --set pipeline=pgit-replay --until-idle \
        >"$work/run2.log" 2>&1 || fail "replay: $(tail -5 "$work/run2.log")"
    n=$(sql "SELECT count(*) || ' ' || count(DISTINCT key) || ' ' || count(*) FILTER (WHERE updated_at > inserted_at) FROM events")
    [ "$n" = "2000 2000 0" ] || fail "after the replay: rows, distinct keys, rewritten = $n"
    echo "replay from offset 0: $n (rows, distinct, rewritten)"
    ;;
outage)
    # Our own cluster: stopping it must not disturb other tests.
    own_cluster=$work/pg
    # a random port, as in `term`: another run of this test on the machine
    # (a second checkout) must not hold it when the server comes back; below
    # the kernel's ephemeral range (32768 on), so no client connection of the
    # tests running alongside takes it as its source port during the outage
    conninfo=
    for _ in 1 2 3 4 5; do
        conninfo=$(CAREEROPS_PG_DIR=$own_cluster CAREEROPS_PG_PORT=$((19000 + RANDOM % 400)) \
            bash "$src/scripts/pg.sh" start 2>/dev/null) && break
        conninfo=
        rm -rf "$own_cluster"
    done
    [ -n "$conninfo" ] || fail "no private PostgreSQL cluster could start (5 ports tried)"
    start_broker
    make_events 3000
    # 250 records/s: a 12 s source run; the server goes away at 5 s for 20 s,
    # so about 1,750 records wait for it.
    manifest "$work/m.json" "$conninfo" '{"file": "events.jsonl", "rate": 250, "batch": 50}' \
        "{\"name\": \"store\", \"plugin\": \"postgres-sink\", \"input\": \"classified_events\", \"config\": {\"conninfo\": $(json_str "$conninfo"), \"batch_size\": 200}}"
    "$bin" run "$work/m.json" --until-idle >"$work/run.log" 2>&1 &
    run_pid=$!
    for _ in $(seq 300); do grep -q 'running [0-9]* stage' "$work/run.log" 2>/dev/null && break; sleep 0.1; done
    echo "run started at $(date +%T)"
    sleep 5
    CAREEROPS_PG_DIR=$own_cluster bash "$src/scripts/pg.sh" stop
    echo "PostgreSQL stopped at $(date +%T)"
    sleep 20
    CAREEROPS_PG_DIR=$own_cluster bash "$src/scripts/pg.sh" start >/dev/null
    echo "PostgreSQL started at $(date +%T)"
    wait_exit "$run_pid" 240 || fail "the run did not finish 240 s after the restart"
    echo "run finished at $(date +%T)"
    rc=0
    wait "$run_pid" || rc=$?
    run_pid=
    [ "$rc" = 0 ] || fail "run exited $rc: $(grep -v "^{\"level\":\"info\",\"component\"" "$work/run.log" | tail -8)"
    n=$(sql "SELECT count(*) || ' ' || count(DISTINCT key) FROM events")
    [ "$n" = "3000 3000" ] || fail "rows, distinct keys = $n"
    grep -q 'waiting for PostgreSQL' "$work/run.log" || fail "the log never says it waited for PostgreSQL"
    "$bin" dlq list "$work/m.json" >"$work/dlq.txt" 2>"$work/dlq.err" ||
        fail "careerops dlq list: $(cat "$work/dlq.err")"
    dl=$(grep -c . "$work/dlq.txt" || true)
    [ "$dl" = 0 ] || fail "$dl dead letters"
    echo "after a 20 s outage: $n (rows, distinct), $dl dead letters, waits logged: $(grep -c 'waiting for PostgreSQL' "$work/run.log")"
    ;;
term)
    # SIGTERM while PostgreSQL is away: the host stops without crashing
    # (the consumer's revocation flushed a destroyed sink instance before).
    own_cluster=$work/pg
    # a free port: the machine may run other clusters
    conninfo=
    for _ in 1 2 3 4 5; do
        conninfo=$(CAREEROPS_PG_DIR=$own_cluster CAREEROPS_PG_PORT=$((19500 + RANDOM % 400)) \
            bash "$src/scripts/pg.sh" start 2>/dev/null) && break
        conninfo=
        rm -rf "$own_cluster"
    done
    [ -n "$conninfo" ] || fail "no private PostgreSQL cluster could start (5 ports tried)"
    start_broker
    make_events 3000
    manifest "$work/m.json" "$conninfo" '{"file": "events.jsonl", "rate": 250, "batch": 50}' \
        "{\"name\": \"store\", \"plugin\": \"postgres-sink\", \"input\": \"classified_events\", \"config\": {\"conninfo\": $(json_str "$conninfo"), \"batch_size\": 200}}"
    # outage_term MANIFEST LOG WAIT: run, stop the private cluster 4 s in,
    # wait for WAIT (a command), SIGTERM; rc is the exit status
    outage_term() {
        "$bin" run "$1" --until-idle >"$2" 2>&1 &
        run_pid=$!
        for _ in $(seq 300); do grep -q 'running [0-9]* stage' "$2" 2>/dev/null && break; sleep 0.1; done
        sleep 4
        CAREEROPS_PG_DIR=$own_cluster bash "$src/scripts/pg.sh" stop
        eval "$3"
        kill -TERM "$run_pid"
        wait_exit "$run_pid" 120 || fail "the run did not stop 120 s after SIGTERM"
        rc=0
        wait "$run_pid" || rc=$?
        run_pid=
        [ "$rc" -lt 128 ] || fail "run crashed (status $rc) on SIGTERM during the outage: $(tail -5 "$2")"
    }
    outage_term "$work/m.json" "$work/run.log" 'sleep 6'
    echo "SIGTERM during a PostgreSQL outage: exit $rc, no crash"
    # trial 68: the state store elsewhere (a file), only the sink's own
    # PostgreSQL away: the stop does not wait the drain's 30 s for a stage
    # that cannot store anything, and says so
    CAREEROPS_PG_DIR=$own_cluster bash "$src/scripts/pg.sh" start >/dev/null 2>&1 ||
        fail "the private cluster did not start again"
    sed "s|\"state\": [^,]*,|\"state\": \"file:$work/st.json\",|" "$work/m.json" >"$work/m2.json"
    grep -q '"state": "file:' "$work/m2.json" || fail "m2.json: $(head -3 "$work/m2.json")"
    outage_term "$work/m2.json" "$work/run2.log" \
        "for _ in \$(seq 300); do grep -q 'waiting for PostgreSQL' '$work/run2.log' && break; sleep 0.1; done"
    grep -q 'stage store waits for its PostgreSQL: not waiting for downstream to drain' "$work/run2.log" ||
        fail "the stop waited for a sink whose database is gone: $(grep -v debug "$work/run2.log" | tail -n 4)"
    echo "SIGTERM with only the sink's PostgreSQL away: exit $rc, the drain not waited for"
    ;;
idem)
    psql "$CAREEROPS_TEST_PG dbname=postgres" -XqAc "CREATE DATABASE $db"
    conninfo="$CAREEROPS_TEST_PG dbname=$db"
    start_broker
    make_events 1000
    manifest "$work/m.json" "$conninfo" '{"file": "events.jsonl"}' \
        '{"name": "notify", "plugin": "mock-sink", "input": "classified_events", "config": {"path": "received.jsonl", "counter_file": "side-effects.txt", "idempotent": true}}'
    for round in 1 2 3; do
        # The same 1,000 keys again: restart the source from its first line.
        [ "$round" = 1 ] || sql "DELETE FROM careerops_state WHERE ns = 'pgit/src'" >/dev/null
        "$bin" run "$work/m.json" --until-idle >"$work/run$round.log" 2>&1 ||
            fail "run $round: $(tail -5 "$work/run$round.log")"
    done
    received=$(wc -l <"$work/received.jsonl")
    effects=$(wc -l <"$work/side-effects.txt")
    unique=$(sort -u "$work/side-effects.txt" | wc -l)
    [ "$received" = 3000 ] || fail "the sink received $received records, expected 3000"
    if [ "$effects" != 1000 ] || [ "$unique" != 1000 ]; then
        fail "side effects: $effects ($unique distinct), expected 1000"
    fi
    claims=$(sql "SELECT count(*) FILTER (WHERE done_at IS NOT NULL) || ' ' || max(claims) FROM careerops_idempotency WHERE ns = 'pgit/notify'")
    echo "3 x 1000 keys, 2 restarts: received $received, side effects $effects, claims done/max-claims $claims"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "1 passed, 0 failed"
