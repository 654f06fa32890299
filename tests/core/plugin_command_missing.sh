#!/usr/bin/env bash
# A command a plugin provides (ask, auth gmail, eval, train) when that
# plugin is not found (trial 6): the error names the plugin and how to get
# it, exit 2, instead of "unknown command". The host is copied into a
# folder with no plugins next to it and an empty CAREEROPS_PLUGIN_PATH.
# shellcheck source=../common/cli.sh
. "$(dirname "$0")/../common/cli.sh"
mkdir -p host/core host/plugins empty
cp "$B" host/core/careerops
export CAREEROPS_PLUGIN_PATH=$t/empty
B=$t/host/core/careerops
"$B" plugins list 2>/dev/null | grep -q chroma-sink &&
    { echo "SKIP: plugins are installed on this machine (found without a path)"; exit 77; }
for c in "ask:chroma-sink" "auth gmail:gmail-source" "auth:gmail-source" \
         "eval:rules-classifier" "train:rules-classifier"; do
    cmd=${c%%:*} plugin=${c##*:}
    # shellcheck disable=SC2086 # the command's words
    expect 2 "is a command of the $plugin plugin, which is not available: plugin '$plugin' not found" \
        "careerops $cmd without $plugin" "$B" $cmd --help
    grep -q "must list $plugin: .meson configure build -Dplugins=all && ninja -C build" err.txt ||
        fail "careerops $cmd: no way to build $plugin in: $(cat err.txt)"
done
expect 2 "unknown command 'nosuch'" "an unknown command" "$B" nosuch
echo "ok: ask, auth gmail, eval, train without their plugin name it and how to build it (exit 2)"
