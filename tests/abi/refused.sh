#!/usr/bin/env bash
# A plugin built for another ABI major (or a newer minor) is refused by
# `careerops plugins info`, `validate` and `run`: non-zero exit, no crash,
# and a message on stderr naming the plugin file and both versions.
# Usage: refused.sh ABI_MAJOR_SO ABI_MINOR_SO (built by meson from
# abi_plugin.c with major+1 and minor+1).
set -eu
# shellcheck source=SCRIPTDIR/abi_lib.sh
. "$(dirname "$0")/abi_lib.sh"
[ $# -eq 2 ] || abi_fail "usage: $0 abi-major.so abi-minor.so"
abi_tmp
abi_host_version
abi_host_ready
mkdir "$ABI_TMP/plugins"
cp "$1" "$ABI_TMP/plugins/abi-major.so"
cp "$2" "$ABI_TMP/plugins/abi-minor.so"
export CAREEROPS_PLUGIN_PATH="$ABI_TMP/plugins${CAREEROPS_PLUGIN_PATH:+:$CAREEROPS_PLUGIN_PATH}"
host="$ABI_MAJOR.$ABI_MINOR"

# expect_refused FILE CLAIMED WHAT COMMAND...
expect_refused() {
    local file=$1 claimed=$2 what=$3 rc=0
    shift 3
    "$@" >"$ABI_TMP/out" 2>"$ABI_TMP/err" || rc=$?
    [ "$rc" -ne 0 ] || abi_fail "$what exited 0 with a plugin built for ABI $claimed"
    [ "$rc" -lt 128 ] || abi_fail "$what crashed (status $rc)"
    [ "$rc" -ne 124 ] || abi_fail "$what did not finish within 60 s"
    grep -qF "$file" "$ABI_TMP/err" ||
        { cat "$ABI_TMP/err" >&2; abi_fail "$what: the message does not name $file"; }
    grep -qwF "$claimed" "$ABI_TMP/err" ||
        { cat "$ABI_TMP/err" >&2; abi_fail "$what: the message does not give the plugin's ABI $claimed"; }
    grep -qwF "$host" "$ABI_TMP/err" ||
        { cat "$ABI_TMP/err" >&2; abi_fail "$what: the message does not give the host's ABI $host"; }
    echo "ok: $what refused: $(head -n 1 "$ABI_TMP/err")"
}

# Sanity: the folder is searched and good plugins next to the bad ones load.
"$CAREEROPS_BIN" plugins info mock-passthrough >"$ABI_TMP/out" 2>&1 ||
    { cat "$ABI_TMP/out" >&2; abi_fail "plugins info mock-passthrough failed"; }

major="$ABI_TMP/plugins/abi-major.so"
expect_refused "$major" "$((ABI_MAJOR + 1)).0" "plugins info" \
    "$CAREEROPS_BIN" plugins info abi-major

cat >"$ABI_TMP/pipeline.json" <<JSON
{"pipeline": "abi-refused", "kafka": {"bootstrap.servers": "embedded"},
 "state": "memory:",
 "stages": [
  {"name": "gen", "plugin": "mock-source", "output": "abi_in",
   "config": {"count": 3}},
  {"name": "bad", "plugin": "abi-major", "input": "abi_in",
   "output": "abi_out", "config": {}},
  {"name": "store", "plugin": "mock-sink", "input": "abi_out",
   "config": {"path": "out.jsonl"}}]}
JSON
expect_refused "$major" "$((ABI_MAJOR + 1)).0" "validate" \
    "$CAREEROPS_BIN" validate "$ABI_TMP/pipeline.json"
expect_refused "$major" "$((ABI_MAJOR + 1)).0" "run" \
    timeout 60 "$CAREEROPS_BIN" run "$ABI_TMP/pipeline.json"
[ ! -s "$ABI_TMP/out.jsonl" ] || abi_fail "run wrote records despite the refused plugin"

expect_refused "$ABI_TMP/plugins/abi-minor.so" "$ABI_MAJOR.$((ABI_MINOR + 1))" \
    "plugins info (newer minor)" "$CAREEROPS_BIN" plugins info abi-minor
