import csv
import io
import os
import subprocess
import sys


def test_bounces_to_csv(top_srcdir, tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(
        "Jan 10 10:00:01 mx postfix/smtp[123]: 3F2A1B0C9D: to=<anna@example.com>, "
        "relay=mx.example.com[192.0.2.1]:25, delay=1, status=bounced (host mx.example.com[192.0.2.1] "
        "said: 550 5.1.1 <anna@example.com>: Recipient address rejected: User unknown in local "
        "recipient table (in reply to RCPT TO command))\n"
        "Jan 10 10:00:02 mx postfix/smtp[124]: 4A2A1B0C9D: to=<bert@example.org>, "
        "relay=mx.example.org[192.0.2.2]:25, delay=1, status=deferred (host mx.example.org[192.0.2.2] "
        "said: 452 4.2.2 The mailbox of this recipient is over quota (in reply to RCPT TO command))\n"
        "a line without any code\n"
        "451 4.7.1 Please try again later: greylisted for 300 seconds\n")
    script = os.path.join(top_srcdir, "examples", "python", "bounces-to-csv.py")
    out = subprocess.run([sys.executable, script, str(log)], check=True, capture_output=True, text=True,
                         cwd=str(tmp_path)).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["address", "code", "enhanced", "reason", "bounce", "summary"]
    assert rows[1][:5] == ["anna@example.com", "550", "5.1.1", "userunknown", "hard"]
    assert rows[2][0] == "bert@example.org" and rows[2][4] == "soft"
    assert rows[3][0] == "" and rows[3][1] == "451"
    assert len(rows) == 4
