#!/usr/bin/env bash
# An empty mailbox (an empty mbox file, an empty Maildir, an empty folder)
# is no error, but the demo must not report success silently: it exits 0,
# warns "0 messages found in PATH" and counts 0 messages. A folder of files
# not named .eml warns, whatever the account has read before (trial 72).
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

# trial 72: a folder of mail files whose names do not end in .eml (o1, o2,
# r1, r2) read under an account that has state from another folder: the
# warning as for a new account, and the summary does not say "nothing new"
mkdir -p "$T/first" "$T/own"
printf 'From: HR <hr@owncase.example>\nTo: sam@example.org\nSubject: Application received\nMessage-ID: <first@owncase.example>\n\nThank you for applying.\n' >"$T/first/a.eml"
for n in o1 o2 r1 r2; do
    printf 'From: HR <hr@owncase.example>\nTo: sam@example.org\nSubject: Note %s\nMessage-ID: <%s@owncase.example>\n\nA note.\n' "$n" "$n" >"$T/own/$n"
done
acct="test:$T/own-account"
SCHEMAS+=("acct_$(printf '%s' "$acct" | tr '[:upper:]' '[:lower:]' | sha256sum | cut -c1-10)")
demo "$T/first.json" --mailbox "$T/first" --account "$acct"
demo "$T/own.json" --mailbox "$T/own" --account "$acct"
grep -q "^demo: warning: 0 messages found in $T/own: 4 files skipped because their names do not end in .eml (e.g. o1): rename them NAME.eml" "$T/own.json.err" ||
    fail "own: no skipped-files warning: $(tail -n 5 "$T/own.json.err")"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["mailbox_files_not_eml"] == 4 and o["messages_read_run"] == 0, o' \
    "$T/own.json" || fail "own: $(cat "$T/own.json")"
CAREEROPS_DEMO_SKIP_DEPS=1 bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$T/own" --account "$acct" \
    >"$T/own.txt" 2>"$T/own.txt.err" || fail "own text run: $(tail -n 3 "$T/own.txt.err")"
! grep -q 'nothing new' "$T/own.txt" || fail "own: 'nothing new' said: $(grep '^messages' "$T/own.txt")"
grep -q '^files skipped  *4 in the mailbox folder, not read: their names do not end in .eml' "$T/own.txt" ||
    fail "own: no 'files skipped' line: $(cat "$T/own.txt")"
grep -q '^demo: warning: 0 messages found in ' "$T/own.txt.err" || fail "own text: no warning: $(cat "$T/own.txt.err")"
# beside an .eml read before: the warning too, without "0 messages found"
cp "$T/own/o1" "$T/first/o1"
demo "$T/first2.json" --mailbox "$T/first" --account "$acct"
grep -q "^demo: warning: $T/first: 1 file skipped because its name does not end in .eml (e.g. o1)" "$T/first2.json.err" ||
    fail "first: no skipped-files warning: $(tail -n 5 "$T/first2.json.err")"
ok "files not named .eml, under an account with state: the warning, no 'nothing new'"
