#!/usr/bin/env bash
# A Kafka broker that does not answer at start is an outage: `run` exits 1
# (systemd restarts it), not 2 (RestartPreventExitStatus=2 would stop the
# stage host for good). A host name that does not resolve stays 2.
. "$(dirname "$0")/../integration/lib.sh"
mock_only "points the stage at a port nothing listens on"
cat > m.json <<'J'
{"pipeline":"kdown","kafka":{"bootstrap.servers":"embedded"},
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
rc=0
timeout 40 "$B" run m.json --stage sink --set kafka.bootstrap.servers=127.0.0.1:1 \
    > out.txt 2> err.txt || rc=$?
[ "$rc" = 1 ] || fail "unreachable broker: exit $rc, want 1: $(cat err.txt)"
grep -q "no answer from 127.0.0.1:1" err.txt || fail "no 'no answer from' in: $(cat err.txt)"
rc=0
timeout 40 "$B" run m.json --stage sink --set kafka.bootstrap.servers=no-such-host.invalid:9092 \
    > out.txt 2> err.txt || rc=$?
[ "$rc" = 2 ] || fail "unresolvable broker host: exit $rc, want 2: $(cat err.txt)"
# `dlq list` the same (trial 28: exit 2 after 20 s)
rc=0
timeout 40 "$B" dlq list m.json --set kafka.bootstrap.servers=127.0.0.1:1 \
    > out.txt 2> err.txt || rc=$?
[ "$rc" = 1 ] && grep -q "the broker at 127.0.0.1:1 does not answer" err.txt ||
    fail "dlq list, unreachable broker: exit $rc: $(cat err.txt)"
echo ok
