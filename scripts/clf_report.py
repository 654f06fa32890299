#!/usr/bin/env python3
"""Figures from a clf-trace TSV (scripts/cv.sh): per-label precision,
recall and F1, accuracy and the confusion matrix, for the rules alone, the
model alone and the combination; calibration of the combined confidence.

usage: clf_report.py TRACE.tsv [--markdown]
"""
import csv
import sys

LABELS = ["INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
          "RECRUITER_OUTREACH", "OTHER"]
SHORT = ["INT", "OFF", "ASS", "REJ", "ACK", "OUT", "OTH"]


def figures(rows, col):
    conf = {(a, b): 0 for a in LABELS for b in LABELS}
    for r in rows:
        conf[(r["expected"], r[col])] += 1
    out = {}
    for l in LABELS:
        tp = conf[(l, l)]
        fp = sum(conf[(k, l)] for k in LABELS if k != l)
        fn = sum(conf[(l, k)] for k in LABELS if k != l)
        p = tp / (tp + fp) if tp + fp else None
        r_ = tp / (tp + fn) if tp + fn else None
        f = 2 * p * r_ / (p + r_) if p and r_ else 0.0
        out[l] = (p, r_, f, tp + fn)
    acc = sum(conf[(l, l)] for l in LABELS) / max(1, len(rows))
    return out, acc, conf


def fmt(x):
    return "n/a" if x is None else "%.3f" % x


def report(rows, col, title, md):
    per, acc, conf = figures(rows, col)
    print("\n%s%s: accuracy %.3f over %d messages\n" %
          ("### " if md else "", title, acc, len(rows)))
    print("| label | precision | recall | F1 | support |")
    print("|---|---|---|---|---|")
    for l in LABELS:
        p, r, f, s = per[l]
        print("| %s | %s | %s | %.3f | %d |" % (l, fmt(p), fmt(r), f, s))
    print("\n```\nconfusion matrix (rows: expected, columns: predicted)")
    print("%-20s" % "" + "".join("%5s" % s for s in SHORT))
    for a in LABELS:
        print("%-20s" % a + "".join("%5d" % conf[(a, b)] for b in LABELS))
    print("```")


def main():
    path = sys.argv[1]
    md = "--markdown" in sys.argv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    report(rows, "combined", "Combined (rules + model)", md)
    report(rows, "rules", "Rules only", md)
    report(rows, "model", "Model only", md)
    # calibration of the model's probability of its own label
    hi = [r for r in rows if max(float(r["p_" + l]) for l in LABELS) >= 0.9]
    ok = sum(1 for r in hi if r["model"] == r["expected"])
    print("\nmodel calibration: %d of %d messages with p >= 0.9 are right "
          "(%.3f)" % (ok, len(hi), ok / len(hi) if hi else 0))


if __name__ == "__main__":
    main()
