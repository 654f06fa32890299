#!/usr/bin/env python3
"""Rewind a pipeline's source positions to before its undelivered mail.

    source_rewind.py --psql PSQL --pgurl URL --pipeline P --schema S \
                     --dlq FILE [--from-line N] [--stage show]

scripts/demo.sh runs it when some notifications of a run were not delivered
(dead letters of the stage --stage in the dead-letter file FILE, from line
N on). The sources saved their positions once the whole pipeline had
acknowledged the records, and a dead-lettered notification counts as
acknowledged; this moves each position back so that the next run reads the
undelivered mail again, and only that mail and what came after it:

- imap-source (state key "folder:NAME", "UIDVALIDITY LASTUID RESYNC"):
  LASTUID becomes the smallest undelivered UID - 1, when UIDVALIDITY is
  the one the message was read under;
- mailbox-source, mbox ("position" {"offset"}): the offset of the first
  undelivered message's "From " line;
- mailbox-source, Maildir / .eml folder ("position" {"seen": [...]}): the
  undelivered messages leave the seen set.

A position is never moved forward. A notification whose email cannot be
found in the schema's tables, or a source of another kind (gmail-source:
its history id cannot be rewound to one message), falls back to deleting
that stage's positions (the whole mailbox is read again; what was stored
or shown is not repeated: same keys). Prints one line per change.
"""
import argparse
import json
import subprocess
import sys


def psql(args, sql):
    out = subprocess.run(
        [args.psql, args.pgurl, "-XqtA", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [l.split("\t") for l in out.splitlines() if l]


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def failed_keys(path, first, stage):
    """One set of candidate keys (record key, event_key) per dead letter."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if i < first:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            h = r.get("headers") or {}
            if h.get("careerops.error.stage") != stage:
                continue
            keys = set()
            out.append(keys)
            if r.get("key"):
                keys.add(r["key"])
            v = r.get("value")
            if isinstance(v, str):
                try:
                    v = json.loads(v)
                except ValueError:
                    v = None
            if isinstance(v, dict) and isinstance(v.get("event_key"), str):
                keys.add(v["event_key"])
    return out


def maildir_key(src):
    name = src.get("file") or ""
    for info in (":2,", "!2,", ";2,"):
        if info in name:
            name = name[: name.index(info)]
            break
    folder = src.get("folder") or ""
    return f"{folder}/{name}" if folder else name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--pgurl", required=True)
    ap.add_argument("--pipeline", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--dlq", required=True)
    ap.add_argument("--from-line", type=int, default=0)
    ap.add_argument("--stage", default="show")
    ap.add_argument("--ingest", default="ingest", help="the source stage")
    args = ap.parse_args()
    ns = f"{args.pipeline}/{args.ingest}"
    letters = failed_keys(args.dlq, args.from_line, args.stage)
    keys = set().union(*letters) if letters else set()
    if not letters:
        return 0
    arr = "ARRAY[" + ",".join(lit(k) for k in sorted(keys)) + "]::text[]"
    s = '"' + args.schema.replace('"', '""') + '"'
    rows = psql(args, f"""SELECT e.key, coalesce(e.doc->>'event_key', ''),
            coalesce(m.doc->'source', 'null'::jsonb)::text
        FROM {s}.events e LEFT JOIN {s}.emails m ON m.key = e.doc->'email'->>'key'
        WHERE e.key = ANY({arr}) OR e.doc->>'event_key' = ANY({arr})""")
    found = {k for r in rows if r[2] != "null" for k in r[:2]}
    srcs = [json.loads(r[2]) for r in rows if r[2] != "null"]
    state = {r[0]: r[1] for r in psql(
        args, f"SELECT key, convert_from(value, 'UTF8') FROM careerops_state WHERE ns = {lit(ns)}")}
    new = {}
    # every undelivered notification must lead to the message it came from
    unknown = any(not (ks & found) for ks in letters)
    for src in srcs:
        kind = src.get("kind") if isinstance(src, dict) else None
        if kind == "imap":
            k = "folder:" + src["folder"]
            cur = new.get(k, state.get(k))
            try:
                v, last, rs = (int(x) for x in (cur or "").split())
            except ValueError:
                continue  # never saved: read from the start anyway
            uid = int(src["uid"])
            if v == int(src["uidvalidity"]) and uid - 1 < last:
                new[k] = f"{v} {uid - 1} {rs}"
        elif kind in ("mbox", "maildir", "eml"):
            cur = new.get("position", state.get("position"))
            try:
                pos = json.loads(cur) if cur else None
            except ValueError:
                pos = None
            if not isinstance(pos, dict):
                continue
            if kind == "mbox" and isinstance(pos.get("offset"), int):
                if int(src["offset"]) < pos["offset"]:
                    pos["offset"] = int(src["offset"])
            elif isinstance(pos.get("seen"), list):
                mk = maildir_key(src) if kind == "maildir" else src.get("file")
                pos["seen"] = [x for x in pos["seen"] if x != mk]
            new["position"] = json.dumps(pos, separators=(",", ":"))
        else:
            unknown = True
    if unknown:
        psql(args, f"DELETE FROM careerops_state WHERE ns = {lit(ns)}")
        print(f"source_rewind: {ns}: some undelivered mail has no position "
              "that can be rewound; every position of the stage cleared (the "
              "mailbox is read again, nothing stored or shown is repeated)")
        return 0
    for k, v in sorted(new.items()):
        if v == state.get(k):
            continue
        psql(args, f"UPDATE careerops_state SET value = convert_to({lit(v)}, 'UTF8'), "
                   f"updated_at = now() WHERE ns = {lit(ns)} AND key = {lit(k)}")
        print(f"source_rewind: {ns} {k}: {state.get(k)} -> {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
