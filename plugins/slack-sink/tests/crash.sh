#!/usr/bin/env bash
# slack-sink through the real host, one stage per process on a standalone
# broker, idempotency keys in a file state store:
#  1. the sink host posts an INTERVIEW notification (subject with
#     <!channel>, a link and &) and is SIGKILLed after Slack's `ok` (the
#     "posted event" log line comes after idem_commit) and before the offset
#     commit (commit_interval_ms one hour);
#  2. after the restart the record is read again and skipped: the fake
#     Slack still has exactly one post for the event, escaped;
#  3. a second notification after the restart is posted (the sink works);
#  4. the one window left (docs/notifications.md): the host is SIGKILLed
#     while Slack holds its `ok` (post received, answer not yet back), so the
#     claim stays pending; after the restart the event is posted again,
#     marked "possible repeat" (on_pending=repost, the default).
. "${CAREEROPS_SOURCE_ROOT:?}/tests/integration/lib.sh"
FAKE=${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server
[ -x "$FAKE" ] || fail "co-fake-server not built"
[ -f "$CAREEROPS_PLUGIN_PATH/mock/mock-source.so" ] ||
    { echo "SKIP: mock plugins not built"; exit 77; }

# start_fake NAME [ARGS]: a fake Slack logging to NAME.jsonl; the webhook
# secret points at it.
start_fake() {
    "$FAKE" --service slack --port-file "$1.port" --log "$1.jsonl" "${@:2}" 2>> fake.err &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$1.port" ] && break; sleep 0.1; done
    [ -s "$1.port" ] || fail "fake Slack did not start: $(cat fake.err)"
    mkdir -p secrets
    echo "http://127.0.0.1:$(cat "$1.port")/services/T0/B0/CRASH" > secrets/slack_webhook
}
start_fake slack

note() { # KEY SUBJECT
    python3 -c 'import json,sys
k,s=sys.argv[1],sys.argv[2]
print(json.dumps({"key":k,"value":{"schema":"careerops.notification.v1",
 "event_key":k,"event_type":"INTERVIEW","title":"Interview: Lindqvist Robotics",
 "company":"Lindqvist Robotics","role":"Firmware Engineer",
 "date_utc":"2025-03-04T15:00:00Z","date_local":"Tue 4 Mar 2025, 16:00 CET",
 "summary":"Second-round interview.","sources":[],
 "briefing_url":"http://127.0.0.1:8480/briefings/"+k[:8],
 "email":{"subject":s,"from":"mara@lindqvist-robotics.example"}}}))' "$1" "$2"
}
K1=aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888
K2=1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd
note $K1 'Invitation <!channel> <https://evil.test|click> & more' > notes.jsonl

cat > m.json <<'J'
{"pipeline":"slackcrash","kafka":{"bootstrap.servers":"embedded",
   "session.timeout.ms":"6000","heartbeat.interval.ms":"500"},
 "state":"file:state.json","secrets_dir":"secrets",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"notifications",
   "config":{"file":"notes.jsonl","follow":true}},
  {"name":"slack","plugin":"slack-sink","input":"notifications",
   "commit_interval_ms":3600000,
   "config":{"webhook_url":"${secret:slack_webhook}"}}]}
J
start_broker m.json
S=(--set "kafka.bootstrap.servers=$BS")
"$B" run m.json "${S[@]}" --stage src 2> src.log & PIDS+=($!)

posts() { grep -c '"path":"/services/T0/B0/CRASH"' slack.jsonl 2>/dev/null || true; }

"$B" run m.json "${S[@]}" --stage slack 2> slack1.log & SL=$!; PIDS+=($SL)
for _ in $(seq 300); do grep -q "posted event $K1" slack1.log && break; sleep 0.1; done
grep -q "posted event $K1" slack1.log || fail "no post: $(tail -5 slack1.log)"
kill -9 $SL; wait $SL 2>/dev/null || true
[ "$(posts)" = 1 ] || fail "expected 1 post before the restart, got $(posts)"
ok "SIGKILLed the sink host after Slack's ok, before the offset commit"

CAREEROPS_LOG_LEVEL=debug "$B" run m.json "${S[@]}" --stage slack 2> slack2.log &
SL=$!; PIDS+=($SL)
note $K2 'Interview follow-up' >> notes.jsonl
for _ in $(seq 300); do grep -q "posted event $K2" slack2.log && break; sleep 0.1; done
grep -q "posted event $K2" slack2.log || fail "second event not posted: $(tail -5 slack2.log)"
for _ in $(seq 100); do grep -q "event $K1 already posted" slack2.log && break; sleep 0.1; done
grep -q "event $K1 already posted" slack2.log ||
    fail "the first event was not read again after the restart (offset committed?)"
ok "the first event was read again after the restart and skipped"
kill -TERM $SL; wait $SL || true
n=$(posts)
echo "posts received by the fake Slack: $n"
[ "$n" = 2 ] || fail "expected 2 posts (one per event), got $n"
python3 - "$K1" <<'P' || fail "post for the first event is wrong"
import json, sys
k = sys.argv[1]
bodies = [json.loads(json.loads(l)["body"]) for l in open("slack.jsonl")]
mine = [b for b in bodies if k[:12] in json.dumps(b)]
assert len(mine) == 1, len(mine)
raw = json.dumps(mine[0], ensure_ascii=False)
assert "<!channel>" not in raw and "<https://evil.test" not in raw, raw
assert "&lt;!channel&gt; &lt;https://evil.test|click&gt; &amp; more" in raw, raw
assert "possible repeat" not in raw
blocks = json.dumps(mine[0]["blocks"], ensure_ascii=False)
for want in ("Lindqvist Robotics", "Tue 4 Mar 2025, 16:00 CET",
             "http://127.0.0.1:8480/briefings/aaaa1111"):
    assert want in blocks, want
P
ok "exactly one post per event across a SIGKILL; hostile subject escaped"

# 4. SIGKILL while Slack holds its answer: the claim stays pending.
echo '[{"method":"POST","status":200,"content_type":"text/plain","body":"ok","delay_ms":5000}]' > slow.json
start_fake slow --script slow.json
K3=3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc
"$B" run m.json "${S[@]}" --stage slack 2> slack3.log & SL=$!; PIDS+=($SL)
note $K3 'Assessment invitation' >> notes.jsonl
for _ in $(seq 300); do [ -s slow.jsonl ] && break; sleep 0.05; done
[ -s slow.jsonl ] || fail "no post reached the slow fake: $(tail -5 slack3.log)"
kill -9 $SL; wait $SL 2>/dev/null || true
grep -q "posted event $K3" slack3.log && fail "the post was answered before the kill"
"$B" run m.json "${S[@]}" --stage slack 2> slack4.log & SL=$!; PIDS+=($SL)
for _ in $(seq 300); do grep -q "posted event $K3" slack4.log && break; sleep 0.1; done
grep -q "posted event $K3" slack4.log || fail "pending event not posted again: $(tail -5 slack4.log)"
kill -TERM $SL; wait $SL || true
python3 - "$K3" <<'P' || fail "the repeat is not as documented"
import json, sys
k = sys.argv[1]
bodies = [json.loads(l)["body"] for l in open("slow.jsonl")]
mine = [b for b in bodies if k[:12] in b]
assert len(mine) == 2, len(mine)
assert "possible repeat" not in mine[0] and "possible repeat" in mine[1], mine
assert all(k[:12] not in b for b in bodies if b not in mine)
assert len(bodies) == 2, len(bodies)  # K1, K2 were skipped (done)
P
ok "killed while Slack held its ok: posted again after the restart, marked as a possible repeat"
