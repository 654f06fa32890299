#!/usr/bin/env bash
# Regenerates docs/images/dashboard-*.png, the screenshots in
# docs/dashboard.md: runs the browser test (tests/browser/dashboard.sh) on
# the sample mailbox with the throwaway PostgreSQL, then copies its
# screenshots. Needs a build (meson setup build -Dtests=enabled; ninja -C
# build) and chromium, chromium-driver, python3-selenium (scripts/deps.sh).
#
#   bash scripts/dashboard-screenshots.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-build}
bash scripts/pg.sh start >/dev/null
eval "$(bash scripts/pg.sh env)"
meson test -C "$build" dashboard-browser --print-errorlogs
for f in "$build"/browser-screenshots/*.png; do
    cp "$f" "docs/images/dashboard-$(basename "$f")"
done
ls -l docs/images/dashboard-*.png
