#!/usr/bin/env bash
# Throwaway PostgreSQL for tests, CI and demos.
#
#   bash scripts/pg.sh start    # install if missing, initdb once, start
#   eval "$(bash scripts/pg.sh env)"
#   bash scripts/pg.sh status
#   bash scripts/pg.sh stop     # fast shutdown
#
# The cluster lives in .pgdata/ of the checkout (override: CAREEROPS_PG_DIR),
# owned by the `postgres` user when run as root (the server refuses root).
# It listens on a Unix socket in that folder and on 127.0.0.1 at a free port
# (the first free one from CAREEROPS_PG_PORT, default 55432; kept in
# .pgdata/port so a restart uses the same one, unless CAREEROPS_PG_PORT is
# set to another). Authentication is `trust`:
# the server is a loopback-only throwaway, never a real database.
# Database `careerops`, superuser `postgres`. `start` is idempotent.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${CAREEROPS_PG_DIR:-$root/.pgdata}
# an existing cluster folder (possibly a link into /tmp): use its real path
if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd -P); fi
db=careerops
user=postgres

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bindir() {
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

ensure_installed() {
    bindir=$(find_bindir || true)
    if [ -z "$bindir" ]; then
        [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run as root or: apt-get install postgresql"
        echo "pg.sh: installing the Debian package postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bindir=$(find_bindir) || die "postgresql installed but no initdb found"
    fi
}

# Run a server-side command as the cluster owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        # from /, since the caller's folder may be closed to that user
        (cd / && runuser -u "$user" -- "$@")
    else
        "$@"
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
    local p=${CAREEROPS_PG_PORT:-55432} i
    for ((i = 0; i < 200; i++)); do
        if ! port_busy "$p"; then echo "$p"; return 0; fi
        p=$((p + 1))
    done
    die "no free port from ${CAREEROPS_PG_PORT:-55432} on"
}

# Create $dir (postgres-owned when root). If the cluster owner cannot reach
# the checkout (e.g. a home folder with mode 700), keep the data in /tmp and
# make $dir a symbolic link to it.
make_dir() {
    [ -e "$dir" ] && return 0
    local parent
    parent=$(dirname "$dir")
    mkdir -p "$parent"
    if [ "$(id -u)" = 0 ] && ! runuser -u "$user" -- test -x "$parent"; then
        local real
        real=$(mktemp -d "${TMPDIR:-/tmp}/careerops-pg.XXXXXX")
        ln -s "$real" "$dir"
    else
        mkdir -p "$dir"
    fi
    if [ "$(id -u)" = 0 ]; then chown "$user:" "$dir/"; fi
    chmod 755 "$dir/"
    echo '*' >"$dir/.gitignore"
}

running() { [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

# libpq keyword form; the socket folder is quoted (it may contain spaces).
conninfo_socket() {
    local h
    h=$(cd "$dir" && pwd -P | sed -e "s/[\\']/\\\\&/g")
    echo "host='$h' port=$(cat "$dir/port") dbname=$db user=$user"
}
# The URI names the cluster's own Unix socket folder, not 127.0.0.1: a
# pipeline left running after `stop` must not reconnect to whichever server
# takes the freed port next (another checkout's cluster; trial 13). The
# folder is percent-encoded (RFC 3986) as libpq's `host` parameter.
conninfo_uri() {
    local h c out="" i LC_ALL=C
    h=$(cd "$dir" && pwd -P)
    for ((i = 0; i < ${#h}; i++)); do
        c=${h:i:1}
        case $c in
        [A-Za-z0-9/._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    echo "postgresql://$user@/$db?host=$out&port=$(cat "$dir/port")"
}

cmd_start() {
    ensure_installed
    id "$user" >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || die "user $user missing (the postgresql package creates it)"
    make_dir
    # from here on, the real folder: when the checkout sits under a folder
    # the postgres user cannot enter (root's home, mktemp -d), .pgdata is a
    # link to a folder in /tmp, and the server must be given that path
    dir=$(cd "$dir" && pwd -P)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    if running; then
        echo "pg.sh: already running: $(conninfo_socket)" >&2
    else
        local port
        if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(pick_port); fi
        if [ -n "${CAREEROPS_PG_PORT:-}" ] && [ "$port" != "$CAREEROPS_PG_PORT" ]; then
            # asked for by name: not the port an earlier start saved (trial
            # 80: CAREEROPS_PG_PORT=55466 started on the demo's 55432)
            echo "pg.sh: CAREEROPS_PG_PORT=$CAREEROPS_PG_PORT: the cluster in $dir listened on $port before; starting it on the first free port from $CAREEROPS_PG_PORT" >&2
            port=$(pick_port)
        fi
        if port_busy "$port"; then
            # the data stays; only the address changes (`env` reads the file)
            echo "pg.sh: port $port (from $dir/port) is taken by another program; using another" >&2
            port=$(pick_port)
        fi
        local sockdir try
        sockdir=$(cd "$dir" && pwd -P)
        # A port free when probed can be taken before the server binds it
        # (another test's server, or an outgoing connection when the port
        # lies in the kernel's ephemeral range): then the next free one.
        for try in 1 2 3 4 5; do
            echo "$port" >"$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
            if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sockdir' -c fsync=off -c max_connections=200" \
                start >/dev/null; then
                break
            fi
            if [ "$try" -lt 5 ] && tail -n 5 "$dir/server.log" | grep -q "could not create listen socket\|Address already in use"; then
                echo "pg.sh: port $port was taken as the server started; trying another" >&2
                port=$(CAREEROPS_PG_PORT=$((port + 1)) pick_port)
                continue
            fi
            tail -n 20 "$dir/server.log" >&2
            die "server did not start"
        done
    fi
    local have
    have=$("$bindir/psql" "$(conninfo_socket) dbname=postgres" -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'")
    if [ "$have" != 1 ]; then
        "$bindir/psql" "$(conninfo_socket) dbname=postgres" -Xqc "CREATE DATABASE $db" >/dev/null
    fi
    conninfo_socket
}

cmd_stop() {
    bindir=$(find_bindir || true)
    if [ -z "$bindir" ] || [ ! -f "$dir/data/PG_VERSION" ]; then
        echo "pg.sh: no cluster in $dir" >&2
        return 0
    fi
    if running; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
        echo "pg.sh: stopped" >&2
    else
        echo "pg.sh: not running" >&2
    fi
}

cmd_status() {
    bindir=$(find_bindir || true)
    if [ -z "$bindir" ] || [ ! -f "$dir/data/PG_VERSION" ]; then
        echo "pg.sh: no cluster in $dir"
        return 3
    fi
    if running; then echo "running: $(conninfo_socket)"; else echo "stopped: $(conninfo_socket)"; return 3; fi
}

cmd_env() {
    [ -f "$dir/port" ] || die "no cluster in $dir: run 'bash scripts/pg.sh start' first"
    bindir=$(find_bindir || true)
    # the variables are printed all the same (a later start keeps the port)
    if [ -n "$bindir" ] && ! running; then
        echo "pg.sh: the cluster in $dir is stopped: these variables point at no server until 'bash scripts/pg.sh start'" >&2
    fi
    printf 'export CAREEROPS_TEST_PG=%q\n' "$(conninfo_socket)"
    printf 'export CAREEROPS_STATE=%q\n' "$(conninfo_uri)"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*) echo "usage: bash scripts/pg.sh start|stop|status|env" >&2; exit 2 ;;
esac
