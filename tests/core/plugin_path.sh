#!/usr/bin/env bash
# A stage's `plugin` is a plain name looked up only in the plugin folders:
# "../../../tmp/x/evil" is refused by `validate` and `run` with the stage's
# JSON path, before any dlopen (the library's constructor would create a
# marker file). A library elsewhere loads only through `plugin_file`.
# Usage: plugin_path.sh EVIL_SO (tests/core/evil_plugin.c)
. "$(dirname "$0")/../integration/lib.sh"
[ $# -eq 1 ] || fail "usage: $0 evil.so"
mkdir x
cp "$1" x/evil.so
export CO_EVIL_MARKER="$T/dlopened"
plugdir=${CAREEROPS_PLUGIN_PATH%%:*}
rel=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
      "$T/x/evil" "$plugdir")
[ -f "$plugdir/$rel.so" ] || fail "the traversal $rel does not reach x/evil.so"
manifest() { # $1: the sink stage's plugin fields
    cat > m.json <<J
{"pipeline":"pp","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
  {"name":"sink",$1,"input":"a","config":{"path":"out.jsonl"}}]}
J
}

manifest "\"plugin\":\"$rel\""
for cmd in validate run; do
    rc=0
    "$B" $cmd m.json >out.txt 2>err.txt || rc=$?
    [ $rc -ne 0 ] || fail "$cmd accepted plugin \"$rel\""
    grep -q 'stages\[1\] (sink)\.plugin: ' err.txt || fail "$cmd: no JSON path: $(cat err.txt)"
    grep -q 'plugin_file' err.txt || fail "$cmd: the message does not point to plugin_file"
    [ ! -e "$CO_EVIL_MARKER" ] || fail "$cmd dlopen()ed $rel"
    ok "$cmd refuses plugin \"$rel\" without loading it: $(head -1 err.txt | cut -c1-120)"
done
manifest '"plugin":"mock-sink"'
rc=0
"$B" validate m.json --set "stages.sink.plugin=/$T/x/evil" >out.txt 2>err.txt || rc=$?
[ $rc -ne 0 ] && [ ! -e "$CO_EVIL_MARKER" ] || fail "--set plugin=PATH was loaded"
grep -q 'stages\[1\] (sink)\.plugin: ' err.txt || fail "--set: no JSON path: $(cat err.txt)"
ok "--set stages.sink.plugin=/PATH refused without loading it"

# Symlinks out of a plugin folder: a plain name whose NAME.so (or whose
# subfolder) is a symlink leaving the folder is refused before any dlopen,
# by run, validate and `plugins list`; a symlink that stays inside loads.
sink=$(find "$plugdir" -name mock-sink.so | head -1)
mkdir -p plugs/lib plugs/sub
cp "$sink" plugs/lib/mock-sink.so
ln -s lib/mock-sink.so plugs/mock-sink.so
ln -s "$T/x/evil.so" plugs/evil.so
ln -s "$T/x" plugs/out
cp x/evil.so x/evil2.so
for name in evil evil2; do
    manifest "\"plugin\":\"$name\""
    for cmd in validate run; do
        rc=0
        CAREEROPS_PLUGIN_PATH="$T/plugs:$CAREEROPS_PLUGIN_PATH" \
            "$B" $cmd m.json >out.txt 2>err.txt || rc=$?
        [ $rc -ne 0 ] || fail "$cmd accepted plugin $name through a symlink"
        grep -q 'outside the plugin folder' err.txt ||
            fail "$cmd $name: no 'outside the plugin folder': $(cat err.txt)"
        grep -q 'stages\[1\] (sink)\.plugin' err.txt || fail "$cmd: no JSON path: $(cat err.txt)"
        [ ! -e "$CO_EVIL_MARKER" ] || fail "$cmd dlopen()ed $name through a symlink"
    done
    ok "symlinked $name out of the plugin folder refused: $(grep -m1 outside err.txt | cut -c1-160)"
done
CAREEROPS_PLUGIN_PATH="$T/plugs" "$B" plugins list >list.txt 2>&1 || true
[ ! -e "$CO_EVIL_MARKER" ] || fail "plugins list dlopen()ed a symlink out of the folder"
grep -q 'outside the plugin folder' list.txt || fail "plugins list: $(cat list.txt)"
manifest '"plugin":"mock-sink"'
CAREEROPS_PLUGIN_PATH="$T/plugs" "$B" validate m.json >out.txt 2>err.txt ||
    fail "a symlink inside the plugin folder was refused: $(cat err.txt)"
ok "plugins list skips it; a symlink inside the folder loads"

# A file name for a plugin name: the fault says to drop ".so".
manifest '"plugin":"mock-sink.so"'
! "$B" validate m.json >out.txt 2>err.txt || fail "validate accepted plugin mock-sink.so"
grep -q 'stages\[1\] (sink)\.plugin: .*write "mock-sink"' err.txt || fail "mock-sink.so: $(cat err.txt)"
ok "plugin \"mock-sink.so\": $(head -1 err.txt | cut -c1-120)"

# The marker works: plugin_file does load the library (which is no plugin).
manifest '"plugin_file":"x/evil.so"'
rc=0
"$B" validate m.json >out.txt 2>err.txt || rc=$?
[ $rc -ne 0 ] || fail "validate accepted a library that is no plugin"
[ -e "$CO_EVIL_MARKER" ] || fail "plugin_file did not load x/evil.so (the marker test is void)"
grep -q 'stages\[1\] (sink)\.plugin_file: ' err.txt ||
    fail "plugin_file fault without its JSON path: $(cat err.txt)"
ok "plugin_file loads a library by path: $(head -1 err.txt | cut -c1-120)"

# And a real plugin by file runs.
manifest "\"plugin_file\":\"$sink\""
"$B" validate m.json >out.txt 2>err.txt || fail "plugin_file $sink: $(cat err.txt)"
"$B" run m.json --until-idle 2>run.log || fail "run with plugin_file: $(tail -3 run.log)"
[ "$(total_lines out.jsonl)" = 1 ] || fail "the sink loaded by file got $(total_lines out.jsonl) records"
ok "a plugin loaded with plugin_file runs"

# trial 83: a mock-sink.so first on the path replaced the bundled one in
# silence; a typo'd name got no hint
mkdir -p shadow
cp "$sink" shadow/
CAREEROPS_PLUGIN_PATH="$PWD/shadow:$CAREEROPS_PLUGIN_PATH" "$B" plugins info mock-sink >out.txt 2>err.txt ||
    fail "plugins info with a shadowing copy: $(cat err.txt)"
grep -q "plugin mock-sink: $PWD/shadow/mock-sink.so is used; .*mock-sink.so, later on the plugin path, is not" err.txt ||
    fail "no warning about the shadowed plugin: $(cat err.txt)"
"$B" plugins info mock-snk >out.txt 2>err.txt && fail "a typo'd plugin name was found"
grep -q "did you mean 'mock-sink'?" err.txt || fail "no did-you-mean for mock-snk: $(cat err.txt)"
ok "a plugin that shadows another is said; a typo'd name gets a did-you-mean"
