#!/usr/bin/env bash
# core/ holds the runtime only, in small pieces (issue 12): no file in core/
# over 800 lines, no function over 120 lines, no include cycle between the
# files of core/, and nothing there about a particular plugin
# (`grep -rn chroma-sink core/` finds nothing).
# Usage: core_shape.sh [CORE_DIR] (default: $CAREEROPS_SOURCE_ROOT/core)
#        core_shape.sh --selftest   (the checks catch what they should)
# Known exceptions being split on other branches are listed, with the
# reason, in core_shape.allow next to this script ("FILE FUNCTION").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--selftest" ]; then
    t=$(mktemp -d "${TMPDIR:-/tmp}/co-shape-XXXXXX")
    trap 'rm -rf "$t"' EXIT
    printf '#include "b.h"\n' >"$t/a.h"
    printf '#include "a.h"\n' >"$t/b.h"
    { printf 'int long_one(void)\n{\n'
      for i in $(seq 121); do printf '    f(%d);\n' "$i"; done
      printf '}\n'; } >"$t/x.c"
    printf '/* chroma-sink */\n' >"$t/y.h"
    seq 801 | sed 's,^,// ,' >"$t/z.h"
    out=$(bash "$0" "$t" 2>&1) && { echo "FAIL: selftest passed a bad tree" >&2; exit 1; }
    for want in "include cycle" "function long_one has 121 lines" \
                "mentions chroma-sink" "z.h has 801 lines"; do
        printf '%s\n' "$out" | grep -qF "$want" ||
            { printf '%s\n' "$out" >&2; echo "FAIL: selftest: no '$want'" >&2; exit 1; }
    done
    echo "ok: selftest: cycle, long function, long file and plugin name caught"
    exit 0
fi
core=${1:-${CAREEROPS_SOURCE_ROOT:?run through meson test}/core}
max_file=800
max_fn=120
fail=0
allow=$(sed -n 's/^\([^#][^ ]*\) \([^ ]*\).*/\1:\2/p' "$here/core_shape.allow" 2>/dev/null | tr '\n' ' ')

# files
for f in "$core"/*.c "$core"/*.h; do
    n=$(wc -l <"$f")
    if [ "$n" -gt "$max_file" ]; then
        echo "FAIL: ${f#"$core"/} has $n lines (at most $max_file): split it" >&2
        fail=1
    fi
done

# functions: in clang-formatted C a definition's body opens with "{" and
# closes with "}" in column 0; the line before the "{" ends the signature.
for f in "$core"/*.c; do
    awk -v max="$max_fn" -v file="${f#"$core"/}" -v allow=" $allow" '
        /^\{/ { start = NR; name = prev; next }
        /^\}/ && start { n = NR - start - 1
            sub(/\(.*/, "", name); gsub(/.*[ *]/, "", name)
            if (n > max && index(allow, " " file ":" name " ") > 0)
                printf "note: %s: %s has %d lines (allowed: core_shape.allow)\n", file, name, n
            else if (n > max) {
                printf "FAIL: %s:%d: function %s has %d lines (at most %d): split it\n", file, start, name, n, max > "/dev/stderr"
                bad = 1
            }
            start = 0 }
        { if ($0 !~ /^[ \t]*$/) prev = (prev ~ /,$/ ? prev : "") $0 }
        END { exit bad }' "$f" || fail=1
done

# include cycles between files of core/ (tsort reports a loop)
pairs=$(for f in "$core"/*.c "$core"/*.h; do
    b=${f##*/}
    echo "$b $b"
    sed -n 's/^#include "\([^"/]*\)".*/\1/p' "$f" | while read -r inc; do
        [ -e "$core/$inc" ] && echo "$b $inc"
    done
done)
if ! out=$(printf '%s\n' "$pairs" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
    echo "FAIL: include cycle in core/:" >&2
    printf '%s\n' "$out" >&2
    fail=1
fi

# nothing about one plugin in the runtime
if hits=$(grep -rn "chroma-sink" "$core"); then
    echo "FAIL: core/ mentions chroma-sink:" >&2
    printf '%s\n' "$hits" >&2
    fail=1
fi

[ "$fail" -eq 0 ] && echo "ok: core/ files <= $max_file lines, functions <= $max_fn lines, no include cycle, no chroma-sink"
exit "$fail"
