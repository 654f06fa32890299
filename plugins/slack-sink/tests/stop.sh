#!/usr/bin/env bash
# A SIGTERM while Slack sits on slack-sink's post ends the run within
# seconds (lib/http's stop hook through co_http_stop_with_host()), not
# after the post's timeout (the record's offset is not committed: the next
# run posts it again, at least once, as after any stop mid-post).
. "${CAREEROPS_SOURCE_ROOT:?}/tests/integration/lib.sh"
# shellcheck source=slack_lib.sh
. "$(dirname "$0")/slack_lib.sh"
[ -f "$CAREEROPS_PLUGIN_PATH/mock/mock-source.so" ] ||
    { echo "SKIP: mock plugins not built"; exit 77; }
HOOK=/services/T0/B0/StOpHoOk
printf '[{"method":"POST","path":"%s","status":200,"content_type":"text/plain","body":"ok","delay_ms":120000}]\n' \
    "$HOOK" > script.json
start_fake_slack "$HOOK"
python3 -c 'import json
print(json.dumps({"key":"a"*64,"value":{"schema":"careerops.notification.v1",
 "event_key":"a"*64,"event_type":"INTERVIEW","title":"Interview: Lindqvist Robotics",
 "company":"Lindqvist Robotics","summary":"Second-round interview.","sources":[],
 "email":{"subject":"Interview","from":"mara@lindqvist-robotics.example"}}}))' > notes.jsonl
cat > m.json <<'J'
{"pipeline":"slackstop","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:state.json","secrets_dir":"secrets",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"notifications","config":{"file":"notes.jsonl"}},
  {"name":"slack","plugin":"slack-sink","input":"notifications",
   "config":{"webhook_url":"${secret:slack_webhook}","timeout_ms":90000}}]}
J
"$B" run m.json --drain-timeout-ms 2000 > run.out 2> run.log & RUN=$!
PIDS+=("$RUN")
for _ in $(seq 300); do [ "$(total_lines slack.jsonl)" -ge 1 ] && break; sleep 0.1; done
[ "$(total_lines slack.jsonl)" -ge 1 ] || fail "no post reached the fake: $(grep -v librdkafka run.log | tail -5)"
sleep 1 # the post now hangs at the fake
t0=$(date +%s%N)
kill -TERM "$RUN"
for _ in $(seq 300); do kill -0 "$RUN" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$RUN" 2>/dev/null; then
    kill -9 "$RUN"
    fail "careerops run still running 30 s after SIGTERM (the post was not stopped): $(grep -v librdkafka run.log | tail -5)"
fi
wait "$RUN" || true
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 20000 ] || fail "run took $ms ms to end after SIGTERM"
grep -q 'stopped while waiting' run.log || fail "no 'stopped while' line: $(grep -v librdkafka run.log | tail -5)"
ok "a SIGTERM while Slack sits on the post ends the run in $ms ms"
