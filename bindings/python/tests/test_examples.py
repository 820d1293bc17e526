import csv
import io
import json
import os
import subprocess
import sys

import pytest

LOG = (
    "Jan 10 10:00:01 mx postfix/smtp[123]: 3F2A1B0C9D: to=<anna@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1, status=bounced (host mx.example.com[192.0.2.1] "
    "said: 550 5.1.1 <anna@example.com>: Recipient address rejected: User unknown in local "
    "recipient table (in reply to RCPT TO command))\n"
    "Jan 10 10:00:02 mx postfix/smtp[124]: 4A2A1B0C9D: to=<bert@example.org>, "
    "relay=mx.example.org[192.0.2.2]:25, delay=1, status=deferred (host mx.example.org[192.0.2.2] "
    "said: 452 4.2.2 The mailbox of this recipient is over quota (in reply to RCPT TO command))\n"
    "a line without any code\n"
    "451 4.7.1 Please try again later: greylisted for 300 seconds\n")
HEADER = ["address", "code", "status", "reason", "bounce", "summary", "source"]


@pytest.fixture
def run(top_srcdir, tmp_path):
    script = os.path.join(top_srcdir, "examples", "python", "bounces-to-csv.py")

    def run(*args, stdin=b""):
        p = subprocess.run([sys.executable, script] + [str(a) for a in args], input=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(tmp_path))
        rows = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"))))
        assert rows[0] == HEADER
        return p.returncode, rows[1:], p.stderr.decode("utf-8")
    return run


def test_log_lines(run, tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(LOG)
    rc, rows, err = run(log)
    assert (rc, err) == (0, "")
    assert rows[0][:5] == ["anna@example.com", "550", "5.1.1", "userunknown", "hard"]
    assert rows[0][6] == "%s:1" % log
    assert rows[1][0] == "bert@example.org" and rows[1][4] == "soft"
    assert rows[2][0] == "" and rows[2][1] == "451" and rows[2][6] == "%s:4" % log
    assert len(rows) == 3
    assert run("-", stdin=LOG.encode())[1] == [r[:6] + ["-:" + r[6].split(":")[-1]] for r in rows]


def test_mailboxes(run, top_srcdir):
    mine = os.path.join(top_srcdir, "bindings", "testdata")
    own = os.path.join(top_srcdir, "tests", "data", "bounces")
    rc, rows, err = run(os.path.join(mine, "maildir"), os.path.join(mine, "mixed.mbox"),
                        os.path.join(own, "arf.eml"), os.path.join(own, "plain-message.eml"),
                        os.path.join(mine, "utf8-dsn.eml"))
    got = [(r[0], r[1], r[2], r[3], r[4], os.path.relpath(r[6].split(" #")[0], top_srcdir)) for r in rows]
    assert got == [
        ("blocked@example.net", "554", "5.7.1", "blocked", "soft", "bindings/testdata/maildir/new/1741100000.1.host"),
        ("nobody@example.net", "550", "5.1.1", "userunknown", "hard", "bindings/testdata/maildir/cur/1741100001.2.host:2,S"),
        ("full@example.com", "552", "5.2.2", "mailboxfull", "soft", "bindings/testdata/maildir/cur/1741100001.2.host:2,S"),
        ("bob@example.net", "", "", "vacation", "autoreply", "bindings/testdata/maildir/cur/1741100002.3.host:2,S"),
        ("closed@example.com", "550", "5.1.1", "userunknown", "hard", "bindings/testdata/mixed.mbox"),
        ("bob@example.net", "", "", "vacation", "autoreply", "bindings/testdata/mixed.mbox"),
        ("quota@example.net", "552", "5.2.2", "mailboxfull", "soft", "bindings/testdata/mixed.mbox"),
        ("carol@example.net", "", "", "feedback", "feedback", "tests/data/bounces/arf.eml"),
        ("j\u00fcrgen@example.de", "550", "5.1.1", "userunknown", "hard", "bindings/testdata/utf8-dsn.eml"),
        ("grete@example.de", "452", "4.2.2", "mailboxfull", "soft", "bindings/testdata/utf8-dsn.eml"),
    ]
    assert [r[6].rsplit(" ", 1)[-1] for r in rows[4:7]] == [os.path.join(mine, "mixed.mbox"), "#2", "#4"]
    assert rows[1][5] == "Bad destination mailbox address" and rows[3][5] == ""
    # the message that cannot be read is named, and the exit status says so
    assert rc == 1
    assert err == "bounces-to-csv.py: %s, message 3: not an e-mail message: the input does not start " \
                  "with a header field\n" % os.path.join(mine, "mixed.mbox")


def test_stdin_and_german(run, top_srcdir):
    with open(os.path.join(top_srcdir, "tests", "data", "bounces", "mbox"), "rb") as f:
        rc, rows, err = run("--lang", "de", "-", stdin=f.read())
    assert (rc, err) == (0, "")
    assert [(r[0], r[4], r[6]) for r in rows] == [("gone@example.net", "hard", "-"),
                                                  ("blocked@example.net", "soft", "- #2")]
    assert rows[0][5] != "Bad destination mailbox address"


def test_dsn_text_is_not_a_message(run, tmp_path):
    # DSN fields copied into a file start like a header, but are no message
    text = tmp_path / "dsn.txt"
    text.write_text("Final-Recipient: rfc822; carl@example.net\n"
                    "Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.\n")
    rc, rows, err = run(text)
    assert rc == 0 and [r[:5] for r in rows] == [["carl@example.net", "550", "5.1.1", "userunknown", "hard"]]


def test_missing_input(run, tmp_path):
    rc, rows, err = run(tmp_path / "nothing-here")
    assert rc == 1 and rows == [] and "nothing-here" in err


def test_agrees_with_the_command(run, top_srcdir, modules_dir):
    exe = os.environ.get("SMTPCODES")
    if not exe:
        pytest.skip("SMTPCODES is not set (make check sets it)")
    maildir = os.path.join(top_srcdir, "bindings", "testdata", "maildir")
    out = subprocess.run([exe, "--lang", "en", "bounce", "--json", maildir], stdout=subprocess.PIPE, check=True)
    want = [(d["recipient"], d["replycode"], d["status"], d["reason"],
             "hard" if d["hardbounce"] else "soft" if d["kind"] in ("bounce", "delay") else d["kind"])
            for d in map(json.loads, out.stdout.decode("utf-8").splitlines())]
    assert [tuple(r[:5]) for r in run(maildir)[1]] == want
