#!/usr/bin/env bash
# A throwaway Chroma server for the tests (chroma-sink, `careerops ask`),
# like scripts/pg.sh for PostgreSQL.
#
#   bash scripts/chroma.sh install   # virtual environment + pip install chromadb
#   bash scripts/chroma.sh start     # install if missing, start, wait for the heartbeat
#   eval "$(bash scripts/chroma.sh env)"   # CAREEROPS_CHROMA_URL=http://127.0.0.1:PORT
#   bash scripts/chroma.sh status
#   bash scripts/chroma.sh stop      # stops only the server this script started
#
# The virtual environment is .chroma/venv in the checkout (override:
# CAREEROPS_CHROMA_VENV), made with Debian's python3-venv, with chromadb
# pinned to CHROMADB_VERSION from PyPI. The server's data, log, pid and
# port are in .chroma/run (override: CAREEROPS_CHROMA_RUN). It listens on
# 127.0.0.1 only, at the first free port from CAREEROPS_CHROMA_PORT
# (default 58000), with telemetry off.
#
# Exit status: 0; 1 on an error; 3 when chromadb cannot be installed
# (PyPI unreachable: CI may have Debian's mirror only), so that callers
# can skip instead of failing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${CAREEROPS_CHROMA_VENV:-$root/.chroma/venv}
run=${CAREEROPS_CHROMA_RUN:-$root/.chroma/run}
version=${CHROMADB_VERSION:-1.5.9}
# Chroma's own telemetry (posthog) stays off: nothing leaves loopback.
export ANONYMIZED_TELEMETRY=False CHROMA_TELEMETRY=False

die() { echo "chroma.sh: $*" >&2; exit 1; }
unavailable() { echo "chroma.sh: $*" >&2; exit 3; }

ensure_venv_module() {
    /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "python3-venv is missing: apt-get install python3-venv"
    echo "chroma.sh: installing the Debian package python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq python3-venv >&2 ||
        { apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2; } ||
        die "could not install python3-venv"
}

installed() {
    [ -x "$venv/bin/chroma" ] &&
        [ "$("$venv/bin/python" -c 'import chromadb; print(chromadb.__version__)' 2>/dev/null)" = "$version" ]
}

cmd_install() {
    installed && return 0
    ensure_venv_module
    mkdir -p "$(dirname "$venv")"
    [ -f "$(dirname "$venv")/.gitignore" ] || echo '*' >"$(dirname "$venv")/.gitignore"
    [ -x "$venv/bin/pip" ] || /usr/bin/python3 -m venv "$venv" || die "python3 -m venv $venv failed"
    echo "chroma.sh: pip install chromadb==$version into $venv (about 450 MB, a few minutes)" >&2
    local log=$venv/pip-install.log
    if ! "$venv/bin/pip" install --disable-pip-version-check --timeout 20 --retries 2 \
        "chromadb==$version" >"$log" 2>&1; then
        tail -n 5 "$log" >&2
        unavailable "pip install chromadb==$version failed (is PyPI reachable? full log: $log)"
    fi
    installed || die "chromadb $version installed but $venv/bin/chroma does not run"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
    local p=${CAREEROPS_CHROMA_PORT:-58000} i
    for ((i = 0; i < 200; i++)); do
        if ! port_busy "$p"; then echo "$p"; return 0; fi
        p=$((p + 1))
    done
    die "no free port from ${CAREEROPS_CHROMA_PORT:-58000} on"
}

url() { echo "http://127.0.0.1:$(cat "$run/port")"; }

heartbeat() { curl -sf --max-time 2 "$(url)/api/v2/heartbeat" 2>/dev/null | grep -q 'nanosecond heartbeat'; }

running() {
    [ -f "$run/pid" ] && [ -f "$run/port" ] && kill -0 "$(cat "$run/pid")" 2>/dev/null
}

cmd_start() {
    command -v curl >/dev/null || die "curl is missing: apt-get install curl"
    cmd_install
    mkdir -p "$run"
    if running && heartbeat; then
        echo "chroma.sh: already running at $(url)" >&2
        return 0
    fi
    local port
    port=$(pick_port)
    echo "$port" >"$run/port"
    # setsid: its own process group, so that stop ends the server and its
    # children and nothing else
    setsid "$venv/bin/chroma" run --path "$run/data" --host 127.0.0.1 --port "$port" \
        >"$run/server.log" 2>&1 </dev/null &
    echo $! >"$run/pid"
    local i
    for ((i = 0; i < 600; i++)); do
        heartbeat && { echo "chroma.sh: Chroma $version at $(url) (data $run/data)" >&2; return 0; }
        kill -0 "$(cat "$run/pid")" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$run/server.log" >&2
    cmd_stop >/dev/null 2>&1 || true
    die "the server did not answer $(url)/api/v2/heartbeat within 60 s (log: $run/server.log)"
}

cmd_stop() {
    [ -f "$run/pid" ] || { echo "chroma.sh: not running" >&2; return 0; }
    local pid i
    pid=$(cat "$run/pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$run/pid"
    echo "chroma.sh: stopped" >&2
}

cmd_env() {
    running || die "not running (bash scripts/chroma.sh start)"
    echo "export CAREEROPS_CHROMA_URL=$(url)"
}

cmd_status() {
    if running && heartbeat; then echo "running at $(url)"; else echo "not running"; return 1; fi
}

case ${1:-} in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
env) cmd_env ;;
status) cmd_status ;;
*) echo "usage: bash scripts/chroma.sh install|start|stop|env|status" >&2; exit 2 ;;
esac
