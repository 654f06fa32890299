#!/usr/bin/env bash
# Demos on different accounts share one PostgreSQL: the one that ends first
# must not stop it under the others; the last one stops it when a demo
# started it, and a server the user started is never stopped. Runs on a
# cluster of its own (CAREEROPS_PG_DIR/CAREEROPS_PG_PORT), not the test
# harness's, with the bundled sample mailbox under several accounts.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "SKIP: PostgreSQL is not installed (initdb)" >&2
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-sharedpg.XXXXXX")
export CAREEROPS_PG_DIR=$T/pg CAREEROPS_PG_PORT=$((20000 + RANDOM % 5000)) CAREEROPS_DEMO_SKIP_DEPS=1 \
    CAREEROPS_LOOPBACK_ONLY=1
lock=$SRC/.run/demo-pg-$(printf '%s' "$CAREEROPS_PG_DIR" | sha256sum | cut -c1-10).lock
accts=()
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
cleanup() {
    bash "$SRC/scripts/pg.sh" stop >/dev/null 2>&1 || true
    for a in "${accts[@]:-}"; do
        [ -n "$a" ] || continue
        rm -rf "$SRC/.run/demo/acct_$(printf '%s' "$a" | sha256sum | cut -c1-10)"
    done
    rm -f "$lock" "$lock.start" "${lock%.lock}.started"
    # the cluster may be a link into /tmp (pg.sh, when run as root)
    [ ! -L "$T/pg" ] || rm -rf "$(readlink "$T/pg")"
    rm -rf "$T"
}
trap cleanup EXIT
pg_up() { bash "$SRC/scripts/pg.sh" status >/dev/null 2>&1; }
demo() { # ACCOUNT [ARGS...]
    local a=$1
    shift
    accts+=("$a")
    bash "$SRC/scripts/demo.sh" --json --no-slack --account "$a" "$@" >"$T/$a.json" 2>"$T/$a.err" ||
        fail "demo.sh --account $a exited $?: $(tail -n 5 "$T/$a.err")"
}

# 1. another demo is running (its shared lock): the server stays up
mkdir -p "$SRC/.run"
exec 8>>"$lock"
flock -s 8
demo test-shared-pg-a 8>&- # (the lock stays held by this shell)
pg_up || fail "the demo stopped PostgreSQL while another demo held $lock"
exec 8>&-
ok "a demo leaves PostgreSQL up while another demo runs"

# 2. two demos at once: both complete (neither loses the server under it),
# and the last one stops the server a demo started
accts+=(test-shared-pg-b test-shared-pg-c) # named here: set in subshells below
demo test-shared-pg-b & b=$!
demo test-shared-pg-c & c=$!
wait "$b" || fail "demo b failed"
wait "$c" || fail "demo c failed"
for a in b c; do
    python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["messages"] == 40, o["messages"]' \
        "$T/test-shared-pg-$a.json" || fail "demo $a did not read the 40 sample messages"
done
pg_up && fail "PostgreSQL still runs after the last demo (a demo started it)"
ok "two demos at once: both read 40 messages; the last stopped the server a demo started"

# 3. a server the user started is left running
bash "$SRC/scripts/pg.sh" start >/dev/null 2>&1
demo test-shared-pg-d
pg_up || fail "the demo stopped a PostgreSQL it did not start"
ok "a server started by the user stays up"
