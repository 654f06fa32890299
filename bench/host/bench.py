#!/usr/bin/env python3
"""Host pass-through benchmark against two peers on the same broker.

Systems, each copying every record of topic `in` to topic `out` with
at-least-once delivery (offsets committed only after the copies are
acknowledged):
  passthru  ../shared/bench/passthru.c, compiled here at bench time;
  host      `careerops run bench.json` (stage mock-passthrough with
            `cloudevents: off`; `input_headers` unset, so none are read,
            as mock-passthrough declares (ABI 1.3): like passthru, it
            neither reads nor writes headers);
  host-ce   the same with the default `cloudevents: binary` (four ce_*
            headers on every record out);
  rsyslog   Debian's rsyslogd with imkafka -> omkafka (package
            rsyslog-kafka); skipped when not installed.
Each run starts a fresh standalone embedded broker (`careerops broker`),
4 partitions per topic, and one system; `harness` produces the records
(100 B and 1 KiB values, 200,000 of each) and reads `out` at the same
time, verifying that every record arrived, and measures records/s and the
system's CPU time per record between the first and the last arrival.
Medians of 5 runs. The same librdkafka client settings go to all three
(the host's defaults, core/port_kafka.c). Prints the figures; with
--write-docs, writes the table to docs/benchmarks.md. Never pass/fail.

--kafka BOOTSTRAP: all runs on that real Kafka (scripts/kafka.sh; its
auto-created topics have 4 partitions too) instead of an embedded broker
per run; each run uses its own topics (in-TAG, out-TAG) and groups, and
--write-docs writes the section "Host pass-through on Apache Kafka".

Usage: bench.py CAREEROPS HARNESS PLUGIN_PATH [--runs N] [--count N]
                [--passthru-src FILE] [--write-docs DOC] [--kafka BOOTSTRAP]
                [--sizes 100,1024] [--systems passthru,host,...]
                [--host-set PATH=VALUE] [--host-arg ARG] [--host-env NAME=VALUE]
                [--idle]
--host-env sets the environment of the host process only (e.g.
LD_PRELOAD=... to try an allocator); --idle measures the idle RSS without
--write-docs.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

careerops, harness, plugins = (os.path.abspath(a) for a in sys.argv[1:4])


def opt(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
runs = int(opt("--runs", "5"))
count = int(opt("--count", "200000"))
doc = opt("--write-docs", None)
only = opt("--systems", None)
kafka = opt("--kafka", None)  # a real broker's bootstrap (scripts/kafka.sh)  # e.g. "passthru,host" (default: all)
sizes = [int(x) for x in opt("--sizes", "100,1024").split(",")]
# extra `--set PATH=VALUE` for the host (a variant under test), repeatable
host_sets = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--host-set"]
# extra command-line arguments of `careerops run` (e.g. --no-backpressure), repeatable
host_args = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--host-arg"]
# extra `NAME=VALUE` environment of the host process only (e.g. an
# LD_PRELOAD allocator under test), repeatable
host_env = dict(sys.argv[i + 1].split("=", 1) for i, a in enumerate(sys.argv[:-1])
                if a == "--host-env")
passthru_src = opt("--passthru-src", os.path.join(root, "..", "shared", "bench", "passthru.c"))
env = dict(os.environ, CAREEROPS_PLUGIN_PATH=plugins, CAREEROPS_LOG_LEVEL="warn")
tmp = tempfile.mkdtemp(prefix="careerops-bench.")

# the host's client defaults (core/port_kafka.c), given to every system
CONSUMER = {"queued.min.messages": "100000", "queued.max.messages.kbytes": "65536",
            "fetch.wait.max.ms": "25", "fetch.error.backoff.ms": "10",
            "session.timeout.ms": "10000", "heartbeat.interval.ms": "1000",
            "auto.offset.reset": "earliest"}
PRODUCER = {"enable.idempotence": "false", "acks": "all", "linger.ms": "5",
            "batch.num.messages": "10000", "message.timeout.ms": "0"}


def build_passthru():
    if not os.path.exists(passthru_src):
        sys.exit(f"bench: {passthru_src} not found (the yardstick lives in "
                 "../shared/bench/passthru.c next to the checkout; give "
                 "--passthru-src FILE)")
    exe = os.path.join(tmp, "passthru")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "rdkafka"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", exe, passthru_src] + flags, check=True)
    return exe


class _Real:
    """The real broker given with --kafka: nothing to start or stop."""
    def poll(self):
        return 0


def topics(tag):
    return (f"in-{tag}", f"out-{tag}") if kafka else ("in", "out")


def start_broker(tag):
    if kafka:
        return _Real(), kafka
    bfile = os.path.join(tmp, f"bs-{tag}.txt")
    p = subprocess.Popen([careerops, "broker", "--bootstrap-file", bfile,
                          "--manifest", os.path.join(here, "bench.json")],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(bfile) and os.path.getsize(bfile) > 0:
            return p, open(bfile).read().strip()
        time.sleep(0.05)
    p.kill()
    sys.exit("bench: the embedded broker did not start")


def start_passthru(exe, bs, tag):
    ti, to = topics(tag)
    args = [exe, "-b", bs, "-i", ti, "-o", to, "-g", f"passthru-{tag}"]
    for k, v in CONSUMER.items():
        args += ["-C", f"{k}={v}"]
    for k, v in PRODUCER.items():
        args += ["-P", f"{k}={v}"]
    return subprocess.Popen(args, stderr=subprocess.DEVNULL)


# the host's configurations: bench.json as it is, and with the defaults
HOST_SETS = {"host": [],
             "host-ce": ["stages[0].cloudevents=binary"],
             # input headers read (only when named in --systems): with the
             # CloudEvents headers, what the defaults were before ABI 1.3
             # let a plugin declare it reads none; and alone
             "host-ce-hdr": ["stages[0].cloudevents=binary", "stages[0].input_headers=true"],
             "host-hdr-in": ["stages[0].input_headers=true"]}
LABELS = {"passthru": "passthru",
          "host": "host (`cloudevents: off`, no input headers)",
          "host-ce": "host (defaults: `cloudevents: binary`, no input headers)",
          "host-ce-hdr": "host (`cloudevents: binary`, `input_headers: true`)",
          "host-hdr-in": "host (`cloudevents: off`, `input_headers: true`)",
          "rsyslog": "rsyslog"}


def start_host(bs, tag, system):
    sets = HOST_SETS[system] + host_sets
    if kafka:
        ti, to = topics(tag)
        sets = sets + [f"stages[0].input={ti}", f"stages[0].output={to}",
                       f"stages[0].errors.dead_letter_topic=dlq-{tag}"]
    return subprocess.Popen([careerops, "run", os.path.join(here, "bench.json"),
                             "--set", f"kafka.bootstrap.servers={bs}",
                             "--set", f"pipeline=bench{tag}"] + host_args
                            + [x for kv in sets for x in ("--set", kv)],
                            env=dict(env, **host_env),
                            stderr=open(os.path.join(tmp, f"host-{tag}.log"), "w"))


def start_rsyslog(bs, tag):
    d = os.path.join(tmp, f"rsyslog-{tag}")
    os.makedirs(d, exist_ok=True)
    cparams = ", ".join(f'"{k}={v}"' for k, v in CONSUMER.items())
    pparams = ", ".join(f'"{k}={v}"' for k, v in PRODUCER.items())
    conf = f"""global(workDirectory="{d}")
module(load="imkafka")
module(load="omkafka")
template(name="raw" type="string" string="%rawmsg%")
input(type="imkafka" topic="in" broker="{bs}" consumergroup="rsyslog-{tag}"
      confParam=[{cparams}])
action(type="omkafka" topic="out" broker="{bs}" template="raw"
       resubmitOnFailure="on" action.resumeRetryCount="-1"
       confParam=[{pparams}])
"""
    path = os.path.join(d, "rsyslog.conf")
    open(path, "w").write(conf)
    return subprocess.Popen(["rsyslogd", "-n", "-f", path, "-i", os.path.join(d, "pid")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "log"), "w"))


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def one_run(system, size, tag, passthru_exe):
    broker, bs = start_broker(tag)
    try:
        if system == "passthru":
            p = start_passthru(passthru_exe, bs, tag)
        elif system.startswith("host"):
            p = start_host(bs, tag, system)
        else:
            p = start_rsyslog(bs, tag)
        try:
            ti, to = topics(tag)
            r = subprocess.run([harness, "-b", bs, "-i", ti, "-o", to, "-n", str(count),
                                "-s", str(size), "-p", str(p.pid)],
                               capture_output=True, text=True, timeout=900)
            res = json.loads(r.stdout)
        finally:
            stop(p)
        return res
    finally:
        stop(broker)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def idle_rss():
    p = subprocess.Popen([careerops, "run", os.path.join(here, "idle.json")],
                         env=dict(env, **host_env),
                         stderr=subprocess.DEVNULL)
    time.sleep(8)
    r = rss_kb(p.pid)
    stop(p)
    return r


def main():
    passthru_exe = build_passthru()
    systems = ["passthru", "host", "host-ce"] + (["rsyslog"] if shutil.which("rsyslogd") else [])
    if only:
        systems = [x for x in only.split(",") if x in systems or x in HOST_SETS]
    results = {}
    stamp = int(time.time())
    for size in sizes:
        for r in range(runs):
            for system in systems:
                res = one_run(system, size, f"{size}-{r}-{system}-{stamp}", passthru_exe)
                results.setdefault((system, size), []).append(res)
                print(f"{system:>8} {size:>5} B run {r + 1}: {res['records_per_s']:.0f} rec/s, "
                      f"{res['cpu_us_per_record']:.2f} µs CPU/record, missing {res['missing']}, "
                      f"duplicates {res['duplicates']}", flush=True)
    idle = idle_rss() if (doc or "--idle" in sys.argv) and not kafka else 0
    if not kafka:
        print(f"host RSS at idle (3-stage pipeline, in-process embedded broker, after 8 s): "
              f"{idle / 1024:.1f} MB")
    rows = []
    for size in sizes:
        base = results[("passthru", size)]
        b_rate = statistics.median(x["records_per_s"] for x in base)
        b_cpu = statistics.median(x["cpu_us_per_record"] for x in base)
        for system in systems:
            xs = results[(system, size)]
            # figures of runs that lost records are not comparable: the
            # medians are of the complete runs (all runs if none was)
            full = [x for x in xs if x["missing"] == 0] or xs
            rate = statistics.median(x["records_per_s"] for x in full)
            cpu = statistics.median(x["cpu_us_per_record"] for x in full)
            ok = sum(1 for x in xs if x["missing"] == 0)
            dups = sum(x["duplicates"] for x in xs)
            # the runs are interleaved (passthru, host, ... in each round), so
            # the ratio within a round cancels most of the shared machine's
            # load drift: medians of those too
            pr = statistics.median(x["records_per_s"] / b["records_per_s"] for x, b in zip(xs, base))
            pc = statistics.median(x["cpu_us_per_record"] / b["cpu_us_per_record"]
                                   for x, b in zip(xs, base))
            rows.append((size, system, rate, cpu, rate / b_rate, cpu / b_cpu, ok, len(xs), dups,
                         pr, pc))
            print(f"median {system:>8} {size:>5} B: {rate:.0f} rec/s ({rate / b_rate:.2f}x passthru), "
                  f"{cpu:.2f} µs CPU/record ({cpu / b_cpu:.2f}x)")
    if doc:
        write_doc(rows, idle, systems)


def write_doc(rows, idle, systems):
    where = ("one real Apache Kafka broker for all runs (`scripts/kafka.sh start`: Kafka "
             f"{os.environ.get('CAREEROPS_KAFKA_VERSION', '4.4.0')}, KRaft, one JVM, -Xmx384m, "
             "on the same machine), fresh topics per run"
             if kafka else "one standalone embedded broker (`careerops broker`) per run")
    table = [f"{count:,} records per run, 4 partitions, {where}; medians of {runs} runs (of the runs in which "
             "every record arrived, when some did not); CPU is the system's own "
             "user+system time between the first and the last record arriving.", "",
             "| record size | system | records/s | CPU µs/record | rate vs passthru | CPU vs passthru | same-round ratios: rate, CPU | runs with every record | duplicates (all runs) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size, system, rate, cpu, rr, cr, ok, n, dups, pr, pc in rows:
        table.append(f"| {size} B | {LABELS[system]} | {rate:.0f} | {cpu:.2f} | {rr:.2f}× | {cr:.2f}× | "
                     f"{pr:.2f}×, {pc:.2f}× | {ok}/{n} | {dups} |")
    table.append("")
    table.append("Targets (ratios of the medians; the same-round ratios are shown beside them):")
    table.append("")
    for size, system, rate, cpu, rr, cr, ok, n, dups, pr, pc in rows:
        if system.startswith("host"):
            met = rr >= 0.9 and cr <= 1.25
            table.append(f"- {size} B, {LABELS[system]}: {rr:.2f}× passthru's rate (target ≥ 0.9×), "
                         f"{cr:.2f}× its CPU per record (target ≤ 1.25×): "
                         f"{'**met**' if met else '**not met**'}.")
    if not kafka:
        table.append("")
        table.append(f"Host RSS at idle (three-stage pipeline on the in-process embedded broker, "
                     f"after 8 s): {idle / 1024:.1f} MB.")
    if not shutil.which("rsyslogd") and not only:
        table.append("")
        table.append("rsyslog was not installed (`apt-get install rsyslog-kafka`); its rows are missing.")
    section = "\n".join(table)
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    mark, title = ("host-bench-kafka", "Host pass-through on Apache Kafka") if kafka else \
        ("host-bench", "Host pass-through")
    start, end = f"<!-- {mark}:start -->", f"<!-- {mark}:end -->"
    if start in text:
        text = text[:text.index(start) + len(start)] + "\n" + section + "\n" + text[text.index(end):]
    else:
        text += f"\n## {title}\n\n{start}\n{section}\n{end}\n"
    open(doc, "w").write(text)


try:
    main()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
