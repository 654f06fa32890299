#!/usr/bin/env python3
"""Build the demo's negatives mbox: every message of
CORPUS/negatives/spamassassin/data (782 files; 548 start with an mbox
`From ` line, the others get `From MAILER-DAEMON ...`) followed by every
.eml file of CORPUS/calendar (17 invitations, updates and cancellations)
wrapped as mbox messages. mboxrd: `>` added before `^>*From ` body lines.

    mkmbox.py CORPUS OUT.mbox    # also writes OUT.mbox.index.json

The index lists each message's byte range in the mbox, its origin
("negative" or "calendar") and file, so a test can tell which stored email
came from which file (by the email record's source.offset).
"""
import json
import os
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]


def files(root, suffix):
    found = []
    for d, _, names in os.walk(root):
        found += [os.path.join(d, n) for n in names if n.endswith(suffix)]
    return sorted(found)


neg = files(os.path.join(corpus, "negatives", "spamassassin", "data"), ".txt")
cal = files(os.path.join(corpus, "calendar"), ".eml")
index, buf, pos = [], [], 0
for kind, paths in (("negative", neg), ("calendar", cal)):
    for p in paths:
        data = open(p, "rb").read()
        if data.startswith(b"From "):
            nl = data.index(b"\n") + 1
            sep, body = data[:nl], data[nl:]
        else:
            sep, body = b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n", data
        if not body.endswith(b"\n"):
            body += b"\n"
        body = re.sub(rb"(?m)^(>*From )", rb">\1", body)
        chunk = sep + body + b"\n"
        index.append({"start": pos, "end": pos + len(chunk), "kind": kind,
                      "file": os.path.relpath(p, corpus)})
        buf.append(chunk)
        pos += len(chunk)
with open(out, "wb") as f:
    f.write(b"".join(buf))
with open(out + ".index.json", "w") as f:
    json.dump(index, f)
print(f"{len(neg)} negatives + {len(cal)} calendar messages -> {out}")
