#!/usr/bin/env bash
# An empty mailbox (an empty mbox file, an empty Maildir, an empty folder)
# is no error, but the demo must not report success silently: it exits 0,
# warns "0 messages found in PATH" and counts 0 messages.
. "$(dirname "$0")/lib.sh"
: >"$T/empty.mbox"
mkdir -p "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp" "$T/folder"
for mb in empty.mbox Maildir folder; do
    SCHEMAS+=("$(schema_of "$T/$mb")")
    demo "$T/$mb.json" --mailbox "$T/$mb" --fresh
    grep -q "^demo: warning: 0 messages found in $T/$mb " "$T/$mb.json.err" ||
        fail "$mb: no '0 messages found' warning: $(tail -n 5 "$T/$mb.json.err")"
    python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["messages"] == 0, o' \
        "$T/$mb.json" || fail "$mb: $(cat "$T/$mb.json")"
done
ok "empty mbox, Maildir and folder: exit 0, 'warning: 0 messages found in PATH'"
