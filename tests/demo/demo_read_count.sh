#!/usr/bin/env bash
# A message the source dead-letters itself (a 0-byte file in a Maildir) was
# read too: "messages read" of the text summary and of --json agree
# (3 read: 2 new, 1 dead-lettered), and both equal "messages". Paths in the
# log and summary carry no "pipelines/.." or "core/../plugins".
. "$(dirname "$0")/lib.sh"
md=$T/Maildir
sample_maildir "$md" 2
: >"$md/cur/empty.test:2,S"
SCHEMAS+=("$(schema_of "$md")")
demo "$T/out.json" --mailbox "$md" --fresh
python3 - "$T/out.json" <<'PY' || fail "--json: $(head -c 400 "$T/out.json")"
import json, sys
o = json.load(open(sys.argv[1]))
assert (o["messages"], o["messages_read_run"], o["messages_new"]) == (3, 3, 2), o
PY
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$md" --account "$(account_of "$md")" \
    --fresh >"$T/out.txt" 2>"$T/err" || fail "text run: $(tail -n 5 "$T/err")"
grep -Eq '^messages read +3 this run: 2 new, 0 already seen, 1 dead-lettered$' "$T/out.txt" ||
    fail "text summary: $(grep '^messages read' "$T/out.txt")"
# paths are printed without "pipelines/.." (the archive's default)
! grep -q 'pipelines/\.\./' "$SRC/.run/demo/$(schema_of "$md")/run.log" "$T/out.txt" "$T/out.json" ||
    fail "a path with pipelines/..: $(grep -h -m 1 -o '[^ ]*pipelines/\.\./[^ ]*' "$SRC/.run/demo/$(schema_of "$md")/run.log" "$T/out.txt" "$T/out.json" | head -n 1)"
# nor the plugin folder with build/core/..
env -u CAREEROPS_PLUGIN_PATH "$CAREEROPS_BIN" validate "$SRC/pipelines/demo.json" \
    --set stages.show.plugin=no-such-plugin >"$T/val" 2>&1 || true
grep -q "looked for no-such-plugin.so in " "$T/val" || fail "validate: $(cat "$T/val")"
! grep -q '/\.\./plugins' "$T/val" || fail "plugin path with '..': $(cat "$T/val")"
# nor a folder twice (trial 71: CAREEROPS_PLUGIN_PATH = the build tree's)
CAREEROPS_PLUGIN_PATH="$CAREEROPS_BUILD_ROOT/plugins/" "$CAREEROPS_BIN" validate "$SRC/pipelines/demo.json" \
    --set stages.show.plugin=no-such-plugin >"$T/val" 2>&1 || true
[ "$(grep -o 'looked for no-such-plugin.so in [^)]*' "$T/val" | tr ':' '\n' | grep -c "^$CAREEROPS_BUILD_ROOT/plugins\$\|in $CAREEROPS_BUILD_ROOT/plugins\$")" = 1 ] ||
    fail "the build tree's plugin folder not listed once: $(cat "$T/val")"
ok "Maildir with a 0-byte file: 3 messages read (2 new, 1 dead-lettered) in text and --json"
