#!/usr/bin/env bash
# trial 51: `demo.sh --imap` with a server that cannot be reached (a port
# that refuses connections) logged "reconnecting" until killed, though the
# demo ends once the mailbox is read. imap-source in a one-shot run
# (follow false) gives up after 4 attempts or its timeout_ms: the demo
# ends with exit 1 within seconds and says, in plain words, which server
# could not be reached and what to check.
. "$(dirname "$0")/lib.sh"
mkdir -m 700 "$T/secrets"
(umask 077 && echo not-checked > "$T/secrets/imap_password")
export CAREEROPS_DEMO_SECRETS=$T/secrets
# a loopback port nobody listens on: connections are refused
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=unreachable-$$
SCHEMAS+=("imap_$(printf '%s' "imaps://$user@127.0.0.1:$port/INBOX" | sha256sum | cut -c1-10)")
rc=0 t0=$SECONDS
timeout 120 bash "$SRC/scripts/demo.sh" --keep-db --no-slack --imap "imaps://$user@127.0.0.1:$port" \
    >"$T/out" 2>"$T/err" </dev/null || rc=$?
[ "$rc" = 1 ] || fail "exit $rc, not 1 (124: it never ended): $(tail -n 5 "$T/err")"
grep -q "cannot reach the IMAP server imaps://127.0.0.1:$port: Couldn't connect" "$T/err" ||
    fail "no reason: $(cat "$T/err")"
grep -q "check the host name and port of the URL" "$T/err" || fail "no hint: $(cat "$T/err")"
! grep -q '"level":' "$T/err" || fail "the log's JSON on stderr: $(cat "$T/err")"
ok "an unreachable IMAP server ends the demo in $((SECONDS - t0)) s: $(grep -m 1 'cannot reach' "$T/err" | cut -c1-120)"
