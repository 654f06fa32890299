# Shared by the S3 tests (bash, sourced): find or build SeaweedFS (`weed`,
# Apache-2.0) and start `weed server -s3` on loopback with one identity.
# The binary is cached in the build folder ($CAREEROPS_BUILD_ROOT/weed/weed)
# and for other checkouts in ~/.cache/careerops/weed-VERSION; it is built
# from the Go module proxy when missing from both (go on PATH). No Go or
# no proxy: the test skips (exit 77) and says why.
# Run directly, `bash tests/archive/weed.sh build BUILD_DIR` only builds it:
# scripts/test.sh does so in the background while it builds and runs the
# other tests; a test that needs weed meanwhile waits for that build (a
# lock in the weed folder) instead of compiling it a second time.
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
WEED=${CAREEROPS_WEED:-$CAREEROPS_BUILD_ROOT/weed/weed}
weed_find() {
    [ -x "$WEED" ] && return 0
    if ! command -v go > /dev/null; then
        echo "SKIP: no SeaweedFS at $WEED and no Go toolchain to build it" >&2
        exit 77
    fi
    local w=$CAREEROPS_BUILD_ROOT/weed
    mkdir -p "$w"
    # one build at a time: wait for one already running (scripts/test.sh's
    # background build) and use what it made
    exec 9> "$w/build.lock"
    if ! flock -n 9; then
        echo "waiting for the SeaweedFS build already running (lock $w/build.lock)" >&2
        flock 9
    fi
    if [ -x "$WEED" ]; then
        exec 9>&-
        return 0
    fi
    # a binary of this version another checkout on the machine built (a
    # fresh clone would otherwise compile SeaweedFS for minutes again)
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/careerops/weed-$WEED_VERSION
    if [ -x "$cache" ] && cp "$cache" "$WEED.tmp" && mv "$WEED.tmp" "$WEED"; then
        echo "SeaweedFS $WEED_VERSION from $cache" >&2
        exec 9>&-
        return 0
    fi
    echo "building SeaweedFS $WEED_VERSION from the Go module proxy (once)" >&2
    # go install refuses the module (its go.mod has replace directives):
    # download the module and build it as the main module instead.
    local dir
    if ! dir=$(go mod download -json "github.com/seaweedfs/seaweedfs@$WEED_VERSION" 2> "$w/download.log" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'); then
        echo "SKIP: the Go module proxy cannot be reached: $(tail -n 2 "$w/download.log")" >&2
        exit 77
    fi
    rm -rf "$w/src" && cp -r "$dir" "$w/src" && chmod -R u+w "$w/src"
    if ! (cd "$w/src" && go build -o "$WEED" ./weed) > "$w/build.log" 2>&1; then
        echo "SKIP: building SeaweedFS failed: $(tail -n 3 "$w/build.log")" >&2
        exit 77
    fi
    rm -rf "$w/src"
    # into the machine's cache (copy, then rename: never half a binary)
    mkdir -p "$(dirname "$cache")" && cp "$WEED" "$cache.$$" && mv "$cache.$$" "$cache" ||
        rm -f "$cache.$$"
    exec 9>&-
}
# weed_port_free PORT: nothing listens on 127.0.0.1:PORT.
weed_port_free() {
    ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}
# weed_start DIR: start the server with data in DIR; sets S3_PORT, WEED_PID.
# Every listener gets an explicit port from one block of 8 below the
# kernel's ephemeral range (32768-60999 on Debian): a port there can be
# held by any outgoing connection of a parallel test, and weed's defaults
# (gRPC on port+10000, Iceberg on 8181, Lance on 9101) collide between the
# two S3 tests that meson runs at the same time. A block with a port in use
# is skipped. Telemetry is off: no test sends traffic beyond loopback.
weed_start() {
    local d=$1 p ok
    mkdir -p "$d/data"
    if [ -z "${S3_PORT:-}" ]; then
        for _ in $(seq 1 50); do
            WEED_BASE=$((26000 + (RANDOM % 840) * 8))
            ok=1
            for p in $(seq "$WEED_BASE" $((WEED_BASE + 7))); do
                weed_port_free "$p" || { ok=0; break; }
            done
            [ "$ok" = 1 ] && break
        done
        S3_PORT=$((WEED_BASE + 3))
    fi
    cat > "$d/s3.json" <<J
{"identities":[{"name":"test","credentials":[{"accessKey":"careerops-test","secretKey":"careerops-test-secret"}],
 "actions":["Admin","Read","Write","List","Tagging"]}]}
J
    "$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$d/data" \
        -master.port=$WEED_BASE -volume.port=$((WEED_BASE + 1)) \
        -filer.port=$((WEED_BASE + 2)) -s3 -s3.port=$S3_PORT \
        -master.port.grpc=$((WEED_BASE + 4)) -volume.port.grpc=$((WEED_BASE + 5)) \
        -filer.port.grpc=$((WEED_BASE + 6)) -s3.port.grpc=$((WEED_BASE + 7)) \
        -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
        -s3.config="$d/s3.json" -volume.max=4 -master.volumeSizeLimitMB=64 \
        -volume.preStopSeconds=1 \
        > "$d/weed.log" 2>&1 &
    WEED_PID=$!
}
# weed_wait: until the S3 port answers (120 s at most: a loaded machine).
weed_wait() {
    for _ in $(seq 1 240); do
        if curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then return 0; fi
        kill -0 "$WEED_PID" 2> /dev/null || { tail -n 20 "$1/weed.log" >&2; return 1; }
        sleep 0.5
    done
    tail -n 20 "$1/weed.log" >&2
    return 1
}
# weed_stop: a graceful stop (its state kept for a restart on the same
# folder; -volume.preStopSeconds=1 above, not the 10 s default).
weed_stop() {
    [ -n "${WEED_PID:-}" ] || return 0
    kill "$WEED_PID" 2> /dev/null || true
    wait "$WEED_PID" 2> /dev/null || true
    WEED_PID=
}
# weed_kill: the end of a test (its folder is deleted next): SIGKILL, no
# graceful stop to wait for. WEED_PID is our own child, not yet waited for.
weed_kill() {
    [ -n "${WEED_PID:-}" ] || return 0
    kill -9 "$WEED_PID" 2> /dev/null || true
    wait "$WEED_PID" 2> /dev/null || true
    WEED_PID=
}
# weed_restart DIR: start again on the same ports and data (after
# weed_stop) and wait until S3 answers; a start that dies on the way (the
# embedded filer can panic while it re-checks its peers after a restart) is
# retried, at most 3 times. Earlier logs go to DIR/weed-prev.log.
weed_restart() {
    local i
    for i in 1 2 3; do
        [ -f "$1/weed.log" ] && cat "$1/weed.log" >> "$1/weed-prev.log"
        weed_start "$1"
        if weed_wait "$1"; then return 0; fi
        echo "SeaweedFS restart $i failed; starting it again" >&2
        weed_kill
    done
    return 1
}
# weed_up DIR: start and wait, on new ports up to 3 times (a port may be
# taken by another program meanwhile).
weed_up() {
    for _ in 1 2 3; do
        weed_start "$1"
        if weed_wait "$1" 2> "$1/wait.err"; then return 0; fi
        weed_kill
        S3_PORT=
        # a fresh start: a master that finds volumes it did not create
        # freezes volume growth ("after master state loss"), and every PUT
        # then fails with HTTP 500
        rm -rf "$1/data"
    done
    cat "$1/wait.err" >&2
    return 1
}

# `bash weed.sh build BUILD_DIR`: build (or find) the binary, then exit
# (0 built or found, 77 cannot be built, with the reason on stderr).
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = build ]; then
    CAREEROPS_BUILD_ROOT=$(realpath "${2:?usage: weed.sh build BUILD_DIR}")
    WEED=${CAREEROPS_WEED:-$CAREEROPS_BUILD_ROOT/weed/weed}
    weed_find
    echo "SeaweedFS: $WEED"
fi
