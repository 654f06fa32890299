#!/usr/bin/env python3
"""Count passed/failed/skipped tests in a meson testlog.json.

Prints "PASSED FAILED SKIPPED" on one line; with a second argument (a
label), also lists failing tests on stderr with that label.
"""
import json
import sys

passed = failed = skipped = 0
label = sys.argv[2] if len(sys.argv) > 2 else ""
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
    failed = 1
for line in lines:
    if not line.strip():
        continue
    t = json.loads(line)
    r = t.get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
        print(f"FAILED {label} {t.get('name')}: {r}", file=sys.stderr)
print(passed, failed, skipped)
