#!/usr/bin/env bash
# `scripts/pg.sh env` points CAREEROPS_STATE at the cluster's own Unix
# socket folder: after `pg.sh stop`, another cluster that takes the freed
# port is not reached through it (trial 13: a pipeline left running wrote
# into another checkout's database). Two clusters of its own, one after the
# other on the same port.
set -euo pipefail
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT
if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    echo "SKIP: PostgreSQL is not installed (initdb)" >&2
    exit 77
fi
psql_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-pgenv.XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
pg() { CAREEROPS_PG_DIR=$T/$1 bash "$SRC/scripts/pg.sh" "${@:2}"; }
cleanup() {
    for c in a b; do
        pg "$c" stop > /dev/null 2>&1 || true
        # the cluster may be a link into /tmp (pg.sh, when run as root)
        [ ! -L "$T/$c" ] || rm -rf "$(readlink "$T/$c")"
    done
    rm -rf "$T"
}
trap cleanup EXIT
state_of() { (eval "$(pg "$1" env 2> /dev/null)" && echo "$CAREEROPS_STATE"); }

CAREEROPS_PG_PORT=$((25000 + RANDOM % 5000)) pg a start > /dev/null 2> "$T/a.err" ||
    fail "cluster a did not start: $(tail -n 3 "$T/a.err")"
port=$(cat "$T/a/port")
A=$(state_of a)
case $A in
postgresql://postgres@/careerops\?host=*"&port=$port") ;;
*) fail "CAREEROPS_STATE does not name the socket folder: $A" ;;
esac
"$psql_bin" "$A" -XqAtc "CREATE TABLE only_in_a (x int)" || fail "cannot reach cluster a through $A"
pg a stop > /dev/null 2>&1

CAREEROPS_PG_PORT=$port pg b start > /dev/null 2> "$T/b.err" ||
    fail "cluster b did not start: $(tail -n 3 "$T/b.err")"
[ "$(cat "$T/b/port")" = "$port" ] || fail "cluster b did not take port $port (got $(cat "$T/b/port")): run again"
"$psql_bin" "$(state_of b)" -XqAtc "SELECT 1" > /dev/null || fail "cannot reach cluster b"
if out=$("$psql_bin" "$A" -XqAtc "SELECT to_regclass('only_in_a') IS NULL" 2>&1); then
    fail "cluster a's CAREEROPS_STATE reached cluster b on port $port (answered: $out)"
fi
echo "ok: a's CAREEROPS_STATE ($A) does not reach b on the same port: $out"
