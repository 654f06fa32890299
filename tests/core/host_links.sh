#!/usr/bin/env bash
# The host binary links none of the libraries that belong to plugins or to
# optional services (issue 12, idle RSS): no GMime/GLib/ICU/libxml2/libical/
# gpgme (the mail library and the classifier live in plugins), no libcurl
# and no libpq (loaded on first use, core/lazylib.c).
set -eu
: "${CAREEROPS_BIN:?run through meson test}"
libs=$(ldd "$CAREEROPS_BIN")
bad=$(printf '%s\n' "$libs" | grep -E 'libgmime|libglib|libicu|libxml2|libical|libgpgme|libcurl|libpq|libstemmer' || true)
if [ -n "$bad" ]; then
    echo "FAIL: $CAREEROPS_BIN links:" >&2
    printf '%s\n' "$bad" >&2
    exit 1
fi
echo "ok: careerops links $(printf '%s\n' "$libs" | wc -l) libraries, none of GMime, GLib, ICU, libxml2, libical, gpgme, libcurl, libpq"
