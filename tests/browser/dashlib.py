"""What the dashboard's browser tests share: headless Chromium through
selenium and chromedriver, with every request that does not go to
127.0.0.1 sent to a closed port, and the checks of one page.

A page "loads" when the app sets body[data-page] (web/app.js) or shows an
error; check_page() then fails on any SEVERE browser-log entry (console
errors, failed requests) and on any performance resource entry that is not
on the dashboard's origin or that Chromium's DevTools network log
(Network.requestWillBeSent) shows going elsewhere, and writes a
screenshot.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


class Browser:
    """One headless Chromium on the dashboard at `url`."""

    def __init__(self, url, shots):
        # url is the address careerops prints: http://HOST:PORT/#token=T
        base, _, frag = url.partition("#")
        self.origin = base.rstrip("/")
        self.url = url
        self.token = frag[len("token="):] if frag.startswith("token=") else ""
        self.shots = shots
        self.failures = []
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
        opts.set_capability("goog:loggingPrefs",
                            {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                                       options=opts)
        self.driver.set_page_load_timeout(30)
        self.wait = WebDriverWait(self.driver, 20)

    def fail(self, msg):
        print("FAIL: " + msg, file=sys.stderr)
        self.failures.append(msg)

    @staticmethod
    def ok(msg):
        print("ok: " + msg)

    def go(self, page):
        """Shows page (a hash route without '#') and waits until it loads."""
        self.driver.execute_script("location.hash = arguments[0]", "#" + page)
        self.loaded(page.split("/")[0])

    def loaded(self, page):
        self.wait.until(lambda d: d.execute_script(
            "return document.body.dataset.page === arguments[0] || "
            "!!document.querySelector('#main .error')", page))
        err = self.driver.find_elements(By.CSS_SELECTOR, "#main .error")
        if err:
            self.fail(f"page {page}: {err[0].text}")

    def console_errors(self, what):
        """Fails for each SEVERE browser-log entry since the last call."""
        logs = [entry for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE"]
        for entry in logs:
            self.fail(f"{what}: console error: {entry['message']}")
        return logs

    def network_urls(self):
        """The URLs of the requests Chromium sent since the last call (the
        DevTools network log), data: and blob: URLs left out."""
        urls = []
        for entry in self.driver.get_log("performance"):
            m = json.loads(entry["message"])["message"]
            if m.get("method") == "Network.requestWillBeSent":
                u = m["params"]["request"]["url"]
                if not u.startswith(("data:", "blob:")):
                    urls.append(u)
        return urls

    def check_page(self, page, shot):
        """The loaded page: no console error, no request off 127.0.0.1, a
        screenshot SHOTS/shot.png."""
        self.loaded(page)
        logs = self.console_errors("page " + page)
        names = self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([location.href])")
        names += self.network_urls()
        away = [n for n in names if not n.startswith(self.origin + "/")]
        if away:
            self.fail(f"page {page}: requests leaving 127.0.0.1: {away}")
        path = os.path.join(self.shots, shot + ".png")
        self.driver.save_screenshot(path)
        if not logs and not away:
            self.ok(f"page {page}: loaded, {len(names)} requests all to "
                    f"{self.origin}, no console error ({path})")

    def get_json(self, path):
        req = urllib.request.Request(
            self.origin + path, headers={"Authorization": "Bearer " + self.token})
        return json.loads(urllib.request.urlopen(req).read())

    def status_of(self, req):
        """The HTTP status of a urllib Request to the dashboard."""
        try:
            return urllib.request.urlopen(req).status
        except urllib.error.HTTPError as e:
            return e.code

    def quit(self):
        self.driver.quit()


def psql(pg, sql):
    """One value (or rows as text) from PostgreSQL at conninfo pg."""
    return subprocess.run(["psql", pg, "-XqtA", "-v", "ON_ERROR_STOP=1",
                           "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()
