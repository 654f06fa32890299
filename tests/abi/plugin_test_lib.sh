#!/usr/bin/env bash
# For out-of-tree plugin authors: the fake host is installed as a test
# library (careerops-plugin-test.pc); a plugin and its test program build
# from the installed SDK alone, the test passes, and `careerops plugins
# test PLUGIN --input IN --expect OUT` runs the plugin on JSONL records:
# exit 0 when the output matches, 1 with a diff when it does not.
# Usage: plugin_test_lib.sh CC
set -eu
# shellcheck source=SCRIPTDIR/abi_lib.sh
. "$(dirname "$0")/abi_lib.sh"
CC=${1:-cc}
abi_setup
abi_host_ready
here=$(cd "$(dirname "$0")" && pwd)

[ -n "$(find "$ABI_TMP/root" -name careerops-plugin-test.pc)" ] ||
    abi_fail "careerops-plugin-test.pc was not installed"
# the .pc requires jansson: let pkg-config see the system's .pc files too
# (abi_setup hid them to prove the SDK's own flags are complete)
PKG_CONFIG_LIBDIR="$PKG_CONFIG_LIBDIR:$(pkg-config --variable pc_path pkg-config)"
export PKG_CONFIG_LIBDIR
# careerops-plugin-test alone: it requires careerops-plugin, whose include
# path co_fake_host.h needs (trial 40: without the Requires a test program
# built under a non-standard prefix did not find <careerops/plugin.h>)
TEST_CFLAGS=$(pkg-config --cflags careerops-plugin-test) ||
    abi_fail "pkg-config --cflags careerops-plugin-test failed"
TEST_LIBS=$(pkg-config --libs --static careerops-plugin-test) ||
    abi_fail "pkg-config --libs careerops-plugin-test failed"
pkg-config --print-requires careerops-plugin-test | grep -q '^careerops-plugin\b' ||
    abi_fail "careerops-plugin-test.pc does not require careerops-plugin"
case "$TEST_CFLAGS" in
*"$ABI_CFLAGS"*) ;;
*) abi_fail "careerops-plugin-test's cflags ($TEST_CFLAGS) lack the SDK's ($ABI_CFLAGS)" ;;
esac
case "$TEST_CFLAGS $TEST_LIBS" in
*"$ABI_TMP/root/"*) ;;
*) abi_fail "careerops-plugin-test does not point into the installed tree: $TEST_CFLAGS $TEST_LIBS" ;;
esac

mkdir "$ABI_TMP/plugins"
so="$ABI_TMP/plugins/hello.so"
# shellcheck disable=SC2086 # CC and the flags are word lists
$CC -std=c99 -Wall -Wextra -Werror -shared -fPIC $ABI_CFLAGS \
    -o "$so" "$CAREEROPS_SOURCE_ROOT/examples/hello-plugin/hello.c" ||
    abi_fail "hello.c does not build from the installed headers"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror $TEST_CFLAGS -o "$ABI_TMP/user" \
    "$here/fake_host_user.c" $TEST_LIBS -ldl ||
    abi_fail "a test program does not build against the installed test library"
"$ABI_TMP/user" "$so" "howdy" || abi_fail "the fake host test of hello failed"
echo "ok: an out-of-tree plugin test builds and passes against careerops-plugin-test"

export CAREEROPS_PLUGIN_PATH="$ABI_TMP/plugins${CAREEROPS_PLUGIN_PATH:+:$CAREEROPS_PLUGIN_PATH}"
cd "$ABI_TMP"
printf '{"n":1}\n{"n":2}\n' >in.jsonl
printf '"hey, {\\"n\\":1}"\n"hey, {\\"n\\":2}"\n' >want.jsonl
"$CAREEROPS_BIN" plugins test hello --input in.jsonl --expect want.jsonl \
    --config '{"greeting": "hey"}' >out.txt 2>&1 ||
    { cat out.txt >&2; abi_fail "plugins test hello: the expected output did not match"; }
printf '"hey, {\\"n\\":1}"\n"hey, {\\"n\\":3}"\n' >wrong.jsonl
rc=0
"$CAREEROPS_BIN" plugins test hello --input in.jsonl --expect wrong.jsonl \
    --config '{"greeting": "hey"}' >diff.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { cat diff.txt >&2; abi_fail "a wrong expectation exited $rc, not 1"; }
grep -qF '@@ record 2 @@' diff.txt && grep -qF -- '-"hey, {\"n\":3}"' diff.txt &&
    grep -qF -- '+"hey, {\"n\":2}"' diff.txt ||
    { cat diff.txt >&2; abi_fail "no diff for record 2"; }
echo "ok: careerops plugins test: 0 on a match, 1 and a diff on a mismatch"
# trial 55: a FIFO that nothing writes to as --input said "Connection
# timed out" (strerror of the 5 s wait)
mkfifo in.fifo
rc=0
timeout 30 "$CAREEROPS_BIN" plugins test hello --input in.fifo > /dev/null 2> fifo.err || rc=$?
[ "$rc" -eq 2 ] && grep -q "a named pipe (FIFO) that nothing wrote to within 5 s" fifo.err ||
    abi_fail "--input FIFO: exit $rc: $(cat fifo.err)"
echo "ok: careerops plugins test --input FIFO names the pipe"
