#!/usr/bin/env bash
# `careerops plugins test` (core/plugtest.c) with the mock plugins: a match
# exits 0 whatever the key order and spacing, records a plugin fails are
# reported and emit nothing, a FATAL prints the records emitted before it,
# then the error (exit 1), a sink's output is empty, printing without
# --expect gives lines an expected file can hold; sources, names with a
# path, invalid JSONL (FILE:LINE) and a non-object --config exit 2.
# Usage: plugins_test.sh TAGGER_SO (tests/core/plugtest_plugin.c: file
# tagger.so, plugin name "tagga")
. "$(dirname "$0")/../common/cli.sh"
[ $# -eq 1 ] || fail "usage: $0 tagger.so"
tagger_so=$1
expect_rc() { # RC WHAT COMMAND...
    local want=$1 what=$2 rc=0
    shift 2
    "$@" >out.txt 2>err.txt || rc=$?
    [ "$rc" -eq "$want" ] || { cat out.txt err.txt >&2; fail "$what exited $rc, not $want"; }
}

printf '{"a":1,"b":[1,2]}\n\n{"seq":2}\n"text"\n' >in.jsonl
printf '{"b": [1, 2], "a": 1}\n{"seq":2}\n"text"\n' >same.jsonl
expect_rc 0 "a match" "$B" plugins test mock-passthrough --input in.jsonl --expect same.jsonl
expect_rc 0 "printing" "$B" plugins test mock-passthrough --input in.jsonl
cp out.txt printed.jsonl
expect_rc 0 "the printed output as expectation" \
    "$B" plugins test mock-passthrough --input in.jsonl --expect printed.jsonl
echo "ok: matches, and printed output is a valid expectation"

# a FATAL at the 2nd record: the record already emitted is printed, then
# the FATAL (stderr), exit 1; nothing after it is processed
printf '{"seq":1}\n{"seq":2}\n{"seq":3}\n' >seq.jsonl
expect_rc 1 "fatal_at 2" "$B" plugins test mock-fault --input seq.jsonl --config '{"fatal_at": 2}'
[ "$(cat out.txt)" = '{"seq":1}' ] || { cat out.txt err.txt >&2; fail "the record before the FATAL is not printed alone"; }
grep -q "seq.jsonl:2: the plugin returned FATAL: .*injected fatal error at seq 2" err.txt ||
    { cat err.txt >&2; fail "the FATAL is not reported with its line"; }
expect_rc 1 "fatal_at 2 with --expect" "$B" plugins test mock-fault --input seq.jsonl \
    --expect seq.jsonl --config '{"fatal_at": 2}'
[ "$(cat out.txt)" = '{"seq":1}' ] || { cat out.txt >&2; fail "--expect: the record before the FATAL is not printed"; }
echo "ok: a FATAL prints the records emitted before it, then the error, exit 1"

# mock-fault fails every 2nd record: reported on stderr, no output for it
printf '{"a":1,"b":[1,2]}\n"text"\n' >two.jsonl
expect_rc 0 "fail_every 2" "$B" plugins test mock-fault --input in.jsonl --expect two.jsonl \
    --config '{"fail_every": 2}'
grep -q "in.jsonl:3: the plugin failed this record" err.txt ||
    { cat err.txt >&2; fail "the failed record is not reported with its line"; }
echo "ok: a failed record is reported and emits nothing"

: >empty.jsonl
expect_rc 0 "a sink" "$B" plugins test mock-sink --input in.jsonl --expect empty.jsonl \
    --config '{"path": "sink.jsonl"}'
[ "$(wc -l <sink.jsonl)" -eq 3 ] || fail "mock-sink wrote $(wc -l <sink.jsonl) of 3 records"
expect_rc 1 "a sink against outputs" "$B" plugins test mock-sink --input in.jsonl \
    --expect same.jsonl --config '{"path": "sink2.jsonl"}'
grep -q "0 records emitted, 3 expected" out.txt || { cat out.txt >&2; fail "no count line"; }
echo "ok: sinks"

expect_rc 2 "a source" "$B" plugins test mock-source --input in.jsonl
grep -q "is a source" err.txt || fail "no source message"
# a name is looked up on the plugin path only; a path (with a '/') is a
# library file, which must exist and end in .so
expect_rc 2 "a missing path" "$B" plugins test ../../tmp/evil.so --input in.jsonl
grep -q "^error: plugins test ../../tmp/evil.so: No such file or directory" err.txt ||
    { cat err.txt >&2; fail "no message for a missing path"; }
expect_rc 2 "a path that is no .so" "$B" plugins test ./in.jsonl --input in.jsonl
grep -q "not a .so file" err.txt || { cat err.txt >&2; fail "no .so message"; }
expect_rc 2 "a name that is not plain" "$B" plugins test .hidden --input in.jsonl
grep -q "is not a plugin name" err.txt || { cat err.txt >&2; fail "no plain-name message"; }
printf '{"ok":1}\n{broken\n' >bad.jsonl
expect_rc 2 "invalid JSONL" "$B" plugins test mock-passthrough --input bad.jsonl
grep -q "bad.jsonl:2: not JSON" err.txt || { cat err.txt >&2; fail "no FILE:LINE"; }
expect_rc 2 "a non-object config" "$B" plugins test mock-passthrough --input in.jsonl --config '[1]'
expect_rc 2 "an unknown option" "$B" plugins test mock-fault --input in.jsonl --config '{"nope": 1}'
grep -q "nope" err.txt || { cat err.txt >&2; fail "the unknown option is not named"; }
# the one-stage manifest is made up: no "stages[0] (test)" in the message
grep -q "^error: plugins test --config: nope: the plugin declares no option 'nope'" err.txt ||
    { cat err.txt >&2; fail "the --config fault does not name --config"; }
! grep -q "stages\[" err.txt || { cat err.txt >&2; fail "a made-up stage path"; }
expect_rc 2 "no --input" "$B" plugins test mock-passthrough
echo "ok: bad arguments and files exit 2 with the reason"

# trial 28: a folder as --input or --expect, an --input without records,
# and a plugin that fails every record are not a silent success
mkdir -p adir
: >empty.jsonl
expect_rc 2 "--input a folder" "$B" plugins test mock-passthrough --input adir
grep -q "^error: --input adir: Is a directory" err.txt || fail "--input folder: $(cat err.txt)"
expect_rc 2 "--expect a folder" "$B" plugins test mock-passthrough --input in.jsonl --expect adir
expect_rc 2 "--input without records" "$B" plugins test mock-passthrough --input empty.jsonl
grep -q "has no records" err.txt || fail "--input empty: $(cat err.txt)"
printf '{"seq":3}\n{"seq":6}\n' >threes.jsonl
expect_rc 1 "every record failed" "$B" plugins test mock-fault --input threes.jsonl --config '{"fail_every": 3}'
grep -q "the plugin failed every record (2 dead letters" err.txt || fail "all failed: $(cat err.txt)"
# trial 29: /dev/zero as --input grew to 5.8 GB
expect_rc 2 "--input /dev/zero" timeout 30 "$B" plugins test mock-passthrough --input /dev/zero
grep -q "did not end within the size limit" err.txt || fail "--input /dev/zero: $(cat err.txt)"
echo "ok: folders, an empty --input, /dev/zero and a plugin failing every record are errors"

# trial 40: a file whose descriptor names another plugin (tagger.so calls
# itself "tagga") loads under neither name; `plugins list` showed it as if
# it were fine. It is listed as refused, with the reason and the fix.
mkdir -p plugs
cp "$tagger_so" plugs/tagger.so
CAREEROPS_PLUGIN_PATH="$PWD/plugs" "$B" plugins list >out.txt 2>err.txt ||
    fail "plugins list failed: $(cat err.txt)"
grep -q "^warning: $PWD/plugs/tagger.so: file tagger.so declares the name tagga: rename one" err.txt ||
    { cat out.txt err.txt >&2; fail "plugins list does not refuse tagger.so"; }
! grep -q "^tagga " out.txt || fail "plugins list shows tagga as a plugin: $(cat out.txt)"
grep -q "^mock-passthrough " out.txt || fail "the other plugins are no longer listed: $(cat out.txt)"
echo "ok: plugins list refuses a file named other than its plugin"

# trial 40: `plugins test ./tagger.so` advised "the stage's plugin_file",
# which plugins test has not. A path is taken, as by `plugins info`, and a
# file name without a path gets the advice that works.
cp "$tagger_so" tagger.so
printf '{"a":1}\n\n"x"\n' >tag_in.jsonl
expect_rc 0 "plugins test ./tagger.so" "$B" plugins test ./tagger.so --input tag_in.jsonl
grep -q '"offset"' out.txt || { cat out.txt err.txt >&2; fail "./tagger.so did not run"; }
expect_rc 0 "plugins test with an absolute path" "$B" plugins test "$PWD/tagger.so" --input tag_in.jsonl
expect_rc 2 "plugins test tagger.so" "$B" plugins test tagger.so --input tag_in.jsonl
grep -q "or give plugins test the library's path (one with a '/', e.g. ./tagger.so)" err.txt ||
    { cat err.txt >&2; fail "tagger.so: no advice to give the path"; }
! grep -q plugin_file err.txt || { cat err.txt >&2; fail "plugins test advises plugin_file"; }
expect_rc 2 "plugins test .hidden" "$B" plugins test .hidden --input tag_in.jsonl
! grep -q plugin_file err.txt || { cat err.txt >&2; fail "plugins test advises plugin_file"; }
echo "ok: plugins test takes a library's path, and advises it instead of plugin_file"

# trial 40: a value that is not UTF-8 (tagger.so emits "caf\xe9 \xff\xfe"
# for "latin1") was printed as null, and a diff had no + line for it. It
# is {"not_utf8_base64": BYTES}, with a note on stderr, and --expect takes
# that form back.
printf '"x"\n"latin1"\n' >l1_in.jsonl
expect_rc 0 "printing bytes that are not UTF-8" "$B" plugins test ./tagger.so --input l1_in.jsonl
[ "$(sed -n 2p out.txt)" = '{"not_utf8_base64":"Y2Fm6SD//g=="}' ] ||
    { cat out.txt err.txt >&2; fail "the bytes are not printed in base64"; }
grep -q '^note: emitted record 2 is not UTF-8' err.txt || { cat err.txt >&2; fail "no not-UTF-8 note"; }
cp out.txt l1_printed.jsonl
expect_rc 0 "the printed bytes as expectation" \
    "$B" plugins test ./tagger.so --input l1_in.jsonl --expect l1_printed.jsonl
printf '{"offset":0,"key":"1"}\n{ "not_utf8_base64" : "Y2Fm6SD//g==" }\n' >l1_same.jsonl
expect_rc 0 "the bytes written by hand" \
    "$B" plugins test ./tagger.so --input l1_in.jsonl --expect l1_same.jsonl
printf '{"key":"1","offset":0}\n"caf"\n' >l1_wrong.jsonl
expect_rc 1 "bytes against a string" "$B" plugins test ./tagger.so --input l1_in.jsonl --expect l1_wrong.jsonl
grep -qxF -- '-"caf"' out.txt && grep -qxF -- '+{"not_utf8_base64":"Y2Fm6SD//g=="}' out.txt ||
    { cat out.txt >&2; fail "the diff lacks the bytes"; }
# a JSON string holding U+0000 is read, printed and compared back
printf '"a\\u0000b"\n{"k":"x\\u0000"}\n' >nul.jsonl
expect_rc 0 "values with \\u0000" "$B" plugins test mock-passthrough --input nul.jsonl --expect nul.jsonl
expect_rc 0 "printing values with \\u0000" "$B" plugins test mock-passthrough --input nul.jsonl
cmp -s out.txt nul.jsonl || { cat out.txt err.txt >&2; fail "\\u0000 does not round-trip"; }
# trial 71: such bytes could be printed but not fed: an --input line of
# that form is the raw bytes (mock-passthrough emits them unchanged)
printf '{"not_utf8_base64":"Y2Fm6SD//g=="}\n' >raw_in.jsonl
expect_rc 0 "feeding bytes that are not UTF-8" "$B" plugins test mock-passthrough --input raw_in.jsonl --expect raw_in.jsonl
grep -q '^note: emitted record 1 is not UTF-8' err.txt || { cat err.txt >&2; fail "the fed bytes were not passed raw"; }
printf '{"not_utf8_base64":"%%%%"}\n' >raw_bad.jsonl
expect_rc 2 "not_utf8_base64 that is not base64" "$B" plugins test mock-passthrough --input raw_bad.jsonl
grep -q 'raw_bad.jsonl:1: not_utf8_base64 is not standard base64' err.txt || { cat err.txt >&2; fail "no reason for bad base64"; }
echo "ok: a value that is not UTF-8 is printed, compared and fed as {\"not_utf8_base64\": ...}"

# trial 40: every record had offset 0; they are 0, 1, 2, ... in input order
# (blank lines skipped; the key stays the line number)
printf '{"a":1}\n\n"b"\n"c"\n' >off_in.jsonl
printf '{"key":"1","offset":0}\n{"key":"3","offset":1}\n{"key":"4","offset":2}\n' >off_want.jsonl
expect_rc 0 "offsets in input order" "$B" plugins test ./tagger.so --input off_in.jsonl --expect off_want.jsonl
expect_rc 0 "a sink's offsets" "$B" plugins test mock-sink --input off_in.jsonl --expect empty.jsonl \
    --config '{"path": "off_sink.jsonl"}'
[ "$(grep -o '"offset":[0-9]*' off_sink.jsonl | tr '\n' ' ')" = '"offset":0 "offset":1 "offset":2 ' ] ||
    { cat off_sink.jsonl >&2; fail "mock-sink got offsets other than 0, 1, 2"; }
echo "ok: records get offsets 0, 1, 2, ... in input order"

# trial 40: a second --input, --expect or --config replaced the first
for opt in input expect config; do
    [ $opt = config ] && v1='{}' v2='{"x":1}' || v1=in.jsonl v2=same.jsonl
    args=(--input in.jsonl)
    [ $opt = input ] && args=()
    expect_rc 2 "--$opt twice" "$B" plugins test mock-passthrough "${args[@]}" --$opt "$v1" --$opt="$v2"
    # a config is not echoed (it may hold a key: trial 45's review)
    want="error: --$opt given twice ('$v1', then '$v2')"
    [ $opt = config ] && want="error: --config given twice: plugins test takes one JSON object"
    grep -qF -- "$want" err.txt || { cat err.txt >&2; fail "--$opt twice: no message"; }
done
echo "ok: a repeated --input, --expect or --config is refused (exit 2)"

# trial 40: a process() return outside co_status_t printed "the plugin
# returned UNKNOWN: " without the number
printf '"x"\n"status42"\n"y"\n' >st_in.jsonl
expect_rc 1 "process() returning 42" "$B" plugins test ./tagger.so --input st_in.jsonl
[ "$(cat out.txt)" = '{"key":"1","offset":0}' ] || { cat out.txt >&2; fail "42: the record before it is not printed"; }
# (the host's check of process()'s status, core/stage.c, as in `run`)
grep -qF "st_in.jsonl:2: the plugin returned FATAL: process() returned 42, not one of CO_OK, CO_RETRY, CO_FAIL, CO_FATAL" err.txt ||
    { cat err.txt >&2; fail "42: no message with the number"; }
printf '"eof"\n' >eof_in.jsonl
expect_rc 1 "process() returning CO_EOF" "$B" plugins test ./tagger.so --input eof_in.jsonl
grep -qF "eof_in.jsonl:1: the plugin returned FATAL: process() returned CO_EOF (4), which only a source's poll() may return" err.txt ||
    { cat err.txt >&2; fail "CO_EOF: no message"; }
echo "ok: a status process() may not return is named with its number"

# trial 42: a plugin that aborts on the third record: the two values it
# emitted before are on stdout, the exit status is the signal's
printf '{"n":1}\n{"n":2}\n{"n":3}\n' >ab_in.jsonl
rc=0
"$B" plugins test mock-fault --input ab_in.jsonl --config '{"abort_after":3}' >ab_out.txt 2>ab_err.txt || rc=$?
[ "$rc" = 134 ] || fail "abort() under plugins test: exit $rc, not 134"
[ "$(cat ab_out.txt)" = "$(printf '{"n":1}\n{"n":2}')" ] || fail "values before the crash: $(cat ab_out.txt)"
echo "ok: a crash under plugins test keeps the values emitted before it on stdout"

# trial 83: emit() from init() crashed the host (SIGSEGV, no producer yet),
# and a header without a name crashed it in librdkafka: both are refused
# with CO_ERR_INVAL (-1) and said once at WARN
printf '"nullheader"\n"y"\n' >nh_in.jsonl
expect_rc 0 "emit() from init() and a header without a name" env PT_EMIT_IN_INIT=1 \
    "$B" plugins test ./tagger.so --input nh_in.jsonl
grep -qF "emit() in init() returned -1" err.txt || { cat err.txt >&2; fail "emit() in init(): not refused"; }
grep -qF "emit() was called from init()" err.txt || { cat err.txt >&2; fail "emit() in init(): no WARN"; }
grep -qF "emit() was given a header without a name" err.txt || { cat err.txt >&2; fail "NULL header name: no WARN"; }
[ "$(head -1 out.txt)" = '{"refused":-1}' ] || { cat out.txt >&2; fail "NULL header name: not refused"; }
echo "ok: emit() from init() and a header without a name are refused, not a crash"
# trial 83: plugins test checked no CO_OPT_OUTPUT path (init() ran with a
# file whose folder is missing); now as validate and run check it
expect_rc 2 "an output path in a missing folder" "$B" plugins test mock-sink \
    --input nh_in.jsonl --config '{"path":"no/such/dir/x.jsonl"}'
grep -qF "path: cannot write" err.txt || { cat err.txt >&2; fail "output path: no message"; }
echo "ok: plugins test refuses an output path in a missing folder, as validate does"
expect_rc 2 "--config with a key twice" "$B" plugins test mock-passthrough --input nh_in.jsonl --config '{"a":1,"a":2}'
grep -qF "error: --config: a key appears twice" err.txt || { cat err.txt >&2; fail "--config key twice: no message"; }
echo "ok: --config with a key twice is refused"
