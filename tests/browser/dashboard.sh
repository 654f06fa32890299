#!/usr/bin/env bash
# The dashboard in real headless Chromium (Debian's chromium, chromium-driver
# and python3-selenium): the sample mailbox through the demo pipeline into a
# throwaway schema, then `careerops serve` on it, then dashboard.py checks
# each page (no console error, no request leaving 127.0.0.1), a relabel from
# the page, a POST without the token; screenshots go to the build folder
# (ARG 1), or to docs/images with CAREEROPS_SCREENSHOTS=docs.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SHOTS=${1:?usage: dashboard.sh SCREENSHOT_DIR}
# Debian's python3-selenium is in the system Python, not a pyenv/venv one.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null ||
    ! "$PY" -c 'import selenium' 2>/dev/null; then
    if [ "${CI:-}" = true ]; then echo "FAIL: chromium, chromium-driver or python3-selenium is missing (scripts/deps.sh installs them)" >&2; exit 1; fi
    echo "SKIP: chromium, chromium-driver or python3-selenium is not installed (bash scripts/deps.sh installs them)" >&2
    exit 77
fi
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL: CAREEROPS_TEST_PG is not set" >&2; exit 1; fi
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)" >&2
    exit 77
fi
SRC=$CAREEROPS_SOURCE_ROOT
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-dash.XXXXXX")
S=dash_test_$$
P=dash-test-$$
serve_pid=""
q() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    q -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1 || true
    for t in careerops_state careerops_idempotency; do
        q -c "DELETE FROM $t WHERE ns LIKE '$P/%'" >/dev/null 2>&1 || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
q -c "SELECT 1" >/dev/null 2>&1 ||
    { echo "FAIL: PostgreSQL at CAREEROPS_TEST_PG does not answer (bash scripts/pg.sh start)" >&2; exit 1; }
export CAREEROPS_LOOPBACK_ONLY=1 CAREEROPS_STATE=$CAREEROPS_TEST_PG
export CAREEROPS_WEBDIR=$SRC/web CAREEROPS_DEMO_SCHEMA=$S CAREEROPS_DEMO_DLQ=$T/dlq.jsonl
mbox=$SRC/datasets/sample-mailbox/sample.mbox
[ -f "$mbox" ] || python3 "$SRC/datasets/sample-mailbox/generate.py" >/dev/null
(cd "$SRC/pipelines" &&
    CAREEROPS_MAILBOX=$mbox CAREEROPS_NOTIFY_OUT=$T/notif.txt \
        timeout 180 "$CAREEROPS_BIN" run demo.json --until-idle --set "pipeline=$P" 2>"$T/run.log") ||
    { echo "FAIL: the demo pipeline failed: $(tail -n 5 "$T/run.log")" >&2; exit 1; }
echo "ok: sample mailbox stored in schema $S ($(q -c "SELECT count(*) FROM $S.applications") applications)"
(cd "$SRC/pipelines" && exec "$CAREEROPS_BIN" serve demo.json --set "pipeline=$P" \
    >"$T/serve.out" 2>"$T/serve.log") &
serve_pid=$!
for _ in $(seq 100); do
    grep -q '^dashboard: http' "$T/serve.out" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$T/serve.log" >&2; echo "FAIL: careerops serve stopped" >&2; exit 1; }
    sleep 0.1
done
url=$(sed -n 's/^dashboard: \(http[^ ]*\).*/\1/p' "$T/serve.out")
[ -n "$url" ] || { echo "FAIL: no URL from careerops serve" >&2; exit 1; }
echo "ok: dashboard at $url"
mkdir -p "$SHOTS"
"$PY" "$SRC/tests/browser/dashboard.py" "$url" "$SHOTS" "$CAREEROPS_TEST_PG" "$S"
