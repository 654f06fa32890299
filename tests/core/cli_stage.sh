#!/usr/bin/env bash
# --stage and the stage a command works on (a new user's trial): `eval` on a
# sink stage is refused (exit 2) naming the stages that can be evaluated,
# instead of scoring 0 and exiting 0; a source stage likewise; an unknown
# --stage is a usage error (exit 2) that lists the stage names, for every
# command taking --stage (run, eval, relabel, ask).
. "$(dirname "$0")/../common/cli.sh"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT
M=$SRC/pipelines/demo.json
all='ingest, classify, store, notify, show, dead-letters'

# eval on a labelled set of two messages
mkdir emails
head -3 "$SRC/datasets/holdout/labels.csv" >labels.csv
for f in $(tail -n +2 labels.csv | cut -d, -f1); do
    cp "$SRC/datasets/holdout/emails/$f" emails/
done
ev=("$B" eval --manifest "$M" --labels labels.csv --emails emails)
expect 2 "stage 'store': it is a sink: it emits no records.*stages that can be used: classify, notify \(all stages: $all\)" \
    "eval --stage store (a sink)" "${ev[@]}" --stage store
expect 2 "stage 'show': it is a sink" "eval --stage show (a sink)" "${ev[@]}" --stage show
expect 2 "stage 'ingest': it is a source.*stages that can be used: classify, notify" \
    "eval --stage ingest (a source)" "${ev[@]}" --stage ingest
expect 2 "stage 'nosuch': there is no such stage.*\(all stages: $all\)" \
    "eval --stage nosuch" "${ev[@]}" --stage nosuch
# a processor that is no classifier: every message fails (trial 28: exit 0
# with accuracy 0.000)
expect 2 "stage notify classified none of the 2 messages.*give --stage the pipeline's classifier stage" \
    "eval --stage notify (not a classifier)" "${ev[@]}" --stage notify
rc=0
"${ev[@]}" --stage classify --json >out.txt 2>err.txt || rc=$?
[ "$rc" = 0 ] || fail "eval --stage classify exited $rc: $(cat err.txt)"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["count"] == 2' out.txt ||
    fail "eval --stage classify: $(cat out.txt)"
# trial 60: rows naming files that are no messages blamed --stage
printf 'file,label,company,scheduled_date\n/etc/hostname,OTHER,,\n' > bad.csv
expect 2 "none of the 1 files of bad.csv is a message the stage could read .*check the labels file's paths" \
    "eval on a file that is no message" "$B" eval --manifest "$M" --labels bad.csv --emails emails --stage classify
# trial 61: a row naming a FIFO hung eval (its check opened the file)
mkfifo emails/ff.eml
printf 'file,label,company,scheduled_date\nff.eml,OTHER,,\n' > ff.csv
expect 2 "ff\.eml: cannot read: a named pipe \(FIFO\) that nothing wrote to" \
    "eval on a FIFO row" timeout 30 "$B" eval --manifest "$M" --labels ff.csv --emails emails --stage classify
rm -f emails/ff.eml
# trial 62: a row that is no message among good ones read as the stage's
# own "no event"; it is named apart (and still counts as a miss)
{ cat labels.csv; printf '/etc/hostname,OTHER,,\n'; } > mixed.csv
rc=0
"$B" eval --manifest "$M" --labels mixed.csv --emails emails --stage classify --mismatches >out.txt 2>err.txt || rc=$?
[ "$rc" = 0 ] || fail "eval with one row that is no message: exit $rc: $(cat err.txt)"
grep -q "messages: 3, .*no event: 1 (1 of them not read: unreadable or not a message" out.txt ||
    fail "eval: the row not read is not named apart: $(grep messages out.txt)"
grep -q "/etc/hostname: expected OTHER, got nothing (not read)" out.txt ||
    fail "eval --mismatches: $(grep hostname out.txt)"
"$B" eval --manifest "$M" --labels mixed.csv --emails emails --stage classify --json 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["unread"] == 1 and d["failed"] == 1, d' ||
    fail "eval --json: no \"unread\": 1"
echo "ok: eval names rows it could not read apart from the stage's misses"
# note 31: a copy of /etc/passwd was scored as OTHER ("root:x:0:0:" a
# header field to GMime), and a file listed twice was scored twice
cp /etc/passwd emails/passwd.eml
{ cat labels.csv; printf 'passwd.eml,OTHER,,\n'; sed -n 2p labels.csv; } > twice.csv
rc=0
"$B" eval --manifest "$M" --labels twice.csv --emails emails --stage classify >out.txt 2>err.txt || rc=$?
[ "$rc" = 0 ] || fail "eval with passwd and a row twice: exit $rc: $(cat err.txt)"
grep -q "passwd.eml: not a message: its first lines are not RFC 5322 header fields" err.txt ||
    fail "eval scored /etc/passwd: $(cat err.txt; grep messages out.txt)"
grep -q "twice.csv:5: $(sed -n 2p labels.csv | cut -d, -f1) is listed again (first at line 2): counted once" err.txt ||
    fail "eval: no warning for a row listed twice: $(cat err.txt)"
grep -q "messages: 3, .*(1 of them not read" out.txt || fail "eval: $(grep messages out.txt)"
{ cat labels.csv; sed -n 2p labels.csv | sed 's/,[A-Z_]*,/,OFFER,/'; } > clash.csv
[ "$(sed -n 2p labels.csv | cut -d, -f2)" != OFFER ] || fail "the first holdout row is an OFFER: pick another label"
expect 2 "clash.csv:4: .* is labelled OFFER here and [A-Z_]* at line 2: give each message one row" \
    "eval, one file with two labels" "$B" eval --manifest "$M" --labels clash.csv --emails emails --stage classify
rm -f emails/passwd.eml
echo "ok: eval refuses a file that is no mail, counts a file listed twice once, and a file with two labels is an error"
echo "ok: eval refuses sink, source and unknown stages (exit 2), naming the usable ones"

expect 2 "--stage nosuch: no such stage in .*demo.json \(stages: $all\)" \
    "run --stage nosuch" "$B" run "$M" --stage nosuch
expect 2 "--stage nosuch: no such stage" "run --stage ingest --stage nosuch" \
    "$B" run "$M" --stage ingest --stage nosuch
if [ -x "$CAREEROPS_BUILD_ROOT/tools/careerops-tools" ]; then
    expect 2 "no stage named nosuch .*stages: $all" "relabel --stage nosuch" \
        "$B" relabel somekey0 INTERVIEW --manifest "$M" --stage nosuch
fi
if "$B" --help | grep -q '^  ask '; then
    expect 2 "no stage named nosuch: name a chroma-sink stage \(stages: $all\)" \
        "ask --stage nosuch" "$B" ask "who?" --manifest "$M" --stage nosuch
fi
echo "ok: an unknown --stage exits 2 and lists the stages (run, eval, relabel, ask)"
