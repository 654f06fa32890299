#!/usr/bin/env bash
# Plugin commands (ABI 1.1, co_command_t): `careerops --help` lists them,
# `careerops NAME ...` runs the plugin's function with the arguments and
# passes its exit status through, multi-word names match word by word, a
# built-in name is never handed to a plugin, and a plugin built for ABI 1.0
# (whose commands slot was reserved) loads, runs in a pipeline, and has no
# commands; its co_plugin_t::flags (ABI 1.3, CO_PLUGIN_NO_INPUT_HEADERS) is
# ignored, so it still gets the input's headers, while the same flag in a
# plugin of the host's minor makes its stages default to no input headers. The real plugins' commands (eval, train, ask, auth gmail) are
# listed from the build's plugin folder.
# Usage: commands.sh ABI_CMD_SO ABI_V10_SO
set -eu
# shellcheck source=SCRIPTDIR/abi_lib.sh
. "$(dirname "$0")/abi_lib.sh"
[ $# -eq 2 ] || abi_fail "usage: $0 abi-cmd.so abi-v10.so"
: "${CAREEROPS_BIN:?run through meson test}"
abi_tmp
mkdir "$ABI_TMP/plugins"
cp "$1" "$ABI_TMP/plugins/abi-cmd.so"
cp "$2" "$ABI_TMP/plugins/abi-v10.so"
real="${CAREEROPS_PLUGIN_PATH:?}"
export CAREEROPS_PLUGIN_PATH="$ABI_TMP/plugins:$real"
B=$CAREEROPS_BIN

"$B" --help >"$ABI_TMP/help" 2>&1 || abi_fail "careerops --help failed"
grep -q '^  abi-hello .*\[abi-cmd\]' "$ABI_TMP/help" ||
    { cat "$ABI_TMP/help" >&2; abi_fail "--help does not list abi-hello of abi-cmd"; }
grep -q '^  abi multi word ' "$ABI_TMP/help" || abi_fail "--help misses 'abi multi word'"
if grep -q '\[abi-v10\]' "$ABI_TMP/help"; then abi_fail "--help lists a 1.0 plugin's commands"; fi
if grep -q '^  run a built-in' "$ABI_TMP/help"; then abi_fail "--help lists a plugin's 'run'"; fi
if grep -q "never" "$ABI_TMP/help"; then abi_fail "--help lists a name it cannot dispatch: $(grep never "$ABI_TMP/help")"; fi
for c in eval train ask 'auth gmail'; do
    grep -q "^  $c " "$ABI_TMP/help" || { cat "$ABI_TMP/help" >&2; abi_fail "--help misses '$c'"; }
done
echo "ok: --help lists the plugins' commands"

rc=0
"$B" abi-hello x 'y z' >"$ABI_TMP/out" 2>&1 || rc=$?
[ "$rc" -eq 7 ] || { cat "$ABI_TMP/out" >&2; abi_fail "abi-hello exited $rc, not 7"; }
grep -qF 'hello from abi-cmd (host ABI 1.3, stage_config yes): [abi-hello] [x] [y z]' "$ABI_TMP/out" ||
    { cat "$ABI_TMP/out" >&2; abi_fail "abi-hello got the wrong arguments"; }
rc=0
"$B" abi multi word --opt >"$ABI_TMP/out" 2>&1 || rc=$?
[ "$rc" -eq 7 ] && grep -qF ': [abi] [multi] [word] [--opt]' "$ABI_TMP/out" ||
    { cat "$ABI_TMP/out" >&2; abi_fail "'abi multi word' was not dispatched ($rc)"; }
rc=0
"$B" abi multi >"$ABI_TMP/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown command 'abi'" "$ABI_TMP/out" ||
    { cat "$ABI_TMP/out" >&2; abi_fail "a partial multi-word name ran ($rc)"; }
echo "ok: commands run with their arguments and exit status"

# `run` stays the host's: the usage error of the built-in, no abort
rc=0
"$B" run >"$ABI_TMP/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "run needs a MANIFEST" "$ABI_TMP/out" ||
    { cat "$ABI_TMP/out" >&2; abi_fail "'run' went to the plugin ($rc)"; }
echo "ok: built-in names stay the host's"

# A 1.0 plugin: loads, shows ABI 1.0, runs, and its reserved slot is ignored
"$B" plugins info abi-v10 >"$ABI_TMP/info" 2>&1 ||
    { cat "$ABI_TMP/info" >&2; abi_fail "plugins info abi-v10 failed"; }
grep -q '^abi: *1\.0$' "$ABI_TMP/info" || { cat "$ABI_TMP/info" >&2; abi_fail "abi-v10 is not shown as ABI 1.0"; }
grep -q '^input headers: read' "$ABI_TMP/info" ||
    { cat "$ABI_TMP/info" >&2; abi_fail "a 1.0 plugin's flags slot was read"; }
"$B" plugins info abi-cmd >"$ABI_TMP/info" 2>&1 || abi_fail "plugins info abi-cmd failed"
grep -q '^input headers: not needed' "$ABI_TMP/info" ||
    { cat "$ABI_TMP/info" >&2; abi_fail "abi-cmd's CO_PLUGIN_NO_INPUT_HEADERS is not shown"; }
cat >"$ABI_TMP/pipeline.json" <<JSON
{"pipeline": "abi-v10", "kafka": {"bootstrap.servers": "embedded"},
 "state": "memory:",
 "stages": [
  {"name": "gen", "plugin": "mock-source", "output": "v10_in",
   "config": {"count": 5}},
  {"name": "old", "plugin": "abi-v10", "input": "v10_in",
   "output": "v10_out", "config": {}},
  {"name": "new", "plugin": "abi-cmd", "input": "v10_in",
   "output": "v13_out", "config": {}},
  {"name": "store", "plugin": "mock-sink", "input": "v10_out",
   "config": {"path": "out.jsonl", "headers": true}},
  {"name": "store13", "plugin": "mock-sink", "input": "v13_out",
   "config": {"path": "out13.jsonl", "headers": true}}]}
JSON
rc=0
(cd "$ABI_TMP" && timeout 120 "$B" run pipeline.json --until-idle) >"$ABI_TMP/run.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$ABI_TMP/run.log" >&2; abi_fail "run with a 1.0 plugin exited $rc"; }
n=$(wc -l <"$ABI_TMP/out.jsonl")
[ "$n" -eq 5 ] || abi_fail "the 1.0 plugin passed $n of 5 records"
# the 1.0 plugin forwarded the source's CloudEvents headers: it got them
[ "$(grep -c '"ce_source": *"/careerops/abi-v10/gen"' "$ABI_TMP/out.jsonl")" -eq 5 ] ||
    { head -2 "$ABI_TMP/out.jsonl" >&2; abi_fail "the 1.0 plugin was handed no input headers"; }
# the 1.3 plugin declared it needs none: its records carry its own stage's
[ "$(wc -l <"$ABI_TMP/out13.jsonl")" -eq 5 ] && [ "$(grep -c '"ce_source": *"/careerops/abi-v10/new"' "$ABI_TMP/out13.jsonl")" -eq 5 ] ||
    { head -2 "$ABI_TMP/out13.jsonl" >&2; abi_fail "the 1.3 plugin with CO_PLUGIN_NO_INPUT_HEADERS was handed input headers"; }
echo "ok: a plugin built for ABI 1.0 loads and runs (5 of 5 records) and gets input headers; CO_PLUGIN_NO_INPUT_HEADERS of ABI 1.3 drops them"
