#!/usr/bin/env bash
# `plugins list` and `plugins info` print a plugin's own words (version,
# licence, description, its options' descriptions and defaults) escaped:
# a terminal escape or a right-to-left override in a plugin's descriptor
# is shown as \x1b / \u202e, never written raw (trial 57).
# Usage: plugins_words.sh LOUD_SO (tests/core/loud_plugin.c)
. "$(dirname "$0")/../integration/lib.sh"
[ $# -eq 1 ] || fail "usage: $0 loud.so"
mkdir plugs
cp "$1" plugs/loud.so
raw() { # $1: file; whether it holds ESC, BEL or U+202E
    LC_ALL=C grep -q $'\x1b\|\x07\|\xe2\x80\xae' "$1"
}
"$B" plugins info "$T/plugs/loud.so" > info.txt 2>&1 || fail "plugins info: $(cat info.txt)"
raw info.txt && fail "plugins info wrote a raw escape: $(od -c info.txt | head -5)"
for w in 'version:     1.0\\x1b\[2J' 'license:     MIT\\x1b\[1m' \
         'description: A sink \\x1b\[31min red\\x1b\[0m, \\u202edesrever' \
         'default: \\x1b\]0;pwned\\x07' 'a tone \\x1b\[31mred'; do
    grep -q "$w" info.txt || fail "plugins info: no '$w' in: $(cat info.txt)"
done
ok "plugins info shows a plugin's escapes as text"
CAREEROPS_PLUGIN_PATH="$T/plugs" "$B" plugins list > list.txt 2>&1 || fail "plugins list: $(cat list.txt)"
raw list.txt && fail "plugins list wrote a raw escape: $(od -c list.txt | head -5)"
grep -q '^loud .*1.0\\x1b\[2J.*sink.*A sink \\x1b\[31min red' list.txt ||
    fail "plugins list: $(cat list.txt)"
ok "plugins list shows a plugin's escapes as text"

# trial 59: a FIFO as a plugin's library hung dlopen(); an extra word
# after `plugins info NAME` was ignored
mkfifo plugs/pipe.so
rc=0
timeout 20 "$B" plugins info "$T/plugs/pipe.so" > fifo.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "cannot load plugin .*pipe.so: it is a named pipe" fifo.txt ||
    fail "plugins info of a FIFO: exit $rc $(cat fifo.txt)"
rc=0
"$B" plugins info mock-sink --bogus > extra.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "plugins info takes one NAME or FILE.so (got also '--bogus')" extra.txt ||
    fail "plugins info NAME --bogus: exit $rc $(cat extra.txt)"
ok "plugins info refuses a FIFO (no hang) and an extra word"

# the options' table keeps one column for the type however long a name is
# ("refresh_token_key_secret" pushed its row out of line)
"$B" plugins info gmail-source > gm.txt 2>&1 || fail "plugins info gmail-source: $(cat gm.txt)"
cols=$(awk '/^  [a-z_]+ +(string|int|number|bool)/ { match($0, /^  [a-z_]+ +/); print RLENGTH }' gm.txt | sort -u)
[ -n "$cols" ] && [ "$(printf '%s\n' "$cols" | wc -l)" = 1 ] ||
    fail "plugins info: the type column moves ($(printf '%s ' $cols)): $(cat gm.txt)"
ok "plugins info aligns its options' table"
