#!/usr/bin/env python3
"""The dashboard in headless Chromium (selenium + chromedriver), under
`careerops serve` on the demo's tables.

usage: dashboard.py URL SCREENSHOT_DIR PG_CONNINFO SCHEMA

Each page loads with no console error and no request leaving 127.0.0.1
(dashlib.py); a relabel from the page changes the events table and the
application's status in the applications table; a POST without the token,
or with a foreign Origin, is refused. One PNG per page goes to
SCREENSHOT_DIR.
"""
import sys
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashlib import Browser, psql

url, shots, pg, schema = sys.argv[1:5]
b = Browser(url, shots)
driver = b.driver
origin = b.origin


def stored_type(key):
    return psql(pg, f'SELECT event_type FROM "{schema}".events WHERE key = \'{key}\'')


try:
    driver.get(url)
    b.check_page("board", "board")
    # trial 43: the token comes in the address's fragment; the page keeps it
    # for the tab and takes it out of the address bar
    if "token=" in driver.current_url or not b.token or driver.execute_script(
            "return sessionStorage.getItem('careerops-token')") != b.token:
        b.fail(f"the token from the address: now at {driver.current_url!r}, "
               f"printed {b.token!r}")
    else:
        b.ok("the token from the address's fragment: kept for the tab, "
             "gone from the address bar")
    cols = driver.find_elements(By.CSS_SELECTOR, "#board .column")
    cards = driver.find_elements(By.CSS_SELECTOR, "#board .card")
    if not cards:
        b.fail("board: no application cards")
    else:
        b.ok(f"board: {len(cards)} applications in {len(cols)} status columns")
    for page in ("table", "interviews", "funnel", "health"):
        driver.execute_script("location.hash = arguments[0]", "#" + page)
        b.check_page(page, page)

    # search the table
    b.go("table")
    rows = driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")
    first = rows[0].find_elements(By.TAG_NAME, "td")[0].text
    box = driver.find_element(By.ID, "search")
    box.send_keys(first)
    left = driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")
    if not left or len(left) > len(rows) or any(first.lower() not in r.text.lower() for r in left):
        b.fail(f"search for {first!r} kept {len(left)} of {len(rows)} rows")
    else:
        b.ok(f"search for {first!r}: {len(left)} of {len(rows)} rows")

    # one application's timeline: the first open one with an event; its
    # latest event relabelled REJECTION from the page rejects it
    apps = b.get_json("/api/applications")
    app = next(a for a in apps if a["event_keys"] and a["status"] != "REJECTED")
    driver.execute_script("location.hash = arguments[0]", "#app/" + app["id"])
    b.check_page("app", "application")
    row = driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")[-1]
    key = row.get_attribute("data-key")
    before = row.find_element(By.CSS_SELECTOR, ".type").text
    target = "REJECTION" if before != "REJECTION" else "OFFER"
    Select(row.find_element(By.TAG_NAME, "select")).select_by_value(target)
    row.find_element(By.CSS_SELECTOR, "button.relabel").click()
    sel = '#events tr[data-key="%s"] .type' % key
    try:
        b.wait.until(lambda d: any(e.text == target for e in d.find_elements(By.CSS_SELECTOR, sel)))
        stored = stored_type(key)
        if stored != target:
            b.fail(f"relabel: the page shows {target} but the table has {stored!r}")
        else:
            b.ok(f"relabel from the page: {app['company']} event {key[:12]} {before} -> {target} in the events table")
    except Exception:  # timeout
        b.fail(f"relabel from the page: the row never showed {target} "
               f"({driver.find_element(By.ID, 'status').text})")
    b.go("table")
    box = driver.find_element(By.ID, "search")
    box.send_keys(app["company"])
    status = [r.find_elements(By.TAG_NAME, "td")[2].text
              for r in driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")]
    if app["status"] in status and target == "REJECTION" and "REJECTED" not in status:
        b.fail(f"relabel: the applications table still shows {app['company']} as {status}")
    else:
        b.ok(f"relabel: the applications table shows {app['company']} {app['status']} -> {status}")
    # interviews in the user's time zone
    b.go("interviews")
    cell = "#past tbody tr td"
    utc = driver.find_element(By.CSS_SELECTOR, cell).text
    box = driver.find_element(By.ID, "tz")
    box.clear()
    box.send_keys("America/New_York\n")
    text = "return (document.querySelector(arguments[0]) || {}).innerText || ''"
    b.wait.until(lambda d: "America/New_York" in d.execute_script(text, "#past th"))
    ny = driver.execute_script(text, cell)
    if ny == utc:
        b.fail(f"interviews: the time zone box did not change {utc!r}")
    else:
        b.ok(f"interviews in America/New_York: {utc!r} -> {ny!r}")
    b.console_errors("relabel")
finally:
    b.quit()


# POSTs without the token, with a wrong one, with a foreign Origin
def post(headers):
    return b.status_of(urllib.request.Request(
        origin + "/api/relabel?" + urllib.parse.urlencode({"key": key, "label": "OFFER"}),
        method="POST", headers=headers))


tok = b.token
for what, headers, want in (
        ("no token", {}, 401),
        ("a wrong token", {"Authorization": "Bearer " + "0" * 64}, 401),
        ("a foreign Origin", {"Authorization": "Bearer " + tok,
                              "Origin": "http://evil.example"}, 403)):
    got = post(headers)
    if got != want:
        b.fail(f"POST with {what}: {got}, want {want}")
    else:
        b.ok(f"POST with {what}: refused ({got})")
got = b.status_of(urllib.request.Request(origin + "/api/deadletters/replay?offset=0:0",
                                         method="POST"))
if got != 401:
    b.fail(f"dead-letter replay POST without the token: {got}, want 401")
else:
    b.ok("dead-letter replay POST without the token: refused (401)")
if stored_type(key) == "OFFER":
    b.fail("a refused POST changed the event")
# the company, date and role of a relabel POST reach the event (trial 37:
# they were ignored)
got = b.status_of(urllib.request.Request(
    origin + "/api/relabel?" + urllib.parse.urlencode(
        {"key": key, "label": "OFFER", "company": "Quarry Hill Studios",
         "date": "2026-12-18T17:00:00Z", "role": "Platform Engineer"}),
    method="POST", headers={"Authorization": "Bearer " + tok}))
row = psql(pg, f"SELECT event_type || '|' || company || '|' || role || '|' || "
               f"(scheduled_at AT TIME ZONE 'UTC') FROM \"{schema}\".events "
               f"WHERE key = '{key}'")
if got != 200 or row != "OFFER|Quarry Hill Studios|Platform Engineer|2026-12-18 17:00:00":
    b.fail(f"relabel POST with company, date and role: {got}, the event {row!r}")
else:
    b.ok("relabel POST with company, date and role: stored")
sys.exit(1 if b.failures else 0)
