#!/usr/bin/env bash
# Secrets from systemd's $CREDENTIALS_DIRECTORY (LoadCredential=): it is
# the default secrets_dir, secrets_dir may name it with ${env:...}, and
# `--set secrets_dir=DIR` (the unit's %d) overrides a manifest's folder.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_PLUGIN_PATH
B=$CAREEROPS_BIN
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-creds.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir creds
echo "out-from-credentials.jsonl" > creds/sink_path

manifest() { # SECRETS_DIR_JSON_MEMBER
    cat > m.json <<J
{"pipeline":"creds-it","kafka":{"bootstrap.servers":"embedded"},$1
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"\${secret:sink_path}"}}]}
J
}

manifest ''
CREDENTIALS_DIRECTORY=$T/creds "$B" validate m.json > v1.out 2>&1 || fail "default from CREDENTIALS_DIRECTORY: $(cat v1.out)"
env -u CREDENTIALS_DIRECTORY "$B" validate m.json > v2.out 2>&1 && fail "validated without the secret"
grep -q "secret 'sink_path' not readable at /run/secrets/sink_path" v2.out || fail "unclear error: $(cat v2.out)"
echo "ok 1: secrets_dir defaults to \$CREDENTIALS_DIRECTORY, else /run/secrets"

manifest '"secrets_dir":"${env:CREDENTIALS_DIRECTORY:-local-secrets}",'
CREDENTIALS_DIRECTORY=$T/creds "$B" validate m.json > v3.out 2>&1 || fail "\${env:} in secrets_dir: $(cat v3.out)"
env -u CREDENTIALS_DIRECTORY "$B" validate m.json > v4.out 2>&1 && fail "validated without the secret"
grep -q "local-secrets/sink_path" v4.out || fail "the default folder is not named: $(cat v4.out)"
echo "ok 2: secrets_dir \${env:CREDENTIALS_DIRECTORY:-local-secrets}"

manifest '"secrets_dir":"elsewhere",'
env -u CREDENTIALS_DIRECTORY "$B" run m.json --until-idle --set "secrets_dir=$T/creds" > r.out 2>&1 || fail "run with --set secrets_dir: $(tail -5 r.out)"
[ -s out-from-credentials.jsonl ] || fail "the sink did not write the path read from the credential"
echo "ok 3: --set secrets_dir=DIR (the unit's %d) overrides the manifest's folder; run wrote the secret's path"
