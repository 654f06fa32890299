#!/usr/bin/env bash
# A new user's trial: `careerops auth` without or with an unknown provider
# names the known ones (exit 2), `careerops help run` prints run's usage,
# out-of-range --brokers and --drain-timeout-ms are refused with the range,
# and a --bootstrap-file in a missing folder is written (mkdir -p) or its
# failure says why.
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

# --bootstrap-file in a folder that does not exist yet: created
"$B" broker --bootstrap-file "$t/run/careerops/bs" >bs.out 2>bs.err &
pid=$!
for _ in $(seq 100); do [ -s "$t/run/careerops/bs" ] && break; sleep 0.1; done
# (checked while the broker runs: it removes the file when it stops)
[ -s "$t/run/careerops/bs" ] || fail "bootstrap file not written: $(cat bs.err)"
grep -q 127.0.0.1 "$t/run/careerops/bs" || fail "bootstrap file: $(cat "$t/run/careerops/bs")"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
# a folder that cannot be made: the reason is named
: >"$t/afile"
expect 1 "cannot write $t/afile/bs: Not a directory" "broker --bootstrap-file under a file" \
    "$B" broker --bootstrap-file "$t/afile/bs"
echo "ok: --bootstrap-file creates its folder, or says why it cannot"
