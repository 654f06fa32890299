#!/bin/sh
# Fuzz the mail normalizer (lib/mail/fuzz/fuzz_mail.c) with libFuzzer.
#
# Builds the target with clang, ASan and UBSan in build-fuzz-mail/ (or
# $FUZZ_BUILD_DIR) and runs it for SECONDS (default 600), seeded from the
# shared corpus (mime-torture/, calendar/, known-bugs/) and the findings
# kept in lib/mail/fuzz/corpus/. New inputs go to
# BUILD/fuzz-mail-corpus/, findings (crash-*, leak-*, timeout-*, oom-*) to
# BUILD/fuzz-mail-artifacts/; the exit status is libFuzzer's (0: nothing
# found). Replay a finding with BUILD/lib/mail/fuzz/fuzz_mail FILE, or with
# any build's fuzz_mail_replay FILE (gcc, no libFuzzer).
#
# Usage: scripts/fuzz-mail.sh [SECONDS] [extra libFuzzer flags...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD_DIR:-$root/build-fuzz-mail}
corpus=${CAREEROPS_CORPUS:-$root/../shared/corpus}
if [ ! -d "$corpus/mime-torture" ]; then
    echo "fuzz-mail: the seed corpus $corpus is missing (set CAREEROPS_CORPUS)" >&2
    exit 2
fi
command -v clang >/dev/null || { echo "fuzz-mail: clang is required" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$root" -Dfuzz=true -Dtests=disabled \
        -Dplugins=none -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C "$build" -j2 lib/mail/fuzz/fuzz_mail
mkdir -p "$build/fuzz-mail-corpus" "$build/fuzz-mail-artifacts"
# an UndefinedBehaviorSanitizer report is a finding: stop there
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# a GLib critical warning (a failed precondition) is one too
export G_DEBUG="${G_DEBUG:-fatal-criticals}"
exec "$build/lib/mail/fuzz/fuzz_mail" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-mail-artifacts/" \
    "$@" \
    "$build/fuzz-mail-corpus" "$corpus/mime-torture" "$corpus/calendar" \
    "$corpus/known-bugs" "$root/lib/mail/fuzz/corpus"
