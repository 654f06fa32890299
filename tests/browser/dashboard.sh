#!/usr/bin/env bash
# The dashboard in real headless Chromium (Debian's chromium, chromium-driver
# and python3-selenium): the sample mailbox through the demo pipeline into a
# throwaway schema, then `careerops serve` on it, then dashboard.py checks
# each page (no console error, no request leaving 127.0.0.1), a relabel from
# the page, a POST without the token. Then a running host on a standalone
# broker (`careerops broker`) whose store stage dead-letters one email (a
# trigger refuses it): dashboard_live.py checks the pipeline health page
# with live data and replays that dead letter from the page, end to end.
# Screenshots go to the folder ARG 1 (the build folder's
# browser-screenshots).
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
serve_pid="" run_pid="" broker_pid=""
q() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    for p in "$run_pid" "$serve_pid" "$broker_pid"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    q -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1 || true
    for t in careerops_state careerops_idempotency; do
        q -c "DELETE FROM $t WHERE ns LIKE '$P/%' OR ns LIKE '$P-live/%'" >/dev/null 2>&1 || true
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
echo "ok: dashboard at ${url%%#*}"
mkdir -p "$SHOTS"
"$PY" "$SRC/tests/browser/dashboard.py" "$url" "$SHOTS" "$CAREEROPS_TEST_PG" "$S"
kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
serve_pid=""

# A running host: the store stage refuses one email (a trigger, the cause
# the user removes before replaying it), on a standalone broker that
# `careerops dlq replay` can reach.
mark=Quillfeather
q -c "CREATE FUNCTION $S.careerops_test_refuse() RETURNS trigger LANGUAGE plpgsql AS
      \$\$BEGIN IF NEW.subject LIKE '%$mark%' THEN
        RAISE EXCEPTION 'test: the emails table refuses %', NEW.subject USING ERRCODE = 'check_violation';
      END IF; RETURN NEW; END\$\$;
      CREATE TRIGGER careerops_test_refuse BEFORE INSERT OR UPDATE ON $S.emails
      FOR EACH ROW EXECUTE FUNCTION $S.careerops_test_refuse()" >/dev/null
cat > "$T/live.mbox" <<'M'
From talent@quillfeather.example Mon Jan 12 10:00:00 2026
Date: Mon, 12 Jan 2026 10:00:00 +0000
Message-ID: <live-1@quillfeather.example>
Subject: Interview invitation: Quillfeather Labs, Data Engineer
From: Quillfeather Labs Talent <talent@quillfeather.example>
To: Jordan Blake <jordan.blake@example.net>
Content-Type: text/plain; charset="utf-8"

Hi Jordan,

We would like to invite you to a technical interview for the Data Engineer
role at Quillfeather Labs on Tuesday 20 January 2026 at 15:00 UTC.

Best,
The Quillfeather Labs team
M
"$CAREEROPS_BIN" broker --bootstrap-file "$T/bs.txt" >"$T/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do [ -s "$T/bs.txt" ] && break; sleep 0.1; done
[ -s "$T/bs.txt" ] || { echo "FAIL: careerops broker did not start: $(cat "$T/broker.log")" >&2; exit 1; }
bs=$(cat "$T/bs.txt")
(cd "$SRC/pipelines" &&
    CAREEROPS_MAILBOX=$T/live.mbox CAREEROPS_NOTIFY_OUT=$T/notif-live.txt CAREEROPS_DEMO_DLQ=$T/dlq-live.jsonl \
        exec "$CAREEROPS_BIN" run demo.json --set "pipeline=$P-live" \
        --set "kafka.bootstrap.servers=$bs" 2>"$T/live.log") &
run_pid=$!
for _ in $(seq 600); do
    [ -s "$T/dlq-live.jsonl" ] && grep -q 'http endpoint on' "$T/live.log" && break
    kill -0 "$run_pid" 2>/dev/null || { tail -n 20 "$T/live.log" >&2; echo "FAIL: careerops run stopped" >&2; exit 1; }
    sleep 0.1
done
[ -s "$T/dlq-live.jsonl" ] || { tail -n 20 "$T/live.log" >&2; echo "FAIL: no dead letter from the store stage in 60 s" >&2; exit 1; }
live=$(sed -n 's/.*"dashboard: \(http[^ ]*\) .*/\1/p' "$T/live.log" | head -n 1)
echo "ok: a running host at ${live%%#*} with one dead letter"
"$PY" "$SRC/tests/browser/dashboard_live.py" "$live" "$SHOTS" "$CAREEROPS_TEST_PG" "$S" "$mark" ||
    { echo "--- host log:" >&2; tail -n 30 "$T/live.log" >&2
      echo "--- careerops dlq list:" >&2
      (cd "$SRC/pipelines" && "$CAREEROPS_BIN" dlq list demo.json --set "pipeline=$P-live" --set "kafka.bootstrap.servers=$bs") >&2
      exit 1; }
