#!/usr/bin/python3
"""Triage bounces into a CSV: a mailbox, maildir or message files, or mail log lines.

Each input is read for what it is: a directory as a maildir (or a directory of message
files), a file that starts like an e-mail message as a message or an mbox, anything else
as a mail log or a file of SMTP reply lines.  Every recipient of a bounce, delay notice,
auto-reply or feedback report becomes a row, and so does every log line that carries a
reply code:

    address,code,status,reason,bounce,summary,source

"bounce" is "hard" (the address will never work: remove it), "soft" (it may work later),
"ok" for a success in a log, or the kind of a message that is no failure ("autoreply",
"feedback", "delivery").  Messages that are no report at all are left out; messages that
cannot be read are named on standard error, and the exit status is then 1.

    /usr/bin/python3 bounces-to-csv.py ~/Maildir/.bounces > triage.csv
    /usr/bin/python3 bounces-to-csv.py --lang de bounces.mbox /var/log/mail.log
    grep status=bounced /var/log/mail.log | /usr/bin/python3 bounces-to-csv.py -
"""
import argparse
import csv
import io
import os
import re
import sys

import smtpcodes

HEADER = ["address", "code", "status", "reason", "bounce", "summary", "source"]

# Postfix/Sendmail "to=<a@b>", DSN "Final-Recipient: rfc822; a@b", or <a@b> in the reply
TO = re.compile(r"\bto=<([^>]+@[^>]+)>")
FINAL = re.compile(r"^(?:Final|Original)-Recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)>?", re.I)
ANGLE = re.compile(r"<([^\s<>]+@[^\s<>]+)>")

# a header field: a name of printable characters other than the colon, then a colon
FIELD = re.compile(rb"^[!-9;-~]+:")
# fields that every message has some of, and no DSN text or log line starts with
MESSAGE_FIELDS = {b"from", b"date", b"received", b"return-path", b"message-id", b"subject",
                  b"to", b"mime-version", b"content-type", b"delivered-to", b"auto-submitted",
                  b"x-failed-recipients"}
SNIFF = 64 * 1024


def looks_like_mail(head):
    """True when *head* (the first bytes of a file) is the start of a message or an mbox."""
    head = head.lstrip(b"\r\n")
    if head.startswith(b"From "):
        return True
    names = set()
    for line in head.splitlines():
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded field
        if not FIELD.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return bool(names & MESSAGE_FIELDS)


def message_rows(reports):
    """Rows for the recipients of the reports of a mailbox."""
    for rep in reports:
        source = rep.source if rep.index == 1 else "%s #%d" % (rep.source, rep.index)
        for r in rep.recipients:
            if r.hard_bounce or r.soft_bounce:
                kind = "hard" if r.hard_bounce else "soft"
                summary = r.summary or ""
            else:
                kind, summary = rep.kind, ""  # no reply to explain
            yield [r.address or "", r.reply_code or "", r.status or "", r.reason, kind, summary, source]


def log_rows(lines, name, lang=None):
    """Rows for the log or reply lines that carry a reply code."""
    recipient = None
    for n, line in enumerate(lines, 1):
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
        yield [address, v.code or "", v.status or "", v.reason, kind, v.summary or "",
               "%s:%d" % (name, n)]


def file_lines(name):
    with open(name, encoding="utf-8", errors="replace") as f:
        yield from f


def rows(name, lang, on_error):
    """The rows of one input: a directory, a file or '-'."""
    if name == "-":
        data = sys.stdin.buffer.read()
        if looks_like_mail(data[:SNIFF]):
            return message_rows(smtpcodes.read_bounces(io.BytesIO(data), lang=lang, on_error=on_error))
        return log_rows(io.StringIO(data.decode("utf-8", "replace")), "-", lang)
    if not os.path.isdir(name):
        with open(name, "rb") as f:
            head = f.read(SNIFF)
        if not looks_like_mail(head):
            return log_rows(file_lines(name), name, lang)
    return message_rows(smtpcodes.read_bounces(name, lang=lang, on_error=on_error))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", default=["-"],
                    help="maildirs, mboxes, message files or logs ('-' for stdin)")
    ap.add_argument("--lang", default="en", help="language of the summary (en, de)")
    args = ap.parse_args(argv)
    failed = []

    def on_error(e):
        failed.append(e)
        print("%s: %s" % (os.path.basename(sys.argv[0]), e), file=sys.stderr)

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(HEADER)
    for name in args.inputs:
        try:
            out.writerows(rows(name, args.lang, on_error))
        except (OSError, smtpcodes.Error) as e:
            on_error(e)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
