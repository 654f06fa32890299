#!/usr/bin/env bash
# The dashboard's "show original" (issue 17) on the throwaway PostgreSQL
# (CAREEROPS_TEST_PG; skipped without it): mailbox-source stores each raw
# message in the archive folder and its record carries the reference;
# postgres-sink keeps it in emails.archive_url (migration 4); `careerops
# serve` answers GET /api/emails/KEY/original with the very bytes
# (message/rfc822 download; text/plain with ?view=text), 404 for an
# unknown key, 502 with the reason when the archive lost the object.
PG_SCHEMA=orig
. "$CAREEROPS_SOURCE_ROOT/tests/lib/pg_schema.sh"
mkdir -p mail
printf 'From: Recruiter <jobs@acme.example>\r\nTo: me@example.com\r\nSubject: Interview on Monday\r\nDate: Thu, 3 Dec 2026 08:00:00 +0000\r\nMessage-ID: <orig-1@acme.example>\r\n\r\nSee you at 10:00.\r\n\x00\xff binary tail\r\n' > mail/1.eml
cat > m.json <<J
{"pipeline":"itorig","kafka":{"bootstrap.servers":"embedded"},"state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mailbox-source","output":"raw","config":{"path":"mail","format":"eml","archive":"archive"}},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"$CAREEROPS_TEST_PG","schema":"$S","tables":["emails"]}}]}
J
start_broker m.json
timeout 60 "$B" run m.json --set "kafka.bootstrap.servers=$BS" --until-idle 2> run.log ||
    fail "run: $(tail -3 run.log)"
row=$(psq -c "SELECT key || ' ' || archive_url || ' ' || archive_size FROM $S.emails")
read -r key url size <<< "$row"
[ "$size" = "$(stat -c %s mail/1.eml)" ] || fail "emails row: $row"
case $url in "file://$T/archive/sha256/"*) ;; *) fail "archive_url $url" ;; esac
"$B" serve m.json --listen 127.0.0.1:0 > serve.out 2> serve.log & PIDS+=($!)
for _ in $(seq 100); do grep -q http serve.out 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' serve.out) || fail "serve: $(cat serve.log)"
# the mail needs the token (trial 43): serve prints it in the page's address
tok=$(grep -o '#token=[0-9a-f]*' serve.out | cut -d= -f2)
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/emails/$key/original")" = 401 ] ||
    fail "GET original without the token was not refused (401)"
curl() { command curl -H "Authorization: Bearer $tok" "$@"; }
code=$(curl -s -o got.eml -D h.txt -w '%{http_code}' "$base/api/emails/$key/original")
[ "$code" = 200 ] || fail "GET original: $code $(cat got.eml)"
cmp -s got.eml mail/1.eml || fail "the bytes differ from the message read"
grep -qi '^content-type: message/rfc822' h.txt || fail "type: $(grep -i content-type h.txt)"
grep -qi "^content-disposition: attachment; filename=\"$key.eml\"" h.txt || fail "no download name: $(cat h.txt)"
curl -s -D h2.txt -o /dev/null "$base/api/emails/$key/original?view=text"
grep -qi '^content-type: text/plain' h2.txt || fail "?view=text: $(grep -i content-type h2.txt)"
code=$(curl -s -o nf.json -w '%{http_code}' "$base/api/emails/nosuchkey/original")
[ "$code" = 404 ] && grep -q "no such email" nf.json || fail "unknown key: $code $(cat nf.json)"
rm -rf archive/sha256
code=$(curl -s -o gone.json -w '%{http_code}' "$base/api/emails/$key/original")
[ "$code" = 502 ] && grep -q "cannot be read from the archive" gone.json || fail "lost object: $code $(cat gone.json)"
ok "show original: $url ($size bytes) served byte for byte, download and ?view=text; unknown key 404; lost object 502: $(cut -c1-160 gone.json)"
