#!/usr/bin/env bash
# count.sh: the host's instructions per record (all threads, user space, as
# valgrind's callgrind counts them), which the load of a shared machine does
# not move, unlike records/s and CPU time.
#
#   count.sh CAREEROPS HARNESS PLUGIN_PATH SIZE N1 N2 [--set PATH=VALUE ...]
#
# Runs `careerops run bench/host/bench.json` (one mock-passthrough stage, the
# --set overrides applied, e.g. stages[0].cloudevents=binary) under
# `valgrind --tool=callgrind` twice, on a fresh standalone embedded broker
# each, passing N1 and then N2 records of SIZE bytes (the harness of
# bench.py feeds and verifies them), and prints one line:
#   size=SIZE n=N1,N2 instr/rec=...
# the difference of the two runs' instruction counts divided by N2 - N1, so
# that start-up, group join and the idle tail cancel out. (perf stat's
# hardware counters would give cycles too, but this VM has none.) The host
# runs about 50 times slower under valgrind: keep N2 near 60,000.
set -eu
[ $# -ge 6 ] || { sed -n 2,17p "$0" >&2; exit 2; }
B=$(realpath "$1") H=$(realpath "$2") P=$(realpath "$3") SIZE=$4 N1=$5 N2=$6
shift 6
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sets=()
for s in "$@"; do
    [ "$s" = --set ] || sets+=(--set "$s")
done

one() { # N -> "instructions cycles cpu_s"
    local n=$1 bf="$tmp/bs" bpid hpid ppid bs
    rm -f "$bf"
    CAREEROPS_PLUGIN_PATH=$P "$B" broker --bootstrap-file "$bf" \
        --manifest "$here/bench.json" >/dev/null 2>&1 &
    bpid=$!
    for _ in $(seq 100); do [ -s "$bf" ] && break; sleep 0.05; done
    bs=$(cat "$bf")
    CAREEROPS_PLUGIN_PATH=$P valgrind --tool=callgrind \
        --callgrind-out-file="$tmp/cg.$n" "$B" run "$here/bench.json" \
        --set "kafka.bootstrap.servers=$bs" --set pipeline=count \
        "${sets[@]}" 2>"$tmp/host.log" &
    hpid=$!
    "$H" -b "$bs" -i in -o out -n "$n" -s "$SIZE" -p "$hpid" >"$tmp/res"
    kill -TERM "$hpid"
    wait "$hpid" || true
    kill -TERM "$bpid"
    wait "$bpid" || true
    # the summary line of the main process's file (threads are summed in it)
    awk '/^summary:/ {print $2}' "$tmp/cg.$n"
}

i1=$(one "$N1")
i2=$(one "$N2")
echo "size=$SIZE n=$N1,$N2 instr/rec=$(((i2 - i1) / (N2 - N1)))"

