#!/usr/bin/env bash
# slack-sink's failures through the real host and the standalone fake Slack
# (WIRE.md section 5), one notification after another on one partition:
#  1. 429 with Retry-After: 2, then 500 rollup_error, then ok: retried,
#     the retry after the 429 waits the 2 s Slack asked for (the stage's own
#     backoff is 10 ms), posted once;
#  2. 404 channel_not_found, 3. 403 invalid_token, 4. 200
#     {"ok":false,"error":"invalid_auth"}: permanent, each tried once and
#     dead-lettered with Slack's reason in careerops.error.message;
#  5. a normal notification after them is posted.
# The webhook URL's secret part never appears in the host's log (debug
# level) nor in the dead letters.
. "${CAREEROPS_SOURCE_ROOT:?}/tests/integration/lib.sh"
# shellcheck source=slack_lib.sh
. "$(dirname "$0")/slack_lib.sh"
[ -f "$CAREEROPS_PLUGIN_PATH/mock/mock-source.so" ] ||
    { echo "SKIP: mock plugins not built"; exit 77; }

TOKEN=XsEcReTwEbHoOkToKeN42
HOOK=/services/T0/B0/$TOKEN
python3 - "$HOOK" > script.json <<'P'
import json, sys
h = sys.argv[1]
def r(status, body, ct="text/html", **kw):
    d = {"method": "POST", "path": h, "status": status, "content_type": ct, "body": body}
    d.update(kw)
    return d
print(json.dumps([
    r(429, "", headers={"Retry-After": "2"}),
    r(500, "rollup_error"),
    r(200, "ok", "text/plain"),
    r(404, "channel_not_found"),
    r(403, "invalid_token"),
    r(200, {"ok": False, "error": "invalid_auth"}, "application/json"),
]))
P
start_fake_slack "$HOOK"

note() { # KEY SUBJECT
    python3 -c 'import json,sys
k,s=sys.argv[1],sys.argv[2]
print(json.dumps({"key":k,"value":{"schema":"careerops.notification.v1",
 "event_key":k,"event_type":"INTERVIEW","title":"Interview: Lindqvist Robotics",
 "company":"Lindqvist Robotics","role":"Firmware Engineer",
 "date_utc":"2025-03-04T15:00:00Z","date_local":"Tue 4 Mar 2025, 16:00 CET",
 "summary":"Second-round interview.","sources":[],
 "email":{"subject":s,"from":"mara@lindqvist-robotics.example"}}}))' "$1" "$2"
}
K=()
for i in 1 2 3 4 5; do K+=("$(printf '%064d' "$i" | tr 0 a)"); done
for i in 0 1 2 3 4; do note "${K[$i]}" "Interview $((i + 1))"; done > notes.jsonl

cat > m.json <<'J'
{"pipeline":"slackfail","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:state.json","secrets_dir":"secrets",
 "topics":{"notifications":{"partitions":1}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"notifications",
   "config":{"file":"notes.jsonl"}},
  {"name":"slack","plugin":"slack-sink","input":"notifications",
   "errors":{"retries":5,"backoff_ms":10,"backoff_max_ms":10000},
   "config":{"webhook_url":"${secret:slack_webhook}"}}]}
J
start_broker m.json
S=(--set "kafka.bootstrap.servers=$BS")

# the time each request reached the fake (its log has no clock)
( n=0; while :; do
      c=$(total_lines slack.jsonl)
      while [ "$n" -lt "$c" ]; do n=$((n + 1)); echo "$n $(date +%s.%N)"; done
      sleep 0.02
  done ) > times.txt & PIDS+=($!)

CAREEROPS_LOG_LEVEL=debug "$B" run m.json "${S[@]}" --until-idle 2> run.log ||
    fail "run: $(tail -5 run.log)"
sleep 0.2
[ "$(total_lines slack.jsonl)" = 7 ] ||
    fail "expected 7 requests (3 for the first event, 1 each after), got $(total_lines slack.jsonl)"
python3 - "$TOKEN" <<'P' || fail "retries did not honour Retry-After"
import sys
t = {int(a): float(b) for a, b in (l.split() for l in open("times.txt"))}
gap = t[2] - t[1]   # 429 (Retry-After: 2) -> the retry
assert gap >= 1.9, f"retried {gap:.2f} s after the 429, expected >= 2 s"
gap2 = t[3] - t[2]  # 500 -> the retry, on the stage's own backoff
assert gap2 < 1.5, f"retried {gap2:.2f} s after the 500"
print(f"429 -> retry {gap:.2f} s; 500 -> retry {gap2:.2f} s")
P
grep -q "posted event ${K[0]}" run.log || fail "the first event was not posted after 429 and 500"
grep -q "posted event ${K[4]}" run.log || fail "the event after the failures was not posted"
ok "429 with Retry-After: 2 retried after 2 s, 500 retried, then posted; the next event posted"

"$B" dlq list m.json "${S[@]}" > dlq.txt || fail "dlq list: $(cat dlq.txt)"
[ "$(wc -l < dlq.txt)" = 3 ] || fail "expected 3 dead letters, got: $(cat dlq.txt)"
: > shown.txt
while IFS=$'\t' read -r off _; do
    "$B" dlq show m.json "${S[@]}" --offset "$off" >> shown.txt
done < dlq.txt
for want in "HTTP 404 channel_not_found" "HTTP 403 invalid_token" \
    "HTTP 200 ok:false invalid_auth"; do
    grep -q "^header careerops.error.message: .*$want" shown.txt ||
        fail "no dead letter with '$want': $(grep error.message shown.txt)"
done
[ "$(grep -c '^header careerops.error.attempts: 1$' shown.txt)" = 3 ] ||
    fail "permanent errors were retried: $(grep error.attempts shown.txt)"
for k in 1 2 3; do grep -q "${K[$k]}" shown.txt || fail "event ${K[$k]} not dead-lettered"; done
ok "channel_not_found, invalid_token and ok:false invalid_auth dead-lettered once each with Slack's reason"

for f in run.log dlq.txt shown.txt; do
    if grep -q "$TOKEN" "$f"; then fail "the webhook token appears in $f: $(grep -m1 "$TOKEN" "$f")"; fi
done
ok "the webhook token is in no log line and no dead letter"
