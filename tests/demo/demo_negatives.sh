#!/usr/bin/env bash
# --mailbox on real mail that is not about jobs: an mbox of the 782
# SpamAssassin ham/spam messages plus the 17 calendar .eml files of the
# corpus (tests/demo/mkmbox.py). Every message is processed (stored and
# classified, or dead-lettered: events + dead letters = messages read; a
# message whose idempotency key equals another's -- same sender, date,
# subject and Message-ID -- is the same message and counted once), no
# INTERVIEW, OFFER or ASSESSMENT comes from a negative or from one of the
# calendar messages (ordinary meetings, not interviews), and the summary's
# counts equal a query of the PostgreSQL tables.
. "$(dirname "$0")/lib.sh"
: "${CAREEROPS_CORPUS:?run through meson test}"
if [ ! -d "$CAREEROPS_CORPUS/negatives/spamassassin/data" ]; then
    [ "${CI:-}" = true ] && fail "the shared corpus is missing"
    echo "SKIP: the shared corpus (../shared/corpus) is missing" >&2
    exit 77
fi
python3 "$(dirname "$0")/mkmbox.py" "$CAREEROPS_CORPUS" "$T/negatives.mbox"
S=$(schema_of "$T/negatives.mbox")
SCHEMAS+=("$S")
start=$(date +%s%N)
demo "$T/run.json" --mailbox "$T/negatives.mbox" --fresh
ms=$((($(date +%s%N) - start) / 1000000))
psqlq -F $'\t' -c "SELECT (e.doc->'source'->>'offset'), coalesce(v.event_type, '-')
    FROM \"$S\".emails e LEFT JOIN \"$S\".events v USING (key)" >"$T/rows.tsv"
psqlq -F $'\t' -c "SELECT event_type, count(*) FROM \"$S\".events GROUP BY 1" >"$T/types.tsv"
python3 - "$T/run.json" "$T/rows.tsv" "$T/types.tsv" "$T/negatives.mbox" "$CAREEROPS_CORPUS" <<'P' || fail "negatives"
import bisect, email, email.policy, json, sys
s = json.load(open(sys.argv[1]))
idx = json.load(open(sys.argv[4] + ".index.json"))
corpus = sys.argv[5]
starts = [e["start"] for e in idx]
covered, bad = set(), []
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
for off, etype in rows:
    i = bisect.bisect_right(starts, int(off)) - 1
    covered.add(i)
    if idx[i]["kind"] in ("negative", "calendar") and etype in ("INTERVIEW", "OFFER", "ASSESSMENT"):
        bad.append((idx[i]["file"], etype))
assert not bad, f"job events raised for negatives: {bad}"
# uncovered messages must be the same message (same key fields) as a covered one
def ident(e):
    m = email.message_from_bytes(open(f"{corpus}/{e['file']}", "rb").read(),
                                 policy=email.policy.compat32)
    return tuple(str(m.get(h) or "").strip().lower() for h in ("from", "date", "subject", "message-id"))
dead_keys = len([d for d in s["dead_letter_list"] if d["stage"] == "ingest"])
uncovered = [i for i in range(len(idx)) if i not in covered]
seen = {ident(idx[i]) for i in covered}
same = [i for i in uncovered if ident(idx[i]) in seen]
lost = [idx[i]["file"] for i in uncovered if i not in same]
assert len(lost) <= dead_keys, f"messages neither stored nor dead-lettered: {lost}"
# the summary against the tables
types = {t: int(n) for t, n in (l.split() for l in open(sys.argv[3]) if l.strip())}
assert {k: v for k, v in s["events"].items() if v} == types, (s["events"], types)
assert s["emails_stored"] == len(rows), (s["emails_stored"], len(rows))
assert s["messages"] == len(rows) + dead_keys
assert s["events_total"] + s["dead_letters"] == s["messages"], s
assert s["events"]["INTERVIEW"] + s["events"]["OFFER"] + s["events"]["ASSESSMENT"] == \
    sum(1 for _, t in rows if t in ("INTERVIEW", "OFFER", "ASSESSMENT"))
print(f"{len(idx)} messages in the mbox: {len(covered)} stored, {len(same)} the same message "
      f"as another (same key), {s['dead_letters']} dead letters; events {types}")
for i in same:
    print("  same key as another message:", idx[i]["file"])
P
ok "negatives: every message processed, no job event from a negative, summary = tables (${ms} ms)"
echo "figures: $(grep -c '' "$T/rows.tsv") emails, demo.sh ${ms} ms"
