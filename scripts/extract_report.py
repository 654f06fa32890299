#!/usr/bin/env python3
"""Company and scheduled-date accuracy of the rules classifier's extraction,
apart from the label decision: each message is classified with its expected
label forced (build/plugins/rules-classifier/tests/extract-check), then the
company and date are compared as `careerops eval` does (company: case,
punctuation, a leading "The" and legal forms ignored; date: same UTC
minute).

usage: extract_report.py [--build DIR] [-v] LABELS.csv EMAILS_DIR [...]
  (pairs of labels file and emails folder; -v lists the wrong rows)
"""
import csv
import os
import re
import subprocess
import sys
from datetime import datetime, timezone

LEGAL = {"inc", "llc", "ltd", "gmbh", "ag", "sa", "sas", "sarl", "sl", "srl",
         "bv", "nv", "plc", "corp", "corporation", "co", "kg", "se", "limited",
         "incorporated", "ltda", "spa", "ab", "oy", "as", "pty", "lda"}


def company_key(s):
    words = re.findall(r"\w+", s.lower().replace(".", ""))
    if words and words[0] == "the":
        words = words[1:]
    return "".join(w for w in words if w not in LEGAL)


def date_key(s):
    if not s:
        return None
    s = s.strip().replace("Z", "+00:00")
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        return s
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")


def main():
    args = sys.argv[1:]
    build = os.environ.get("CAREEROPS_BUILD", "build")
    verbose = False
    if "-v" in args:
        args.remove("-v")
        verbose = True
    if len(args) >= 2 and args[0] == "--build":
        build = args[1]
        args = args[2:]
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    tool = os.path.join(build, "plugins/rules-classifier/tests/extract-check")
    for labels, emails in zip(args[0::2], args[1::2]):
        with open(labels, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        inp = "".join("%s\t%s\n" % (os.path.join(emails, r["file"]),
                                    r["label"].upper()) for r in rows)
        out = subprocess.run([tool], input=inp, capture_output=True,
                             text=True, check=True).stdout
        got = {}
        for line in out.splitlines():
            p = line.split("\t")
            got[p[0]] = (p[1], p[2])
        cn = cok = dn = dok = dextra = 0
        wrong = []
        for r in rows:
            path = os.path.join(emails, r["file"])
            comp, date = got.get(path, ("", ""))
            if r["company"]:
                cn += 1
                if company_key(comp) == company_key(r["company"]):
                    cok += 1
                else:
                    wrong.append(("company", r["file"], r["label"],
                                  r["company"], comp))
            if r["scheduled_date"]:
                dn += 1
                if date_key(date) == date_key(r["scheduled_date"]):
                    dok += 1
                else:
                    wrong.append(("date", r["file"], r["label"],
                                  r["scheduled_date"], date))
            elif date:
                dextra += 1
                wrong.append(("date+", r["file"], r["label"], "", date))
        name = os.path.basename(os.path.dirname(os.path.abspath(labels)))
        print("%-8s company %.3f (%d/%d)  date %.3f (%d/%d)  dates not "
              "expected %d" % (name, cok / max(cn, 1), cok, cn,
                               dok / max(dn, 1), dok, dn, dextra))
        if verbose:
            for w in wrong:
                print("  %-7s %s %s expected %r got %r" % w)


if __name__ == "__main__":
    main()
