# Shared helpers of the demo tests (bash): run scripts/demo.sh from the
# build tree on a mailbox copied into a temporary folder (its own tables and
# state), and drop those again at the end.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL: CAREEROPS_TEST_PG is not set" >&2; exit 1; fi
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)" >&2
    exit 77
fi
export CAREEROPS_DEMO_SKIP_DEPS=1 CAREEROPS_LOOPBACK_ONLY=1
SRC=$CAREEROPS_SOURCE_ROOT
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-demo.XXXXXX")
SCHEMAS=()
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
psqlq() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    for s in "${SCHEMAS[@]:-}"; do
        [ -n "$s" ] || continue
        psqlq -c "DROP SCHEMA IF EXISTS \"$s\" CASCADE" 2>/dev/null || true
        for t in careerops_state careerops_idempotency; do
            psqlq -c "DELETE FROM $t WHERE ns LIKE 'demo-$s/%'" 2>/dev/null || true
        done
        rm -rf "$SRC/.run/demo/$s"
    done
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap 'cleanup; [ -z "${WATCHDOG:-}" ] || kill "$WATCHDOG" 2>/dev/null || true' EXIT

# A demo of this checkout still running after CAREEROPS_DEMO_WATCH_S
# (150 s; a demo of the sample takes 5-30 s): print, once, its stderr so
# far, its host's log and the host's threads (gdb, when installed) to this
# test's stderr, so that a test that meson stops at its timeout shows
# where it stood (one did, once, after 600 s without a word).
demo_watchdog() {
    local seen=" " p e run err host port
    # (sleep holds none of the test's output: meson waits for its end)
    while sleep 5 </dev/null >/dev/null 2>&1; do
        kill -0 $$ 2>/dev/null || exit 0
        for p in $(pgrep -f "^bash $SRC/scripts/demo.sh" || true); do
            e=$(ps -o etimes= -p "$p" 2>/dev/null | tr -d ' ') || continue
            [ -n "$e" ] && [ "$e" -ge "${CAREEROPS_DEMO_WATCH_S:-150}" ] || continue
            case "$seen" in *" $p "*) continue ;; esac
            seen+="$p "
            {
                echo "WATCHDOG: demo.sh (pid $p) running for $e s: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
                ps -o pid,etimes,stat,args --ppid "$p" 2>/dev/null || true
                for err in "$T"/*.err; do
                    [ -s "$err" ] && echo "--- tail of $err" && tail -n 15 "$err"
                done
                run=$(ls -t "$SRC"/.run/demo/*/run.log 2>/dev/null | head -n 1 || true)
                [ -z "$run" ] || { echo "--- tail of $run"; tail -n 40 "$run"; }
                echo "--- PostgreSQL sessions not idle"
                timeout 20 psql "$CAREEROPS_TEST_PG" -XAt -c "SELECT pid, state, wait_event_type,
                    wait_event, now() - query_start, left(query, 100) FROM pg_stat_activity
                    WHERE state <> 'idle' AND pid <> pg_backend_pid()" 2>&1 || true
                host=""
                for h in $(pgrep -f "careerops run pipelines/demo.json" || true); do
                    [ "$(readlink "/proc/$h/cwd" || true)" != "$(realpath "$SRC")" ] || host=$h
                done
                # the host's own figures: records in per stage, lag per
                # partition, stage states (what a stall is waiting on)
                port=$([ -z "$run" ] || sed -n 's/.*http endpoint on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$run" | tail -n 1)
                if [ -n "$port" ]; then
                    echo "--- /metrics and /api/stages of 127.0.0.1:$port"
                    curl -sS -m 10 "http://127.0.0.1:$port/metrics" 2>&1 |
                        grep -E '^careerops_(records_(in|out|skipped|failed)_total|consumer_lag|data_loss)' || true
                    curl -sS -m 10 "http://127.0.0.1:$port/api/stages" 2>&1 | head -c 3000 || true
                    echo
                fi
                if [ -n "$host" ] && command -v gdb >/dev/null; then
                    # the host's own threads (librdkafka's, "rdk:*", are
                    # dozens of the same two waits)
                    echo "--- threads of the host (pid $host), librdkafka's left out"
                    timeout 60 gdb -p "$host" -batch -ex 'thread apply all bt' 2>&1 |
                        grep -E '^(Thread|#)' |
                        awk '/^Thread/ { keep = ($0 !~ /"rdk:/) } keep' | head -n 400 || true
                fi
            } >&2
        done
    done
}
demo_watchdog &
WATCHDOG=$!

# account_of PATH: the account a test runs a copied mailbox under, so that
# it gets its own tables and state whatever addresses its mail holds
# (demo.sh keys them by account: the owner's address, or --account).
account_of() { echo "test:$(realpath "$1")"; }
# schema_of PATH: the schema demo.sh uses for that account.
schema_of() { echo "acct_$(account_of "$1" | tr -d '\n' | tr '[:upper:]' '[:lower:]' | sha256sum | cut -c1-10)"; }

# sample_maildir DIR N: a Maildir of the sample mailbox's first N messages
sample_maildir() {
    mkdir -p "$1/cur" "$1/new" "$1/tmp"
    python3 - "$SRC/datasets/sample-mailbox/sample.mbox" "$1/cur" "$2" <<'PY'
import mailbox, sys
for i, m in enumerate(mailbox.mbox(sys.argv[1])):
    if i == int(sys.argv[3]):
        break
    open(f"{sys.argv[2]}/{i}.test:2,S", "wb").write(m.as_bytes())
PY
}

# demo OUT.json ARGS...: run the demo with --json, keep stdout in OUT.json;
# with --mailbox PATH and no --account, under the account account_of PATH.
demo() {
    local out=$1 a mb="" acct=0
    shift
    local args=("$@")
    for ((a = 0; a < ${#args[@]}; a++)); do
        case "${args[a]}" in
        --mailbox) mb=${args[a + 1]:-} ;;
        --account | --account=*) acct=1 ;;
        esac
    done
    [ -z "$mb" ] || [ "$acct" = 1 ] || set -- "$@" --account "$(account_of "$mb")"
    bash "$SRC/scripts/demo.sh" --json --keep-db --no-slack "$@" >"$out" 2>"$out.err" ||
        fail "demo.sh $* exited $?: $(tail -n 5 "$out.err")"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" ||
        fail "demo.sh --json printed no JSON object: $(head -c 300 "$out")"
}

# await_err TRIES PID GREP-ARGS...: wait (0.1 s steps, at most TRIES) until
# $T/err matches `grep -q GREP-ARGS` or process PID has ended.
await_err() {
    local tries=$1 pid=$2
    shift 2
    for _ in $(seq "$tries"); do
        grep -q "$@" "$T/err" && return 0
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}
# term_twice PID: SIGTERM, and again 0.5 s later (the second one is
# careerops' "stop now"); returns the process's exit status.
term_twice() {
    local rc=0
    kill -TERM "$1" 2>/dev/null || true
    sleep 0.5
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" || rc=$?
    return "$rc"
}
