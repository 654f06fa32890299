#!/usr/bin/env bash
# Trial 43, fault 3: a PostgreSQL conninfo that libpq cannot parse (a raw %
# in a URI's password, a space in a key=value password) showed its
# password in libpq's quoted words: validate, run, serve (at start and at
# every request), relabel --conninfo, applications --dsn. Each says what is
# wrong without any of the value now. No PostgreSQL needed.
. "$(dirname "$0")/../integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
mkdir -p secrets
printf 'postgresql://app:my%%pa55w0rdSECRET@127.0.0.1:5432/careerops' > secrets/pg_url
printf "host=127.0.0.1 password=Secr3tPart Tail9x dbname=x" > secrets/pg_kv
secret_in() { grep -l -e pa55w0rd -e SECRET -e Secr3t -e Tail9x "$@" 2>/dev/null; }
for sec in pg_url pg_kv; do
    case $sec in
        pg_url) says='check the percent-encoding in the URI (a % in a password is written %25)' ;;
        pg_kv) says='put a value that holds a space in single quotes' ;;
    esac
    cat > "$sec.json" <<J
{"pipeline":"pgred","kafka":{"bootstrap.servers":"embedded"},"secrets_dir":"secrets",
 "stages":[{"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"\${secret:$sec}","schema":"s","tables":["emails"]}}]}
J
    rc=0; "$B" validate "$sec.json" > "v-$sec.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] && grep -qF "$says" "v-$sec.out" || fail "validate $sec: exit $rc: $(cat "v-$sec.out")"
    rc=0; timeout 20 "$B" run "$sec.json" > "r-$sec.out" 2>&1 || rc=$?
    grep -qF "$says" "r-$sec.out" || fail "run $sec: exit $rc: $(cat "r-$sec.out")"
    "$B" serve "$sec.json" --listen 127.0.0.1:0 > "s-$sec.out" 2> "s-$sec.log" & SP=$!; PIDS+=($SP)
    for _ in $(seq 100); do grep -q http "s-$sec.out" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[0-9.:]*/' "s-$sec.out") || fail "serve $sec: $(cat "s-$sec.log")"
    tok=$(grep -o '#token=[0-9a-f]*' "s-$sec.out" | cut -d= -f2)
    c=$(curl -s -o "a-$sec.json" -w '%{http_code}' -H "Authorization: Bearer $tok" "${url}api/applications")
    [ "$c" = 503 ] || fail "serve $sec: /api/applications $c: $(cat "a-$sec.json")"
    kill "$SP"; wait "$SP" 2>/dev/null || true
    [ "$(grep -cF "$says" "s-$sec.log")" -ge 2 ] ||
        fail "serve $sec: no WARN at start and at the request saying why: $(cat "s-$sec.log")"
    rc=0; "$B" relabel --conninfo "$(cat "secrets/$sec")" --list > "l-$sec.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] && grep -qF "$says" "l-$sec.out" || fail "relabel --conninfo $sec: exit $rc: $(cat "l-$sec.out")"
    rc=0; "$B" applications --dsn "$(cat "secrets/$sec")" > "p-$sec.out" 2>&1 || rc=$?
    [ "$rc" != 0 ] && grep -qF "$says" "p-$sec.out" || fail "applications --dsn $sec: exit $rc: $(cat "p-$sec.out")"
done
leaks=$(secret_in ./*.out ./*.log ./*.json --exclude='pg_*.json' | grep -v '^./pg_' || true)
[ -z "$leaks" ] || fail "a piece of the password in: $leaks: $(cat $leaks | grep -e pa55 -e SECRET -e Secr3t -e Tail9x | head -3)"
ok "a conninfo libpq cannot parse (raw % in a URI password, a space in a key=value one): validate, run, serve (start and request), relabel --conninfo, applications --dsn say why without the value"
