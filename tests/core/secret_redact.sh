#!/usr/bin/env bash
# A value that came from ${secret:NAME} never shows in an error or a log
# line: validate and run print ${secret:NAME} instead, librdkafka's
# "Invalid value ..." included (trial 5, defect 3).
. "$(dirname "$0")/../integration/lib.sh"
mkdir -m 700 sec
printf 'TOPSECRET-abc123\n' > sec/pw
cat > m.json <<'J'
{"pipeline":"sec","secrets_dir":"sec",
 "kafka":{"bootstrap.servers":"embedded","security.protocol":"${secret:pw}"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":3}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J
check() { # WHAT FILE: the secret is absent, its reference present
    ! grep -q 'TOPSECRET' "$2" || fail "$1 shows the secret: $(grep TOPSECRET "$2")"
    grep -qF '${secret:pw}' "$2" || fail "$1 does not name \${secret:pw}: $(cat "$2")"
}
! "$B" validate m.json > v.out 2>&1 || fail "validate accepted a bad security.protocol"
grep -q 'security.protocol' v.out || fail "validate does not report kafka.security.protocol: $(cat v.out)"
check "validate (librdkafka property)" v.out
! timeout 30 "$B" run m.json --until-idle > r.out 2>&1 || fail "run accepted a bad security.protocol"
check "run (librdkafka property)" r.out
# http.listen from a secret
"$B" validate m.json --set kafka.security.protocol=plaintext \
    --set 'http.listen=${secret:pw}' > l.out 2>&1 && fail "validate accepted http.listen TOPSECRET"
grep -q 'http.listen' l.out || fail "no http.listen error: $(cat l.out)"
check "validate (http.listen)" l.out
! timeout 30 "$B" run m.json --until-idle --set kafka.security.protocol=plaintext \
    --set 'http.listen=${secret:pw}' > rl.out 2>&1 || fail "run accepted http.listen TOPSECRET"
check "run (http.listen)" rl.out
ok "validate and run show \${secret:pw}, never the secret (librdkafka property, http.listen)"
