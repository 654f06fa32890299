#!/usr/bin/env bash
# --mailbox with the other formats, and dead letters in the summary: the
# sample mailbox as a folder of .eml files plus one empty file (which
# cannot become a record: dead-lettered by the source with its reason),
# as a Maildir (cur/ with flags, new/), and as a Google Takeout folder
# (Takeout/Mail/All mail Including Spam and Trash.mbox, found by the demo
# when the folder is given). Same events as the mbox; the
# dead letter is counted as a message read and listed with its reason.
. "$(dirname "$0")/lib.sh"
python3 - "$SRC/datasets/sample-mailbox/sample.mbox" "$T" <<'P'
import os, re, sys
raw = open(sys.argv[1], "rb").read()
parts = re.split(rb"(?m)^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n", raw)[1:]
assert len(parts) == 40, len(parts)
eml, md = os.path.join(sys.argv[2], "eml"), os.path.join(sys.argv[2], "Maildir")
for d in (eml, md + "/cur", md + "/new", md + "/tmp"):
    os.makedirs(d)
for i, p in enumerate(parts):
    body = re.sub(rb"(?m)^>(>*From )", rb"\1", p)
    body = body[:-1] if body.endswith(b"\n\n") else body
    open(f"{eml}/msg-{i:02d}.eml", "wb").write(body)
    if i % 4 == 0:
        open(f"{md}/new/1760000{i:03d}.M{i}P1.host", "wb").write(body)
    else:
        open(f"{md}/cur/1760000{i:03d}.M{i}P1.host:2,S", "wb").write(body)
open(f"{eml}/empty.eml", "wb").close()
P
# entries that are not messages: counted in the summary (trial 45: only
# run.log said so)
mkfifo "$T/eml/pipe.eml"
ln -s /nonexistent/x.eml "$T/eml/dangling.eml"
mkdir -p "$T/takeout/Takeout/Mail"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/takeout/Takeout/Mail/All mail Including Spam and Trash.mbox"
S=$(schema_of "$T/takeout")
SCHEMAS+=("$S")
demo "$T/takeout.json" --mailbox "$T/takeout" --fresh
for kind in eml Maildir; do
    S=$(schema_of "$T/$kind")
    SCHEMAS+=("$S")
    demo "$T/$kind.json" --mailbox "$T/$kind" --fresh
done
python3 - "$T/eml.json" "$T/Maildir.json" "$SRC/datasets/sample-mailbox/expected.csv" "$T/takeout.json" <<'P' || fail "formats"
import csv, json, sys
e, m = (json.load(open(p)) for p in sys.argv[1:3])
t = json.load(open(sys.argv[4]))
assert t["messages"] == 40 and t["mailbox"].endswith("All mail Including Spam and Trash.mbox"), t
counts = {}
for r in csv.DictReader(open(sys.argv[3])):
    counts[r["label"]] = counts.get(r["label"], 0) + 1
for s in (e, m):
    assert {k: v for k, v in s["events"].items() if v} == counts, (s["events"], counts)
    assert s["events_total"] + s["dead_letters"] == s["messages"], s
assert m["messages"] == 40 and m["dead_letters"] == 0, m
assert e["messages"] == 41 and e["dead_letters"] == 1, e
assert e["mailbox_entries_skipped"] == 2 and m["mailbox_entries_skipped"] == 0, e
d = e["dead_letter_list"][0]
assert d["stage"] == "ingest" and d["reason"], d
print("eml folder: 41 messages, dead letter:", d["class"], "-", d["reason"])
P
ok "eml folder (with a dead letter, a FIFO and a dangling link counted as skipped), Maildir and Takeout folder give the sample's events"

# trial 76: an mbox of 3 messages saved as NAME.eml in a folder is read as
# one message: the demo says so on its terminal and in --json, not only in
# run.log
mkdir -p "$T/mbx"
cp "$T/eml/msg-01.eml" "$T/mbx/one.eml"
cat "$SRC/datasets/sample-mailbox/sample.mbox" | python3 -c '
import re, sys
raw = sys.stdin.buffer.read()
starts = [m.start() for m in re.finditer(rb"(?m)^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n", raw)]
sys.stdout.buffer.write(raw[starts[2]:starts[5]])' > "$T/mbx/export.eml"
S=$(schema_of "$T/mbx")
SCHEMAS+=("$S")
demo "$T/mbx.json" --mailbox "$T/mbx" --fresh
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mailbox_eml_mboxes"] == 1 and d["messages"] == 2, d' "$T/mbx.json" ||
    fail "an mbox saved as .eml: $(cat "$T/mbx.json")"
grep -q "^demo: warning: .*export.eml looks like an mbox of 3 messages saved as .eml: it is read as one message.*; give it as --mailbox FILE to read its messages" "$T/mbx.json.err" ||
    fail "no demo warning for an mbox saved as .eml: $(cat "$T/mbx.json.err")"
ok "an mbox saved as .eml in a folder: a demo warning and mailbox_eml_mboxes 1"

# trial 77: a file dead-lettered by an earlier run and fixed since (UTF-16
# converted as its dead letter says) is no longer listed as a dead letter
mkdir -p "$T/u16"
cp "$T/eml/msg-01.eml" "$T/u16/one.eml"
iconv -f UTF-8 -t UTF-16LE "$T/eml/msg-02.eml" > "$T/u16/x.eml"
S=$(schema_of "$T/u16")
SCHEMAS+=("$S")
demo "$T/u16a.json" --mailbox "$T/u16" --fresh
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dead_letters"] == 1 and "UTF-16LE" in d["dead_letter_list"][0]["reason"], d' "$T/u16a.json" ||
    fail "UTF-16 file: $(cat "$T/u16a.json")"
iconv -f UTF-16LE -t UTF-8 "$T/u16/x.eml" > "$T/u16/x.utf8" && mv "$T/u16/x.utf8" "$T/u16/x.eml"
demo "$T/u16b.json" --mailbox "$T/u16"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dead_letters"] == 0 and d["emails_stored"] == 2, d' "$T/u16b.json" ||
    fail "the fixed file is still a dead letter: $(cat "$T/u16b.json")"
ok "a dead letter of a file fixed since is not listed again"
