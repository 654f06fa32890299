#!/usr/bin/env bash
# Each public header, as installed, compiles alone with -std=c11 and
# -std=c99 under -pedantic -Werror (and as C++ when a C++ compiler is
# there, to check the extern "C" guards); every header in the source tree
# is installed. Usage: headers.sh CC
set -eu
# shellcheck source=SCRIPTDIR/abi_lib.sh
. "$(dirname "$0")/abi_lib.sh"
CC=${1:-cc}
abi_setup

src="$CAREEROPS_SOURCE_ROOT/plugin-api/include/careerops"
inc=$(find "$ABI_TMP/root" -type d -name careerops -path '*/include/*' | head -n 1)
[ -n "$inc" ] || abi_fail "no include/careerops folder was installed"
n=0
for h in "$src"/*.h; do
    name=${h##*/}
    [ -f "$inc/$name" ] || abi_fail "$name is in plugin-api/ but not installed"
    cmp -s "$h" "$inc/$name" || abi_fail "installed $name differs from the source"
    printf '#include <careerops/%s>\n' "$name" >"$ABI_TMP/tu.c"
    for std in c11 c99; do
        # shellcheck disable=SC2086 # CC and the flags are word lists
        $CC -std=$std -pedantic -Werror -Wall -Wextra -Wstrict-prototypes \
            -Wundef $ABI_CFLAGS -fsyntax-only "$ABI_TMP/tu.c" ||
            abi_fail "careerops/$name does not compile alone with -std=$std -pedantic -Werror"
        n=$((n + 1))
    done
    if command -v c++ >/dev/null; then
        cp "$ABI_TMP/tu.c" "$ABI_TMP/tu.cc"
        # shellcheck disable=SC2086
        c++ -std=c++11 -pedantic -Werror -Wall -Wextra $ABI_CFLAGS \
            -fsyntax-only "$ABI_TMP/tu.cc" ||
            abi_fail "careerops/$name does not compile as C++11"
        n=$((n + 1))
    fi
done
[ "$n" -gt 0 ] || abi_fail "no headers found in $src"

# The macros a plugin uses expand to valid C99 too.
cat >"$ABI_TMP/macros.c" <<'C'
#include <careerops/plugin.h>
static const co_plugin_t desc = {CO_PLUGIN_HEADER, .name = "m",
                                 .kinds = CO_KIND_SINK};
int macros_use(const co_host_api_t *api);
int macros_use(const co_host_api_t *api)
{
    co_record_t rec = CO_RECORD_INIT;
    return CO_API_HAS(api, resolve_path) + (int)rec.size + (int)desc.size;
}
C
for std in c99 c11; do
    # shellcheck disable=SC2086
    $CC -std=$std -pedantic -Werror -Wall -Wextra $ABI_CFLAGS -fsyntax-only \
        "$ABI_TMP/macros.c" ||
        abi_fail "CO_PLUGIN_HEADER/CO_RECORD_INIT/CO_API_HAS fail with -std=$std"
done
echo "ok: $n header compilations against $inc"
