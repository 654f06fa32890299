#!/usr/bin/env python3
"""The account a mailbox belongs to: its owner's address, found in the mail.

    python3 scripts/mailbox_account.py PATH

PATH is an mbox file, a Maildir or a folder of .eml files (as for
scripts/demo.sh --mailbox). Prints the most common address of the
Delivered-To headers (what Gmail, and so a Google Takeout export, writes on
every message it delivered), else of To/Cc, lower-cased, over the first
5000 messages; ties go to the address seen first. Exits 1, printing
nothing, when no message has such an address. Only headers are read.

scripts/demo.sh keys a mailbox's tables and reading position by this
address, so that a new export of the same mailbox, at another path,
continues where the last one stopped.
"""
import collections
import email.parser
import email.utils
import os
import stat
import sys

LIMIT = 5000


def header_blocks_mbox(path):
    """The header block (bytes) of each message of an mbox file, or of the
    one message of a file that does not start with a "From " line (an .eml
    file given alone: it had no account, trial 66)."""
    with open(path, "rb") as fh:
        block, in_headers, prev_blank = [], False, True
        first = fh.readline()
        fh.seek(0)
        if first and not first.startswith(b"From "):
            in_headers, prev_blank = True, False
        for line in fh:
            if line.startswith(b"From ") and prev_blank:
                if block:
                    yield b"".join(block)
                block, in_headers = [], True
            elif in_headers:
                if line in (b"\n", b"\r\n"):
                    in_headers = False
                elif not block and line.lstrip(b">").startswith(b"From "):
                    pass  # escaped envelope lines before the header (trial 67)
                else:
                    block.append(line)
            prev_blank = line in (b"\n", b"\r\n")
        if block:
            yield b"".join(block)


def header_blocks_files(root):
    """The header block of each regular file under a Maildir or .eml folder.

    Anything else (a FIFO, a socket, a device) is skipped without being
    opened: opening a FIFO would block until a writer comes.
    """
    for d, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            if os.path.basename(d) == "tmp" or name.startswith("."):
                continue
            path = os.path.join(d, name)
            block = []
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):
                    continue
                with open(path, "rb") as fh:
                    for line in fh:
                        if line in (b"\n", b"\r\n"):
                            break
                        block.append(line)
            except OSError:
                continue
            yield b"".join(block)


def message_addresses(msg):
    """(kind, [address, ...]) for Delivered-To ("delivered") and To/Cc ("to")."""
    out = []
    for kind, names in (("delivered", ("Delivered-To",)), ("to", ("To", "Cc"))):
        values = [str(v) for n in names for v in (msg.get_all(n) or [])]
        addrs = [a.strip().lower() for _, a in email.utils.getaddresses(values)]
        out.append((kind, [a for a in addrs if "@" in a]))
    return out


def account(path):
    """The owner's address, or None."""
    blocks = header_blocks_files(path) if os.path.isdir(path) else header_blocks_mbox(path)
    parser = email.parser.BytesHeaderParser()
    counts = {"delivered": collections.Counter(), "to": collections.Counter()}
    first = {}
    skipped = 0
    for i, block in enumerate(blocks):
        if i >= LIMIT:
            break
        try:
            found = message_addresses(parser.parsebytes(block))
        except Exception:  # a header Python's email package cannot parse
            skipped += 1
            continue
        for kind, addrs in found:
            for addr in addrs:
                counts[kind][addr] += 1
                first.setdefault(addr, len(first))
    if skipped:
        print(f"mailbox_account.py: skipped the headers of {skipped} message(s) "
              f"Python's email package could not parse in {path}", file=sys.stderr)
    for kind in ("delivered", "to"):
        if counts[kind]:
            return min(counts[kind].items(), key=lambda kv: (-kv[1], first[kv[0]]))[0]
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mailbox_account.py MAILBOX (an mbox file, a Maildir or a folder of .eml files)")
    try:
        a = account(sys.argv[1])
    except OSError as e:
        # (a file gone since demo.sh checked it, e.g. under /proc)
        sys.exit(f"mailbox_account.py: cannot read {e.filename or sys.argv[1]}: {e.strerror}")
    if a is None:
        sys.exit(1)
    print(a)


if __name__ == "__main__":
    main()
