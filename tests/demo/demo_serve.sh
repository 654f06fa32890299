#!/usr/bin/env bash
# demo.sh --serve (trial 37): a dashboard port in use is an error (exit 1,
# the reason printed), not "serving" and exit 0; Ctrl-C, the documented
# way to stop the dashboard, ends with "dashboard stopped" and exit 0, not
# "interrupted" and 130.
. "$(dirname "$0")/lib.sh"
md=$T/Maildir
sample_maildir "$md" 3
SCHEMAS+=("$(schema_of "$md")")
# a port in use
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1); time.sleep(120)' "$port" &
holder=$!
sleep 0.5
rc=0
CAREEROPS_DASHBOARD_LISTEN=127.0.0.1:$port bash "$SRC/scripts/demo.sh" --keep-db --no-slack --serve \
    --mailbox "$md" --account "$(account_of "$md")" >"$T/busy.out" 2>"$T/busy.err" || rc=$?
kill "$holder" 2>/dev/null || true
[ "$rc" = 1 ] || fail "a busy port: exit $rc, want 1: $(tail -n 3 "$T/busy.err")"
grep -q "the dashboard stopped (exit [0-9]*): cannot listen on 127.0.0.1:$port (port in use?)" "$T/busy.err" ||
    fail "a busy port: $(tail -n 3 "$T/busy.err")"
ok "--serve on a port in use: exit 1, 'cannot listen ... (port in use?)'"
# Ctrl-C while serving (started with SIGINT at its default: a shell's
# background job ignores it)
rc=$(python3 - "$SRC/scripts/demo.sh" "$md" "$(account_of "$md")" "$T/serve.out" "$T/serve.err" <<'PY'
import signal, subprocess, sys, time
demo, md, acct, out, err = sys.argv[1:]
p = subprocess.Popen(["bash", demo, "--keep-db", "--no-slack", "--serve", "--mailbox", md,
                      "--account", acct], stdout=open(out, "w"), stderr=open(err, "w"),
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
for _ in range(600):
    if "serving the dashboard" in open(err).read():
        break
    time.sleep(0.1)
time.sleep(1)
p.send_signal(signal.SIGINT)
try:
    print(p.wait(timeout=30))
except subprocess.TimeoutExpired:
    p.kill()
    print("timeout")
PY
)
[ "$rc" = 0 ] || fail "Ctrl-C while serving: exit $rc, want 0: $(tail -n 3 "$T/serve.err")"
grep -q "dashboard stopped" "$T/serve.err" || fail "Ctrl-C: $(tail -n 3 "$T/serve.err")"
! grep -q "^interrupted" "$T/serve.err" || fail "Ctrl-C while serving said interrupted: $(tail -n 3 "$T/serve.err")"
ok "Ctrl-C stops the dashboard: 'dashboard stopped', exit 0"
