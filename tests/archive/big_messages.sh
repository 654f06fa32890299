#!/usr/bin/env bash
# Issue 17, first "Done when" line: messages that used to stop a source go
# through the real host (mailbox-source reading a folder of .eml files ->
# rules-classifier -> mock-sink) one case at a time: a 2.4 MB text email, a
# 60 MB email with attachments, a 10 MB Subject line, a 10 MB random binary
# file and a 40 MB header (a To: line of 5 million addresses). Each
# becomes a record carrying its archive reference (the raw bytes stored
# under their SHA-256 in the archive folder, never in the record) or a dead
# letter with the reason and the reference; the message after it is
# processed normally; each run takes seconds; the host's peak RSS (GNU
# time's maximum resident set) stays under 300 MB. The inputs are generated
# here, in the build folder, and deleted afterwards.
export TMPDIR="${CAREEROPS_BUILD_ROOT:-${TMPDIR:-/tmp}}"
. "$CAREEROPS_SOURCE_ROOT/tests/integration/lib.sh"
[ -x /usr/bin/time ] || { echo "SKIP: GNU time (package time) is missing"; exit 77; }
RSS_MAX_KB=$((300 * 1024))
SECONDS_MAX=${CAREEROPS_BIG_SECONDS_MAX:-60}

# gen CASE DIR: the big message 1-big.eml and the ordinary 2-next.eml.
gen() {
    python3 - "$1" "$2" <<'P'
import base64, os, random, sys
case, d = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
rnd = random.Random(17)
hdr = ("From: Big Sender <big@example.com>\nTo: me@example.com\n"
       "Date: Thu, 3 Dec 2026 07:00:00 +0000\nMessage-ID: <%s@example.com>\n" % case)
with open(os.path.join(d, "1-big.eml"), "wb") as f:
    if case == "text":      # 2.4 MB of plain text
        f.write((hdr + "Subject: a long plain text email\n\n").encode())
        line = "Dear candidate, this is line %06d of a very long plain text email.\n"
        n = 0
        while f.tell() < 2_400_000:
            f.write((line % n).encode()); n += 1
    elif case == "attach":  # 60 MB: text and six 7.45 MB attachments
        b = "b0undary17"
        f.write((hdr + "Subject: offer letter and documents\nMIME-Version: 1.0\n"
                 'Content-Type: multipart/mixed; boundary="%s"\n\n--%s\n'
                 "Content-Type: text/plain\n\nPlease find the documents attached.\n" % (b, b)).encode())
        i = 0
        while i < 6:
            blob = rnd.randbytes(7_450_000)
            f.write(("--%s\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
                     'Content-Disposition: attachment; filename="doc%d.pdf"\n\n' % (b, i)).encode())
            f.write(base64.encodebytes(blob)); i += 1
        f.write(("--%s--\n" % b).encode())
    elif case == "subject":  # a 10 MB Subject line
        f.write((hdr + "Subject: ").encode())
        f.write(b"interview " * 1_000_000)
        f.write(b"\n\nbody after a huge subject\n")
    elif case == "binary":   # 10 MB of random bytes
        f.write(rnd.randbytes(10_000_000))
    elif case == "header":   # a 40 MB header made of many tokens
        f.write(b"From: Big Sender <big@example.com>\nSubject: many recipients\n"
                b"Date: Thu, 3 Dec 2026 07:00:00 +0000\nTo: ")
        tok = b"a@b.io, "
        f.write(tok * (40_000_000 // len(tok)))
        f.write(b"me@example.com\n\nbody after a huge header\n")
with open(os.path.join(d, "2-next.eml"), "w") as f:
    f.write("From: Recruiter <jobs@acme.example>\nTo: me@example.com\n"
            "Subject: Interview invitation for the %s case\n"
            "Date: Thu, 3 Dec 2026 08:00:00 +0000\nMessage-ID: <next-%s@acme.example>\n\n"
            "We would like to invite you to an interview on Monday.\n" % (case, case))
P
}

summary=()
for c in text attach subject binary header; do
    mkdir -p "$c"
    gen "$c" "$c/mail"
    size=$(stat -c %s "$c/mail/1-big.eml")
    cat > "$c/m.json" <<J
{"pipeline":"itbig$c","kafka":{"bootstrap.servers":"embedded"},"state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mailbox-source","output":"raw","config":{"path":"mail","format":"eml","archive":"archive"}},
  {"name":"classify","plugin":"rules-classifier","input":"raw","output":"events","config":{}},
  {"name":"raw-sink","plugin":"mock-sink","input":"raw","config":{"path":"raw.jsonl","headers":true}},
  {"name":"sink","plugin":"mock-sink","input":"events","config":{"path":"events.jsonl"}}]}
J
    cd "$c" && start_broker m.json && cd "$T"
    start=$(date +%s.%N)
    (cd "$c" && /usr/bin/time -f %M -o rss.txt timeout 120 "$B" run m.json \
        --set "kafka.bootstrap.servers=$BS" --until-idle 2> run.log) ||
        fail "$c: run: $(tail -5 "$c/run.log")"
    took=$(python3 -c "import time; print(round(time.time() - $start, 1))")
    rss=$(tail -1 "$c/rss.txt")
    [ "$rss" -lt "$RSS_MAX_KB" ] || fail "$c: peak RSS $((rss / 1024)) MB, over 300 MB"
    python3 -c "import sys; sys.exit(0 if $took <= $SECONDS_MAX else 1)" ||
        fail "$c: took $took s, over $SECONDS_MAX s"
    (cd "$c" && "$B" dlq list m.json --set "kafka.bootstrap.servers=$BS" > dlq.txt)
    # the record or the dead letter, its reference, the next message
    outcome=$(cd "$c" && python3 - "$c" "$size" <<'P'
import glob, hashlib, json, os, sys
case, size = sys.argv[1], int(sys.argv[2])
raw = [json.loads(l) for l in open("raw.jsonl")]
ev = [json.loads(l) for l in open("events.jsonl")] if os.path.exists("events.jsonl") else []
recs = {json.loads(r["value"])["subject"][:40]: r for r in raw}
nxt = [r for r in raw if "Interview invitation" in json.loads(r["value"])["subject"]]
assert len(nxt) == 1, "the message after the big one: %d records" % len(nxt)
assert any(e["key"] == nxt[0]["key"] for e in ev), "the next message was not classified"
big = open("mail/1-big.eml", "rb").read()
sha = hashlib.sha256(big).hexdigest()
obj = "archive/sha256/%s/%s" % (sha[:2], sha[2:])
assert os.path.getsize(obj) == size, "archived object %s" % obj
for r in raw:
    assert len(r["value"]) < 500_000, "a record of %d bytes" % len(r["value"])
bigrec = [json.loads(r["value"]) for r in raw if r is not nxt[0]]
dl = [l for l in open("dlq.txt") if l.strip()]
if bigrec:
    rec = bigrec[0]
    a = rec["archive"]
    assert a["sha256"] == sha and a["size"] == size, a
    assert a["archive_url"].endswith("/" + obj), a
    assert rec["size"] == size
    cut = rec.get("truncated_fields", [])
    if case == "text":
        assert "text" in cut and rec["text_truncated"], cut
    if case == "subject":
        assert "subject" in cut and len(rec["subject"]) <= 65536, cut
    if case == "header":
        assert "header:To" in cut, cut
    if case == "attach":
        assert len(rec["attachments"]) >= 6, rec["attachments"]
    assert not dl, dl
    print("record, %d bytes, truncated_fields %s" % (len(json.dumps(rec)), cut))
else:
    assert len(dl) == 1, "no record and %d dead letters" % len(dl)
    assert sha in dl[0] or "raw message: file://" in dl[0], dl[0]
    print("dead letter: %s" % dl[0].split("\t")[-1].strip()[:150])
P
    ) || fail "$c: $outcome"
    if [ "$c" = binary ] && grep -q . "$c/dlq.txt"; then
        off=$(cut -f1 "$c/dlq.txt")
        (cd "$c" && "$B" dlq show m.json --set "kafka.bootstrap.servers=$BS" --offset "$off" > one.txt)
        grep -q "^header careerops.archive.sha256: " "$c/one.txt" ||
            fail "binary: the dead letter has no archive reference: $(head -20 "$c/one.txt")"
        [ "$(stat -c %s "$c/one.txt")" -lt 20000 ] || fail "binary: the dead letter copies the raw bytes"
    fi
    summary+=("$c ($((size / 1000000)).$(((size % 1000000) / 100000)) MB): $outcome; ${took} s, peak RSS $((rss / 1024)) MB")
    kill -9 "${PIDS[-1]}" 2>/dev/null || true
    rm -rf "$c/mail" "$c/archive"
done
for s in "${summary[@]}"; do ok "$s"; done
