#!/usr/bin/env python3
"""Generate the labeled development set of the classifiers.

    python3 datasets/dev/generate.py      # rewrites emails/*.eml, labels.csv

Deterministic (fixed seed, fixed MIME boundaries and Message-IDs): running it
again gives the same bytes. Everything here is fictional: people, companies
(domains under the reserved .example TLD) and job posts. Vendor domains of
applicant-tracking, scheduling and assessment products (greenhouse.io,
calendly.com, hackerrank.com, ...) are the real product domains, because
that is what a real inbox shows.

The messages imitate what these senders really send: multipart/alternative
text+HTML from applicant-tracking systems, HTML-only mail from Workday and
job boards, Google Calendar and Outlook invitations (text/calendar with
METHOD:REQUEST and an invite.ics attachment), plain-text notes from
recruiters, bulk mail with List-Unsubscribe, and German, French and Spanish
mail. labels.csv has the expected label, company and scheduled date (UTC);
see docs/classification.md for how it is used.
"""

import datetime as dt
import os
import random
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mimekit import CANDIDATE, Msg, make_ics, text_to_html, write_set  # noqa: E402

R = random.Random(20250301)
FIRST = "Alex"

# name, slug, domain, zone, language
COMPANIES = [
    ("Northwind Traders", "northwindtraders", "northwind.example", "America/New_York", "en"),
    ("Brightloop", "brightloop", "brightloop.example", "America/Los_Angeles", "en"),
    ("Quillstone Labs", "quillstone", "quillstone.example", "America/New_York", "en"),
    ("Orbitant", "orbitant", "orbitant.example", "America/Los_Angeles", "en"),
    ("Meridian Health Systems", "meridianhealth", "meridianhealth.example", "America/Chicago", "en"),
    ("Kestrel Robotics", "kestrelrobotics", "kestrel-robotics.example", "America/Los_Angeles", "en"),
    ("Pinecrest Software", "pinecrest", "pinecrest.example", "America/New_York", "en"),
    ("Lumenfield", "lumenfield", "lumenfield.example", "Europe/London", "en"),
    ("Harbor & Pike", "harborandpike", "harborpike.example", "America/New_York", "en"),
    ("Bluefin Analytics", "bluefinanalytics", "bluefin.example", "America/Chicago", "en"),
    ("Copperleaf Energy", "copperleaf", "copperleaf.example", "America/Chicago", "en"),
    ("Sablewood Games", "sablewood", "sablewood.example", "America/Los_Angeles", "en"),
    ("Tessellate AI", "tessellate", "tessellate.example", "America/Los_Angeles", "en"),
    ("Ironbark Logistics", "ironbark", "ironbark.example", "Europe/London", "en"),
    ("Verdant Foods", "verdantfoods", "verdantfoods.example", "America/Chicago", "en"),
    ("Cobalt Ridge Bank", "cobaltridge", "cobaltridge.example", "America/New_York", "en"),
    ("Nimbus Cloudworks", "nimbuscloudworks", "nimbus-cloud.example", "America/Los_Angeles", "en"),
    ("Fernhill Media", "fernhill", "fernhill.example", "Europe/London", "en"),
    ("Granite Peak Insurance", "granitepeak", "granitepeak.example", "America/Chicago", "en"),
    ("Wavecrest Mobility", "wavecrest", "wavecrest.example", "America/Los_Angeles", "en"),
]
COMPANIES_DE = [
    ("Brückenbau Kessler GmbH", "brueckenbaukessler", "kessler-bau.example", "Europe/Berlin", "de"),
    ("Alpenwerk Systeme", "alpenwerk", "alpenwerk.example", "Europe/Berlin", "de"),
    ("Rheinfeld Logistik", "rheinfeld", "rheinfeld.example", "Europe/Berlin", "de"),
]
COMPANIES_FR = [
    ("Atelier Lumière", "atelierlumiere", "atelier-lumiere.example", "Europe/Paris", "fr"),
    ("Banque Mistral", "banquemistral", "banquemistral.example", "Europe/Paris", "fr"),
]
COMPANIES_ES = [
    ("Soluciones Marea", "solucionesmarea", "marea.example", "Europe/Madrid", "es"),
    ("Grupo Altamira", "grupoaltamira", "altamira.example", "Europe/Madrid", "es"),
]

ROLES = ["Senior Data Engineer", "Backend Engineer", "Product Designer", "Site Reliability Engineer",
         "Machine Learning Engineer", "Frontend Developer", "Engineering Manager", "Data Analyst",
         "Platform Engineer", "iOS Developer", "Security Engineer", "Technical Product Manager",
         "QA Automation Engineer", "DevOps Engineer", "Solutions Architect", "Staff Software Engineer"]
ROLES_DE = ["Softwareentwickler Java", "Projektingenieur", "Data Scientist", "Backend-Entwickler"]
ROLES_FR = ["Développeur Full Stack", "Ingénieur DevOps", "Chef de projet digital"]
ROLES_ES = ["Desarrollador Backend", "Ingeniera de Datos", "Analista de Sistemas"]

PEOPLE = ["Priya Raman", "Jordan Lee", "Maya Chen", "Tom Becker", "Hannah Wright", "Daniel Kim",
          "Olivia Brooks", "Marcus Hale", "Nina Petrova", "Ethan Cole", "Aisha Bello", "Grace Okafor",
          "Ryan Tanaka", "Chloe Martin", "Samuel Reyes", "Leah Goldberg", "Owen Fitzgerald"]
PEOPLE_DE = ["Lena Vogt", "Jonas Richter", "Katrin Albers", "Felix Brandt"]
PEOPLE_FR = ["Camille Durand", "Julien Moreau", "Élodie Lefèvre"]
PEOPLE_ES = ["Javier Ortega", "Lucía Fernández", "Marta Iglesias"]

MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]
DAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre"]
DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]

messages = []
labels = []
_seq = [0]


def pick(xs):
    return R.choice(xs)


def email_of(person, domain):
    first, last = person.lower().split()[0], person.lower().split()[-1]
    tr = str.maketrans("éèêëáíóúñüöäç", "eeeeaiounuoac")
    return f"{first.translate(tr)}.{last.translate(tr)}@{domain}"


def base_date():
    """A sending time between 2025-02-03 and 2025-06-27 (weekday, office hours)."""
    d = dt.datetime(2025, 2, 3) + dt.timedelta(days=R.randrange(0, 145))
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d.replace(hour=R.randrange(8, 18), minute=R.randrange(0, 60), second=R.randrange(0, 60))


def local(d, tz):
    return d.replace(tzinfo=ZoneInfo(tz))


def slot_after(d, days_min=2, days_max=8):
    s = d + dt.timedelta(days=R.randrange(days_min, days_max))
    while s.weekday() >= 5:
        s += dt.timedelta(days=1)
    return s.replace(hour=R.choice([9, 10, 11, 13, 14, 15, 16]), minute=R.choice([0, 0, 30, 15, 45]),
                     second=0, microsecond=0)


def utc_str(naive_local, tz):
    return local(naive_local, tz).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def when_en(s, tz, style):
    abbr = local(s, tz).tzname()
    generic = {"EST": "ET", "EDT": "ET", "PST": "PT", "PDT": "PT", "CST": "CT", "CDT": "CT"}.get(abbr, abbr)
    h12 = s.hour % 12 or 12
    ampm = "AM" if s.hour < 12 else "PM"
    day = s.day
    suf = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    if style == 0:
        return f"{s:%A}, {s:%B} {day}, {s.year} at {h12}:{s:%M} {ampm} {abbr}"
    if style == 1:
        return f"{s:%A}, {s:%B} {day}{suf} at {h12}:{s:%M}{ampm.lower()} {generic}"
    if style == 2:
        return f"{s:%a} {s:%b} {day}, {h12}:{s:%M} {ampm} ({abbr})"
    return f"{day} {s:%B} {s.year}, {s:%H:%M} {abbr}"


def add(fname, label, company, sched, msg):
    _seq[0] += 1
    messages.append((fname, msg.build()))
    labels.append((fname, label, company if label != "OTHER" else "", sched or ""))


def nxt(prefix):
    """File name: a neutral sequence number (the label is in labels.csv)."""
    del prefix
    return f"msg-{len(messages) + 1:03d}.eml"


SIG_LINKS = "https://www.{dom}/careers"


def footer_ats(vendor):
    return (f'<p style="color:#888;font-size:11px">Powered by {vendor}. '
            'Please do not reply directly to this automated message.</p>')


# ---------------------------------------------------------------- INTERVIEW

def interview_greenhouse(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d)
    kind = pick(["video interview", "phone screen", "technical interview", "interview with the hiring manager"])
    interviewer = pick([p for p in PEOPLE if p != rec])
    intro = pick([
        f"Thanks again for your interest in the {role} role at {name}! We're excited to move you forward to the next stage of our process.",
        f"Thank you for applying for the {role} position at {name}. We enjoyed reviewing your background and would like to invite you to interview with our team.",
        f"Great news - the team would like to move forward with your candidacy for {role}.",
    ])
    text = (f"Hi {FIRST},\n\n{intro}\n\nYour {kind} with {interviewer} has been scheduled for "
            f"{when_en(s, tz, R.randrange(0, 3))}. A calendar invitation with the meeting link is attached; "
            f"please accept it so we know the time works for you.\n\n"
            f"Join with Google Meet: https://meet.google.com/{slug[:3]}-{R.randrange(1000, 9999)}-xyz\n\n"
            f"If you need to reschedule, just reply to this email.\n\nBest,\n{rec}\nRecruiting Coordinator | {name}")
    ics, start = make_ics(f"{slug}-{len(messages)}@greenhouse.io", f"{name} - {kind.title()} ({CANDIDATE[0]})",
                          s, 45, tz, (rec, email_of(rec, dom)), [CANDIDATE, (interviewer, email_of(interviewer, dom))],
                          description=f"{kind.title()} for the {role} role.\nJoin with Google Meet.",
                          location="Google Meet")
    m = Msg(len(messages), (f"{name} Recruiting", "no-reply@us.greenhouse-mail.io"),
            pick([f"Interview Invitation: {role} at {name}", f"{name} - Interview Confirmation",
                  f"Your {kind} - {name}"]),
            local(d, tz), text, text_to_html(text, footer_html=footer_ats("Greenhouse")),
            reply_to=(rec, email_of(rec, dom)), ics=ics)
    add(nxt("interview"), "INTERVIEW", name, start, m)


def interview_recruiter_text(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d)
    style = R.randrange(0, 4)
    body = pick([
        f"Thank you for applying for the {role} position at {name}. I'd love to set up a 30-minute phone screen to learn more about you. "
        f"I've put us down for {when_en(s, tz, style)} - I'll call you at the number on your resume.",
        f"Following up on your application: the hiring team would like to speak with you about the {role} role. "
        f"Your phone interview is confirmed for {when_en(s, tz, style)}. We'll use Zoom: https://zoom.us/j/{R.randrange(10**9, 10**10)}",
        f"Thanks for your time on the phone earlier! As discussed, your technical interview for the {role} role is scheduled for "
        f"{when_en(s, tz, style)}. You'll be meeting with two engineers from the platform team.",
    ])
    text = (f"Hi {FIRST},\n\n{body}\n\nPlease let me know if that doesn't work and we'll find another time.\n\n"
            f"Thanks,\n{rec}\nTalent Acquisition Partner\n{name}\n{email_of(rec, dom)}")
    m = Msg(len(messages), (rec, email_of(rec, dom)),
            pick([f"{role} - next steps", f"Phone screen: {name} / {CANDIDATE[0]}", f"Interview for {role}",
                  f"Re: Your application to {name}"]),
            local(d, tz), text, mailer=pick([None, "Microsoft Outlook 16.0"]))
    add(nxt("interview"), "INTERVIEW", name, utc_str(s, tz), m)


def interview_pick_time(c, role, d, rec):
    """Scheduling link, no date yet (GoodTime, ModernLoop, Lever)."""
    name, slug, dom, tz, _ = c
    tool, sender, link = pick([
        ("GoodTime", "scheduling@goodtime.io", f"https://app.goodtime.io/candidate/availability/{slug}"),
        ("ModernLoop", "noreply@modernloop.io", f"https://candidate.modernloop.io/{slug}/schedule"),
        ("Lever", "no-reply@hire.lever.co", f"https://hire.lever.co/interviews/self-schedule/{slug}"),
    ])
    text = pick([
        f"Hi {FIRST},\n\n{rec} from {name} would like to schedule an interview with you for the {role} position. "
        f"Please use the link below to select a time that works for you:\n\n{link}\n\nThe interview will last 60 minutes "
        f"and take place over video.\n\nThanks,\nThe {name} Recruiting Team",
        f"Hello {FIRST},\n\nWe're looking forward to speaking with you about the {role} role at {name}! "
        f"Please share your availability for a 45-minute video interview over the next week:\n{link}\n\n"
        f"Once you submit your availability we will send a calendar invitation.\n\n{rec}\n{name} Talent Team",
    ])
    m = Msg(len(messages), (f"{name} via {tool}" if tool != "Lever" else name, sender),
            pick([f"Please schedule your interview with {name}", f"{name}: share your availability for an interview",
                  f"Action required: schedule your {role} interview"]),
            local(d, tz), text, text_to_html(text, [(link, "Select times")], footer_ats(tool)),
            reply_to=(rec, email_of(rec, dom)))
    add(nxt("interview"), "INTERVIEW", name, "", m)


def interview_calendly(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d, 1, 6)
    evname = pick(["30 Minute Phone Screen", "Intro Call", "Recruiter Screen", "Hiring Manager Interview"])
    ics, start = make_ics(f"{slug}{len(messages)}@calendly.com", f"{evname} between {rec} and {CANDIDATE[0]}",
                          s, 30, tz, (rec, email_of(rec, dom)), [CANDIDATE],
                          description=f"Event Name: {evname}\nLocation: This is a Zoom web conference.",
                          location="Zoom", prodid="-//Calendly//EN")
    loc = local(s, tz)
    text = (f"Hi {CANDIDATE[0]},\n\nYour {evname} with {rec} at {name} is scheduled.\n\n"
            f"Event Type:\n{evname}\n\nEvent Date/Time:\n{loc:%I:%M%p} - "
            f"{(loc + dt.timedelta(minutes=30)):%I:%M%p}, {loc:%A, %B} {loc.day}, {loc.year}\n\n"
            f"Location:\nThis is a Zoom web conference.\n\nInvitee Time Zone:\n{tz}\n\n"
            f"Cancel: https://calendly.com/cancellations/{slug}{len(messages)}\n"
            f"Reschedule: https://calendly.com/reschedulings/{slug}{len(messages)}\n\nPowered by Calendly.com")
    m = Msg(len(messages), ("Calendly", "notifications@calendly.com"),
            f"Confirmed: {evname} with {rec} on {loc:%A, %B} {loc.day}, {loc.year}",
            local(d, tz), text, text_to_html(text), reply_to=(rec, email_of(rec, dom)), ics=ics)
    add(nxt("interview"), "INTERVIEW", name, start, m)


def interview_onsite_outlook(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d, 4, 12)
    s = s.replace(hour=10, minute=0)
    ics, start = make_ics(f"040000008200E00074C5B7101A82E008{len(messages):08d}", f"Virtual Onsite: {CANDIDATE[0]} - {role}",
                          s, 240, tz, (rec, email_of(rec, dom)), [CANDIDATE],
                          description="Agenda:\n10:00 System design\n11:00 Coding\n13:00 Values\n14:00 Hiring manager",
                          location="Microsoft Teams Meeting", prodid="Microsoft Exchange Server 2010")
    text = (f"Hi {FIRST},\n\nCongratulations on making it to the final round for the {role} position at {name}! "
            f"We'd like to invite you to a virtual onsite consisting of four 45-minute interviews.\n\n"
            f"Agenda ({local(s, tz).tzname()}):\n  10:00 - System design\n  11:00 - Coding\n  13:00 - Values & collaboration\n"
            f"  14:00 - Hiring manager interview\n\nA Microsoft Teams invitation is attached. Please let me know if you "
            f"need any accommodations.\n\nBest regards,\n{rec}\nSenior Recruiter, {name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), pick([f"Final round interviews - {role}", f"Virtual onsite invitation | {name}"]),
            local(d, tz), text, text_to_html(text), ics=ics, mailer="Microsoft Outlook 16.0")
    add(nxt("interview"), "INTERVIEW", name, start, m)


def interview_reschedule(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d, 2, 7)
    ics, start = make_ics(f"resched-{slug}-{len(messages)}@google.com", f"Interview: {CANDIDATE[0]} <> {name}",
                          s, 60, tz, (rec, email_of(rec, dom)), [CANDIDATE], sequence=2,
                          description="Updated time for your interview.", location="https://meet.google.com/abc-defg-hij")
    text = (f"Hi {FIRST},\n\nAs requested, your interview has been rescheduled. The updated invitation is attached "
            f"and replaces the previous one.\n\nNew time: {when_en(s, tz, 0)}\n\nSee you then,\n{rec}\n{name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Updated invitation: Interview with {name}",
            local(d, tz), text, text_to_html(text), ics=ics)
    add(nxt("interview"), "INTERVIEW", name, start, m)


def interview_reply_thread(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d, 1, 5)
    abbr = local(s, tz).tzname()
    generic = {"EST": "ET", "EDT": "ET", "PST": "PT", "PDT": "PT", "CST": "CT", "CDT": "CT"}.get(abbr, abbr)
    hm = f"{s.hour % 12 or 12}" + (f":{s:%M}" if s.minute else "")
    text = (f"Perfect, you're all set for {s.month}/{s.day} at {hm}{'am' if s.hour < 12 else 'pm'} {generic}. "
            f"I'll send the video link the morning of the interview.\n\nThanks!\n{rec.split()[0]}\n\n"
            f"On {(d - dt.timedelta(hours=3)):%a, %b %d, %Y} at 9:12 AM {CANDIDATE[0]} <{CANDIDATE[1]}> wrote:\n"
            f"> Hi {rec.split()[0]}, {s.month}/{s.day} works great for me. Thanks!\n> Alex\n")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Re: {role} interview - scheduling",
            local(d, tz), text, in_reply_to=f"<{slug}-thread-{len(messages)}@example.net>")
    add(nxt("interview"), "INTERVIEW", name, utc_str(s, tz), m)


def interview_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d)
    w = f"{DAYS_DE[s.weekday()]}, den {s.day}. {MONTHS_DE[s.month - 1]} {s.year} um {s:%H:%M} Uhr"
    text = (f"Sehr geehrter Herr Rivera,\n\nvielen Dank für Ihre Bewerbung als {role} und Ihr Interesse an der {name}. "
            f"Ihre Unterlagen haben uns überzeugt, und wir möchten Sie gerne zu einem Vorstellungsgespräch einladen.\n\n"
            f"Termin: {w}\nOrt: Microsoft Teams (den Link erhalten Sie separat)\n\n"
            f"Bitte bestätigen Sie uns den Termin kurz per E-Mail.\n\nMit freundlichen Grüßen\n\n{rec}\n"
            f"Personalabteilung\n{name}")
    m = Msg(len(messages), (f"{rec} | {name}", email_of(rec, dom)), f"Einladung zum Vorstellungsgespräch – {role}",
            local(d, tz), text, text_to_html(text))
    add(nxt("interview"), "INTERVIEW", name, utc_str(s, tz), m)


def interview_fr(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d)
    w = f"le {DAYS_FR[s.weekday()]} {s.day} {MONTHS_FR[s.month - 1]} {s.year} à {s.hour}h{s:%M}"
    text = (f"Bonjour Alex,\n\nNous avons bien étudié votre candidature pour le poste de {role} et nous souhaitons "
            f"vous rencontrer. Nous vous proposons un entretien en visioconférence {w}.\n\n"
            f"Merci de nous confirmer votre présence.\n\nCordialement,\n{rec}\nChargée de recrutement – {name}")
    ics, start = make_ics(f"fr-{slug}-{len(messages)}@{dom}", f"Entretien – {role} – {name}", s, 45, tz,
                          (rec, email_of(rec, dom)), [CANDIDATE], location="Google Meet")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Convocation à un entretien – {role}",
            local(d, tz), text, text_to_html(text), ics=ics)
    add(nxt("interview"), "INTERVIEW", name, start, m)


def interview_es(c, role, d, rec):
    name, slug, dom, tz, _ = c
    s = slot_after(d)
    w = f"el {DAYS_ES[s.weekday()]} {s.day} de {MONTHS_ES[s.month - 1]} a las {s:%H:%M} (hora de Madrid)"
    text = (f"Hola Alex:\n\nGracias por tu interés en {name}. Tras revisar tu perfil, nos gustaría invitarte a una "
            f"entrevista para la posición de {role}, {w}, por videollamada.\n\n"
            f"Por favor, confírmanos tu disponibilidad respondiendo a este correo.\n\nUn saludo,\n{rec}\n"
            f"Equipo de Selección – {name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Invitación a entrevista – {role}",
            local(d, tz), text, text_to_html(text))
    add(nxt("interview"), "INTERVIEW", name, utc_str(s, tz), m)


# ---------------------------------------------------------------- OFFER

def offer_direct(c, role, d, rec):
    name, slug, dom, tz, _ = c
    start = d + dt.timedelta(days=R.randrange(20, 40))
    text = pick([
        f"Hi {FIRST},\n\nOn behalf of the whole team, I'm delighted to offer you the position of {role} at {name}! "
        f"Everyone you met was impressed.\n\nAttached is your offer letter with the details: a base salary of "
        f"${R.randrange(120, 190)},000, equity and benefits, and a proposed start date of {start:%B} {start.day}. "
        f"Please review it and sign via the link by {(d + dt.timedelta(days=5)):%A}.\n\n"
        f"Don't hesitate to call me with any questions.\n\nWarmly,\n{rec}\n{name}",
        f"Hi {FIRST},\n\nGreat news: we are pleased to extend you an offer for the {role} role! "
        f"Your formal offer letter is attached. It outlines your compensation package, signing bonus and start date.\n\n"
        f"We'd love to have you on the team - let me know when you have time to go over it.\n\nBest,\n{rec}\n"
        f"Recruiting Lead, {name}",
    ])
    m = Msg(len(messages), (rec, email_of(rec, dom)), pick([f"Offer Letter - {role}", f"Your offer from {name}",
                                                           f"{name} offer: {role}"]),
            local(d, tz), text, text_to_html(text),
            attachments=[(f"{slug}_offer_letter.pdf", "application/pdf", b"%PDF-1.4\n% fictional offer letter\n")])
    add(nxt("offer"), "OFFER", name, "", m)


def offer_ats(c, role, d, rec):
    name, slug, dom, tz, _ = c
    vendor, sender = pick([("Ashby", "no-reply@ashbyhq.com"), ("Greenhouse", "no-reply@greenhouse.io")])
    link = f"https://app.{'ashbyhq.com' if vendor == 'Ashby' else 'greenhouse.io'}/offers/{slug}/{R.randrange(10**6, 10**7)}"
    text = (f"Hi {FIRST},\n\n{name} has sent you an offer for the {role} position. Congratulations!\n\n"
            f"Review and sign your offer: {link}\n\nThis offer expires in 7 days.\n\n- The {name} Team")
    m = Msg(len(messages), (f"{name} Hiring Team", sender), f"You have an offer from {name}",
            local(d, tz), text, text_to_html(text, [(link, "Review offer")], footer_ats(vendor)),
            reply_to=(rec, email_of(rec, dom)))
    add(nxt("offer"), "OFFER", name, "", m)


def offer_workday(c, role, d, rec):
    name, slug, dom, tz, _ = c
    link = f"https://{slug}.wd5.myworkdayjobs.com/en-US/External/userHome"
    html_body = text_to_html(
        f"Dear {CANDIDATE[0]},\n\nCongratulations! We are excited to extend you an offer of employment for the position of "
        f"{role} (Job Requisition R-{R.randrange(10000, 99999)}).\n\nPlease sign in to your candidate home to review "
        f"and accept the offer: {link}\n\nSincerely,\n{name} Talent Acquisition",
        [(link, "Candidate Home")])
    m = Msg(len(messages), (f"{name} Careers", f"{slug}@myworkday.com"), f"Offer Letter Available - {role}",
            local(d, tz), None, html_body, html_only=True)
    add(nxt("offer"), "OFFER", name, "", m)


def offer_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Sehr geehrter Herr Rivera,\n\nwir freuen uns sehr, Ihnen die Position als {role} anbieten zu können! "
            f"Im Anhang finden Sie unser Vertragsangebot mit allen Details zu Gehalt und Eintrittsdatum.\n\n"
            f"Wir würden uns freuen, Sie bald in unserem Team begrüßen zu dürfen.\n\nMit freundlichen Grüßen\n{rec}\n{name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Ihr Vertragsangebot – {role}", local(d, tz), text,
            attachments=[("Vertragsangebot.pdf", "application/pdf", b"%PDF-1.4\n% fiktiv\n")])
    add(nxt("offer"), "OFFER", name, "", m)


def offer_es(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hola Alex:\n\n¡Enhorabuena! Nos complace ofrecerte el puesto de {role} en {name}. "
            f"Adjuntamos la carta oferta con el salario bruto anual, los beneficios y la fecha de incorporación propuesta.\n\n"
            f"Quedamos a tu disposición para cualquier duda.\n\nUn abrazo,\n{rec}\n{name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Carta oferta – {role}", local(d, tz), text,
            attachments=[("carta_oferta.pdf", "application/pdf", b"%PDF-1.4\n% ficticio\n")])
    add(nxt("offer"), "OFFER", name, "", m)


# ---------------------------------------------------------------- ASSESSMENT

def assess_vendor(c, role, d, rec):
    name, slug, dom, tz, _ = c
    vendor, sender, subj, body = pick([
        ("HackerRank", "support@hackerrankforwork.com", f"{name} has invited you to take a test",
         f"{name} has invited you to take the {role} test on HackerRank.\n\nTest duration: 90 minutes\n"
         f"Test link: https://www.hackerrank.com/test/{slug}{R.randrange(100, 999)}\n\n"
         f"Please complete the test within 7 days. Make sure you have a stable internet connection before you begin."),
        ("Codility", "no-reply@codility.com", f"Invitation to a Codility test from {name}",
         f"You have been invited by {name} to take a programming test as part of your application for {role}.\n\n"
         f"Start the test: https://app.codility.com/c/run/{slug.upper()[:4]}-{R.randrange(1000, 9999)}\n"
         f"The test consists of 3 tasks; you have 110 minutes once you start. The link expires in 5 days."),
        ("CodeSignal", "noreply@codesignal.com", f"Complete your coding assessment for {name}",
         f"{name} would like you to complete a General Coding Assessment for the {role} role.\n\n"
         f"Your assessment link: https://app.codesignal.com/invite/{slug}{R.randrange(1000, 9999)}\n"
         f"You will have 70 minutes to complete 4 questions."),
        ("TestGorilla", "no-reply@testgorilla.com", f"You're invited to take an assessment for {name}",
         f"Hi {FIRST},\n\n{name} invites you to complete an online assessment for the {role} position. "
         f"It includes a cognitive ability test and a skills test and takes about 45 minutes.\n\n"
         f"Start assessment: https://app.testgorilla.com/s/{slug}{R.randrange(100, 999)}"),
    ])
    text = f"Hi {CANDIDATE[0]},\n\n{body}\n\nGood luck!\nThe {vendor} team on behalf of {name}"
    m = Msg(len(messages), (f"{name} via {vendor}" if R.random() < 0.5 else vendor, sender), subj,
            local(d, tz), text, text_to_html(text, footer_html=footer_ats(vendor)), reply_to=(rec, email_of(rec, dom)))
    add(nxt("assessment"), "ASSESSMENT", name, "", m)


def assess_takehome(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = pick([
        f"Hi {FIRST},\n\nThanks for the great conversation last week! As a next step, we'd like you to complete a short "
        f"take-home assignment. You'll find the brief attached; it should take about 3-4 hours. Please send us your "
        f"solution (a GitHub repo link is fine) within 5 days.\n\nHappy to answer any questions.\n\n{rec}\n{name}",
        f"Hi {FIRST},\n\nThe next stage of our process for the {role} role is a technical exercise. Please find the "
        f"case study attached. We ask that you return it by end of day {(d + dt.timedelta(days=6)):%A}; "
        f"afterwards we'll review it together in a follow-up call.\n\nBest,\n{rec}\nEngineering Recruiting, {name}",
    ])
    m = Msg(len(messages), (rec, email_of(rec, dom)), pick([f"{name} take-home exercise", f"Technical exercise - {role}"]),
            local(d, tz), text, attachments=[("exercise_brief.pdf", "application/pdf", b"%PDF-1.4\n% brief\n")])
    add(nxt("assessment"), "ASSESSMENT", name, "", m)


def assess_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hallo Alex,\n\nvielen Dank für das nette Telefonat. Als nächsten Schritt möchten wir Sie bitten, eine "
            f"kurze Programmieraufgabe zu bearbeiten. Die Bearbeitungszeit beträgt etwa zwei Stunden; den Link zum "
            f"Online-Test finden Sie hier: https://app.codility.com/c/run/{slug[:6]}\n\nViele Grüße\n{rec}\n{name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Ihre Programmieraufgabe – {role}", local(d, tz), text)
    add(nxt("assessment"), "ASSESSMENT", name, "", m)


def assess_fr(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Bonjour Alex,\n\nSuite à notre échange, nous vous invitons à réaliser un test technique en ligne pour le "
            f"poste de {role}. Le test dure environ 60 minutes et doit être complété sous 5 jours : "
            f"https://www.hackerrank.com/test/{slug[:8]}\n\nBonne chance,\n{rec}\n{name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Test technique – {role}", local(d, tz), text)
    add(nxt("assessment"), "ASSESSMENT", name, "", m)


# ---------------------------------------------------------------- REJECTION

def reject_ats(c, role, d, rec):
    name, slug, dom, tz, _ = c
    vendor, sender = pick([("Greenhouse", "no-reply@us.greenhouse-mail.io"), ("Lever", "no-reply@hire.lever.co"),
                           ("Ashby", "no-reply@ashbyhq.com"), ("Workable", "noreply@candidates.workablemail.com")])
    core = pick([
        f"After careful consideration, we have decided to move forward with other candidates whose experience more "
        f"closely matches the needs of the role.",
        f"Unfortunately, we will not be moving forward with your application at this time.",
        f"We received a large number of applications, and we regret to inform you that we have decided not to proceed "
        f"with your candidacy.",
        f"While your background is impressive, we have decided to pursue other candidates for this position.",
    ])
    text = (f"Hi {FIRST},\n\nThank you for your interest in the {role} position at {name} and for the time you "
            f"invested in applying. {core}\n\nWe'll keep your resume on file and encourage you to apply for future "
            f"openings that match your skills.\n\nWe wish you the best of luck in your job search.\n\n"
            f"Best regards,\nThe {name} Recruiting Team")
    m = Msg(len(messages), (f"{name} Recruiting" if R.random() < 0.6 else name, sender),
            pick([f"Your application to {name}", f"{name} - {role}", f"Update on your {name} application",
                  f"Thank you for your interest in {name}"]),
            local(d, tz), text, text_to_html(text, footer_html=footer_ats(vendor)))
    add(nxt("rejection"), "REJECTION", name, "", m)


def reject_after_interview(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = pick([
        f"Hi {FIRST},\n\nThank you for taking the time to interview with us for the {role} role - the team really "
        f"enjoyed meeting you. Unfortunately, we've decided not to move forward. This was a difficult decision, as we "
        f"had many strong candidates.\n\nI'd be happy to share some feedback if that would be helpful.\n\n"
        f"All the best,\n{rec}\n{name}",
        f"Hi {FIRST},\n\nThanks again for interviewing with {name}. I wanted to let you know personally that we have "
        f"decided to go with another candidate for the {role} position. We were impressed with your skills and hope "
        f"our paths cross again.\n\nBest wishes,\n{rec}",
    ])
    m = Msg(len(messages), (rec, email_of(rec, dom)), pick([f"Re: {role} interview", f"{name} interview follow-up"]),
            local(d, tz), text)
    add(nxt("rejection"), "REJECTION", name, "", m)


def reject_workday(c, role, d, rec):
    name, slug, dom, tz, _ = c
    html_body = text_to_html(
        f"Dear {CANDIDATE[0]},\n\nThank you for your interest in the {role} position (R-{R.randrange(10000, 99999)}). "
        f"We regret to inform you that the position has been filled. Your profile will remain in our talent community "
        f"and we encourage you to apply to future opportunities.\n\nKind regards,\n{name} Talent Acquisition")
    m = Msg(len(messages), (f"{name} Careers", f"{slug}@myworkday.com"), f"Your application for {role}",
            local(d, tz), None, html_body, html_only=True)
    add(nxt("rejection"), "REJECTION", name, "", m)


def reject_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Sehr geehrter Herr Rivera,\n\nvielen Dank für Ihre Bewerbung und das Interesse an unserem Unternehmen. "
            f"Leider müssen wir Ihnen mitteilen, dass wir uns für einen anderen Bewerber entschieden haben.\n\n"
            f"Wir wünschen Ihnen für Ihre berufliche Zukunft alles Gute.\n\nMit freundlichen Grüßen\n{name}\n"
            f"Personalabteilung")
    m = Msg(len(messages), (f"{name} Karriere", f"karriere@{dom}"), f"Ihre Bewerbung als {role}", local(d, tz), text)
    add(nxt("rejection"), "REJECTION", name, "", m)


def reject_fr(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Bonjour Alex,\n\nNous vous remercions pour l'intérêt que vous portez à {name}. Après étude attentive de "
            f"votre dossier, nous sommes au regret de ne pas donner suite à votre candidature pour le poste de {role}.\n\n"
            f"Nous vous souhaitons bonne continuation.\n\nL'équipe recrutement\n{name}")
    m = Msg(len(messages), (f"{name} Recrutement", f"recrutement@{dom}"), f"Votre candidature – {role}", local(d, tz), text)
    add(nxt("rejection"), "REJECTION", name, "", m)


def reject_es(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hola Alex:\n\nGracias por tu interés en formar parte de {name}. Lamentamos informarte de que hemos "
            f"decidido continuar el proceso con otros candidatos cuyo perfil se ajusta más a la posición de {role}.\n\n"
            f"Te deseamos mucho éxito en tu búsqueda.\n\nUn saludo,\nEquipo de Talento – {name}")
    m = Msg(len(messages), (f"{name} Talento", f"talento@{dom}"), f"Tu candidatura – {role}", local(d, tz), text)
    add(nxt("rejection"), "REJECTION", name, "", m)


# ---------------------------------------------------------------- APPLICATION_ACK

def ack_ats(c, role, d, rec):
    name, slug, dom, tz, _ = c
    vendor, sender, link = pick([
        ("Greenhouse", "no-reply@us.greenhouse-mail.io", f"https://boards.greenhouse.io/{slug}/jobs/{R.randrange(10**6, 10**7)}"),
        ("Lever", "no-reply@hire.lever.co", f"https://jobs.lever.co/{slug}/{R.randrange(10**6, 10**7)}"),
        ("Ashby", "no-reply@ashbyhq.com", f"https://jobs.ashbyhq.com/{slug}"),
        ("SmartRecruiters", "no-reply@smartrecruiters.com", f"https://jobs.smartrecruiters.com/{slug}/{R.randrange(10**6, 10**7)}"),
        ("Jobvite", "notification@jobvite.com", f"https://jobs.jobvite.com/{slug}/job/oX{R.randrange(1000, 9999)}"),
    ])
    text = pick([
        f"Hi {FIRST},\n\nThanks for applying to {name}! We've received your application for the {role} position and "
        f"our team will review it shortly. If your experience is a match, someone from our recruiting team will reach "
        f"out to discuss next steps.\n\nIn the meantime, you can learn more about us at {link}\n\nBest,\nThe {name} Team",
        f"Dear {CANDIDATE[0]},\n\nThank you for your application for {role}. This email confirms that your application "
        f"has been received. We are currently reviewing applications and will be in touch if your qualifications "
        f"match our requirements.\n\nKind regards,\n{name} Talent Acquisition",
        f"Hi {FIRST},\n\nThank you for your interest in {name}! Your application for the {role} role was submitted "
        f"successfully. Due to the high volume of applications we may not be able to respond to everyone individually, "
        f"but we will review your application carefully.\n\n{name} Recruiting",
    ])
    m = Msg(len(messages), (f"{name} Recruiting" if R.random() < 0.5 else name, sender),
            pick([f"Thank you for applying to {name}", f"{name} - Application Received", f"Your application to {name}",
                  f"We received your application for {role}"]),
            local(d, tz), text, text_to_html(text, [(link, link)], footer_ats(vendor)))
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


def ack_workday(c, role, d, rec):
    name, slug, dom, tz, _ = c
    link = f"https://{slug}.wd1.myworkdayjobs.com/en-US/Careers/userHome"
    html_body = text_to_html(
        f"Dear {CANDIDATE[0]},\n\nThank you for applying to {name}. We have received your application for {role} and "
        f"will review your qualifications. You can track the status of your application in your candidate home: {link}\n\n"
        f"Regards,\n{name} Talent Acquisition", [(link, "Candidate Home")])
    m = Msg(len(messages), (f"{name} Careers", f"{slug}@myworkday.com"), "Application Received",
            local(d, tz), None, html_body, html_only=True)
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


def ack_icims(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Dear Alex,\n\nThank you for applying for the {role} position with {name}. We confirm receipt of your "
            f"application. Our recruiting team is currently reviewing your qualifications.\n\n"
            f"Job: {role} (Req #{R.randrange(1000, 9999)})\n\nSincerely,\n{name} Human Resources")
    m = Msg(len(messages), (f"{name} Careers", f"careers-{slug}@icims.com"), f"{name} - Thank you for your application",
            local(d, tz), text, text_to_html(text, footer_html=footer_ats("iCIMS")))
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


def ack_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Sehr geehrter Herr Rivera,\n\nvielen Dank für Ihre Bewerbung als {role}. Hiermit bestätigen wir den Eingang "
            f"Ihrer Bewerbung. Wir werden Ihre Unterlagen sorgfältig prüfen und uns schnellstmöglich bei Ihnen melden.\n\n"
            f"Mit freundlichen Grüßen\nIhr Recruiting-Team der {name}")
    m = Msg(len(messages), (f"{name} Recruiting", f"noreply@{slug}.jobs.personio.de"), f"Eingangsbestätigung Ihrer Bewerbung – {role}",
            local(d, tz), text, text_to_html(text))
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


def ack_fr(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Bonjour Alex,\n\nNous avons bien reçu votre candidature pour le poste de {role} et nous vous en remercions. "
            f"Notre équipe va l'étudier avec attention et reviendra vers vous rapidement.\n\nCordialement,\n"
            f"L'équipe recrutement de {name}")
    m = Msg(len(messages), (f"{name} Recrutement", f"no-reply@{slug}.recruitee.com"), "Accusé de réception de votre candidature",
            local(d, tz), text, text_to_html(text))
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


def ack_es(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hola Alex:\n\n¡Gracias por postularte a {name}! Hemos recibido tu candidatura para el puesto de {role}. "
            f"Revisaremos tu perfil y, si encaja con lo que buscamos, nos pondremos en contacto contigo.\n\n"
            f"Un saludo,\nEquipo de Talento de {name}")
    m = Msg(len(messages), (f"{name}", f"no-reply@{slug}.teamtailor-mail.com"), f"Hemos recibido tu candidatura – {role}",
            local(d, tz), text, text_to_html(text))
    add(nxt("ack"), "APPLICATION_ACK", name, "", m)


# ---------------------------------------------------------------- RECRUITER_OUTREACH

def outreach_agency(c, role, d, rec):
    name, slug, dom, tz, _ = c
    agency = pick([("Talentbridge Partners", "talentbridge.example"), ("Summit Search Group", "summitsearch.example"),
                   ("Bellwether Recruiting", "bellwether-rec.example")])
    text = pick([
        f"Hi {FIRST},\n\nI came across your profile and was impressed by your background in data infrastructure. "
        f"I'm a technical recruiter at {agency[0]}, and I'm working with {name}, who is hiring a {role}. "
        f"Would you be open to a quick chat this week to hear more?\n\nBest,\n{rec}\n{agency[0]}",
        f"Hello {FIRST},\n\nI hope you're well. I'm reaching out because your experience with large-scale systems "
        f"could be a great fit for a {role} opening with my client, {name}. The role is remote-friendly and the team "
        f"is growing fast.\n\nAre you open to new opportunities at the moment? Happy to share details.\n\n{rec}\n"
        f"Senior Consultant | {agency[0]}",
    ])
    m = Msg(len(messages), (rec, email_of(rec, agency[1])), pick([f"{role} opportunity at {name}", "Quick question",
                                                                 f"Exciting {role} role"]),
            local(d, tz), text)
    add(nxt("outreach"), "RECRUITER_OUTREACH", name, "", m)


def outreach_inhouse(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hi {FIRST},\n\nI'm {rec.split()[0]}, a talent partner at {name}. We're hiring a {role} to join our "
            f"platform team, and your background really stood out. Would you be interested in learning more? "
            f"If so, let me know a couple of times that work for an informal call.\n\nCheers,\n{rec}\n"
            f"Talent Partner, {name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"{name} is hiring a {role}", local(d, tz), text,
            text_to_html(text))
    add(nxt("outreach"), "RECRUITER_OUTREACH", name, "", m)


def outreach_linkedin(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"{rec} sent you a message\n\n{rec}\nRecruiter at {name}\n\n\"Hi {FIRST}, I came across your profile and "
            f"think you could be a great fit for our {role} opening. Would you be open to a conversation?\"\n\n"
            f"Reply: https://www.linkedin.com/messaging/thread/{R.randrange(10**9, 10**10)}\n\n"
            f"You are receiving InMail notification emails. Unsubscribe: https://www.linkedin.com/e/v2?e=unsub\n"
            f"© 2025 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085.")
    m = Msg(len(messages), (f"{rec} via LinkedIn", "inmail-hit-reply@linkedin.com"), f"{rec.split()[0]} sent you a new message",
            local(d, tz), text, text_to_html(text),
            headers=[("List-Unsubscribe", "<https://www.linkedin.com/e/v2?e=unsub>")])
    add(nxt("outreach"), "RECRUITER_OUTREACH", name, "", m)


def outreach_de(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Hallo Alex,\n\nich bin auf Ihr Profil aufmerksam geworden und denke, dass eine spannende Position als "
            f"{role} bei der {name} gut zu Ihnen passen könnte. Wären Sie offen für neue Herausforderungen? "
            f"Gerne würde ich Ihnen die Details in einem kurzen Telefonat vorstellen.\n\nBeste Grüße\n{rec}\n"
            f"Talent Acquisition, {name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Spannende Position als {role}", local(d, tz), text)
    add(nxt("outreach"), "RECRUITER_OUTREACH", name, "", m)


def outreach_fr(c, role, d, rec):
    name, slug, dom, tz, _ = c
    text = (f"Bonjour Alex,\n\nVotre profil a retenu mon attention. Je recrute actuellement un(e) {role} pour {name} "
            f"et je pense que votre expérience correspond bien. Seriez-vous ouvert à échanger quelques minutes cette "
            f"semaine ?\n\nBien à vous,\n{rec}\nTalent Acquisition – {name}")
    m = Msg(len(messages), (rec, email_of(rec, dom)), f"Opportunité {role} – {name}", local(d, tz), text)
    add(nxt("outreach"), "RECRUITER_OUTREACH", name, "", m)


# ---------------------------------------------------------------- OTHER (hard negatives)

def bulk_headers(domain, list_id=None):
    h = [("List-Unsubscribe", f"<https://{domain}/unsubscribe?u={R.randrange(10**8, 10**9)}>, <mailto:unsub@{domain}>"),
         ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
         ("Precedence", "bulk")]
    if list_id:
        h.append(("List-Id", list_id))
    return h


def neg_job_alert(i):
    src = i % 5
    d = base_date()
    jobs = R.sample(COMPANIES, 4)
    roles = R.sample(ROLES, 4)
    lines = [f"{r}\n{c[0]} - Remote\nApply now: https://jobs.example.com/view/{R.randrange(10**6, 10**7)}" for r, c in zip(roles, jobs)]
    if src == 0:
        sender = ("LinkedIn Job Alerts", "jobalerts-noreply@linkedin.com")
        subj = f"{roles[0]} at {jobs[0][0]} and 9 more jobs in Remote for you"
        text = "Your job alert for data engineer\n\n" + "\n\n".join(lines) + \
               "\n\nSee all jobs\n\nYou are receiving Job Alert emails. Unsubscribe"
        hd = bulk_headers("linkedin.com")
    elif src == 1:
        sender = ("Indeed", "alert@indeed.com")
        subj = f"{R.randrange(5, 40)} new {roles[1].lower()} jobs near you"
        text = "New jobs matching your search\n\n" + "\n\n".join(lines) + \
               "\n\nEasily apply to these jobs. Interview-ready? Prepare with our interview tips.\n\nUnsubscribe from this job alert."
        hd = bulk_headers("indeed.com")
    elif src == 2:
        sender = ("Glassdoor Jobs", "noreply@glassdoor.com")
        subj = f"Jobs you may be interested in: {roles[2]}"
        text = "Recommended jobs for you, based on your profile\n\n" + "\n\n".join(lines) + \
               "\n\nManage your email preferences"
        hd = bulk_headers("glassdoor.com")
    elif src == 3:
        sender = ("StepStone Jobagent", "jobagent@stepstone.de")
        subj = "Neue Jobs für Sie: Data Engineer (m/w/d)"
        text = "Ihr Jobagent hat passende Jobs für Sie gefunden:\n\n" + "\n\n".join(lines) + \
               "\n\nJobagent abbestellen"
        hd = bulk_headers("stepstone.de")
    else:
        sender = ("InfoJobs", "alertas@infojobs.net")
        subj = "Nuevas ofertas de empleo que encajan contigo"
        text = "Tu alerta de empleo: estas son las nuevas ofertas\n\n" + "\n\n".join(lines) + \
               "\n\nDarte de baja de esta alerta"
        hd = bulk_headers("infojobs.net")
    m = Msg(len(messages), sender, subj, local(d, "Europe/London"), None, text_to_html(text), html_only=True, headers=hd)
    add(nxt("other-jobalert"), "OTHER", "", "", m)


def neg_tips_newsletter(i):
    d = base_date()
    pubs = [("The Career Compass", "news@careercompass.example"), ("Hired Weekly", "digest@hiredweekly.example"),
            ("Offer Negotiation Academy", "hello@negotiate-academy.example")]
    pub = pubs[i % 3]
    subj = pick(["7 interview questions you should be ready to answer", "How to ace your next technical interview",
                 "Interview tips: the STAR method explained", "Got an offer? Here's how to negotiate it",
                 "Your weekly career digest: acing the onsite interview", "Assessment centres: what to expect"])
    text = (f"{subj}\n\nThis week in {pub[0]}: how to prepare for a phone screen, what recruiters look for in your "
            f"resume, and how to follow up after an interview. Plus: a reader asks how to evaluate a job offer with "
            f"stock options.\n\nRead more: https://{pub[1].split('@')[1]}/p/{R.randrange(100, 999)}\n\n"
            f"You're receiving this newsletter because you subscribed at {pub[1].split('@')[1]}. Unsubscribe | "
            f"View in browser")
    m = Msg(len(messages), pub, subj, local(d, "America/New_York"), text, text_to_html(text),
            headers=bulk_headers(pub[1].split("@")[1], f"{pub[0]} <newsletter.{pub[1].split('@')[1]}>"))
    add(nxt("other-newsletter"), "OTHER", "", "", m)


def neg_meeting_invite(i):
    d = base_date()
    tz = pick(["America/New_York", "Europe/Berlin", "America/Los_Angeles"])
    org_name, org_dom = pick([("Jamie Fox", "riverside-pta.example"), ("Dana Park", "bookclub.example"),
                              ("Chris Young", "alexrivera-consulting.example"), ("Pat Moreno", "climbinggym.example"),
                              ("Sam Whitfield", "northwind.example")])
    summ, desc = pick([
        ("Quarterly planning sync", "Agenda: roadmap, budget, hiring plan for Q3."),
        ("Dentist appointment", "Reminder: cleaning with Dr. Holt."),
        ("Book club: The Overstory", "We're discussing chapters 5-9."),
        ("1:1 Alex / Chris", "Weekly one-on-one."),
        ("Project kickoff - website redesign", "Kickoff call with the client team."),
        ("PTA meeting", "Spring fundraiser planning."),
        ("Climbing session", "Bouldering at the gym, bring shoes."),
        ("Sprint retrospective", "What went well, what to improve."),
    ])
    s = slot_after(d, 1, 6)
    ics, _ = make_ics(f"neg-{i}-{len(messages)}@google.com", summ, s, 60, tz, (org_name, email_of(org_name, org_dom)),
                      [CANDIDATE], description=desc, location=pick(["Zoom", "Room 4B", "Google Meet", ""]))
    text = (f"{org_name} has invited you to the following event.\n\n{summ}\nWhen: {when_en(s, tz, 0)}\n"
            f"Calendar: {CANDIDATE[1]}\nWho: {org_name} - organizer, {CANDIDATE[0]}\n\n{desc}\n\n"
            f"Going? Yes - Maybe - No\n\nInvitation from Google Calendar")
    m = Msg(len(messages), (org_name, email_of(org_name, org_dom)), f"Invitation: {summ} @ {local(s, tz):%a %b %d, %Y %I:%M%p}",
            local(d, tz), text, text_to_html(text), ics=ics)
    add(nxt("other-meeting"), "OTHER", "", "", m)


def neg_vendor_offer(i):
    d = base_date()
    shop, dom = pick([("Sunny Travel", "sunnytravel.example"), ("Peak Outfitters", "peakoutfitters.example"),
                      ("Streamly", "streamly.example"), ("Fresh Basket", "freshbasket.example"),
                      ("Cloudbox Storage", "cloudbox.example"), ("Velo Bikes", "velobikes.example")])
    subj, body = pick([
        ("Exclusive offer: 30% off your next trip", "Limited time offer! Book by Sunday and save 30%. Offer ends soon."),
        ("Your special offer is waiting", "As a valued customer, enjoy a special offer: 2 months free on any annual plan."),
        ("We've got an offer you can't refuse", "Get 20% off with promo code SPRING20. Offer expires March 31."),
        ("Final hours: introductory offer", "Upgrade today and lock in our introductory offer of $4.99/month."),
        ("Congratulations! You've been selected", "You've been selected for an exclusive member offer. Claim your reward now."),
        ("Offer accepted: your counteroffer on the Velo Trail 2", "The seller accepted your offer of $420. Complete your purchase within 48 hours."),
    ])
    text = f"Hi Alex,\n\n{body}\n\nShop now: https://{dom}/deals\n\n{shop}\nUnsubscribe | Privacy policy"
    m = Msg(len(messages), (shop, f"deals@{dom}"), subj, local(d, "America/Chicago"), text, text_to_html(text),
            headers=bulk_headers(dom) if i % 3 else [])
    add(nxt("other-vendor"), "OTHER", "", "", m)


def neg_webinar(i):
    d = base_date()
    host, dom = pick([("DataOps Summit", "dataops-summit.example"), ("CloudNative Academy", "cn-academy.example"),
                      ("Career Launch Live", "careerlaunch.example")])
    s = slot_after(d, 5, 15)
    subj = pick([f"Webinar invitation: Scaling data pipelines ({s:%b} {s.day})",
                 f"You're invited: live session on interviewing for senior roles",
                 f"Save your seat - {host} on {s:%B} {s.day}"])
    text = (f"Hi Alex,\n\nJoin us for a free webinar on {when_en(s, 'America/New_York', 0)}. Our panel of hiring managers "
            f"will share what they look for in a technical interview and answer your questions live.\n\n"
            f"Register now: https://{dom}/register\n\nCan't make it? Register anyway and we'll send the recording.\n\n"
            f"{host}\nUnsubscribe from event emails")
    ics = None
    if i % 2 == 0:
        ics, _ = make_ics(f"webinar-{i}@{dom}", f"{host}: live webinar", s, 60, "America/New_York",
                          (host, f"events@{dom}"), [CANDIDATE], location=f"https://{dom}/live")
    m = Msg(len(messages), (host, f"events@{dom}"), subj, local(d, "America/New_York"), text, text_to_html(text),
            ics=ics, headers=bulk_headers(dom))
    add(nxt("other-webinar"), "OTHER", "", "", m)


def neg_application_nonjob(i):
    d = base_date()
    org, dom, subj, body = pick([
        ("Cobalt Ridge Card Services", "cards.cobaltridge.example", "Your application for a credit card",
         "Thank you for your application for the Cobalt Ridge Rewards Visa credit card. We have received your application "
         "and will review it within 7-10 business days. Application reference: CR-{n}."),
        ("Maple Street Apartments", "maplestreet-apts.example", "We received your rental application",
         "Thanks for applying for unit 4B. Your rental application has been received; we will contact you after the "
         "background and credit check. Application ID {n}."),
        ("City of Riverton Permits", "permits.riverton.example", "Your application has been submitted",
         "Your application for a residential parking permit was submitted successfully. Reference {n}. You can track "
         "the status of your application online."),
        ("Evergreen Credit Union", "evergreen-cu.example", "Loan application received",
         "Thank you for applying for a personal loan with Evergreen Credit Union. Your loan application is under review; "
         "a loan officer may contact you to schedule an appointment."),
        ("Riverton University Admissions", "admissions.riverton-u.example", "Application received - MSc Data Science",
         "Thank you for your application to the MSc Data Science programme. Your application is complete and will be "
         "reviewed by the admissions committee. Interviews for shortlisted applicants take place in April."),
    ])
    text = f"Dear Alex Rivera,\n\n{body.format(n=R.randrange(100000, 999999))}\n\nSincerely,\n{org}"
    m = Msg(len(messages), (org, f"no-reply@{dom}"), subj, local(d, "America/New_York"), text, text_to_html(text))
    add(nxt("other-application"), "OTHER", "", "", m)


def neg_misc_hard(i):
    d = base_date()
    variants = [
        (("Tech Voices Podcast", "hello@techvoices.example"), "New episode: an interview with the CTO of Orbitant",
         "In this week's episode we sit down for an in-depth interview with the CTO of Orbitant about hiring, remote "
         "teams and the future of infrastructure. Listen now.", True),
        (("Granite Peak Insurance", "service@granitepeak.example"), "Your home risk assessment is ready",
         "Your annual home insurance risk assessment is complete. Log in to review your coverage and premium.", False),
        (("Riverside Clinic", "appointments@riverside-clinic.example"), "Appointment confirmation",
         "Your appointment with Dr. Holt is confirmed for next Tuesday at 9:30 AM. Please arrive 10 minutes early.", False),
        (("Sam Whitfield", "sam.whitfield@gmail.com"), "Re: coffee next week?",
         "Sounds good! Let's grab coffee Thursday at 3pm. How is the job search going? Any interviews lined up?", False),
        (("GitHub", "noreply@github.com"), "[orbitant/pipeline] Interview question generator (#412)",
         "Merged #412 into main. Adds an interview question generator for the internal hiring wiki.", False),
        (("Hiring Lab Research", "research@hiringlab.example"), "Labor market report: job offers rise 4% in May",
         "Our monthly report: the share of job offers accepted rose again. Employers extended more offers to senior "
         "engineers. Read the full report.", True),
    ]
    sender, subj, body, bulk = variants[i % len(variants)]
    text = f"{body}\n\n-- \n{sender[0]}"
    m = Msg(len(messages), sender, subj, local(d, "America/New_York"), text, text_to_html(text) if bulk else None,
            headers=bulk_headers(sender[1].split("@")[1]) if bulk else [])
    add(nxt("other-misc"), "OTHER", "", "", m)


def neg_plain(i):
    d = base_date()
    variants = [
        (("Fresh Basket", "orders@freshbasket.example"), "Your order #48213 has shipped",
         "Good news! Your order has shipped and will arrive Wednesday. Track your package online."),
        (("Jamie Fox", "jamie.fox@riverside-pta.example"), "Photos from Saturday",
         "Here are the photos from the bake sale. Thanks for helping out!"),
        (("Cloudbox Storage", "billing@cloudbox.example"), "Your receipt from Cloudbox",
         "Receipt for your monthly plan: $9.99. Thank you for being a customer."),
        (("Mom", "linda.rivera@example.org"), "Sunday dinner",
         "Are you coming on Sunday? Dad is making his lasagna."),
        (("Riverton Library", "notices@riverton-library.example"), "Items due soon",
         "The following items are due in 3 days: 'Designing Data-Intensive Applications'."),
    ]
    sender, subj, body = variants[i % len(variants)]
    m = Msg(len(messages), sender, subj, local(d, "America/New_York"), f"{body}\n")
    add(nxt("other-personal"), "OTHER", "", "", m)


# ---------------------------------------------------------------- build

def run(fn, pool, roles, people, n):
    for _ in range(n):
        c = pick(pool)
        fn(c, pick(roles), base_date(), pick(people))


def main():
    run(interview_greenhouse, COMPANIES, ROLES, PEOPLE, 7)
    run(interview_recruiter_text, COMPANIES, ROLES, PEOPLE, 7)
    run(interview_pick_time, COMPANIES, ROLES, PEOPLE, 4)
    run(interview_calendly, COMPANIES, ROLES, PEOPLE, 4)
    run(interview_onsite_outlook, COMPANIES, ROLES, PEOPLE, 3)
    run(interview_reschedule, COMPANIES, ROLES, PEOPLE, 2)
    run(interview_reply_thread, COMPANIES, ROLES, PEOPLE, 2)
    run(interview_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 2)
    run(interview_fr, COMPANIES_FR, ROLES_FR, PEOPLE_FR, 1)
    run(interview_es, COMPANIES_ES, ROLES_ES, PEOPLE_ES, 1)

    run(offer_direct, COMPANIES, ROLES, PEOPLE, 5)
    run(offer_ats, COMPANIES, ROLES, PEOPLE, 3)
    run(offer_workday, COMPANIES, ROLES, PEOPLE, 2)
    run(offer_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 1)
    run(offer_es, COMPANIES_ES, ROLES_ES, PEOPLE_ES, 1)

    run(assess_vendor, COMPANIES, ROLES, PEOPLE, 8)
    run(assess_takehome, COMPANIES, ROLES, PEOPLE, 4)
    run(assess_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 1)
    run(assess_fr, COMPANIES_FR, ROLES_FR, PEOPLE_FR, 1)

    run(reject_ats, COMPANIES, ROLES, PEOPLE, 8)
    run(reject_after_interview, COMPANIES, ROLES, PEOPLE, 4)
    run(reject_workday, COMPANIES, ROLES, PEOPLE, 2)
    run(reject_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 2)
    run(reject_fr, COMPANIES_FR, ROLES_FR, PEOPLE_FR, 1)
    run(reject_es, COMPANIES_ES, ROLES_ES, PEOPLE_ES, 1)

    run(ack_ats, COMPANIES, ROLES, PEOPLE, 10)
    run(ack_workday, COMPANIES, ROLES, PEOPLE, 3)
    run(ack_icims, COMPANIES, ROLES, PEOPLE, 2)
    run(ack_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 2)
    run(ack_fr, COMPANIES_FR, ROLES_FR, PEOPLE_FR, 1)
    run(ack_es, COMPANIES_ES, ROLES_ES, PEOPLE_ES, 2)

    run(outreach_agency, COMPANIES, ROLES, PEOPLE, 5)
    run(outreach_inhouse, COMPANIES, ROLES, PEOPLE, 3)
    run(outreach_linkedin, COMPANIES, ROLES, PEOPLE, 3)
    run(outreach_de, COMPANIES_DE, ROLES_DE, PEOPLE_DE, 2)
    run(outreach_fr, COMPANIES_FR, ROLES_FR, PEOPLE_FR, 1)

    for i in range(10):
        neg_job_alert(i)
    for i in range(6):
        neg_tips_newsletter(i)
    for i in range(8):
        neg_meeting_invite(i)
    for i in range(7):
        neg_vendor_offer(i)
    for i in range(5):
        neg_webinar(i)
    for i in range(5):
        neg_application_nonjob(i)
    for i in range(6):
        neg_misc_hard(i)
    for i in range(5):
        neg_plain(i)

    root = os.path.dirname(os.path.abspath(__file__))
    write_set(root, messages, labels)
    counts = {}
    for _, lab, _, _ in labels:
        counts[lab] = counts.get(lab, 0) + 1
    print(f"{len(messages)} messages:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
