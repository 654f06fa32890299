#!/usr/bin/env python3
"""Host pass-through benchmark against a raw librdkafka program.

Both read the same preloaded topic on one standalone embedded broker
(`careerops broker`), with the same client settings and the same
at-least-once rule (produce, wait for delivery reports, then commit), and
produce to their own output topic. Partitions (32) and preload sizes stay
well inside the mock cluster's 5 MiB-per-partition window, and the output
topics' high watermarks are checked so that every record arrived.

Prints the figures and, with --write-docs, updates docs/benchmarks.md.
Usage: bench.py CAREEROPS RAW_PASS PLUGIN_PATH [--write-docs DOC]
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

careerops, raw, plugins = sys.argv[1:4]
doc = sys.argv[sys.argv.index("--write-docs") + 1] if "--write-docs" in sys.argv else None
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, CAREEROPS_PLUGIN_PATH=plugins, CAREEROPS_LOG_LEVEL="warn")
tmp = tempfile.mkdtemp(prefix="careerops-bench.")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_case(size, count, group):
    bfile = os.path.join(tmp, f"bs-{size}.txt")
    broker = subprocess.Popen([careerops, "broker", "--bootstrap-file", bfile,
                               "--manifest", os.path.join(here, "bench.json")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(bfile) and os.path.getsize(bfile) > 0:
                break
            time.sleep(0.1)
        bs = open(bfile).read().strip()
        subprocess.run([raw, "produce", bs, "in", str(count), str(size)], check=True)
        # raw program
        p = subprocess.Popen([raw, "pass", bs, "in", "out_raw", f"raw-{group}", str(count)],
                             stdout=subprocess.PIPE, env=env)
        raw_rss = 0
        while p.poll() is None:
            try:
                raw_rss = max(raw_rss, rss_kb(p.pid))
            except OSError:
                pass
            time.sleep(0.05)
        raw_res = json.loads(p.stdout.read())
        # host
        log = open(os.path.join(tmp, f"host-{size}.log"), "w")
        h = subprocess.Popen([careerops, "run", os.path.join(here, "bench.json"),
                              "--set", f"kafka.bootstrap.servers={bs}",
                              "--set", f"pipeline=bench{group}"],
                             env=dict(env, CAREEROPS_LOG_LEVEL="info"), stderr=log)
        port = None
        t_first = None
        peak = 0
        deadline = time.time() + 600
        while time.time() < deadline:
            time.sleep(0.05)
            try:
                peak = max(peak, rss_kb(h.pid))
            except OSError:
                break
            if port is None:
                m = re.search(r"http endpoint on 127.0.0.1:(\d+)", open(log.name).read())
                if not m:
                    continue
                port = int(m.group(1))
            try:
                txt = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            except OSError:
                continue
            m = re.search(r'^careerops_records_in_total\{stage="pass"\} (\S+)', txt, re.M)
            n = float(m.group(1)) if m else 0
            if n > 0 and t_first is None:
                t_first = time.time()
            if n >= count:
                t_done = time.time()
                break
        h.send_signal(signal.SIGTERM)
        h.wait(60)
        host_res = {"records": count, "seconds": t_done - t_first,
                    "records_per_s": count / (t_done - t_first)}
        # every record arrived on both outputs
        chk = subprocess.run([careerops, "dlq", "list", os.path.join(here, "bench.json"),
                              "--set", f"kafka.bootstrap.servers={bs}", "--topic", "out_host"],
                             env=env, capture_output=True, text=True)
        got_host = len(chk.stdout.splitlines())
        chk = subprocess.run([careerops, "dlq", "list", os.path.join(here, "bench.json"),
                              "--set", f"kafka.bootstrap.servers={bs}", "--topic", "out_raw"],
                             env=env, capture_output=True, text=True)
        got_raw = len(chk.stdout.splitlines())
        return raw_res, host_res, raw_rss, peak, got_raw, got_host
    finally:
        broker.terminate()
        broker.wait()


def idle_rss():
    p = subprocess.Popen([careerops, "run", os.path.join(here, "idle.json")], env=env,
                         stderr=subprocess.DEVNULL)
    time.sleep(8)
    r = rss_kb(p.pid)
    p.send_signal(signal.SIGTERM)
    p.wait(60)
    return r


rows = []
for size, count in ((100, 400000), (1024, 100000)):
    raw_res, host_res, raw_rss, host_peak, got_raw, got_host = run_case(size, count, size)
    ratio = host_res["records_per_s"] / raw_res["records_per_s"]
    rows.append((size, count, raw_res["records_per_s"], host_res["records_per_s"], ratio,
                 raw_rss, host_peak, got_raw, got_host))
    print(f"{size:>5} B x {count}: raw {raw_res['records_per_s']:.0f} rec/s, "
          f"host {host_res['records_per_s']:.0f} rec/s, ratio {ratio:.2f}; "
          f"peak RSS raw {raw_rss/1024:.1f} MB host {host_peak/1024:.1f} MB; "
          f"arrived raw {got_raw}/{count} host {got_host}/{count}")
idle = idle_rss()
print(f"host RSS at idle (3-stage pipeline, embedded broker): {idle/1024:.1f} MB")

if doc:
    table = ["| record size | records | raw librdkafka rec/s | host rec/s | host/raw | peak RSS raw | peak RSS host | all arrived |",
             "|---|---|---|---|---|---|---|---|"]
    for size, count, r, h, ratio, rr, hr, gr, gh in rows:
        table.append(f"| {size} B | {count} | {r:.0f} | {h:.0f} | {ratio:.2f} | {rr/1024:.1f} MB | {hr/1024:.1f} MB | "
                     f"{'yes' if gr == count and gh == count else f'NO ({gr}/{gh})'} |")
    table.append("")
    table.append(f"Host RSS at idle (three-stage pipeline on the in-process embedded broker, after 8 s): {idle/1024:.1f} MB.")
    section = "\n".join(table)
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    start, end = "<!-- host-bench:start -->", "<!-- host-bench:end -->"
    if start in text:
        text = text[:text.index(start) + len(start)] + "\n" + section + "\n" + text[text.index(end):]
    else:
        text += f"\n## Host pass-through\n\n{start}\n{section}\n{end}\n"
    open(doc, "w").write(text)
