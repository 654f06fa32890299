# Sourced by the tests that serve the dashboard on a throwaway schema of
# the test PostgreSQL (tests/lib/pg_schema.sh: skips, psq, $S dropped at
# exit) and creates schema PREFIX_PID with postgres-sink's applications
# tables (empty). Usage: APPS_SCHEMA=prefix; . tests/lib/apps_schema.sh
PG_SCHEMA=$APPS_SCHEMA
. "$CAREEROPS_SOURCE_ROOT/tests/lib/pg_schema.sh"
psq -c "CREATE SCHEMA $S;
 CREATE TABLE $S.applications (id text, company text, role text, status text,
   first_seen timestamptz, last_event_at timestamptz, last_event_type text,
   next_interview timestamptz, event_keys text[]);
 CREATE TABLE $S.application_transitions (application_id text)" > /dev/null
