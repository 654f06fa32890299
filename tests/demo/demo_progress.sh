#!/usr/bin/env bash
# A pipeline that cannot go on (here: an archive that cannot be created)
# said "0 messages stored" with no reason and retried for ever; since
# trial 57 the batch run (`run --until-idle`) ends once the source has
# failed after its retries: the demo stops by itself (exit 1) and says why
# in plain words.
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
[ "$rc" = 1 ] || fail "exit $rc, expected 1: $(tail -n 5 "$T/err")"
want='^demo: stage FAILED: source failed after its retries .*cannot prepare the archive /dev/null/archive: .*Not a directory$'
grep -q "$want" "$T/err" || fail "no reason: $(tail -n 5 "$T/err")"
grep -q '^demo.sh: the pipeline stopped with exit code 1' "$T/err" || fail "no end line: $(tail -n 3 "$T/err")"
# PostgreSQL answered throughout: before postgres-sink has made its tables
# the line says "starting", not "PostgreSQL not answering" (trial 16)
! grep -q 'PostgreSQL not answering' "$T/err" ||
    fail "PostgreSQL called not answering while it ran: $(grep -m 1 'not answering' "$T/err")"
ok "the demo ends (exit 1) with the reason: '$(grep -m 1 -o 'cannot prepare the archive.*' "$T/err")'"
