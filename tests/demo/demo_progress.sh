#!/usr/bin/env bash
# A pipeline that cannot go on (here: an archive that cannot be created)
# retries for ever; the demo's progress line must say why, in plain words,
# instead of counting "0 messages stored" with no reason. Then SIGTERM
# twice ends it (exit 143).
. "$(dirname "$0")/lib.sh"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/s.mbox"
SCHEMAS+=("$(schema_of "$T/s.mbox")")
CAREEROPS_ARCHIVE=/dev/null/archive CAREEROPS_DEMO_PROGRESS_S=1 \
    bash "$SRC/scripts/demo.sh" --keep-db --no-slack --fresh --mailbox "$T/s.mbox" \
    --account "$(account_of "$T/s.mbox")" >"$T/out" 2>"$T/err" &
pid=$!
want='^demo: reading\.\.\. 0 messages stored, 0 notifications, [0-9]* s - waiting: cannot prepare the archive /dev/null/archive: .*Not a directory$'
await_err 600 "$pid" "$want"
rc=0
term_twice "$pid" || rc=$?
grep -q "$want" "$T/err" || fail "no reason on the progress line: $(tail -n 5 "$T/err")"
[ "$rc" = 143 ] || fail "exit $rc after SIGTERM, expected 143"
# PostgreSQL answered throughout: before postgres-sink has made its tables
# the line says "starting", not "PostgreSQL not answering" (trial 16)
! grep -q 'PostgreSQL not answering' "$T/err" ||
    fail "PostgreSQL called not answering while it ran: $(grep -m 1 'not answering' "$T/err")"
ok "progress line: '$(grep -m 1 -o 'waiting: .*' "$T/err")'"
