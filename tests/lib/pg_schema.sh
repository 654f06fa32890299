# Sourced by the tests that use a throwaway schema of the test PostgreSQL:
# skips (77) without CAREEROPS_TEST_PG or curl, sources
# tests/integration/lib.sh, defines psq, and names schema PREFIX_PID (in
# $S), dropped at exit. Usage: PG_SCHEMA=prefix; . tests/lib/pg_schema.sh
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)"; exit 77
fi
. "$CAREEROPS_SOURCE_ROOT/tests/integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
S="${PG_SCHEMA}_$$"
psq() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
trap 'psq -c "DROP SCHEMA IF EXISTS $S CASCADE" > /dev/null 2>&1 || true; cleanup' EXIT
