#!/usr/bin/env bash
# The whole test suite, as the README says: installs what is missing,
# builds, starts a throwaway PostgreSQL, runs every suite (unit,
# integration, abi, corpus replay), then the unit suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the crash test (suite
# chaos), compiles the release build
# (-O3 -Werror warns about things -O2 does not), and stops PostgreSQL
# (unless it was running before).
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh --quick    # skip the crash, sanitizer, release and real-Kafka passes
#   bash scripts/test.sh --kafka    # only the real-Kafka pass
# The full run also runs the host's integration and crash tests (suites
# host and chaos) on a real Apache Kafka (scripts/kafka.sh: fetched with
# Maven once into .kafka/, Java from Debian), then the suite kafka (SASL_SSL,
# 3-broker failover; each starts its own cluster). Without Maven Central
# they are skipped with one line saying so. CAREEROPS_TEST_KAFKA=0 skips them.
# Prints "N passed, N failed" last; exit 0 only when nothing failed.
#
# Most tests wait (group joins, polls, outages they cause on purpose)
# rather than compute, so after the build three things run at once:
#   - the mock pass (every suite of the default setup, 2 tests at a time;
#     is_parallel: false tests alone within it);
#   - the side lane: the real-Kafka part (one broker: suites host, chaos,
#     eos-kafka; then the suite kafka's own clusters), then the crash test
#     on the mock (setup chaos); each with its own meson test log, a
#     temporary folder per test and Kafka ports claimed under flock;
#   - the sanitizer and release builds, niced (nice 15, ninja -j2).
# Then the sanitizer's unit tests on their own (some measure time). Every
# lane's log is printed after the mock pass, then the seconds per phase.
#
# Phases of a full run from a fresh clone (.ci/run, 2 cores shared with
# other helpers' builds and benchmarks: load average 15 on average, 25 at
# most; 1512 s in all, 2026-12-03): deps + build + PostgreSQL and Chroma
# 216 s; the mock pass 1251 s (the critical path: its last two tests, the
# S3 ones, waited for SeaweedFS's Go build, 19 min niced; the binary is now
# kept in ~/.cache/careerops for the next clone); beside it the real-Kafka
# part 780 s (607 s broker start + host + chaos + eos-kafka, 173 s
# kafka-sasl + kafka-failover) then the mock crash test 364 s; the
# sanitizer build 1001 s and the release build 258 s, niced; the
# sanitizer's unit tests 34 s. The sequential layout before took 1761 s on
# an idle machine and 2169 s at load average 5.7. Issue 14 asks for under
# 25 minutes on an otherwise idle 2-core machine.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
quick=0 kafka_only=0
# one option at most; anything else is refused before anything starts
# (trial 88: `--help` ran the whole suite, a mistyped option was ignored)
case "${1:-}" in
'') ;;
--quick) quick=1 ;;
--kafka) kafka_only=1 ;;
-h | --help)
    sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
    exit 0 ;;
*)
    echo "test.sh: unknown option '$1' (give none, --quick, --kafka or --help)" >&2
    exit 2 ;;
esac
[ $# -le 1 ] || { echo "test.sh: one option at most (--quick, --kafka or --help)" >&2; exit 2; }

bash scripts/deps.sh || { echo "could not install dependencies" >&2; exit 1; }

# chromadb for the real-Chroma test (scripts/chroma.sh, from PyPI; a few
# minutes the first time), installed while the build runs
mkdir -p .chroma && bash scripts/chroma.sh install > .chroma/install.log 2>&1 &
chroma_install=$!

build=${CAREEROPS_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dtests=enabled >/dev/null || exit 1
fi
# SeaweedFS for the S3 tests (tests/archive/weed.sh: a Go build from the
# module proxy, a few minutes of CPU the first time), built at low priority
# while the build and the first tests run; archive-s3 and archive-backup wait
# for it (a lock) instead of compiling it inside the serial test window.
weed_build=
if [ $kafka_only = 0 ]; then
    mkdir -p "$build/weed"
    nice -n 10 bash tests/archive/weed.sh build "$build" >"$build/weed/prebuild.log" 2>&1 &
    weed_build=$!
fi
# meson-test-prereq: what the tests need beyond the default targets
# (eos_tool); every meson test below runs with --no-rebuild, so that no two
# ninja processes work in one build folder.
ninja -C "$build" all meson-test-prereq || exit 1

# a PostgreSQL that was running before (the user's, the demo's) is left
# running at the end (trial 88: it was stopped)
pg_was_running=0
bash scripts/pg.sh status >/dev/null 2>&1 && pg_was_running=1
bash scripts/pg.sh start || exit 1
eval "$(bash scripts/pg.sh env)"
kafka_started=0
lane_pids=()
# a lane and everything it started (its meson test, ninja, the tests'
# own servers): a cut pipe or Ctrl-C left them running (trial 88)
kill_tree() {
    local c
    for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
    kill "$1" 2>/dev/null || true
}
trap '[ -z "$weed_build" ] || kill_tree "$weed_build"
      for p in "${lane_pids[@]:-}"; do [ -z "$p" ] || kill_tree "$p"; done
      [ $pg_was_running = 1 ] || bash scripts/pg.sh stop >/dev/null 2>&1 || true
      bash scripts/chroma.sh stop >/dev/null 2>&1 || true
      [ $kafka_started = 0 ] || bash scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT
# Without PyPI (Debian's mirror only) the chroma-real test skips.
if wait $chroma_install && bash scripts/chroma.sh start; then
    eval "$(bash scripts/chroma.sh env)"
else
    tail -n 3 .chroma/install.log >&2
    echo "test.sh: no real Chroma server: the chroma-real test will skip" >&2
fi

# The host and chaos suites on a real Apache Kafka, then the suite kafka.
run_kafka() {
    # Real Apache Kafka, one JVM broker (then the suite kafka's own
    # clusters, one at a time): the same host tests as on the mock.
    k0=$SECONDS krc=0
    kafka_started=1
    bash scripts/kafka.sh start >"$build/kafka-start.log" 2>&1 || krc=$?
    if [ $krc = 0 ]; then
        (eval "$(bash scripts/kafka.sh env)" &&
            meson test -C "$build" --no-rebuild --setup kafka --suite host --suite chaos --suite eos-kafka \
                --print-errorlogs --timeout-multiplier 2)
        summ "$build/meson-logs/testlog-kafka.json" kafka
        bash scripts/kafka.sh stop >/dev/null 2>&1
        phase "real Kafka: broker start, host + chaos + eos-kafka" $k0
        k1=$SECONDS
        meson test -C "$build" --no-rebuild --setup kafka --suite kafka --no-suite eos-kafka --print-errorlogs \
            --timeout-multiplier 2 --logbase testlog-own
        summ "$build/meson-logs/testlog-own-kafka.json" kafka
        phase "real Kafka: suite kafka (own clusters)" $k1
    elif [ $krc = 77 ]; then
        echo "real Kafka: $(grep -h SKIP "$build/kafka-start.log" | tail -n 1)"
        echo "0 0 1" >> "$summary"
    else
        tail -n 20 "$build/kafka-start.log"
        echo "real Kafka: scripts/kafka.sh start FAILED (log: $build/kafka-start.log)"
        echo "0 1 0" >> "$summary"
    fi
    echo "real Kafka part: $((SECONDS - k0)) s"
    phase "real Kafka part" $k0
}

summary=$(mktemp)
# One testlog's counts into the summary; a summary that cannot be read
# (a missing, empty or overwritten testlog) counts as a failure, never as 0/0.
summ() {
    local c
    c=$(python3 scripts/testlog-summary.py "$@") || c=
    if [ -z "$c" ] || [ "$c" = "0 0 0" ]; then
        echo "test.sh: no test results in $1 (counted as failed)"
        c="0 1 0"
    fi
    echo "$c" >> "$summary"
}
# phase NAME T0: one line of the closing "seconds per phase" table.
phases=$(mktemp)
phase() { echo "$1: $((SECONDS - $2)) s (load average $(cut -d' ' -f1-3 /proc/loadavg))" >> "$phases"; }
phase "deps + build + services" 0

# lane NAME FUNCTION: runs FUNCTION in the background, its output in
# $build/lane-NAME.log; lane_end NAME waits for it, prints that log and
# counts a lane that died before its end as a failure (never as 0/0).
lane() {
    rm -f "$build/lane-$1.done"
    { "$2" && echo ok > "$build/lane-$1.done"; } > "$build/lane-$1.log" 2>&1 &
    lane_pids+=($!)
    eval "lane_pid_$1=$!"
}
lane_end() {
    local pid
    eval "pid=\$lane_pid_$1"
    wait "$pid"
    echo "==== lane $1 ===="
    cat "$build/lane-$1.log"
    if [ ! -f "$build/lane-$1.done" ]; then
        echo "test.sh: lane $1 ended before its end (counted as failed)"
        echo "0 1 0" >> "$summary"
    fi
}

# The crash test (one stage per process, 130 SIGKILLs; about 6 min on 2
# cores, mostly waiting: its processor sleeps 1 ms per record) is kept out
# of the default setup, so --quick skips it.
chaos_mock() {
    local t0=$SECONDS
    meson test -C "$build" --no-rebuild --setup chaos --suite chaos --print-errorlogs
    summ "$build/meson-logs/testlog-chaos.json" chaos
    phase "crash test on the mock" $t0
}
# The side lane, beside the mock pass: the real-Kafka part, then the mock
# crash test. Nothing is shared with the mock pass: other meson test logs
# (testlog-kafka, testlog-own-kafka, testlog-chaos), a temporary folder
# per test, Kafka ports claimed under flock by scripts/kafka.sh, no
# PostgreSQL; only meson test --no-rebuild runs in the build folder.
lane_side() {
    [ "${CAREEROPS_TEST_KAFKA:-1}" = 1 ] && run_kafka
    chaos_mock
}
# The sanitizer and release builds, niced, while the tests wait on sockets.
asan=${build}-asan
lane_compile() {
    local t0=$SECONDS rc=0
    if [ ! -f "$asan/build.ninja" ]; then
        meson setup "$asan" -Dtests=enabled -Db_sanitize=address,undefined \
            -Db_lundef=false -Dbuildtype=debug >/dev/null || rc=1
    fi
    [ $rc = 0 ] && { nice -n 15 ninja -C "$asan" -j2 all meson-test-prereq > "$asan/compile.log" 2>&1 || rc=1; }
    if [ $rc = 0 ]; then
        echo ok > "$asan/.built"
    else
        grep -E "error|FAILED" "$asan/compile.log" 2>/dev/null | head -20
        echo "sanitizer build: FAILED (log: $asan/compile.log)"; echo "0 1 0" >> "$summary"
    fi
    phase "sanitizer build (nice)" $t0
    # The release build compiles (-O3 -Werror warns about things -O2 does
    # not): no tests.
    t0=$SECONDS
    rel=${build}-rel
    if { [ -f "$rel/build.ninja" ] || meson setup "$rel" --buildtype=release >/dev/null; } &&
        nice -n 15 ninja -C "$rel" -j2 >"$rel/compile.log" 2>&1; then
        echo "release build: ok"; echo "1 0 0" >> "$summary"
    else
        grep -E "error|FAILED" "$rel/compile.log" 2>/dev/null | head -20
        echo "release build: FAILED (log: $rel/compile.log)"; echo "0 1 0" >> "$summary"
    fi
    phase "release build (nice)" $t0
}

if [ $kafka_only = 1 ]; then
    run_kafka
    quick=1
else
    if [ $quick = 0 ]; then
        [ "${CAREEROPS_TEST_KAFKA:-1}" = 1 ] && kafka_started=1
        rm -f "$asan/.built"
        lane side lane_side
        lane compile lane_compile
    fi
    t0=$SECONDS
    meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 2
    summ "$build/meson-logs/testlog.json"
    phase "mock pass" $t0
fi

if [ $quick = 0 ]; then
    lane_end compile
    lane_end side
    lane_pids=()
    if [ -f "$asan/.built" ]; then
        # On their own, after every other pass: some of them measure time.
        # CK_FORK=no keeps each Check test in one process so leaks are seen.
        t0=$SECONDS
        CK_FORK=no meson test -C "$asan" --no-rebuild --suite unit --print-errorlogs \
            --num-processes 2 --timeout-multiplier 4
        summ "$asan/meson-logs/testlog.json" asan
        phase "sanitizer unit tests" $t0
    fi
fi
echo "==== seconds per phase ===="
cat "$phases"
python3 - "$summary" <<'P'
import sys
p = f = s = 0
for line in open(sys.argv[1]):
    a, b, c = (int(x) for x in line.split())
    p += a; f += b; s += c
print(f"{p} passed, {f} failed" + (f", {s} skipped" if s else ""))
sys.exit(1 if f else 0)
P
