#!/usr/bin/env python3
"""Robustness variants of a labeled set (docs/classification.md).

usage: make-variants.py LABELS.csv EMAILS_DIR OUT_DIR

Writes OUT_DIR/neutral-sender/{emails/,labels.csv}: every message with its
From replaced by the neutral address notifications@mail.example (no display
name; Sender and Reply-To removed), and OUT_DIR/first-paragraph/...: every
message cut to its subject and the first paragraph of its text (after a
greeting line such as "Hi Alex,"), as a text/plain message with the
original From, To, Date, Subject, Message-ID, In-Reply-To, References and
bulk headers; attachments, HTML and invitations are dropped. The labels
file is copied unchanged (same rows, same expected values).
"""
import csv
import email
import email.policy
import html
import os
import re
import sys
from email.message import EmailMessage

GREETING = re.compile(r"^(hi|hello|dear|hey|hallo|bonjour|hola|ol[aá]|beste|"
                      r"guten|liebe|lieber|sehr geehrte|estimad|prezad|cher|"
                      r"ch[eè]re|goedemiddag|goedemorgen)\b", re.I)
KEEP = ["From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To",
        "References", "List-Unsubscribe", "List-Id", "Precedence"]


def body_text(msg):
    plain = htm = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ct = part.get_content_type()
        try:
            payload = part.get_content()
        except Exception:
            raw = part.get_payload(decode=True) or b""
            payload = raw.decode("utf-8", "replace")
        if ct == "text/plain" and plain is None:
            plain = payload
        elif ct == "text/html" and htm is None:
            htm = payload
    if plain is None and htm is not None:
        t = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", htm)
        t = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</h\d>", "\n", t)
        t = re.sub(r"(?i)<p\b[^>]*>", "\n\n", t)
        t = re.sub(r"<[^>]+>", " ", t)
        plain = html.unescape(t)
    return (plain or "").replace("\r\n", "\n")


def first_paragraph(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines):
        first = lines[i].strip()
        words = len(first.split())
        if words <= 6 and (first.endswith((",", "!")) or GREETING.match(first)):
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
    out = []
    while i < len(lines) and lines[i].strip():
        out.append(lines[i].strip())
        i += 1
    return "\n".join(out)


def main():
    labels, emails, out = sys.argv[1:4]
    with open(labels, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    for variant in ("neutral-sender", "first-paragraph"):
        vdir = os.path.join(out, variant)
        os.makedirs(os.path.join(vdir, "emails"), exist_ok=True)
        with open(os.path.join(vdir, "labels.csv"), "w", newline="",
                  encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        for r in rows[1:]:
            if not r or not r[0].strip():
                continue
            name = r[0].strip()
            with open(os.path.join(emails, name), "rb") as f:
                raw = f.read()
            dst = os.path.join(vdir, "emails", name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if variant == "neutral-sender":
                msg = email.message_from_bytes(raw, policy=email.policy.compat32)
                for h in ("From", "Sender", "Reply-To"):
                    del msg[h]
                msg["From"] = "notifications@mail.example"
                data = msg.as_bytes()
            else:
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                new = EmailMessage()
                for h in KEEP:
                    v = msg.get(h)
                    if v is not None:
                        try:
                            new[h] = str(v)
                        except Exception:
                            new[h] = str(v).encode("ascii", "replace").decode()
                new.set_content(first_paragraph(body_text(msg)) + "\n")
                data = new.as_bytes(policy=email.policy.SMTP)
            with open(dst, "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
