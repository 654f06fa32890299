#!/usr/bin/env bash
# Disaster recovery (careerops backup / restore) on the throwaway
# PostgreSQL (CAREEROPS_TEST_PG; skipped without it): the demo runs on the
# bundled sample mailbox, `careerops backup` writes a pg_dump -Fc of its
# database to the folder archive and to the S3 server (SeaweedFS, weed.sh;
# that half is skipped with a message when SeaweedFS is unavailable), each
# is restored into a fresh database and the demo's rows (emails, events and
# the host's state of the demo) are the same. Also: retention by count
# (--keep 2 of 3 backups), restore refuses a database with tables, restore
# "latest".
. "$CAREEROPS_SOURCE_ROOT/tests/demo/lib.sh"
B=$CAREEROPS_BIN
DBS=()
trap 'weed_kill 2> /dev/null || true; for d in "${DBS[@]:-}"; do [ -n "$d" ] && psqlq -c "DROP DATABASE IF EXISTS $d" > /dev/null 2>&1; done; cleanup' EXIT
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/sample.mbox"
S=$(schema_of "$T/sample.mbox")
SCHEMAS+=("$S")
demo "$T/demo.json" --mailbox "$T/sample.mbox" --fresh
n=$(psqlq -c "SELECT count(*) FROM $S.events")
[ "$n" -gt 0 ] || fail "the demo stored no events"

# fingerprint DSN: the demo's rows, as one hash per table
fingerprint() {
    psql "$1" -XqtA -v ON_ERROR_STOP=1 -c "SELECT
      (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM $S.events t) || ' ' ||
      (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM $S.emails t) || ' ' ||
      (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM careerops_state t WHERE ns LIKE 'demo-$S/%')"
}
want=$(fingerprint "$CAREEROPS_TEST_PG")
# restore_check NAME REF ARCHIVE-OPTIONS...: into a fresh database
restore_check() {
    local name=$1 ref=$2
    shift 2
    local db=careerops_restore_${name}_$$
    psqlq -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" > /dev/null
    DBS+=("$db")
    local dsn="$CAREEROPS_TEST_PG dbname=$db"
    "$B" restore "$ref" --dsn "$dsn" "$@" 2> "$T/restore-$name.err" ||
        fail "restore $name: $(tail -n 5 "$T/restore-$name.err")"
    got=$(fingerprint "$dsn")
    [ "$got" = "$want" ] || fail "restored $name: $got, want $want"
    # a second restore into the same (now full) database is refused
    if "$B" restore "$ref" --dsn "$dsn" "$@" 2> "$T/again.err"; then fail "restore over tables"; fi
    grep -q "has tables" "$T/again.err" || fail "restore over tables: $(cat "$T/again.err")"
}

# 1. the folder archive
A=(--archive "file://$T/archive")
for i in 1 2 3; do
    "$B" backup --dsn "$CAREEROPS_TEST_PG" --keep 2 "${A[@]}" > "$T/b$i.json" 2> "$T/b$i.err" ||
        fail "backup $i: $(tail -n 5 "$T/b$i.err")"
done
[ "$("$B" archive ls backups/ "${A[@]}" | wc -l)" = 2 ] || fail "--keep 2: $("$B" archive ls backups/ "${A[@]}")"
ref=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["archive_url"])' "$T/b3.json")
case $ref in "file://$T/archive/backups/"*.dump) ;; *) fail "backup reference $ref" ;; esac
ok "backup to the folder: $ref ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$T/b3.json") bytes), 2 kept of 3"
restore_check folder "$ref" "${A[@]}"
ok "restored from the folder into a fresh database: same rows ($want)"

# 2. the S3 server
. "$SRC/tests/archive/weed.sh"
if ! (weed_find) 2> "$T/weed.why"; then
    echo "SKIP (S3 half): $(cat "$T/weed.why")"
    exit 0
fi
weed_find
weed_up "$T/weed" || fail "SeaweedFS did not start"
printf 'careerops-test\n' > "$T/ak"
printf 'careerops-test-secret\n' > "$T/sk"
S3=(--archive s3://backups-test/dr --s3-endpoint "http://127.0.0.1:$S3_PORT"
    --s3-access-key-file "$T/ak" --s3-secret-key-file "$T/sk")
for _ in $(seq 1 20); do "$B" archive init "${S3[@]}" 2> /dev/null && break; sleep 1; done
"$B" backup --dsn "$CAREEROPS_TEST_PG" "${S3[@]}" > "$T/s3.json" 2> "$T/s3.err" || fail "backup to S3: $(cat "$T/s3.err")"
grep -q '"archive_url":"s3://backups-test/dr/backups/' "$T/s3.json" || fail "S3 reference: $(cat "$T/s3.json")"
ok "backup to S3: $(cat "$T/s3.json")"
restore_check s3 latest "${S3[@]}"
ok "restored 'latest' from S3 into a fresh database: same rows"
