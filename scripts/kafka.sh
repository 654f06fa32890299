#!/usr/bin/env bash
# Throwaway Apache Kafka (4.x, KRaft) for tests, CI and benchmarks.
#
#   bash scripts/kafka.sh start [--brokers 1|3] [--sasl]
#   eval "$(bash scripts/kafka.sh env)"   # CAREEROPS_KAFKA_BOOTSTRAP=...
#   bash scripts/kafka.sh status
#   bash scripts/kafka.sh stop-broker N | kill-broker N | start-broker N  # failover
#   bash scripts/kafka.sh stop            # stops only what it started
#   bash scripts/kafka.sh offsets | groups | read TOPIC  # diagnostics
#
# Kafka comes from Maven (org.apache.kafka:kafka_2.13 and its runtime
# dependencies, with slf4j-simple for the log) into .kafka/lib-VERSION of the
# checkout (CAREEROPS_KAFKA_LIB), fetched once and reused; Java 17 and Maven
# are installed from Debian when missing. When the fetch fails (no route to
# Maven Central), `start` exits 77 with one line saying so, so that tests
# can skip. The cluster lives in CAREEROPS_KAFKA_DIR (default .kafka/):
# data-N/ (KRaft storage of broker N), broker-N.properties, broker-N.log,
# broker-N.pid, ports.
#
# Each broker runs in KRaft combined mode (broker and controller in one JVM,
# -Xmx384m by default: CAREEROPS_KAFKA_HEAP) on free loopback ports from
# CAREEROPS_KAFKA_PORT on (default: a port from 10000 to 32660, below the
# ephemeral range, derived from
# the cluster folder), claimed machine-wide (take_port). Listeners of N:
#   PLAINTEXT://127.0.0.1:P   clients (and, in --sasl mode, brokers + tools)
#   CONTROLLER://127.0.0.1:C  the KRaft quorum (static voters 1..n)
#   SASL_SSL://127.0.0.1:S    --sasl only: TLS (certificate for 127.0.0.1 and
#                             localhost, signed by the script's own CA) and
#                             SCRAM-SHA-512, user `careerops`, whose password
#                             (random, made at format time with
#                             `kafka-storage format --add-scram`) is in
#                             .kafka/sasl/password
# Topics: auto-creation on, default replication factor n, and with 3 brokers
# min.insync.replicas 2 (the internal topics likewise).
# `env` prints CAREEROPS_KAFKA_BOOTSTRAP (the SASL_SSL listeners in --sasl
# mode, and then CAREEROPS_KAFKA_PLAIN_BOOTSTRAP, CAREEROPS_KAFKA_SASL_USER,
# CAREEROPS_KAFKA_SASL_PASSWORD_FILE, CAREEROPS_KAFKA_CA).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${CAREEROPS_KAFKA_DIR:-$root/.kafka}
version=${CAREEROPS_KAFKA_VERSION:-4.4.0}
lib=${CAREEROPS_KAFKA_LIB:-$root/.kafka/lib-$version}
heap=${CAREEROPS_KAFKA_HEAP:-384m}
user=careerops

die() { echo "kafka.sh: $*" >&2; exit 1; }
skip() { echo "kafka.sh: SKIP: $*" >&2; exit 77; }

apt_install() {
    [ "$(id -u)" = 0 ] || die "$1 is missing; run as root or: apt-get install $2"
    echo "kafka.sh: installing the Debian package $2" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends "$2" >&2 || die "apt-get install $2 failed"
}

ensure_java() {
    command -v java >/dev/null || apt_install java openjdk-17-jre-headless
}

# Fetch the broker's jars once. A marker file says the set is complete.
ensure_kafka() {
    ensure_java
    [ -f "$lib/.complete-$version" ] && return 0
    command -v mvn >/dev/null || apt_install mvn maven
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/careerops-kafka-fetch.XXXXXX")
    cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>careerops</groupId><artifactId>kafka-broker-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
  </dependencies>
</project>
EOF
    echo "kafka.sh: fetching Apache Kafka $version with Maven into $lib" >&2
    rm -rf "$lib" && mkdir -p "$lib"
    # short timeouts, so an unreachable registry fails in seconds, not hangs
    if ! timeout 900 mvn -B -q -f "$work/pom.xml" \
        -Dmaven.wagon.http.retryHandler.count=1 \
        -Dmaven.wagon.httpconnectionManager.ttlSeconds=30 \
        -Daether.connector.connectTimeout=10000 \
        -Daether.connector.requestTimeout=60000 \
        dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$lib" >"$work/mvn.log" 2>&1; then
        tail -n 5 "$work/mvn.log" >&2
        rm -rf "$lib" "$work"
        skip "could not fetch org.apache.kafka:kafka_2.13:$version with Maven (Maven Central unreachable?)"
    fi
    rm -rf "$work"
    touch "$lib/.complete-$version"
}

# The command-line tools (GetOffsetShell, ConsumerGroupCommand,
# ConsoleConsumer: org.apache.kafka:kafka-tools, without its dependencies,
# which the broker's jars already hold) into $lib/tools, fetched once; only
# the diagnostics (offsets, groups, read) need them.
ensure_tools() {
    ensure_kafka
    [ -f "$lib/tools/.complete-$version" ] && return 0
    echo "kafka.sh: fetching kafka-tools $version with Maven into $lib/tools" >&2
    mkdir -p "$lib/tools"
    timeout 300 mvn -B -q -Dmaven.wagon.http.retryHandler.count=1 \
        -Daether.connector.connectTimeout=10000 \
        -Daether.connector.requestTimeout=60000 \
        dependency:copy -Dartifact="org.apache.kafka:kafka-tools:$version" \
        -DoutputDirectory="$lib/tools" >"$lib/tools/mvn.log" 2>&1 ||
        { tail -n 5 "$lib/tools/mvn.log" >&2; die "could not fetch org.apache.kafka:kafka-tools:$version with Maven"; }
    touch "$lib/tools/.complete-$version"
}
ktool() {
    ensure_tools
    java -Xshare:auto -Xmx256m -cp "$lib/*:$lib/tools/*" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=error "$@"
}

kjava() { java -Xshare:auto -cp "$lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports are claimed machine-wide, so that two clusters started at once
# (several checkouts testing on one machine) never pick the same free port,
# and a port stays ours while its broker is down (kill-broker/start-broker):
# a port's claim is a file $portreg/PORT naming the cluster folder, made
# under flock(1) on $portreg/.lock, dropped by `stop`; a claim whose folder
# no longer holds a ports file is stale and reused.
portreg=${CAREEROPS_KAFKA_PORT_REGISTRY:-${TMPDIR:-/tmp}/careerops-kafka-ports}
claimed_by_other() { # PORT
    local f=$portreg/$1 owner
    [ -f "$f" ] || return 1
    owner=$(cat "$f" 2>/dev/null) || return 1
    [ "$owner" != "$dir" ] && [ -f "$owner/ports" ]
}
# The first port to try: CAREEROPS_KAFKA_PORT, else one derived from the
# cluster folder, so that clusters of other checkouts, started by scripts
# without the claims above, rarely meet ours. Below the kernel's ephemeral
# range (ip_local_port_range, 32768 to 60999 by default: 10000 to 32660
# then): a port in it that is free when claimed can be given to any
# outgoing connection before the JVM binds it (kafka-sasl failed 'Address
# already in use' so, beside the mock pass).
first_port() {
    if [ -n "${CAREEROPS_KAFKA_PORT:-}" ]; then
        echo "$CAREEROPS_KAFKA_PORT"
        return
    fi
    local lo span h
    lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    h=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
    span=$(((lo - 100 - 10000) / 10))
    if [ "$span" -ge 500 ]; then
        echo $((10000 + h % span * 10))
    else
        echo $((30000 + h % 3000 * 10))
    fi
}

# take_port: sets $port to the next free, unclaimed port and claims it (not
# in a subshell: it remembers where it stopped, so each call gives a new
# one). Call with $portreg/.lock held.
next_port=
take_port() {
    local p=${next_port:-$(first_port)} i
    for ((i = 0; i < 500; i++)); do
        if [ "$p" -lt 65536 ] && ! port_busy "$p" && ! claimed_by_other "$p"; then
            port=$p next_port=$((p + 1))
            echo "$dir" >"$portreg/$p"
            return 0
        fi
        p=$((p + 1))
    done
    die "no free port from $(first_port) on"
}
release_ports() {
    [ -f "$dir/ports" ] || return 0
    local p
    for p in $(awk '{ print $2, $3, $4 }' "$dir/ports"); do
        [ "$p" != 0 ] && [ "$(cat "$portreg/$p" 2>/dev/null)" = "$dir" ] && rm -f "$portreg/$p"
    done
    return 0
}

# ports file: one line per broker: "N plain controller sasl"
port_of() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$dir/ports"; }
nbrokers() { wc -l <"$dir/ports"; }
mode_sasl() { [ "$(cat "$dir/mode" 2>/dev/null)" = sasl ]; }

make_certs() {
    local s=$dir/sasl
    mkdir -p "$s"
    [ -f "$s/broker.p12" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=CareerOps test CA" \
        -keyout "$s/ca.key" -out "$s/ca.pem" 2>/dev/null || die "openssl: CA failed"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$s/broker.key" -out "$s/broker.csr" 2>/dev/null || die "openssl: CSR failed"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$s/ext.cnf"
    openssl x509 -req -in "$s/broker.csr" -CA "$s/ca.pem" -CAkey "$s/ca.key" -CAcreateserial \
        -days 3650 -extfile "$s/ext.cnf" -out "$s/broker.pem" 2>/dev/null || die "openssl: signing failed"
    openssl rand -hex 16 >"$s/keystore-password"
    openssl pkcs12 -export -in "$s/broker.pem" -inkey "$s/broker.key" -certfile "$s/ca.pem" \
        -name broker -out "$s/broker.p12" -passout "file:$s/keystore-password" ||
        die "openssl: keystore failed"
    [ -f "$s/password" ] || openssl rand -hex 16 >"$s/password"
    chmod 600 "$s"/*.key "$s/password" "$s/keystore-password"
}

write_config() { # N n
    local n=$1 total=$2 voters="" i
    for ((i = 1; i <= total; i++)); do
        voters+="${voters:+,}$i@127.0.0.1:$(port_of "$i" 3)"
    done
    local p c s rf isr
    p=$(port_of "$n" 2) c=$(port_of "$n" 3) s=$(port_of "$n" 4)
    rf=$total isr=1
    [ "$total" -ge 3 ] && isr=2
    {
        echo "process.roles=broker,controller"
        echo "node.id=$n"
        echo "controller.quorum.voters=$voters"
        echo "controller.listener.names=CONTROLLER"
        echo "inter.broker.listener.name=PLAINTEXT"
        if mode_sasl; then
            echo "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c,SASL_SSL://127.0.0.1:$s"
            echo "advertised.listeners=PLAINTEXT://127.0.0.1:$p,SASL_SSL://127.0.0.1:$s"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL"
            echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
            echo "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512"
            echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
            echo "ssl.keystore.type=PKCS12"
            echo "ssl.keystore.location=$dir/sasl/broker.p12"
            echo "ssl.keystore.password=$(cat "$dir/sasl/keystore-password")"
            echo "ssl.key.password=$(cat "$dir/sasl/keystore-password")"
        else
            echo "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c"
            echo "advertised.listeners=PLAINTEXT://127.0.0.1:$p"
            echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        fi
        echo "log.dirs=$dir/data-$n"
        echo "num.partitions=4" # as the host creates its topics (defaults.partitions)
        echo "auto.create.topics.enable=true"
        echo "default.replication.factor=$rf"
        echo "min.insync.replicas=$isr"
        echo "offsets.topic.replication.factor=$rf"
        echo "offsets.topic.num.partitions=4"
        echo "transaction.state.log.replication.factor=$rf"
        echo "transaction.state.log.min.isr=$isr"
        echo "transaction.state.log.num.partitions=4"
        echo "share.coordinator.state.topic.replication.factor=$rf"
        echo "share.coordinator.state.topic.min.isr=$isr"
        echo "group.initial.rebalance.delay.ms=0"
        # the tests' fast consumer timings (session.timeout.ms 4000, as on
        # the mock); a production broker keeps its 6 s minimum
        echo "group.min.session.timeout.ms=1000"
        echo "num.network.threads=2"
        echo "num.io.threads=4"
        echo "num.recovery.threads.per.data.dir=1"
        echo "log.retention.hours=24"
        echo "log.segment.bytes=67108864"
        echo "log.flush.interval.messages=9223372036854775807"
    } >"$dir/broker-$n.properties"
}

pid_of() { [ -f "$dir/broker-$1.pid" ] && cat "$dir/broker-$1.pid"; }
# our JVM, and still alive (a recycled pid of another program is not ours)
alive() {
    local pid
    pid=$(pid_of "$1") || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    local cmd
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
    [[ $cmd == *"$dir/broker-$1.properties"* ]]
}

launch() { # N
    local n=$1
    alive "$n" && return 0
    # shellcheck disable=SC2086
    (cd "$dir" && exec setsid java -Xmx"$heap" -Xms64m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true -Xshare:auto \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info \
        -Dorg.slf4j.simpleLogger.showDateTime=true ${CAREEROPS_KAFKA_JAVA_OPTS:-} \
        -cp "$lib/*" kafka.Kafka "$dir/broker-$n.properties" \
        >>"$dir/broker-$n.log" 2>&1 </dev/null) &
    local pid=$!
    echo $pid >"$dir/broker-$n.pid"
    # until the subshell has exec'd java (alive checks the command line): on
    # a busy machine that takes seconds, and wait_ready would take the
    # broker for one that exited
    for _ in $(seq 600); do
        alive "$n" && return 0
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

# Metadata request (v2) on broker N's PLAINTEXT port: prints the number of
# brokers it knows, whether a controller is known, the cluster id and the
# node id listed at that port ("3 1 Q2x...w 1"; "-" for one not listed).
probe() {
    python3 - "$(port_of "$1" 2)" <<'P' 2>/dev/null
import socket, struct, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=3)
cid = b"kafka.sh"
body = struct.pack(">hhih", 3, 2, 7, len(cid)) + cid + struct.pack(">i", -1)
s.sendall(struct.pack(">i", len(body)) + body)
def read(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError
        b += c
    return b
size, = struct.unpack(">i", read(4)); d = read(size); o = 4
nb, = struct.unpack_from(">i", d, o); o += 4
node = "-"
for _ in range(nb):
    nid, hl = struct.unpack_from(">ih", d, o); o += 6 + hl
    bport, = struct.unpack_from(">i", d, o); o += 4
    rl, = struct.unpack_from(">h", d, o); o += 2 + max(rl, 0)
    if bport == port: node = str(nid)
cl, = struct.unpack_from(">h", d, o); o += 2
cluster = d[o:o + cl].decode() if cl >= 0 else "-"; o += max(cl, 0)
ctl, = struct.unpack_from(">i", d, o)
print(nb, 1 if ctl >= 0 else 0, cluster, node)
P
}

wait_ready() { # N total seconds
    local end=$((SECONDS + $3)) r i ours
    ours=$(cat "$dir/cluster-id" 2>/dev/null || echo -)
    while [ $SECONDS -lt "$end" ]; do
        # every broker of the cluster: one that died keeps the others waiting
        for ((i = 1; i <= $2; i++)); do
            alive "$i" && continue
            grep -v '^[[:space:]]*at ' "$dir/broker-$i.log" | tail -n 20 >&2
            die "broker $i exited (log: $dir/broker-$i.log)"
        done
        # the answer must come from our broker N: a port freed while it was
        # down may have been taken by another cluster, whose brokers answer
        # as readily (and would take our clients' records)
        r=$(probe "$1" || true)
        if [ -n "$r" ] && [ "$ours" != - ] && [ "$(echo "$r" | cut -d' ' -f3)" != "$ours" ]; then
            die "port $(port_of "$1" 2) of broker $1 answers for another Kafka cluster ($(echo "$r" | cut -d' ' -f3), ours is $ours): another program took it; 'bash scripts/kafka.sh stop' and start again"
        fi
        # all brokers, a controller, and broker N itself listed
        [ "$(echo "$r" | cut -d' ' -f1,2,4)" = "$2 1 $1" ] && return 0
        sleep 0.5
    done
    grep -v '^[[:space:]]*at ' "$dir/broker-$1.log" | tail -n 20 >&2
    die "broker $1 did not see all $2 brokers and a controller within $3 s (log: $dir/broker-$1.log)"
}

cmd_start() {
    local want=1 sasl=0
    while [ $# -gt 0 ]; do
        case "$1" in
        --brokers) want=${2:?--brokers needs 1 or 3}; shift 2 ;;
        --brokers=*) want=${1#*=}; shift ;;
        --sasl) sasl=1; shift ;;
        *) die "unknown option $1 (start [--brokers N] [--sasl])" ;;
        esac
    done
    [[ $want =~ ^[1-9]$ ]] || die "--brokers $want: give a number from 1 to 9"
    ensure_kafka
    local mode=plain
    [ $sasl = 1 ] && mode=sasl
    mkdir -p "$dir"
    [ -f "$dir/.gitignore" ] || echo '*' >"$dir/.gitignore"
    if [ -f "$dir/ports" ]; then
        local i any=0
        for ((i = 1; i <= $(nbrokers); i++)); do alive "$i" && any=1; done
        if [ "$(nbrokers)" = "$want" ] && [ "$(cat "$dir/mode" 2>/dev/null)" = $mode ]; then
            if [ $any = 1 ]; then
                for ((i = 1; i <= want; i++)); do launch "$i"; done
                for ((i = 1; i <= want; i++)); do wait_ready "$i" "$want" 120; done
                echo "kafka.sh: already running: $(bootstrap)" >&2
                bootstrap
                return 0
            fi
        else
            [ $any = 1 ] && die "a cluster of $(nbrokers) broker(s), mode $(cat "$dir/mode"), runs in $dir: 'bash scripts/kafka.sh stop' first"
        fi
        # a stopped cluster: start afresh (the data is a throwaway)
        release_ports
        rm -rf "$dir"/data-* "$dir"/broker-* "$dir/ports" "$dir/cluster-id"
    fi
    echo $mode >"$dir/mode"
    : >"$dir/ports.tmp"
    mkdir -p "$portreg"
    exec 8>>"$portreg/.lock"
    flock -w 60 8 || die "could not lock $portreg/.lock in 60 s"
    local i
    for ((i = 1; i <= want; i++)); do
        local p c s=0 port
        take_port && p=$port
        take_port && c=$port
        if [ $sasl = 1 ]; then take_port && s=$port; fi
        echo "$i $p $c $s" >>"$dir/ports.tmp"
    done
    mv "$dir/ports.tmp" "$dir/ports"
    exec 8>&-
    [ $sasl = 1 ] && make_certs
    local cluster
    cluster=$(kjava kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    echo "$cluster" >"$dir/cluster-id"
    local scram=() fmt=()
    [ $sasl = 1 ] && scram=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(cat "$dir/sasl/password")]")
    for ((i = 1; i <= want; i++)); do
        write_config "$i" "$want"
        # in parallel: each is a JVM start of several seconds
        kjava kafka.tools.StorageTool format -t "$cluster" -c "$dir/broker-$i.properties" \
            "${scram[@]}" >"$dir/format-$i.log" 2>&1 &
        fmt+=($!)
    done
    for ((i = 1; i <= want; i++)); do
        wait "${fmt[$((i - 1))]}" ||
            { cat "$dir/format-$i.log" >&2; die "formatting the storage of broker $i failed"; }
    done
    for ((i = 1; i <= want; i++)); do launch "$i"; done
    for ((i = 1; i <= want; i++)); do wait_ready "$i" "$want" 180; done
    echo "kafka.sh: $want broker(s) up ($mode): $(bootstrap)" >&2
    bootstrap
}

bootstrap() {
    local col=2
    mode_sasl && col=4
    awk -v f=$col '{ printf "%s127.0.0.1:%s", (NR > 1 ? "," : ""), $f } END { print "" }' "$dir/ports"
}
plain_bootstrap() { awk '{ printf "%s127.0.0.1:%s", (NR > 1 ? "," : ""), $2 } END { print "" }' "$dir/ports"; }

stop_one() { # N
    local pid i
    alive "$1" || return 0
    pid=$(pid_of "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do alive "$1" || return 0; sleep 0.1; done
    echo "kafka.sh: broker $1 did not stop in 30 s; SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
    [ -f "$dir/ports" ] || { echo "kafka.sh: no cluster in $dir" >&2; return 0; }
    local i n left
    n=$(nbrokers)
    # all at once: a broker stopped alone waits for a quorum that the
    # others, stopped one by one, no longer make
    for ((i = 1; i <= n; i++)); do
        if alive "$i"; then kill -TERM "$(pid_of "$i")" 2>/dev/null || true; fi
    done
    for ((left = 300; left > 0; left--)); do
        local up=0
        for ((i = 1; i <= n; i++)); do alive "$i" && up=1; done
        [ $up = 0 ] && break
        sleep 0.1
    done
    for ((i = 1; i <= n; i++)); do
        if alive "$i"; then
            echo "kafka.sh: broker $i did not stop in 30 s; SIGKILL" >&2
            kill -KILL "$(pid_of "$i")" 2>/dev/null || true
        fi
    done
    release_ports
    echo "kafka.sh: stopped" >&2
}

cmd_status() {
    [ -f "$dir/ports" ] || { echo "kafka.sh: no cluster in $dir"; return 3; }
    local i up=0 n
    n=$(nbrokers)
    for ((i = 1; i <= n; i++)); do
        if alive "$i"; then up=$((up + 1)); echo "broker $i: running (pid $(pid_of "$i"))"; else echo "broker $i: stopped"; fi
    done
    echo "bootstrap: $(bootstrap)"
    [ $up -gt 0 ] || return 3
}

cmd_env() {
    [ -f "$dir/ports" ] || die "no cluster in $dir: run 'bash scripts/kafka.sh start' first"
    printf 'export CAREEROPS_KAFKA_BOOTSTRAP=%q\n' "$(bootstrap)"
    printf 'export CAREEROPS_KAFKA_BROKERS=%q\n' "$(nbrokers)"
    printf 'export CAREEROPS_KAFKA_DIR=%q\n' "$dir"
    if mode_sasl; then
        printf 'export CAREEROPS_KAFKA_PLAIN_BOOTSTRAP=%q\n' "$(plain_bootstrap)"
        printf 'export CAREEROPS_KAFKA_SASL_USER=%q\n' "$user"
        printf 'export CAREEROPS_KAFKA_SASL_PASSWORD_FILE=%q\n' "$dir/sasl/password"
        printf 'export CAREEROPS_KAFKA_CA=%q\n' "$dir/sasl/ca.pem"
    fi
}

# Diagnostics, on the PLAINTEXT listeners (in --sasl mode too): what a
# stalled pipeline and a lost record look different in.
cmd_offsets() { # end offsets: TOPIC:PARTITION:OFFSET, internal topics too
    ktool org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$(plain_bootstrap)" \
        --exclude-internal-topics false 2>&1 | sort
}
cmd_groups() { # every group's committed offsets, end offsets, lag, members
    ktool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
        --bootstrap-server "$(plain_bootstrap)" --describe --all-groups 2>&1
}
cmd_read() { # TOPIC: every record, "partition offset key" a line
    ktool org.apache.kafka.tools.consumer.ConsoleConsumer \
        --bootstrap-server "$(plain_bootstrap)" --topic "$1" --from-beginning \
        --timeout-ms "${CAREEROPS_KAFKA_READ_TIMEOUT_MS:-15000}" \
        --formatter-property print.partition=true --formatter-property print.offset=true \
        --formatter-property print.key=true --formatter-property print.value=false \
        --formatter-property print.timestamp=false \
        --formatter-property key.separator=' ' --formatter-property line.separator=$'\n' \
        --consumer-property enable.auto.commit=false \
        --group "careerops-kafka-sh-read-$$-$RANDOM" 2>/dev/null
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
fetch) ensure_kafka ;;
offsets | groups)
    [ -f "$dir/ports" ] || die "no cluster in $dir"
    "cmd_$1" ;;
read)
    [ -f "$dir/ports" ] || die "no cluster in $dir"
    cmd_read "${2:?read TOPIC}" ;;
stop-broker) [ -f "$dir/ports" ] || die "no cluster in $dir"; stop_one "${2:?stop-broker N}" ;;
kill-broker) # SIGKILL, as a crash or a pulled plug
    [ -f "$dir/ports" ] || die "no cluster in $dir"
    if alive "${2:?kill-broker N}"; then kill -KILL "$(pid_of "$2")"; fi
    ;;
start-broker)
    [ -f "$dir/ports" ] || die "no cluster in $dir"
    if ! alive "${2:?start-broker N}" && port_busy "$(port_of "$2" 2)"; then
        die "port $(port_of "$2" 2) of broker $2 was taken by another program while the broker was down"
    fi
    launch "$2"
    wait_ready "$2" "$(nbrokers)" 180
    ;;
*) echo "usage: bash scripts/kafka.sh start [--brokers N] [--sasl] | stop | status | env | fetch | stop-broker N | kill-broker N | start-broker N | offsets | groups | read TOPIC" >&2; exit 2 ;;
esac
