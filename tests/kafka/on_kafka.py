#!/usr/bin/env python3
"""careerops on a real Kafka, for the tests written for the embedded broker.

tests/integration/lib.sh puts this program in $B when CAREEROPS_TEST_BROKER
is `kafka`. It runs the real binary (CAREEROPS_REAL_BIN), with the same
process id (exec), on a copy of the manifest argument in which:
  - `"bootstrap.servers": "embedded"` (and `--set kafka.bootstrap.servers=
    embedded`) becomes $CAREEROPS_KAFKA_BOOTSTRAP;
  - every topic name (inputs, outputs, dead-letter topics, the `topics`
    table, the alerts topic, the defaults of the last two, and the value
    of a `--topic` or `--to` argument) gets the suffix -$CAREEROPS_KAFKA_RUN: a real
    broker keeps its topics from one test to the next, the in-memory one
    did not. The pipeline name stays (CloudEvents sources name it), so
    consumer groups are reused, on new topics.
The copy is `.kafka-NAME.json` beside the manifest, so relative paths in it
mean the same.
"""
import json
import os
import sys

real = os.environ["CAREEROPS_REAL_BIN"]
bs = os.environ["CAREEROPS_KAFKA_BOOTSTRAP"]
run = os.environ["CAREEROPS_KAFKA_RUN"]


def topic(t):
    return f"{t}-{run}" if isinstance(t, str) and not t.endswith("-" + run) else t


def rewrite(m):
    if not isinstance(m, dict):
        return m
    k = m.setdefault("kafka", {})
    if isinstance(k, dict) and k.get("bootstrap.servers", "embedded") == "embedded":
        k["bootstrap.servers"] = bs
    if isinstance(m.get("topics"), dict):
        m["topics"] = {topic(n): v for n, v in m["topics"].items()}
    al = m.get("alerts")
    if isinstance(al, dict):
        al["topic"] = topic(al.get("topic", "alerts"))
    d = m.setdefault("defaults", {})
    if isinstance(d, dict):
        e = d.setdefault("errors", {})
        if isinstance(e, dict):
            e["dead_letter_topic"] = topic(e.get("dead_letter_topic", "dlq_dead_letters"))
    for s in m.get("stages", []) if isinstance(m.get("stages"), list) else []:
        if not isinstance(s, dict):
            continue
        for f in ("input", "output"):
            if isinstance(s.get(f), list):
                s[f] = [topic(t) for t in s[f]]
            elif f in s:
                s[f] = topic(s[f])
        e = s.get("errors")
        if isinstance(e, dict) and "dead_letter_topic" in e:
            e["dead_letter_topic"] = topic(e["dead_letter_topic"])
    return m


args = sys.argv[1:]
out = []
prev = None
for a in args:
    if prev in ("--topic", "--to"):  # dlq list/show --topic, replay --to
        out.append(topic(a) if a else a)
        prev = a
        continue
    prev = a
    if a.endswith(".json") and os.path.isfile(a) and not os.path.basename(a).startswith(".kafka-"):
        try:
            with open(a) as f:
                m = json.load(f)
        except ValueError:
            out.append(a)  # not JSON: the host reports it
            continue
        new = os.path.join(os.path.dirname(a), ".kafka-" + os.path.basename(a))
        # one temporary name per process: the stages of a test start at once
        tmp = f"{new}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump(rewrite(m), f)
        os.replace(tmp, new)
        out.append(new)
    elif a == "kafka.bootstrap.servers=embedded":
        out.append("kafka.bootstrap.servers=" + bs)
    else:
        out.append(a)
os.execv(real, [real] + out)
