#!/usr/bin/python3
"""Writes MIME variants of bounce messages for tests/mime-equivalence.sh.

The bounce analyser reads plainly written messages itself and leaves the others to
GMime's parser (see light_collect in smtpcodes-report.c); both must come to the same
answer. This makes messages at the edge between the two: hand-made MIME structures
(nested multiparts, CR LF, prologues, encoded parts, attachments, a second returned
message, ...) and, from them and from the given messages, variants with a deterministic
random edit each (a line dropped, doubled or swapped; a delimiter added, changed or
removed; a header folded, broken or written twice; the data cut short; CR LF line
breaks; a NUL or 8-bit byte; another transfer encoding or parameter form).

usage: mime-mutants.py OUTDIR PER-MESSAGE SEED FILE...
"""
import os
import random
import re
import sys

REPORT = (
    "From: MAILER-DAEMON@mx.example.org\n"
    "To: sender@example.com\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"{b}\"\n"
    "\n"
    "{prologue}"
    "--{b}\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset={cs}\n"
    "{cte}"
    "\n"
    "{text}\n"
    "--{b}\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "\n"
    "Final-Recipient: rfc822; {rcpt}\n"
    "Action: failed\n"
    "Status: {status}\n"
    "Diagnostic-Code: smtp; {reply}\n"
    "\n"
    "--{b}\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: sender@example.com\n"
    "To: {rcpt}\n"
    "Subject: hello\n"
    "\n"
    "the message\n"
    "--{b}--\n"
    "{epilogue}"
)

NOTICE = ("This is the mail system at host mx.example.org.\n\n"
          "I'm sorry to have to inform you that your message could not\n"
          "be delivered to one or more recipients.\n\n"
          "<{rcpt}>: host mail.example.net[192.0.2.7] said: {reply}\n")

NESTED = (
    "From: postmaster@example.net\n"
    "To: sender@example.com\n"
    "Subject: Delivery Status Notification (Failure)\n"
    "Content-Type: multipart/mixed; boundary={b}\n"
    "\n"
    "--{b}\n"
    "Content-Type: multipart/alternative; boundary=\"{b}-alt\"\n"
    "\n"
    "prologue of the alternative\n"
    "--{b}-alt\n"
    "Content-Type: text/plain; charset=\"iso-8859-1\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Delivery to {rcpt} failed: {reply} =E4=F6=FC\n"
    "soft line=\n"
    " break\n"
    "--{b}-alt\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>Delivery to {rcpt} failed.</p>\n"
    "--{b}-alt--\n"
    "epilogue of the alternative\n"
    "--{b}\n"
    "Content-Type: image/png; name=\"logo.png\"\n"
    "Content-Disposition: attachment; filename=\"logo.png\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n"
    "--{b}\n"
    "Content-Type: text/plain; name=\"details.txt\"\n"
    "Content-Disposition: attachment\n"
    "\n"
    "Remote server said: {reply}\n"
    "--{b}\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "To: {rcpt}\n"
    "Subject: returned\n"
    "\n"
    "body\n"
    "--{b}\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "To: other@example.org\n"
    "Subject: a second message\n"
    "\n"
    "body two\n"
    "--{b}--\n"
)

ENCODED = (
    "From: Mail Delivery Subsystem <mailer-daemon@example.org>\n"
    "To: sender@example.com\n"
    "Subject: Returned mail: see transcript for details\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\n"
    "\n"
    "--{b}\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "{text64}\n"
    "--{b}\n"
    "Content-Type: message/delivery-status\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "{dsn64}\n"
    "--{b}\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "From: sender@example.com\n"
    "To: {rcpt}\n"
    "Subject: hi\n"
    "--{b}--\n"
)

SINGLE = (
    "From: MAILER-DAEMON@example.org\n"
    "To: sender@example.com\n"
    "Subject: failure notice\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "{cte}"
    "\n"
    "Hi. This is the qmail-send program at example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<{rcpt}>:\n"
    "192.0.2.9 does not like recipient.\n"
    "Remote host said: {reply}\n"
    "Giving up on 192.0.2.9.\n"
)

REPLIES = [("5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
           ("4.2.2", "452 4.2.2 Mailbox full"),
           ("5.7.1", "554 5.7.1 Message rejected as spam"),
           ("4.7.1", "451 4.7.1 Greylisted for five minutes, retry then"),
           ("5.2.2", "552 5.2.2 Over quota")]


def b64(data):
    import base64
    text = base64.b64encode(data.encode()).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def made(rnd, n):
    """n hand-made messages"""
    out = []
    for i in range(n):
        status, reply = rnd.choice(REPLIES)
        rcpt = "user%d@example.net" % i
        reply = reply.format(rcpt=rcpt)
        b = rnd.choice(["b1", "==_Part_%d" % i, "simple boundary", "a'b(c)d+e_f,g-h.i/j:k=l?m", "x" * 69,
                       "----=_Active!Hunter_2011+0900@example#~"])
        kind = i % 4
        if kind == 0:
            cte = rnd.choice(["", "Content-Transfer-Encoding: 7bit\n", "Content-Transfer-Encoding: 8bit\n"])
            text = NOTICE.format(rcpt=rcpt, reply=reply)
            cs = rnd.choice(["us-ascii", "utf-8", "\"iso-8859-1\"", "ISO-2022-JP"])
            if "8859" in cs and cte:
                text += "Gr\xfc\xdfe\n"
            msg = REPORT.format(b=b, rcpt=rcpt, status=status, reply=reply, text=text, cs=cs, cte=cte,
                                prologue=rnd.choice(["", "This is a MIME-encapsulated message.\n\n"]),
                                epilogue=rnd.choice(["", "\nepilogue\n"]))
        elif kind == 1:
            msg = NESTED.format(b=b.replace(" ", "_").replace("'", ""), rcpt=rcpt, reply=reply)
        elif kind == 2:
            dsn = ("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; %s\n"
                   "Action: failed\nStatus: %s\nDiagnostic-Code: smtp; %s\n" % (rcpt, status, reply))
            msg = ENCODED.format(b=b, rcpt=rcpt, text64=b64(NOTICE.format(rcpt=rcpt, reply=reply)),
                                 dsn64=b64(dsn))
        else:
            msg = SINGLE.format(rcpt=rcpt, reply=reply,
                                cte=rnd.choice(["", "Content-Transfer-Encoding: quoted-printable\n"]))
        out.append(("made-%03d" % i, msg.encode("latin-1")))
    return out


def boundaries(data):
    return [m.group(1) or m.group(2) for m in
            re.finditer(rb'boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))', data, re.I)]


def mutate(rnd, data):
    lines = data.split(b"\n")
    bs = boundaries(data) or [b"none"]
    b = rnd.choice(bs)
    k = rnd.randrange(len(lines))
    choice = rnd.randrange(22)
    if choice == 0:
        return data.replace(b"\n", b"\r\n")
    if choice == 1:
        return b"\n".join(l + b"\r" if rnd.random() < 0.3 else l for l in lines)
    if choice == 2:
        del lines[k]
    elif choice == 3:
        lines.insert(k, lines[k])
    elif choice == 4:
        j = rnd.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif choice == 5:
        return data[:rnd.randrange(len(data) + 1)]
    elif choice == 6:
        lines.insert(k, b"--" + b + rnd.choice([b"", b"--", b" ", b"\t", b"-- ", b"x", b"\r"]))
    elif choice == 7:
        return data.replace(b"--" + b + b"--", rnd.choice([b"", b"--" + b, b"--" + b + b"-", b"--" + b + b"-- \r"]))
    elif choice == 8:
        # a part header loses the blank line that ends it
        idx = [i for i, l in enumerate(lines[:-1]) if l.strip() == b"" and i > 0 and lines[i - 1][:1].isalpha()]
        if idx:
            del lines[rnd.choice(idx)]
    elif choice == 9:
        idx = [i for i, l in enumerate(lines) if l.lower().startswith(b"content-type:")]
        if idx:
            i = rnd.choice(idx)
            lines[i] = lines[i].replace(b";", b";\n\t", 1).replace(b"/", rnd.choice([b"/", b" / ", b"/\n "]), 1)
    elif choice == 10:
        idx = [i for i, l in enumerate(lines) if l.lower().startswith(b"content-")]
        if idx:
            i = rnd.choice(idx)
            lines.insert(i, lines[i])
    elif choice == 11:
        lines.insert(k, rnd.choice([b"not a header line", b" folded first", b"Bad Name: x", b": empty name",
                                    b"X-Fine: yes", b"Content-Type: text/plain"]))
    elif choice == 12:
        pos = rnd.randrange(len(data) + 1)
        return data[:pos] + rnd.choice([b"\0", b"\xe9", b"\xff\xfe", b"\r"]) + data[pos:]
    elif choice == 13:
        return re.sub(rb"(?im)^content-transfer-encoding:.*$",
                      b"Content-Transfer-Encoding: " + rnd.choice([b"base64", b"quoted-printable", b"x-uuencode",
                                                                    b"7-bit", b" BINARY ", b"=?us-ascii?q?7bit?="]),
                      data, count=1)
    elif choice == 14:
        return re.sub(rb'(?i)charset="?[\w-]+"?', rnd.choice([b"charset*=utf-8''x", b'charset="utf-8" (comment)',
                                                              b"charset=\"=?utf-8?q?x?=\"", b"CHARSET=UTF-8",
                                                              b"charset=windows-1252", b"charset=\"\""]),
                      data, count=1)
    elif choice == 15:
        return data.replace(b'boundary="' + b + b'"', b"boundary=" + b, 1).replace(
            b"boundary=" + b, rnd.choice([b"boundary*0=" + b, b"boundary=\"" + b + b" \"", b"Boundary=" + b,
                                          b"boundary=" + b + b"; boundary=x", b"boundary = \"" + b + b"\""]), 1)
    elif choice == 16:
        return re.sub(rb"(?im)^(content-type:\s*)[\w-]+/[\w.+-]+",
                      b"\\1" + rnd.choice([b"multipart/digest", b"message/rfc822", b"text/html", b"multipart/mixed",
                                           b"message/delivery-status", b"application/octet-stream", b"text/",
                                           b"/plain", b"message/global"]),
                      data, count=1)
    elif choice == 17:
        lines.insert(k, b"Content-Disposition: " + rnd.choice([b"attachment; filename=\"a.txt\"", b"inline",
                                                               b"attachment", b"attachment; filename*=x",
                                                               b"attachment; filename=\"\""]))
    elif choice == 18:
        lines.insert(k, b"x" * rnd.choice([5000, 9000]))
    elif choice == 19:
        return data.replace(b"\n\n", b"\n \n", 1)
    elif choice == 20:
        return data.replace(b"--" + b + b"\n", b"--" + b + b"\n\n", 1)
    else:
        lines.insert(k, b"")
    return b"\n".join(lines)


def main():
    outdir, per, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    sources = made(rnd, 24)
    for path in sys.argv[4:]:
        with open(path, "rb") as f:
            sources.append((os.path.splitext(os.path.basename(path))[0], f.read()))
    os.makedirs(outdir, exist_ok=True)
    for name, data in sources:
        with open(os.path.join(outdir, name + ".eml"), "wb") as f:
            f.write(data)
        for i in range(per):
            m = data
            for _ in range(rnd.choice([1, 1, 1, 2, 3])):
                if m:
                    m = mutate(rnd, m)
            with open(os.path.join(outdir, "%s-%03d.eml" % (name, i)), "wb") as f:
                f.write(m)


if __name__ == "__main__":
    main()
