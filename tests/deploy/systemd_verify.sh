#!/usr/bin/env bash
# deploy/systemd: `systemd-analyze verify` accepts the units without a
# warning (unknown keys, bad specifiers and values are warnings there, so
# any output fails the test), and careerops@.service hands every secret
# that pipelines/careerops.json names to the host with LoadCredential=.
set -euo pipefail
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
: "${CAREEROPS_BIN:?run through meson test}"
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing (Debian package systemd)" >&2; exit 77; }
src=$CAREEROPS_SOURCE_ROOT/deploy/systemd
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-units.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# verify checks that ExecStart's program exists: point it at this build
for f in careerops@.service careerops.target careerops-backup.service careerops-backup.timer; do
    [ -f "$src/$f" ] || fail "$src/$f missing"
    sed "s#/usr/local/bin/careerops#$CAREEROPS_BIN#" "$src/$f" > "$T/$f"
done
out=$(cd "$T" && systemd-analyze verify --man=no careerops@classify.service careerops.target \
    careerops-backup.service careerops-backup.timer 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
echo "ok 1: systemd-analyze verify: careerops@classify.service, careerops.target, careerops-backup.{service,timer}"

unit=$src/careerops@.service
grep -qx 'Type=notify' "$unit" || fail "not Type=notify"
grep -q '^ExecStart=.* run .* --stage %i --set secrets_dir=%d$' "$unit" || fail "ExecStart is not one stage with secrets from \$CREDENTIALS_DIRECTORY"
grep -q '^WatchdogSec=' "$unit" || fail "no WatchdogSec"
need=$(grep -o '\${secret:[A-Za-z0-9_.-]*}' "$CAREEROPS_SOURCE_ROOT/pipelines/careerops.json" |
    sed 's/^${secret:\(.*\)}$/\1/' | sort -u)
for s in $need; do
    grep -q "^LoadCredential=$s:/etc/careerops/secrets/$s\$" "$unit" || fail "no LoadCredential= for secret $s"
done
echo "ok 2: Type=notify, WatchdogSec, one stage per unit, LoadCredential= for $(echo $need | wc -w) secrets of pipelines/careerops.json"
