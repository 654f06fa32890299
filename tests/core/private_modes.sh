#!/usr/bin/env bash
# Files holding mail are the owner's only, whatever the umask (trial 5,
# defect 7): archive objects 0600 in 0700 folders (careerops archive put),
# a console-sink file (notifications, dead letters) created 0600.
. "$(dirname "$0")/../integration/lib.sh"
umask 022
export CAREEROPS_ARCHIVE="file://$T/store"
printf 'From: a@example.org\nSubject: hi\n\nhello\n' > m1.eml
"$B" archive init
"$B" archive put m1.eml > refs.json || fail "archive put: $(cat refs.json)"
h=$(sha256sum m1.eml | cut -c1-64)
obj=store/sha256/${h:0:2}/${h:2}
[ -f "$obj" ] || fail "no object at $obj: $(find store)"
[ "$(stat -c %a "$obj")" = 600 ] || fail "archive object mode $(stat -c %a "$obj"), want 600"
for d in store store/sha256 "store/sha256/${h:0:2}"; do
    [ "$(stat -c %a "$d")" = 700 ] || fail "archive folder $d mode $(stat -c %a "$d"), want 700"
done
cat > m.json <<'J'
{"pipeline":"modes","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":3}},
  {"name":"out","plugin":"console-sink","input":"a","config":{"path":"notifications.txt"}}]}
J
timeout 60 "$B" run m.json --until-idle > run.log 2>&1 || fail "run: $(tail -5 run.log)"
[ -s notifications.txt ] || fail "console-sink wrote nothing: $(tail -5 run.log)"
[ "$(stat -c %a notifications.txt)" = 600 ] ||
    fail "console-sink file mode $(stat -c %a notifications.txt), want 600"
ok "umask 022: archive object 600 in 700 folders, console-sink file 600"
