#!/usr/bin/env bash
# ${secret:NAME} in a name that is printed in logs, metrics and graph output
# (the pipeline, a stage's name, its input/output topics) is refused by
# validate and run with the field's path; the secret's value never shows.
. "$(dirname "$0")/../integration/lib.sh"
mkdir -m 700 sec
printf 'NAMESECRET-q9z\n' > sec/n
for field in pipeline name input output; do
    p='"p7"' n='"src"' i='"a"' o='"a"' want=
    case $field in
    # (one error for the pipeline name too; session 21: a second one
    # followed, about the unexpanded text)
    pipeline) p='"${secret:n}"'; want='pipeline' ;;
    name) n='"${secret:n}"'; want='stages\[0\]\.name' ;;
    input) i='"${secret:n}"'; want='stages\[1\] \(sink\)\.input' ;;
    output) o='["${secret:n}"]'; want='stages\[0\] \(src\)\.output\[0\]' ;;
    esac
    cat > m.json <<J
{"pipeline":$p,"secrets_dir":"sec","kafka":{"bootstrap.servers":"embedded"},
 "stages":[{"name":$n,"plugin":"mock-source","output":$o,"config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":$i,"config":{"path":"o.jsonl"}}]}
J
    for cmd in validate run; do
        rc=0; timeout 30 "$B" $cmd m.json --until-idle > out.txt 2>&1 || rc=$?
        [ $cmd = run ] || { rc=0; "$B" validate m.json > out.txt 2>&1 || rc=$?; }
        [ "$rc" = 2 ] || fail "$cmd ($field): exit $rc, want 2: $(cat out.txt)"
        pat=$want
        pat="$want: .*secrets are for credentials; a stage or topic name is printed in logs"
        grep -Eq "$pat" out.txt || fail "$cmd ($field): no '$pat' in: $(cat out.txt)"
        ! grep -q NAMESECRET out.txt || fail "$cmd ($field) shows the secret: $(cat out.txt)"
    done
done
# a credential from the same file stays allowed
cat > ok.json <<'J'
{"pipeline":"p7","secrets_dir":"sec","kafka":{"bootstrap.servers":"embedded","sasl.password":"${secret:n}"},
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":1}},
           {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
"$B" validate ok.json > out.txt 2>&1 || fail "validate refused a secret password: $(cat out.txt)"
echo "ok: \${secret:} in a pipeline, stage or topic name is refused naming the field"
