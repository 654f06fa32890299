#!/usr/bin/env bash
# An archive that cannot be created (/dev/null/archive) made the demo say
# "0 messages stored" with no reason and retry for ever; now the pipeline
# refuses it before it starts (validate: where it would go is not a
# folder), and the demo says why in plain words (exit 2).
. "$(dirname "$0")/lib.sh"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/s.mbox"
SCHEMAS+=("$(schema_of "$T/s.mbox")")
CAREEROPS_ARCHIVE=/dev/null/archive CAREEROPS_DEMO_PROGRESS_S=1 \
    bash "$SRC/scripts/demo.sh" --keep-db --no-slack --fresh --mailbox "$T/s.mbox" \
    --account "$(account_of "$T/s.mbox")" >"$T/out" 2>"$T/err" &
pid=$!
rc=0
for _ in $(seq 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    term_twice "$pid" || true
    fail "the demo did not end by itself within 120 s: $(tail -n 5 "$T/err")"
fi
wait "$pid" || rc=$?
[ "$rc" = 2 ] || fail "exit $rc, expected 2: $(tail -n 5 "$T/err")"
want='^demo: .*archive: archive folder /dev/null/archive: /dev/null, where it would go, is not a folder'
grep -q "$want" "$T/err" || fail "no reason: $(tail -n 5 "$T/err")"
grep -q '^demo.sh: the pipeline refused its input (exit code 2' "$T/err" || fail "no end line: $(tail -n 3 "$T/err")"
# PostgreSQL answered throughout: before postgres-sink has made its tables
# the line says "starting", not "PostgreSQL not answering" (trial 16)
! grep -q 'PostgreSQL not answering' "$T/err" ||
    fail "PostgreSQL called not answering while it ran: $(grep -m 1 'not answering' "$T/err")"
ok "the demo ends (exit 2) with the reason: '$(grep -m 1 -o 'archive folder.*' "$T/err")'"
