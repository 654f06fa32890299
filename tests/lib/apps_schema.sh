# Sourced by the tests that serve the dashboard on a throwaway schema of
# the test PostgreSQL: skips (77) without CAREEROPS_TEST_PG or curl,
# sources tests/integration/lib.sh, defines psq, and creates schema
# PREFIX_PID (in $S) with postgres-sink's applications tables (empty),
# dropped at exit. Usage: APPS_SCHEMA=prefix; . tests/lib/apps_schema.sh
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)"; exit 77
fi
. "$CAREEROPS_SOURCE_ROOT/tests/integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
S="${APPS_SCHEMA}_$$"
psq() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
trap 'psq -c "DROP SCHEMA IF EXISTS $S CASCADE" > /dev/null 2>&1 || true; cleanup' EXIT
psq -c "CREATE SCHEMA $S;
 CREATE TABLE $S.applications (id text, company text, role text, status text,
   first_seen timestamptz, last_event_at timestamptz, last_event_type text,
   next_interview timestamptz, event_keys text[]);
 CREATE TABLE $S.application_transitions (application_id text)" > /dev/null
