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
