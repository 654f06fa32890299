#!/usr/bin/env python3
"""Figures from a clf-trace TSV (scripts/cv.sh): per-label precision,
recall and F1, accuracy and the confusion matrix, for the rules alone, the
model alone and the combination; calibration of the combined confidence;
with a `writer` column, accuracy and per-label recall per held-out writer
and their macro average; with --variant NAME=TRACE.tsv (the same messages
changed), each variant's accuracy and its change in points per writer; with
the `expected_date` and `date` columns (clf-trace), the combined decision's
scheduled-date accuracy (same UTC minute, over the rows that expect one),
pooled and per writer.

usage: clf_report.py TRACE.tsv [--markdown] [--variant NAME=TRACE.tsv]...
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


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def accuracy(rows, col):
    return sum(r["expected"] == r[col] for r in rows) / max(1, len(rows))


def per_writer(rows, variants):
    """Per held-out writer: accuracy of each decision, the combined
    decision's recall of the job labels, and the variants' changes."""
    writers = sorted({r["writer"] for r in rows})
    if len(writers) < 2:
        return
    by = {w: [r for r in rows if r["writer"] == w] for w in writers}
    vby = [(n, {w: [r for r in v if r["writer"] == w] for w in writers})
           for n, v in variants]
    head = ["writer", "messages", "combined", "rules", "model"]
    head += ["%s recall" % s for s in SHORT[:6]]
    head += ["%s (combined)" % n for n, _ in variants]
    print("\nPer held-out writer (accuracy; recall of the combined decision)"
          "\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    macro = [[] for _ in head]
    for w in writers + ["macro"]:
        if w == "macro":
            cells = ["%.3f" % (sum(c) / len(c)) if c else "" for c in macro]
            cells[0], cells[1] = "**macro**", "%d" % len(rows)
            print("| " + " | ".join(cells) + " |")
            break
        rs = by[w]
        vals = [accuracy(rs, c) for c in ("combined", "rules", "model")]
        per, _, _ = figures(rs, "combined")
        vals += [per[l][1] for l in LABELS[:6]]
        cells = [w, "%d" % len(rs)] + [fmt(v) for v in vals]
        for i, v in enumerate(vals):
            if v is not None:
                macro[i + 2].append(v)
        for j, (n, vb) in enumerate(vby):
            a = accuracy(vb[w], "combined")
            d = 100 * (a - vals[0])
            cells.append("%.3f (%+.1f)" % (a, d))
            macro[5 + 6 + j].append(a)
        print("| " + " | ".join(cells) + " |")
    if variants:
        base = sum(macro[2]) / len(macro[2])
        for j, (n, _) in enumerate(variants):
            m = sum(macro[11 + j]) / len(macro[11 + j])
            print("\n%s: macro accuracy %.3f (%+.1f points)" %
                  (n, m, 100 * (m - base)))


def dates(rows):
    """Scheduled-date accuracy of the combined decision (the event's date
    as `careerops eval` scores it: the label need not be right)."""
    if not rows or "expected_date" not in rows[0]:
        return
    groups = [("pooled", rows)]
    if "writer" in rows[0]:
        for w in sorted({r["writer"] for r in rows}):
            groups.append((w, [r for r in rows if r["writer"] == w]))
    print("\nScheduled date (combined decision, same UTC minute)\n")
    print("| writer | rows with a date | right | accuracy |")
    print("|---|---|---|---|")
    for name, rs in groups:
        want = [r for r in rs if r["expected_date"]]
        ok = sum(1 for r in want if r["date"] == r["expected_date"])
        print("| %s | %d | %d | %s |" % (name, len(want), ok,
                                         fmt(ok / len(want)) if want
                                         else "n/a"))


def main():
    args = sys.argv[1:]
    md = "--markdown" in args
    variants = []
    while "--variant" in args:
        i = args.index("--variant")
        name, _, vpath = args[i + 1].partition("=")
        variants.append((name, read(vpath)))
        del args[i:i + 2]
    path = [a for a in args if not a.startswith("--")][0]
    rows = read(path)
    report(rows, "combined", "Combined (rules + model)", md)
    report(rows, "rules", "Rules only", md)
    report(rows, "model", "Model only", md)
    # calibration of the model's probability of its own label
    hi = [r for r in rows if max(float(r["p_" + l]) for l in LABELS) >= 0.9]
    ok = sum(1 for r in hi if r["model"] == r["expected"])
    print("\nmodel calibration: %d of %d messages with p >= 0.9 are right "
          "(%.3f)" % (ok, len(hi), ok / len(hi) if hi else 0))
    if rows and "writer" in rows[0]:
        per_writer(rows, variants)
    dates(rows)


if __name__ == "__main__":
    main()
