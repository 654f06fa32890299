"""Helpers to build realistic raw RFC 5322 messages deterministically.

Used by datasets/dev/generate.py and datasets/holdout/generate.py. Only the
standard library: email.mime for the MIME tree (boundaries are fixed so the
output is byte-for-byte reproducible), zoneinfo for the calendar times.
"""

import datetime as dt
import hashlib
import html
import os
import re
from email.charset import QP, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from zoneinfo import ZoneInfo

UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP
UTF8_QP.header_encoding = QP

CANDIDATE = ("Alex Rivera", "alex.rivera@example.net")

# VTIMEZONE blocks (as Google Calendar and Outlook send them) for the zones
# the data sets use.
VTIMEZONES = {
    "America/New_York": ("EST", "EDT", "-0500", "-0400"),
    "America/Los_Angeles": ("PST", "PDT", "-0800", "-0700"),
    "America/Chicago": ("CST", "CDT", "-0600", "-0500"),
    "Europe/Berlin": ("CET", "CEST", "+0100", "+0200"),
    "Europe/Paris": ("CET", "CEST", "+0100", "+0200"),
    "Europe/Madrid": ("CET", "CEST", "+0100", "+0200"),
    "Europe/London": ("GMT", "BST", "+0000", "+0100"),
}


def vtimezone(tzid):
    std, dst, std_off, dst_off = VTIMEZONES[tzid]
    us = tzid.startswith("America/")
    # US: 2nd Sunday of March / 1st Sunday of November; EU: last Sundays.
    dst_rule = "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" if us else "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"
    std_rule = "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" if us else "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
    dst_start = "19700308T020000" if us else "19700329T020000"
    std_start = "19701101T020000" if us else "19701025T030000"
    return "\r\n".join([
        "BEGIN:VTIMEZONE",
        f"TZID:{tzid}",
        "BEGIN:DAYLIGHT",
        f"TZOFFSETFROM:{std_off}",
        f"TZOFFSETTO:{dst_off}",
        f"TZNAME:{dst}",
        f"DTSTART:{dst_start}",
        f"RRULE:{dst_rule}",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        f"TZOFFSETFROM:{dst_off}",
        f"TZOFFSETTO:{std_off}",
        f"TZNAME:{std}",
        f"DTSTART:{std_start}",
        f"RRULE:{std_rule}",
        "END:STANDARD",
        "END:VTIMEZONE",
    ])


def ics_escape(s):
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line):
    """Fold an iCalendar content line at 75 octets."""
    b = line.encode("utf-8")
    if len(b) <= 75:
        return line
    out, cur = [], b""
    for ch in line:
        e = ch.encode("utf-8")
        if len(cur) + len(e) > (75 if not out else 74):
            out.append(cur.decode("utf-8"))
            cur = b""
        cur += e
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out)


def make_ics(uid, summary, start_local, minutes, tzid, organizer, attendees,
             method="REQUEST", description="", location="", status="CONFIRMED",
             prodid="-//Google Inc//Google Calendar 70.9054//EN", utc=False,
             sequence=0, stamp=None):
    """A VCALENDAR with one VEVENT. start_local is a naive datetime in tzid
    (or UTC when utc=True). Returns (ics_text, start_utc_rfc3339)."""
    if utc:
        start_utc = start_local.replace(tzinfo=dt.timezone.utc)
    else:
        start_utc = start_local.replace(tzinfo=ZoneInfo(tzid)).astimezone(dt.timezone.utc)
    end_local = start_local + dt.timedelta(minutes=minutes)
    stamp = stamp or start_utc - dt.timedelta(days=3)
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0", "CALSCALE:GREGORIAN",
             f"METHOD:{method}"]
    if not utc:
        lines += vtimezone(tzid).split("\r\n")
    lines.append("BEGIN:VEVENT")
    if utc:
        lines.append("DTSTART:" + start_local.strftime("%Y%m%dT%H%M%SZ"))
        lines.append("DTEND:" + end_local.strftime("%Y%m%dT%H%M%SZ"))
    else:
        lines.append(f"DTSTART;TZID={tzid}:" + start_local.strftime("%Y%m%dT%H%M%S"))
        lines.append(f"DTEND;TZID={tzid}:" + end_local.strftime("%Y%m%dT%H%M%S"))
    lines.append("DTSTAMP:" + stamp.strftime("%Y%m%dT%H%M%SZ"))
    oname, oaddr = organizer
    lines.append(f"ORGANIZER;CN={oname}:mailto:{oaddr}")
    lines.append(f"UID:{uid}")
    for aname, aaddr in attendees:
        lines.append("ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
                     f"RSVP=TRUE;CN={aname};X-NUM-GUESTS=0:mailto:{aaddr}")
    lines.append("CREATED:" + stamp.strftime("%Y%m%dT%H%M%SZ"))
    if description:
        lines.append("DESCRIPTION:" + ics_escape(description))
    lines.append("LAST-MODIFIED:" + stamp.strftime("%Y%m%dT%H%M%SZ"))
    lines.append("LOCATION:" + ics_escape(location))
    lines.append(f"SEQUENCE:{sequence}")
    lines.append(f"STATUS:{status}")
    lines.append("SUMMARY:" + ics_escape(summary))
    lines.append("TRANSP:OPAQUE")
    lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    text = "\r\n".join(fold(x) for x in lines) + "\r\n"
    return text, start_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def text_to_html(text, links=(), footer_html=""):
    """Plain text to simple e-mail HTML (paragraphs, line breaks, links)."""
    paras = [p for p in text.split("\n\n")]
    body = []
    for p in paras:
        esc = html.escape(p).replace("\n", "<br>\n")
        for url, label in links:
            esc = esc.replace(html.escape(url), f'<a href="{html.escape(url)}">{html.escape(label)}</a>')
        body.append(f'<p style="margin:0 0 12px 0">{esc}</p>')
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\"></head>\n"
            "<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222\">\n"
            "<div style=\"max-width:600px;margin:0 auto\">\n" + "\n".join(body) + "\n" + footer_html +
            "\n</div></body></html>\n")


def _text_part(text, subtype="plain"):
    """Quoted-printable UTF-8, as most mailers send it; no per-part
    MIME-Version (only the top-level header has one)."""
    part = MIMEText(text, subtype, UTF8_QP)
    del part["MIME-Version"]
    return part


def _hdr(s):
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        return Header(s, "utf-8").encode()


def addr(name, address):
    try:
        name.encode("ascii")
        return formataddr((name, address))
    except UnicodeEncodeError:
        return formataddr((name, address), charset="utf-8")


class Msg:
    """One message to build. Fill the fields, then call build()."""

    def __init__(self, seq, from_, subject, date, text=None, html_body=None,
                 to=CANDIDATE, reply_to=None, cc=(), ics=None, ics_method="REQUEST",
                 attachments=(), headers=(), message_id_domain=None, in_reply_to=None,
                 html_only=False, calendar_as_attachment=True, mailer=None):
        self.seq = seq
        self.from_ = from_
        self.subject = subject
        self.date = date
        self.text = text
        self.html = html_body
        self.to = to
        self.reply_to = reply_to
        self.cc = cc
        self.ics = ics
        self.ics_method = ics_method
        self.attachments = attachments
        self.headers = headers
        self.mid_domain = message_id_domain or from_[1].split("@")[1]
        self.in_reply_to = in_reply_to
        self.html_only = html_only
        self.cal_attach = calendar_as_attachment
        self.mailer = mailer

    def _boundary(self, tag):
        h = hashlib.sha1(f"{self.seq}/{tag}".encode()).hexdigest()
        return f"000000000000{h[:16]}{tag}"

    def build(self):
        # body alternatives
        alts = []
        if self.text is not None and not self.html_only:
            alts.append(_text_part(self.text))
        if self.html is not None:
            alts.append(_text_part(self.html, "html"))
        if self.ics is not None:
            cal = MIMEText(self.ics, "calendar", UTF8_QP if not self.ics.isascii() else "us-ascii")
            cal.set_param("method", self.ics_method)
            del cal["MIME-Version"]
            alts.append(cal)
        if len(alts) == 1:
            body = alts[0]
        else:
            body = MIMEMultipart("alternative", boundary=self._boundary("alt"), _subparts=alts)
        parts = []
        if self.ics is not None and self.cal_attach:
            att = MIMEApplication(self.ics.encode("utf-8"), "ics", name="invite.ics")
            att.add_header("Content-Disposition", "attachment", filename="invite.ics")
            del att["MIME-Version"]
            parts.append(att)
        for name, ctype, data in self.attachments:
            maintype, subtype = ctype.split("/")
            att = MIMEApplication(data, subtype, name=name)
            att.add_header("Content-Disposition", "attachment", filename=name)
            del att["MIME-Version"]
            parts.append(att)
        if parts:
            if body.is_multipart():
                del body["MIME-Version"]
            msg = MIMEMultipart("mixed", boundary=self._boundary("mix"), _subparts=[body] + parts)
        else:
            msg = body
        h = hashlib.sha1(f"mid/{self.seq}/{self.subject}".encode()).hexdigest()[:20]
        ordered = [
            ("Return-Path", f"<{self.from_[1]}>"),
            ("MIME-Version", "1.0"),
            ("Date", format_datetime(self.date)),
            ("Message-ID", f"<{h}@{self.mid_domain}>"),
            ("Subject", _hdr(self.subject)),
            ("From", addr(*self.from_)),
            ("To", addr(*self.to)),
        ]
        if self.cc:
            ordered.append(("Cc", ", ".join(addr(*c) for c in self.cc)))
        if self.reply_to:
            ordered.append(("Reply-To", addr(*self.reply_to)))
        if self.in_reply_to:
            ordered.append(("In-Reply-To", self.in_reply_to))
            ordered.append(("References", self.in_reply_to))
        if self.mailer:
            ordered.append(("X-Mailer", self.mailer))
        ordered += list(self.headers)
        for k, v in reversed(ordered):
            # MIMEMultipart already set Content-Type/MIME-Version; put ours first
            if k == "MIME-Version":
                del msg["MIME-Version"]
            msg._headers.insert(0, (k, v))
        return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def write_set(root, messages, labels):
    """Write emails/*.eml and labels.csv under root; remove stale files."""
    emails = os.path.join(root, "emails")
    os.makedirs(emails, exist_ok=True)
    keep = set()
    for name, data in messages:
        keep.add(name)
        with open(os.path.join(emails, name), "wb") as f:
            f.write(data)
    for old in os.listdir(emails):
        if old.endswith(".eml") and old not in keep:
            os.remove(os.path.join(emails, old))
    with open(os.path.join(root, "labels.csv"), "w", newline="") as f:
        f.write("file,label,company,scheduled_date\n")
        for row in labels:
            f.write(",".join(_csv(x) for x in row) + "\n")


def _csv(x):
    x = x or ""
    if re.search(r'[",\n]', x):
        return '"' + x.replace('"', '""') + '"'
    return x
