#!/usr/bin/env bash
# Every careerops command and subcommand, the plugins' commands and every
# careerops-tools command answers --help with its usage on stdout and exit
# 0 (a new user's `careerops archive --help` was "unknown command"). The
# list is checked against `careerops --help`, so a new command without an
# entry here fails.
. "$(dirname "$0")/../common/cli.sh"
: "${CAREEROPS_BUILD_ROOT:?run through meson test}"
TOOLS=$CAREEROPS_BUILD_ROOT/tools/careerops-tools

cmds=(run validate plugins "plugins list" "plugins info" "plugins test"
      graph broker dlq "dlq list" "dlq show" "dlq replay" serve relabel
      applications archive "archive init" "archive put" "archive get"
      "archive ls" "archive prune" backup restore)
"$B" --help >top.txt || fail "careerops --help exited $?"
# every command `careerops --help` lists is in cmds (a file, not a pipe:
# grep -q leaving early made printf die of SIGPIPE under pipefail)
printf '%s\n' "${cmds[@]}" >cmds.txt
for w in $(sed -n '/^commands:/,/^$/p' top.txt | grep -E '^  [a-z]' |
    awk '{print $1}' | sort -u); do
    grep -qx "$w" cmds.txt ||
        fail "careerops --help lists '$w', which this test does not check"
done
# the plugins' commands (ABI 1.1) as `careerops --help` lists them:
# "auth gmail --client-id-file F ..." is the command "auth gmail"
mapfile -t plugin_cmds < <(sed -n '/^commands of the installed plugins:/,/^$/p' top.txt |
    grep -E '^  [a-z]' | awk '{print $1 ($2 ~ /^[a-z]+$/ ? " " $2 : "")}')
[ "${#plugin_cmds[@]}" -ge 3 ] ||
    fail "expected the plugins' commands (eval, train, ask, ...): $(cat top.txt)"

check() { # WHAT COMMAND...: --help appended; usage on stdout, exit 0
    local what=$1 rc=0
    shift
    timeout 20 "$@" --help >out.txt 2>err.txt || rc=$?
    [ "$rc" = 0 ] || fail "$what --help exited $rc: $(cat out.txt err.txt)"
    grep -qi '^usage: careerops' out.txt ||
        fail "$what --help printed no usage on stdout: $(cat out.txt err.txt)"
    n=$((n + 1))
}
n=0
for c in "${cmds[@]}" "${plugin_cmds[@]}"; do
    read -ra words <<<"$c"
    check "careerops $c" "$B" "${words[@]}"
done
# -h too, and careerops-tools itself
check "careerops archive -h (as --help)" "$B" archive
timeout 20 "$B" archive -h >out.txt 2>&1 || fail "careerops archive -h: $(cat out.txt)"
check "careerops-tools" "$TOOLS"
for c in relabel applications archive backup restore; do
    check "careerops-tools $c" "$TOOLS" "$c"
done
echo "ok: $n commands answer --help with their usage (exit 0)"
