#!/usr/bin/env python3
"""Benchmark of the mail normalizer against python3's email package.

Runs bench_mail (co_mail_to_json over every message file of the corpus,
pass after pass) and, on the same files in the same run, python3's email
package with policy.default (the parser a Python stack would use): parse the
bytes, read From/To/Subject/Date/Message-ID, get the body text (plain
preferred, else HTML, as get_body() picks it) and list the attachments.
Prints messages/s, MB/s and the ratio of MB/s; with --write FILE it also
writes (or replaces) the Markdown section "Mail normalizer" in FILE.

usage: bench_mail.py BENCH_EXE CORPUS_DIR [--seconds N] [--write FILE]
"""
import email
import email.policy
import json
import os
import platform
import subprocess
import sys
import time

EXTS = ('.eml', '.msg', '.txt', '.raw')


def message_files(corpus):
    """The message files of mime-torture/, calendar/ and
    negatives/spamassassin/, as the normalizer tests pick them."""
    out = []
    for sub in ('mime-torture', 'calendar', 'negatives/spamassassin/data'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(corpus, sub)):
            dirnames.sort()
            if '/LICENSES' in dirpath:
                continue
            for f in sorted(filenames):
                if f.startswith('LICENSE') or f in ('COPYING', 'SOURCE.txt',
                                                    'MANIFEST.csv'):
                    continue
                p = os.path.join(dirpath, f)
                if f.lower().endswith(EXTS) or '/maildir/' in p:
                    out.append(p)
    return out


def python_pass(blobs):
    pol = email.policy.default
    ok = failed = 0
    for b in blobs:
        try:
            m = email.message_from_bytes(b, policy=pol)
            for h in ('from', 'to', 'subject', 'date', 'message-id'):
                str(m.get(h, ''))
            body = m.get_body(preferencelist=('plain', 'html'))
            if body is not None:
                body.get_content()
            for a in m.iter_attachments():
                a.get_filename()
            ok += 1
        except Exception:  # a real pipeline would dead-letter it
            failed += 1
    return ok, failed


def python_bench(files, min_s):
    blobs = []
    for p in files:
        with open(p, 'rb') as f:
            blobs.append(f.read())
    total = sum(len(b) for b in blobs)
    passes = 0
    t0 = time.monotonic()
    while True:
        ok, failed = python_pass(blobs)
        passes += 1
        el = time.monotonic() - t0
        if el >= min_s:
            break
    return {'messages': len(blobs), 'bytes': total, 'passes': passes,
            'seconds': round(el, 3),
            'messages_per_s': len(blobs) * passes / el,
            'mb_per_s': total * passes / el / 1e6, 'ok': ok,
            'exceptions': failed}


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    exe, corpus = args[0], args[1]
    seconds, write = 3.0, None
    rest = args[2:]
    while rest:
        if rest[0] == '--seconds':
            seconds = float(rest[1])
            rest = rest[2:]
        elif rest[0] == '--write':
            write = rest[1]
            rest = rest[2:]
        else:
            print('unknown argument ' + rest[0], file=sys.stderr)
            return 2
    if not os.path.isdir(os.path.join(corpus, 'mime-torture')):
        print('SKIP: corpus %s is missing' % corpus)
        return 77
    files = message_files(corpus)
    c = json.loads(subprocess.run([exe, '--seconds', str(seconds)] + files,
                                  check=True, capture_output=True,
                                  text=True).stdout)
    py = python_bench(files, seconds)
    ratio = c['mb_per_s'] / py['mb_per_s']
    lines = [
        '## Mail normalizer',
        '',
        'co_mail_to_json() (GMime 3.2.13, full careerops.email.v1 record: '
        'addresses, dates, text with HTML converted by libxml2, links, '
        'attachment sizes, calendars with libical, idempotency key) against '
        "python3's email package (%s, policy.default: parse, headers, "
        'get_body() content, attachment names; no HTML conversion, no '
        'calendars) over the same %d files (%.1f MB: mime-torture, '
        'calendar and negatives/spamassassin of ../shared/corpus), each '
        'looped for at least %g s on %s, %s.' % (
            platform.python_version(), c['messages'], c['bytes'] / 1e6,
            seconds, platform.machine(), 'one thread'),
        '',
        '| | messages/s | MB/s | passes | records / ok | rejected / exceptions |',
        '|---|---:|---:|---:|---:|---:|',
        '| co_mail_to_json (C) | %.0f | %.2f | %d | %d | %d |' % (
            c['messages_per_s'], c['mb_per_s'], c['passes'], c['records'],
            c['rejected']),
        '| python3 email, policy.default | %.0f | %.2f | %d | %d | %d |' % (
            py['messages_per_s'], py['mb_per_s'], py['passes'], py['ok'],
            py['exceptions']),
        '',
        'Ratio (MB/s): **%.1f×** python3 (target ≥ 5×).' % ratio,
        '',
        'Reproduce: `meson test -C build --benchmark --suite mail` or '
        '`bench/mail/bench_mail.py build/bench/mail/bench_mail ../shared/corpus '
        '--write docs/benchmarks.md`.',
        '',
    ]
    text = '\n'.join(lines)
    print(text)
    if write:
        # replace this section of the shared benchmarks page in place
        start, end = '<!-- mail-bench:start -->', '<!-- mail-bench:end -->'
        try:
            doc = open(write).read()
        except OSError:
            doc = '# Benchmarks\n'
        block = start + '\n' + text + '\n' + end
        if start in doc and end in doc:
            doc = doc[:doc.index(start)] + block + doc[doc.index(end) + len(end):]
        else:
            doc = doc.rstrip('\n') + '\n\n' + block + '\n'
        with open(write, 'w') as f:
            f.write(doc)
    return 0


if __name__ == '__main__':
    sys.exit(main())
