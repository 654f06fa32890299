#!/usr/bin/env python3
"""Generate the bundled sample mailbox of the demo (scripts/demo.sh).

    python3 datasets/sample-mailbox/generate.py   # rewrites sample.mbox, expected.csv

One job seeker's inbox over five weeks in autumn 2025: 40 messages across
the seven labels (interviews with calendar invitations, offers,
assessments, rejections, application acknowledgements, recruiter outreach
and everyday mail), as an mboxrd file the way Thunderbird or a Google
Takeout export writes it. Deterministic: fixed dates, Message-IDs and MIME
boundaries, so running it again gives the same bytes.

Everything is fictional: the candidate, the people and the companies
(domains under the reserved .example TLD). Vendor domains of
applicant-tracking, scheduling and assessment products are the real product
domains, because that is what a real inbox shows.

expected.csv: message_id,label,company,scheduled_date (UTC, RFC 3339; empty
when the message gives no date). tests/demo/demo.sh checks the demo's
summary against it.
"""

import datetime as dt
import os
import re
import sys
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dev"))
from mimekit import Msg, make_ics, text_to_html  # noqa: E402

ME = ("Jordan Blake", "jordan.blake@example.net")
FOOT = ('<p style="color:#888;font-size:11px">Powered by {}. '
        'Please do not reply directly to this automated message.</p>')

messages = []  # (bytes, from address, date)
expected = []  # (message_id, label, company, scheduled_date)


def at(y, mo, d, h, mi, tz):
    return dt.datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz))


def utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add(label, company, when, msg):
    data = msg.build()
    mid = re.search(rb"^Message-ID: (<[^>]+>)", data, re.M).group(1).decode()
    messages.append((data, msg.from_[1], msg.date))
    expected.append((mid, label, company or "", when or ""))


def m(from_, subject, date, text, html=False, vendor=None, **kw):
    body_html = text_to_html(text, footer_html=FOOT.format(vendor)) if html else None
    return Msg(len(messages) + 1, from_, subject, date, text, body_html, to=ME, **kw)


def invite(company, uid, summary, start, minutes, organizer, desc, location,
           prodid="-//Google Inc//Google Calendar 70.9054//EN"):
    naive = start.replace(tzinfo=None)
    tzid = start.tzinfo.key
    ics, start_utc = make_ics(uid, summary, naive, minutes, tzid, organizer, [ME, organizer],
                              description=desc, location=location, prodid=prodid)
    return ics, start_utc


# ------------------------------------------------------------ the inbox

def build():
    NY, LA, CHI, BER, LON = ("America/New_York", "America/Los_Angeles", "America/Chicago",
                             "Europe/Berlin", "Europe/London")

    # 1 application acknowledgements (first week)
    add("APPLICATION_ACK", "Saltmarsh Robotics", "", m(
        ("Saltmarsh Robotics", "no-reply@us.greenhouse-mail.io"),
        "Thank you for applying to Saltmarsh Robotics",
        at(2025, 10, 6, 9, 12, NY),
        "Hi Jordan,\n\nThank you for your interest in Saltmarsh Robotics! We have received your application "
        "for the Backend Engineer position and our team is reviewing it now.\n\nIf your background is a "
        "match, a member of our recruiting team will reach out to you about next steps.\n\n"
        "Best regards,\nSaltmarsh Robotics Recruiting", html=True, vendor="Greenhouse"))
    add("APPLICATION_ACK", "Tidewater Payments", "", m(
        ("Tidewater Payments", "no-reply@hire.lever.co"),
        "Your application to Tidewater Payments",
        at(2025, 10, 6, 14, 40, NY),
        "Hi Jordan,\n\nThanks for applying to the Platform Engineer role at Tidewater Payments. "
        "We've received your application and will review it shortly.\n\nWe appreciate your interest in "
        "joining the team.\n\nThe Tidewater Payments Talent Team", html=True, vendor="Lever"))
    add("APPLICATION_ACK", "Larkspur Health", "", m(
        ("Larkspur Health Careers", "larkspurhealth@myworkday.com"),
        "Application received: Senior Software Engineer (R-20417)",
        at(2025, 10, 7, 8, 5, CHI),
        "Dear Jordan Blake,\n\nThank you for applying for the Senior Software Engineer position "
        "(R-20417) at Larkspur Health. Your application has been received and is under review.\n\n"
        "You can check the status of your application at any time in our candidate home.\n\n"
        "Sincerely,\nLarkspur Health Talent Acquisition", html=True, vendor="Workday"))
    add("APPLICATION_ACK", "Glasswing Analytics", "", m(
        ("Glasswing Analytics", "no-reply@ashbyhq.com"),
        "We received your application for Data Platform Engineer",
        at(2025, 10, 8, 11, 30, LA),
        "Hi Jordan,\n\nThanks for applying to the Data Platform Engineer role at Glasswing Analytics. "
        "Your application has been received. We review every application carefully and will be in "
        "touch if there is a fit.\n\nCheers,\nGlasswing Analytics Recruiting", html=True, vendor="Ashby"))
    add("APPLICATION_ACK", "Oakhaven Insurance", "", m(
        ("Oakhaven Insurance", "careers@oakhaven.example"),
        "Oakhaven Insurance - Application Confirmation",
        at(2025, 10, 9, 16, 2, CHI),
        "Dear Jordan,\n\nThank you for submitting your application for the Software Engineer II "
        "position. We confirm that we have received your application. Our hiring team will review "
        "your qualifications and contact you if they match our needs.\n\nKind regards,\n"
        "Human Resources\nOakhaven Insurance"))
    add("APPLICATION_ACK", "Stellwerk Digital", "", m(
        ("Stellwerk Digital GmbH", "jobs@stellwerk-digital.example"),
        "Application received - Site Reliability Engineer",
        at(2025, 10, 10, 10, 15, BER),
        "Hello Jordan,\n\nThank you for applying to Stellwerk Digital GmbH for the Site Reliability "
        "Engineer role in Berlin. We have received your application and will get back to you "
        "within two weeks.\n\nBest regards,\nPeople Team, Stellwerk Digital GmbH"))

    # 2 recruiter outreach
    add("RECRUITER_OUTREACH", "Emberline Networks", "", m(
        ("Priya Natarajan", "priya.natarajan@emberline.example"),
        "Staff Engineer opportunity at Emberline Networks",
        at(2025, 10, 7, 13, 20, LA),
        "Hi Jordan,\n\nI came across your profile and was impressed by your work on distributed "
        "systems. I'm a technical recruiter at Emberline Networks and we're hiring a Staff Engineer "
        "for our edge networking team.\n\nWould you be open to a quick chat to learn more about the "
        "role? Let me know if you're interested.\n\nBest,\nPriya Natarajan\nTechnical Recruiter, "
        "Emberline Networks", mailer="Microsoft Outlook 16.0"))
    add("RECRUITER_OUTREACH", "Marigold Transit", "", m(
        ("Owen Castellanos", "owen.castellanos@marigoldtransit.example"),
        "Exploring new opportunities? Senior Backend role at Marigold Transit",
        at(2025, 10, 8, 9, 45, CHI),
        "Hello Jordan,\n\nI hope you're doing well. I'm reaching out because your background looks "
        "like a great fit for a Senior Backend Engineer position on our routing team at Marigold "
        "Transit. We are growing fast and I'd love to tell you more.\n\nAre you open to new "
        "opportunities? If so, I'd be happy to set up a call.\n\nThanks,\nOwen Castellanos\n"
        "Talent Partner, Marigold Transit"))
    add("RECRUITER_OUTREACH", "Cinderpath Security", "", m(
        ("Hannah Ferreira", "hannah.ferreira@cinderpath.example"),
        "Your background + Cinderpath Security",
        at(2025, 10, 14, 15, 5, NY),
        "Hi Jordan,\n\nI lead recruiting for the detection engineering group at Cinderpath Security. "
        "Your experience with streaming pipelines caught my eye and I think you'd be a strong fit "
        "for our Senior Software Engineer opening.\n\nWould you be interested in a 20-minute "
        "introductory conversation? Happy to share the job description.\n\nRegards,\nHannah Ferreira"))
    add("RECRUITER_OUTREACH", "Northmoor Freight", "", m(
        ("Felix Adeyemi", "felix.adeyemi@northmoor.example"),
        "Quick question about your next role",
        at(2025, 10, 21, 10, 10, LON),
        "Hi Jordan,\n\nI'm a recruiter at Northmoor Freight in London. We have a Backend Engineer "
        "opening on our pricing team and your profile stood out. Would you be open to hearing more "
        "about the opportunity? I'd love to schedule a quick call if you're interested.\n\n"
        "All the best,\nFelix Adeyemi\nTalent Acquisition, Northmoor Freight"))
    add("RECRUITER_OUTREACH", "Quarry Hill Studios", "", m(
        ("Talia Moreau", "talia.moreau@quarryhill.example"),
        "Engineering Manager role - Quarry Hill Studios",
        at(2025, 11, 3, 12, 0, LA),
        "Hi Jordan,\n\nI'm a recruiter working with the platform group at Quarry Hill Studios. "
        "We're looking for an Engineering Manager and I think your experience could be a great "
        "match. Are you currently open to new opportunities? I'd love to connect this week.\n\n"
        "Best,\nTalia Moreau"))

    # 3 assessments
    add("ASSESSMENT", "Larkspur Health", "", m(
        ("Larkspur Health via HackerRank", "support@hackerrankforwork.com"),
        "Larkspur Health has invited you to take a test",
        at(2025, 10, 13, 9, 0, CHI),
        "Hi Jordan,\n\nLarkspur Health has invited you to take the Senior Software Engineer coding "
        "assessment on HackerRank as part of your application.\n\nTest duration: 90 minutes\n"
        "Please complete the test within 7 days.\n\nTest link: https://www.hackerrank.com/test/"
        "larkspur4471\n\nGood luck!\nTeam HackerRank", html=True, vendor="HackerRank"))
    add("ASSESSMENT", "Cinderpath Security", "", m(
        ("Cinderpath Security via CodeSignal", "noreply@codesignal.com"),
        "Complete your coding assessment for Cinderpath Security",
        at(2025, 10, 20, 11, 25, NY),
        "Hi Jordan,\n\nCinderpath Security has invited you to complete a General Coding Assessment "
        "for the Senior Software Engineer role. The assessment takes about 70 minutes.\n\n"
        "Your assessment link: https://app.codesignal.com/invite/cinderpath7710\n"
        "Please complete the assessment within 5 days.\n\nBest,\nThe CodeSignal Team",
        html=True, vendor="CodeSignal"))
    add("ASSESSMENT", "Oakhaven Insurance", "", m(
        ("Miriam Kowalski", "miriam.kowalski@oakhaven.example"),
        "Oakhaven Insurance - take-home assignment",
        at(2025, 10, 22, 14, 30, CHI),
        "Hi Jordan,\n\nThank you for your time last week. As the next step in our process, we'd "
        "like you to complete a take-home assignment: a small claims-processing service with a "
        "REST API. Please find the instructions in the attached PDF and submit your solution "
        "within 5 days.\n\nThe assignment should take about 3 hours.\n\nBest regards,\n"
        "Miriam Kowalski\nEngineering Manager, Oakhaven Insurance",
        attachments=[("take-home-assignment.pdf", "application/pdf",
                      b"%PDF-1.4\n% Oakhaven take-home instructions (sample)\n%%EOF\n")]))
    add("ASSESSMENT", "Northmoor Freight", "", m(
        ("Northmoor Freight via Codility", "no-reply@codility.com"),
        "Northmoor Freight invites you to a Codility test",
        at(2025, 10, 28, 9, 30, LON),
        "Hello Jordan,\n\nNorthmoor Freight has invited you to complete an online coding test on "
        "Codility for the Backend Engineer position.\n\nTime limit: 120 minutes. The invitation "
        "expires in 7 days.\n\nStart the test: https://app.codility.com/test/northmoor-2291\n\n"
        "Good luck!\nThe Codility Team", html=True, vendor="Codility"))
    add("ASSESSMENT", "Marigold Transit", "", m(
        ("Marigold Transit via HireVue", "noreply@hirevue.com"),
        "Marigold Transit: complete your video interview assessment",
        at(2025, 11, 4, 10, 0, CHI),
        "Hi Jordan,\n\nMarigold Transit has invited you to complete an on-demand assessment for the "
        "Senior Backend Engineer role. You will answer 5 recorded questions and one coding "
        "exercise.\n\nPlease complete the assessment within 3 days: https://app.hirevue.com/"
        "candidate/marigold-5520\n\nThank you,\nMarigold Transit Talent Team",
        html=True, vendor="HireVue"))

    # 4 interviews
    s = at(2025, 10, 14, 10, 30, NY)
    ics, w = invite("Saltmarsh Robotics", "saltmarsh-rec-1@greenhouse.io",
                    "Saltmarsh Robotics - Phone Screen (Jordan Blake)", s, 30,
                    ("Dana Whitfield", "dana.whitfield@saltmarsh.example"),
                    "Phone screen for the Backend Engineer role.", "Phone")
    add("INTERVIEW", "Saltmarsh Robotics", w, m(
        ("Saltmarsh Robotics Recruiting", "no-reply@us.greenhouse-mail.io"),
        "Interview Invitation: Backend Engineer at Saltmarsh Robotics",
        at(2025, 10, 9, 15, 10, NY),
        "Hi Jordan,\n\nThank you for applying to Saltmarsh Robotics! We'd like to invite you to a "
        "phone screen for the Backend Engineer role.\n\nYour interview is scheduled for Tuesday, "
        "October 14, 2025 at 10:30 AM EDT with Dana Whitfield. A calendar invitation is attached; "
        "please accept it so we know the time works for you.\n\nBest,\nDana Whitfield\n"
        "Recruiting Coordinator | Saltmarsh Robotics", html=True, vendor="Greenhouse",
        reply_to=("Dana Whitfield", "dana.whitfield@saltmarsh.example"), ics=ics))

    s = at(2025, 10, 16, 13, 0, NY)
    add("INTERVIEW", "Tidewater Payments", utc(s), m(
        ("Marcus Lindqvist", "marcus.lindqvist@tidewater.example"),
        "Platform Engineer - next steps",
        at(2025, 10, 10, 11, 45, NY),
        "Hi Jordan,\n\nThanks for your application for the Platform Engineer position at Tidewater "
        "Payments. I'd love to set up a 30-minute phone screen to learn more about you.\n\n"
        "Your phone interview is confirmed for Thursday, October 16, 2025 at 1:00 PM EDT. We'll "
        "use Zoom: https://zoom.us/j/5551234567\n\nPlease let me know if that doesn't work and "
        "we'll find another time.\n\nThanks,\nMarcus Lindqvist\nTalent Acquisition Partner\n"
        "Tidewater Payments", mailer="Microsoft Outlook 16.0"))

    s = at(2025, 10, 21, 15, 0, CHI)
    ics, w = invite("Larkspur Health", "larkspur-11@calendly.com",
                    "Hiring Manager Interview between Renee Otieno and Jordan Blake", s, 45,
                    ("Renee Otieno", "renee.otieno@larkspurhealth.example"),
                    "Event Name: Hiring Manager Interview\nLocation: This is a Zoom web conference.",
                    "Zoom", prodid="-//Calendly//EN")
    add("INTERVIEW", "Larkspur Health", w, m(
        ("Calendly", "notifications@calendly.com"),
        "New Event: Renee Otieno - 03:00pm Tue, Oct 21, 2025 - Hiring Manager Interview",
        at(2025, 10, 17, 10, 2, CHI),
        "Hi Jordan Blake,\n\nYour Hiring Manager Interview with Renee Otieno at Larkspur Health is "
        "scheduled.\n\nEvent Type:\nHiring Manager Interview\n\nEvent Date/Time:\n03:00PM - "
        "03:45PM, Tuesday, October 21, 2025\n\nLocation:\nThis is a Zoom web conference.\n\n"
        "Invitee Time Zone:\nAmerica/Chicago\n\nPowered by Calendly.com", html=True,
        vendor="Calendly", ics=ics))

    s = at(2025, 10, 23, 11, 0, LA)
    ics, w = invite("Glasswing Analytics", "7g2kq0glasswing@google.com",
                    "Glasswing Analytics - Technical Interview (Jordan Blake)", s, 60,
                    ("Ben Okoro", "ben.okoro@glasswing.example"),
                    "Technical interview for the Data Platform Engineer role: system design and "
                    "coding.\nJoin with Google Meet: https://meet.google.com/gwa-4821-xyz",
                    "Google Meet")
    add("INTERVIEW", "Glasswing Analytics", w, m(
        ("Ben Okoro", "ben.okoro@glasswing.example"),
        "Invitation: Glasswing Analytics - Technical Interview (Jordan Blake) @ Thu Oct 23, 2025 "
        "11am - 12pm (PDT)",
        at(2025, 10, 15, 16, 20, LA),
        "You have been invited to the following event.\n\nGlasswing Analytics - Technical "
        "Interview (Jordan Blake)\nThursday Oct 23, 2025 11am - 12pm (Pacific Time - Los "
        "Angeles)\n\nJoin with Google Meet: https://meet.google.com/gwa-4821-xyz\n\nTechnical "
        "interview for the Data Platform Engineer role: system design and coding.\n\n"
        "Invitation from Google Calendar", ics=ics, calendar_as_attachment=True))

    s = at(2025, 10, 27, 14, 0, BER)
    ics, w = invite("Stellwerk Digital GmbH", "040000008200E00074C5B7101A82E0080000000071",
                    "Interview Stellwerk Digital GmbH - SRE (Jordan Blake)", s, 60,
                    ("Katrin Vogel", "katrin.vogel@stellwerk-digital.example"),
                    "Interview for the Site Reliability Engineer role with the platform team.",
                    "Microsoft Teams Meeting", prodid="Microsoft Exchange Server 2010")
    add("INTERVIEW", "Stellwerk Digital", w, m(
        ("Katrin Vogel", "katrin.vogel@stellwerk-digital.example"),
        "Interview invitation: Site Reliability Engineer",
        at(2025, 10, 20, 9, 30, BER),
        "Hello Jordan,\n\nThank you for your application. We would like to invite you to an "
        "interview for the Site Reliability Engineer position on Monday, October 27, 2025 at "
        "14:00 CET via Microsoft Teams. You will meet Katrin Vogel and two engineers from the "
        "platform team.\n\nPlease accept the meeting invitation.\n\nBest regards,\nKatrin Vogel\n"
        "People Team, Stellwerk Digital GmbH", ics=ics, mailer="Microsoft Outlook 16.0"))

    prev = "<ember-outreach-1@emberline.example>"
    s = at(2025, 10, 30, 10, 0, LA)
    add("INTERVIEW", "Emberline Networks", utc(s), m(
        ("Priya Natarajan", "priya.natarajan@emberline.example"),
        "Interview confirmed: Staff Engineer at Emberline Networks",
        at(2025, 10, 24, 12, 5, LA),
        "Hi Jordan,\n\nGreat speaking with you! As discussed, your interview for the Staff Engineer "
        "role at Emberline Networks is confirmed for Thursday, October 30, 2025 at 10:00 AM PDT "
        "with our hiring manager. It will be a 60-minute video call on Zoom: https://zoom.us/j/5559876543\n\n"
        "Let me know if you need anything before then.\n\nBest,\nPriya Natarajan\nTechnical "
        "Recruiter, Emberline Networks", in_reply_to=prev))

    add("INTERVIEW", "Velora Energy", "", m(
        ("Velora Energy via GoodTime", "scheduling@goodtime.io"),
        "Please schedule your interview with Velora Energy",
        at(2025, 10, 29, 9, 15, CHI),
        "Hi Jordan,\n\nSamir Haddad from Velora Energy would like to schedule an interview with "
        "you for the Cloud Infrastructure Engineer position. Please use the link below to select "
        "a time that works for you:\n\nhttps://app.goodtime.io/candidate/availability/velora\n\n"
        "The interview will last 60 minutes and take place over video.\n\nThanks,\n"
        "The Velora Energy Recruiting Team", html=True, vendor="GoodTime",
        reply_to=("Samir Haddad", "samir.haddad@velora.example")))

    s = at(2025, 11, 5, 9, 30, NY)
    ics, w = invite("Saltmarsh Robotics", "saltmarsh-rec-2@greenhouse.io",
                    "Saltmarsh Robotics - Final Round Interview (Jordan Blake)", s, 240,
                    ("Dana Whitfield", "dana.whitfield@saltmarsh.example"),
                    "Final round: four interviews with the robotics platform team.", "Google Meet")
    add("INTERVIEW", "Saltmarsh Robotics", w, m(
        ("Saltmarsh Robotics Recruiting", "no-reply@us.greenhouse-mail.io"),
        "Saltmarsh Robotics - Interview Confirmation",
        at(2025, 10, 31, 13, 40, NY),
        "Hi Jordan,\n\nCongratulations on moving to the final round for the Backend Engineer role! "
        "Your final round interview is confirmed for Wednesday, November 5, 2025 at 9:30 AM EST "
        "and will last about four hours over Google Meet.\n\nA calendar invitation is attached.\n\n"
        "Best,\nDana Whitfield\nRecruiting Coordinator | Saltmarsh Robotics", html=True,
        vendor="Greenhouse", ics=ics))

    # 5 rejections
    add("REJECTION", "Oakhaven Insurance", "", m(
        ("Oakhaven Insurance", "careers@oakhaven.example"),
        "Update on your application - Software Engineer II",
        at(2025, 11, 6, 10, 0, CHI),
        "Dear Jordan,\n\nThank you for taking the time to complete our take-home assignment. After "
        "careful consideration, we have decided to move forward with other candidates whose "
        "experience more closely matches our needs at this time.\n\nWe appreciate your interest in "
        "Oakhaven Insurance and wish you the best in your job search.\n\nKind regards,\n"
        "Human Resources\nOakhaven Insurance"))
    add("REJECTION", "Quarry Hill Studios", "", m(
        ("Quarry Hill Studios", "no-reply@us.greenhouse-mail.io"),
        "Your application to Quarry Hill Studios",
        at(2025, 11, 7, 15, 30, LA),
        "Hi Jordan,\n\nThank you for your interest in the Engineering Manager role at Quarry Hill "
        "Studios. Unfortunately, we will not be moving forward with your application at this "
        "time.\n\nWe will keep your information on file for future openings.\n\nBest,\n"
        "Quarry Hill Studios Recruiting", html=True, vendor="Greenhouse"))
    add("REJECTION", "Cinderpath Security", "", m(
        ("Hannah Ferreira", "hannah.ferreira@cinderpath.example"),
        "Re: Your background + Cinderpath Security",
        at(2025, 10, 31, 16, 45, NY),
        "Hi Jordan,\n\nThank you again for completing the coding assessment. I'm sorry to share "
        "that the team has decided not to move forward with your candidacy for the Senior Software "
        "Engineer role. It was a difficult decision.\n\nI wish you all the best in your search.\n\n"
        "Regards,\nHannah Ferreira", in_reply_to="<cinder-outreach-1@cinderpath.example>"))
    add("REJECTION", "Northmoor Freight", "", m(
        ("Northmoor Freight Recruitment", "no-reply@hire.lever.co"),
        "Northmoor Freight - Backend Engineer",
        at(2025, 11, 10, 9, 5, LON),
        "Hi Jordan,\n\nThank you for applying for the Backend Engineer role at Northmoor Freight "
        "and for completing our test. We regret to inform you that we have decided to pursue "
        "other candidates for this position.\n\nThank you for your interest and good luck.\n\n"
        "Northmoor Freight Recruitment", html=True, vendor="Lever"))
    add("REJECTION", "Velora Energy", "", m(
        ("Velora Energy Careers", "veloraenergy@myworkday.com"),
        "Regarding your application for Cloud Infrastructure Engineer",
        at(2025, 11, 11, 8, 30, CHI),
        "Dear Jordan Blake,\n\nThank you for your interest in the Cloud Infrastructure Engineer "
        "position at Velora Energy. After reviewing your application, we have decided not to move "
        "forward at this time. The position has been filled.\n\nWe encourage you to apply for "
        "future openings.\n\nSincerely,\nVelora Energy Talent Acquisition", html=True,
        vendor="Workday"))
    add("REJECTION", "Stellwerk Digital", "", m(
        ("Katrin Vogel", "katrin.vogel@stellwerk-digital.example"),
        "Your application at Stellwerk Digital GmbH",
        at(2025, 11, 4, 11, 0, BER),
        "Hello Jordan,\n\nThank you very much for the interview and your interest in Stellwerk "
        "Digital GmbH. Unfortunately we have decided to continue with another candidate for the "
        "Site Reliability Engineer position, so we will not be moving forward with your application.\n\nWe wish you every success.\n\nBest regards,\n"
        "Katrin Vogel"))

    # 6 offers
    add("OFFER", "Tidewater Payments", "", m(
        ("Marcus Lindqvist", "marcus.lindqvist@tidewater.example"),
        "Offer letter - Platform Engineer at Tidewater Payments",
        at(2025, 11, 3, 17, 10, NY),
        "Hi Jordan,\n\nCongratulations! On behalf of Tidewater Payments, I am delighted to extend "
        "you an offer for the Platform Engineer position. Your offer letter with the details of "
        "your compensation and benefits is attached.\n\nPlease review and sign the offer by "
        "November 10, 2025. Let me know if you have any questions.\n\nWelcome aboard (we hope)!\n"
        "Marcus Lindqvist\nTalent Acquisition Partner", attachments=[
            ("Offer_Letter_Jordan_Blake.pdf", "application/pdf",
             b"%PDF-1.4\n% Tidewater offer letter (sample)\n%%EOF\n")]))
    add("OFFER", "Glasswing Analytics", "", m(
        ("Glasswing Analytics People Team", "people@glasswing.example"),
        "Your offer letter from Glasswing Analytics: please review and sign",
        at(2025, 11, 6, 12, 30, LA),
        "Hi Jordan, we're thrilled to offer "
        "you the position of Data Platform Engineer at Glasswing Analytics. Please review and "
        "sign your offer letter.\n\nREVIEW DOCUMENT: https://na2.docusign.net/Signing/"
        "glasswing-offer\n\nWe are looking forward to working with you.\nThe Glasswing Analytics People Team",
        html=True, vendor="DocuSign"))
    add("OFFER", "Emberline Networks", "", m(
        ("Priya Natarajan", "priya.natarajan@emberline.example"),
        "Your offer from Emberline Networks",
        at(2025, 11, 7, 10, 15, LA),
        "Hi Jordan,\n\nI'm excited to let you know that the team would like to offer you the "
        "Staff Engineer position at Emberline Networks! We are pleased to offer a base salary of "
        "$212,000 plus equity. The formal offer letter will follow from our HR system today.\n\n"
        "Congratulations!\nPriya"))
    add("OFFER", "Saltmarsh Robotics", "", m(
        ("Dana Whitfield", "dana.whitfield@saltmarsh.example"),
        "Offer of Employment: Backend Engineer",
        at(2025, 11, 12, 14, 0, NY),
        "Hi Jordan,\n\nCongratulations! We are pleased to offer you the position of Backend Engineer "
        "at Saltmarsh Robotics. Attached you will find your offer letter. We would appreciate your "
        "response by November 19.\n\nBest,\nDana Whitfield\nRecruiting Coordinator",
        attachments=[("Saltmarsh_Offer.pdf", "application/pdf",
                      b"%PDF-1.4\n% Saltmarsh offer (sample)\n%%EOF\n")]))

    # 7 everything else
    add("OTHER", "", "", m(
        ("Lakeside Tenants Association", "newsletter@lakeside-tenants.example"),
        "October newsletter: boiler maintenance and the autumn potluck",
        at(2025, 10, 6, 18, 0, NY),
        "Hello neighbours,\n\nThe boiler will be serviced on Thursday morning; expect no hot water "
        "between 8 and 11. Our autumn potluck is on the 18th in the courtyard.\n\nUnsubscribe: "
        "https://lakeside-tenants.example/unsubscribe", html=True, vendor="Buttondown",
        headers=[("List-Unsubscribe", "<https://lakeside-tenants.example/unsubscribe>"),
                 ("Precedence", "bulk")]))
    add("OTHER", "", "", m(
        ("Harbor Outfitters", "orders@harbor-outfitters.example"),
        "Your order #48213 has shipped",
        at(2025, 10, 11, 7, 30, LA),
        "Hi Jordan,\n\nGood news: your order #48213 (1 x trail running shoes) has shipped and "
        "should arrive by Wednesday.\n\nTrack your package: https://harbor-outfitters.example/"
        "track/48213\n\nHarbor Outfitters", html=True, vendor="Shopify"))
    add("OTHER", "", "", m(
        ("Sam Blake", "sam.blake@example.org"),
        "Sunday dinner?",
        at(2025, 10, 18, 19, 12, NY),
        "Hey!\n\nMom is asking whether you're coming for dinner on Sunday. Bring the board game "
        "from last time if you still have it.\n\nSam"))
    add("OTHER", "", "", m(
        ("Bayview Credit Union", "alerts@bayview-cu.example"),
        "Your October statement is ready",
        at(2025, 11, 1, 6, 0, NY),
        "Hello Jordan,\n\nYour October account statement is now available in online banking. For "
        "your security we never ask for your password by email.\n\nBayview Credit Union",
        html=True, vendor="Bayview Online"))
    add("OTHER", "", "", m(
        ("Rust Meetup Boston", "info@meetup.example"),
        "New event: Async Rust in production (Nov 13)",
        at(2025, 11, 2, 20, 0, NY),
        "A new event has been scheduled in Rust Meetup Boston: Async Rust in production, "
        "Thursday November 13 at 6:30 PM. 42 members are going.\n\nRSVP on the group page.",
        html=True, vendor="Meetup",
        headers=[("List-Unsubscribe", "<mailto:unsubscribe@meetup.example>"),
                 ("Precedence", "bulk")]))
    add("OTHER", "", "", m(
        ("Cloudberry Docs", "no-reply@cloudberry-docs.example"),
        "Jordan, your storage is 90% full",
        at(2025, 11, 8, 9, 0, LA),
        "Hi Jordan,\n\nYou are using 90% of your 15 GB of storage. Upgrade your plan or free up "
        "space to keep syncing your files.\n\nThe Cloudberry Docs team", html=True,
        vendor="Cloudberry"))


def mbox_bytes():
    """mboxrd in delivery order: a `From ` line with the sender and the
    date in asctime form (UTC), `>` added before every `^>*From ` body line,
    LF line ends, a blank line between messages."""
    out = []
    for data, sender, date in sorted(messages, key=lambda t: t[2]):
        text = data.replace(b"\r\n", b"\n")
        text = re.sub(rb"^(>*From )", rb">\1", text, flags=re.M)
        when = date.astimezone(dt.timezone.utc)
        out.append(b"From " + sender.encode() + b" " +
                   when.strftime("%a %b %d %H:%M:%S %Y").encode() + b"\n")
        out.append(text if text.endswith(b"\n") else text + b"\n")
        out.append(b"\n")
    return b"".join(out)


def main():
    build()
    with open(os.path.join(HERE, "sample.mbox"), "wb") as f:
        f.write(mbox_bytes())
    order = sorted(range(len(messages)), key=lambda i: messages[i][2])
    with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
        f.write("message_id,label,company,scheduled_date\n")
        for i in order:
            row = expected[i]
            f.write(",".join(x if not re.search(r'[",]', x) else '"' + x.replace('"', '""') + '"'
                             for x in row) + "\n")
    counts = {}
    for _, label, _, _ in expected:
        counts[label] = counts.get(label, 0) + 1
    print(f"{len(messages)} messages: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
