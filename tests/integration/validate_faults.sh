#!/usr/bin/env bash
# `careerops validate` on a manifest with five distinct faults prints five
# errors with their JSON paths and exits 2; a good manifest passes.
. "$(dirname "$0")/lib.sh"
mock_only "validate checks manifests, not a broker (the messages name the file given)"
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
for p in 'colour' 'stages\[0\] (src).config.count' 'stages\[1\] (mid).plugin' 'stages\[2\] (sink).config.path' 'stages\[2\] (sink).config.bogus'; do
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

# Topic cycles and dead-letter loops through the CLI: validate and run both
# refuse them (exit 2) with the stages' JSON paths, before any record flows
# (a dead-letter reader failing into its own input once turned 10 failures
# into 1,463 dead letters in 20 s).
cat > cycle.json <<'J'
{"pipeline":"cy","stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10}},
  {"name":"one","plugin":"mock-passthrough","input":"a","output":"b"},
  {"name":"two","plugin":"mock-passthrough","input":"b","output":"a"}]}
J
cat > dlloop.json <<'J'
{"pipeline":"dl","stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10}},
  {"name":"mid","plugin":"mock-fault","input":"a","output":"b","config":{"fail_every":1}},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"o.jsonl"}},
  {"name":"dead","plugin":"mock-fault","input":"dlq_dead_letters","output":"c","config":{"fail_every":1}}]}
J
for f in cycle.json:'stages\[1\] (one)\.output: topic cycle: .*stages\[2\] (two)' \
         dlloop.json:'stages\[3\] (dead)\.errors\.dead_letter_topic: dead-letter loop: stages\[3\] (dead)'; do
    m=${f%%:*} want=${f#*:}
    for cmd in validate run; do
        set +e
        timeout 20 "$B" $cmd "$m" > out.txt 2> err.txt; rc=$?
        set -e
        [ $rc = 2 ] || fail "$cmd $m: exit $rc, expected 2: $(head -3 err.txt)"
        grep -q "^error: $m: $want" err.txt || fail "$cmd $m: $(cat err.txt)"
    done
    [ ! -e o.jsonl ] || fail "run $m let records flow"
done
ok "a topic cycle and a dead-letter loop: validate and run exit 2 with the stages' JSON paths"

# http.listen is checked before anything starts: validate and run refuse a
# value the control API could not bind (run used to go on without it).
for l in 0.0.0.0 localhost:0 127.0.0.1:99999 ''; do
    for cmd in validate run; do
        set +e
        timeout 20 "$B" $cmd good.json --set "http.listen=$l" > out.txt 2> err.txt; rc=$?
        set -e
        [ $rc = 2 ] && grep -q '^error: good.json: http.listen: .*IPV4:PORT' err.txt ||
            fail "$cmd http.listen='$l': exit $rc: $(head -3 err.txt)"
    done
done
# beyond loopback only with a token file (issue 16)
"$B" validate good.json --set http.listen=0.0.0.0:0 > out.txt 2>&1 &&
    fail "http.listen 0.0.0.0:0 without http.token_file accepted"
grep -q 'set http.token_file' out.txt || fail "0.0.0.0:0 without a token file: $(cat out.txt)"
head -c 32 /dev/urandom | base64 > token && chmod 600 token
"$B" validate good.json --set http.listen=0.0.0.0:0 --set http.token_file=token | grep -q '^ok' ||
    fail "http.listen 0.0.0.0:0 with http.token_file refused"
ok "bad http.listen values refused by validate and run"

# One record's retries must fit in kafka.max.poll.interval.ms on a real
# consumer group: 20 retries of up to 1 s against 6 s got the stage evicted
# mid-retry and the record retried from its start after each rejoin.
cat > retry.json <<'J'
{"pipeline":"rt","kafka":{"bootstrap.servers":"127.0.0.1:1","max.poll.interval.ms":"6000"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","errors":{"retries":1000}},
  {"name":"mid","plugin":"mock-fault","input":"a","output":"b",
   "errors":{"backoff_ms":1000,"backoff_max_ms":1000,"retries":20}},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"o.jsonl"}}]}
J
set +e
"$B" validate retry.json > out.txt 2> err.txt; rc=$?
set -e
[ $rc = 2 ] && grep -q "^error: retry.json: stages\[1\] (mid)\.errors\.retries: .*kafka.max.poll.interval.ms (6000 ms)" err.txt ||
    fail "20 retries of 1 s against 6 s: exit $rc: $(cat err.txt)"
[ "$(grep -c '^error: ' err.txt)" = 1 ] || fail "a source's retries were checked too: $(cat err.txt)"
"$B" validate retry.json --set stages.mid.errors.retries=4 | grep -q '^ok' ||
    fail "4 retries of 1 s against 6 s refused"
"$B" validate retry.json --set kafka.bootstrap.servers=embedded | grep -q '^ok' ||
    fail "refused on the in-process broker (static assignment, no group)"
ok "retries longer than max.poll.interval.ms refused on a consumer group"

# rules-classifier's model_file is read (in full) by validate and at
# run's start: a missing file, a folder or a file that is not a model is a
# fault at its JSON path, not a stage failing "cannot read the model" later.
cat > clf.json <<'J'
{"pipeline":"clf","stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
  {"name":"classify","plugin":"rules-classifier","input":"a","output":"b"},
  {"name":"sink","plugin":"mock-sink","input":"b","config":{"path":"o.jsonl"}}]}
J
echo 'not a model' > garbage.model
# a model cut short (trial 12: its header passed validate, the stage failed
# at start): in the weight rows, or just before its closing "end" line
M="$CAREEROPS_BUILD_ROOT/plugins/rules-classifier/classifier.model"
head -c "$(($(stat -c %s "$M") / 2))" "$M" > cut.model
head -n -1 "$M" > noend.model
# weights strtof() takes but that are not finite decimals (trial 14: the
# model loaded and every email was dead-lettered "cannot build the event")
awk 'NR > 1 && !done && /^[0-9]+ / { $2 = "nan"; done = 1 } { print }' "$M" > nan.model
awk 'NR > 1 && !done && /^[0-9]+ / { $2 = "1e999"; done = 1 } { print }' "$M" > inf.model
awk 'NR > 1 && !done && /^[0-9]+ / { $2 = "-0x29657"; done = 1 } { print }' "$M" > hex.model
sed 's/$/\r/' "$M" > crlf.model
for mf in "$T/my.modle:No such file" "$T:Is a directory" "$T/garbage.model:not a CareerOps classifier model" \
          "$T/cut.model:truncated" "$T/noend.model:truncated (no \"end\" line" \
          "$T/nan.model:not a finite decimal" "$T/inf.model:not a finite decimal" \
          "$T/hex.model:not a finite decimal"; do
    f=${mf%%:*} why=${mf#*:}
    for cmd in validate run; do
        set +e
        timeout 20 "$B" $cmd clf.json --set "stages.classify.config.model_file=$f" > out.txt 2> err.txt; rc=$?
        set -e
        [ $rc = 2 ] && grep -q "^error: clf.json: stages\[1\] (classify)\.config\.model_file: $f:.*$why.*careerops train --out" err.txt ||
            fail "$cmd model_file=$f: exit $rc: $(head -3 err.txt)"
    done
done
[ ! -e o.jsonl ] || fail "run with a bad model_file let records flow"
"$B" validate clf.json | grep -q '^ok' || fail "the bundled model refused"
# a model with CRLF line ends (copied through Windows) loads as it is
"$B" validate clf.json --set "stages.classify.config.model_file=$T/crlf.model" | grep -q '^ok' ||
    fail "a CRLF copy of the bundled model refused: $("$B" validate clf.json --set "stages.classify.config.model_file=$T/crlf.model" 2>&1 | head -3)"
ok "a missing, folder, non-model or truncated model_file: validate and run exit 2 naming stages[1] (classify).config.model_file"

# Every fault in one pass (trial 11): the SASL mechanism with the other
# kafka faults, alerts.kind and what it needs, a typo'd or empty `when`
# field, an unknown event type, a repeated input topic, and "inputs" as one
# fault with the likely key (it used to add "it is a source" as a second).
cat > many.json <<'J'
{"pipeline":"many",
 "kafka":{"bootstrap.servers":"127.0.0.1:1","bogus.prop":"1","sasl.mechanisms":"SCRAM-SHA-999"},
 "alerts":{"kind":"pagerduty"},
 "stages":[
  {"name":"src","plugin":"mailbox-source","output":"raw","config":{"path":"in.mbox"}},
  {"name":"classify","plugin":"rules-classifier","input":"raw","output":"ev"},
  {"name":"show","plugin":"mock-sink","input":["ev","ev"],"when":{"evnt_type":["INTERVIEW"],"":1},"config":{"path":"a.jsonl"}},
  {"name":"show2","plugin":"mock-sink","input":"ev","when":{"event_type":["INTERVEIW"],"email.subject":"x"},"config":{"path":"b.jsonl"}},
  {"name":"typo","plugin":"mock-sink","inputs":"ev","config":{"path":"c.jsonl"}}]}
J
set +e
"$B" validate many.json > out.txt 2> err.txt; rc=$?
set -e
cat err.txt
[ $rc = 2 ] || fail "many faults: exit $rc"
for p in 'kafka.bogus.prop: No such configuration property' \
         'kafka.sasl.mechanisms: "SCRAM-SHA-999" is not a SASL mechanism' \
         'alerts.webhook_url: alerts.kind is "pagerduty" but there is no webhook_url' \
         'alerts.routing_key: alerts.kind is "pagerduty" but there is no routing_key' \
         'stages\[2\] (show).input\[1\]: topic "ev" is already input\[0\]' \
         'stages\[2\] (show).when.evnt_type: the records of input ev have no field "evnt_type", .*did you mean "event_type"?' \
         'stages\[2\] (show).when: "" is not a field path' \
         'stages\[3\] (show2).when.event_type: "INTERVEIW" is not an event type (did you mean "INTERVIEW"?)' \
         'stages\[4\] (typo).inputs: unknown key: did you mean "input"?'; do
    grep -q "^error: many.json: $p" err.txt || fail "no fault: $p"
done
[ "$(grep -c '^error: ' err.txt)" = 9 ] || fail "expected exactly 9 faults (one for inputs)"
# trial 72: values that are no strings passed ([..., 3, true]); an empty
# topic in an input list was reported at .input, not at its element
"$B" validate many.json --set 'stages.show2.when={"event_type":["INTERVIEW",3,true]}' \
    --set 'stages.typo.input=["ev",""]' > out.txt 2>&1 || true
grep -q '^error: many.json: stages\[3\] (show2).when.event_type: 3 is not an event type (event types are strings)' out.txt &&
    grep -q '^error: many.json: stages\[3\] (show2).when.event_type: true is not an event type' out.txt ||
    fail "event_type values that are no strings accepted: $(cat out.txt)"
grep -q '^error: many.json: stages\[4\] (typo).input\[1\]: ' out.txt ||
    fail "an empty topic in an input list not named by its index: $(cat out.txt)"
"$B" validate many.json --set 'alerts={"kind":"teams"}' > out.txt 2>&1 || true
grep -q '^error: many.json: alerts.kind: "teams" is not an alert kind: use "slack"' out.txt ||
    fail "alerts.kind teams accepted"
# a plugin that is not bundled: its records are unknown, the paths are
# still checked but not the field names
"$B" validate good.json --set 'stages.sink.when={"anything.goes":1}' | grep -q '^ok' ||
    fail "a when on a mock-source topic refused"
ok "kafka, alerts, when, a repeated input and a typo'd key: every fault in one pass"

# trial 12: `when` values that match nothing ([], null on a field every
# record has, an object, a list in the list), a typo'd nested path (checked
# against docs/schemas/), alerts.topic empty or shared with a stage's
# records, and a webhook_url that is not an http(s) URL: each a fault at
# its path before anything starts, in validate and in run
cat > w.json <<'J'
{"pipeline":"w","alerts":{"topic":"ev","webhook_url":"hooks.example/T0/B0"},
 "stages":[
  {"name":"src","plugin":"mailbox-source","output":"raw","config":{"path":"in.mbox"}},
  {"name":"classify","plugin":"rules-classifier","input":"raw","output":"ev",
   "when":{"from.adress":"a@b.example","subject.x":"y","calendar.0.organizer.nam":"x","to":[]}},
  {"name":"show","plugin":"mock-sink","input":"ev","config":{"path":"a.jsonl"},
   "when":{"email.subjet":"x","event_type":null,"evidence.x":"y","email":{"subject":"x"},"confidence":[1,[2]]}}]}
J
for cmd in validate run; do
    set +e
    timeout 20 "$B" $cmd w.json > out.txt 2> err.txt; rc=$?
    set -e
    [ $rc = 2 ] || fail "$cmd w.json: exit $rc: $(cat err.txt)"
    for p in 'alerts.webhook_url: is not an http(s) URL (it does not start with https:// or http://)' \
             'alerts.topic: "ev" is also the output of stages\[1\] (classify): .*a topic of their own' \
             'stages\[1\] (classify).when.from.adress: the records of input raw have no field "from.adress", .*did you mean "from.address"? (the fields of "from" in careerops.email.v1: name, address' \
             'stages\[1\] (classify).when.subject.x: .*no field "subject.x".*"subject" in careerops.email.v1 is a value' \
             'stages\[1\] (classify).when.calendar.0.organizer.nam: .*did you mean "calendar.0.organizer.name"?' \
             'stages\[1\] (classify).when.to: \[\] (an empty list) matches no record' \
             'stages\[2\] (show).when.email.subjet: .*did you mean "email.subject"?' \
             'stages\[2\] (show).when.event_type: null matches a record without the field, but "event_type" is in every record' \
             'stages\[2\] (show).when.evidence.x: .*the fields of "evidence" in careerops.event.v1: an index' \
             'stages\[2\] (show).when.email: an object matches only a field that is exactly that JSON value: .*dotted path' \
             'stages\[2\] (show).when.confidence: a list in the list matches only'; do
        grep -q "^error: w.json: $p" err.txt || fail "$cmd: no fault: $p"
    done
    [ "$(grep -c '^error: ' err.txt)" = 11 ] || fail "$cmd: expected exactly 11 faults: $(cat err.txt)"
    [ ! -e a.jsonl ] || fail "$cmd started with a bad when"
done
# v ARGS...: validate's output (it exits 2 on these) in out.txt
v() { "$B" validate "$@" > out.txt 2>&1 || true; }
v w.json --set alerts.topic=
grep -q '^error: w.json: alerts.topic: is empty' out.txt || fail "an empty alerts.topic accepted"
# a name no topic may have, as for a stage's output (trial 14)
v w.json --set "alerts.topic=bad topic!"
grep -q '^error: w.json: alerts.topic: the topic name "bad topic!" must be letters' out.txt ||
    fail "alerts.topic 'bad topic!' accepted: $(cat out.txt)"
v w.json --set alerts.topic=dlq_dead_letters
grep -q '^error: w.json: alerts.topic: "dlq_dead_letters" is also the dead-letter topic of stages\[0\] (src)' out.txt ||
    fail "alerts.topic = the dead-letter topic accepted"
for u in ftp://hooks.example/x mailto:ops@example.org https://; do
    v w.json --set "alerts.webhook_url=$u"
    grep -q '^error: w.json: alerts.webhook_url: is not an http(s) URL' out.txt || fail "webhook_url $u accepted"
    ! grep -Eq 'hooks.example/x|ops@example' out.txt || fail "the webhook URL (a secret) is echoed: $(cat out.txt)"
done
# trial 54: a '#' fragment (never sent) or a login in the webhook, or
# plain http to a host that is not loopback (as libcurl reads the host)
for u in 'https://hooks.example/T0/B0#ALERTPW54' 'https://u:ALERTPW54@hooks.example/T0/B0' \
    'http://hooks.example/T0/ALERTPW54' 'http:/hooks.example/T0/ALERTPW54'; do
    v w.json --set "alerts.webhook_url=$u"
    grep -Eq "^error: w.json: alerts.webhook_url: (has a '#' fragment|holds a login or password|is plain http:// to a host that is not loopback)" out.txt ||
        fail "webhook_url $u accepted: $(cat out.txt)"
    ! grep -q ALERTPW54 out.txt || fail "the webhook URL (a secret) is echoed: $(cat out.txt)"
done
# what is right passes: nested paths of the docs, an index, null on a field
# that may be null, fields below correction (not fixed by the docs), an
# http(s) webhook, the alerts' own topic
cat > wok.json <<'J'
{"pipeline":"wok","alerts":{"webhook_url":"https://hooks.example/T0/B0"},
 "stages":[
  {"name":"src","plugin":"mailbox-source","output":"raw","config":{"path":"in.mbox"}},
  {"name":"classify","plugin":"rules-classifier","input":"raw","output":"ev",
   "when":{"from.address":"a@b.example","calendar.0.organizer.name":"x","to.0.address":"me@example.org","source.kind":"mbox","date":null,"headers.list_id":null}},
  {"name":"show","plugin":"mock-sink","input":"ev","config":{"path":"a.jsonl"},
   "when":{"email.subject":"x","email.calendar.0.status":"CANCELLED","company":null,"evidence.0":"y","correction.fields.0":"event_type","opinions.1.event_type":["OFFER"],"event_type":["INTERVIEW",null]}},
  {"name":"al","plugin":"mock-sink","input":"alerts","when":{"alert":"dlq_depth"},"config":{"path":"b.jsonl"}}]}
J
touch in.mbox
"$B" validate wok.json --set alerts.topic=alerts > out.txt 2> err.txt || fail "a right when/alerts refused: $(cat err.txt)"
ok "when: [], null, objects and typo'd nested paths; alerts.topic and webhook_url: faults at their paths in validate and run"
[ ! -s err.txt ] || fail "a warning for a manifest whose inputs are all written: $(cat err.txt)"

# an input no stage writes (a typo'd topic) is a warning with the nearest
# written topic, not an error (a topic may be fed from outside): trial 16's
# "classifed_events" validated as ok, and its stage would wait for ever
cat > typo.json <<'J'
{"pipeline":"typo","stages":[
  {"name":"src","plugin":"mock-source","output":"classified_events"},
  {"name":"sink","plugin":"mock-sink","input":["classifed_events","from_outside"],"config":{"path":"x.jsonl"}}]}
J
"$B" validate typo.json > out.txt 2> err.txt || fail "an unfed input is an error: $(cat err.txt)"
grep -q '^ok' out.txt || fail "no ok: $(cat out.txt)"
grep -q '^warning: typo.json: stages\[1\].input\[0\]: topic "classifed_events" is written by no stage of this pipeline: did you mean "classified_events"?' err.txt ||
    fail "no warning with the hint: $(cat err.txt)"
grep -q '^warning: typo.json: stages\[1\].input\[1\]: topic "from_outside" is written by no stage of this pipeline: stage sink reads only what is produced to it from outside$' err.txt ||
    fail "no warning for the outside topic: $(cat err.txt)"
[ "$(wc -l < err.txt)" = 2 ] || fail "expected 2 warnings: $(cat err.txt)"
ok "an input no stage writes: a warning naming the nearest written topic, exit 0"

# a dead-letter topic that is a stage's output (trial 28: the dead letters
# reached the next stage as records); validate and run refuse it alike
set +e
"$B" validate good.json --set stages.src.errors.dead_letter_topic=a > out.txt 2> err.txt; rc=$?
set -e
[ $rc = 2 ] && grep -q '^error: good.json: stages\[0\] (src).errors.dead_letter_topic: "a" is also the output of this stage' err.txt ||
    fail "dead_letter_topic = output: exit $rc: $(cat err.txt)"
set +e
"$B" run good.json --until-idle --set stages.src.errors.dead_letter_topic=a > out.txt 2> err.txt; rc=$?
set -e
[ $rc = 2 ] && grep -q 'errors.dead_letter_topic: "a" is also the output' err.txt ||
    fail "run with dead_letter_topic = output: exit $rc: $(head -3 err.txt)"
ok "a dead-letter topic that is an output: refused by validate and run, exit 2"

# a `topics` entry no stage uses: a warning with the nearest topic (trial
# 28: accepted without a word)
"$B" validate good.json --set 'topics={"A":{"partitions":2},"a":{"partitions":2}}' > out.txt 2> err.txt ||
    fail "an unused topics entry is a warning, not an error: $(cat err.txt)"
grep -q '^warning: good.json: topics.A: no stage reads or writes topic "A": did you mean "a"?' err.txt ||
    fail "no warning for topics.A: $(cat err.txt)"
! grep -q 'topics.a:' err.txt || fail "a used topic was warned about: $(cat err.txt)"
ok "an unused topics entry: a warning naming the nearest topic"
