# shellcheck shell=bash
# Shared by slack-sink's shell tests (sourced after tests/integration/lib.sh,
# in the test's folder).
FAKE=${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server
[ -x "$FAKE" ] || fail "co-fake-server not built"

# start_fake_slack HOOK: the fake Slack with script.json's one-shot replies,
# logging to slack.jsonl; the webhook URL (127.0.0.1, HOOK's path) written
# to secrets/slack_webhook.
start_fake_slack() {
    "$FAKE" --service slack --port-file slack.port --log slack.jsonl --script script.json 2> fake.err &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s slack.port ] && break; sleep 0.1; done
    [ -s slack.port ] || fail "fake Slack did not start: $(cat fake.err)"
    mkdir -p secrets
    echo "http://127.0.0.1:$(cat slack.port)$1" > secrets/slack_webhook
}
