#!/usr/bin/env bash
# SASL_SSL with SCRAM-SHA-512 on a real broker (scripts/kafka.sh --sasl:
# its own CA, a broker certificate for 127.0.0.1, user `careerops`). The
# host runs with the production manifest's `kafka` block as it is
# (pipelines/careerops.json: security.protocol, sasl.*, the password from
# the secret file kafka_password, ssl.ca.location), on a mock source and
# sink: every record arrives. Then a wrong password in the secret file: the
# host stops within seconds with one FATAL line naming kafka.sasl.password
# and the secret file, and no librdkafka retry lines.
#
# Kafka 3.9 (CAREEROPS_KAFKA_SASL_VERSION): Debian 12's librdkafka 2.0.2
# sends a SCRAM nonce that Kafka 4.x refuses (fixed in librdkafka 2.6.1,
# librdkafka#4895), so a SCRAM login to a 4.x broker fails with any
# password; the host's FATAL line says so (checked below too).
. "$(dirname "$0")/lib.sh"
N=2000
CAREEROPS_KAFKA_VERSION=${CAREEROPS_KAFKA_SASL_VERSION:-3.9.1} kafka_start --sasl
[ -n "${CAREEROPS_KAFKA_CA:-}" ] || fail "kafka.sh env gave no CA in --sasl mode"
mkdir -p secrets
cp "$CAREEROPS_KAFKA_SASL_PASSWORD_FILE" secrets/kafka_password
chmod 600 secrets/kafka_password
python3 - "$CAREEROPS_SOURCE_ROOT/pipelines/careerops.json" "$N" <<'P'
import json, sys
kafka = json.load(open(sys.argv[1]))["kafka"]
m = {"pipeline": "itsasl", "kafka": kafka, "secrets_dir": "secrets",
     "state": "file:state.json",
     "stages": [
         {"name": "src", "plugin": "mock-source", "output": "sasl_a",
          "config": {"count": int(sys.argv[2])}},
         {"name": "sink", "plugin": "mock-sink", "input": "sasl_a",
          "config": {"path": "out.jsonl"}}]}
json.dump(m, open("m.json", "w"), indent=1)
P
grep -q '"security.protocol": "SASL_SSL"' m.json || fail "the production manifest has no SASL_SSL kafka block"
# the env defaults of the production manifest: bootstrap and CA from kafka.sh
export CAREEROPS_KAFKA_USER=$CAREEROPS_KAFKA_SASL_USER
"$B" run m.json --stage sink 2> sink.log & SINK=$!; PIDS+=($SINK)
timeout 120 "$B" run m.json --stage src --until-idle 2> src.log ||
    fail "source on SASL_SSL: $(tail -n 3 src.log)"
wait_keys out.jsonl $N 60 || fail "sink has $(distinct_keys out.jsonl) of $N records: $(tail -n 3 sink.log)"
kill -TERM $SINK; wait $SINK || true
ok "$N records over SASL_SSL (SCRAM-SHA-512, CA $(basename "$CAREEROPS_KAFKA_CA")) with the production kafka block"

echo "not-the-password" > secrets/kafka_password
t0=$SECONDS
rc=0
timeout 60 "$B" run m.json --stage src --until-idle 2> bad.log || rc=$?
took=$((SECONDS - t0))
cat bad.log
[ $rc != 0 ] || fail "a wrong password was accepted"
[ $rc != 124 ] || fail "a wrong password hung the host for 60 s"
[ $took -le 15 ] || fail "the wrong password took $took s to report"
grep -q 'FATAL: kafka.sasl.password' bad.log || fail "no FATAL line naming kafka.sasl.password"
grep -q "secret file $(pwd -P)/secrets/kafka_password" bad.log || fail "the FATAL line does not name the secret file"
if grep -q '^%[0-9]|' bad.log; then fail "librdkafka's raw log lines reached stderr"; fi
ok "wrong password: exit $rc after $took s, one FATAL line naming kafka.sasl.password and the secret file"
