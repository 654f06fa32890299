#!/usr/bin/env bash
# The README's first command: CareerOps on a real mailbox, end to end.
#
#   bash scripts/demo.sh [--mailbox PATH] [--account NAME] [--json]
#                        [--timezone ZONE] [--model FILE] [--fresh] [--verbose]
#
# Installs what is missing (scripts/deps.sh), builds what the demo needs
# (meson + ninja, in build/), starts the throwaway PostgreSQL
# (scripts/pg.sh), runs pipelines/demo.json on the mailbox until everything
# is processed (mailbox-source -> rules-classifier -> postgres-sink, and
# notifier -> console-sink; dead letters kept as JSON lines), then prints a
# summary: messages, events per type, each interview with company and date
# in your time zone, dead letters with reasons, elapsed time. --json prints
# the same summary as one JSON object. Everything it started is stopped
# again (also on Ctrl-C, TERM or a cut pipe). docs/demo.md describes the
# output. Exit 0; 1 when something failed while running (the message says
# what, with the log); 2 for a wrong argument or input (a missing mailbox,
# an unknown time zone, a malformed --imap URL: nothing was built or
# started; a mailbox that is not mail is refused by the pipeline, after
# the build, with nothing read); 3 when a notification was not delivered (dead letters of the
# stage "show", e.g. Slack unreachable): the next run tries those again.
#
# --mailbox PATH  an mbox file (Google Takeout's .mbox works as it is), a
#                 Maildir or a folder of .eml files. Default: the bundled
#                 datasets/sample-mailbox/sample.mbox.
# --account NAME  whose mailbox this is. Default: the owner's address found in
#                 the mail (the most common Delivered-To, else To/Cc). The
#                 tables, reading position and "already shown" marks belong
#                 to the account, not to the path: a new export of the same
#                 mailbox elsewhere continues where the last one stopped.
# --timezone Z    IANA zone for dates (default: $TZ's zone, else UTC).
# --model FILE    classify with this model, written by careerops train --out
#                 (e.g. trained with your corrections, docs/classification.md
#                 "Corrections"), instead of the bundled one. A missing,
#                 unreadable, non-model or truncated file is refused, and
#                 so is a second --model (exit 2). The account remembers it:
#                 later runs use it without --model; --model bundled goes
#                 back to the bundled model.
# --verbose       print each notification's event key (64 hex) too.
# --fresh         forget this mailbox's emails, events, position and
#                 notifications first (otherwise a second run reads only new
#                 messages and prints no notification twice; the summary
#                 still describes the whole mailbox, from the tables). What
#                 you said yourself stays: events you corrected with
#                 careerops relabel, your decisions and company aliases.
# --keep-db       leave PostgreSQL running at the end (it is stopped if a
#                 demo started it and no other demo still runs).
# --imap URL      read an IMAP server instead of a mailbox (imap-source):
#                 imaps://USER@HOST[:PORT][/FOLDER] (or imap:// for
#                 STARTTLS); the password in secrets/imap_password (one
#                 line), never on the command line; the last 90 days.
#                 A self-signed server: its CA in secrets/imap_ca.pem.
# --no-slack      print notifications even when secrets/slack_webhook exists
#                 (by default a configured webhook makes the demo post them
#                 to Slack with slack-sink instead of printing them).
# --serve         after the summary, keep the dashboard (docs/dashboard.md)
#                 up on these tables and print its URL; Ctrl-C stops it.
#                 Without it the demo ends by itself.
#
# Environment: CAREEROPS_BIN (use this careerops binary, skip the build),
# CAREEROPS_BUILD_DIR (default build), CAREEROPS_BUILD_JOBS (ninja -j for
# the build; default ninja's own), CAREEROPS_PG_DIR / CAREEROPS_PG_PORT
# (see scripts/pg.sh), CAREEROPS_DEMO_SKIP_DEPS=1 (do not run deps.sh),
# CAREEROPS_DEMO_NOW (RFC 3339: the "now" past dates are marked against;
# default the clock), CAREEROPS_DEMO_SECRETS (the secrets folder, default
# secrets/ of the checkout), CAREEROPS_DEMO_PROGRESS_S (seconds between
# progress lines when stderr is no terminal, default 10).
set -euo pipefail
# .run holds private mail (archive, notifications, logs): owner only
umask 077

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cwd=$PWD # a relative --mailbox is relative to where the demo was started
cd "$root"
secrets=${CAREEROPS_DEMO_SECRETS:-$root/secrets} # tests: their own secrets
mkdir -p .run
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)

imap="" mailbox="" json=0 tz="" fresh=0 keep_db=0 slack=auto serve=0
account="" verbose=0 mailbox_n=0 model_file=""
# a message with the user's words made visible: ESC as \e, other control
# characters and bidirectional controls (U+200E/F, U+2028-U+202E,
# U+2066-U+2069) as '?' (trial 55: a --mailbox path with ESC or U+202E was
# echoed raw to the terminal); other UTF-8 (names with accents) kept
vis() {
    printf '%s\n' "$*" | LC_ALL=C sed -e 's/\x1b/\\e/g' -e 's/[\x01-\x08\x0b-\x1f\x7f]/?/g' \
        -e 's/\xe2\x80[\x8e\x8f\xa8-\xae]/?/g' -e 's/\xe2\x81[\xa6-\xa9]/?/g'
}
die() { vis "demo.sh: $*" >&2; exit 1; }
# a wrong argument or input: checked before anything is built or started
usage() { vis "demo.sh: $*" >&2; exit 2; }
say() { [ "$json" = 1 ] || vis "demo: $*" >&2; }
# an option where a value belongs ("--model --mailbox X" took "--mailbox"
# for the model's path; trial 14)
not_opt() {
    case "$2" in
    --*) usage "$1 needs a value, not the option '$2' (a path that starts with '--': write ./$2)" ;;
    esac
}
while [ $# -gt 0 ]; do
    case "$1" in
    --mailbox | --mailbox=*)
        [ "$mailbox_n" = 0 ] || usage "--mailbox given twice: the demo reads one mailbox; run it once per mailbox"
        if [ "$1" = --mailbox ]; then
            [ $# -ge 2 ] || usage "--mailbox needs a path"; not_opt "$1" "$2"; mailbox=$2; shift
        else
            mailbox=${1#*=}
        fi
        # an empty path (an unset "$MBOX") must not fall back to the sample
        [ -n "$mailbox" ] || usage "--mailbox needs a path (it was given an empty one); leave --mailbox out to read the bundled sample"
        mailbox_n=1; shift ;;
    --imap | --imap=*)
        [ -z "$imap" ] || usage "--imap given twice: the demo reads one server and folder; run it once per folder"
        if [ "$1" = --imap ]; then
            [ $# -ge 2 ] || usage "--imap needs a URL, e.g. imaps://me@example.com@imap.example.com"; not_opt "$1" "$2"; imap=$2; shift
        else
            imap=${1#*=}
        fi
        shift ;;
    --model | --model=*)
        [ -z "$model_file" ] || usage "--model given twice: the demo classifies with one model; give one --model"
        if [ "$1" = --model ]; then
            [ $# -ge 2 ] && [ -n "$2" ] || usage "--model needs a file written by careerops train --out FILE"
            not_opt "$1" "$2"; model_file=$2; shift
        else
            model_file=${1#*=}; [ -n "$model_file" ] || usage "--model needs a file written by careerops train --out FILE"
        fi
        shift ;;
    --json) json=1; shift ;;
    --timezone | --timezone=*) [ -z "$tz" ] || usage "--timezone given twice ('$tz' first): give one zone"
        case "$1" in --timezone=*) tz=${1#*=}; [ -n "$tz" ] || usage "--timezone needs a zone, e.g. --timezone=Europe/Paris"; shift; continue ;; esac
        [ $# -ge 2 ] && [ -n "$2" ] || usage "--timezone needs a zone, e.g. Europe/Paris"; not_opt "$1" "$2"; tz=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --keep-db) keep_db=1; shift ;;
    --no-slack) slack=0; shift ;;
    --account | --account=*) [ -z "$account" ] || usage "--account given twice ('$account' first): give one account"
        case "$1" in --account=*) account=${1#*=}; [ -n "$account" ] || usage "--account needs a name"; shift; continue ;; esac
        [ $# -ge 2 ] && [ -n "$2" ] || usage "--account needs a name, e.g. --account me@example.com"
        # "--account --json" took "--json" for the name (trial 39)
        case "$2" in --*) usage "--account needs a name, not the option '$2', e.g. --account me@example.com" ;; esac
        account=$2; shift 2 ;;
    --verbose) verbose=1; shift ;;
    --serve) serve=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$root/scripts/demo.sh" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1' (try --help)" ;;
    esac
done

# ---- the mailbox and the time zone
mailbox_given=0
[ -z "$mailbox" ] || mailbox_given=1
if [ -z "$mailbox" ]; then
    mailbox=$root/datasets/sample-mailbox/sample.mbox
    [ -f "$mailbox" ] || python3 datasets/sample-mailbox/generate.py >/dev/null
fi
# '~/x' in quotes reaches us unexpanded (trial 66: "'/cwd/~/x' not found")
case "$mailbox" in "~"*) usage "mailbox '$mailbox' starts with ~, which the shell does not expand inside quotes or after --mailbox=: write --mailbox ~/${mailbox#\~/} unquoted, or the full path (\$HOME/...)" ;; esac
case "$mailbox" in /*) ;; *) mailbox=$cwd/$mailbox ;; esac
# a pipe (<(...), mkfifo), a device or a socket would block or never end
for kind in "-p:a pipe" "-c:a character device" "-b:a block device" "-S:a socket"; do
    ! test "${kind%%:*}" "$mailbox" ||
        usage "mailbox '$mailbox' is ${kind#*:}, not a regular file, Maildir or folder: save the stream to a file first (e.g. cat ... > mail.mbox) and pass that file"
done
[ -e "$mailbox" ] || usage "mailbox '$mailbox' not found: give an mbox file, a Maildir or a folder of .eml files"
[ -r "$mailbox" ] || usage "mailbox '$mailbox' is not readable"
mailbox=$(realpath "$mailbox")
# a Google Takeout folder (Takeout/Mail/*.mbox) rather than the .mbox in it
if [ -d "$mailbox" ] && [ ! -d "$mailbox/cur" ] && [ ! -d "$mailbox/new" ] &&
    [ -z "$(find "$mailbox" -name '*.eml' -print -quit)" ]; then
    mapfile -t mboxes < <(find "$mailbox" -type f -name '*.mbox' | sort)
    if [ ${#mboxes[@]} = 1 ]; then
        mailbox=${mboxes[0]}
        say "using the mbox in that folder: $mailbox"
    elif [ ${#mboxes[@]} -gt 1 ]; then
        usage "$mailbox holds several .mbox files; pass one with --mailbox: $(printf '\n  %s' "${mboxes[@]}")"
    fi
fi
# the zone's name (scripts/tz.sh): TZ=:America/Denver, TZ=:/etc/localtime
# and zone-file paths are that zone, not UTC; what has no name is refused
. "$root/scripts/tz.sh"
if [ -n "$tz" ]; then
    # spaces around the name are no part of it (trial 88: "America/New_York "
    # pasted with a space was refused)
    tz=${tz#"${tz%%[![:space:]]*}"}
    tz=${tz%"${tz##*[![:space:]]}"}
    [ -n "$tz" ] || usage "--timezone needs a zone, e.g. Europe/Paris"
    tz=$(tz_name "$tz" 2>&1) || usage "$tz"
else
    tz=$(tz_name "${TZ:-UTC}" 2>&1) ||
        usage "\$TZ: $tz"
fi

# --model: a model written by careerops train (checked before anything is
# built or started; a relative path is relative to where the demo started)
if [ -n "$model_file" ] && [ "$model_file" != bundled ]; then
    case "$model_file" in /*) ;; *) model_file=$cwd/$model_file ;; esac
    [ -e "$model_file" ] || usage "--model '$model_file' not found: give the file careerops train --out wrote (docs/classification.md, \"Corrections\")"
    [ -f "$model_file" ] || usage "--model '$model_file' is not a regular file: give the file careerops train --out wrote"
    [ -r "$model_file" ] || usage "--model '$model_file' is not readable (chmod u+r, or run as its owner)"
    [ "$(head -c 27 "$model_file" 2>/dev/null | tr -d '\0')" = "careerops-classifier-model " ] ||
        usage "--model '$model_file' is not a classifier model (its first line is not 'careerops-classifier-model N'): give the file careerops train --out wrote"
    # read in full, as rules-classifier will (trial 12: a cut file passed
    # here and the stage failed at start): "rows N", N rows of an index and
    # one weight per label, then "end" (lib/classify, co_clf_model_save())
    awk '/^labels / && !k {k = NF - 1}
         /^rows [0-9]+$/ && !at {at = NR; n = $2; next}
         at && NR <= at + n && NF != k + 1 {bad = 1}
         {last = $0}
         END {exit !(k && at && !bad && NR == at + n + 1 && last == "end")}' "$model_file" ||
        usage "--model '$model_file' is truncated or corrupt (not the weight rows its 'rows N' line announces, then 'end'): train it again with careerops train --out FILE (docs/classification.md, \"Corrections\"), or copy it again"
    model_file=$(realpath "$model_file")
fi

# url_shown URL: URL with a password in it as *** (USER:PASSWORD@HOST, or
# HOST:WORD where WORD is no port: a password written after the host, with
# or without a user before it; then the rest too), for the demo's messages
# (trial 51, trial 52: imaps://me@host:PW printed PW). A user or host that
# is not of the accepted form is shown only up to its first ':' or '%'
# (trial 53: imaps:/host:PW, imaps://me@127.0.0.1%3APW, [::1:PW]).
url_shown() {
    local u=$1 scheme="" rest at="" auth="" hp tail="" host sep
    if [[ "$u" =~ ^[A-Za-z][A-Za-z0-9+.-]*:// ]]; then
        scheme=${u%%://*}:// rest=${u#*://}
    else
        rest=$u
    fi
    case "$rest" in *@*) at=@ auth=${rest%@*} rest=${rest##*@} ;; esac
    case "$auth" in *:*) auth="${auth%%:*}:***" ;; esac
    case "$auth" in *%*) auth="${auth%%\%*}%***" ;; esac
    hp=${rest%%/*}
    case "$rest" in */*) tail=/${rest#*/} ;; esac
    if ! [[ "$hp" =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\])(:[0-9]{1,5})?$ ]]; then
        if [[ "$hp" =~ ^\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\] ]]; then
            host=${BASH_REMATCH[0]}
        else
            host=${hp%%[:%]*}
        fi
        sep=${hp:${#host}:1}
        case "$sep" in : | %) ;; *) sep="" ;; esac
        [ "$host" = "$hp" ] || hp="$host$sep***"
        tail=""
    fi
    printf '%s%s%s%s%s' "$scheme" "$auth" "$at" "$hp" "$tail"
}
if [ -n "$imap" ]; then
    [ "$mailbox_given" = 0 ] ||
        usage "--imap and --mailbox both given: the demo reads one of them; drop one"
    imap_shown=$(url_shown "$imap")
    imap_form="imaps://USER@HOST[:PORT][/FOLDER] (imap:// for STARTTLS)"
    case "$imap" in imaps://* | imap://*) ;; imaps:* | imap:*)
        usage "--imap '$imap_shown': write the scheme with two slashes: $imap_form" ;;
    esac
    # a password in the URL: it would reach careerops' command line (ps)
    # and messages; imap-source reads the password from a secret file only
    imap_auth=${imap#*://}
    case "$imap_auth" in *@*) imap_auth=${imap_auth%@*} ;; *) imap_auth="" ;; esac
    case "$imap_auth" in *:*)
        # the URL without its password, when it is one (imaps//me:PW@host
        # is not: trial 53)
        case "$imap" in imaps://* | imap://*) imap_fix=${imap_shown/:\*\*\*@/@} ;; *) imap_fix=$imap_form ;; esac
        usage "--imap '$imap_shown': a password does not go in the URL (every local user sees a command line): put it in $secrets/imap_password (one line, chmod 600) and give --imap $imap_fix (plugins/imap-source/README.md)" ;;
    esac
    case "$imap" in imaps://*@?* | imap://*@?*) ;; *)
        usage "--imap '$imap_shown': use $imap_form" ;;
    esac
    # '%' escapes: "alice%3APW" was tried as a login and printed, a host
    # "127.0.0.1%3APW" accepted (trial 53); an '@' in the user is written
    # as is (the host is after the last '@')
    case "$imap_auth" in *%*)
        usage "--imap '$imap_shown': no '%' escapes in the user (not shown): write it as is, e.g. imaps://me@example.com@HOST (the host is after the last '@'); a password goes in $secrets/imap_password" ;;
    esac
    # the port, when given, is checked here rather than by imap-source after the build
    imap_hostport=${imap##*@}
    imap_hostport=${imap_hostport%%/*}
    [ -n "${imap_hostport%%:*}" ] ||
        usage "--imap '$imap_shown': no host after '@': use $imap_form"
    # a host name, an IPv4 address or an [IPv6] address, then :PORT or nothing
    [[ "$imap_hostport" =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\])(:.*)?$ ]] ||
        usage "--imap '$imap_shown': the host is not a host name, an IPv4 address or an [IPv6] address (no '%' escapes; not shown after its first ':' or '%'): use $imap_form; a password goes in $secrets/imap_password"
    imap_hp=${imap_hostport:${#BASH_REMATCH[1]}}
    case "$imap_hp" in
    :*)
        imap_port=${imap_hp#:}
        [[ "$imap_port" =~ ^[0-9]+$ ]] ||
            usage "--imap '$imap_shown': the word after the host's ':' is not a port (not shown): a password does not go in the URL: put it in $secrets/imap_password (one line, chmod 600)"
        [[ "$imap_port" =~ ^[0-9]{1,5}$ ]] ||
            usage "--imap '$imap_shown': the port after the host (not shown: more than 5 digits) is not a number from 1 to 65535 (993 for imaps://, 143 for imap://); a password goes in $secrets/imap_password"
        [ "$((10#$imap_port))" -ge 1 ] && [ "$((10#$imap_port))" -le 65535 ] ||
            usage "--imap '$imap_shown': port '$imap_port' is not a number from 1 to 65535 (993 for imaps://, 143 for imap://)" ;;
    esac
    [ -s "$secrets/imap_password" ] ||
        usage "--imap: put the (app) password in $secrets/imap_password (one line, chmod 600); see plugins/imap-source/README.md"
fi

if [ -n "${CAREEROPS_DEMO_NOW:-}" ]; then
    python3 -c 'import sys,datetime
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
sys.exit(0 if t.tzinfo is not None and "T" in sys.argv[1].upper() else 1)' "$CAREEROPS_DEMO_NOW" 2>/dev/null ||
        usage "CAREEROPS_DEMO_NOW='$CAREEROPS_DEMO_NOW' is not an RFC 3339 time with a zone: use e.g. 2025-10-20T09:00:00Z, or unset it for the clock"
fi

# ---- dependencies and build
if [ "${CAREEROPS_DEMO_SKIP_DEPS:-0}" != 1 ]; then
    say "checking dependencies (scripts/deps.sh)"
    bash scripts/deps.sh >&2 || die "installing dependencies failed (run: sudo bash scripts/deps.sh)"
fi
if [ -n "${CAREEROPS_BIN:-}" ]; then
    bin=$CAREEROPS_BIN
else
    bdir=${CAREEROPS_BUILD_DIR:-build}
    if [ ! -f "$bdir/build.ninja" ]; then
        say "configuring $bdir (meson setup)"
        mkdir -p .run
        meson setup "$bdir" >.run/demo-setup.log 2>&1 ||
            { tail -n 20 .run/demo-setup.log >&2; die "meson setup failed (log: .run/demo-setup.log)"; }
    fi
    say "building (ninja -C $bdir)"
    targets=(core/careerops tools/careerops-tools)
    for p in mailbox-source rules-classifier postgres-sink notifier console-sink; do
        targets+=("plugins/$p/$p.so")
    done
    # rules-classifier's learned model (a custom target, not a library):
    # without it the rules decide alone
    model=plugins/rules-classifier/classifier.model
    targets+=("$model")
    [ "$slack" = auto ] && [ -f "$secrets/slack_webhook" ] && targets+=(plugins/slack-sink/slack-sink.so)
    [ -n "$imap" ] && targets+=(plugins/imap-source/imap-source.so)
    mkdir -p .run
    # a build folder configured before a plugin folder existed does not know
    # its target yet: reconfigure once (same options)
    if ! ninja -C "$bdir" -t targets all 2>/dev/null | grep -q "^plugins/console-sink/console-sink.so:"; then
        meson setup --reconfigure "$bdir" >.run/demo-setup.log 2>&1 ||
            { tail -n 20 .run/demo-setup.log >&2; die "meson setup --reconfigure $bdir failed"; }
    fi
    # a shared machine may ask for fewer jobs (trial 82)
    jobs=()
    case ${CAREEROPS_BUILD_JOBS:-} in
    '') ;;
    *[!0-9]* | 0) die "CAREEROPS_BUILD_JOBS=${CAREEROPS_BUILD_JOBS}: give a count of build jobs, 1 or more" ;;
    *) jobs=(-j "$CAREEROPS_BUILD_JOBS") ;;
    esac
    ninja -C "$bdir" ${jobs[@]+"${jobs[@]}"} "${targets[@]}" >.run/demo-build.log 2>&1 ||
        { tail -n 30 .run/demo-build.log >&2; die "build failed (log: .run/demo-build.log)"; }
    [ -s "$bdir/$model" ] ||
        die "no learned model at $bdir/$model after the build (ninja -C $bdir $model; log: .run/demo-build.log)"
    bin=$root/$bdir/core/careerops
fi
[ -x "$bin" ] || die "no careerops binary at $bin"
# --serve's address, checked before the pipeline runs (trial 72: a bad one
# was said after the whole run, as "http.listen", a name the user never set)
if [ "$serve" = 1 ] && [ -n "${CAREEROPS_DASHBOARD_LISTEN:-}" ]; then
    why=$("$bin" validate pipelines/demo.json --set "http.listen=$CAREEROPS_DASHBOARD_LISTEN" 2>&1 >/dev/null |
        grep -m1 'http\.listen: ' | sed 's/^.*http\.listen: //') || true
    [ -z "$why" ] || usage "CAREEROPS_DASHBOARD_LISTEN '$CAREEROPS_DASHBOARD_LISTEN': $why"
fi

# ---- PostgreSQL
# what this script started is stopped at its end, also when it is
# interrupted or its output is cut (| head: SIGPIPE). Several demos (other
# accounts) share one server: each holds a shared lock on a file per
# cluster while it runs (fd 7); the last one to end stops the server, and
# only when a demo started it: the file "started" names the postmaster a
# demo started (its PID), so a server the user started, or restarted since,
# is left alone.
pg_dir=${CAREEROPS_PG_DIR:-$root/.pgdata}
pg_lock=$root/.run/demo-pg.lock
[ -z "${CAREEROPS_PG_DIR:-}" ] ||
    pg_lock=$root/.run/demo-pg-$(printf '%s' "$CAREEROPS_PG_DIR" | sha256sum | cut -c1-10).lock
pg_mark=${pg_lock%.lock}.started
# the postmaster's PID (first line of postmaster.pid), or nothing
pg_pid() { head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null || true; }
stop_pg() {
    [ "$keep_db" = 0 ] && [ "$pg_locked" = 1 ] || return 0
    # another demo still running holds its shared lock: leave the server up
    if ! flock -n -x 7; then
        [ "$(cat "$pg_mark" 2>/dev/null || true)" != "$(pg_pid)" ] ||
            say "leaving PostgreSQL running: another demo uses it (the last one to end stops it)"
        return 0
    fi
    local mine
    mine=$(cat "$pg_mark" 2>/dev/null || true)
    # stopped (a signal) while starting the server, before its mark was
    # written: this demo started it
    [ -n "$mine" ] || [ "$pg_was_up" = 1 ] || mine=$(pg_pid)
    if [ -n "$mine" ] && [ "$mine" = "$(pg_pid)" ]; then
        bash scripts/pg.sh stop >/dev/null 2>&1 || true
        rm -f "$pg_mark"
    fi
}
cleanup() {
    if [ -n "${run_pid:-}" ] && kill -0 "$run_pid" 2>/dev/null; then
        kill -TERM "$run_pid" 2>/dev/null || true
        wait "$run_pid" 2>/dev/null || true
    fi
    stop_pg
}
pg_locked=0 pg_was_up=1
trap cleanup EXIT
# Ctrl-C, TERM or HUP: before and after the pipeline, stop here; while it
# runs, ask it to stop (it finishes the records in flight, up to drain_s
# seconds, and keeps its position), print what it did and exit 128+signal;
# a second signal stops it at once (careerops' own second-signal stop,
# SIGKILL when it is not gone 3 s later; nothing is lost: what was not
# stored is read again by the next run)
drain_s=30 run_phase=0 interrupted="" int_rc=0 kill_at="" pipeline_done=0
on_signal() { # SIG EXIT_CODE
    # --serve after the summary: Ctrl-C is how it ends (trial 37 read
    # "interrupted" and exit 130)
    if [ "${serving:-0}" = 1 ]; then
        serve_stopped=1
        [ -z "${run_pid:-}" ] || kill -TERM "$run_pid" 2>/dev/null || true
        [ -z "${run_pid:-}" ] || wait "$run_pid" 2>/dev/null || true
        echo "demo.sh: dashboard stopped" >&2
        exit "${summary_rc:-0}"
    fi
    if [ "$run_phase" = 1 ] && [ -n "${run_pid:-}" ] && ! kill -0 "$run_pid" 2>/dev/null; then
        # the pipeline has just ended and the summary follows: a signal
        # now only marks the run interrupted (trial 59: a second SIGTERM
        # here said "stopped before reading the mailbox" after reading)
        [ -n "$interrupted" ] || { interrupted=$1 int_rc=$2; }
        return 0
    fi
    if [ "$run_phase" = 0 ] || [ -z "${run_pid:-}" ] || ! kill -0 "$run_pid" 2>/dev/null; then
        if [ "$pipeline_done" = 0 ]; then
            echo "interrupted: stopped before reading the mailbox; nothing was read (run again)" >&2
        else
            echo "interrupted: stopped after the pipeline; what it read is stored (run again for the summary)" >&2
        fi
        exit "$2"
    fi
    [ "${tty:-0}" = 1 ] && [ "$json" = 0 ] && printf '\r\033[K' >&2
    if [ -z "$interrupted" ]; then
        interrupted=$1 int_rc=$2
        echo "interrupted: stopping the pipeline (finishing records in flight, up to $drain_s s; Ctrl-C again stops at once)" >&2
        kill -"$1" "$run_pid" 2>/dev/null || true
    else
        echo "interrupted again: stopping the pipeline at once" >&2
        kill -"$1" "$run_pid" 2>/dev/null || true
        kill_at=$(($(now_ms) + 3000))
    fi
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal TERM 129' HUP
trap 'exit 141' PIPE
exec 7>>"$pg_lock"
# a demo ending now may be stopping the server: wait for it, then start
flock -s -w 120 7 || die "another demo holds $pg_lock for over 120 s (stopping PostgreSQL?): run again"
pg_locked=1
pg_was_up=1
bash scripts/pg.sh status >/dev/null 2>&1 || pg_was_up=0
say "starting PostgreSQL (scripts/pg.sh)"
# the server must not inherit the demo's locks (it outlives the demo)
# (one start at a time: two demos may find it stopped at once)
flock -o -w 120 "$pg_lock.start" bash scripts/pg.sh start >/dev/null 2>.run/demo-pg.log 7>&- 9>&- ||
    { cat .run/demo-pg.log >&2; die "PostgreSQL did not start"; }
[ "$pg_was_up" = 1 ] || pg_pid >"$pg_mark"
eval "$(bash scripts/pg.sh env)"
pgurl=$CAREEROPS_STATE
psql_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
[ -x "$psql_bin" ] || psql_bin=psql
# server NOTICEs ("drop cascades to ...") are noise here: warnings and up only
q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" "$psql_bin" "$pgurl" -XqtA -v ON_ERROR_STOP=1 "$@"; }
# whether postgres-sink has yet to make the demo's tables: t, f, or
# nothing when PostgreSQL does not answer
tables_missing() {
    q -c "SELECT to_regclass('\"$schema\".emails') IS NULL
        OR to_regclass('\"$schema\".events') IS NULL" 2>/dev/null || true
}

# ---- names for this mailbox: its account (the owner's address found in the
# mail, or --account), not its path, names its tables (schema) and state
# namespace; the bundled sample's account is "demo"
if [ -z "$account" ]; then
    account=$(python3 scripts/mailbox_account.py "$mailbox") || account=""
    [ -n "$account" ] ||
        say "no Delivered-To/To address in $mailbox: its state goes by its path (--account NAME names it)"
fi
# one account, one spelling (trial 70: " me@x", "me@x ", "<me@x>" and
# "Me <me@x>" each made a new account that read and notified it all again,
# and the last two lost own_addresses): the address of a "Name <addr>"
# form, without the spaces around it
if [ -n "$account" ]; then
    given_account=$account
    account=$(printf '%s' "$account" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
    case "$account" in *'<'?*'>') account=${account##*<}; account=${account%%>*} ;; esac
    account=$(printf '%s' "$account" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
    [ -n "$account" ] || usage "--account '$given_account' holds no name"
    [ "$account" = "$given_account" ] || say "account: $account (from '$given_account')"
fi
account=$(printf '%s' "$account" | tr '[:upper:]' '[:lower:]')
sample=$root/datasets/sample-mailbox/sample.mbox
if [ -z "$account" ]; then
    id=mbox_$(printf '%s' "$mailbox" | sha256sum | cut -c1-10)
elif [ -f "$sample" ] && [ "$account" = "$(python3 scripts/mailbox_account.py "$sample")" ]; then
    id=demo
else
    id=acct_$(printf '%s' "$account" | sha256sum | cut -c1-10)
fi
pipeline=demo-$id
schema=$id
run=$root/.run/demo/$id
mkdir -p "$run"
# ---- --imap: imap-source reads the server instead (own tables and state)
if [ -n "$imap" ]; then
    imap_proto=${imap%%://*} imap_rest=${imap#*://}
    imap_user=${imap_rest%@*} imap_host=${imap_rest##*@}
    imap_folder=INBOX
    case "$imap_host" in */?*) imap_folder=${imap_host#*/} ;; esac
    imap_host=${imap_host%%/*}
    id=imap_$(printf '%s' "$imap_proto://$imap_user@$imap_host/$imap_folder" | sha256sum | cut -c1-10)
    pipeline=demo-$id schema=$id run=$root/.run/demo/$id mailbox=$imap_proto://$imap_host/$imap_folder
    mkdir -p "$run"
    imap_cfg=$(python3 -c 'import json,sys; c={"url":sys.argv[1],"user":sys.argv[2],"folders":[sys.argv[3]],"since_days":90,"follow":False}
if sys.argv[4]: c["ca_file"]=sys.argv[4]
print(json.dumps(c))' "$imap_proto://$imap_host" "$imap_user" "$imap_folder" \
        "$([ -f "$secrets/imap_ca.pem" ] && echo "$secrets/imap_ca.pem")")
    imap_sets=(--set "secrets_dir=$secrets" --set stages.ingest.plugin=imap-source
               --set "stages.ingest.config=$imap_cfg")
fi
# ---- one demo at a time per account: two runs would read the same
# position and write the same tables and notifications file (a lock on a
# file of the account's folder; the kernel drops it when this shell ends,
# however it ends)
exec 9>>"$run/lock"
if ! flock -n 9; then
    other=$(cat "$run/lock.pid" 2>/dev/null || true)
    die "another demo is running on this mailbox's account (${account:-$mailbox}${other:+, pid $other}): wait for it to end${other:+ or stop it (kill $other)}, then run again"
fi
# (a full disk there: the progress line says so; the lock still holds)
echo $$ >"$run/lock.pid" 2>/dev/null || true
notif=$run/notifications.txt dlq=$run/dead-letters.jsonl log=$run/run.log
notif_shown=$run/notifications.shown

if [ "$fresh" = 1 ]; then
    # what you said yourself stays (trial 37 lost it all to DROP SCHEMA):
    # corrected events (careerops relabel) and their emails, corrections,
    # decisions (applications --decide), your own company_aliases rows;
    # everything the pipeline derived goes (the applications and the
    # automatic aliases follow the events through postgres-sink's triggers)
    say "--fresh: forgetting the emails and events of schema $schema (your corrections, decisions and company aliases stay) and the state of pipeline $pipeline"
    q -c "DO \$\$ DECLARE s text := '$schema'; BEGIN
        IF to_regclass(format('%I.events', s)) IS NOT NULL THEN
            EXECUTE format('DELETE FROM %I.events WHERE NOT (doc ? ''correction'')', s);
        END IF;
        IF to_regclass(format('%I.emails', s)) IS NOT NULL AND
           to_regclass(format('%I.events', s)) IS NOT NULL THEN
            EXECUTE format('DELETE FROM %I.emails m WHERE NOT EXISTS
                (SELECT 1 FROM %I.events e WHERE e.key = m.key)', s, s);
        ELSIF to_regclass(format('%I.emails', s)) IS NOT NULL THEN
            EXECUTE format('DELETE FROM %I.emails', s);
        END IF;
        IF to_regclass(format('%I.briefings', s)) IS NOT NULL THEN
            EXECUTE format('DELETE FROM %I.briefings', s);
        END IF;
    END \$\$" >/dev/null || die "could not empty schema $schema"
    # what was posted to Slack stays posted: slack-sink never posts an event
    # twice (trial 70: --fresh posted all 5 again); the console prints
    # again, as --fresh says
    keep_posted=""
    if [ "$slack" = auto ] && [ -f "$secrets/slack_webhook" ]; then
        keep_posted=" AND ns <> '$pipeline/show'"
        say "--fresh: what was posted to Slack is not posted again"
    fi
    q -c "DELETE FROM careerops_state WHERE ns LIKE '$pipeline/%'" 2>/dev/null || true
    q -c "DELETE FROM careerops_idempotency WHERE ns LIKE '$pipeline/%'$keep_posted" 2>/dev/null || true
    rm -f "$notif" "$notif_shown" "$dlq" "$run/mailbox.txt"
fi

# ---- an mbox position is a byte offset into one file: it is kept for a
# file at another path only when that file starts with the same bytes (a
# copy, or the same export with messages appended). Another export is read
# from the start; what is already stored or shown is not repeated (same keys).
ident=$run/mailbox.txt # path, offset, SHA-256 of the file's first offset bytes
if [ -f "$mailbox" ]; then
    last=() keep=0
    [ -f "$ident" ] && mapfile -t last <"$ident"
    if [ "${last[0]:-}" = "$mailbox" ]; then
        keep=1
    elif [ -n "${last[1]:-}" ] && [ "$(stat -c %s "$mailbox")" -ge "${last[1]}" ] &&
        [ "$(head -c "${last[1]}" "$mailbox" | sha256sum | cut -d' ' -f1)" = "${last[2]:-}" ]; then
        keep=1
        say "account ${account:-?}: $mailbox starts as ${last[0]} did; continuing at byte ${last[1]}"
    fi
    if [ "$keep" = 0 ]; then
        # said of an mbox: the position saved is that of the last mbox file
        # the account read, whatever was read since (trial 81: "39.eml is
        # another export than all.mbox" after a Maildir)
        case $mailbox in
        *.eml | *.EML) ;;
        *) [ -z "${last[0]:-}" ] ||
            say "account ${account:-?}: reading $mailbox from its start: the position saved is that of another mbox file, ${last[0]} (nothing stored or shown is repeated)" ;;
        esac
        q -c "DELETE FROM careerops_state WHERE ns = '$pipeline/ingest' AND key = 'position'" 2>/dev/null || true
    fi
fi

# ---- Slack instead of the console when a webhook is configured
sets=(--set "pipeline=$pipeline" ${imap:+"${imap_sets[@]}"})
# the emails of events you corrected (careerops relabel) are settled:
# read again (--fresh, another export) they are not classified, notified
# or posted again (trial 70: --fresh announced "Offer from ..." for an
# event corrected to OTHER, and Slack posted it twice); the source's
# skip_keys_file lists their keys (an option of every mail source, lib/mail:
# mailbox-source and imap-source alike; it refines the --imap config above)
corrected=$run/corrected.keys
q -c "SELECT key FROM \"$schema\".events WHERE doc ? 'correction' ORDER BY key" \
    >"$corrected" 2>/dev/null || : >"$corrected"
n_corr=$(grep -c . "$corrected" || true)
[ "$n_corr" = 0 ] ||
    say "$n_corr message(s) whose event you corrected stay as you corrected them (not classified again)"
sets+=(--set "stages.ingest.config.skip_keys_file=$corrected")
# the account's model: --model is remembered for the account, so that
# mail read again later (a new export of the mailbox, --fresh) is
# classified with it too (trial 37: a new export went back to the bundled
# model); --model bundled goes back to the bundled one
model_mem=$run/model.txt
model_given=0; [ -z "$model_file" ] || model_given=1 # for the summary's hint
if [ "$model_file" = bundled ]; then
    rm -f "$model_mem"
    model_file=""
    say "classifying with the bundled model (--model bundled); later runs of this account too"
elif [ -n "$model_file" ]; then
    printf '%s\n' "$model_file" >"$model_mem" 2>/dev/null ||
        say "could not write $model_mem (disk full?): the next run classifies with the bundled model unless given --model"
elif [ -f "$model_mem" ]; then
    remembered=$(head -n 1 "$model_mem")
    if [ -f "$remembered" ]; then
        model_file=$remembered model_said=1
        say "classifying with your model $model_file (given with --model on an earlier run of this account; --model bundled for the bundled one)"
    else
        say "your model $remembered (given with --model on an earlier run) is gone: classifying with the bundled one"
        rm -f "$model_mem"
    fi
fi
if [ -n "$model_file" ]; then
    [ "${model_said:-0}" = 1 ] || say "classifying with the model $model_file (--model)"
    sets+=(--set "stages.classify.config.model_file=$model_file")
fi
# the account's address is the user's own: a message from it is never an
# event of the company's (rules-classifier's own_addresses; without it the
# classifier guesses from the reply's shape, docs/classification.md "The
# user's own messages")
if printf '%s' "$account" | grep -Eq '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$'; then
    sets+=(--set "stages.classify.config.own_addresses=[\"$account\"]")
fi
to_slack=0
if [ "$slack" = auto ] && [ -f "$secrets/slack_webhook" ]; then
    say "$secrets/slack_webhook found: notifications go to Slack (slack-sink); --no-slack prints them"
    to_slack=1
    # secrets_dir once: the IMAP settings give it too (a path given twice
    # is refused)
    [ -n "$imap" ] || sets+=(--set "secrets_dir=$secrets")
    sets+=(--set stages.show.plugin=slack-sink
           --set 'stages.show.config={"webhook_url":"${secret:slack_webhook}"}')
else
    [ "$verbose" = 0 ] || sets+=(--set stages.show.config.verbose=true)
fi
# the fixed "now" past interviews are marked against (console-sink and
# slack-sink take the same option)
[ -z "${CAREEROPS_DEMO_NOW:-}" ] || sets+=(--set "stages.show.config.now=$CAREEROPS_DEMO_NOW")

# the archive: a relative CAREEROPS_ARCHIVE is relative to where the demo
# started, as `careerops archive` reads it (trial 70: the manifest's folder
# took it, pipelines/.run/x, and `careerops archive ls` found nothing)
archive=${CAREEROPS_ARCHIVE:-$root/.run/archive}
case "$archive" in /* | *://* | file:*) ;; *) archive=$cwd/$archive ;; esac

# ---- run the pipeline to the end
: >>"$notif"
: >>"$dlq"
notif_start=$(stat -c %s "$notif")
# notifications are shown from where the last summary stopped showing them
# ($notif.shown): a demo stopped after the pipeline wrote them and before
# its summary printed them shows them now, not "shown before"
notif_before=$notif_start
shown_at=$(cat "$notif_shown" 2>/dev/null || true)
case "$shown_at" in '' | *[!0-9]*) ;; *)
    [ "$shown_at" -gt "$notif_start" ] || notif_before=$shown_at ;;
esac
# recorded before the pipeline writes: a first run (or --fresh) stopped
# before its summary leaves the mark where its notifications begin
[ "$shown_at" = "$notif_before" ] || echo "$notif_before" >"$notif_shown" 2>/dev/null || true
dlq_before=$(wc -l <"$dlq")
run_start=$(q -c "SELECT now()")
say "reading $mailbox"
run_t0=$(now_ms)
# its own session: a Ctrl-C at the terminal reaches this script only, which
# forwards it once (a second SIGINT would stop careerops at once)
run_phase=1
# the archive's default, as pipelines/demo.json has it, without the
# "pipelines/.." it would be printed with
CAREEROPS_ARCHIVE=$archive \
    CAREEROPS_MAILBOX=$mailbox CAREEROPS_TZ=$tz CAREEROPS_DEMO_SCHEMA=$schema \
    CAREEROPS_NOTIFY_OUT=$notif CAREEROPS_DEMO_DLQ=$dlq \
    setsid "$bin" run pipelines/demo.json --until-idle --drain-timeout-ms $((drain_s * 1000)) \
    "${sets[@]}" 2>"$log" &
run_pid=$!

# progress: rows stored so far, from the tables (written at each commit).
# When that count stands still for 5 s, the newest warning or error the run
# logged since it last moved, in plain words (the pipeline waits and
# retries: a full disk or a stopped PostgreSQL would otherwise look like a
# slow run). The host's alerts (consumer lag while a big mailbox is read,
# pending or firing) are left out: they say the pipeline is behind, which
# the count already shows, in words a user cannot act on (trial 18)
prog_n=x prog_t=0 prog_off=0 prog_line="" prog_hist=()
plain_reason() { # OFFSET: the newest WARN/ERROR of the log from that byte
    local m where why
    m=$(tail -c +"$(($1 + 1))" "$log" 2>/dev/null | grep '"level":"\(warn\|error\)"' |
        grep -v '"msg":"alert ' | tail -n 1 |
        sed -n 's/.*"msg":"\(.*\)"}$/\1/p' | sed 's/\\"/"/g')
    [ -n "$m" ] || return 0
    # the retry bookkeeping around the reason: "source keeps failing (N):
    # gave up after 3 retries: REASON; pausing N ms"
    m=$(printf '%s' "$m" | sed -e 's/^source keeps failing ([0-9]*): //' \
        -e 's/^gave up after [0-9]* retries: //' -e 's/; pausing [0-9]* ms$//')
    case "$m" in
    *"No space left on device"*)
        where=$(printf '%s' "$m" | sed -n 's/.* in the archive \([^:]*\):.*/\1/p')
        if [ -n "$where" ]; then
            echo "waiting: the archive's disk is full (No space left on device) - free space under $where"
        else
            echo "waiting: a disk is full (No space left on device): ${m:0:160}"
        fi ;;
    *"waiting for PostgreSQL"*)
        why=$(printf '%s' "$m" | grep -o 'Connection refused\|the database system is [a-z ]*\|timeout expired\|No such file or directory' | head -n 1 || true)
        echo "waiting for PostgreSQL (${why:-not answering})" ;;
    *) echo "waiting: ${m:0:200}" ;;
    esac
}
progress() { # sets prog_line
    local n notes secs now why avail
    now=$(now_ms)
    secs=$(((now - run_t0) / 1000))
    notes=$(tail -c +$((notif_start + 1)) "$notif" 2>/dev/null | grep -c '^== ' || true)
    if n=$(q -c "SELECT count(*) FROM \"$schema\".emails WHERE updated_at >= '$run_start'" 2>/dev/null) &&
        [ -n "$n" ]; then
        prog_line="reading... $n messages stored, ${notes:-0} notifications, $secs s"
    elif [ "$(tables_missing)" = t ]; then
        n=0
        prog_line="reading... starting (nothing stored yet), $secs s"
    else
        n=""
        prog_line="reading... PostgreSQL not answering (${notes:-0} notifications so far), $secs s"
    fi
    # the log's size at each tick of the last 2 minutes: a source that
    # failed and then pauses (60 s) logged its reason before the count
    # stopped moving, so a stall looks back up to 70 s before that moment
    prog_hist+=("$now:$(stat -c %s "$log" 2>/dev/null || echo 0)")
    while [ $((now - ${prog_hist[0]%%:*})) -gt 120000 ]; do prog_hist=("${prog_hist[@]:1}"); done
    if [ "$n" != "$prog_n" ]; then
        prog_n=$n prog_t=$now prog_off=0
        if [ $((now - run_t0)) -gt 70000 ]; then
            for e in "${prog_hist[@]}"; do
                [ $((now - ${e%%:*})) -le 70000 ] && { prog_off=${e#*:}; break; }
            done
        fi
    elif [ $((now - prog_t)) -ge 5000 ]; then
        why=$(plain_reason "$prog_off")
        [ -z "$why" ] || prog_line+=" - $why"
        # a full disk under the run folder: run.log itself cannot say so
        avail=$(df --output=avail -B1 "$run" 2>/dev/null | tail -n 1 | tr -d ' ' || true)
        [ -z "$avail" ] || [ "$avail" -gt 65536 ] ||
            prog_line+=" - the disk under $run is full (run.log cannot be written): free space there"
    fi
}
tty=0
[ -t 2 ] && tty=1
last=0
ticks=0
while kill -0 "$run_pid" 2>/dev/null; do
    # poll often, so that pipeline_seconds is not rounded up to a second
    sleep 0.05 || true # (a Ctrl-C kills it too: the trap above handles it)
    ticks=$((ticks + 1))
    if [ -n "$kill_at" ] && [ "$(now_ms)" -ge "$kill_at" ]; then
        # (stderr closed meanwhile: bash would print "Killed" and the command)
        exec 6>&2 2>/dev/null
        kill -KILL "$run_pid" || true
        wait "$run_pid" || true
        exec 2>&6 6>&-
        kill_at=""
    fi
    if [ "$json" = 0 ] && [ $((ticks % 20)) = 0 ]; then
        if [ "$tty" = 1 ]; then
            progress
            printf '\rdemo: %s\033[K' "$prog_line" >&2
        elif [ $((SECONDS - last)) -ge "${CAREEROPS_DEMO_PROGRESS_S:-10}" ]; then
            progress
            echo "demo: $prog_line" >&2
            last=$SECONDS
        fi
    fi
done
rc=0
wait "$run_pid" || rc=$?
run_pid="" run_phase=0 pipeline_done=1
[ "$tty" = 1 ] && [ "$json" = 0 ] && printf '\r\033[K' >&2
# interrupted: the summary below says what was done before the stop
# log_errors LOG [input]: the log's last error lines in plain words,
# without its JSON, each "demo: ..." (with "input": in the demo's option
# names, --mailbox for config.path); fails when there is none
log_errors() {
    python3 - "$@" <<'PY'
import json, re, sys
lines = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        j = json.loads(line)
    except ValueError:
        # validate's refusals are plain "error: MANIFEST: PATH: why" lines
        # (trial 59: the reason of an exit 2 stayed in run.log)
        if line.startswith("error: "):
            j = {"level": "error", "msg": line[7:].rstrip("\n")}
        else:
            continue
    if not isinstance(j, dict):
        continue
    if j.get("level") in ("error", "fatal") and j.get("msg"):
        m = j["msg"]
        if sys.argv[2:] == ["input"]:
            # validate's "MANIFEST: stages[0] (ingest).config.path: ..." as
            # the plugin's own refusal reads: "stage ingest: --mailbox ..."
            m = re.sub(r"^.*: stages\[\d+\] \(([^)]*)\)\.config\.path: ",
                       r"stage \1: --mailbox ", m)
            m = m.replace("config.path: ", "--mailbox ").replace("config.path", "--mailbox")
        lines.append("demo: " + m)
if not lines:
    sys.exit(1)
print("\n".join(lines[-5:]))
PY
}
if [ "$rc" != 0 ] && [ -z "$interrupted" ]; then
    if [ "$rc" = 2 ]; then
        # careerops' exit 2: the manifest or an input refused before it ran
        # (a --mailbox that is not mail): a wrong input, as for demo.sh
        log_errors "$log" input >&2 || true
        usage "the pipeline refused its input (exit code 2; log: $log)"
    fi
    # the reasons in plain words (trial 51: an IMAP server that cannot be
    # reached is one of them)
    log_errors "$log" >&2 || tail -n 5 "$log" >&2
    die "the pipeline stopped with exit code $rc (log: $log)"
fi
pipeline_ms=$(($(now_ms) - run_t0))
# stopped before postgres-sink made its tables: nothing to summarise
if [ -n "$interrupted" ] && [ "$(tables_missing)" != f ]; then
    vis "interrupted: stopped before anything was stored; run again to read $mailbox" >&2
    exit "$int_rc"
fi
# the demo shows the learned classifier, never the rules alone
if grep -q 'no learned model at' "$log"; then
    grep -m 1 -o 'no learned model at [^"]*' "$log" >&2 || true
    die "rules-classifier ran without its learned model: build it (ninja -C ${CAREEROPS_BUILD_DIR:-build} plugins/rules-classifier/classifier.model) and run again (log: $log)"
fi
# an empty mailbox (empty mbox file, Maildir or folder) is no error, but it
# must not pass for a mailbox read to its end
if grep -q '"msg":"0 messages found in ' "$log"; then
    # the source's own reason when it skipped files (names not .eml)
    why=$(grep -o '"msg":"0 messages found in [^"]*skipped[^"]*' "$log" | head -n 1 || true)
    if [ -n "$why" ]; then
        why=${why#\"msg\":\"}
        vis "demo: warning: ${why//config.path/--mailbox}" >&2
    else
        vis "demo: warning: 0 messages found in $mailbox (an empty mbox file, Maildir or folder: check the path or the export)" >&2
    fi
else
    # files of an .eml folder passed over for their names, beside messages
    # read now or before (trial 72: with state from an earlier run, a folder
    # of o1, o2 ... said "nothing new" and gave no warning)
    why=$(grep -o '"msg":"[^"]* files\{0,1\} skipped because \(their names do\|its name does\) not end in \.eml[^"]*' "$log" | tail -n 1 || true)
    if [ -n "$why" ]; then
        why=${why#\"msg\":\"}
        vis "demo: warning: ${why//config.path/--mailbox}" >&2
    fi
fi
# .eml files of a folder that are mboxes of several messages, read as one
# each (trial 76: 16 messages went unclassified, said only in run.log)
mbox_eml=$(grep -c '"plugin":"mailbox-source".* looks like an mbox of [0-9]* messages saved as \.eml' "$log" || true)
{ grep -o '"msg":"[^"]* looks like an mbox of [0-9]* messages saved as \.eml: [^;"]*' "$log" || true; } |
    head -n 3 | while IFS= read -r why; do
        vis "demo: warning: ${why#\"msg\":\"}; give it as --mailbox FILE to read its messages" >&2
    done
# how many: the source's last such line ("... N files skipped because their
# names do not end in .eml ..."); the summary must not say "nothing new"
name_skipped=$(sed -n 's/.*"msg":"[^"]* \([0-9][0-9]*\) files\{0,1\} skipped because \(their names do\|its name does\) not end in \.eml.*/\1/p' "$log" | tail -n 1)
# where this file was read to, for a later export at another path
if [ -f "$mailbox" ]; then
    off=$(q -c "SELECT convert_from(value, 'UTF8')::json->>'offset' FROM careerops_state
        WHERE ns = '$pipeline/ingest' AND key = 'position'" 2>/dev/null || true)
    if [ -n "$off" ]; then
        printf '%s\n%s\n%s\n' "$mailbox" "$off" \
            "$(head -c "$off" "$mailbox" | sha256sum | cut -d' ' -f1)" >"$ident" 2>/dev/null ||
            say "could not write $ident (disk full?): a later export at another path is read from its start"
    fi
fi

# ---- the summary, from the tables, the dead-letter file and the source's
# totals line ("N messages read this run, M of them with the idempotency key
# of an earlier one", "1 message" for one): M are stored as one email with
# it, DESIGN.md's key)
read_run=0 same_key=0
totals=$(sed -n 's/.*: \([0-9]*\) messages\{0,1\} read this run, \([0-9]*\) of them with the idempotency key.*/\1 \2/p' "$log" | tail -n 1)
[ -z "$totals" ] || read -r read_run same_key <<<"$totals"
# entries of a folder the source passed over (a FIFO, a looping or dangling
# link, a device): one WARN each in run.log (trial 45: the summary said
# nothing of them)
skipped=$(grep -c '"plugin":"mailbox-source".*: skipped, ' "$log" || true)
emails=$(mktemp) events=$(mktemp)
# new: rows inserted this run (a message stored before and read again may
# update its row, e.g. its position in another export: that is not new)
q -F $'\t' -c "SELECT count(*), count(*) FILTER (WHERE inserted_at >= '$run_start'),
    count(*) FILTER (WHERE updated_at >= '$run_start') FROM \"$schema\".emails" >"$emails"
q -F $'\t' -c "SELECT event_type, count(*) FROM \"$schema\".events GROUP BY 1" >>"$events"
# interviews: the applications' (postgres-sink, docs/applications.md): one
# per time and application, a moved or cancelled slot left out; then the
# undated ones, one per company. Offers and assessments with their reply-by
# and due dates, and the rejections, one per company and date.
q -F $'\t' -c "SET TIME ZONE '$tz'" -c "SELECT 'INTERVIEW_ROW', coalesce(company,''), coalesce(role,''),
        coalesce(to_char(at, 'Dy DD Mon YYYY HH24:MI'),''),
        coalesce(to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'),''),
        coalesce(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),''),
        replace(coalesce(subject,''), E'\t', ' ')
    FROM (SELECT a.company, coalesce(e.role, a.role) AS role, (i->>'at')::timestamptz AS at, e.subject
          FROM \"$schema\".applications a
          CROSS JOIN jsonb_array_elements(a.interviews) i
          LEFT JOIN \"$schema\".events e ON e.key = i->>'event_key'
          WHERE i->>'superseded_by' IS NULL
            -- not one still ahead of an application you closed yourself
            -- (an invitation read after your WITHDRAWN; trial 37)
            AND NOT (a.status IN ('WITHDRAWN', 'DECLINED') AND (i->>'at')::timestamptz > now())
          UNION ALL
          -- an undated interview (a pick-a-time link) until a dated one of
          -- its company follows it or the company rejects (trial 20)
          (SELECT DISTINCT ON (lower(company)) company, role, NULL::timestamptz, subject
           FROM \"$schema\".events e WHERE event_type = 'INTERVIEW' AND scheduled_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM \"$schema\".events d
                   WHERE lower(d.company) = lower(e.company) AND d.received_at >= e.received_at
                     AND ((d.event_type = 'INTERVIEW' AND d.scheduled_at IS NOT NULL)
                          OR d.event_type = 'REJECTION'))
           ORDER BY lower(company), received_at, key)
          UNION ALL
          -- a dated interview that names no company has no application;
          -- listed once per time, as the notifier announces it: not a
          -- reply (its rule for company-less replies), not at the time of
          -- an application's interview (a repeat of it)
          (SELECT DISTINCT ON (scheduled_at) NULL, role, scheduled_at, subject
           FROM \"$schema\".events e
           WHERE event_type = 'INTERVIEW' AND coalesce(company, '') = ''
             AND scheduled_at IS NOT NULL AND coalesce(doc->>'unsure', '') <> 'true'
             AND NOT doc ? 'correction'
             AND coalesce(subject, '') !~* '^\\s*(re|aw|sv|vs|antw|odp|r|ref|réf) ?:'
             AND NOT EXISTS (SELECT 1 FROM \"$schema\".applications a
                   CROSS JOIN jsonb_array_elements(a.interviews) i
                   WHERE i->>'superseded_by' IS NULL
                     AND (i->>'at')::timestamptz = e.scheduled_at)
           ORDER BY scheduled_at, received_at, key)) s
    ORDER BY at NULLS LAST, company" >>"$events"
# the events as the applications name their companies: two spellings
# merged into one application (postgres-sink's company_aliases, its own or
# yours) are one company below, in the spelling the application shows
# (computed once per query: the lookups below compare every pair)
# app_status: the application's status, the user's own decision
# (ACCEPTED, DECLINED, WITHDRAWN: careerops applications --decide) included
evs_with="WITH evs AS MATERIALIZED (SELECT e.key, e.event_type, e.role, e.scheduled_at,
        e.received_at, e.doc, coalesce(a.company, e.company) AS company, a.status AS app_status
      FROM \"$schema\".events e
      LEFT JOIN LATERAL (SELECT a.company, a.status FROM \"$schema\".applications a
                  WHERE a.event_keys @> ARRAY[e.key] ORDER BY a.id LIMIT 1) a ON true
      WHERE e.event_type IN ('INTERVIEW', 'OFFER', 'ASSESSMENT', 'REJECTION'))"
# an assessment (alias $1) its company went on from: an interview or an
# offer of the same company (and role, when both name one) read after it
# and after its deadline, when it gives one (trial 81: a take-home due on 3
# December stayed listed, past, beside the interview it led to; an
# interview booked while a test is still due may run in parallel, as in
# the sample mailbox)
moved_on() {
    printf "EXISTS (SELECT 1 FROM evs n WHERE n.event_type IN ('INTERVIEW', 'OFFER')
            AND lower(n.company) = lower(%s.company) AND n.received_at > %s.received_at
            AND n.received_at > coalesce(%s.scheduled_at,
                (%s.doc->>'due_date')::date + interval '1 day', '-infinity')
            AND (coalesce(n.role, '') = '' OR coalesce(%s.role, '') = ''
                 OR lower(n.role) = lower(%s.role)))" "$1" "$1" "$1" "$1" "$1" "$1"
}
# an offer or assessment: the company's latest one that gives a date (a
# deadline extended by a later email replaces the first), each one naming
# no company apart; none after the company's rejection (trial 20)
q -F $'\t' -c "SET TIME ZONE '$tz'" -c "$evs_with SELECT DISTINCT ON (event_type, coalesce(nullif(lower(company), ''), key))
        event_type || '_ROW', coalesce(company,''), coalesce(role,''),
        coalesce(to_char(scheduled_at, 'Dy DD Mon YYYY HH24:MI'),''),
        coalesce(to_char(scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),''),
        coalesce(doc->>'due_date', ''),
        CASE WHEN doc->>'offer_call' = 'true' THEN 'call' ELSE '' END
    FROM evs e WHERE event_type IN ('OFFER', 'ASSESSMENT')
      AND coalesce(app_status, '') NOT IN ('ACCEPTED', 'DECLINED', 'WITHDRAWN')
      AND NOT (coalesce(company, '') <> '' AND EXISTS (SELECT 1 FROM evs r
            WHERE r.event_type = 'REJECTION' AND lower(r.company) = lower(e.company)
              AND r.received_at > e.received_at))
      AND NOT (event_type = 'ASSESSMENT' AND coalesce(company, '') <> '' AND $(moved_on e))
    ORDER BY event_type, coalesce(nullif(lower(company), ''), key),
        (scheduled_at IS NULL AND doc->>'due_date' IS NULL), received_at DESC, key" >>"$events"
q -F $'\t' -c "SET TIME ZONE '$tz'" -c "$evs_with SELECT DISTINCT ON (event_type, lower(company), scheduled_at)
        event_type || '_ROW', coalesce(company,''), coalesce(role,''),
        coalesce(to_char(scheduled_at, 'Dy DD Mon YYYY HH24:MI'),''),
        coalesce(to_char(scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),''), ''
    FROM evs WHERE event_type = 'REJECTION'
    ORDER BY event_type, lower(company), scheduled_at, received_at" >>"$events"
# rejections naming no company: each its own (the rows above fold them into
# one per date)
# offers and assessments left out above for a later rejection, by type:
# companies
q -F $'\t' -c "$evs_with SELECT 'CLOSED_' || event_type, count(DISTINCT lower(company)) FROM evs e
    WHERE event_type IN ('OFFER', 'ASSESSMENT') AND coalesce(company, '') <> ''
      AND EXISTS (SELECT 1 FROM evs r WHERE r.event_type = 'REJECTION'
            AND lower(r.company) = lower(e.company) AND r.received_at > e.received_at)
      AND (event_type, lower(company)) NOT IN (SELECT l.event_type, lower(l.company)
            FROM evs l WHERE l.company IS NOT NULL AND NOT EXISTS (SELECT 1 FROM evs r
                WHERE r.event_type = 'REJECTION' AND lower(r.company) = lower(l.company)
                  AND r.received_at > l.received_at))
    GROUP BY event_type" >>"$events"
# assessments left out above for a later interview or offer: companies
# (of those not rejected later), none of whose assessments is listed (the
# companies with one listed are computed once, as a hashed list: a
# correlated NOT EXISTS was planned as a loop over every pair, 47 s for
# 3,000 messages, trial 88)
q -F $'\t' -c "$evs_with SELECT 'PASSED_ASSESSMENT', count(DISTINCT lower(company)) FROM evs e
    WHERE event_type = 'ASSESSMENT' AND coalesce(company, '') <> ''
      AND coalesce(app_status, '') NOT IN ('ACCEPTED', 'DECLINED', 'WITHDRAWN')
      AND $(moved_on e)
      AND NOT EXISTS (SELECT 1 FROM evs r WHERE r.event_type = 'REJECTION'
            AND lower(r.company) = lower(e.company) AND r.received_at > e.received_at)
      AND lower(company) NOT IN (SELECT lower(l.company) FROM evs l
            WHERE l.event_type = 'ASSESSMENT' AND l.company IS NOT NULL AND NOT $(moved_on l)
            AND NOT EXISTS (SELECT 1 FROM evs r WHERE r.event_type = 'REJECTION'
                AND lower(r.company) = lower(l.company) AND r.received_at > l.received_at))" >>"$events"
# offers and assessments of applications you decided (--decide), by type:
# companies
q -F $'\t' -c "$evs_with SELECT 'DECIDED_' || event_type, count(DISTINCT lower(company)) FROM evs
    WHERE event_type IN ('OFFER', 'ASSESSMENT') AND app_status IN ('ACCEPTED', 'DECLINED', 'WITHDRAWN')
    GROUP BY event_type" >>"$events"
# the .eml files of a folder stored as emails: an earlier run's dead letter
# of one of them was fixed since (trial 77: a UTF-16 file converted as the
# dead letter said stayed listed as one); asked only when there is an
# ingest dead letter at all
if [ -s "$dlq" ] && grep -q '"careerops.error.stage":"ingest"' "$dlq"; then
    q -F $'\t' -c "SELECT DISTINCT 'EML_FILE', doc->'source'->>'file' FROM \"$schema\".emails
        WHERE doc->'source'->>'kind' = 'eml' AND doc->'source'->>'file' IS NOT NULL" >>"$events" 2>/dev/null || true
fi
# companies with an application still open: a rejection there names its
# role in the summary (trial 77: "Rejected by: Quillfeather Analytics" next
# to that company's interview for another role)
q -F $'\t' -c "SELECT DISTINCT 'OPEN_COMPANY', lower(company) FROM \"$schema\".applications
    WHERE status NOT IN ('REJECTED', 'DECLINED', 'WITHDRAWN', 'ACCEPTED')
      AND coalesce(company, '') <> ''" >>"$events" 2>/dev/null || true
q -F $'\t' -c "SELECT 'UNNAMED_REJECTIONS', count(*) FROM \"$schema\".events
    WHERE event_type = 'REJECTION' AND coalesce(company, '') = ''" >>"$events"
# notifications shown or posted for good (the show stage's idempotency
# keys): a dead letter of an earlier run for one of them is no longer a
# failure (trial 70: Slack's 410s still listed after a run posted all 5)
q -F $'\t' -c "SELECT 'DELIVERED', key FROM careerops_idempotency
    WHERE ns = '$pipeline/show' AND done_at IS NOT NULL" >>"$events" 2>/dev/null || true
# interviews the notifier announces once (plugins/notifier/README.md, "One
# interview, told once"): plain INTERVIEW events with a date. One row per
# event that repeats an interview: "firm" for an event with a company whose
# company and time an earlier one has (one announced per slot), "maybe" for
# one without a company at the time of another (a repeat only when handled
# after it); "t" when its slot holds the mailbox owner's own mail (a reply
# confirming the time)
owner=$account
case "$owner" in *@*) ;; *)
    owner=""
    if [ -n "$imap" ]; then
        case "$imap_user" in *@*) owner=$imap_user ;; esac
    else
        owner=$(python3 scripts/mailbox_account.py "$mailbox" 2>/dev/null || true)
    fi ;;
esac
q -F $'\t' -v owner="$owner" >>"$events" <<SQL
WITH p AS (
  SELECT key, scheduled_at,
         regexp_replace(lower(coalesce(company, '')), '[^[:alnum:]]', '', 'g') AS ck,
         coalesce(lower(doc->'email'->>'from') = lower(:'owner'), false) AS own
  FROM "$schema".events
  WHERE event_type = 'INTERVIEW' AND scheduled_at IS NOT NULL
    AND coalesce(doc->>'unsure', '') <> 'true' AND NOT doc ? 'correction')
SELECT 'REPEAT_ROW', CASE WHEN p.ck <> '' THEN 'firm' ELSE 'maybe' END,
       p.own OR EXISTS (SELECT 1 FROM p o WHERE o.own AND o.scheduled_at = p.scheduled_at
                        AND (o.ck = p.ck OR p.ck = '' OR o.ck = ''))
FROM p
WHERE EXISTS (SELECT 1 FROM p q WHERE q.scheduled_at = p.scheduled_at AND q.key <> p.key
              AND CASE WHEN p.ck <> '' THEN q.ck = p.ck AND q.key < p.key
                       ELSE q.ck <> '' OR q.key < p.key END);
SQL
# offers and assessments the notifier announces once per company and
# deadline (a reminder, a copy; trial 82): the events past the first
q -F $'\t' -c "SELECT 'DEADLINE_REPEATS', coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n
    FROM \"$schema\".events
    WHERE event_type IN ('OFFER', 'ASSESSMENT') AND coalesce(doc->>'unsure', '') <> 'true'
      AND NOT doc ? 'correction'
      AND regexp_replace(lower(coalesce(company, '')), '[^[:alnum:]]', '', 'g') <> ''
      AND coalesce(doc->>'scheduled_date', doc->>'due_date') IS NOT NULL
    GROUP BY event_type, regexp_replace(lower(company), '[^[:alnum:]]', '', 'g'),
        coalesce(doc->>'scheduled_date', doc->>'due_date')) g" >>"$events" 2>/dev/null || true
# Slack: what slack-sink really posted this run (it logs each post); the
# failures are this run's dead letters of the stage "show"
posted=0
[ "$to_slack" = 0 ] || posted=$(grep -c '"stage":"show".*"msg":"posted event ' "$log" || true)
end=$(now_ms)
summary_rc=0
bin_shown=$bin
case "$bin" in "$root"/*) bin_shown=${bin#"$root"/} ;; esac
DEMO_KEEP_DB=$keep_db DEMO_BIN_SHOWN=$bin_shown DEMO_SKIPPED=${skipped:-0} \
DEMO_NAME_SKIPPED=${name_skipped:-0} DEMO_MBOX_EML=${mbox_eml:-0} \
DEMO_MODEL_GIVEN=${model_given:-0} \
python3 - "$emails" "$events" "$dlq" "$dlq_before" "$notif" "$notif_before" \
    "$json" "$mailbox" "$schema" "$tz" "$t0" "$end" "$pipeline_ms" "$to_slack" \
    "$account" "${CAREEROPS_DEMO_NOW:-}" "$posted" "$read_run" "$same_key" "$interrupted" \
    "$notif_shown" <<'PY' || summary_rc=$?
import json, os, re, shlex, signal, sys
from datetime import datetime, timezone
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # output cut (| head): end quietly
(emails_f, events_f, dlq_f, dlq_before, notif_f, notif_before, as_json, mailbox,
 schema, tz, t0, end, pipeline_ms, to_slack, account, now_s, posted, read_run,
 same_key, interrupted, notif_shown) = sys.argv[1:]
read_run, same_key = int(read_run), int(same_key)
# "now", for marking past interviews: CAREEROPS_DEMO_NOW, else the clock
now = (datetime.fromisoformat(now_s.replace("Z", "+00:00")) if now_s
       else datetime.now(timezone.utc))
try:  # the user's time zone, for "today" (UTC when unknown)
    from zoneinfo import ZoneInfo
    local_tz = ZoneInfo(tz)
except Exception:
    local_tz = timezone.utc
stored, new, touched = (int(x) for x in open(emails_f).read().split())
types = ["INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
         "RECRUITER_OUTREACH", "OTHER"]
events = {t: 0 for t in types}
interviews = []
# interview events the notifier announces once per slot: "firm" repeats
# and "maybe" ones (without a company: a repeat when handled second)
rep, rep_own = {"firm": 0, "maybe": 0}, {"firm": 0, "maybe": 0}
deadlines = {"OFFER": [], "ASSESSMENT": [], "REJECTION": []}
unnamed_rejections = 0
delivered = set()  # notification keys shown or posted for good
closed = {"OFFER": 0, "ASSESSMENT": 0}  # companies left out: rejected later
decided = {"OFFER": 0, "ASSESSMENT": 0}  # ... and your own decision
open_companies, eml_files = set(), set()
passed = 0  # companies whose assessments an interview or offer followed
dl_repeats = 0  # offers / assessments repeating one's company and deadline
for line in open(events_f):
    f = line.rstrip("\n").split("\t")
    if f[0] == "DELIVERED":
        delivered.add(f[1])
    elif f[0] == "UNNAMED_REJECTIONS":
        unnamed_rejections = int(f[1])
    elif f[0] == "OPEN_COMPANY":
        open_companies.add(f[1])
    elif f[0] == "EML_FILE":
        eml_files.add(f[1])
    elif f[0] == "PASSED_ASSESSMENT":
        passed = int(f[1])
    elif f[0] in ("CLOSED_OFFER", "CLOSED_ASSESSMENT"):
        closed[f[0][7:]] = int(f[1])
    elif f[0] in ("DECIDED_OFFER", "DECIDED_ASSESSMENT"):
        decided[f[0][8:]] = int(f[1])
    elif f[0] in ("OFFER_ROW", "ASSESSMENT_ROW", "REJECTION_ROW"):
        row = {"company": f[1] or None, "role": f[2] or None,
               "when": f[3] or None, "date_utc": f[4] or None,
               # a deadline given as a day without a time
               "due_date": (f[5] if len(f) > 5 else "") or None}
        if f[0] == "OFFER_ROW":
            # the date is a call about the offer, not its deadline (the
            # event's offer_call: a calendar invitation, or a call with no
            # deadline cue before that day)
            row["call"] = len(f) > 6 and f[6] == "call"
        # a deadline gone by: its time before now, or its day before today
        # in the user's time zone
        row["past"] = bool(
            (row["date_utc"] and datetime.fromisoformat(
                row["date_utc"].replace("Z", "+00:00")) < now)
            or (not row["date_utc"] and row["due_date"]
                and row["due_date"] < now.astimezone(local_tz).strftime("%Y-%m-%d")))
        deadlines[f[0][:-4]].append(row)
    elif f[0] == "INTERVIEW_ROW":
        utc = f[5] or None
        interviews.append({"company": f[1] or None, "role": f[2] or None,
                           "date_local": f[4] or None, "date_utc": utc,
                           "when": f[3] or None, "subject": f[6],
                           "past": bool(utc) and datetime.fromisoformat(
                               utc.replace("Z", "+00:00")) < now})
    elif f[0] == "REPEAT_ROW":
        rep[f[1]] += 1
        rep_own[f[1]] += f[2] == "t"
    elif f[0] == "DEADLINE_REPEATS":
        dl_repeats = int(f[1])
    elif len(f) == 2:
        events[f[0]] = int(f[1])
# dead letters: one per (key, stage, reason), newest first kept
dead, seen, new_dead = [], set(), 0
show_failed, show_reasons = set(), []  # this run's notifications not delivered
with open(dlq_f, encoding="utf-8", errors="replace") as fh:
    for i, line in enumerate(fh):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        h = r.get("headers") or {}
        d = {"key": r.get("key"), "stage": h.get("careerops.error.stage"),
             "class": h.get("careerops.error.class"),
             "reason": h.get("careerops.error.message"),
             "topic": h.get("careerops.error.topic")}
        if i >= int(dlq_before) and d["stage"] == "show":
            show_failed.add(d["key"])
            if d["reason"] not in show_reasons:
                show_reasons.append(d["reason"])
        sig = (d["key"], d["stage"], d["reason"])
        if sig in seen:
            continue
        if d["stage"] == "show" and d["key"] in delivered and i < int(dlq_before):
            continue  # an earlier run's failure, delivered since
        if (d["stage"] == "ingest" and i < int(dlq_before) and d["key"]
                and d["key"].rsplit("/", 1)[-1] in eml_files):
            continue  # an earlier run's unreadable .eml file, read since
        seen.add(sig)
        new_dead += i >= int(dlq_before)
        dead.append(d)
# a message is read once: stored as an email, or dead-lettered before that
lost_before_store = sum(1 for d in dead if d["stage"] == "ingest" or
                        (d["topic"] == "raw_inbox_stream" and d["stage"] == "store"))
messages = stored + lost_before_store
# this run's messages: new rows, the key of an earlier message of this run
# (one row for both), dead-lettered before the store, and the rest already
# stored by an earlier run
lost_now = sum(1 for d in dead[-new_dead:] if new_dead and (
    d["stage"] == "ingest" or (d["topic"] == "raw_inbox_stream" and d["stage"] == "store")))
# the source counts the messages it emitted; the ones it dead-lettered
# itself (stage ingest: unreadable, empty) were read all the same
read_run += sum(1 for d in dead[-new_dead:] if new_dead and d["stage"] == "ingest")
if interrupted:
    # stopped before the source's totals line: the rows this run wrote
    # (same-key messages share one) and its dead letters
    read_run = touched + lost_now
seen_before = max(0, read_run - new - same_key - lost_now)
with open(notif_f, "rb") as fh:
    fh.seek(int(notif_before))
    new_raw = fh.read()
    new_blocks = new_raw.decode("utf-8", "replace")
shown_end = int(notif_before) + len(new_raw)


def mark_shown():
    """Records that the notifications up to shown_end were shown (the next
    run starts after them); a failure (disk full) only repeats them."""
    try:
        with open(notif_shown + ".tmp", "w") as fh:
            fh.write(f"{shown_end}\n")
        os.replace(notif_shown + ".tmp", notif_shown)
    except OSError:
        pass
notifs_new = sum(1 for l in new_blocks.splitlines() if l.startswith("== "))
# the notifier's "Cancelled: ..." notices are not one per event: apart
notifs_cancel = sum(1 for l in new_blocks.splitlines() if l.startswith("== Cancelled:"))
notifs_ev = notifs_new - notifs_cancel
# the repeats that account for the notifications not printed this run
to_notify = events["INTERVIEW"] + events["OFFER"] + events["ASSESSMENT"]
repeats, own_replies = rep["firm"] + dl_repeats, rep_own["firm"]
if notifs_ev + repeats != to_notify and \
        notifs_ev + repeats + rep["maybe"] == to_notify:
    repeats, own_replies = repeats + rep["maybe"], own_replies + rep_own["maybe"]
summary = {
    "mailbox": mailbox, "account": account or None, "schema": schema,
    "timezone": tz, "now": now.isoformat(timespec="seconds"),
    "messages": messages, "messages_new": new, "emails_stored": stored,
    "messages_read_run": read_run, "messages_seen_before": seen_before,
    "same_key_messages": same_key,
    "mailbox_entries_skipped": int(os.environ.get("DEMO_SKIPPED") or 0),
    # files of an .eml folder not read: their names do not end in .eml
    "mailbox_files_not_eml": int(os.environ.get("DEMO_NAME_SKIPPED") or 0),
    "mailbox_eml_mboxes": int(os.environ.get("DEMO_MBOX_EML") or 0),
    "events": events, "events_total": sum(events.values()),
    "notifications": events["INTERVIEW"] + events["OFFER"] + events["ASSESSMENT"],
    "notifications_new": notifs_new, "notifications_cancelled": notifs_cancel,
    # not printed: the same interview (company and time) as one announced;
    # own_replies of them are the owner's own mail (a reply confirming it)
    "notifications_repeated": repeats, "notifications_own_replies": own_replies,
    # of them, offers and assessments: the same company and deadline as one
    # announced (a reminder)
    "notifications_repeated_deadlines": dl_repeats,
    "interviews": interviews,
    # reply-by and due dates (a deadline, not a meeting); rejected: companies
    "offers": deadlines["OFFER"], "assessments": deadlines["ASSESSMENT"],
    # companies whose offers / assessments are left out: they rejected later
    "offers_closed": closed["OFFER"], "assessments_closed": closed["ASSESSMENT"],
    # companies whose assessments are left out: an interview or offer
    # followed them
    "assessments_passed": passed,
    # companies whose offers / assessments are left out: you decided
    "offers_decided": decided["OFFER"], "assessments_decided": decided["ASSESSMENT"],
    "rejected_by": sorted({d["company"] for d in deadlines["REJECTION"] if d["company"]}),
    # the role of each rejection by a company with an application still
    # open (another role there goes on)
    "rejected_roles": [{"company": c, "role": r} for c, r in sorted(
        {(d["company"], d["role"]) for d in deadlines["REJECTION"]
         if d["company"] and d["role"] and d["company"].lower() in open_companies})],
    # rejections whose company the classifier could not name
    "rejections_unnamed": unnamed_rejections,
    "dead_letters": len(dead), "dead_letters_new": new_dead,
    "dead_letter_list": dead,
    "notifications_file": notif_f, "dead_letters_file": dlq_f,
    "interrupted": interrupted or None,
    "pipeline_seconds": round(int(pipeline_ms) / 1000, 2),
    "elapsed_seconds": round((int(end) - int(t0)) / 1000, 2),
}
failed = len(show_failed)
summary["notifications_failed"] = failed
# not printed this run for another reason than a repeat (a reply naming no
# company, an interview cancelled or moved before its invitation was
# read); only on the run that read the whole mailbox: after earlier runs
# (stored > new) the tables also hold what those printed, which this run
# cannot tell apart (trial 25)
earlier = stored > new
summary["notifications_held_back"] = (
    max(0, to_notify - notifs_ev - min(repeats, to_notify - notifs_ev))
    if notifs_ev and not interrupted and not earlier else 0)
if to_slack == "1":
    summary["notifications_to"] = "slack"
    summary["notifications_posted"] = int(posted)
# exit 3: some notifications of this run were not delivered
rc = 3 if failed else 0
if as_json == "1":
    print(json.dumps(summary, indent=None, sort_keys=False), flush=True)
    mark_shown()
    sys.exit(rc)
out = []
if to_slack == "1":
    tried = int(posted) + failed
    line = (f"{posted} of {tried} notifications were posted to Slack" if tried else
            f"No new notifications posted to Slack this run (the {summary['notifications']} "
            f"interviews, offers and assessments stored were handled before: announced, "
            f"or held back as repeats)")
    if failed:
        reason = "; ".join(str(r) for r in show_reasons[:2])
        line += (f": {failed} dead letters (reason: {reason}); they are posted "
                 f"again on the next run")
    out.append(line + " (slack-sink; --no-slack prints them).\n")
elif new_blocks.strip():
    # in date order: the "when:" line (a scheduled date, else the email's),
    # all in the same zone; undated last
    def block_time(b):
        m = re.search(r"^  (?:when|reply by|due|call):\s+(?:no time read \(see the message\); email sent )?\w{3} (\d{1,2}) (\w{3}) "
                      r"(\d{4})(?:, (\d\d):(\d\d)| \(no time given\))", b, re.M)
        # a cancellation after the invitation it cancels (same time)
        cancel = b.lstrip().startswith("== Cancelled:")
        if not m:
            return (1, datetime.min, cancel)
        # a day without a time: at its end
        d, mo, y, hh, mm = m.groups()
        return (0, datetime.strptime(f"{d} {mo} {y} {hh or 23} {mm or 59}", "%d %b %Y %H %M"), cancel)
    blocks = sorted((b for b in new_blocks.split("\n\n") if b.strip()), key=block_time)
    out.append(f"Notifications new in this run ({len(blocks)}):\n")
    # more than 12 (a first run over old mail): the ones still ahead first,
    # then the latest of those gone by; shown in date order (trial 21)
    shown = blocks
    if len(blocks) > 12:
        now_local = now.astimezone(local_tz).replace(tzinfo=None)
        ahead = [i for i, b in enumerate(blocks)
                 if block_time(b)[0] == 0 and block_time(b)[1] >= now_local][:12]
        gone = [i for i in range(len(blocks)) if i not in ahead]
        keep = ahead + gone[len(gone) - (12 - len(ahead)):] if len(ahead) < 12 else ahead
        shown = [blocks[i] for i in sorted(keep)]
    for b in shown:
        out.append(b + "\n")
    if len(blocks) > 12:
        out.append(f"... and {len(blocks) - 12} more in {notif_f} (shown: the "
                   f"soonest still ahead, then the latest gone by)\n")
elif interrupted and summary['notifications']:
    # not "shown before": this run may have stopped before showing them
    out.append(f"No notifications were written this run before the stop "
               f"({summary['notifications']} in the tables so far; the "
               f"notifications file: {notif_f}).\n")
elif summary['notifications'] == 0:
    out.append("No notifications: no message of this mailbox called for one "
               "(an interview, an offer or an assessment).\n")
else:
    out.append(f"No new notifications this run (the {summary['notifications']} interviews, "
               f"offers and assessments stored were handled before: announced, or held "
               f"back as repeats; the notifications are in {notif_f}).\n")
w = 20


def vis(text):
    """As the shell's vis(): ESC as \\e, other controls, C1 and the
    bidirectional controls as ? (trial 59: the account and the mailbox path
    reached the terminal raw in the summary)."""
    return "".join(
        "\\e" if c == "\x1b" else
        "?" if (ord(c) < 0x20 or ord(c) == 0x7f or 0x80 <= ord(c) <= 0x9f
                or ord(c) in (0x200e, 0x200f, 0x061c)
                or 0x2028 <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069)
        else c for c in text)


if interrupted:
    out.append(f"interrupted: {read_run} messages read before the stop; "
               f"run again to read whatever is left (nothing read is lost or read twice)\n")
out.append("CareerOps demo summary")
out.append("=" * 60)
out.append(f"{'mailbox':<{w}}{vis(mailbox)}")
if account:
    out.append(f"{'account':<{w}}{vis(account)}")
parts = [f"{new} new", f"{seen_before} already seen"]
if same_key:
    parts.append(f"{same_key} with the same key as another message (stored as one)")
if lost_now:
    parts.append(f"{lost_now} dead-lettered")
if interrupted:
    out.append(f"{'messages read':<{w}}{read_run} before the stop: " + ", ".join(parts))
elif read_run == 0 and stored and not summary["mailbox_files_not_eml"]:
    # the same mailbox again: the source continued where it stopped (not
    # when files were passed over for their names: trial 72)
    out.append(f"{'messages read':<{w}}0 this run: nothing new in the mailbox "
               f"since it was last read")
    if os.environ.get("DEMO_MODEL_GIVEN") == "1":
        # trial 60: a new --model seemed to do nothing
        out.append(f"{'':<{w}}(--model classifies the mail read from now on; "
                   f"to classify this mailbox again with it, add --fresh)")
else:
    out.append(f"{'messages read':<{w}}{read_run} this run: " + ", ".join(parts))
if summary["mailbox_files_not_eml"]:
    out.append(f"{'files skipped':<{w}}{summary['mailbox_files_not_eml']} in the mailbox "
               f"folder, not read: their names do not end in .eml (rename them "
               f"NAME.eml; the warning above names one)")
if summary["mailbox_eml_mboxes"]:
    out.append(f"{'mboxes as .eml':<{w}}{summary['mailbox_eml_mboxes']} .eml file(s) of the "
               f"mailbox folder hold several messages (an mbox export): each was read "
               f"as one message; give such a file as --mailbox FILE (the warning above "
               f"names it)")
if summary["mailbox_entries_skipped"]:
    out.append(f"{'entries skipped':<{w}}{summary['mailbox_entries_skipped']} in the mailbox "
               f"folder, not messages (e.g. a pipe, a device, a dangling link, a link "
               f"to a folder read already or around the mailbox; why: the WARN "
               f"lines of run.log)")
out.append(f"{'emails stored':<{w}}{stored} in PostgreSQL schema {schema}")
out.append(f"{'events':<{w}}{summary['events_total']}")
for t in types:
    out.append(f"  {t:<{w - 2}}{events[t]:>5}")
if interrupted:
    # the tables may lag behind the notifier at a stop
    out.append(f"{'notifications':<{w}}{summary['notifications']} in the tables so far  "
               f"({notifs_new} written to {notif_f} this run)")
else:
    why = ""
    # the run that printed them: say why the others were not printed (the
    # repeats, then what the notifier held back otherwise; trial 22)
    missing = summary["notifications"] - notifs_ev
    if notifs_ev and missing > 0 and earlier:
        why = (f"; {missing} not printed this run: printed or held back by an "
               f"earlier run, or repeats of an interview already printed")
    elif notifs_ev and missing > 0:
        shown_rep = missing - summary["notifications_held_back"]
        own = min(own_replies, shown_rep)
        dl = min(summary["notifications_repeated_deadlines"], shown_rep - own)
        # the repeat of a pair of an invitation and the user's reply
        # confirming it: the one handled second (either, trial 86)
        parts = [(own, "your own reply or the invitation it confirms (the other "
                       "of the two printed)" if own == 1 else
                       "your own replies or the invitations they confirm (the "
                       "other of each pair printed)"),
                 (shown_rep - own - dl, "the same interview (company and time) as one already printed"),
                 (dl, "the same offer or assessment (company and deadline) as one already printed"),
                 (missing - shown_rep, "held back by the notifier (a reply naming no company, "
                                       "or an interview cancelled or moved before its invitation "
                                       "was read)")]
        parts = [(k, t) for k, t in parts if k]
        why = f"; {missing} not printed: " + (parts[0][1] if len(parts) == 1 else
                                               ", ".join(f"{k} {t}" for k, t in parts))
    # the cancellation notices apart, so that printed + not printed is the
    # total (trial 36 read "6 (5 printed; 2 not printed ...)")
    cancel = ""
    if notifs_cancel:
        cancel = (f" and {notifs_cancel} cancellation "
                  f"{'notice' if notifs_cancel == 1 else 'notices'}")
    out.append(f"{'notifications':<{w}}{summary['notifications']}  "
               f"({notifs_ev} printed this run{cancel}{why})")
out.append(f"{'dead letters':<{w}}{len(dead)}")
for d in dead[:20]:
    out.append(f"  [{d['stage']}/{d['class']}] {d['reason']}  (key {str(d['key'])[:16]})")
if len(dead) > 20:
    out.append(f"  ... {len(dead) - 20} more in {dlq_f}")
out.append("")
out.append(f"Interviews ({len(interviews)}), dates in {tz}:")
if not interviews:
    out.append("  none listed")
else:
    cw = max(len(i["company"] or "(not named)") for i in interviews)
    rw = max(len(i["role"] or "") for i in interviews)
    # a big mailbox: the upcoming ones first, at most 40 lines (--json and
    # `careerops applications` list them all)
    keep = set(sorted(range(len(interviews)), key=lambda k: interviews[k]["past"])[:40])
    for k, i in enumerate(interviews):
        if k not in keep:
            continue
        date = i["when"] or "(no date yet)"
        role = f"  {i['role'] or '':<{rw}}" if i["past"] else f"  {i['role'] or ''}"
        past = "  (past)" if i["past"] else ""
        out.append(f"  {date:<22}{(i['company'] or '(not named)'):<{cw}}{role}{past}".rstrip())
    if len(interviews) > len(keep):
        out.append(f"  ... and {len(interviews) - len(keep)} more (past ones first left out): "
                   f"careerops applications, or --json, lists them all")
# offers and assessments: the date is a deadline (reply by, due), not a
# meeting; short sections, only when there are any
for kind, head, due in (("offers", "Offers", "reply by"), ("assessments", "Assessments", "due")):
    # a deadline given as a day without a time sorts at that day's end
    rows = sorted(summary[kind], key=lambda d: (
        d["date_utc"] is None and d.get("due_date") is None,
        d["date_utc"] or (d["due_date"] + "T23:59" if d.get("due_date") else "")))
    shut, mine = summary[f"{kind}_closed"], summary[f"{kind}_decided"]
    went = summary.get(f"{kind}_passed", 0)
    # left out: a company's rejection after it, your own decision, or an
    # interview or offer after an assessment
    if (shut > 0) + (mine > 0) + (went > 0) > 1:
        why = ", ".join(x for x in (
            f"{shut} rejected you later" if shut else "",
            f"{mine} decided by you" if mine else "",
            f"{went} followed by an interview or offer" if went else "") if x)
    elif shut:
        why = f"{'its company' if shut == 1 else 'their companies'} rejected you later"
    elif went:
        why = (f"{'an interview or offer' if went == 1 else 'interviews or offers'} "
               f"of {'its company' if went == 1 else 'their companies'} followed")
    else:
        why = (f"you decided on {'it' if mine == 1 else 'them'}: your own "
               f"reply, or careerops applications --decide")
    gone = f" ({shut + mine + went} more left out: {why})" if shut or mine or went else ""
    if not rows:
        if shut or mine or went:
            out.append("")
            out.append(f"{head}: none open{gone}")
        continue
    out.append("")
    if any(d.get("call") and d["when"] for d in rows):
        out.append(f"{head} ({len(rows)}), dates in {tz} ({due}: the deadline; "
                   f"call: a call about the offer){gone}:")
    else:
        out.append(f"{head} ({len(rows)}), {due} dates in {tz}{gone}:")
    cw = max(len(d["company"] or "?") for d in rows)
    whens = [f"call {d['when']}" if d["when"] and d.get("call")
             else f"{due} {d['when']}" if d["when"]
             else f"{due} {datetime.strptime(d['due_date'], '%Y-%m-%d').strftime('%a %d %b %Y')} (no time given)"
             if d.get("due_date") else "(no time read: see the message)" for d in rows]
    ww = max(len(x) for x in whens) + 1
    rw = max(len(d["role"] or "") for d in rows)
    for d, when in list(zip(rows, whens))[:20]:
        role = f"{d['role'] or '':<{rw}}  (past)" if d["past"] else d["role"] or ""
        out.append(f"  {when:<{ww}}{(d['company'] or '?'):<{cw}}  {role}".rstrip())
    if len(rows) > 20:
        out.append(f"  ... and {len(rows) - 20} more (--json lists them all)")
rb, unnamed = summary["rejected_by"], summary["rejections_unnamed"]
if rb or unnamed:
    out.append("")
    if not rb:
        out.append(f"Rejections: {unnamed}, naming no company")
    else:
        roles = {}
        for x in summary["rejected_roles"]:
            roles.setdefault(x["company"], []).append(x["role"])
        line = f"Rejected by ({len(rb)}): " + ", ".join(
            c + (f" (for {', '.join(roles[c])}; another application there goes on)"
                 if c in roles else "") for c in rb[:20])
        if len(rb) > 20:
            line += f", and {len(rb) - 20} more (--json lists them all)"
        if unnamed:
            line += f"; and {unnamed} rejection{'s' if unnamed > 1 else ''} naming no company"
        out.append(line)
out.append("")
out.append(f"{'elapsed':<{w}}{summary['elapsed_seconds']:.1f} s "
           f"(the pipeline {summary['pipeline_seconds']:.1f} s; the rest: checks, build, PostgreSQL, this summary)")
# where this mailbox's applications are: its own schema, which
# `careerops applications` does not default to (trial 36)
pg_first = ("" if os.environ.get("DEMO_KEEP_DB") == "1" else
            "bash scripts/pg.sh start; ")
out.append(f"{'applications':<{w}}{pg_first}eval \"$(bash scripts/pg.sh env)\"; "
           f"{os.environ.get('DEMO_BIN_SHOWN', 'careerops')} applications --schema {schema}"
           # the summary's zone (trial 76: its times in UTC after --timezone)
           + ("" if tz == "UTC" else f" --timezone {shlex.quote(tz)}"))
print("\n".join(out), flush=True)
mark_shown()
sys.exit(rc)
PY
rm -f "$emails" "$events"
[ -z "$interrupted" ] || exit "$int_rc"
[ "$summary_rc" = 0 ] || [ "$summary_rc" = 3 ] || exit "$summary_rc"
if [ "$summary_rc" = 3 ]; then
    # not shown: the source positions go back to the first undelivered
    # message only, so the next run reads it and what came after it again
    # (stored rows are upserted; what a sink did show is not shown twice);
    # what it moved goes to the run's log, not the terminal (trial 53)
    python3 "$root/scripts/source_rewind.py" --psql "$psql_bin" --pgurl "$pgurl" \
        --pipeline "$pipeline" --schema "$schema" --dlq "$dlq" --from-line "$dlq_before" >> "$log" 2>&1 ||
        q -c "DELETE FROM careerops_state WHERE ns = '$pipeline/ingest'" 2>/dev/null || true
    echo "demo.sh: some notifications were not delivered (dead letters: $dlq); the next run tries them again" >&2
fi

# ---- --serve: the dashboard on these tables until Ctrl-C (docs/dashboard.md)
if [ "$serve" = 1 ]; then
    say "serving the dashboard (careerops serve); Ctrl-C stops it"
    out=1
    [ "$json" = 1 ] && out=2
    CAREEROPS_STATE=$pgurl CAREEROPS_DEMO_SCHEMA=$schema CAREEROPS_DEMO_DLQ=$dlq \
        CAREEROPS_WEBDIR=$root/web "$bin" serve pipelines/demo.json "${sets[@]}" \
        --listen "${CAREEROPS_DASHBOARD_LISTEN:-127.0.0.1:0}" 2>>"$log" >&"$out" &
    run_pid=$! serving=1 serve_rc=0
    wait "$run_pid" || serve_rc=$?
    run_pid="" serving=0
    # it could not start (the port in use: trial 37 exited 0 with no URL)
    if [ "$serve_rc" != 0 ] && [ "${serve_stopped:-0}" = 0 ]; then
        why=$(tail -n 5 "$log" | grep -E '^error: ' | tail -n 1 | sed 's/^error: //')
        echo "demo.sh: the dashboard stopped (exit $serve_rc)${why:+: $why}; the log: $log" >&2
        exit 1
    fi
fi
# notifications not delivered: the demo did not succeed
exit "$summary_rc"
