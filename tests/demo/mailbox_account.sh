#!/usr/bin/env bash
# scripts/mailbox_account.py on hostile folders (no PostgreSQL needed): a
# FIFO beside the mail is skipped, not opened (opening it would block), and
# a message whose headers make Python's email package raise (RecursionError
# in email.utils.getaddresses on the mimekit torture corpus) is skipped with
# one short line, never a traceback.
set -euo pipefail
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-acct.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'From: a@example.com\nTo: Owner <owner@example.org>\nSubject: x\n\nbody\n' >"$T/a.eml"
mkfifo "$T/x.eml"
out=$(timeout 20 python3 "$SRC/scripts/mailbox_account.py" "$T") || fail "FIFO folder: exit $? (hung or failed)"
[ "$out" = owner@example.org ] || fail "FIFO folder: got '$out'"
echo "ok: a FIFO in the folder is skipped"
# trial 66: one .eml file given alone (no "From " line) had no account
rm -f "$T/x.eml"
out=$(python3 "$SRC/scripts/mailbox_account.py" "$T/a.eml") || fail "one .eml file: exit $?"
[ "$out" = owner@example.org ] || fail "one .eml file: got '$out'"
echo "ok: one .eml file given alone: its To address"
# trial 67: escaped envelope lines (">From ...") before the header hid it
printf 'From a@b.example Wed Mar  5 09:00:00 2025\n>From a@b.example Wed Mar  5 09:00:00 2025\n>>From c@d.example Tue Mar  4 09:00:00 2025\nDelivered-To: me@t67.example\nSubject: x\n\nhi\n' >"$T/esc.mbox"
out=$(python3 "$SRC/scripts/mailbox_account.py" "$T/esc.mbox") || fail "escaped envelope lines: exit $?"
[ "$out" = me@t67.example ] || fail "escaped envelope lines: got '$out'"
echo "ok: an mbox whose messages start with escaped envelope lines: its Delivered-To"
corpus=$SRC/../shared/corpus/mime-torture/mimekit
if [ -d "$corpus" ]; then
    timeout 120 python3 "$SRC/scripts/mailbox_account.py" "$corpus" >"$T/out" 2>"$T/err" ||
        [ $? = 1 ] || fail "mimekit: exit $?: $(tail -n 3 "$T/err")"
    ! grep -q Traceback "$T/err" || fail "mimekit: a traceback: $(head -n 3 "$T/err")"
    [ "$(wc -l <"$T/err")" -le 1 ] || fail "mimekit: $(wc -l <"$T/err") lines on stderr"
    echo "ok: mimekit corpus: no traceback, at most one line on stderr"
else
    echo "note: $corpus missing, the RecursionError case not run"
fi
