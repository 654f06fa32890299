#!/usr/bin/env python3
"""Classify the company misses of the rules classifier's extraction (label
forced, as scripts/extract_report.py) into error classes, per set:

  empty      nothing extracted
  form-in    a longer or shorter form of the expected name, and the
             expected form is written in the message (fixable)
  form-out   a longer or shorter form, the expected form is written nowhere
             in the message (headers, text, HTML, links: unknowable)
  person     a person's name (sender, recipients, a signer, a greeting)
  role       a job title, a team or department ("SRE Lead", "Payments")
  agency     a staffing agency instead of its named client
  vendor     an applicant-tracking, scheduling, assessment or e-signature
             vendor, a job board or a mail provider
  place      a city, a country or an office ("Frankfurt", "Fernbrook Paris")
  other      anything else

usage: company_errors.py [--build DIR] [-v] LABELS.csv EMAILS_DIR [...]
Prints one line per set with the count of each class (-v: each miss).
"""
import csv
import email
import email.policy
import email.utils
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract_report import company_key  # noqa: E402

CLASSES = ["empty", "form-in", "form-out", "person", "role", "agency",
           "vendor", "place", "other"]
AGENCY = ("staff", "recruit", "talent", "search", "headhunt", "personnel",
          "conseil", "consult", "placement", "resourc", "sourcing", "agency",
          "agentur", "personalberat", "seleccion", "selecao", "recrut",
          "executive")
TITLE = re.compile(r"\b(lead|engineer|manager|director|head|recruiter|"
                   r"sre|devops|payments|platform|navigation|planning|"
                   r"operations|people|talent|application|received|team|"
                   r"developer|analyst|designer|officer|chief|ceo|cto|coo|"
                   r"vp|hr|rh)\b", re.I)
PLACES = {"frankfurt", "paris", "london", "berlin", "munich", "münchen",
          "madrid", "barcelona", "lisbon", "lisboa", "porto", "amsterdam",
          "rotterdam", "dublin", "toronto", "austin", "boston", "seattle",
          "chicago", "denver", "new york", "san francisco", "lyon",
          "hamburg", "zurich", "zürich", "vienna", "wien", "brussels",
          "são paulo", "sao paulo", "mexico", "bogotá", "buenos aires",
          "utrecht", "cologne", "köln", "stuttgart", "milan", "ballina",
          "remote", "usa", "uk", "germany", "france", "spain", "portugal"}


def vendors(root):
    v = set()
    path = os.path.join(root, "plugins/rules-classifier/data/senders.tsv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("sender\t"):
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                v.add(company_key(p[2]))
                v.add(company_key(p[0].split("@")[-1].split(".")[-2]
                                  if "." in p[0] else p[0]))
    v |= {"docusign", "gmail", "outlook", "yahoo", "hotmail", "linkedin",
          "indeed", "glassdoor", "zoom", "teams", "calendly"}
    v.discard("")
    return v


def message_text(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    parts = [str(msg.get(h, "")) for h in ("From", "To", "Cc", "Subject",
                                             "Reply-To", "Sender")]
    for part in msg.walk():
        if part.is_multipart():
            continue
        try:
            c = part.get_content()
        except Exception:
            c = (part.get_payload(decode=True) or b"").decode("utf-8",
                                                              "replace")
        if isinstance(c, str):
            parts.append(c)
    return msg, "\n".join(parts)


def people(msg, text):
    names = set()
    for h in ("From", "To", "Cc", "Reply-To"):
        for x in msg.get_all(h, []):
            n, _ = email.utils.parseaddr(str(x))
            for w in re.findall(r"\w+", n.lower()):
                names.add(w)
    for m in re.finditer(r"(?im)^(?:hi|hello|dear|hey|hallo|bonjour|hola|"
                         r"ol[aá]|beste|liebe|lieber)\s+(\w+)", text):
        names.add(m.group(1).lower())
    return names


def classify(exp, got, msg, text, vend):
    if not got:
        return "empty"
    ek, gk = company_key(exp), company_key(got)
    low = got.lower()
    if gk and ek and (gk in ek or ek in gk or ek.startswith(gk[:5])):
        words = re.findall(r"\w+", exp.lower())
        written = re.search(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) +
                            r"(?!\w)", text.lower()) is not None
        return "form-in" if written else "form-out"
    gw = set(re.findall(r"\w+", low))
    if gk in vend or any(company_key(w) in vend for w in gw if len(w) > 3):
        return "vendor"
    if any(a in gk for a in AGENCY):
        return "agency"
    if low in PLACES or any(p in low.split() for p in PLACES):
        return "place"
    ppl = people(msg, text)
    if gw and len(gw & ppl) >= max(1, len(gw) - 1):
        return "person"
    if re.match(r"^[A-Z][a-z]+ [A-Z][a-z]+( and [A-Z][a-z]+ [A-Z][a-z]+)?$",
                got) and re.search(r"(?m)^\s*" + re.escape(got) + r"\s*$",
                                   text):
        return "person"
    if TITLE.search(got):
        return "role"
    return "other"


def main():
    args = sys.argv[1:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("CAREEROPS_BUILD", "build")
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    if len(args) >= 2 and args[0] == "--build":
        build, args = args[1], args[2:]
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    tool = os.path.join(build, "plugins/rules-classifier/tests/extract-check")
    vend = vendors(root)
    total = {k: 0 for k in CLASSES}
    print("%-10s %5s " % ("set", "rows") + " ".join("%8s" % k
                                                     for k in CLASSES))
    for labels, emails in zip(args[0::2], args[1::2]):
        with open(labels, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.DictReader(f) if r["company"]]
        inp = "".join("%s\t%s\n" % (os.path.join(emails, r["file"]),
                                    r["label"].upper()) for r in rows)
        out = subprocess.run([tool], input=inp, capture_output=True,
                             text=True, check=True).stdout
        got = {}
        for line in out.splitlines():
            p = line.split("\t")
            got[p[0]] = p[1]
        count = {k: 0 for k in CLASSES}
        for r in rows:
            path = os.path.join(emails, r["file"])
            g = got.get(path, "")
            if company_key(g) == company_key(r["company"]):
                continue
            msg, text = message_text(path)
            k = classify(r["company"], g, msg, text, vend)
            count[k] += 1
            total[k] += 1
            if verbose:
                print("  %-8s %s expected %r got %r" % (k, r["file"],
                                                        r["company"], g))
        d = os.path.dirname(os.path.abspath(labels))
        name = os.path.basename(d)
        if name in ("neutral-sender", "first-paragraph"):
            name = os.path.basename(os.path.dirname(d)) + "/" + name[:5]
        print("%-10s %5d " % (name, len(rows)) +
              " ".join("%8d" % count[k] for k in CLASSES))
    print("%-10s %5s " % ("total", "") + " ".join("%8d" % total[k]
                                                   for k in CLASSES))


if __name__ == "__main__":
    main()
