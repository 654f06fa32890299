#!/usr/bin/env bash
# The messages the user sent are the user's own: demo.sh passes the account
# (the owner's address found in the mail) to rules-classifier as
# own_addresses, so the owner's reply declining a final round in words the
# classifier's SELF phrases do not know ("I will not continue with the
# process") is no REJECTION of the owner by the company, and the company
# is not listed as having rejected them (the model alone read it so).
. "$(dirname "$0")/lib.sh"
owner="owner-$$-$RANDOM@example.test"
S="acct_$(printf '%s' "$owner" | sha256sum | cut -c1-10)"
SCHEMAS+=("$S")
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
mkdir -p "$T/box"
sed "s/jordan\.blake@example\.net/$owner/g" "$SRC/datasets/sample-mailbox/sample.mbox" >"$T/box/export.mbox"
cat >>"$T/box/export.mbox" <<M

From $owner Tue Nov 10 09:12:00 2026
From: Robin Vale <$owner>
To: Dana Okafor <dana.okafor@brightwell-labs.example>
Subject: Re: Next steps for the Platform Engineer role
Date: Tue, 10 Nov 2026 09:12:00 +0000
Message-ID: <own-decline-$$@example.test>
In-Reply-To: <bw-1@brightwell-labs.example>

Hi Dana,

Thank you for the update and for the time your team spent with me. After
some reflection I will not continue with the process for the Platform
Engineer role; I have committed to another opportunity.

Best,
Robin

On Mon, 9 Nov 2026, Dana Okafor <dana.okafor@brightwell-labs.example> wrote:
> Hi Robin, we would love to schedule a final round with our CTO.
M
bash "$SRC/scripts/demo.sh" --json --keep-db --mailbox "$T/box/export.mbox" >"$T/1.json" 2>"$T/1.err" ||
    fail "demo.sh exited $?: $(tail -n 5 "$T/1.err")"
[ "$(field "$T/1.json" account)" = "$owner" ] || fail "account: $(field "$T/1.json" account)"
[ "$(field "$T/1.json" messages)" = 41 ] || fail "messages: $(field "$T/1.json" messages)"
label=$(psqlq -c "SELECT e.event_type FROM \"$S\".events e JOIN \"$S\".emails m ON m.key = e.key WHERE m.message_id LIKE '%own-decline-%'")
[ -z "$label" ] || [ "$label" = OTHER ] || fail "the owner's own decline stored as $label"
grep -q Brightwell "$T/1.json" && fail "Brightwell listed in the summary: $(grep -o '"rejected_by":[^]]*]' "$T/1.json")"
ok "the owner's own decline (outside the SELF phrases) is no event of the company's: own_addresses from the account"
