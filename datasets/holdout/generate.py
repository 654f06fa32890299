#!/usr/bin/env python3
"""Generate the held-out test set (30+ messages) of the classifiers.

    python3 datasets/holdout/generate.py   # rewrites emails/*.eml, labels.csv

Written separately from the development set and from the rules, with other
companies, people, senders and wording, to see whether the rules learned
the dev set's sentences rather than how hiring mail is written. Never tune
rules on these messages: report them (docs/classification.md).
Deterministic; fictional people and companies (.example domains); vendor
domains are the real product domains. MIME building is shared with the dev
set's generator (datasets/dev/mimekit.py).
"""

import datetime as dt
import os
import random
import sys
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dev"))
from mimekit import CANDIDATE, Msg, make_ics, text_to_html, write_set  # noqa: E402

R = random.Random(7781)
messages, labels = [], []


def add(label, company, sched, msg):
    name = f"h-{len(messages) + 1:03d}.eml"
    messages.append((name, msg.build()))
    labels.append((name, label, company if label != "OTHER" else "", sched or ""))


def when(y, mo, d, h, mi, tz):
    n = dt.datetime(y, mo, d, h, mi)
    return n, n.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sent(y, mo, d, h, tz):
    return dt.datetime(y, mo, d, h, R.randrange(60), R.randrange(60), tzinfo=ZoneInfo(tz))


def main():
    ny, la, ber, par, mad, lon = ("America/New_York", "America/Los_Angeles", "Europe/Berlin",
                                   "Europe/Paris", "Europe/Madrid", "Europe/London")

    # ---- INTERVIEW (7)
    s, u = when(2025, 9, 16, 11, 0, la)
    ics, u = make_ics("h1@ashbyhq.com", "Zephyr Payments <> Alex Rivera: Technical Screen", s, 60, la,
                      ("Ines Carver", "ines@zephyrpay.example"), [CANDIDATE], location="Zoom")
    t = ("Hey Alex,\n\nExcited to keep things moving! Your technical screen for Software Engineer, Payments is booked. "
         "Details are in the attached invite - you'll pair with one of our engineers on a practical problem.\n\n"
         "Ines Carver | Recruiting @ Zephyr Payments")
    add("INTERVIEW", "Zephyr Payments", u, Msg(1, ("Zephyr Payments", "no-reply@ashbyhq.com"),
        "Technical Screen confirmed - Zephyr Payments", sent(2025, 9, 10, 14, la), t, text_to_html(t), ics=ics,
        reply_to=("Ines Carver", "ines@zephyrpay.example")))

    s, u = when(2025, 10, 2, 15, 30, ny)
    t = ("Hi Alex,\n\nThanks for chatting with me last week. The team would love to meet you! Could we do a video "
         "call with the hiring manager, Rob Lindqvist, on Thursday, October 2 at 3:30 PM EDT? "
         "I've sent a placeholder to your calendar; let me know if another time is better.\n\n"
         "Best,\nTaylor\nTaylor Nguyen, Talent Acquisition, Halcyon Bio")
    ics, u = make_ics("h2@google.com", "Halcyon Bio - Hiring Manager Conversation (Alex Rivera)", s, 45, ny,
                      ("Taylor Nguyen", "taylor.nguyen@halcyonbio.example"), [CANDIDATE], location="Google Meet")
    add("INTERVIEW", "Halcyon Bio", u, Msg(2, ("Taylor Nguyen", "taylor.nguyen@halcyonbio.example"),
        "Next step: meet the hiring manager", sent(2025, 9, 26, 10, ny), t, ics=ics))

    t = ("Hi Alex,\n\nWe reviewed your application for Data Platform Engineer and would like to invite you to a "
         "30-minute introductory call with our recruiting team. Please book a slot that suits you here: "
         "https://calendly.com/quarrylane-talent/intro\n\nKind regards,\nQuarry Lane Recruiting")
    add("INTERVIEW", "Quarry Lane", "", Msg(3, ("Quarry Lane Recruiting", "talent@quarrylane.example"),
        "Invitation: introductory call for Data Platform Engineer", sent(2025, 8, 4, 9, lon), t, text_to_html(t)))

    s, u = when(2025, 11, 12, 9, 30, ber)
    t = ("Guten Tag Herr Rivera,\n\nherzlichen Dank für Ihr Interesse an der Position DevOps Engineer (m/w/d). "
         "Gerne möchten wir Sie persönlich kennenlernen und laden Sie zu einem Gespräch am 12.11.2025 um 09:30 Uhr "
         "in unser Büro in Leipzig ein.\n\nFreundliche Grüße\nMiriam Sauer\nHR Business Partner\nSonnentau Energie GmbH")
    add("INTERVIEW", "Sonnentau Energie GmbH", u, Msg(4, ("Miriam Sauer", "m.sauer@sonnentau.example"),
        "Ihre Bewerbung – Einladung zum Kennenlernen", sent(2025, 11, 3, 13, ber), t))

    s, u = when(2025, 7, 22, 16, 0, par)
    ics, u = make_ics("h5@outlook.com", "Entretien – Lead Data Scientist – Orée Conseil", s, 60, par,
                      ("Sophie Garnier", "sophie.garnier@oree-conseil.example"), [CANDIDATE],
                      prodid="Microsoft Exchange Server 2010", location="Microsoft Teams")
    t = ("Bonjour Alex,\n\nSuite à votre candidature, j'ai le plaisir de vous convier à un entretien pour le poste de "
         "Lead Data Scientist. Vous trouverez l'invitation Teams en pièce jointe.\n\nBien cordialement,\n"
         "Sophie Garnier\nResponsable recrutement, Orée Conseil")
    add("INTERVIEW", "Orée Conseil", u, Msg(5, ("Sophie Garnier", "sophie.garnier@oree-conseil.example"),
        "Entretien – Lead Data Scientist", sent(2025, 7, 15, 11, par), t, text_to_html(t), ics=ics))

    s, u = when(2025, 6, 5, 13, 0, ny)
    t = ("Hello Alex,\n\nYou're invited to a panel interview for the Site Reliability Engineer role at Mosaic Freight.\n"
         "When: June 5, 2025, 1:00pm - 3:00pm ET\nWhere: 200 Harbor Street, 4th floor (ask for Talent at reception)\n\n"
         "Please bring a photo ID. Reply to confirm.\n\nMosaic Freight Talent Team")
    add("INTERVIEW", "Mosaic Freight", u, Msg(6, ("Mosaic Freight Talent Team", "no-reply@mosaicfreight.example"),
        "Panel interview - Site Reliability Engineer", sent(2025, 5, 28, 16, ny), t, text_to_html(t)))

    t = ("Hola Alex,\n\nGracias por aplicar a la vacante de Desarrollador Mobile en Faro Digital. Nos gustaría "
         "conocerte en una entrevista por videollamada. ¿Podrías indicarnos tu disponibilidad para la próxima "
         "semana?\n\nSaludos,\nPaula Ruiz\nTalent Acquisition – Faro Digital")
    add("INTERVIEW", "Faro Digital", "", Msg(7, ("Paula Ruiz", "paula.ruiz@farodigital.example"),
        "Entrevista – Desarrollador Mobile", sent(2025, 4, 8, 12, mad), t))

    # ---- OFFER (3)
    t = ("Alex,\n\nIt's official - we'd like you to join Halcyon Bio as a Senior Software Engineer! Attached you'll "
         "find your offer, including salary, equity and benefits. The offer is valid until Friday; I'm happy to walk "
         "through anything on a call.\n\nCongratulations!\nTaylor")
    add("OFFER", "Halcyon Bio", "", Msg(8, ("Taylor Nguyen", "taylor.nguyen@halcyonbio.example"),
        "Your Halcyon Bio offer", sent(2025, 10, 20, 17, ny), t,
        attachments=[("Halcyon_Offer_Alex_Rivera.pdf", "application/pdf", b"%PDF-1.4\n% offer\n")]))
    t = ("Dear Alex,\n\nFollowing your interviews, we are happy to offer you the role of Product Analyst at "
         "Kinetic Loom. Please review the employment agreement in your candidate portal and sign it by 30 May.\n\n"
         "Welcome aboard!\nKinetic Loom People Team")
    add("OFFER", "Kinetic Loom", "", Msg(9, ("Kinetic Loom People Team", "no-reply@kineticloom.example"),
        "Offer of employment - Product Analyst", sent(2025, 5, 21, 9, lon), t, text_to_html(t)))
    t = ("Bonjour Alex,\n\nNous avons le plaisir de vous adresser notre proposition d'embauche pour le poste de "
         "Lead Data Scientist. Vous trouverez la lettre en pièce jointe.\n\nBien à vous,\nSophie Garnier\nOrée Conseil")
    add("OFFER", "Orée Conseil", "", Msg(10, ("Sophie Garnier", "sophie.garnier@oree-conseil.example"),
        "Proposition d'embauche", sent(2025, 8, 1, 10, par), t,
        attachments=[("proposition.pdf", "application/pdf", b"%PDF-1.4\n% proposition\n")]))

    # ---- ASSESSMENT (3)
    t = ("Hello Alex Rivera,\n\nQuarry Lane invites you to a Codility assessment (Data Platform Engineer). "
         "You'll have 120 minutes to solve 3 tasks. Start here: https://app.codility.com/c/run/QL-2291\n"
         "Deadline: 7 days from this email.\n\nCodility, on behalf of Quarry Lane")
    add("ASSESSMENT", "Quarry Lane", "", Msg(11, ("Quarry Lane via Codility", "no-reply@codility.com"),
        "Quarry Lane - Data Platform Engineer assessment", sent(2025, 8, 12, 8, lon), t, text_to_html(t)))
    t = ("Hi Alex,\n\nAs the next stage, we'd like you to work on a small home assignment: build a rate limiter "
         "service (details in the attached PDF). Please send us a link to your repository within a week.\n\n"
         "Cheers,\nDev Patel, Engineering Manager, Zephyr Payments")
    add("ASSESSMENT", "Zephyr Payments", "", Msg(12, ("Dev Patel", "dev.patel@zephyrpay.example"),
        "Home assignment for the Payments team", sent(2025, 9, 18, 15, la), t,
        attachments=[("assignment.pdf", "application/pdf", b"%PDF-1.4\n% task\n")]))
    t = ("Hi Alex, Mosaic Freight has invited you to take an assessment on TestGorilla. It consists of 4 tests and "
         "takes about 50 minutes. Take the assessment: https://app.testgorilla.com/s/mf-8812")
    add("ASSESSMENT", "Mosaic Freight", "", Msg(13, ("TestGorilla", "no-reply@testgorilla.com"),
        "Mosaic Freight invited you to an assessment", sent(2025, 5, 20, 11, ny), t, text_to_html(t)))

    # ---- REJECTION (4)
    t = ("Hi Alex,\n\nThank you for your interest in Kinetic Loom and for applying to the Data Engineer role. "
         "We've now reviewed all applications and, unfortunately, we won't be progressing your application further.\n\n"
         "Best of luck,\nKinetic Loom People Team")
    add("REJECTION", "Kinetic Loom", "", Msg(14, ("Kinetic Loom People Team", "no-reply@kineticloom.example"),
        "Your application to Kinetic Loom", sent(2025, 3, 18, 10, lon), t, text_to_html(t)))
    t = ("Dear Alex,\n\nThank you for interviewing for the Staff Engineer position. The team appreciated the "
         "conversation, however we have chosen to move ahead with a candidate whose experience better aligns with "
         "our current needs.\n\nKind regards,\nRecruiting Team\nZephyr Payments")
    add("REJECTION", "Zephyr Payments", "", Msg(15, ("Zephyr Payments Recruiting", "no-reply@us.greenhouse-mail.io"),
        "Staff Engineer - update", sent(2025, 11, 4, 16, la), t, text_to_html(t)))
    t = ("Sehr geehrter Herr Rivera,\n\nnach sorgfältiger Prüfung Ihrer Unterlagen müssen wir Ihnen leider "
         "mitteilen, dass wir Ihre Bewerbung nicht weiter berücksichtigen können.\n\nMit freundlichen Grüßen\n"
         "Sonnentau Energie GmbH – Personalabteilung")
    add("REJECTION", "Sonnentau Energie GmbH", "", Msg(16, ("Sonnentau Energie Karriere", "karriere@sonnentau.example"),
        "Absage: DevOps Engineer (m/w/d)", sent(2025, 12, 1, 9, ber), t))
    t = ("Hola Alex:\n\nTe agradecemos el tiempo dedicado al proceso de selección para Desarrollador Mobile. "
         "En esta ocasión hemos decidido avanzar con otro candidato. Guardaremos tu CV para futuras vacantes.\n\n"
         "Un saludo,\nFaro Digital")
    add("REJECTION", "Faro Digital", "", Msg(17, ("Faro Digital Talento", "talento@farodigital.example"),
        "Actualización sobre tu candidatura", sent(2025, 4, 30, 12, mad), t))

    # ---- APPLICATION_ACK (4)
    t = ("Hi Alex,\n\nWe've got it! Your application for Product Analyst at Kinetic Loom is in. Our team reads every "
         "application and we'll get back to you within two weeks.\n\nKinetic Loom")
    add("APPLICATION_ACK", "Kinetic Loom", "", Msg(18, ("Kinetic Loom", "no-reply@kineticloom.teamtailor-mail.com"),
        "Thanks for your application, Alex!", sent(2025, 4, 2, 19, lon), t, text_to_html(t)))
    link = "https://mosaicfreight.wd3.myworkdayjobs.com/External/userHome"
    h = text_to_html(f"Hello Alex,\n\nThank you for submitting your application for Site Reliability Engineer "
                     f"(JR-20931). We will review your experience and contact you if there is a fit. You can check "
                     f"the status in your candidate home: {link}\n\nMosaic Freight Talent Acquisition", [(link, "Candidate Home")])
    add("APPLICATION_ACK", "Mosaic Freight", "", Msg(19, ("Mosaic Freight Careers", "mosaicfreight@myworkday.com"),
        "Thank you for applying - Site Reliability Engineer", sent(2025, 5, 2, 8, ny), None, h, html_only=True))
    t = ("Bonjour Alex,\n\nMerci pour votre candidature au poste de Lead Data Scientist. Celle-ci a bien été "
         "transmise à notre équipe, qui reviendra vers vous prochainement.\n\nL'équipe Orée Conseil")
    add("APPLICATION_ACK", "Orée Conseil", "", Msg(20, ("Orée Conseil", "no-reply@oree-conseil.example"),
        "Votre candidature a bien été reçue", sent(2025, 7, 1, 9, par), t, text_to_html(t)))
    t = ("Hi Alex,\n\nThanks for your interest in Zephyr Payments! This note confirms we received your application "
         "for Software Engineer, Payments. If there's a match, a member of our recruiting team will reach out.\n\n"
         "- Zephyr Payments Recruiting")
    add("APPLICATION_ACK", "Zephyr Payments", "", Msg(21, ("Zephyr Payments Recruiting", "no-reply@ashbyhq.com"),
        "Application confirmation - Zephyr Payments", sent(2025, 8, 28, 22, la), t, text_to_html(t)))

    # ---- RECRUITER_OUTREACH (3)
    t = ("Hi Alex,\n\nYour work on stream processing caught my eye. I lead recruiting for Halcyon Bio's data team "
         "and we're building out our platform group. Any interest in a 20-minute conversation to see if there's a "
         "fit?\n\nTaylor Nguyen\nTalent Acquisition, Halcyon Bio")
    add("RECRUITER_OUTREACH", "Halcyon Bio", "", Msg(22, ("Taylor Nguyen", "taylor.nguyen@halcyonbio.example"),
        "Data platform at Halcyon Bio", sent(2025, 9, 1, 11, ny), t))
    t = ("Hello Alex - I'm a headhunter at Crestline Executive Search. One of my clients, Mosaic Freight, is looking "
         "for a Head of Infrastructure, and your profile stood out. Would you be open to exploring this "
         "confidentially?\n\nBest,\nGreg Hollis\nCrestline Executive Search")
    add("RECRUITER_OUTREACH", "Mosaic Freight", "", Msg(23, ("Greg Hollis", "greg@crestline-search.example"),
        "Confidential opportunity", sent(2025, 6, 11, 14, ny), t))
    t = ("Hola Alex, he visto tu perfil en LinkedIn y creo que encajarías muy bien en un proyecto de Faro Digital. "
         "¿Te interesaría que lo habláramos en una breve llamada?\n\nUn saludo,\nPaula Ruiz")
    add("RECRUITER_OUTREACH", "Faro Digital", "", Msg(24, ("Paula Ruiz", "paula.ruiz@farodigital.example"),
        "Oportunidad en Faro Digital", sent(2025, 3, 10, 10, mad), t))

    # ---- OTHER (8, all hard)
    t = ("Top jobs for you this week:\n\nData Platform Engineer - Quarry Lane - London\nSRE - Mosaic Freight - "
         "Boston\nStaff Engineer - Zephyr Payments - Remote\n\nApply with one click. Interview tomorrow? Read our "
         "interview guide.\n\nUnsubscribe or change your alert frequency.")
    add("OTHER", "", "", Msg(25, ("Otta", "jobs@otta.com"), "3 new roles that match your preferences",
        sent(2025, 6, 2, 7, lon), None, text_to_html(t), html_only=True,
        headers=[("List-Unsubscribe", "<https://otta.com/unsub>"), ("Precedence", "bulk")]))
    s, _ = when(2025, 7, 8, 10, 0, ny)
    ics, _ = make_ics("h26@google.com", "Neighborhood association - budget review", s, 60, ny,
                      ("Ruth Alder", "ruth.alder@elmstreet-assoc.example"), [CANDIDATE])
    t = "Ruth Alder has invited you to: Neighborhood association - budget review. Please RSVP."
    add("OTHER", "", "", Msg(26, ("Ruth Alder", "ruth.alder@elmstreet-assoc.example"),
        "Invitation: Neighborhood association - budget review", sent(2025, 7, 1, 18, ny), t, text_to_html(t), ics=ics))
    t = ("Alex, your exclusive offer is here: upgrade to Premium and get 3 months for the price of one. This offer "
         "expires Sunday at midnight.\n\nUnsubscribe")
    add("OTHER", "", "", Msg(27, ("Tunewave", "offers@tunewave.example"), "A special offer just for you, Alex",
        sent(2025, 3, 5, 12, ny), t, text_to_html(t), headers=[("List-Unsubscribe", "<mailto:u@tunewave.example>")]))
    t = ("Thank you for your application for a Platinum Travel card. We need a few more documents to complete your "
         "application. Our team may contact you to schedule a verification call.")
    add("OTHER", "", "", Msg(28, ("Harbor Trust Bank", "cards@harbortrust.example"),
        "Action needed on your card application", sent(2025, 2, 14, 9, ny), t, text_to_html(t)))
    t = ("Join our free masterclass: 'Cracking the System Design Interview' on March 12 at 6 PM EST. "
         "Seats are limited - register today!\n\nYou received this because you signed up for updates.")
    add("OTHER", "", "", Msg(29, ("Interview Sprint", "hello@interviewsprint.example"),
        "Masterclass: Cracking the System Design Interview", sent(2025, 3, 1, 15, ny), t, text_to_html(t),
        headers=[("List-Unsubscribe", "<https://interviewsprint.example/u>")]))
    t = ("Your Quickbite order is confirmed. Estimated delivery 7:20 PM.")
    add("OTHER", "", "", Msg(30, ("Quickbite", "orders@quickbite.example"), "Order confirmed",
        sent(2025, 4, 4, 19, ny), t))
    t = ("Hi Alex, congrats on the new job!! Let's celebrate - dinner Friday at 8? I'll book the Thai place.\n\nSam")
    add("OTHER", "", "", Msg(31, ("Sam Whitfield", "sam.whitfield@example.org"), "Congrats!!",
        sent(2025, 10, 22, 20, ny), t))
    t = ("In this issue: we interviewed five recruiters about what makes an offer irresistible, plus the best "
         "coding assessment platforms compared.\n\nManage your subscription.")
    add("OTHER", "", "", Msg(32, ("The Hiring Post", "newsletter@hiringpost.example"),
        "The Hiring Post #48: inside the offer", sent(2025, 9, 9, 6, ny), t, text_to_html(t),
        headers=[("List-Unsubscribe", "<https://hiringpost.example/u>"), ("List-Id", "<weekly.hiringpost.example>")]))

    write_set(HERE, messages, labels)
    print(f"{len(messages)} messages")


if __name__ == "__main__":
    main()
