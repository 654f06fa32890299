# Shared start of the command-line tests (bash, sourced): the binary in B,
# a temporary folder (removed at exit; KEEP_TMP=1 keeps it) as the working
# directory in t, fail, and expect RC PATTERN WHAT COMMAND...: the command
# exits RC and prints PATTERN (extended regex) on stderr.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
B=$CAREEROPS_BIN
t=$(mktemp -d "${TMPDIR:-/tmp}/co-cli-XXXXXX")
trap '[ "${KEEP_TMP:-0}" = 1 ] && echo "kept $t" || rm -rf "$t"' EXIT
cd "$t"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {
    local want=$1 pat=$2 what=$3 rc=0
    shift 3
    "$@" >out.txt 2>err.txt || rc=$?
    [ "$rc" = "$want" ] || fail "$what exited $rc, not $want: $(cat err.txt)"
    grep -Eq -- "$pat" err.txt || fail "$what: no '$pat' in: $(cat err.txt)"
}
# An escape sequence and U+202E (right-to-left override) in a word: W, as
# co_visible() writes it (a regex) in WV; ESC and RLO alone.
ESC=$(printf '\033')
RLO=$(printf '\342\200\256')
W="x${ESC}[31my${RLO}z"
WV='x\\x1b\[31my\\u202ez'
# no_raw WHAT: no raw ESC or U+202E in out.txt and err.txt (a word echoed
# is written \x1b, \u202e).
no_raw() {
    ! grep -q "$ESC\|$RLO" out.txt err.txt ||
        fail "$1: a raw ESC or U+202E reached the terminal: $(cat -v err.txt out.txt)"
}
# expect_visible RC PATTERN WHAT COMMAND...: expect, then no_raw.
expect_visible() {
    expect "$@"
    no_raw "$3"
}
