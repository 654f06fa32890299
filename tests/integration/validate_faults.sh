#!/usr/bin/env bash
# `careerops validate` on a manifest with five distinct faults prints five
# errors with their JSON paths and exits 2; a good manifest passes.
. "$(dirname "$0")/lib.sh"
mkdir secrets
cat > bad.json <<'J'
{"pipeline":"bad","secrets_dir":"secrets","colour":"blue",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":"ten"}},
  {"name":"mid","plugin":"no-such-plugin","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"${secret:sink_path}","bogus":1}}]}
J
set +e
"$B" validate bad.json > out.txt 2> err.txt; rc=$?
set -e
cat err.txt
[ $rc = 2 ] || fail "exit $rc, expected 2"
for p in 'colour' 'stages\[0\].config.count' 'stages\[1\].plugin' 'stages\[2\].config.path' 'stages\[2\].config.bogus'; do
    grep -q "^error: bad.json: $p: " err.txt || fail "no error for $p"
done
[ "$(grep -c '^error: ' err.txt)" = 5 ] || fail "expected exactly 5 errors"
cat > good.json <<'J'
{"pipeline":"good","stages":[
  {"name":"src","plugin":"mock-source","output":"a"},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"x.jsonl"}}]}
J
"$B" validate good.json | grep -q '^ok' || fail "good manifest rejected"
"$B" graph good.json | grep -q 'digraph' || fail "graph dot"
"$B" graph good.json --format mermaid | grep -q 'flowchart LR' || fail "graph mermaid"
ok "five faults, five JSON paths, exit 2"

# kafka properties go through librdkafka's parser at validate time: an
# empty or unknown name and a bad value are faults at kafka.NAME (exit 2),
# not stages FAILED at run time; `run` refuses them the same way.
for s in 'kafka.=1' 'kafka. =1' 'kafka..x=1' 'kafka.x.=1' 'kafka.bogus.prop=1' \
         'kafka.fetch.wait.max.ms=abc' 'kafka={"":"1"}' 'kafka={"a..b":"1"}'; do
    set +e
    "$B" validate good.json --set "$s" > out.txt 2> err.txt; rc=$?
    set -e
    [ $rc = 2 ] || fail "validate --set '$s': exit $rc, expected 2: $(cat err.txt)"
    grep -q "^error: good.json: .*kafka\.[^:]*: " err.txt ||
        fail "validate --set '$s': no kafka.NAME fault: $(cat err.txt)"
done
set +e
"$B" run good.json --until-idle --set kafka.bogus.prop=1 > out.txt 2> err.txt; rc=$?
set -e
[ $rc != 0 ] && grep -q '^error: good.json: kafka.bogus.prop: No such configuration property' err.txt ||
    fail "run with kafka.bogus.prop: exit $rc: $(head -3 err.txt)"
"$B" validate good.json --set kafka.session.timeout.ms=6000 --set kafka.acks=all |
    grep -q '^ok' || fail "good kafka properties rejected"
ok "empty, unknown and badly valued kafka properties: faults with their kafka. paths"
