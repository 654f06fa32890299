# Helpers for the tests that start their own Apache Kafka with
# scripts/kafka.sh (suite kafka): on top of tests/integration/lib.sh, with
# the real binary in $B (these tests write manifests for a real broker).
# A machine that cannot fetch Kafka (no route to Maven Central) skips them.
unset CAREEROPS_TEST_BROKER
# shellcheck source=../integration/lib.sh
. "${CAREEROPS_SOURCE_ROOT:?run through meson test}/tests/integration/lib.sh"
KS="$CAREEROPS_SOURCE_ROOT/scripts/kafka.sh"
export CAREEROPS_KAFKA_DIR="$T/kafka"
kafka_cleanup() {
    bash "$KS" stop >/dev/null 2>&1 || true
    cleanup
}
trap kafka_cleanup EXIT
# a timeout (SIGTERM) stops the cluster too
trap "exit 143" TERM INT

# kafka_start ARGS...: scripts/kafka.sh start ARGS in $T/kafka, then its env.
kafka_start() {
    local rc=0 t0=$SECONDS
    bash "$KS" start "$@" >kafka-start.log 2>&1 || rc=$?
    if [ $rc = 77 ]; then
        grep -h 'SKIP' kafka-start.log | tail -n 1
        exit 77
    fi
    [ $rc = 0 ] || fail "kafka.sh start $*: $(tail -n 8 kafka-start.log)"
    eval "$(bash "$KS" env)"
    echo "kafka.sh start $* took $((SECONDS - t0)) s: $CAREEROPS_KAFKA_BOOTSTRAP"
}
