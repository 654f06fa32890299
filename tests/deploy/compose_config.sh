#!/usr/bin/env bash
# deploy/compose.yaml: `docker compose config` (or docker-compose's)
# accepts it, with one careerops service per stage of
# pipelines/careerops.json, Kafka in KRaft mode, PostgreSQL, every secret a
# Docker secret from deploy/secrets.example and a /health healthcheck.
# Needs no Docker daemon; skips (77) without a compose command.
set -euo pipefail
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
: "${CAREEROPS_BIN:?run through meson test}"
fail() { echo "FAIL: $*" >&2; exit 1; }
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null; then
    compose=(docker-compose)
else
    echo "SKIP: neither 'docker compose' nor docker-compose is installed" >&2
    exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
f=$CAREEROPS_SOURCE_ROOT/deploy/compose.yaml
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-compose.XXXXXX")
trap 'rm -rf "$T"' EXIT
# no variable of the caller's shell may change the result
env -u CAREEROPS_SECRETS "${compose[@]}" -f "$f" config > "$T/config.yaml" 2> "$T/err" ||
    fail "${compose[*]} config: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "${compose[*]} config warns: $(cat "$T/err")"
echo "ok 1: ${compose[*]} config accepts deploy/compose.yaml"

# The resolved file, checked against the production manifest (PyYAML is
# a dependency of docker-compose; without it, this part is skipped).
python3 -c 'import yaml' 2>/dev/null || { echo "ok 2: skipped (no PyYAML)"; exit 0; }
python3 - "$T/config.yaml" "$CAREEROPS_SOURCE_ROOT" <<'PY' || fail "compose.yaml does not match the manifest"
import json, os, re, sys
cfg = __import__("yaml").safe_load(open(sys.argv[1]))
root = sys.argv[2]
man = json.load(open(os.path.join(root, "pipelines/careerops.json")))
stages = [s["name"] for s in man["stages"]]
secrets = sorted(set(re.findall(r"\$\{secret:([A-Za-z0-9_.-]+)\}", json.dumps(man))))
svc = cfg["services"]
def fail(msg):
    print("FAIL:", msg, file=sys.stderr); sys.exit(1)
for s in stages:
    if s not in svc:
        fail(f"no service for stage {s}")
    c = svc[s]
    cmd = c["entrypoint"] + c["command"]
    if cmd[:3] != ["careerops", "run", "/etc/careerops/careerops.json"] or cmd[-2:] != ["--stage", s]:
        fail(f"service {s} does not run stage {s}: {cmd}")
    if "secrets_dir=/run/secrets" not in cmd:
        fail(f"service {s}: secrets_dir is not /run/secrets")
    have = {x["source"] if isinstance(x, dict) else x for x in c.get("secrets", [])}
    missing = [x for x in secrets if x not in have]
    if missing:
        fail(f"service {s} lacks secrets {missing}")
    hc = " ".join(c["healthcheck"]["test"])
    if "/health" not in hc:
        fail(f"service {s}: healthcheck {hc} is not /health")
    if c["depends_on"]["kafka"]["condition"] != "service_healthy":
        fail(f"service {s} does not wait for a healthy kafka")
for name, sec in cfg["secrets"].items():
    path = sec["file"]
    if "secrets.example" not in path or not os.path.isfile(path):
        fail(f"secret {name}: {path} is not a file of deploy/secrets.example")
k = svc["kafka"]
if not k["image"].startswith("apache/kafka:") or "controller" not in k["environment"]["KAFKA_PROCESS_ROLES"]:
    fail("kafka is not apache/kafka in KRaft mode")
if "postgres" not in svc or "POSTGRES_PASSWORD_FILE" not in svc["postgres"]["environment"]:
    fail("no postgres service with its password as a secret")
# 3. the entrypoint's --set overrides and the environment make a manifest
# that `careerops validate` accepts, with the example secrets
import subprocess
c = svc[stages[0]]
ex = os.path.join(root, "deploy", "secrets.example")
args = [a.replace("/run/secrets", ex) for a in c["entrypoint"][3:]]
env = dict(os.environ)
env.update({k: str(v).replace("/run/secrets", ex) for k, v in c["environment"].items()})
r = subprocess.run([os.environ["CAREEROPS_BIN"], "validate",
                    os.path.join(root, "pipelines/careerops.json")] + args,
                   env=env, capture_output=True, text=True)
if r.returncode != 0:
    fail(f"careerops validate with the compose settings: {r.stdout}{r.stderr}")
print(f"ok 2: {len(stages)} stage services ({', '.join(stages)}), each with all {len(secrets)} secrets the manifest names, "
      f"KRaft kafka, postgres, healthchecks on /health; careerops validate accepts "
      f"the manifest with the services' settings and the example secrets")
PY
