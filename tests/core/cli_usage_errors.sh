#!/usr/bin/env bash
# A new user's trial: `careerops auth` without or with an unknown provider
# names the known ones (exit 2), `careerops help run` prints run's usage,
# out-of-range --brokers and --drain-timeout-ms are refused with the range,
# and a --bootstrap-file in a missing folder is refused (exit 2) naming the
# folder; relabel names a too short key prefix and says how to start
# PostgreSQL when it does not answer.
. "$(dirname "$0")/../common/cli.sh"

expect 2 "^error: auth needs a provider: gmail" "careerops auth" "$B" auth
expect 2 "^error: unknown provider 'outlook' \(known: gmail\)" \
    "careerops auth outlook" "$B" auth outlook
"$B" help run >out.txt 2>err.txt || fail "help run exited $?: $(cat err.txt)"
grep -q '^usage: careerops run MANIFEST' out.txt || fail "help run: $(cat out.txt)"
echo "ok: auth names its providers; help run prints run's usage"

for n in 0 -1 x 99; do
    expect 2 "--brokers $n: give a broker count from 1 to 16" "broker --brokers $n" \
        "$B" broker --brokers "$n"
done
for v in -5 abc; do
    expect 2 "--drain-timeout-ms $v: give a number of milliseconds, 0 or more" \
        "run --drain-timeout-ms $v" "$B" run m.json --drain-timeout-ms "$v"
done
echo "ok: --brokers and --drain-timeout-ms are range-checked"

# --bootstrap-file in a folder that does not exist: refused (a typo is not
# created silently), as is one under a file
expect 2 "error: --bootstrap-file $t/nonexist/dir/bs: its folder $t/nonexist/dir does not exist" \
    "broker --bootstrap-file in a missing folder" "$B" broker --bootstrap-file "$t/nonexist/dir/bs"
[ ! -e "$t/nonexist" ] || fail "broker created $t/nonexist"
: >"$t/afile"
expect 2 "error: --bootstrap-file $t/afile/bs: its folder $t/afile is not a folder" \
    "broker --bootstrap-file under a file" "$B" broker --bootstrap-file "$t/afile/bs"
echo "ok: --bootstrap-file in a missing folder or under a file is refused"
# trial 55: --bootstrap-file overwrote, then removed, whatever was there
# (/dev/full as root; a manifest given by mistake)
printf '{"pipeline":"keep"}\n' > "$t/keep.json"
printf '{"pipeline":"okm","stages":[{"name":"src","plugin":"mock-source","output":"a"},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' > "$t/okm.json"
mkfifo "$t/bs.fifo"
for f in "$t/keep.json" "$t/bs.fifo" /dev/null; do
    for cmd in broker "run $t/okm.json"; do
        # shellcheck disable=SC2086
        expect 2 "error: --bootstrap-file $f: the file exists and is not" \
            "$cmd --bootstrap-file $f" timeout 30 "$B" $cmd --bootstrap-file "$f"
    done
done
grep -q '"keep"' "$t/keep.json" || fail "--bootstrap-file changed keep.json"
# a name in the current folder too
(cd "$t" && expect 2 "error: --bootstrap-file keep.json: the file exists and is not" \
    "broker --bootstrap-file keep.json" timeout 30 "$B" broker --bootstrap-file keep.json)
grep -q '"keep"' "$t/keep.json" || fail "--bootstrap-file changed keep.json"
[ -p "$t/bs.fifo" ] && [ -c /dev/null ] || fail "--bootstrap-file removed a FIFO or /dev/null"
echo "127.0.0.1:1" > "$t/old.bs"
timeout -s INT 3 "$B" broker --bootstrap-file "$t/old.bs" > /dev/null 2>&1 || true
[ ! -e "$t/old.bs" ] || fail "the bootstrap file of an earlier run was not reused and removed"
# trial 58: one without its newline is one too; an empty file, a
# non-loopback address (never probed) and an empty path are refused
printf '127.0.0.1:1' > "$t/old.bs"
timeout -s INT 3 "$B" broker --bootstrap-file "$t/old.bs" > /dev/null 2>&1 || true
[ ! -e "$t/old.bs" ] || fail "a bootstrap file without its newline was not reused"
: > "$t/empty.bs"
expect 2 "error: --bootstrap-file $t/empty.bs: the file exists and is empty" \
    "broker --bootstrap-file of an empty file" timeout 30 "$B" broker --bootstrap-file "$t/empty.bs"
[ -e "$t/empty.bs" ] || fail "--bootstrap-file removed an empty file"
echo "10.0.0.5:9092" > "$t/far.bs"
expect 2 "error: --bootstrap-file $t/far.bs: the file exists and is not a bootstrap file" \
    "broker --bootstrap-file of a non-loopback address" timeout 30 "$B" broker --bootstrap-file "$t/far.bs"
expect 2 "error: --bootstrap-file is empty" "broker --bootstrap-file ''" "$B" broker --bootstrap-file ''
expect 2 "error: --bootstrap-file is empty" "run --bootstrap-file ''" "$B" run "$t/okm.json" --bootstrap-file ''
# trial 57: the write went through "F.tmp": a user's F.tmp was overwritten
# and removed, a link named so was followed, a FIFO so named hung it; and
# any "word:word" line was taken for a stale bootstrap file
echo "important notes" > "$t/x.tmp"
echo precious > "$t/target"
ln -s "$t/target" "$t/y.tmp"
mkfifo "$t/q.tmp"
for f in x y q; do
    timeout -s INT 4 "$B" broker --bootstrap-file "$t/$f" > /dev/null 2>&1 || true
done
[ "$(cat "$t/x.tmp")" = "important notes" ] && [ "$(cat "$t/target")" = precious ] && [ -p "$t/q.tmp" ] ||
    fail "--bootstrap-file touched F.tmp: $(cat "$t/x.tmp" "$t/target")"
for line in 'todo:call-mom' 'call-mom:1234' '[buy milk]:1'; do
    printf '%s\n' "$line" > "$t/notes"
    expect 2 "error: --bootstrap-file $t/notes: the file exists and is not a bootstrap file" \
        "broker --bootstrap-file of a '$line' file" timeout 30 "$B" broker --bootstrap-file "$t/notes"
    [ "$(cat "$t/notes")" = "$line" ] || fail "--bootstrap-file changed notes ($line)"
done
# trial 56: a second broker took a live broker's file over and removed it
# at exit; it is refused while the address in the file answers
"$B" broker --bootstrap-file "$t/live.bs" > /dev/null 2> "$t/live.err" &
live=$!
for _ in $(seq 100); do [ -s "$t/live.bs" ] && break; sleep 0.1; done
[ -s "$t/live.bs" ] || fail "broker --bootstrap-file did not write it: $(cat "$t/live.err")"
addr=$(cat "$t/live.bs")
for cmd in broker "run $t/okm.json"; do
    # shellcheck disable=SC2086
    expect 2 "error: --bootstrap-file $t/live.bs: a program still answers at ${addr%%,*}" \
        "$cmd --bootstrap-file of a live broker" timeout 30 "$B" $cmd --bootstrap-file "$t/live.bs"
done
[ "$(cat "$t/live.bs")" = "$addr" ] || fail "the live broker's file was changed"
# a refused broker printed no address (it printed one, then exited)
timeout 30 "$B" broker --bootstrap-file "$t/live.bs" > "$t/lost.out" 2>/dev/null || true
[ ! -s "$t/lost.out" ] || fail "a refused broker printed an address: $(cat "$t/lost.out")"
# a run on that broker given its file by mistake: told that it starts no
# broker, not that a program answers at the address
sed "s/\"pipeline\":\"okm\"/\"pipeline\":\"okm\",\"kafka\":{\"bootstrap.servers\":\"${addr%%,*}\"}/" "$t/okm.json" > "$t/okx.json"
expect 2 "--bootstrap-file $t/live.bs: this run starts no broker" "run on a broker with its --bootstrap-file" \
    timeout 30 "$B" run "$t/okx.json" --bootstrap-file "$t/live.bs"
kill -INT "$live"; wait "$live" || true
[ ! -e "$t/live.bs" ] || fail "the broker did not remove its own file at exit"
# trial 59: ports and addresses a broker cannot have written are no
# earlier run's file
for line in '127.0.0.1:99999' '127.0.0.1:0' '127.1..1:9' '127.0.0.256:9'; do
    printf '%s\n' "$line" > "$t/odd.bs"
    expect 2 "error: --bootstrap-file $t/odd.bs: the file exists and is not a bootstrap file" \
        "broker --bootstrap-file of '$line'" timeout 30 "$B" broker --bootstrap-file "$t/odd.bs"
    [ "$(cat "$t/odd.bs")" = "$line" ] || fail "--bootstrap-file changed odd.bs ($line)"
done
# trial 59: two brokers started at once on one path both ran; one wins
"$B" broker --bootstrap-file "$t/race.bs" > /dev/null 2> "$t/race1.err" & r1=$!
"$B" broker --bootstrap-file "$t/race.bs" > /dev/null 2> "$t/race2.err" & r2=$!
sleep 3
alive=0
for p in $r1 $r2; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
[ "$alive" = 1 ] || fail "$alive of two brokers on one --bootstrap-file run: $(cat "$t"/race*.err | grep -v librdkafka | tail -n 4)"
kill -INT $r1 $r2 2>/dev/null || true
wait $r1 $r2 2>/dev/null || true
[ ! -e "$t/race.bs" ] || fail "the winning broker did not remove its file"
# trial 59: run --bootstrap-file left its file behind; with a broker of
# its own it removes it, and without one the option is refused
cat > "$t/bs.json" <<J
{"pipeline":"bs","stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
 {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"$t/bs.jsonl"}}]}
J
timeout 60 "$B" run "$t/bs.json" --until-idle --bootstrap-file "$t/run.bs" > /dev/null 2> "$t/run.err" ||
    fail "run --bootstrap-file: $(grep -v librdkafka "$t/run.err" | tail -n 3)"
[ -s "$t/bs.jsonl" ] || fail "run --bootstrap-file stored nothing"
[ ! -e "$t/run.bs" ] || fail "run --bootstrap-file left $(cat "$t/run.bs")"
expect 2 "this run starts no broker" "run --bootstrap-file with a configured broker" \
    timeout 60 "$B" run "$t/bs.json" --bootstrap-file "$t/run2.bs" --set kafka.bootstrap.servers=127.0.0.1:9
echo "ok: --bootstrap-file refuses an existing file that is not a bootstrap file (a manifest, a FIFO, a device) or the file of a live broker"

# trial 7: a second MANIFEST, --listen without a value, "stages" that is not
# an array, --labels that names a folder
cat >v.json <<'J'
{"pipeline":"u7","stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
 {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
expect 2 "^error: unexpected argument 'extra' \(validate takes one MANIFEST\)" \
    "validate with two arguments" "$B" validate v.json extra
expect 2 "^error: unexpected argument 'extra' \(run takes one MANIFEST\)" \
    "run with two arguments" "$B" run v.json extra
expect 2 "option '--listen' requires an argument" "serve --listen without a value" \
    "$B" serve v.json --listen
echo '{"pipeline":"s7","stages":"x"}' >s.json
expect 2 "stages: expected an array of stages, got a string" '"stages": "x"' \
    "$B" validate s.json
mkdir -p labels.d
if "$B" plugins info rules-classifier >/dev/null 2>&1; then
    expect 2 "labels.d: cannot read the labels file: Is a directory" \
        "train --labels DIR" "$B" train --labels labels.d --emails . --out model.json
    # trial 28: a training set of one label made a model silently
    printf 'file,label,company,scheduled_date\nmsg-001.eml,INTERVIEW,,\n' >one.csv
    expect 2 "the training set has one label only" "train on one message" \
        "$B" train --labels one.csv --emails "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails" --out one.model
    [ ! -e one.model ] || fail "train on one message wrote a model"
    # trial 29: --out naming an existing file that is no model overwrote it
    cp "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails/msg-001.eml" keep.eml
    expect 2 "--out keep.eml exists and is not a model file" "train --out an email" \
        "$B" train --labels "$CAREEROPS_SOURCE_ROOT/datasets/dev/labels.csv" \
        --emails "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails" --out keep.eml
    cmp -s keep.eml "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails/msg-001.eml" ||
        fail "train --out overwrote the email"
    # trial 57: a missing folder was found only after training (exit 1),
    # /dev/full was told to be removed
    expect 2 "--out nodir/x.model: its folder nodir does not exist" "train --out in a missing folder" \
        "$B" train --labels "$CAREEROPS_SOURCE_ROOT/datasets/dev/labels.csv" \
        --emails "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails" --out nodir/x.model
    # trial 58: "", a file system that takes no new file, a name too long
    # and a path under a file failed only after training (exit 1)
    : > afile
    long=$(printf 'm%.0s' $(seq 300))
    for o in "" /proc/x.model "$long" afile/x.model; do
        case $o in
        "") w="--out is empty" ;;
        /proc/*) w="--out /proc/x.model: no file can be created in folder /proc" ;;
        afile/*) w="--out afile/x.model: its folder afile is not a folder" ;;
        *) w="its name is longer than 255 bytes" ;;
        esac
        expect 2 "$w" "train --out '${o:0:20}'" \
            "$B" train --labels "$CAREEROPS_SOURCE_ROOT/datasets/dev/labels.csv" \
            --emails "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails" --out "$o"
    done
    expect 2 "--out /dev/full is not a regular file" "train --out /dev/full" \
        "$B" train --labels "$CAREEROPS_SOURCE_ROOT/datasets/dev/labels.csv" \
        --emails "$CAREEROPS_SOURCE_ROOT/datasets/dev/emails" --out /dev/full
fi
echo "ok: extra arguments, a missing option value, a non-array stages, a folder as --labels"

# trial 8: getopt's own words name the command as our errors do
expect 2 "^careerops applications: unrecognized option '--bogus'" \
    "applications --bogus" "$B" applications --bogus
expect 2 "^careerops relabel: unrecognized option '--bogus'" \
    "relabel --bogus" "$B" relabel --bogus
echo "ok: an unknown option of a careerops-tools command names 'careerops COMMAND'"

# trial 63: --export - made a file "-" and a folder "-.emails"
expect 2 "^error: --export -: the export is a CSV file and a folder of emails next to it .*cannot go to standard output" \
    "relabel --export -" "$B" relabel --export - --conninfo "postgresql://127.0.0.1:1/none"
[ ! -e ./- ] && [ ! -e ./-.emails ] || fail "relabel --export - left a file or folder named -"
# trial 11: a key prefix shorter than relabel's minimum is named as such
# (it said "no stored event"), before any database is asked; trial 10:
# PostgreSQL down gives the fix, as serve does
expect 2 "^error: key prefix '4dd7' is too short: .* unique prefix of 8\+ characters" \
    "relabel 4dd7" "$B" relabel 4dd7 OTHER --conninfo "postgresql://127.0.0.1:1/none"
expect 1 "^error: cannot connect to PostgreSQL \(.*port 1 failed.*\): start it .*bash scripts/pg.sh start" \
    "relabel with PostgreSQL down" "$B" relabel 4dd7aaaa OTHER --conninfo "postgresql://127.0.0.1:1/none"
expect 1 "cannot connect to PostgreSQL \(.*\): start it .*bash scripts/pg.sh start" \
    "relabel --export with PostgreSQL down" "$B" relabel --export "$t/x.csv" --conninfo "postgresql://127.0.0.1:1/none"
# trial 28: a malformed connection string, --topic without --manifest and
# text that is not UTF-8 are the input's faults (exit 2), not an outage
expect 2 "^error: the connection string: PostgreSQL cannot read it" \
    "relabel --conninfo 'not a dsn'" "$B" relabel 4dd7aaaa OTHER --conninfo "not a dsn"
expect 2 "^error: --topic needs --manifest" "relabel --topic without --manifest" \
    "$B" relabel 4dd7aaaa OTHER --topic x --conninfo "postgresql://127.0.0.1:1/none"
# trial 70: a 100,000-character --company was recorded whole
expect 2 "^error: --company is 600 bytes long: give at most 512" "relabel --company of 600 bytes" \
    "$B" relabel 4dd7aaaa OTHER --company "$(printf 'A%.0s' $(seq 600))" --conninfo "postgresql://127.0.0.1:1/none"
# note 31: relabel had no --set, which run, eval and dlq take
expect 2 "^error: --set needs --manifest" "relabel --set without --manifest" \
    "$B" relabel 4dd7aaaa OTHER --set a=b --conninfo "postgresql://127.0.0.1:1/none"
expect 1 "cannot connect to PostgreSQL \(.*port 1 failed" "relabel --manifest --set (the sink's conninfo)" \
    "$B" relabel 4dd7aaaa OTHER --manifest "$CAREEROPS_SOURCE_ROOT/pipelines/demo.json" \
    --set 'stages.store.config.conninfo=postgresql://127.0.0.1:1/none'
expect 2 "stages\.nosuch" "relabel --set naming no stage" \
    "$B" relabel 4dd7aaaa OTHER --manifest "$CAREEROPS_SOURCE_ROOT/pipelines/demo.json" --set 'stages.nosuch.config.x=1'
expect 2 "^error: --company is not valid UTF-8" "relabel --company not UTF-8" \
    "$B" relabel 4dd7aaaa OTHER --company "$(printf 'a\xffb')" --conninfo "postgresql://127.0.0.1:1/none"
# trial 60: an extra word was "give KEY and LABEL"; --list with --export,
# and a correction's options with --export, were ignored (exit 0)
D="postgresql://127.0.0.1:1/none"
expect 2 "^error: give KEY and LABEL only \(got also 'extra'" "relabel KEY LABEL extra" \
    "$B" relabel 4dd7aaaa OFFER extra --conninfo "$D"
expect 2 "^error: --list does not go with --export: give one of them" "relabel --list --export" \
    "$B" relabel --list --export "$t/q.csv" --conninfo "$D"
expect 2 "^error: --company does not go with --export" "relabel --export --company" \
    "$B" relabel --export "$t/q.csv" --company X --conninfo "$D"
expect 2 "^error: --note does not go with --list" "relabel --list --note" \
    "$B" relabel --list --note hi --conninfo "$D"
[ ! -e "$t/q.csv" ] || fail "a refused relabel --export wrote $t/q.csv"
echo "ok: relabel: a too short key prefix, and PostgreSQL down with the fix"

# trial 28: auth gmail with client files that do not exist is exit 2 (the
# input), not 1
if "$B" --help | grep -q '^  auth gmail '; then
    expect 2 "client id file /nonexistent-co/id: No such file" "auth gmail with missing files" \
        "$B" auth gmail --client-id-file /nonexistent-co/id --client-secret-file /nonexistent-co/s \
        --token-out t.out --key-file k.key --no-browser --timeout 1
    echo "ok: auth gmail with missing client files exits 2"
fi

# trial 43: an option that takes one value, given twice, is refused (it
# silently took the last value); the repeatable ones (--set, --stage,
# --manifest) still repeat
m=$CAREEROPS_SOURCE_ROOT/pipelines/demo.json
expect 2 "^error: careerops graph: --format given twice .'dot', then 'mermaid'.: give it once" \
    "graph --format twice" "$B" graph "$m" --format dot --format=mermaid
expect 2 "^error: careerops serve: --listen given twice" "serve --listen twice" \
    "$B" serve "$m" --listen 127.0.0.1:1 --listen 127.0.0.1:2
expect 2 "^error: careerops applications: --dsn given twice .'a', then as --conninfo 'b'." \
    "applications --dsn and its alias --conninfo" "$B" applications --dsn a --conninfo b
expect 2 "^error: careerops run: --drain-timeout-ms given twice" "run --drain-timeout-ms twice" \
    "$B" run "$m" --drain-timeout-ms=5 --drain-timeout-ms 6
expect 2 "^error: careerops relabel: --company given twice" "relabel --company twice" \
    "$B" relabel 4dd7aaaa OTHER --company A --company=B
expect 2 "^error: careerops dlq: --topic given twice" "dlq --topic twice" \
    "$B" dlq list --topic a --topic b
"$B" graph "$m" --set stages.store.plugin=mock-sink --set stages.show.plugin=mock-sink > /dev/null ||
    fail "--set twice refused by graph"
echo "ok: an option given twice is refused, naming both values; --set repeats"
# the plugins' commands too (trial 44); train's --labels/--emails repeat
expect 2 "^error: careerops eval: --stage given twice" "eval --stage twice" \
    "$B" eval --manifest "$m" --stage a --stage b --labels x --emails y
expect 2 "^error: careerops train: --out given twice" "train --out twice" \
    "$B" train --labels a --emails b --out x --out=y
if "$B" --help | grep -q '^  ask '; then
    expect 2 "^error: careerops ask: --company given twice" "ask --company twice" \
        "$B" ask --company A --company B
fi
echo "ok: the plugins' commands refuse an option given twice"
# archive, backup: one error, not a second about the arguments (trial 44)
out=$("$B" backup --dsn a --dsn b 2>&1) && fail "backup --dsn twice passed"
[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "backup --dsn twice: $out"
case "$out" in "error: careerops backup: "*) ;; *) fail "backup --dsn twice names another command: $out" ;; esac
out=$("$B" restore --dsn a --dsn b x 2>&1) && fail "restore --dsn twice passed"
case "$out" in "error: careerops restore: --dsn given twice"*) ;; *) fail "restore --dsn twice: $out" ;; esac
out=$("$B" archive get abc -o x -o y 2>&1) && fail "archive get -o twice passed"
[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "archive get -o twice: $out"
echo "ok: backup and archive say an option given twice once"
# trial 45: the option is named as typed (it said --conninfo for --dsn,
# --output for -o), and a connection string with a password is not echoed
expect 2 "^error: careerops archive get: -o given twice .'x', then 'y'." \
    "archive get -o twice" "$B" archive get abc -o x -o y
# trial 78: an option the command does not use was taken and ignored
expect 2 "^careerops backup takes no --output \(see careerops backup --help\)" \
    "backup -o FILE" "$B" backup -o "$t/mybackup.dump"
[ ! -e "$t/mybackup.dump" ] || fail "backup -o wrote $t/mybackup.dump"
expect 2 "^careerops backup takes no --older-than" "backup --older-than" "$B" backup --older-than 5
expect 2 "^careerops archive ls takes no --older-than" "archive ls --older-than" \
    "$B" archive ls --older-than 5
expect 2 "^careerops restore takes no --keep" "restore --keep" "$B" restore --keep 3 x
# trial 80: broker's option faults point to its --help, as run's do
expect 2 "^see \`careerops broker --help\`" "broker --bootstrap-file" "$B" broker --bootstrap-file
# trial 80: past long's range it was LONG_MAX in silence
expect 2 "^careerops backup: --keep 99999999999999999999: give a count of backups to keep, from 1 to 1000000" \
    "backup --keep HUGE" "$B" backup --keep 99999999999999999999 --dsn x
pw='postgresql://alice:S3cretPW@h/db'
for cmd in "relabel K OFFER --dsn" "relabel K OFFER --conninfo" "applications --dsn" \
    "backup --dsn" "restore x --dsn" "train --labels a --emails b --out c --corrections"; do
    opt=${cmd##* }
    # shellcheck disable=SC2086
    expect 2 "^error: careerops ${cmd%% *}: $opt given twice \(its values are not shown" \
        "$cmd twice" "$B" $cmd "$pw" "$opt" x
    ! grep -q S3cretPW err.txt || fail "$cmd twice shows the password: $(cat err.txt)"
done
expect 2 "given twice \(its values are not shown" "backup --dsn password= twice" \
    "$B" backup --dsn x --dsn "host=h password=S3cretPW"
! grep -q S3cretPW err.txt || fail "backup --dsn password= twice: $(cat err.txt)"
# trial 48: an upper-case key, and pairs apart by a newline
expect 2 "given twice \(its values are not shown" "backup --dsn PASSWORD= twice" \
    "$B" backup --dsn x --dsn "$(printf 'host=h\nPASSWORD=S3cretPW')"
! grep -q S3cretPW err.txt || fail "backup --dsn PASSWORD= twice: $(cat err.txt)"
echo "ok: an option given twice is named as typed; no password is echoed"
# trial 45: train --corrections printed its connection string whole
D=$CAREEROPS_SOURCE_ROOT/datasets/dev
for dsn in 'postgresql://alice:S3cretPW@127.0.0.1:1/x' 'postgresql://alice:S3cret@PW@127.0.0.1:1/x'; do
    expect 2 "^error: --corrections postgresql://alice:\*\*\*@127.0.0.1:1/x: " \
        "train --corrections $dsn" "$B" train --labels "$D/labels.csv" --emails "$D/emails" \
        --out "$t/m.json" --corrections "$dsn"
    ! grep -q S3cret err.txt || fail "train --corrections shows the password: $(cat err.txt)"
done
grep -q "percent-encode" err.txt || fail "train --corrections, ambiguous URI: $(cat err.txt)"
echo "ok: train --corrections names its connection string without the password"

# trial 56: `dlq show --offset -0:0` was read as 0:0, and extra words after
# the manifest were ignored
printf '{"pipeline":"d","stages":[{"name":"s","plugin":"mock-source","output":"a"}]}\n' > d.json
expect 2 "error: --offset '-0:0': expected P:O" "dlq show --offset -0:0" "$B" dlq show d.json --offset -0:0
expect 2 "error: unexpected argument 'extra' \(dlq list takes one MANIFEST\)" "dlq list M extra" "$B" dlq list d.json extra
echo "ok: dlq refuses a signed offset and extra words"
# trial 72: an option before archive's command was "unknown command
# '--archive'"; a NUL in a manifest string was said in jansson's words
expect 2 "^careerops archive: '--archive' comes before the command: write the command first" \
    "archive option first" "$B" archive --archive "$t/arch" ls
printf '{"pipeline":"a\\u0000b","stages":[]}' > "$t/nulstr.json"
expect 2 "nulstr.json: line 1 column [0-9]*: not valid here: a string holds .u0000 \(a NUL character\)" \
    "a NUL in a manifest string" "$B" validate "$t/nulstr.json"
echo "ok: archive's option before the command and a manifest's \\u0000 are said plainly"

# trial 59 (data loss): relabel --export overwrote any existing file (a
# manifest); /dev/full made CSV.emails/ and failed silently; a FIFO hung
# it. Refused before connecting (exit 2), the file unchanged.
cp "$t/keep.json" "$t/keep2.json"
mkfifo "$t/exp.fifo"
for e in "$t/keep2.json" /dev/full "$t/exp.fifo" "$t/nonexist/x.csv"; do
    case $e in
    *keep2.json) w="is a file that is not an earlier export: it would be overwritten" ;;
    /dev/full) w="is a device: it would be overwritten" ;;
    *fifo) w="is a named pipe" ;;
    *) w="its folder $t/nonexist does not exist" ;;
    esac
    expect 2 "^error: --export .*$w" "relabel --export $e" \
        timeout 30 "$B" relabel --export "$e" --conninfo "host=127.0.0.1 port=1"
done
cmp -s "$t/keep.json" "$t/keep2.json" || fail "relabel --export changed keep2.json"
[ ! -e /dev/full.emails ] && [ ! -e "$t/keep2.json.emails" ] || fail "relabel --export made a CSV.emails folder"
echo "ok: relabel --export refuses an existing file that is not an earlier export, a device, a FIFO, a missing folder"

# trial 59: libpq's connection errors quote the conninfo: an ESC in it
# reached the terminal
for cmd in applications relabel; do
    opt=--dsn; [ $cmd = relabel ] && opt=--conninfo
    args=(--list); [ $cmd = applications ] && args=()
    rc=0
    "$B" $cmd "${args[@]}" $opt "$(printf 'host=/nonexist\033[31mdir port=1')" > esc.out 2> esc.err || rc=$?
    [ "$rc" = 1 ] && grep -q 'cannot connect to PostgreSQL (.*/nonexist\\x1b\[31mdir' esc.err ||
        fail "$cmd $opt with an ESC: exit $rc $(cat -v esc.err)"
    ! grep -q $'\x1b' esc.err esc.out || fail "$cmd: a raw ESC reached the terminal: $(cat -v esc.err)"
done
echo "ok: applications and relabel write libpq's connection errors escaped"

# trial 59: relabel took names that look like others: a Hangul filler, a
# tag character, a trailing no-break space, only spaces
for c in "$(printf 'Saltmarsh Robotics\343\205\244')" "$(printf 'Acme\363\240\200\201')" \
         "$(printf 'Acme\302\240')" "Acme " "   "; do
    expect 2 "^error: --company (contains a control character|begins or ends with a space)" \
        "relabel --company '$(printf '%q' "$c")'" \
        "$B" relabel abcdef0123456789 OFFER --company "$c" --conninfo "host=/nonexist port=1"
done
echo "ok: relabel refuses invisible characters and names with spaces at their edges"

# trial 59: validate accepted a mailbox-source archive that is a file, a
# FIFO or a device (the run then failed after its retries), and a path ""
# (which read the manifest's folder)
printf 'From a@b Thu Jan  1 00:00:00 2026\nSubject: x\n\nx\n' > "$t/one.mbox"
mkfifo "$t/arch.fifo"
for a in /dev/full "$t/arch.fifo" "$t/keep.json" /dev/null/archive; do
    printf '{"pipeline":"ar","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s","archive":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
        "$t/one.mbox" "$a" > "$t/ar.json"
    expect 2 "config.archive: archive folder $a: .*is not a folder" "validate archive $a" "$B" validate "$t/ar.json"
done
printf '{"pipeline":"ar","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":""}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' > "$t/ar.json"
expect 2 "config.path: is empty: give the path of an existing file or folder" "validate path ''" "$B" validate "$t/ar.json"
# trial 60: a relative archive (the demo's form) was not checked at all;
# it is read from the manifest's folder, validated from anywhere
for a in keep.json keep.json/sub; do
    printf '{"pipeline":"ar","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s","archive":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
        "$t/one.mbox" "$a" > "$t/ar.json"
    expect 2 "config.archive: archive folder $t/$a: .*is not a folder" "validate relative archive $a" \
        env -C / "$B" validate "$t/ar.json"
done
sed 's/"archive":"keep.json\/sub"/"archive":"newarch"/' "$t/ar.json" > "$t/ar2.json"
env -C / "$B" validate "$t/ar2.json" > /dev/null 2>&1 || fail "a relative archive to be created refused: $("$B" validate "$t/ar2.json" 2>&1)"
# trial 61: archive "" meant .run/archive in the current folder, "~/x" a
# folder named "~"; a packed mailbox passed validate (run refused it)
# trial 62: " " made a folder named " ", "~root/x" a folder named "~root"
for a in '' '~/arch' ' ' '~root/arch'; do
    printf '{"pipeline":"ar","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s","archive":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
        "$t/one.mbox" "$a" > "$t/ar3.json"
    expect 2 "config\.archive: (is empty: leave it out|\"~/arch\" starts with ~, which nothing expands in a manifest: give the full path, e\.g\. \"\\\$\{env:HOME\}/arch\"|is only spaces: give the path|\"~root/arch\" starts with ~, .*e\.g\. \"$(getent passwd root | cut -d: -f6)/arch\")" \
        "validate archive '$a'" "$B" validate "$t/ar3.json"
done
# note 29: "~/x" in the other path fields read "./~/x" ("No such file"), or
# was not said at all when another fault stopped validate first
cat > "$t/tilde.json" <<'J'
{"pipeline":"t","secrets_dir":"~/sec","http":{"listen":"127.0.0.1:0","token_file":"~/tok"},
 "stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},
  {"name":"c","plugin":"rules-classifier","input":"a","output":"b",
   "config":{"rules_dir":"~/r","model_file":"~/m","extra_rules":["x.tsv","~/e"]}},
  {"name":"k","plugin_file":"~/x.so","input":"b"}]}
J
"$B" validate "$t/tilde.json" > /dev/null 2> "$t/tilde.err" && fail "validate passed ~ paths"
for f in 'secrets_dir: "~/sec"' 'http\.token_file: "~/tok"' '\(k\)\.plugin_file: "~/x\.so"' \
    'config\.rules_dir: "~/r"' 'config\.model_file: "~/m"' 'config\.extra_rules\[1\]: "~/e"'; do
    grep -Eq "$f starts with ~, which nothing expands in a manifest: give the full path" "$t/tilde.err" ||
        fail "no ~ hint for $f: $(cat "$t/tilde.err")"
done
grep -q '\./~' "$t/tilde.err" && fail "a ~ path read from the manifest's folder: $(cat "$t/tilde.err")"
echo "ok: every path field with ~ is refused with the full path as the fix"
# trial 65: "~nosuchuser/x" and "~+" made folders named so; " out.jsonl"
# a file named " out.jsonl"; "file://st.json" wrote /st.json
for a in '~nosuchuser-here/arch' '~+/arch' ' arch' 'arch '; do
    printf '{"pipeline":"ar","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s","archive":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
        "$t/one.mbox" "$a" > "$t/ar4.json"
    expect 2 "config\.archive: \"[^\"]*arch *\" (starts with ~, which nothing expands in a manifest \(and there is no account \"[^\"]*\" here\): give the full path, or \"\./~[^\"]*\"|starts or ends with a space: remove it)" \
        "validate archive '$a'" env -C "$t" "$B" validate ar4.json
done
[ ! -e "$t/~nosuchuser-here" ] && [ ! -e "$t/~+" ] || fail "a folder named ~...: $(ls -a "$t")"
printf '{"pipeline":"st","state":"file://st65.json","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"k","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' > "$t/st65.json"
expect 2 "state: \"file://st65\.json\": the state store's form is file:PATH, not a file:// URL: write \"file:st65\.json\"" \
    "state file://" env -C "$t" "$B" validate st65.json
[ ! -e /st65.json ] || fail "file://st65.json wrote /st65.json"
# trial 65: extra_rules was read from the current folder, not the
# manifest's (a relative single path was, a list was not)
mkdir -p "$t/rel"
cp "$CAREEROPS_SOURCE_ROOT/plugins/rules-classifier/data/phrases-nl.tsv" "$t/rel/mine.tsv"
printf '{"pipeline":"rel","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"c","plugin":"rules-classifier","input":"a","output":"b","config":{"extra_rules":["mine.tsv"]}},{"name":"k","plugin":"mock-sink","input":"b","config":{"path":"o.jsonl"}}]}\n' > "$t/rel/m.json"
env -C "$t" "$B" validate rel/m.json > /dev/null 2> "$t/rel.err" ||
    fail "extra_rules next to the manifest, validated from its parent: $(cat "$t/rel.err")"
echo "ok: ~NAME of no account, spaces at a path's ends and file:// are refused; extra_rules is read from the manifest's folder"
# trial 65: ~ where no shell expands it, on the command line and in
# CAREEROPS_ARCHIVE, made folders named "~"
printf '{"pipeline":"okm","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"k","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' > "$t/okm.json"
expect 2 "error: --bootstrap-file ~/bs starts with ~, which nothing expanded \(a shell does only at the start of a word: .*\): give the full path" \
    "run --bootstrap-file=~/bs" env -C "$t" "$B" run okm.json --bootstrap-file='~/bs'
expect 2 "archive ~/arch starts with ~, which nothing expanded" "archive init --archive=~/arch" \
    env -C "$t" "$B" archive init --archive='~/arch'
printf '{"pipeline":"ae","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
    "$t/one.mbox" > "$t/ae.json"
expect 2 "config\.archive: archive ~/arch starts with ~, which nothing expanded .*CAREEROPS_ARCHIVE='~/x'\): give the full path" \
    "CAREEROPS_ARCHIVE=~/arch" env -C "$t" CAREEROPS_ARCHIVE='~/arch' "$B" validate ae.json
[ ! -e "$t/~" ] || fail "a folder named ~: $(ls -a "$t")"
echo "ok: ~ on the command line and in CAREEROPS_ARCHIVE is refused"
# trial 65: a sink writing into the manifest (it broke it) or into the
# file: state store (--until-idle then waited for ever)
printf '{"pipeline":"col","state":"file:o65.jsonl","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"k","plugin":"console-sink","input":"a","config":{"path":"o65.jsonl"}},{"name":"k2","plugin":"console-sink","input":"a","config":{"path":"./col.json"}}]}\n' > "$t/col.json"
cp "$t/col.json" "$t/col.before"
"$B" validate "$t/col.json" > /dev/null 2> "$t/col.err" && fail "validate passed a sink writing into the manifest"
grep -q "stages\[1\] (k)\.config\.path: .*o65\.jsonl is the file: state store of \`state\`: the stage would write its records into it; give another file" "$t/col.err" &&
    grep -q "stages\[2\] (k2)\.config\.path: .*col\.json is the manifest itself" "$t/col.err" ||
    fail "a sink into the state file or the manifest: $(cat "$t/col.err")"
timeout 30 "$B" run "$t/col.json" --until-idle > /dev/null 2>&1 && fail "run passed a sink writing into the manifest"
cmp -s "$t/col.json" "$t/col.before" || fail "the manifest was written to"
echo "ok: a sink whose file is the manifest or the state file is refused"
# trial 65: a rules_dir with no tables passed validate; run's start failed
mkdir -p "$t/norules"
printf '{"pipeline":"nr","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"c","plugin":"rules-classifier","input":"a","output":"b","config":{"rules_dir":"norules"}},{"name":"k","plugin":"mock-sink","input":"b","config":{"path":"o.jsonl"}}]}\n' > "$t/nr.json"
expect 2 "stages\[1\] \(c\)\.config\.rules_dir: '[^']*norules' holds no \*\.tsv rules tables: name the folder that holds them, or leave rules_dir out for the installed ones" \
    "validate an empty rules_dir" "$B" validate "$t/nr.json"
echo "ok: a rules_dir without tables is refused by validate"
# trial 65: an output that is a link into a missing folder, or a loop of
# links, passed validate (run's start failed)
ln -sfn nowhere/x.jsonl "$t/dang.jsonl"
ln -sfn loop2 "$t/loop1"; ln -sfn loop1 "$t/loop2"
for pth in dang.jsonl loop1; do
    printf '{"pipeline":"dl","stages":[{"name":"s","plugin":"mock-source","output":"a","config":{"count":1}},{"name":"k","plugin":"console-sink","input":"a","config":{"path":"%s"}}]}\n' "$pth" > "$t/dl.json"
    expect 2 "stages\[1\] \(k\)\.config\.path: cannot write .*$pth: (its folder .*nowhere does not exist|.*Too many levels of symbolic links)" \
        "validate an output link $pth" "$B" validate "$t/dl.json"
done
echo "ok: an output through a dangling link or a loop of links is refused by validate"
ln -sfn missing/arch "$t/darch"
printf '{"pipeline":"da","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s","archive":"darch"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
    "$t/one.mbox" > "$t/da.json"
expect 2 "config\.archive: archive folder .*darch: .*darch is a link to missing/arch, which does not exist: create that folder, or give another one" \
    "validate an archive link to nowhere" "$B" validate "$t/da.json"
echo "ok: an archive folder that is a link to nowhere is refused by validate"
gzip -c "$t/one.mbox" > "$t/one.mbox.gz"
printf '{"pipeline":"gz","stages":[{"name":"src","plugin":"mailbox-source","output":"a","config":{"path":"%s"}},{"name":"out","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}\n' \
    "$t/one.mbox.gz" > "$t/gz.json"
expect 2 "config\.path: .*one\.mbox\.gz is not mail but a gzip file: unpack it first \(gunzip FILE\)" \
    "validate a gzip mailbox" "$B" validate "$t/gz.json"
# trial 63: a text file that is not mail passed validate (run refused it)
printf 'hello\nworld\n' > "$t/notes.mbox"
sed 's/one\.mbox\.gz/notes.mbox/' "$t/gz.json" > "$t/txt.json"
expect 2 "config\.path: .*notes\.mbox is not mail: it starts with neither an mbox \"From \" line nor RFC 5322 header fields .*; point it at an mbox file" \
    "validate a text file as mailbox" "$B" validate "$t/txt.json"
# trial 76: an option followed by another option has no value; dlq points
# to its --help; an offset too long for a number is refused as such
expect 2 "^dlq: option '--offset' needs a value, not the option '--set' after it \(a value that starts with -- is written --offset=VALUE\)" \
    "dlq show --offset --set" "$B" dlq show m.json --offset --set kafka.x=1
grep -q "^see \`careerops dlq --help\`" err.txt || fail "dlq: no --help pointer: $(cat err.txt)"
expect 2 "^dlq: unrecognized option '--bogus'" "dlq list --bogus" "$B" dlq list m.json --bogus
grep -q "^see \`careerops dlq --help\`" err.txt || fail "dlq --bogus: no --help pointer: $(cat err.txt)"
expect 2 "^error: --offset '0:99999999999999999999': expected P:O, a partition and an offset of at most 9 and 18 digits" "dlq show --offset 0:1e20" \
    "$B" dlq show m.json --offset 0:99999999999999999999
# trial 76: an empty manifest path is named as such
expect 2 "^error: manifest '': \(top level\): the path is empty: give the path of a pipeline manifest" \
    "validate ''" "$B" validate ''
# trial 76: the fix said once, not twice
head -c 100 /dev/zero > "$t/nul.eml"
sed 's/one\.mbox\.gz/nul.eml/' "$t/gz.json" > "$t/nul.json"
expect 2 "config\.path: .*nul\.eml is not mail: it holds 100 NUL bytes and nothing else; give an mbox file, a Maildir, or a folder of \.eml files$" \
    "validate a file of NUL bytes as mailbox" "$B" validate "$t/nul.json"
# archive init and ls on a file: refused, not a silent exit 0
(cd "$t" && expect 2 "archive folder keep\.json: it is not a folder" "archive init --archive FILE" \
    "$B" archive init --archive keep.json)
(cd "$t" && "$B" archive init --archive newarch2 > init.out && grep -q "newarch2/: created" init.out) ||
    fail "archive init said nothing: $(cat "$t/init.out")"
echo "ok: validate refuses an archive that is not a folder and an empty input path"

# trial 59: `careerops auth --help` was an error (exit 2)
"$B" auth --help > ah.out 2> ah.err || fail "auth --help: exit $? $(cat ah.err)"
grep -q '^usage: careerops auth PROVIDER' ah.out && grep -q 'providers: gmail' ah.out || fail "auth --help: $(cat ah.out)"
echo "ok: auth --help shows the providers"
