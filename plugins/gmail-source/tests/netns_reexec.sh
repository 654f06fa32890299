# Sourced first by the gmail shell tests: run the test again inside a
# network namespace with only loopback when the kernel allows it (no
# address but 127.0.0.1 is reachable at all); else as is, with the
# loopback guard (CAREEROPS_LOOPBACK_ONLY=1). Uses the caller's $0 and "$@".
if [ -z "${GMAIL_IN_NETNS:-}" ] && unshare -rn true 2>/dev/null; then
    export GMAIL_IN_NETNS=1
    exec "$(cd "$(dirname "$0")" && pwd)/netns.sh" "$0" "$@"
fi
