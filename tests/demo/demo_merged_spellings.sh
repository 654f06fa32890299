#!/usr/bin/env bash
# One company written two ways ("Ashcombe Partners" in its interview,
# "Ashcombe" in its rejection from the same domain) is one application
# (postgres-sink's automatic alias, docs/applications.md "Grouping"), and
# the summary's "Rejected by" names it once, in the application's
# spelling; its offer is left out after that rejection (trial 35: both
# spellings were listed, the offer stayed).
. "$(dirname "$0")/lib.sh"
md=$T/mail
mkdir -p "$md"
msg() { # FILE DATE SUBJECT BODY
    cat >"$md/$1" <<M
From: Lydia Shaw <lydia.shaw@ashcombe.example>
To: Jordan Ellis <jordan.ellis@mailbox.example>
Subject: $3
Date: $2
Message-ID: <$1@ashcombe.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

$4

Lydia Shaw
Talent Partner, Ashcombe Partners
M
}
msg 1.eml "Mon, 02 Nov 2026 09:00:00 +0000" "Interview invitation - Ashcombe Partners" \
    "Hi Jordan, we would like to invite you to a video interview for the Data Analyst role at Ashcombe Partners on Thursday, November 5, 2026 at 2:00 PM GMT."
msg 2.eml "Tue, 10 Nov 2026 09:00:00 +0000" "Your offer from Ashcombe Partners" \
    "Hi Jordan, we are delighted to offer you the Data Analyst position at Ashcombe Partners. Please reply by Friday, November 20, 2026 at 5:00 PM GMT."
cat >"$md/3.eml" <<'M'
From: Lydia Shaw <lydia.shaw@ashcombe.example>
To: Jordan Ellis <jordan.ellis@mailbox.example>
Subject: Ashcombe - outcome
Date: Mon, 16 Nov 2026 09:00:00 +0000
Message-ID: <3.eml@ashcombe.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Jordan, unfortunately the offer has been rescinded: the position has been put on hold and we will not be moving forward.

Lydia
M
S=$(schema_of "$md")
SCHEMAS+=("$S")
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$md" --account "$(account_of "$md")" \
    --fresh >"$T/out.txt" 2>"$T/err" || fail "demo: $(tail -n 5 "$T/err")"
companies=$(psqlq -c "SELECT string_agg(DISTINCT company, '|') FROM $S.events WHERE event_type <> 'OTHER'")
[ "$(psqlq -c "SELECT count(*) FROM $S.applications")" = 1 ] ||
    fail "not one application for $companies: $(psqlq -c "SELECT company, status FROM $S.applications")"
case "$companies" in *"|"*) ;; *) fail "the events do not use two spellings ($companies): the test proves nothing" ;; esac
line=$(grep '^Rejected by' "$T/out.txt") || fail "no 'Rejected by': $(cat "$T/out.txt")"
app=$(psqlq -c "SELECT company FROM $S.applications")
[ "$line" = "Rejected by (1): $app" ] || fail "'$line', want 'Rejected by (1): $app' (events: $companies)"
grep -q '^Offers: none open (1 more left out: its company rejected you later)' "$T/out.txt" || fail "the offer of the rejected application is listed: $(grep -A3 '^Offers' "$T/out.txt")"
ok "one application for $companies; summary: $line; its offer left out"

# An offer you declined yourself (careerops applications --decide) is left
# out of the next summary too, and counted apart (trial 37: it stayed
# listed with its reply-by date).
cat >"$md/4.eml" <<'M'
From: Tomasz Wieczorek <tomasz@pinegrovelabs.example>
To: Jordan Ellis <jordan.ellis@mailbox.example>
Subject: Your offer from Pinegrove Labs
Date: Tue, 17 Nov 2026 09:00:00 +0000
Message-ID: <4.eml@pinegrovelabs.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Jordan, we are delighted to offer you the Senior Backend Engineer position at Pinegrove Labs. Your offer letter is attached; please reply by Friday, December 18, 2026 at 5:00 PM GMT.

Tomasz
M
run2() {
    bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$md" --account "$(account_of "$md")" \
        "$@" >"$T/out2.txt" 2>"$T/err" || fail "demo: $(tail -n 5 "$T/err")"
}
run2
grep -q 'Pinegrove Labs' "$T/out2.txt" || fail "the offer is not listed: $(grep -A3 '^Offers' "$T/out2.txt")"
pid=$(psqlq -c "SELECT id FROM $S.applications WHERE company = 'Pinegrove Labs'")
[ -n "$pid" ] || fail "no Pinegrove Labs application"
CAREEROPS_STATE=$CAREEROPS_TEST_PG "$CAREEROPS_BIN" applications --schema "$S" --decide "$pid=declined" >/dev/null ||
    fail "--decide $pid=declined"
run2
grep -q '^Offers: none open (2 more left out: 1 rejected you later, 1 decided by you)$' "$T/out2.txt" ||
    fail "a declined offer: $(grep -A3 '^Offers' "$T/out2.txt")"
run2 --json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert (o["offers"], o["offers_closed"], o["offers_decided"]) == ([], 1, 1), o' "$T/out2.txt" ||
    fail "--json: $(head -c 600 "$T/out2.txt")"
ok "an offer you declined (--decide) is left out of the summary and counted apart"

# Your own reply declining an offer closes its application (migration 14,
# note 18: the offer stayed listed after "I've decided to decline"):
# DECLINED, the offer left out and counted with the decided ones.
cat >"$md/5.eml" <<'M'
From: Ines Valdez <ines.valdez@fjordline.example>
To: Jordan Ellis <jordan.ellis@mailbox.example>
Subject: Offer - Platform Engineer at Fjordline
Date: Wed, 18 Nov 2026 09:00:00 +0000
Message-ID: <5.eml@fjordline.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Jordan, we are delighted to offer you the Platform Engineer position at Fjordline. Please reply by Friday, December 11, 2026 at 5:00 PM GMT.

Ines Valdez
Talent Partner, Fjordline
M
cat >"$md/6.eml" <<'M'
From: Jordan Ellis <jordan.ellis@mailbox.example>
To: Ines Valdez <ines.valdez@fjordline.example>
Subject: Re: Offer - Platform Engineer at Fjordline
Date: Fri, 20 Nov 2026 16:00:00 +0000
Message-ID: <6.eml@mailbox.example>
In-Reply-To: <5.eml@fjordline.example>
References: <5.eml@fjordline.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Ines,

Thank you so much for the offer and for your time. After a lot of thought, I've decided to decline, as I've accepted another position.

Best,
Jordan

On Wed, 18 Nov 2026 at 09:00, Ines Valdez wrote:
> Hi Jordan, we are delighted to offer you the Platform Engineer position at Fjordline.
M
run2
[ "$(psqlq -c "SELECT status FROM $S.applications WHERE company = 'Fjordline'")" = DECLINED ] ||
    fail "your reply declining Fjordline's offer: $(psqlq -c "SELECT company, status FROM $S.applications")"
grep -q '^Offers: none open (3 more left out: 1 rejected you later, 2 decided by you)$' "$T/out2.txt" ||
    fail "a declined offer by reply: $(grep -A3 '^Offers' "$T/out2.txt")"
ok "your own reply declining an offer: DECLINED, the offer left out and counted apart"
