#!/usr/bin/env python3
"""The dashboard of a running host (`careerops run` with a standalone
broker): the pipeline health page with live data, and the replay of one
dead letter from the page, end to end.

usage: dashboard_live.py URL SCREENSHOT_DIR PG_CONNINFO SCHEMA SUBJECT_MARK

The store stage has dead-lettered the one email whose subject contains
SUBJECT_MARK (a trigger of the test refuses it). The health page must show
every stage with its records in and out and consumer lag, and that dead
letter; then the cause is removed (the trigger dropped), Replay is clicked,
and the email must reach the emails table, the letter be shown as replayed
and the store stage's records-in grow.
"""
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

from dashlib import Browser, psql

url, shots, pg, schema, mark = sys.argv[1:6]
b = Browser(url, shots)
driver = b.driver


def stages():
    """The stages table of the page: {stage: {column: text}}."""
    heads = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#stages th")]
    out = {}
    for r in driver.find_elements(By.CSS_SELECTOR, "#stages tbody tr"):
        cells = [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        out[cells[0]] = dict(zip(heads, cells))
    return out


def stored():
    return int(psql(pg, f'SELECT count(*) FROM "{schema}".emails '
                        f"WHERE subject LIKE '%{mark}%'"))


try:
    driver.get(url)
    b.loaded("board")
    b.go("health")
    b.check_page("health", "health")
    st = stages()
    want = {"ingest", "classify", "store", "notify", "show", "dead-letters"}
    api = {s["stage"] for s in b.get_json("/api/stages")["stages"]}
    if set(st) != want or api != want:
        b.fail(f"health: stages {sorted(st)} on the page, {sorted(api)} from "
               f"/api/stages, want {sorted(want)}")
    bad = [n for n, s in st.items() if not s["Records in"].isdigit()
           or not s["Records out"].isdigit()
           or (n != "ingest" and not s["Consumer lag"].replace(".", "").isdigit())]
    if bad:
        b.fail(f"health: stages without records in/out or consumer lag: "
               f"{[(n, st[n]) for n in bad]}")
    store_in = int(st.get("store", {}).get("Records in", "0") or 0)
    dead = st.get("store", {}).get("Dead-lettered", "")
    if dead != "1":
        b.fail(f"health: the store stage shows {dead!r} dead-lettered, want 1")
    if not bad and set(st) == want:
        b.ok("health: " + "; ".join(
            f"{n} {s['Status']} in {s['Records in']} out {s['Records out']} "
            f"lag {s['Consumer lag']}" for n, s in st.items()))
    rows = driver.find_elements(By.CSS_SELECTOR, "#deadletters tbody tr")
    count = driver.find_element(By.ID, "dl-count").text
    if len(rows) != 1 or "store" not in rows[0].text or \
            count != "Dead letters (1 pending, 0 replayed)":
        b.fail(f"health: want the store stage's one dead letter, got {count!r}: "
               f"{[r.text for r in rows]}")
    elif stored() != 0:
        b.fail("the dead-lettered email is in the emails table already")
    else:
        b.ok(f"health: {count}: {rows[0].text}")

    # the user removes the cause, then replays the letter from the page
    psql(pg, f'DROP TRIGGER careerops_test_refuse ON "{schema}".emails')
    offset = rows[0].get_attribute("data-offset")
    rows[0].find_element(By.CSS_SELECTOR, "button.replay").click()
    sel = f'#deadletters tr[data-offset="{offset}"] .replayed'
    try:
        b.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, sel))
        b.loaded("health")
        b.ok(f"replay from the page: {driver.find_element(By.ID, 'status').text}")
    except Exception:  # timeout
        b.fail("replay from the page: the letter is not shown as replayed "
               f"({driver.find_element(By.ID, 'status').text})")
    end = time.time() + 60
    while stored() == 0 and time.time() < end:
        time.sleep(0.5)
    if stored() != 1:
        b.fail("replay: the email never reached the emails table")
    else:
        b.ok(f"replay: the email ({mark}) was processed again into {schema}.emails")
    count = driver.find_element(By.ID, "dl-count").text
    if count != "Dead letters (0 pending, 1 replayed)":
        b.fail(f"replay: the count reads {count!r}")
    # the stage's records-in grows (the page reloaded until it shows it)
    grown = 0
    end = time.time() + 30
    while time.time() < end:
        driver.execute_script("location.hash = '#board'")
        b.loaded("board")
        b.go("health")
        grown = int(stages().get("store", {}).get("Records in", "0") or 0)
        if grown > store_in:
            break
        time.sleep(1)
    if grown <= store_in:
        b.fail(f"replay: the store stage's records in stayed {store_in}")
    else:
        b.ok(f"replay: store records in {store_in} -> {grown}; {count}")
    b.check_page("health", "health")
    tok = b.token
    again = b.status_of(urllib.request.Request(
        b.origin + "/api/deadletters/replay?offset=0:999999", method="POST",
        headers={"Authorization": "Bearer " + tok}))
    if again != 404:
        b.fail(f"replay of an offset with no dead letter: {again}, want 404")
    else:
        b.ok("replay of an offset with no dead letter: 404")
finally:
    b.quit()
sys.exit(1 if b.failures else 0)
