#!/usr/bin/env bash
# Build examples/hello-plugin out of tree from the installed SDK alone
# (pkg-config --cflags careerops-plugin, -std=c99 -pedantic -Werror, no host
# library linked), both with the documented cc command and with its
# Makefile, then run it in a pipeline on the embedded broker:
# mock-source -> hello -> mock-sink, and check every record in the sink.
# Usage: out_of_tree.sh CC
set -eu
# shellcheck source=SCRIPTDIR/abi_lib.sh
. "$(dirname "$0")/abi_lib.sh"
CC=${1:-cc}
N=500
abi_setup
abi_host_ready

cp -r "$CAREEROPS_SOURCE_ROOT/examples/hello-plugin" "$ABI_TMP/hello"
rm -f "$ABI_TMP/hello/hello.so"
mkdir "$ABI_TMP/plugins"
so="$ABI_TMP/plugins/hello.so"
# shellcheck disable=SC2086 # CC and the flags are word lists
$CC -std=c99 -pedantic -Werror -Wall -Wextra -shared -fPIC $ABI_CFLAGS \
    -o "$so" "$ABI_TMP/hello/hello.c" ||
    abi_fail "hello.c does not build from the installed headers with -std=c99 -pedantic -Werror"
make -s -C "$ABI_TMP/hello" CC="$CC" >"$ABI_TMP/make.log" 2>&1 ||
    { cat "$ABI_TMP/make.log" >&2; abi_fail "the example's Makefile failed"; }
[ -f "$ABI_TMP/hello/hello.so" ] || abi_fail "make built no hello.so"

# No host library: the only dependency is libc, nothing co_* is imported,
# and the entry point is the one symbol exported.
for f in "$so" "$ABI_TMP/hello/hello.so"; do
    needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v '^libc\.so' || true)
    [ -z "$needed" ] || abi_fail "$f links more than libc: $needed"
    if nm -D --undefined-only "$f" | grep -q ' co_'; then
        abi_fail "$f imports host symbols: $(nm -D --undefined-only "$f" | grep ' co_')"
    fi
    exported=$(nm -D --defined-only "$f" | awk '$2 == "T" {print $3}')
    [ "$exported" = "co_plugin_entry" ] ||
        abi_fail "$f exports [$exported], expected only co_plugin_entry"
done

export CAREEROPS_PLUGIN_PATH="$ABI_TMP/plugins${CAREEROPS_PLUGIN_PATH:+:$CAREEROPS_PLUGIN_PATH}"
"$CAREEROPS_BIN" plugins info hello >"$ABI_TMP/info" 2>&1 ||
    { cat "$ABI_TMP/info" >&2; abi_fail "careerops plugins info hello failed"; }
for opt in greeting max_value_bytes keep_headers; do
    grep -qw "$opt" "$ABI_TMP/info" ||
        { cat "$ABI_TMP/info" >&2; abi_fail "plugins info hello does not list option $opt"; }
done

cat >"$ABI_TMP/pipeline.json" <<JSON
{"pipeline": "abi-hello", "kafka": {"bootstrap.servers": "embedded"},
 "state": "memory:",
 "stages": [
  {"name": "gen", "plugin": "mock-source", "output": "hello_in",
   "config": {"count": $N, "value_size": 64}},
  {"name": "greet", "plugin": "hello", "input": "hello_in",
   "output": "hello_out",
   "config": {"greeting": "\${env:HELLO_GREETING:-hello}"}},
  {"name": "store", "plugin": "mock-sink", "input": "hello_out",
   "config": {"path": "out.jsonl", "headers": true}}]}
JSON
out="$ABI_TMP/out.jsonl"
export HELLO_GREETING="hi there"
"$CAREEROPS_BIN" run "$ABI_TMP/pipeline.json" --until-idle >"$ABI_TMP/run.log" 2>&1 &
ABI_HOST_PID=$!

# --until-idle: the host exits 0 by itself once the source is exhausted and
# every stage has caught up. The deadline only bounds a hang.
for _ in $(seq 1 900); do
    kill -0 "$ABI_HOST_PID" 2>/dev/null || break
    sleep 0.2
done
if kill -TERM "$ABI_HOST_PID" 2>/dev/null; then
    wait "$ABI_HOST_PID" || true
    ABI_HOST_PID=
    tail -n 30 "$ABI_TMP/run.log" >&2
    abi_fail "careerops run --until-idle still running after 180 s (sink: $(wc -l <"$out" 2>/dev/null || echo 0) of $N lines)"
fi
rc=0
wait "$ABI_HOST_PID" || rc=$?
ABI_HOST_PID=
[ "$rc" -eq 0 ] || { tail -n 30 "$ABI_TMP/run.log" >&2; abi_fail "careerops run exited $rc"; }
[ -f "$out" ] || { tail -n 30 "$ABI_TMP/run.log" >&2; abi_fail "the sink wrote nothing"; }

python3 - "$out" "$N" "$HELLO_GREETING" <<'PY' || { tail -n 30 "$ABI_TMP/run.log" >&2; abi_fail "sink contents are wrong"; }
import json, sys
path, n, greeting = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(path, encoding="utf-8").read().splitlines()
seen = {}
for no, line in enumerate(lines, 1):
    rec = json.loads(line)
    key, value = rec["key"], rec["value"]
    prefix = greeting + ", "
    assert value.startswith(prefix), f"line {no}: value {value[:40]!r} lacks {prefix!r}"
    inner = json.loads(value[len(prefix):])
    assert key == f"k{inner['seq']}", f"line {no}: key {key} for seq {inner['seq']}"
    assert rec["headers"].get("x-hello") == greeting, f"line {no}: headers {rec['headers']}"
    seen[key] = seen.get(key, 0) + 1
missing = [i for i in range(1, n + 1) if f"k{i}" not in seen]
dups = sum(c - 1 for c in seen.values())
assert not missing, f"{len(missing)} records missing, first {missing[:5]}"
assert len(seen) == n, f"{len(seen)} distinct keys, expected {n}"
assert dups == 0, f"{dups} duplicate records in a run without failures"
print(f"ok: {n} records through mock-source -> hello -> mock-sink, each once")
PY
