#!/usr/bin/env bash
# The file: state store and the paths around it (trial 60):
# 1. a symlink as the state (to a file not created yet, as before a first
#    run): the writes go to its target and the link stays a link; a run on
#    the target's own path is refused while one runs through the link (the
#    per-stage claim is the target's)
# 2. a symlink at STATE.tmp is not followed (its target was overwritten)
# 3. validate refuses what run would: a STATE.lock that is a folder, a name
#    too long for its .lock; a state file of ours cut short is named so
# 4. a value edited by hand into another type is named with its key
# 5. a STATE.lock another process holds is named while run waits for it
# 6. ... also mid-run, where it no longer holds a SIGTERM for 30 s
. "$(dirname "$0")/../common/cli.sh"
cat > m.json <<'J'
{"pipeline":"sf","kafka":{"bootstrap.servers":"embedded"},"state":"file:${env:ST:-state.json}",
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":40,"rate":20}},
 {"name":"out","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J

# 1
mkdir keep && ln -s keep/real.json sl.json
ST=sl.json "$B" run m.json --until-idle 2> one.err & first=$!
for _ in $(seq 100); do grep -q 'running 2 stage' one.err 2>/dev/null && break; sleep 0.1; done
expect 2 'another `careerops run` with a broker of its own runs this stage on state file:.*keep/real\.json' \
    "a run on the link's target while one runs through the link" \
    env ST=keep/real.json timeout 60 "$B" run m.json --until-idle
wait "$first" || fail "the run through the link: $(grep -v librdkafka one.err | tail -n 3)"
[ -L sl.json ] || fail "the state link was replaced by a file"
grep -q '"sf/src"' keep/real.json || fail "the link's target holds no state: $(cat keep/real.json 2>&1)"
echo "ok: a symlinked state is written through, and claimed as its target"

# 2
echo precious > victim.txt
ln -s victim.txt v.json.tmp
ST=v.json timeout 60 "$B" run m.json --until-idle 2> v.err || fail "run with a link at STATE.tmp: $(tail -n 3 v.err)"
[ "$(cat victim.txt)" = precious ] || fail "the link at STATE.tmp was followed: $(cat victim.txt)"
grep -q '"sf/src"' v.json || fail "no state written: $(cat v.json 2>&1)"
echo "ok: a symlink at STATE.tmp is left alone"

# 3
mkdir lk.json.lock
expect 2 "state: file:lk\.json: its lock file .*lk\.json\.lock is not a regular file: move it away" \
    "a folder at STATE.lock" env ST=lk.json "$B" validate m.json
long=$(printf 'a%.0s' $(seq 252))
expect 2 "state: file:a+: the name is too long for its lock file \(NAME\.lock, [0-9]+ bytes at most\)" \
    "a 252-byte state name" env ST="$long" "$B" validate m.json
head -c 30 keep/real.json > cut.json
expect 2 "state: file:cut\.json is a CareerOps state file cut short or damaged" \
    "a state file cut short" env ST=cut.json "$B" validate m.json
head -c 10 keep/real.json > cut10.json
expect 2 "state: file:cut10\.json is a CareerOps state file cut short or damaged" \
    "a state file cut to 10 bytes" env ST=cut10.json "$B" validate m.json
ln -s nowhere/x dl.json.lock
expect 2 "state: file:dl\.json: its lock file .*dl\.json\.lock is a link that leads nowhere" \
    "a dangling link at STATE.lock" env ST=dl.json "$B" validate m.json
# trial 61: a name of 244-250 bytes passed validate, then each write's
# temporary name (PATH.tmp...) was too long and run waited for ever
n244=$(printf 'b%.0s' $(seq 244))
ST=$n244 timeout 60 "$B" run m.json --until-idle 2> long.err ||
    fail "run with a 244-byte state name: $(grep -v librdkafka long.err | tail -n 3)"
grep -q '"sf/src"' "$n244" || fail "no state written under the 244-byte name"
# trial 62: a chain of links to a file not created yet is followed
ln -s keep/chain.json c1 && ln -s c1 c2
ST=c2 "$B" validate m.json > /dev/null 2> chain.err || fail "a chain of links to a new state file: $(cat chain.err)"
expect 2 "state: \"file:~/st\.json\" starts with ~ after file:, which nothing expands" \
    "a state path starting with ~" env ST='~/st.json' "$B" validate m.json
echo "ok: validate refuses a folder at STATE.lock, a name too long, and names a state file cut short"

# 4 (trial 62) a position edited into a number: the source waited for
# ever, unheard; validate and run now name the key
printf '%s\n' '{"careerops_state":1,"state":{"sf/src":{"position":12}},"idem":{}}' > num.json
expect 2 'state: file:num\.json: state\["sf/src"\]\["position"\] is a number, not a string' \
    "a position that is a number (validate)" env ST=num.json "$B" validate m.json
expect 2 'state\["sf/src"\]\["position"\] is a number' \
    "a position that is a number (run)" env ST=num.json timeout 60 "$B" run m.json --until-idle
printf '%s\n' '{"careerops_state":1,"state":{},"idem":{"sf/out":{"k1":"maybe"}}}' > idem.json
expect 2 'idem\["sf/out"\]\["k1"\] is "maybe", not "pending" or "done"' \
    "a claim neither pending nor done" env ST=idem.json "$B" validate m.json
# trial 64: a base64 position that does not decode waited for ever
printf '%s\n' '{"careerops_state":1.0,"state":{"sf/src":{"position":{"base64":"!!!"}}},"idem":{}}' > b64.json
expect 2 'state\["sf/src"\]\["position"\] is base64 that does not decode' \
    "a base64 position that does not decode" env ST=b64.json "$B" validate m.json
# trial 64: a path of only spaces made files named "   " and "   .lock"
expect 2 'state: "file:   " names no file' "a state path of only spaces" env ST='   ' "$B" validate m.json
# trial 63: a format of a later host was read and rewritten as this one's
printf '%s\n' '{"careerops_state":99,"state":{},"idem":{}}' > later.json
expect 2 'careerops_state is 99, a format this host does not know \(it writes 1\)' \
    "a state file of a later format" env ST=later.json "$B" validate m.json
echo "ok: a hand-edited state value is named with its key"

# 5 (trial 62) STATE.lock held by another process: run waited in flock(),
# silent and deaf to its first two signals; it now says so every 5 s and
# one SIGTERM ends the wait
( exec 9>held.json.lock && flock 9 && exec sleep 600 ) & holder=$! # sleep holds the lock
ST=held.json "$B" run m.json 2> held.err & P=$!
for _ in $(seq 150); do grep -q 'waiting for .*held\.json\.lock, which another process holds' held.err && break; sleep 0.1; done
grep -q 'waiting for .*held\.json\.lock, which another process holds' held.err ||
    { kill "$holder"; fail "no word on the held lock in 15 s: $(grep -v librdkafka held.err | tail -n 3)"; }
kill -TERM "$P"
rc=0; timeout 20 tail --pid="$P" -f /dev/null || rc=$?
kill "$holder"
[ "$rc" = 0 ] || fail "one SIGTERM did not end a run waiting for the state lock"
wait "$P" || true
grep -q 'stopped waiting for .*held\.json\.lock' held.err || fail "no word on why it stopped: $(grep -v librdkafka held.err | tail -n 3)"
echo "ok: a held STATE.lock is named while run waits, and a SIGTERM ends the wait"

# 6 (trial 64) STATE.lock taken by another process mid-run: one SIGTERM
# waited the whole 30 s drain; a stage waiting for the state store ends
# the drain at once (what was not stored is read again)
cat > mid.json <<'J'
{"pipeline":"sfm","state":"file:mid.json.state","stages":[
 {"name":"src","plugin":"mock-source","output":"a","config":{"count":400,"rate":40}},
 {"name":"out","plugin":"console-sink","input":"a","config":{"path":"mid.jsonl","format":"jsonl"}}]}
J
"$B" run mid.json 2> mid.err & P=$!
for _ in $(seq 100); do [ -s mid.jsonl ] && break; sleep 0.1; done
[ -s mid.jsonl ] || fail "nothing stored before the lock was taken: $(grep -v librdkafka mid.err | tail -n 3)"
( exec 9>mid.json.state.lock && flock 9 && exec sleep 600 ) & holder=$!
sleep 2
kill -TERM "$P"
rc=0; timeout 15 tail --pid="$P" -f /dev/null || rc=$?
kill "$holder"
[ "$rc" = 0 ] || fail "one SIGTERM with the state lock held mid-run: still running 15 s later"
wait "$P" || true
grep -q 'waits for the state store: not waiting for downstream to drain' mid.err ||
    fail "no word on the stage waiting for the state store: $(grep -v librdkafka mid.err | tail -n 3)"
echo "ok: a state lock taken mid-run does not hold a SIGTERM for the drain timeout"
