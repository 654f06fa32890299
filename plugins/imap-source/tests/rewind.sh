#!/usr/bin/env bash
# scripts/source_rewind.py on imap-source positions (PostgreSQL state store,
# the tables postgres-sink writes): after two undelivered notifications,
# for UIDs 7 (INBOX) and 12 (Jobs), INBOX's "UIDVALIDITY LASTUID RESYNC"
# goes back to UID 6 and Jobs' to 11; Archive (nothing undelivered) and a
# folder whose UIDVALIDITY changed since are left alone; a position is
# never moved forward; an undelivered notification whose email is not
# stored falls back to clearing the stage's positions (read again).
set -euo pipefail
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)"
    exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-rewind.XXXXXX")
S=rewind_$$_$RANDOM
P=rewind-$S
cleanup() {
    q -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1 || true
    q -c "DELETE FROM careerops_state WHERE ns LIKE '$P/%'" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT
# the state store's table, made by the host's own migrations: a table
# made here by hand, on a fresh database, had no schema_migrations row,
# and every later test's migration failed ("relation careerops_state
# already exists")
cat > "$T/mig.json" <<J
{"pipeline":"$P-mig","state":"$CAREEROPS_TEST_PG",
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}}]}
J
"${CAREEROPS_BIN:?run through meson test}" run "$T/mig.json" --until-idle > /dev/null 2> "$T/mig.log" ||
    fail "the state store did not migrate: $(tail -n 3 "$T/mig.log")"
q -c "DELETE FROM careerops_state WHERE ns LIKE '$P-mig/%'"
q -c "CREATE SCHEMA $S" -c "CREATE TABLE $S.emails (key text PRIMARY KEY, doc jsonb NOT NULL)" \
  -c "CREATE TABLE $S.events (key text PRIMARY KEY, doc jsonb NOT NULL)"
src() { echo "{\"source\":{\"kind\":\"imap\",\"folder\":\"$1\",\"uidvalidity\":$2,\"uid\":$3}}"; }
q -c "INSERT INTO $S.emails VALUES ('m7', '$(src INBOX 1700 7)'), ('m12', '$(src Jobs 55 12)'),
        ('m30', '$(src Old 9 30)'), ('m2', '$(src INBOX 1700 2)')" \
  -c "INSERT INTO $S.events VALUES ('e7', '{\"email\":{\"key\":\"m7\"}}'), ('e12', '{\"email\":{\"key\":\"m12\"}}'),
        ('e30', '{\"email\":{\"key\":\"m30\"}}'), ('e2', '{\"email\":{\"key\":\"m2\"}}'),
        ('e99', '{\"email\":{\"key\":\"not-stored\"}}')"
put() { q -c "INSERT INTO careerops_state (ns, key, value) VALUES ('$P/ingest', '$1', convert_to('$2', 'UTF8'))
        ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value"; }
get() { q -c "SELECT convert_from(value, 'UTF8') FROM careerops_state WHERE ns = '$P/ingest' AND key = '$1'"; }
put folder:INBOX "1700 40 0"
put folder:Jobs "55 20 0"
put folder:Archive "3 90 0"
put folder:Old "10 4 0" # recreated since UID 30 was read (UIDVALIDITY 9 -> 10)
dl() { # KEY STAGE: a dead-letter line as demo.sh's file holds them
    echo "{\"key\":\"$1\",\"headers\":{\"careerops.error.stage\":\"$2\"},\"value\":\"{}\"}"; }
{ dl e2 show; dl e7 show; dl e12 show; dl e30 show; dl e7 classify; } > "$T/dlq.jsonl"
rw() { python3 "$CAREEROPS_SOURCE_ROOT/scripts/source_rewind.py" --pgurl "$CAREEROPS_TEST_PG" \
    --pipeline "$P" --schema "$S" --dlq "$T/dlq.jsonl" "$@"; }
# from line 1 on: e2 (line 0) belongs to an earlier run
rw --from-line 1 > "$T/out.txt" || fail "source_rewind.py: $(cat "$T/out.txt")"
[ "$(get folder:INBOX)" = "1700 6 0" ] || fail "INBOX is '$(get folder:INBOX)', expected '1700 6 0'"
[ "$(get folder:Jobs)" = "55 11 0" ] || fail "Jobs is '$(get folder:Jobs)', expected '55 11 0'"
[ "$(get folder:Archive)" = "3 90 0" ] || fail "Archive moved: $(get folder:Archive)"
[ "$(get folder:Old)" = "10 4 0" ] || fail "Old (another UIDVALIDITY) moved: $(get folder:Old)"
grep -q "folder:INBOX: 1700 40 0 -> 1700 6 0" "$T/out.txt" || fail "no report line: $(cat "$T/out.txt")"
echo "ok: undelivered UID 7 (INBOX) and 12 (Jobs): positions back to 6 and 11; Archive and a recreated folder untouched"
put folder:INBOX "1700 3 0"
rw --from-line 1 > "$T/out.txt"
[ "$(get folder:INBOX)" = "1700 3 0" ] || fail "INBOX moved forward: $(get folder:INBOX)"
echo "ok: a position before the undelivered message is not moved forward"
dl e99 show >> "$T/dlq.jsonl"
rw --from-line 1 > "$T/out.txt"
[ -z "$(get folder:INBOX)" ] && [ -z "$(get folder:Jobs)" ] ||
    fail "an undelivered notification without its email did not clear the positions"
grep -q "cleared" "$T/out.txt" || fail "no report of the fallback: $(cat "$T/out.txt")"
echo "ok: an undelivered notification whose email is not stored: positions cleared (read again), said so"
