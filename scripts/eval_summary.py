#!/usr/bin/env python3
"""Markdown summary of scripts/eval-holdout.sh's results.

usage: eval_summary.py OUT_DIR NAME
"""
import csv
import json
import os
import sys

LABELS = ["INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
          "RECRUITER_OUTREACH", "OTHER"]
SHORT = ["INT", "OFF", "ASS", "REJ", "ACK", "OUT", "OTH"]


def fmt(x):
    return "n/a" if x is None else "%.3f" % x


def table(d, title):
    print("\n**%s**: accuracy %s over %d messages; company %s (%d rows); "
          "date %s (%d rows)\n" % (title, fmt(d["accuracy"]), d["count"],
                                   fmt(d["company_accuracy"]), d["company_rows"],
                                   fmt(d["date_accuracy"]), d["date_rows"]))
    print("| label | precision | recall | F1 | support |")
    print("|---|---|---|---|---|")
    for l in LABELS:
        x = d["labels"][l]
        print("| %s | %s | %s | %s | %d |" % (l, fmt(x["precision"]),
                                               fmt(x["recall"]), fmt(x["f1"]),
                                               x["support"]))
    conf = d["confusion"]
    print("\n```\nconfusion matrix (rows: expected, columns: predicted)")
    print("%-20s" % "" + "".join("%5s" % s for s in SHORT))
    for a in LABELS:
        print("%-20s" % a + "".join("%5d" % conf.get(a, {}).get(b, 0)
                                    for b in LABELS))
    print("```")


def main():
    out, name = sys.argv[1:3]
    res = {}
    for k in ("combined", "rules", "model", "neutral-sender",
              "first-paragraph", "combined-memory"):
        p = os.path.join(out, k + ".json")
        if k == "combined-memory" and not os.path.exists(p):
            continue
        with open(p) as f:
            res[k] = json.load(f)
    print("### %s\n" % name)
    table(res["combined"], "Combined (decision combined, the default)")
    table(res["rules"], "Rules only (decision rules)")
    table(res["model"], "Model only (decision model)")
    if "combined-memory" in res:
        a = res["combined-memory"]
        print("\n**Company memory** (decision combined): company %s with "
              "each message alone (the default), %s with the stage's memory "
              "of earlier messages (`company_memory: 2048`), %d rows; "
              "accuracy %s and %s." % (fmt(res["combined"]["company_accuracy"]),
                                       fmt(a["company_accuracy"]),
                                       a["company_rows"],
                                       fmt(res["combined"]["accuracy"]),
                                       fmt(a["accuracy"])))
    with open(os.path.join(out, "trace.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    hi = [r for r in rows if float(r["confidence"]) >= 0.9]
    ok = sum(1 for r in hi if r["combined"] == r["expected"])
    print("\n**Calibration** (combined): %d of %d events have confidence "
          ">= 0.9; %d of them are right (%s)." %
          (len(hi), len(rows), ok, fmt(ok / len(hi) if hi else None)))
    base = res["combined"]["accuracy"] or 0
    print("\n**Robustness** (decision combined):\n")
    print("| variant | accuracy | change (points) | company | date |")
    print("|---|---|---|---|---|")
    print("| as written | %s | | %s | %s |" % (fmt(base),
          fmt(res["combined"]["company_accuracy"]),
          fmt(res["combined"]["date_accuracy"])))
    for v in ("neutral-sender", "first-paragraph"):
        a = res[v]["accuracy"] or 0
        print("| %s | %s | %+.1f | %s | %s |" % (v, fmt(a), 100 * (a - base),
              fmt(res[v]["company_accuracy"]), fmt(res[v]["date_accuracy"])))


if __name__ == "__main__":
    main()
