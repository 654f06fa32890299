#!/usr/bin/env bash
# A full disk under the account's run folder (.run/demo/ACCOUNT: run.log,
# the notifications file): the log cannot record the reason, so the
# progress line must say it. An 8 KiB tmpfs over that folder (root only;
# skipped where mount is refused), the sample mailbox, SIGTERM twice.
. "$(dirname "$0")/lib.sh"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/s.mbox"
schema=$(schema_of "$T/s.mbox")
SCHEMAS+=("$schema")
dir=$SRC/.run/demo/$schema
mkdir -p "$dir"
if ! mount -t tmpfs -o size=8k,mode=700 tmpfs "$dir" 2>/dev/null; then
    echo "SKIP: cannot mount a tmpfs (not root, or no privilege)" >&2
    exit 77
fi
trap 'umount "$dir" 2>/dev/null || true; cleanup' EXIT
# fill it, leaving no room for run.log to grow
head -c 8192 /dev/zero >"$dir/filler" 2>/dev/null || true
CAREEROPS_DEMO_PROGRESS_S=1 bash "$SRC/scripts/demo.sh" --keep-db --no-slack --fresh \
    --mailbox "$T/s.mbox" --account "$(account_of "$T/s.mbox")" >"$T/out" 2>"$T/err" &
pid=$!
want="the disk under $dir is full (run.log cannot be written): free space there"
await_err 300 "$pid" -F "$want"
term_twice "$pid" || true
grep -qF "$want" "$T/err" || fail "no 'disk full' on the progress line: $(tail -n 5 "$T/err")"
ok "full run folder: '$want' on the progress line"
