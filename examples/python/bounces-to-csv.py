#!/usr/bin/python3
"""Triage a Postfix log, a file of SMTP reply lines or bounce texts into a CSV.

Each line that carries a reply code becomes a row: address, code, enhanced code, reason,
hard/soft (or "ok" for a success), and the summary.  Lines without a code are skipped.

    /usr/bin/python3 bounces-to-csv.py /var/log/mail.log > triage.csv
    /usr/bin/python3 bounces-to-csv.py --lang de replies.txt
    grep status=bounced /var/log/mail.log | /usr/bin/python3 bounces-to-csv.py -
"""
import argparse
import csv
import re
import sys

import smtpcodes

# Postfix/Sendmail "to=<a@b>", DSN "Final-Recipient: rfc822; a@b", or <a@b> in the reply
TO = re.compile(r"\bto=<([^>]+@[^>]+)>")
FINAL = re.compile(r"^(?:Final|Original)-Recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)>?", re.I)
ANGLE = re.compile(r"<([^\s<>]+@[^\s<>]+)>")


def rows(lines, lang=None):
    recipient = None
    for line in lines:
        line = line.rstrip("\r\n")
        m = FINAL.match(line)
        if m:
            recipient = m.group(1)
            continue
        m = TO.search(line)
        if m:
            address = m.group(1)
        elif line.lower().startswith("diagnostic-code:") and recipient:
            address = recipient
        else:
            m = ANGLE.search(line)
            address = m.group(1) if m else ""
        try:
            v = smtpcodes.explain(line, lang=lang)
        except smtpcodes.Error:
            continue  # no reply code on this line
        kind = "hard" if v.hard_bounce else "soft" if v.bounce else "ok"
        yield [address, v.code or "", v.status or "", v.reason, kind, v.summary or ""]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=["-"], help="log or reply files ('-' for stdin)")
    ap.add_argument("--lang", default="en", help="language of the summary (en, de)")
    args = ap.parse_args(argv)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["address", "code", "enhanced", "reason", "bounce", "summary"])
    for name in args.files:
        f = sys.stdin if name == "-" else open(name, encoding="utf-8", errors="replace")
        with f:
            out.writerows(rows(f, lang=args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
