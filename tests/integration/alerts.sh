#!/usr/bin/env bash
# Operational alerts through the host: eleven records dead-lettered (over
# the default threshold of 10) make the alert pending (one WARN line), and
# after alerts.for_s (2 s here) post exactly one alert to a (fake) Slack
# webhook (one ERROR line), and an alert record goes to the alerts topic.
. "$(dirname "$0")/lib.sh"
FAKE="$CAREEROPS_BUILD_ROOT/tests/fakes/co-fake-server"
[ -x "$FAKE" ] || fail "co-fake-server not built"
"$FAKE" --service slack --port-file port.txt --log slack.jsonl > fake.log 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
port=$(cat port.txt)
cat > m.json <<J
{"pipeline":"italert","kafka":{"bootstrap.servers":"embedded"},
 "alerts":{"dlq_depth":10,"for_s":2,"webhook_url":"http://127.0.0.1:$port/services/T000/B000/alerts","kind":"slack"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":11}},
  {"name":"mid","plugin":"mock-fault","input":"a","output":"b","config":{"fail_every":1}},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"out.jsonl"}}]}
J
"$B" run m.json 2> run.log &
RP=$!; PIDS+=($RP)
for _ in $(seq 300); do
    [ -s slack.jsonl ] && break
    sleep 0.1
done
sleep 3 # a second post would come within the next ticks
kill -TERM $RP; wait $RP || fail "run did not stop cleanly: $(tail -3 run.log)"
posts=$(grep -c '/services/T000/B000/alerts' slack.jsonl || true)
echo "alert posts: $posts"
[ "$posts" = 1 ] || fail "expected exactly one alert post, got $posts"
grep -qi 'dead' slack.jsonl || fail "the alert does not mention dead letters"
grep -q '"level":"warn".*alert dlq_depth pending' run.log ||
    fail "no WARN line while the alert was pending: $(grep alert run.log)"
grep -q '"level":"error".*alert trigger' run.log ||
    fail "no ERROR line when the alert fired: $(grep alert run.log)"
[ "$(grep -c '"level":"error".*alert' run.log)" = 1 ] ||
    fail "more than one ERROR alert line: $(grep alert run.log)"
ok "11 dead letters -> one alert posted"

# An import: 50,000 records through an unthrottled source run in a few
# seconds, the consumer lag far above alerts.consumer_lag the whole time.
# Within alerts.for_s (default 60 s) that is a pending alert: WARN lines
# only, no ERROR line, no alert record, nothing posted.
cat > imp.json <<J
{"pipeline":"itimport","kafka":{"bootstrap.servers":"embedded"},
 "alerts":{"consumer_lag":10,"webhook_url":"http://127.0.0.1:$port/services/T000/B000/alerts","kind":"slack"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":50000}},
  {"name":"mid","plugin":"mock-passthrough","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"imp.jsonl"}}]}
J
before=$(grep -c '/services/T000/B000/alerts' slack.jsonl || true)
"$B" run imp.json --until-idle 2> imp.log || fail "import run: $(tail -3 imp.log)"
[ "$(distinct_keys imp.jsonl)" = 50000 ] || fail "the import lost records"
grep -q '"level":"warn".*alert consumer_lag pending' imp.log ||
    fail "the import never raised the lag above 10: $(grep alert imp.log)"
! grep '"level":"error"' imp.log || fail "ERROR lines during an import"
! grep -q 'alert trigger' imp.log || fail "the lag alert fired within alerts.for_s"
[ "$(grep -c '/services/T000/B000/alerts' slack.jsonl || true)" = "$before" ] ||
    fail "the import posted an alert"
ok "an import's lag: $(grep -c 'alert consumer_lag pending' imp.log) WARN line(s), no ERROR, nothing posted"
