#!/usr/bin/env python3
"""The dashboard in headless Chromium (selenium + chromedriver).

usage: dashboard.py URL SCREENSHOT_DIR PG_CONNINFO SCHEMA

Each page loads with no console error and no request leaving 127.0.0.1
(Chromium's proxy is a closed port for anything but loopback, and every
performance resource entry is checked); a relabel from the page changes the
events table and the stored event; a POST without the token, or with a
foreign Origin, is refused. One PNG per page goes to SCREENSHOT_DIR.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

url, shots, pg, schema = sys.argv[1:5]
origin = url.rstrip("/")
failures = []


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    failures.append(msg)


def ok(msg):
    print("ok: " + msg)


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
          "--disable-dev-shm-usage", "--window-size=1100,720",
          "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync",
          "--disable-default-apps", "--disable-features=Translate",
          # anything not on loopback goes to a closed port and fails
          "--proxy-server=http://127.0.0.1:9",
          "--proxy-bypass-list=127.0.0.1;localhost"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(30)
wait = WebDriverWait(driver, 15)


def loaded(page):
    wait.until(lambda d: d.execute_script(
        "return document.body.dataset.page === arguments[0] || "
        "!!document.querySelector('#main .error')", page))
    err = driver.find_elements(By.CSS_SELECTOR, "#main .error")
    if err:
        fail(f"page {page}: {err[0].text}")


def check_page(page, shot):
    loaded(page)
    logs = [l for l in driver.get_log("browser") if l["level"] == "SEVERE"]
    for l in logs:
        fail(f"page {page}: console error: {l['message']}")
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    away = [n for n in names if not n.startswith(origin + "/")]
    if away:
        fail(f"page {page}: requests leaving 127.0.0.1: {away}")
    path = os.path.join(shots, shot + ".png")
    driver.save_screenshot(path)
    if not logs and not away:
        ok(f"page {page}: loaded, {len(names)} requests all to {origin}, no console error ({path})")


try:
    driver.get(url)
    check_page("board", "board")
    cols = driver.find_elements(By.CSS_SELECTOR, "#board .column")
    cards = driver.find_elements(By.CSS_SELECTOR, "#board .card")
    if not cards:
        fail("board: no application cards")
    else:
        ok(f"board: {len(cards)} applications in {len(cols)} status columns")
    for page in ("table", "interviews", "funnel", "health"):
        driver.execute_script("location.hash = arguments[0]", "#" + page)
        check_page(page, page)

    # search the table
    driver.execute_script("location.hash = '#table'")
    loaded("table")
    rows = driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")
    first = rows[0].find_elements(By.TAG_NAME, "td")[0].text
    box = driver.find_element(By.ID, "search")
    box.send_keys(first)
    left = driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")
    if not left or len(left) > len(rows) or any(first.lower() not in r.text.lower() for r in left):
        fail(f"search for {first!r} kept {len(left)} of {len(rows)} rows")
    else:
        ok(f"search for {first!r}: {len(left)} of {len(rows)} rows")

    # one application's timeline: the first open one with an event; its
    # latest event relabelled REJECTION from the page rejects it
    apps = json.loads(urllib.request.urlopen(origin + "/api/applications").read())
    app = next(a for a in apps if a["event_keys"] and a["status"] != "REJECTED")
    driver.execute_script("location.hash = arguments[0]", "#app/" + app["id"])
    check_page("app", "application")
    row = driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")[-1]
    key = row.get_attribute("data-key")
    before = row.find_element(By.CSS_SELECTOR, ".type").text
    target = "REJECTION" if before != "REJECTION" else "OFFER"
    Select(row.find_element(By.TAG_NAME, "select")).select_by_value(target)
    row.find_element(By.CSS_SELECTOR, "button.relabel").click()
    sel = '#events tr[data-key="%s"] .type' % key
    try:
        wait.until(lambda d: any(e.text == target for e in d.find_elements(By.CSS_SELECTOR, sel)))
        stored = subprocess.run(["psql", pg, "-XqtA", "-c",
                                 f'SELECT event_type FROM "{schema}".events WHERE key = \'{key}\''],
                                capture_output=True, text=True).stdout.strip()
        if stored != target:
            fail(f"relabel: the page shows {target} but the table has {stored!r}")
        else:
            ok(f"relabel from the page: {app['company']} event {key[:12]} {before} -> {target} in the events table")
    except Exception:  # timeout
        fail(f"relabel from the page: the row never showed {target} "
             f"({driver.find_element(By.ID, 'status').text})")
    driver.execute_script("location.hash = '#table'")
    loaded("table")
    box = driver.find_element(By.ID, "search")
    box.send_keys(app["company"])
    status = [r.find_elements(By.TAG_NAME, "td")[2].text
              for r in driver.find_elements(By.CSS_SELECTOR, "#apps tbody tr")]
    if app["status"] in status and target == "REJECTION" and "REJECTED" not in status:
        fail(f"relabel: the applications table still shows {app['company']} as {status}")
    else:
        ok(f"relabel: the applications table shows {app['company']} {app['status']} -> {status}")
    # interviews in the user's time zone
    driver.execute_script("location.hash = '#interviews'")
    loaded("interviews")
    cell = "#past tbody tr td"
    utc = driver.find_element(By.CSS_SELECTOR, cell).text
    box = driver.find_element(By.ID, "tz")
    box.clear()
    box.send_keys("America/New_York\n")
    text = "return (document.querySelector(arguments[0]) || {}).innerText || ''"
    wait.until(lambda d: "America/New_York" in d.execute_script(text, "#past th"))
    ny = driver.execute_script(text, cell)
    if ny == utc:
        fail(f"interviews: the time zone box did not change {utc!r}")
    else:
        ok(f"interviews in America/New_York: {utc!r} -> {ny!r}")
    logs = [l for l in driver.get_log("browser") if l["level"] == "SEVERE"]
    for l in logs:
        fail(f"relabel: console error: {l['message']}")
finally:
    driver.quit()


# POSTs without the token, with a wrong one, with a foreign Origin
def post(headers):
    req = urllib.request.Request(
        origin + "/api/relabel?" + urllib.parse.urlencode({"key": key, "label": "OFFER"}),
        method="POST", headers=headers)
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code


tok = json.loads(urllib.request.urlopen(origin + "/api/token").read())["token"]
for what, headers, want in (
        ("no token", {}, 401),
        ("a wrong token", {"Authorization": "Bearer " + "0" * 64}, 401),
        ("a foreign Origin", {"Authorization": "Bearer " + tok,
                              "Origin": "http://evil.example"}, 403)):
    got = post(headers)
    if got != want:
        fail(f"POST with {what}: {got}, want {want}")
    else:
        ok(f"POST with {what}: refused ({got})")
req = urllib.request.Request(origin + "/api/deadletters/replay?offset=0:0", method="POST")
try:
    got = urllib.request.urlopen(req).status
except urllib.error.HTTPError as e:
    got = e.code
if got != 401:
    fail(f"dead-letter replay POST without the token: {got}, want 401")
else:
    ok("dead-letter replay POST without the token: refused (401)")
stored = subprocess.run(["psql", pg, "-XqtA", "-c",
                         f'SELECT event_type FROM "{schema}".events WHERE key = \'{key}\''],
                        capture_output=True, text=True).stdout.strip()
if stored == "OFFER":
    fail("a refused POST changed the event")
sys.exit(1 if failures else 0)
