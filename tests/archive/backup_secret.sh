#!/usr/bin/env bash
# trial 45: the password of --dsn never reaches a command line or an error.
# backup and restore ran `pg_dump -d DSN` / `pg_restore -d DSN`, readable
# by every local user in /proc/PID/cmdline: a pg_dump and a pg_restore
# earlier on PATH record their argv and PGPASSWORD, which holds it instead.
# An ambiguous URI (an unencoded '@' or '/' in the password, which libpq
# splits into a host name it prints) is refused before anything connects,
# by backup, restore and applications (exit 2). The restore half needs the
# throwaway PostgreSQL (CAREEROPS_TEST_PG) and is skipped without it.
# trial 51: no setting at all on their command line (a password in a
# URI's path went there as part of the database name): the environment
# (PGHOST ...) or the private service file; a setting inside another's
# value is refused.
. "$(dirname "$0")/../common/cli.sh"
mkdir bin
for p in pg_dump pg_restore; do
    cat > "bin/$p" <<SH
#!/bin/sh
printf '%s\n' "\$@" > "$t/$p.argv"
printf '%s\n' "\${PGPASSWORD-unset}" > "$t/$p.pw"
env | grep '^PG' | sort > "$t/$p.env"
echo \$\$ > "$t/$p.pid.new" && mv "$t/$p.pid.new" "$t/$p.pid"
if [ -n "\${PGSERVICEFILE-}" ]; then
    { stat -c %a "\$PGSERVICEFILE"; cat "\$PGSERVICEFILE"; echo "\$PGSERVICEFILE"; } > "$t/$p.svc.new"
    mv "$t/$p.svc.new" "$t/$p.svc" # whole when the test sees it
fi
[ -z "\${SLEEP-}" ] || exec sleep "\$SLEEP"
[ -z "\${LATEERR-}" ] || { sleep 0.5; echo "pg_dump: error: connection refused" >&2; exit 1; }
if [ -n "\${ECHOPW-}" ]; then
    echo "pg_dump: error: database \"db password=\$PGPASSWORD\" does not exist" >&2; exit 1
fi
case \$1 in -Fc) shift 3; printf 'dump\n' > "\$1" ;; esac
SH
    chmod +x "bin/$p"
done
A=(--archive "file://$t/archive")
"$B" archive init "${A[@]}" > /dev/null 2>&1 || true

# an ambiguous URI: refused, nothing of the password printed
for dsn in 'postgresql://alice:p@ss@127.0.0.1:1/careerops' 'postgresql://alice:pa/ss@127.0.0.1:1/careerops'; do
    for cmd in "backup" "restore latest" "applications"; do
        arch=("${A[@]}")
        [ "$cmd" != applications ] || arch=()
        # shellcheck disable=SC2086
        PATH=$t/bin:$PATH expect 2 "the connection string.*percent-encode" "$cmd --dsn $dsn" \
            "$B" $cmd --dsn "$dsn" "${arch[@]}"
        ! grep -Eq 'ss@|"pa"|could not translate' err.txt || fail "$cmd: $(cat err.txt)"
    done
    CAREEROPS_STATE=$dsn PATH=$t/bin:$PATH expect 2 "CAREEROPS_STATE.*percent-encode" \
        "backup with CAREEROPS_STATE" "$B" backup "${A[@]}"
done
[ ! -e pg_dump.argv ] || fail "pg_dump ran for an ambiguous URI"
echo "ok: backup, restore and applications refuse an ambiguous URI before connecting"

# backup: the password in PGPASSWORD, not in pg_dump's arguments
for dsn in 'postgresql://alice:S3cretPW@127.0.0.1:1/careerops?sslmode=disable' \
    "host=127.0.0.1 port=1 user=alice password='S3cret PW' dbname=careerops"; do
    PATH=$t/bin:$PATH "$B" backup --dsn "$dsn" "${A[@]}" > out.txt 2> err.txt ||
        fail "backup with a fake pg_dump: $(cat err.txt)"
    ! grep -q S3cret pg_dump.argv || fail "pg_dump's argv holds the password: $(cat pg_dump.argv)"
    grep -Eq "^S3cret ?PW$" pg_dump.pw || fail "PGPASSWORD: $(cat pg_dump.pw)"
    # trial 51: no setting on the command line at all, each in its
    # variable (-d "": libpq reads them from there)
    [ "$(tail -n 2 pg_dump.argv | tr '\n' ' ')" = "-d  " ] || fail "pg_dump -d: $(cat pg_dump.argv)"
    grep -qx PGHOST=127.0.0.1 pg_dump.env && grep -qx PGPORT=1 pg_dump.env &&
        grep -qx PGUSER=alice pg_dump.env && grep -qx PGDATABASE=careerops pg_dump.env ||
        fail "pg_dump's environment: $(cat pg_dump.env)"
done
echo "ok: backup gives pg_dump the connection in its environment, not its argv"

# trial 51: a password in a URI's path (libpq reads the database name "db
# password=pw", and it went on pg_dump's command line) or another setting
# inside a value is refused, the value not printed
rm -f pg_dump.argv
for dsn in 'postgresql://postgres@127.0.0.1:1/careerops password=PW51SECRET' \
    'postgresql://postgres@127.0.0.1:1/careerops&sslpassword=PW51SECRET' \
    "host=127.0.0.1 dbname='careerops password=PW51SECRET'" \
    "host=127.0.0.1 user='alice password=PW51SECRET' dbname=x" \
    "host=127.0.0.1 application_name='x Password=PW51SECRET'" \
    "host=127.0.0.1 options='-c a=b password=PW51SECRET'"; do
    for cmd in backup "restore latest"; do
        # shellcheck disable=SC2086
        PATH=$t/bin:$PATH expect 2 'holds "(ssl)?password=", which libpq reads as part of' \
            "$cmd --dsn $dsn" "$B" $cmd --dsn "$dsn" "${A[@]}"
        ! grep -q PW51SECRET err.txt || fail "$cmd: the password printed: $(cat err.txt)"
    done
done
PATH=$t/bin:$PATH expect 2 'database name holds "sslmode="' "a setting in the database name" \
    "$B" backup --dsn "host=127.0.0.1 dbname='x sslmode=require'" "${A[@]}"
[ ! -e pg_dump.argv ] || fail "pg_dump ran for a refused connection string"
# options keep their `-c name=value`
PATH=$t/bin:$PATH "$B" backup --dsn "host=127.0.0.1 port=1 options='-c application_name=x -c search_path=s'" \
    "${A[@]}" > out.txt 2> err.txt || fail "backup with options: $(cat err.txt)"
grep -qx "PGOPTIONS=-c application_name=x -c search_path=s" pg_dump.env || fail "PGOPTIONS: $(cat pg_dump.env)"
echo "ok: a password or a setting inside a database name or another value is refused"

# trial 48: sslpassword (a client key's password) went in pg_dump's argv;
# libpq has no environment variable for it: a private service file holds it
PATH=$t/bin:$PATH "$B" backup --dsn "host=127.0.0.1 port=1 user=alice sslpassword=SSLKEY48 dbname=careerops" \
    "${A[@]}" > out.txt 2> err.txt || fail "backup with sslpassword: $(cat err.txt)"
! grep -q SSLKEY48 pg_dump.argv || fail "pg_dump's argv holds the sslpassword: $(cat pg_dump.argv)"
[ "$(tail -n 1 pg_dump.argv)" = service=careerops ] || fail "pg_dump -d names no service: $(cat pg_dump.argv)"
[ "$(sed -n 1p pg_dump.svc)" = 600 ] || fail "service file mode: $(cat pg_dump.svc)"
grep -qx "sslpassword=SSLKEY48" pg_dump.svc || fail "service file: $(cat pg_dump.svc)"
[ ! -e "$(tail -n 1 pg_dump.svc)" ] || fail "the service file is left behind: $(tail -n 1 pg_dump.svc)"
PATH=$t/bin:$PATH expect 2 "names a service and sets sslpassword" "backup service= and sslpassword" \
    "$B" backup --dsn "service=x sslpassword=SSLKEY48" "${A[@]}"
! grep -q SSLKEY48 err.txt || fail "the sslpassword printed: $(cat err.txt)"
# the other settings libpq reads from no variable go in the file too
PATH=$t/bin:$PATH "$B" backup --dsn "host=127.0.0.1 port=1 keepalives_idle=30 dbname=x" \
    "${A[@]}" > out.txt 2> err.txt || fail "backup with keepalives_idle: $(cat err.txt)"
grep -qx "keepalives_idle=30" pg_dump.svc || fail "service file: $(cat pg_dump.svc)"
[ "$(tail -n 1 pg_dump.argv)" = service=careerops ] || fail "pg_dump -d: $(cat pg_dump.argv)"
# trial 49 / 48: spaces around it are refused (libpq strips them from a
# service file); a signal during pg_dump removes the service file and the
# dump, stops pg_dump and ends backup by that signal (trial 51: SIGPIPE,
# SIGQUIT, SIGUSR1 ... left them; env --default-signal: bash starts a
# background job with SIGINT and SIGQUIT ignored, which backup keeps so)
PATH=$t/bin:$PATH expect 2 "begins or ends with white space" "backup sslpassword with spaces" \
    "$B" backup --dsn "host=127.0.0.1 sslpassword=' SSLKEY48 '" "${A[@]}"
# a process that runs (gone, or a zombie that init has yet to reap: no)
running() { [ -e "/proc/$1" ] && [ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2> /dev/null)" != Z ]; }
for sig in TERM INT HUP QUIT PIPE USR1 USR2 ALRM; do
    rm -f pg_dump.svc pg_dump.argv pg_dump.pid
    SLEEP=30 PATH=$t/bin:$PATH env --default-signal "$B" backup --dsn "host=127.0.0.1 port=1 sslpassword=SSLKEY48 dbname=x" \
        "${A[@]}" > out.txt 2> err.txt &
    pid=$!
    for _ in $(seq 100); do [ -s pg_dump.svc ] && break; sleep 0.1; done
    [ -s pg_dump.svc ] || fail "SIG$sig: pg_dump did not start"
    kill -$sig $pid
    rc=0; wait $pid || rc=$?
    [ $rc -gt 128 ] || fail "SIG$sig: backup exited $rc"
    svc=$(tail -n 1 pg_dump.svc); dump=$(sed -n 4p pg_dump.argv)
    [ ! -e "$svc" ] && [ ! -e "$(dirname "$svc")" ] || fail "SIG$sig: the service file is left: $svc"
    [ ! -e "$dump" ] || fail "SIG$sig: the dump file is left: $dump"
    for _ in $(seq 50); do running "$(cat pg_dump.pid)" || break; sleep 0.1; done
    ! running "$(cat pg_dump.pid)" || fail "SIG$sig: pg_dump runs on"
done
# `backup 2>&1 | true`: its first message ends it by SIGPIPE, files removed
rm -f pg_dump.svc pg_dump.argv
set +e
LATEERR=1 PATH=$t/bin:$PATH "$B" backup --dsn "host=127.0.0.1 port=1 sslpassword=SSLKEY48 dbname=x" \
    "${A[@]}" 2>&1 | true
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 141 ] || fail "backup | true exited $rc, not 141 (SIGPIPE)"
svc=$(tail -n 1 pg_dump.svc); dump=$(sed -n 4p pg_dump.argv)
[ ! -e "$svc" ] && [ ! -e "$(dirname "$svc")" ] || fail "SIGPIPE: the service file is left: $svc"
[ ! -e "$dump" ] || fail "SIGPIPE: the dump file is left: $dump"
echo "ok: backup gives pg_dump the sslpassword in a private service file, not its argv; a signal removes it"
# trial 50: pg_dump's own error that quotes the password is shown with
# ***; a port that is no number (a password after the host) is refused
ECHOPW=1 PATH=$t/bin:$PATH "$B" backup --dsn "host=127.0.0.1 port=1 password=ECHO50PW dbname=x" \
    "${A[@]}" > out.txt 2> err.txt && fail "backup passed with a failing pg_dump"
grep -q 'database "db password=\*\*\*" does not exist' err.txt || fail "pg_dump's error: $(cat err.txt)"
grep -q ECHO50PW err.txt && fail "pg_dump's error shows the password: $(cat err.txt)"
PATH=$t/bin:$PATH expect 2 "a port that is no number" "backup with a password as the port" \
    "$B" backup --dsn "postgresql://127.0.0.1:PORT50PW/db" "${A[@]}"
grep -q PORT50PW err.txt && fail "the port-password printed: $(cat err.txt)"
echo "ok: pg_dump's errors show *** for the password; a port that is no number is refused"

[ -n "${CAREEROPS_TEST_PG:-}" ] || { echo "SKIP (restore half): no CAREEROPS_TEST_PG"; exit 0; }
db=careerops_secret_$$
psql "$CAREEROPS_TEST_PG" -Xq -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" > /dev/null
trap 'psql "$CAREEROPS_TEST_PG" -Xq -c "DROP DATABASE IF EXISTS $db" > /dev/null 2>&1; rm -rf "$t"' EXIT
# the throwaway server trusts its socket: the password is carried, not checked
dsn="$CAREEROPS_TEST_PG dbname=$db password=S3cretPW"
PATH=$t/bin:$PATH "$B" restore latest --dsn "$dsn" "${A[@]}" > out.txt 2> err.txt ||
    fail "restore with a fake pg_restore: $(cat err.txt)"
! grep -q S3cret pg_restore.argv || fail "pg_restore's argv holds the password: $(cat pg_restore.argv)"
grep -qx S3cretPW pg_restore.pw || fail "PGPASSWORD: $(cat pg_restore.pw)"
grep -qx "PGDATABASE=$db" pg_restore.env || fail "pg_restore's environment: $(cat pg_restore.env)"
[ "$(sed -n 3,4p pg_restore.argv | tr '\n' ' ')" = "-d  " ] || fail "pg_restore -d: $(cat pg_restore.argv)"
# the real pg_dump reads the same: a backup of the empty database
"$B" backup --dsn "$dsn" "${A[@]}" > out.txt 2> err.txt || fail "backup with pg_dump: $(cat err.txt)"
echo "ok: restore gives pg_restore the password in its environment; pg_dump connects so"
