#!/usr/bin/env bash
# The whole test suite, as the README says: installs what is missing,
# builds, starts a throwaway PostgreSQL, runs every suite (unit,
# integration, abi, corpus replay), then the unit suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the crash test (suite
# chaos), compiles the release build
# (-O3 -Werror warns about things -O2 does not), and stops PostgreSQL.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh --quick    # skip the crash, sanitizer and release passes
# Prints "N passed, N failed" last; exit 0 only when nothing failed.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

bash scripts/deps.sh || { echo "could not install dependencies" >&2; exit 1; }

# chromadb for the real-Chroma test (scripts/chroma.sh, from PyPI; a few
# minutes the first time), installed while the build runs
mkdir -p .chroma && bash scripts/chroma.sh install > .chroma/install.log 2>&1 &
chroma_install=$!

build=${CAREEROPS_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dtests=enabled >/dev/null || exit 1
fi
ninja -C "$build" || exit 1

bash scripts/pg.sh start || exit 1
eval "$(bash scripts/pg.sh env)"
trap 'bash scripts/pg.sh stop >/dev/null 2>&1 || true; bash scripts/chroma.sh stop >/dev/null 2>&1 || true' EXIT
# Without PyPI (Debian's mirror only) the chroma-real test skips.
if wait $chroma_install && bash scripts/chroma.sh start; then
    eval "$(bash scripts/chroma.sh env)"
else
    tail -n 3 .chroma/install.log >&2
    echo "test.sh: no real Chroma server: the chroma-real test will skip" >&2
fi

summary=$(mktemp)
meson test -C "$build" --print-errorlogs --num-processes 2 --timeout-multiplier 2
python3 scripts/testlog-summary.py "$build/meson-logs/testlog.json" >> "$summary"

if [ $quick = 0 ]; then
    # The crash test (one stage per process, 130 SIGKILLs; about 6 min on
    # 2 cores) is kept out of the default setup, so --quick skips it.
    meson test -C "$build" --setup chaos --suite chaos --print-errorlogs
    python3 scripts/testlog-summary.py "$build/meson-logs/testlog-chaos.json" chaos >> "$summary"
    asan=${build}-asan
    if [ ! -f "$asan/build.ninja" ]; then
        meson setup "$asan" -Dtests=enabled -Db_sanitize=address,undefined \
            -Db_lundef=false -Dbuildtype=debug >/dev/null || exit 1
    fi
    ninja -C "$asan" || exit 1
    # CK_FORK=no keeps each Check test in one process so leaks are seen.
    CK_FORK=no meson test -C "$asan" --suite unit --print-errorlogs \
        --num-processes 2 --timeout-multiplier 4
    python3 scripts/testlog-summary.py "$asan/meson-logs/testlog.json" asan >> "$summary"
    # The release build compiles (about 30 s on 2 idle cores): no tests.
    rel=${build}-rel
    if { [ -f "$rel/build.ninja" ] || meson setup "$rel" --buildtype=release >/dev/null; } &&
        ninja -C "$rel" >"$rel/compile.log" 2>&1; then
        echo "release build: ok"; echo "1 0 0" >> "$summary"
    else
        grep -E "error|FAILED" "$rel/compile.log" 2>/dev/null | head -20
        echo "release build: FAILED (log: $rel/compile.log)"; echo "0 1 0" >> "$summary"
    fi
fi
python3 - "$summary" <<'P'
import sys
p = f = s = 0
for line in open(sys.argv[1]):
    a, b, c = (int(x) for x in line.split())
    p += a; f += b; s += c
print(f"{p} passed, {f} failed" + (f", {s} skipped" if s else ""))
sys.exit(1 if f else 0)
P
