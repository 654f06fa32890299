# shellcheck shell=bash
# Shared shell helpers of the ABI tests (sourced, not run).
#
# abi_setup: make a temporary folder $ABI_TMP (see abi_tmp), install
# the build's SDK files (headers + careerops-plugin.pc, meson install tag
# "devel") into $ABI_TMP/root with `meson install --destdir`, and point
# pkg-config at them. Plugins built from there use the installed headers
# alone. Needs CAREEROPS_BUILD_ROOT (set by meson's co_test_env).

abi_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# abi_tmp: just the temporary folder $ABI_TMP (removed on exit unless
# ABI_KEEP is set).
abi_tmp() {
    ABI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/co-abi-XXXXXX")
    trap 'abi_cleanup' EXIT
}

abi_setup() {
    : "${CAREEROPS_BUILD_ROOT:?run through meson test (CAREEROPS_BUILD_ROOT unset)}"
    abi_tmp
    # --no-rebuild: meson test already built everything; a second ninja
    # run in the same build folder from a test could race with it.
    meson install -C "$CAREEROPS_BUILD_ROOT" --no-rebuild --quiet \
        --tags devel --destdir "$ABI_TMP/root" >"$ABI_TMP/install.log" 2>&1 ||
        { cat "$ABI_TMP/install.log" >&2; abi_fail "meson install --destdir failed"; }
    local pc
    pc=$(find "$ABI_TMP/root" -name careerops-plugin.pc | head -n 1)
    [ -n "$pc" ] || abi_fail "careerops-plugin.pc was not installed"
    export PKG_CONFIG_PATH="${pc%/*}"
    export PKG_CONFIG_LIBDIR="${pc%/*}" # no system .pc files
    # The .pc file names the configured prefix; the sysroot maps it into
    # the destdir (pkgconf prepends it to -I paths).
    export PKG_CONFIG_SYSROOT_DIR="$ABI_TMP/root"
    export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
    ABI_CFLAGS=$(pkg-config --cflags careerops-plugin) ||
        abi_fail "pkg-config --cflags careerops-plugin failed"
    case "$ABI_CFLAGS" in
    *"-I$ABI_TMP/root/"*) ;;
    *) abi_fail "pkg-config --cflags gave '$ABI_CFLAGS', not the installed headers under $ABI_TMP/root" ;;
    esac
}

abi_cleanup() {
    if [ -n "${ABI_HOST_PID:-}" ] && kill -0 "$ABI_HOST_PID" 2>/dev/null; then
        kill -KILL "$ABI_HOST_PID" 2>/dev/null
    fi
    if [ -n "${ABI_KEEP:-}" ]; then
        echo "kept $ABI_TMP" >&2
    else
        rm -rf "$ABI_TMP"
    fi
}

# The host's ABI version from the headers: sets ABI_MAJOR and ABI_MINOR.
abi_host_version() {
    local h="$CAREEROPS_SOURCE_ROOT/plugin-api/include/careerops/types.h"
    ABI_MAJOR=$(sed -n 's/^#define CO_ABI_MAJOR \([0-9]*\).*/\1/p' "$h")
    ABI_MINOR=$(sed -n 's/^#define CO_ABI_MINOR \([0-9]*\).*/\1/p' "$h")
    if [ -z "$ABI_MAJOR" ] || [ -z "$ABI_MINOR" ]; then
        abi_fail "cannot read CO_ABI_MAJOR/MINOR from $h"
    fi
}

# abi_host_ready: fail clearly if the careerops binary cannot run yet.
abi_host_ready() {
    : "${CAREEROPS_BIN:?run through meson test (CAREEROPS_BIN unset)}"
    [ -x "$CAREEROPS_BIN" ] || abi_fail "no host binary at $CAREEROPS_BIN"
    "$CAREEROPS_BIN" --help >/dev/null 2>&1 ||
        abi_fail "$CAREEROPS_BIN --help fails: the host is not usable yet"
}
