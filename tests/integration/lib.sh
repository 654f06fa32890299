# Shared helpers for the host's integration tests (bash). Each test runs in
# its own temporary folder on librdkafka's mock cluster (loopback only), or
# on a real Kafka with CAREEROPS_TEST_BROKER=kafka (below).
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_PLUGIN_PATH CAREEROPS_LOOPBACK_ONLY=1
B="$CAREEROPS_BIN"
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-it.XXXXXX")
# CAREEROPS_TEST_BROKER=kafka (meson test --setup kafka): the same tests on
# the real Kafka at $CAREEROPS_KAFKA_BOOTSTRAP (scripts/kafka.sh), through
# tests/kafka/on_kafka.py (fresh pipeline and topic names per broker start).
ON_KAFKA=0
if [ "${CAREEROPS_TEST_BROKER:-mock}" = kafka ]; then
    if [ -z "${CAREEROPS_KAFKA_BOOTSTRAP:-}" ]; then
        echo "SKIP: CAREEROPS_TEST_BROKER=kafka but no CAREEROPS_KAFKA_BOOTSTRAP (eval \"\$(bash scripts/kafka.sh env)\")"
        rm -rf "$T"; exit 77
    fi
    ON_KAFKA=1
    export CAREEROPS_REAL_BIN="$B" CAREEROPS_KAFKA_RUN="${T##*.}$RANDOM"
    B="$(cd "$(dirname "${BASH_SOURCE[0]}")/../kafka" && pwd)/on_kafka.py"
fi
# mock_only WHY: this test exercises the in-memory broker itself; skip on Kafka.
mock_only() {
    [ $ON_KAFKA = 1 ] || return 0
    echo "SKIP on real Kafka: $*"
    rm -rf "$T"; exit 77
}
PIDS=()
cleanup() {
    # only our children still: a finished one's pid may be a stranger's by
    # now (pid_max 32768 wraps in minutes on a busy machine)
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && [ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ] &&
            kill -9 "$p" 2>/dev/null || true
    done
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# start_broker MANIFEST...: a standalone embedded broker; sets BS.
start_broker() {
    if [ $ON_KAFKA = 1 ]; then
        # a fresh name space per start, as a fresh embedded broker was
        CAREEROPS_KAFKA_RUN="${T##*.}$RANDOM"
        BS=$CAREEROPS_KAFKA_BOOTSTRAP
        return 0
    fi
    local args=()
    for m in "$@"; do args+=(--manifest "$m"); done
    "$B" broker --bootstrap-file bs.txt "${args[@]}" > broker.log 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s bs.txt ] && break; sleep 0.1; done
    [ -s bs.txt ] || fail "broker did not start: $(cat broker.log)"
    BS=$(cat bs.txt)
}

# keys FILE: distinct keys in a mock-sink JSONL file.
distinct_keys() { python3 -c 'import json,sys
print(len({json.loads(l)["key"] for l in open(sys.argv[1]) if l.strip()}))' "$1"; }
total_lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }

# wait_line FILE PATTERN SECONDS: until FILE has a line matching PATTERN
# (grep's basic regular expression).
wait_line() {
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# wait_grow FILE N SECONDS: until FILE has N more lines than now.
wait_grow() {
    local before end=$((SECONDS + $3))
    before=$(total_lines "$1")
    while [ $SECONDS -lt $end ]; do
        [ $(( $(total_lines "$1") - before )) -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_keys FILE N SECONDS: until FILE has N distinct keys.
wait_keys() {
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        [ -f "$1" ] && [ "$(distinct_keys "$1")" -ge "$2" ] && return 0
        sleep 0.5
    done
    return 1
}

# stop_host PID LOG: SIGTERM, then at most 90 s for the host to end (fail
# with LOG's tail if it does not); sets rc to its exit status.
stop_host() {
    kill -TERM "$1"
    for _ in $(seq 900); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$1" 2>/dev/null && fail "the host still runs 90 s after SIGTERM: $(tail -n 3 "$2")"
    rc=0
    wait "$1" || rc=$?
}

http_port() { # LOG: the port the run logged
    for _ in $(seq 100); do
        p=$(grep -o 'http endpoint on [0-9.]*:[0-9]*' "$1" | grep -o '[0-9]*$' || true)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
    done
    return 1
}
# start_run MANIFEST LOG: `careerops run MANIFEST` in the background, its
# stderr in LOG; sets RP (its pid, killed at exit), LOGF=LOG and, when the
# manifest has an "http" section, port (its control API's port)
start_run() {
    "$B" run "$1" 2> "$2" & RP=$!; PIDS+=($RP)
    LOGF=$2
    if grep -q '"http"' "$1"; then
        port=$(http_port "$2") || fail "no http endpoint in the log: $(tail -3 "$2")"
    fi
}
stage_status() { # PORT STAGE: its instances' statuses (/api/stages)
    curl -sf "http://127.0.0.1:$1/api/stages" | python3 -c 'import json,sys
d=json.load(sys.stdin); print(",".join(s["status"] for s in d["stages"] if s["stage"]==sys.argv[1]))' "$2"
}
