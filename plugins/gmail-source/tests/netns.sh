#!/bin/sh
# Run a command in a new network namespace (unprivileged: user + net) where
# the only interface is loopback, so any attempt to reach a non-loopback
# address fails at connect() instead of leaving the machine.
# usage: netns.sh COMMAND [ARG]...   (exit 77 = skipped when unavailable)
if ! unshare -rn true 2>/dev/null; then
    echo "SKIP: unshare -rn is not available here"
    exit 77
fi
exec unshare -rn sh -c 'ip link set lo up 2>/dev/null || true; exec "$@"' sh "$@"
