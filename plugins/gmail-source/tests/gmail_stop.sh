#!/usr/bin/env bash
# gmail-source hears a stop during an HTTP request (trial 57): the fake
# token endpoint sits on the refresh_token request for 120 s; a SIGTERM
# sent to `careerops run` then ends it within seconds (it waited for
# timeout_ms, 30 s), with "stopped while requesting an access token" and
# not an auth failure.
# usage: meson test gmail-stop
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=netns_reexec.sh
. "$HERE/netns_reexec.sh"
# shellcheck source=../../../tests/integration/lib.sh
. "${CAREEROPS_SOURCE_ROOT:?run through meson test}/tests/integration/lib.sh"
# shellcheck source=gmail_lib.sh
. "$HERE/gmail_lib.sh"

start_fake_gmail --gmail-messages 3 --gmail-token-delay-ms 120000
auth_secrets "$FURL"
# one gmail-source stage; the token request may take 90 s (timeout_ms)
cfg='"refresh_token_file":"token.sealed","timeout_ms":90000'
printf '{"pipeline":"gmail-stop","kafka":{"bootstrap.servers":"embedded"},"state":"file:state.json","secrets_dir":"secrets","stages":[{"name":"ingest","plugin":"gmail-source","output":"raw_inbox_stream","config":{"api_base":"%s/gmail/v1","token_url":"%s/token",%s}}]}\n' "$FURL" "$FURL" "$cfg" > m.json
token_refreshes() { python3 -c 'import json,sys,urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/gmail/counts", timeout=10)).get("token_refresh", 0))' "$FURL"; }

"$B" run m.json > run.out 2> run.log & RUN=$!
PIDS+=("$RUN")
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ] && kill -0 $RUN 2>/dev/null &&
      [ "$(token_refreshes)" = 0 ]; do sleep 0.1; done
[ "$(token_refreshes)" = 1 ] || fail "no token request reached the fake: $(tail -5 run.log)"
sleep 1 # the request now hangs at the fake
kill -0 $RUN 2>/dev/null || fail "run ended before the SIGTERM: $(tail -5 run.log)"
t0=$(date +%s%N)
kill -TERM $RUN
rc=0
for _ in $(seq 300); do kill -0 $RUN 2>/dev/null || break; sleep 0.1; done
if kill -0 $RUN 2>/dev/null; then
    kill -9 $RUN
    fail "careerops run still running 30 s after SIGTERM (the token request was not stopped): $(tail -5 run.log)"
fi
wait $RUN || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "SIGTERM during the token request: exit $rc after $ms ms"
[ "$ms" -lt 10000 ] || fail "run took $ms ms to end after SIGTERM: $(tail -5 run.log)"
grep -q "stopped while requesting an access token" run.log ||
    fail "no 'stopped while' message: $(tail -5 run.log)"
grep -m1 "stopped while" run.log
if grep -qi "refused the refresh token\|invalid_grant\|careerops auth gmail. again" run.log; then
    fail "the stop was reported as a token problem: $(tail -5 run.log)"
fi
echo "ok: a SIGTERM during gmail-source's token request ends the run in $ms ms"
