#!/usr/bin/env bash
# A stage's `cloudevents` and `input_headers` settings (core/port_kafka.c,
# core/worker.c): "binary" (the default) adds the four required ce_*
# headers (specversion, id, type, source; no ce_time) unless
# the plugin forwards its own; "off" adds none; `input_headers: false`
# hands the plugin no input headers, yet a dead letter still carries them;
# unset, it follows the plugin: mock-passthrough declares it needs none
# (ABI 1.3 CO_PLUGIN_NO_INPUT_HEADERS), so it forwards headers only with
# `input_headers: true`.
. "$(dirname "$0")/../integration/lib.sh"
cat > m.json <<'J'
{"pipeline":"cet","kafka":{"bootstrap.servers":"embedded"},
 "topics":{"a":{"partitions":2},"b":{"partitions":2},"c":{"partitions":2},
           "d":{"partitions":2},"e":{"partitions":2},"f":{"partitions":2}},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":40}},
  {"name":"lean","plugin":"mock-passthrough","input":"a","output":"b",
   "cloudevents":"off","input_headers":false},
  {"name":"fwd","plugin":"mock-passthrough","input":"a","output":"c",
   "cloudevents":"off","input_headers":true},
  {"name":"dflt","plugin":"mock-passthrough","input":"a","output":"f",
   "cloudevents":"off"},
  {"name":"fresh","plugin":"mock-passthrough","input":"a","output":"d",
   "input_headers":false},
  {"name":"faulty","plugin":"mock-fault","input":"a","output":"e",
   "input_headers":false,"config":{"fail_every":10},
   "errors":{"dead_letter_topic":"cet_dead"}},
  {"name":"sb","plugin":"mock-sink","input":"b","config":{"path":"b.jsonl","headers":true}},
  {"name":"sc","plugin":"mock-sink","input":"c","config":{"path":"c.jsonl","headers":true}},
  {"name":"sd","plugin":"mock-sink","input":"d","config":{"path":"d.jsonl","headers":true}},
  {"name":"se","plugin":"mock-sink","input":"e","config":{"path":"e.jsonl","headers":true}},
  {"name":"sf","plugin":"mock-sink","input":"f","config":{"path":"f.jsonl","headers":true}}]}
J
"$B" validate m.json > /dev/null || fail "validate rejected the settings"
start_broker m.json
"$B" run m.json --set "kafka.bootstrap.servers=$BS" --until-idle 2> run.log || fail "run: $(tail -3 run.log)"
python3 - <<'P' || fail "headers wrong"
import json
def recs(f): return [json.loads(l) for l in open(f) if l.strip()]
b, c, d, e = recs("b.jsonl"), recs("c.jsonl"), recs("d.jsonl"), recs("e.jsonl")
f = recs("f.jsonl")
assert len(b) == len(c) == len(d) == len(f) == 40 and len(e) == 36, (len(b), len(c), len(d), len(e), len(f))
# input_headers unset, a plugin that declares it needs none: none handed over
assert all(r["headers"] == {} for r in f), f[0]
# off + no input headers: no header at all
assert all(r["headers"] == {} for r in b), b[0]
# off, input headers asked for and forwarded: the source's CloudEvents
assert all(r["headers"]["ce_source"] == "/careerops/cet/src" for r in c), c[0]
# binary without input headers: this stage's own CloudEvents
for r in d:
    h = r["headers"]
    assert h["ce_source"] == "/careerops/cet/fresh" and h["ce_specversion"] == "1.0", h
    assert len(h["ce_id"]) == 36 and "ce_time" not in h, h
    assert h["ce_type"] == "careerops.record" or h["ce_type"].startswith("careerops."), h
assert len({r["headers"]["ce_id"] for r in d}) == 40
P
"$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" --topic cet_dead > dlq.txt
[ "$(wc -l < dlq.txt)" = 4 ] || fail "expected 4 dead letters, got $(wc -l < dlq.txt)"
first=$(head -1 dlq.txt | cut -f1)
"$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$first" --topic cet_dead > one.txt
grep -q '^header ce_source: /careerops/cet/src' one.txt ||
    fail "the dead letter lost the input's headers: $(cat one.txt)"
grep -q '^header careerops.error.stage: faulty' one.txt || fail "no error headers"
ok "cloudevents binary/off, input_headers false/true/unset (the plugin's declaration), dead letters keep input headers"
