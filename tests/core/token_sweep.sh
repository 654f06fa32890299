#!/usr/bin/env bash
# Control-token files of killed processes do not pile up: at start the host
# removes NAME-PID.token files whose PID is gone and that are older than a
# minute; a fresh one, a live process's one and other files stay.
. "$(dirname "$0")/../integration/lib.sh"
mkdir -m 700 xdg xdg/careerops
d=xdg/careerops
: > "$d/old-99999999.token"; touch -d '2 minutes ago' "$d/old-99999999.token"
: > "$d/fresh-99999998.token"
: > "$d/live-$$.token"; touch -d '2 minutes ago' "$d/live-$$.token"
: > "$d/notes.txt"; touch -d '2 minutes ago' "$d/notes.txt"
cat > m.json <<'J'
{"pipeline":"sweep","kafka":{"bootstrap.servers":"embedded"},"http":{"listen":"127.0.0.1:0"},
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
rc=0
XDG_RUNTIME_DIR="$T/xdg" timeout 60 "$B" run m.json --until-idle > out.txt 2> err.txt || rc=$?
[ "$rc" = 0 ] || fail "run exit $rc: $(tail -5 err.txt)"
[ ! -e "$d/old-99999999.token" ] || fail "stale token of a gone process left behind"
grep -q "removed .*old-99999999.token" err.txt || fail "no log line for the removed token: $(cat err.txt)"
for f in fresh-99999998.token "live-$$.token" notes.txt; do
    [ -e "$d/$f" ] || fail "$f was removed"
done
echo "ok: stale control tokens of gone processes are removed at start"
