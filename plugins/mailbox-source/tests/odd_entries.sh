#!/usr/bin/env bash
# mailbox-source through the real host (`careerops run --until-idle`) on
# the three faults of a new user's trial, as an unprivileged user (root
# reads files of mode 000: as root the test runs the host as `nobody` with
# setpriv, from a copy of the binary and plugins that user can read):
#  1. an unreadable Maildir file (mode 000) made the source list the
#     folder again forever at 100 % CPU and lost the message: it is a
#     dead letter naming the path, the error and the fix, and the run ends;
#  2. `ln -s . odd/self` in an .eml folder read every message 9 times:
#     each is read once, the link is named;
#  3. a FIFO, a dangling link, a link loop and a link to /dev/zero named
#     *.eml (and a FIFO in a Maildir) were passed over in silence: each is
#     named once with why, and the FIFO never blocks the source.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_LOOPBACK_ONLY=1
T=$(mktemp -d "${TMPDIR:-/tmp}/mailbox-odd.XXXXXX")
cleanup() { if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
chmod 755 "$T"
cd "$T"
B="$CAREEROPS_BIN" P="$CAREEROPS_PLUGIN_PATH" AS=()
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 ||
        { echo "SKIP: as root this test needs setpriv and the user nobody"; exit 77; }
    # build/ may be 0700: nobody runs copies
    mkdir -p bin/plugins
    cp "$B" bin/careerops
    cp "$P"/*/*.so bin/plugins/ 2>/dev/null || cp "$P"/*.so bin/plugins/
    chmod -R a+rX bin
    B=$T/bin/careerops P=$T/bin/plugins
    AS=(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups)
fi
mkdir w && cd w
msg() { printf 'From: Ada Quill <ada@quillworks.example>\nTo: me@example.net\nSubject: %s\nMessage-ID: <%s@quillworks.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\nHello %s\n' "$1" "$1" "$1"; }
mkdir -p md/cur md/new md/tmp odd sk
msg one > md/cur/1000.a:2,S
msg two > md/cur/1001.b:2,S
chmod 000 md/cur/1001.b:2,S
mkfifo md/new/1002.fifo
msg three > odd/a.eml; msg four > odd/b.eml; ln -s . odd/self
msg five > sk/a.eml; mkfifo sk/pipe.eml; ln -s /nonexistent/x.eml sk/gone.eml
ln -s loop.eml sk/loop.eml; ln -s /dev/zero sk/zero.eml
# trial 74: an mbox saved as NAME.eml in an .eml folder was read as one
# message with nothing said
mkdir -p mb
for s in six seven eight; do printf 'From ada@quillworks.example Mon Jan  5 10:00:00 2026\n'; msg $s; printf '\n'; done > mb/export.eml
# trial 75: the same with CRLF line breaks; and a message after 70 KiB of
# NUL bytes (it was cut as an over-long field, "no header fields found")
for s in nine ten; do printf 'From ada@quillworks.example Mon Jan  5 10:00:00 2026\n'; msg $s; printf '\n'; done | sed 's/$/\r/' > mb/crlf.eml
{ head -c 71680 /dev/zero; msg eleven; } > mb/padded.eml
# trial 77: a byte order mark, NULs or blank lines before the mbox hid it
{ printf '\357\273\277\0\0\n\n'; for s in twelve thirteen; do printf 'From ada@quillworks.example Mon Jan  5 10:00:00 2026\n'; msg $s; printf '\n'; done; } > mb/pre.eml
# trial 77: a Maildir inside an .eml folder was "rename them NAME.eml"
mkdir -p fm/box/cur fm/box/new fm/box/tmp
msg fourteen > fm/a.eml
msg fifteen > fm/box/cur/1700000000.M1P1.host:2,S
for n in md odd sk mb fm; do
    cat > $n.json <<J
{"pipeline":"odd$n","kafka":{"bootstrap.servers":"embedded"},"state":"memory:",
 "defaults":{"partitions":1},
 "stages":[
  {"name":"ingest","plugin":"mailbox-source","output":"raw",
   "config":{"path":"$n","archive":"arch-$n"}},
  {"name":"show","plugin":"console-sink","input":"raw","config":{"path":"out-$n.txt"}},
  {"name":"dl","plugin":"console-sink","input":"dlq_dead_letters",
   "errors":{"tolerance":"none"},
   "config":{"format":"jsonl","once":false,"path":"dl-$n.txt"}}]}
J
done
if [ ${#AS[@]} -gt 0 ]; then # nobody's folder; the unreadable file root's
    chown -R nobody .
    chown root md/cur/1001.b:2,S
fi
run() { # NAME: the pipeline to idle; it must end by itself
    set +e
    timeout 60 "${AS[@]}" env CAREEROPS_PLUGIN_PATH="$P" "$B" run "$1.json" \
        --until-idle > "run-$1.log" 2>&1
    local rc=$?
    set -e
    [ $rc = 124 ] && fail "$1: --until-idle did not end in 60 s ($(grep -c . "run-$1.log") log lines; last: $(tail -1 "run-$1.log"))"
    [ $rc = 0 ] || fail "$1: exit $rc: $(tail -3 "run-$1.log")"
}
once() { # NAME TEXT: TEXT in exactly one log line
    local c
    c=$(grep -cF -- "$2" "run-$1.log" || true)
    [ "$c" = 1 ] || fail "$1: '$2' in $c log lines, expected 1: $(cat "run-$1.log")"
}

run md
[ "$(grep -c . run-md.log)" -lt 40 ] || fail "md: $(grep -c . run-md.log) log lines"
once md '1 message read this run'
once md './md/new/1002.fifo: skipped, a pipe (FIFO), not a regular file'
grep -q 'cannot read ./md/cur/1001.b:2,S: Permission denied (EACCES)' dl-md.txt ||
    fail "md: no dead letter for the unreadable file: $(cat dl-md.txt 2>/dev/null)"
grep -q 'chmod a+r' dl-md.txt || fail "md: the dead letter does not say how to fix it"
grep -q '"key":"1001.b"' dl-md.txt || fail "md: the dead letter's key is not the Maildir key"
echo "ok: an unreadable Maildir file is a dead letter naming it, the run ends"

run odd
once odd '2 messages read this run, 0 of them'
once odd './odd/self: skipped, a symlink to the top folder, read already'
echo "ok: a symlink loop reads each message once"

run sk
once sk '1 message read this run'
once sk './sk/pipe.eml: skipped, a pipe (FIFO), not a regular file'
once sk './sk/gone.eml: skipped, a symlink to nothing'
once sk './sk/loop.eml: skipped, a symlink loop'
once sk './sk/zero.eml: skipped, a symlink to a character device (/dev/zero)'
echo "ok: each entry passed over is named once"

run mb
once mb './mb/export.eml looks like an mbox of 3 messages saved as .eml: it is read as one message'
once mb './mb/crlf.eml looks like an mbox of 2 messages saved as .eml'
once mb './mb/pre.eml looks like an mbox of 2 messages saved as .eml'
grep -q 'Subject: eleven' out-mb.txt || grep -q '"subject":"eleven"' out-mb.txt ||
    fail "mb: the message after 70 KiB of NULs was not read: $(cat dl-mb.txt 2>/dev/null)"
[ ! -s dl-mb.txt ] || fail "mb: dead letters: $(cat dl-mb.txt)"
echo "ok: an mbox saved as .eml (LF or CRLF) is said at WARN; NULs before a message are dropped"

run fm
once fm './fm: 1 file skipped because its name does not end in .eml (e.g. box/cur/1700000000.M1P1.host:2,S): box is a Maildir; give it as config.path'
! grep -q 'rename them' run-fm.log || fail "fm: a Maildir's files were to be renamed: $(grep rename run-fm.log)"
echo "ok: a Maildir inside an .eml folder is named as one"
