/*
 * Unit tests of the date reader of the rules classifier (rules_date.c),
 * one case per form added for issue 13's date misses: dotted and bare
 * hours, "10:00h", ranges with a zone after the end time ("15h à 16h
 * (heure de Paris)", "17:00–17:45 (CET)"), the start of a range written
 * before its date, Outlook's "(UTC+00:00) Dublin, ..." with the city's DST,
 * "your time (14:30 Lisbon)", rescheduled events ("Former:" / "Updated:"),
 * a deadline's time that belongs to the date after it, day.month and
 * day-month-year dates; then the seventh round's forms: Italian and Polish
 * dates, bare hours after "at" / "um" / "alle", one-digit hours read in
 * the afternoon, "13 h 30" / "17 h" / "10 heures" / "9u", "9th of July",
 * zones written beside the date or wrapped at a line end, "(UTC-05:00)
 * Eastern Time", an arrival time before the start. Every text is written
 * for this test.
 */
#include "co_test.h"
#include "rules_engine.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rules_test_db.h"

/* 2025-03-10T15:02:00Z (a Monday; US DST began on 9 March, Europe's on 30
 * March) and 2026-07-01T12:00:00Z (a Wednesday) */
#define MON25 1741618920LL
#define JUL26 1782907200LL

START_TEST(dotted_and_bare_hours)
{
    ck_assert_str_eq(date_of("Can you do Thursday 13th at 2.30pm?", MON25, 0),
                     "2025-03-13T14:30:00Z");
    ck_assert_str_eq(date_of("donderdag 13 maart om 10.00 uur", MON25, 60),
                     "2025-03-13T09:00:00Z");
    ck_assert_str_eq(date_of("am 13. März um 14.30 im Büro", MON25, 60),
                     "2025-03-13T13:30:00Z");
    ck_assert_str_eq(
        date_of("an opening tomorrow at 11 ET for a chat", MON25, -300),
        "2025-03-11T15:00:00Z");
    ck_assert_str_eq(date_of("Top, ik ben er maandag om 9 uur.", MON25, 60),
                     "2025-03-17T08:00:00Z");
    ck_assert_str_eq(
        date_of("miércoles 12 de marzo, 10:00h, videollamada", MON25, 60),
        "2025-03-12T09:00:00Z");
    ck_assert_str_eq(
        date_of("nos vemos el jueves 13 a las 9 en el café", MON25, -180),
        "2025-03-13T12:00:00Z");
    ck_assert_str_eq(
        date_of("Tenés tiempo hasta el jueves 13 a las 17 hs.", MON25, -180),
        "2025-03-13T20:00:00Z");
    ck_assert_str_eq(date_of("hasta el jueves 13 de marzo a las 23:59 (hora "
                             "UTC) para enviarla",
                             MON25, 60),
                     "2025-03-13T23:59:00Z");
    /* not times */
    ck_assert_str_eq(
        date_of("On March 12 we shipped version 2.30 of it", MON25, 0), "");
    ck_assert_str_eq(date_of("March 12: revenue grew 11 percent", MON25, 0),
                     "");
}
END_TEST

START_TEST(ranges)
{
    ck_assert_str_eq(
        date_of("le mercredi 12 mars de 15h à 16h (heure de Paris)", MON25, 0),
        "2025-03-12T14:00:00Z");
    ck_assert_str_eq(date_of("el miércoles 12 de marzo, 17:00\xe2\x80\x93"
                             "17:45 (CET)",
                             MON25, 0),
                     "2025-03-12T16:00:00Z");
    ck_assert_str_eq(date_of("Event Date/Time: 10:00am - 10:45am (Pacific "
                             "Time - US & Canada), Wednesday, March 12, 2025",
                             MON25, 0),
                     "2025-03-12T17:00:00Z");
    ck_assert_str_eq(
        date_of("booked for Thursday, March 13, 1:00-3:00 PM EDT.", MON25, 0),
        "2025-03-13T17:00:00Z");
    /* a bare start hour takes the end's am/pm (trial 13) */
    ck_assert_str_eq(date_of("Your interview is on Thursday, March 13, 2025, "
                             "2-3pm PT.",
                             MON25, 0),
                     "2025-03-13T21:00:00Z");
    ck_assert_str_eq(date_of("Thursday March 13 at 10-11am UTC", MON25, 0),
                     "2025-03-13T10:00:00Z");
    ck_assert_str_eq(date_of("Thursday March 13, 9-10am ET", MON25, 0),
                     "2025-03-13T13:00:00Z");
    ck_assert_str_eq(
        date_of("Thursday March 13 between 2 and 3pm UTC", MON25, 0),
        "2025-03-13T14:00:00Z");
    ck_assert_str_eq(date_of("Thursday March 13, 11-12pm UTC", MON25, 0),
                     "2025-03-13T11:00:00Z");
    ck_assert_str_eq(date_of("Thursday March 13, 11 - 1pm UTC", MON25, 0),
                     "2025-03-13T11:00:00Z");
    ck_assert_str_eq(
        date_of("Thursday March 13 from 2 to 2:30pm UTC", MON25, 0),
        "2025-03-13T14:00:00Z");
    ck_assert_str_eq(
        date_of("Thursday March 13 from 11 to 12 noon ET", MON25, 0),
        "2025-03-13T15:00:00Z");
    ck_assert_str_eq(date_of("Thursday March 13 from 11-12 noon UTC", MON25, 0),
                     "2025-03-13T11:00:00Z");
    /* the number before the dash ends the date: a day, not an hour */
    ck_assert_str_eq(date_of("Thursday, March 13 - 3pm UTC", MON25, 0),
                     "2025-03-13T15:00:00Z");
}
END_TEST

START_TEST(zones_named_after_the_time)
{
    ck_assert_str_eq(date_of("el miércoles 12 de marzo, 10:00 a.m. hora de "
                             "Ciudad de México",
                             MON25, 0),
                     "2025-03-12T16:00:00Z");
    /* Outlook's offset is the standard one; the city keeps its DST */
    ck_assert_str_eq(date_of("Date: Thursday, 3 April 2025\nTime: 10:30 AM "
                             "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
                             MON25, 0),
                     "2025-04-03T09:30:00Z");
    /* "your time" with the zoned time given alongside: the zoned one */
    ck_assert_str_eq(date_of("an invite for Thursday 9 July, 8:30 your time "
                             "(14:30 Lisbon)",
                             JUL26, 60),
                     "2026-07-09T13:30:00Z");
    ck_assert_str_eq(
        date_of("Thursday 9 July, 2pm your time (3 ET) works", JUL26, -360),
        "2026-07-09T19:00:00Z");
    /* alone, "your time" is the sender's (WRITING.md) */
    ck_assert_str_eq(
        date_of("Thursday 9 July, 2pm your time works", JUL26, -360),
        "2026-07-09T20:00:00Z");
    /* tz database names (trial 74: read as UTC), with their DST */
    ck_assert_str_eq(
        date_of("on Thursday 9 July at 10:00 AM (Europe/Berlin)", JUL26, 0),
        "2026-07-09T08:00:00Z");
    ck_assert_str_eq(date_of("on Thursday 9 July, 10:00am - 11:00am "
                             "(America/New_York)",
                             JUL26, 0),
                     "2026-07-09T14:00:00Z");
}
END_TEST

START_TEST(which_date_of_the_message)
{
    /* a rescheduled event: the new time, not the former one */
    ck_assert_str_eq(date_of("Former: Tuesday, 11 March 2025, 13:00 - 13:45\n"
                             "Updated: Wednesday, 12 March 2025, 11:00 - "
                             "11:45",
                             MON25, 0),
                     "2025-03-12T11:00:00Z");
    ck_assert_str_eq(date_of("Previously: March 11, 2025 at 1pm\nNew time: "
                             "March 12, 2025 at 11am",
                             MON25, 0),
                     "2025-03-12T11:00:00Z");
    /* a line that starts with such a word and no colon is not one */
    ck_assert_str_eq(date_of("Antes del panel: fecha límite jueves 13 de "
                             "marzo a las 23:59.",
                             MON25, -300),
                     "2025-03-14T04:59:00Z");
    ck_assert_str_eq(
        date_of("Was great to talk! Does March 13 at 2pm work?", MON25, -300),
        "2025-03-13T19:00:00Z");
    /* a forwarded header in French typography ("Date : ...") */
    ck_assert_str_eq(date_of("Regarde !\n\n---------- Message transféré "
                             "---------\nDe : Talents <t@banque.example>\n"
                             "Date : lun. 10 mars 2025 à 16:30\nObjet : "
                             "Entretien\n\nVotre entretien le jeudi 13 mars "
                             "à 9h00 (heure de Paris).",
                             MON25, 60),
                     "2025-03-13T08:00:00Z");
    ck_assert_str_eq(date_of("Tu peux garder les enfants jeudi matin ?\n\n"
                             "---------- Message transféré ---------\nDe : "
                             "Talents <t@banque.example>\nDate : lun. 10 mars "
                             "2025 à 16:30\nObjet : Entretien – jeudi\n\n"
                             "Votre entretien le jeudi 13 mars à 9h00 (heure "
                             "de Paris).",
                             MON25, 60),
                     "2025-03-13T08:00:00Z");
    /* a reply that names one weekday above the options it answers */
    ck_assert_str_eq(date_of("Thursday at 2 works best, thanks!\n\n-----"
                             "Original Message-----\nFrom: Marisol Vega\n"
                             "Sent: Monday, March 10, 2025 10:10 AM\n"
                             "Subject: first round\n\nOptions:\n- Wed 3/12, "
                             "11:00 AM CT\n- Thu 3/13, 2:00 PM CT\n",
                             MON25, -300),
                     "2025-03-13T19:00:00Z");
    /* the deadline's time belongs to the date written after it */
    ck_assert_str_eq(date_of("- Start date: Monday, April 7, 2025\n\nPlease "
                             "sign by 11:59 PM PT on Friday, March 14, 2025.",
                             MON25, -300),
                     "2025-03-15T06:59:00Z");
}
END_TEST

START_TEST(numeric_dates)
{
    ck_assert_str_eq(date_of("final round confirmed: 12.03 at 13:00 CET, "
                             "Teams link to follow",
                             MON25, 0),
                     "2025-03-12T12:00:00Z");
    ck_assert_str_eq(
        date_of("Uitnodiging: sollicitatiegesprek di 11-03-2025 10:00 (CET)",
                MON25, 0),
        "2025-03-11T09:00:00Z");
    /* a version or a score is not a date */
    ck_assert_str_eq(date_of("release 12.03 at 13:00 sharp? no", MON25, 0),
                     "2025-03-12T13:00:00Z");
    ck_assert_str_eq(date_of("we scored 12.45 at the end", MON25, 0), "");
}
END_TEST

/* seventh round (issue 13): Italian and Polish dates, bare hours after
 * "at" / "um" / "alle", one-digit hours in the afternoon, the hour words of
 * Quebec and Flanders, zones written beside the date, an arrival time */
START_TEST(italian_and_polish)
{
    ck_assert_str_eq(date_of("Le proponiamo mercoledì 12 marzo alle ore "
                             "15:00 in sede.",
                             MON25, 60),
                     "2025-03-12T14:00:00Z");
    ck_assert_str_eq(date_of("ci sentiamo domani alle 9:30?", MON25, 60),
                     "2025-03-11T08:30:00Z");
    ck_assert_str_eq(date_of("il colloquio: martedì 11 marzo 2025 alle ore "
                             "10.\nA presto",
                             MON25, 60),
                     "2025-03-11T09:00:00Z");
    ck_assert_str_eq(date_of("zapraszamy w czwartek, 13 marca 2025 o godz. "
                             "10:00 do biura",
                             MON25, 60),
                     "2025-03-13T09:00:00Z");
    ck_assert_str_eq(
        date_of("Czy możemy porozmawiać jutro o 16:00?", MON25, 60),
        "2025-03-11T15:00:00Z");
}
END_TEST

START_TEST(bare_and_afternoon_hours)
{
    ck_assert_str_eq(date_of("Could we do Thursday at 2 instead?", MON25, -300),
                     "2025-03-13T19:00:00Z");
    ck_assert_str_eq(
        date_of("are we still on for the call at 4 today?", MON25, 0),
        "2025-03-10T16:00:00Z");
    ck_assert_str_eq(
        date_of("Hättest du Freitag um 12 Zeit für einen Call?", MON25, 60),
        "2025-03-14T11:00:00Z");
    ck_assert_str_eq(
        date_of("how about thursday 3:30 eastern instead?", MON25, 0),
        "2025-03-13T19:30:00Z");
    /* a street number, a count */
    ck_assert_str_eq(date_of("coffee near the office at 1 Harbour St "
                             "tomorrow morning?",
                             MON25, -300),
                     "");
    ck_assert_str_eq(
        date_of("tomorrow we meet at 5 minutes walk from here", MON25, 0), "");
}
END_TEST

START_TEST(hour_words)
{
    ck_assert_str_eq(date_of("en entrevue le jeudi 13 mars à 13 h 30 "
                             "(heure de l'Est)",
                             MON25, -240),
                     "2025-03-13T17:30:00Z");
    ck_assert_str_eq(date_of("votre décision d'ici le vendredi 14 mars 2025 à "
                             "17 h.",
                             MON25, 60),
                     "2025-03-14T16:00:00Z");
    ck_assert_str_eq(
        date_of("un entretien le lundi 17 mars 2025 à 10 heures", MON25, 60),
        "2025-03-17T09:00:00Z");
    ck_assert_str_eq(date_of("morgen 9u koffie in de werkplaats?", MON25, 60),
                     "2025-03-11T08:00:00Z");
    ck_assert_str_eq(
        date_of("the second round on 13th of March at 10 am", MON25, 60),
        "2025-03-13T09:00:00Z");
}
END_TEST

START_TEST(zone_beside_the_date)
{
    /* Outlook's offset, then the zone's name: its own DST */
    ck_assert_str_eq(date_of("Thursday, July 9, 2026\n1:00 PM - 1:30 PM "
                             "(UTC-05:00) Eastern Time (US & Canada)",
                             JUL26, 0),
                     "2026-07-09T17:00:00Z");
    /* the city in parentheses after the abbreviation */
    ck_assert_str_eq(date_of("Date: Monday 17 March 2025\nTime: 1:00pm AEST "
                             "(Brisbane time)",
                             MON25, 600),
                     "2025-03-17T03:00:00Z");
    /* two clocks: the first is the time's */
    ck_assert_str_eq(
        date_of("9am Pacific / noon Eastern on Thursday works", MON25, -240),
        "2025-03-13T16:00:00Z");
    /* a zone name wrapped at the end of a line */
    ck_assert_str_eq(date_of("el jueves 13 de marzo a las 10:00, hora de\n"
                             "Madrid, por videollamada",
                             MON25, -360),
                     "2025-03-13T09:00:00Z");
    ck_assert_str_eq(date_of("When: 3:00pm - 3:30pm, Thursday, March 13, 2025 "
                             "(Pacific Time - US & Canada)",
                             MON25, 0),
                     "2025-03-13T22:00:00Z");
    ck_assert_str_eq(date_of("Agenda for Thursday, March 13 (all times CET):\n"
                             "  09:00-09:45  Coding\n  10:00-10:45  Design",
                             MON25, 0),
                     "2025-03-13T08:00:00Z");
}
END_TEST

START_TEST(arrival_time)
{
    ck_assert_str_eq(date_of("your final interview on Thursday 13 March. "
                             "Please arrive at 8:45 for a 9:00 start.",
                             MON25, 0),
                     "2025-03-13T09:00:00Z");
}
END_TEST

/* Office hours and the email's own sending time are no appointment
 * (trial 18: a scheduling link's footer gave an interview on "Friday
 * 9:00 AM"); a move from one weekday to another keeps the new one, and
 * the old time of a move ("moved from ...", "(previously ...)") is not
 * read (trial 19). */
START_TEST(office_hours_and_sent_time)
{
    /* Friday 4 December 2026, 15:30 UTC (10:30 AM ET) */
    const long long sent = 1796398200LL;
    ck_assert_str_eq(date_of("Questions? Our recruiting coordinators are "
                             "available Monday to Friday, 9:00 AM - 5:00 PM "
                             "ET.",
                             sent, -300),
                     "");
    ck_assert_str_eq(date_of("Reply with times that work next week (Mon-Thu, "
                             "any time between 9:00 and 17:00 UK time).",
                             sent, 0),
                     "");
    ck_assert_str_eq(
        date_of("Sent on Friday, December 4, 2026 at 10:30 AM ET", sent, -300),
        "");
    ck_assert_str_eq(date_of("we need to move your panel from Tuesday to "
                             "Wednesday 1 pm CET.",
                             sent, 60),
                     "2026-12-09T12:00:00Z");
    ck_assert_str_eq(
        date_of("Can we talk on Monday at 10:00 AM ET?", sent, -300),
        "2026-12-07T15:00:00Z");
    /* a footer's sending time minutes before the Date header (trial 19) */
    ck_assert_str_eq(date_of("Sent on Friday, December 4, 2026 at 10:25 AM "
                             "ET via GoodTime.",
                             sent, -300),
                     "");
    /* the old time of a move is not the appointment (trial 19) */
    ck_assert_str_eq(
        date_of("Your interview has been moved from Thursday, December 10 at "
                "3:00 PM to Friday, December 11 at 10:00 AM CT.",
                sent, -300),
        "2026-12-11T16:00:00Z");
    ck_assert_str_eq(
        date_of("We've moved your interview to Friday, December 11 at 10:00 "
                "AM CT (previously Thursday, December 10 at 3:00 PM CT).",
                sent, -300),
        "2026-12-11T16:00:00Z");
    /* the move word far back, the sentence wrapped over lines (trial 21) */
    ck_assert_str_eq(
        date_of("A conflict came up on my side, so I've moved our phone "
                "screen for the Software\nEngineer II role from Wednesday, "
                "December 9 at 10:00 AM CT to Thursday,\nDecember 10 at 2:00 "
                "PM CT. Same phone number.",
                sent, -360),
        "2026-12-10T20:00:00Z");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rules-date");
    TCase *tc = tcase_create("date");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dotted_and_bare_hours);
    tcase_add_test(tc, ranges);
    tcase_add_test(tc, zones_named_after_the_time);
    tcase_add_test(tc, which_date_of_the_message);
    tcase_add_test(tc, numeric_dates);
    tcase_add_test(tc, italian_and_polish);
    tcase_add_test(tc, bare_and_afternoon_hours);
    tcase_add_test(tc, hour_words);
    tcase_add_test(tc, zone_beside_the_date);
    tcase_add_test(tc, arrival_time);
    tcase_add_test(tc, office_hours_and_sent_time);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
