#!/usr/bin/env bash
# What the demo refuses at once, with the reason and the fix (trial 5):
# - --mailbox on a pipe (mkfifo, <(cat ...)) or a device (/dev/zero): an
#   error "is a pipe / a character device ... save the stream to a file
#   first", exit 2 (a wrong input) within seconds (it used to hang, or
#   name a /proc path);
# - wrong arguments (unknown flag, a missing or empty mailbox (an empty
#   --mailbox read the bundled sample into the account: trial 16), an unknown time zone
#   from --timezone or TZ (TZ=:Zone and TZ=:/zone/file are that zone), a
#   malformed --imap URL, --imap with --mailbox, --imap without its password
#   file, a password in the --imap URL (refused, shown as ***: trial 51),
#   --mailbox, --imap or --model twice, a --model that is missing, a
#   folder, no model or truncated) exit 2 with the fix, before anything is built or started (trial 7:
#   they exited 1, and --imap was checked only after the build);
# - --help from another working directory prints the usage (it said
#   "sed: can't read");
# - with PostgreSQL (CAREEROPS_TEST_PG): 1 MB of random bytes is refused as
#   "not mail" before anything is stored in the archive, exit 2 (a wrong
#   input: careerops refused it; it was 1, trial 15);
#   and a second demo on an account whose demo is running (its lock held)
#   is refused, exit 1, naming the other run's pid (trial 7: two runs read
#   the same position and wrote the same tables).
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT
export CAREEROPS_DEMO_SKIP_DEPS=1 CAREEROPS_LOOPBACK_ONLY=1
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-refuse.XXXXXX")
trap '[ "${KEEP_TMP:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# refused WHAT PATTERN ARGS...: demo.sh ARGS exits $want (2 unless set)
# within 20 s with PATTERN on stderr
refused() {
    local what=$1 pat=$2 rc=0 t0=$SECONDS want=${want:-2}
    shift 2
    timeout 20 bash "$SRC/scripts/demo.sh" --json --no-slack "$@" \
        >"$T/out" 2>"$T/err" </dev/null || rc=$?
    [ "$rc" = "$want" ] || fail "$what: exit $rc, not $want (124: it hung): $(tail -n 3 "$T/err")"
    grep -Eq -- "$pat" "$T/err" || fail "$what: no '$pat' in: $(cat "$T/err")"
    echo "ok: $what refused in $((SECONDS - t0)) s: $(tail -n 1 "$T/err")"
}
# trial 55: a --mailbox path with ESC or U+202E was echoed raw
refused "a --mailbox path with ESC and U+202E" "mailbox '.*x\\\\e\\[31mred\\?Y' not found" \
    --mailbox "$(printf '%s/x\033[31mred\342\200\256Y' "$T")"
grep -q "$(printf '\033')" "$T/err" && fail "demo.sh echoed ESC raw: $(cat -v "$T/err")"
mkfifo "$T/stream.mbox"
refused "a FIFO" "stream.mbox' is a pipe, not a regular file.*save the stream to a file first" \
    --mailbox "$T/stream.mbox"
refused "/dev/zero" "is a character device.*save the stream to a file first" --mailbox /dev/zero
refused "<(cat ...)" "is a pipe.*save the stream to a file first" \
    --mailbox <(cat "$SRC/datasets/sample-mailbox/generate.py")

refused "an unknown flag" "unknown argument '--mailbx' \\(try --help\\)" --mailbx x
refused "an empty --mailbox" "--mailbox needs a path \\(it was given an empty one\\)" --mailbox ""
refused "an empty --mailbox=" "--mailbox needs a path" --mailbox=
refused "a missing mailbox" "mailbox '$T/nope.mbox' not found" --mailbox "$T/nope.mbox"
# trial 66: a quoted ~ was read as ./~/x, "not found"
refused "a quoted ~ path" "mailbox '~/x\.mbox' starts with ~, which the shell does not expand inside quotes or after --mailbox=: write --mailbox ~/x\.mbox unquoted" \
    --mailbox '~/x.mbox'
refused "an unknown zone" "time zone 'Mars/Base' unknown" --timezone Mars/Base
refused "an empty zone" "--timezone needs a zone" --timezone ""
refused "an empty --timezone=" "--timezone needs a zone" --timezone=
# one mailbox, one model (trial 11: the second --mailbox won silently)
refused "--mailbox twice" "--mailbox given twice: the demo reads one mailbox" \
    --mailbox "$SRC/datasets/sample-mailbox/generate.py" --mailbox "$SRC/README.md"
refused "--mailbox= twice" "--mailbox given twice" \
    --mailbox="$SRC/README.md" --mailbox="$SRC/README.md"
refused "--imap twice" "--imap given twice" --imap imaps://me@a.example --imap imaps://me@b.example
refused "a missing --model" "--model '$T/nope.model' not found: give the file careerops train --out wrote" \
    --model "$T/nope.model"
refused "--model without a file" "--model needs a file" --model
refused "--account --json" "--account needs a name, not the option '--json'" --account --json
printf 'not a model\n' >"$T/junk.model"
refused "a --model that is no model" "junk.model' is not a classifier model" --model "$T/junk.model"
refused "a --model folder" "is not a regular file" --model "$T"
# trial 12: a cut model passed here (its first line only) and the stage
# failed at start; two --model flags: the second won silently
M="$CAREEROPS_BUILD_ROOT/plugins/rules-classifier/classifier.model"
head -c 4000000 "$M" >"$T/cut.model"
refused "a truncated --model" "cut.model' is truncated or corrupt.*careerops train --out FILE" --model "$T/cut.model"
head -n -1 "$M" >"$T/noend.model"
refused "a --model without its end line" "noend.model' is truncated or corrupt" --model "$T/noend.model"
refused "--model twice" "--model given twice: the demo classifies with one model" --model "$M" --model "$M"
refused "--model= twice" "--model given twice" --model="$M" --model "$M"
refused "--timezone twice" "--timezone given twice" --timezone Europe/Paris --timezone=UTC
refused "--account twice" "--account given twice" --account a@example.org --account=b@example.org
# an option where the value belongs (trial 14: --mailbox taken for the model)
refused "--model --mailbox" "--model needs a value, not the option '--mailbox'" --model --mailbox "$M"
refused "--timezone --fresh" "--timezone needs a value, not the option '--fresh'" --timezone --fresh
# TZ's forms (tzset(3)) give that zone's name, not UTC (trial 6); what
# names no zone file is refused with the fix
mkdir "$T/tz" && ln -s /usr/share/zoneinfo/Asia/Tokyo "$T/tz/localtime"
for f in :America/Denver=America/Denver America/Denver=America/Denver \
    :/usr/share/zoneinfo/Europe/Paris=Europe/Paris \
    /usr/share/zoneinfo/posix/Europe/Paris=Europe/Paris \
    ":$T/tz/localtime=Asia/Tokyo" :=UTC; do
    got=$(bash "$SRC/scripts/tz.sh" "${f%=*}") || fail "tz.sh ${f%=*}: exit $?"
    [ "$got" = "${f##*=}" ] || fail "tz.sh ${f%=*}: '$got', not '${f##*=}'"
done
if [ -L /etc/localtime ]; then
    sys=$(readlink -f /etc/localtime) && sys=${sys#/usr/share/zoneinfo/} && sys=${sys#posix/}
    [ "$(bash "$SRC/scripts/tz.sh" :/etc/localtime)" = "$sys" ] || fail "TZ=:/etc/localtime is not $sys"
fi
# trial 59: a table of the zoneinfo folder passed the demo's check
for f in zone.tab /usr/share/zoneinfo/iso3166.tab; do
    rc=0
    bash "$SRC/scripts/tz.sh" "$f" > /dev/null 2> "$T/tz.err" || rc=$?
    [ "$rc" = 2 ] && grep -q "is a file of /usr/share/zoneinfo that is not a zone" "$T/tz.err" ||
        fail "tz.sh $f: exit $rc $(cat "$T/tz.err")"
done
echo "ok: TZ=:Zone, Zone, zone-file paths and :/etc/localtime give the zone's name; a zoneinfo table is refused"
TZ=:$T/nope refused "TZ=:/a/path that is no zone file" \
    "\\\$TZ: time zone ':$T/nope' is not a zone file under /usr/share/zoneinfo.*pass --timezone" \
    --mailbox "$SRC/datasets/sample-mailbox/generate.py"
# trial 15: a right/ zone passed here and PostgreSQL refused it after the build
if [ -f /usr/share/zoneinfo/right/Europe/Paris ]; then
    refused "--timezone right/UTC" "time zone 'right/UTC' counts leap seconds.*use UTC" --timezone right/UTC
    TZ=:/usr/share/zoneinfo/right/Europe/Paris refused "TZ=a right/ zone file" \
        "counts leap seconds.*use Europe/Paris" --mailbox "$SRC/datasets/sample-mailbox/generate.py"
fi
TZ=Mars/Base refused "TZ=Mars/Base" "\\\$TZ: time zone 'Mars/Base' unknown" \
    --mailbox "$SRC/datasets/sample-mailbox/generate.py"
CAREEROPS_DEMO_NOW=2025-10-20 refused "a CAREEROPS_DEMO_NOW without a time" \
    "CAREEROPS_DEMO_NOW='2025-10-20' is not an RFC 3339 time with a zone"
CAREEROPS_DEMO_NOW=garbage refused "a CAREEROPS_DEMO_NOW that is no time" "CAREEROPS_DEMO_NOW='garbage'"
mkdir -m 700 "$T/secrets"
export CAREEROPS_DEMO_SECRETS=$T/secrets
refused "a malformed --imap URL" "use imaps://USER@HOST" --imap imap.example.com
refused "an --imap port out of range" "port '99999' is not a number from 1 to 65535" --imap imaps://me@imap.example.com:99999
refused "an --imap port that is not a number" "the word after the host's ':' is not a port" --imap imaps://me@imap.example.com:imaps/INBOX
refused "an --imap URL without a host" "no host after '@'" --imap imaps://me@:993
refused "--imap with --mailbox" "both given" --imap imaps://me@imap.example.com \
    --mailbox "$SRC/datasets/sample-mailbox/generate.py"
refused "--imap without a password" "secrets/imap_password" --imap imaps://me@imap.example.com
# trial 51: a password in the URL went on careerops' command line (the
# user "me:pw" in --set stages.ingest.config) and in these messages: it is
# refused, pointing to the password file, and shown as ***
for u in 'imaps://me:ImapSecret1@imap.example.com' 'imaps://me:ImapSecret2@host:99999' \
    'imaps://me@example.com:Imap@Secret3@imap.example.com/Jobs' 'imap.example.com:ImapSecret4@x'; do
    refused "a password in --imap $u" \
        "a password does not go in the URL.*put it in $T/secrets/imap_password" --imap "$u"
    ! grep -q ImapSecret "$T/err" || fail "--imap $u: the password printed: $(cat "$T/err")"
    grep -q ':\*\*\*@' "$T/err" || fail "--imap $u: not shown with ***: $(cat "$T/err")"
done
refused "a password without its '@' in --imap" "--imap 'imaps://me:\*\*\*': use imaps://USER@HOST" \
    --imap imaps://me:ImapSecret5
! grep -q ImapSecret "$T/err" || fail "the password printed: $(cat "$T/err")"
# trial 52 D4: a password after the host (a user before it) printed twice;
# D8: "imaps:/" with one slash suggested "imaps@..."
for u in 'imaps://me@imap.example.com:ImapSecret6' 'imaps://me@[::1]:Imap/Secret7/INBOX'; do
    refused "a password after the host in --imap $u" \
        "is not a port \\(not shown\\).*imap_password" --imap "$u"
    ! grep -q -e ImapSecret -e Secret7 "$T/err" || fail "--imap $u: the password printed: $(cat "$T/err")"
done
refused "--imap with one slash" "imaps:\\*\\*\\*@imap.example.com': write the scheme with two slashes: imaps://USER@HOST" \
    --imap 'imaps:/me:ImapSecret8@imap.example.com'
! grep -q -e ImapSecret -e 'imaps@' "$T/err" || fail "one slash: $(cat "$T/err")"
# trial 53: a password after "imaps:/" with no user, in '%' escapes of the
# user or host, in an [IPv6] literal or after it, or as a port of more
# than 5 digits was printed (or tried as a login); "imaps//" was answered
# with a fix that is no URL
for u in 'imaps:/host.example:ImapSecret9' 'imaps://me@127.0.0.1%3AImapSecret10' \
    'imaps://me@[::1:ImapSecret11]' 'imaps://alice%3AImapSecret12@127.0.0.1:993' \
    'imaps://me@host:20240815' 'imaps://me@[::1]ImapSecret13' 'imaps://me@host_x:993'; do
    refused "--imap $u" "--imap '[^']*': (write the scheme with two slashes|no '%' escapes in the user|the host is not a host name|the port after the host \(not shown)" \
        --imap "$u"
    ! grep -q -e ImapSecret -e 20240815 "$T/err" || fail "--imap $u: printed: $(cat "$T/err")"
done
refused "--imap without the scheme's colon" "a password does not go in the URL.*give --imap imaps://USER@HOST\[:PORT\]" \
    --imap 'imaps//me:ImapSecret14@host'
! grep -q -e ImapSecret -e 'imaps//me@' "$T/err" || fail "imaps//: $(cat "$T/err")"
# the accepted forms go on to the password file
for u in 'imaps://me@imap.example.com' 'imaps://me@example.com@imap.example.com:993/Jobs' \
    'imap://me@127.0.0.1:143' 'imaps://me@[::1]:993/INBOX'; do
    refused "--imap $u without a password" "secrets/imap_password" --imap "$u"
done
unset CAREEROPS_DEMO_SECRETS
[ ! -e "$T/secrets/imap_password" ] || fail "a password file appeared"

mkdir "$T/elsewhere"
rel=$(realpath --relative-to="$T/elsewhere" "$SRC")
(cd "$T/elsewhere" && bash "$rel/scripts/demo.sh" --help >"$T/help" 2>"$T/err") ||
    fail "--help from another folder: $(cat "$T/err")"
grep -q -- "--mailbox PATH" "$T/help" || fail "--help printed no usage: $(head -n 3 "$T/help")"
echo "ok: demo.sh --help from another working directory"

if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    echo "ok: (not mail: skipped, CAREEROPS_TEST_PG is not set)"
    exit 0
fi
acct="test:refuse-$$"
S="acct_$(printf '%s' "$acct" | sha256sum | cut -c1-10)" # as tests/demo/lib.sh
trap 'psql "$CAREEROPS_TEST_PG" -XqtA -c "DROP SCHEMA IF EXISTS \"$S\" CASCADE" >/dev/null 2>&1 || true
      rm -rf "$SRC/.run/demo/$S" "$T"' EXIT
head -c 1048576 /dev/urandom >"$T/big.bin"
export CAREEROPS_ARCHIVE=$T/archive
want=2 refused "1 MB of random bytes" "^demo: .*: --mailbox .*big.bin is not mail: it starts with neither an mbox" \
    --mailbox "$T/big.bin" --account "$acct" --keep-db
# the reason without the log's JSON, in the demo's option names (trial 22)
! grep -q '"level"\|config\.path' "$T/err" || fail "raw log line or config.path in: $(cat "$T/err")"
[ -z "$(find "$T/archive" -type f 2>/dev/null)" ] ||
    fail "the random bytes were archived: $(find "$T/archive" -type f)"
echo "ok: nothing archived"

mkdir -p "$SRC/.run/demo/$S"
exec 8>>"$SRC/.run/demo/$S/lock"
flock -n 8 || fail "could not take the test account's demo lock"
echo 4242 >"$SRC/.run/demo/$S/lock.pid"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/s.mbox"
want=1 refused "a second demo on one account" \
    "another demo is running on this mailbox's account \\($acct, pid 4242\\): wait for it to end or stop it \\(kill 4242\\)" \
    --mailbox "$T/s.mbox" --account "$acct" --keep-db
exec 8>&-
echo "ok: a second demo on a running account refused"
