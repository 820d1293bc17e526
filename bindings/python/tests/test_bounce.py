"""The bounce analyser from Python: analyze_bounce, read_bounces, Report, Recipient."""
import io
import os
import pathlib
import random
import re
import sys
import threading

import pytest


@pytest.fixture(scope="module")
def data(top_srcdir):
    def path(*parts):
        return os.path.join(top_srcdir, *parts)
    return path


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def test_two_recipients(smtpcodes, data):
    rep = smtpcodes.analyze_bounce(_read(data("tests", "data", "bounces", "dsn-two-recipients.eml")), lang="en")
    assert isinstance(rep, smtpcodes.Report)
    assert (rep.kind, rep.format, rep.reporting_mta) == ("bounce", "rfc3464", "mx.example.org")
    assert rep.from_ == "MAILER-DAEMON@mx.example.org (Mail Delivery System)"
    assert rep.subject == "Undelivered Mail Returned to Sender"
    assert rep.message_id == "20250303090000.1@mx.example.org"
    assert (rep.source, rep.index, rep.bounce, len(rep)) == ("-", 1, True, 2)
    a, b = rep.recipients
    assert (a.address, a.original_address, a.action, a.status, a.reply_code) == (
        "nobody@example.net", "nobody@example.net", "failed", "5.1.1", 550)
    assert (a.reason, a.hard_bounce, a.soft_bounce, a.retry) == ("userunknown", True, False, False)
    assert a.remote_mta == "mx.example.net" and a.command == "RCPT"   # the notice says "in reply to RCPT TO"
    assert a.diagnostic.startswith("550 5.1.1 <nobody@example.net>")
    assert (b.address, b.status, b.reply_code, b.reason, b.hard_bounce, b.soft_bounce) == (
        "full@example.com", "5.2.2", 552, "mailboxfull", False, True)
    assert list(rep) == rep.recipients
    assert a.verdict.reason == "userunknown" and a.verdict.status == "5.1.1"
    assert a.summary == a.verdict.summary and a.summary
    assert a.explanation and a.advice
    assert a.in_lang("de").explanation != a.explanation
    assert a.in_lang("de") == a  # the language does not count
    assert "nobody@example.net" in repr(a) and "hard" in repr(a)
    assert "bounce rfc3464 2 recipients" in repr(rep)


def test_to_dict_keys(smtpcodes, data):
    rep = smtpcodes.analyze_bounce(_read(data("tests", "data", "bounces", "dsn-two-recipients.eml")))
    d = rep.recipients[0].to_dict(lang="de")
    assert list(d) == ["schema", "file", "message", "kind", "format", "reporting_mta", "recipient",
                       "original_recipient", "action", "status", "replycode", "reason", "hardbounce",
                       "retry", "diagnostic", "remote_mta", "command", "vendor", "lang", "summary",
                       "explanation", "advice"]
    assert (d["replycode"], d["hardbounce"], d["retry"], d["lang"]) == ("550", 1, False, "de")
    assert d["summary"] == rep.recipients[0].in_lang("de").summary
    r = rep.to_dict()
    assert r["kind"] == "bounce" and r["from"] == rep.from_
    assert [x["recipient"] for x in r["recipients"]] == ["nobody@example.net", "full@example.com"]
    assert rep.to_records() == r["recipients"]


def test_not_a_bounce(smtpcodes, data):
    rep = smtpcodes.analyze_bounce(_read(data("tests", "data", "bounces", "plain-message.eml")))
    assert (rep.kind, rep.format, rep.recipients, len(rep), bool(rep)) == ("not-bounce", "none", [], 0, True)
    assert rep.to_records() == [{"schema": 1, "file": "-", "message": 1, "kind": "not-bounce",
                                 "format": "none", "reporting_mta": None, "recipient": None}]


def test_kinds(smtpcodes, data):
    kinds = {}
    for name in ("arf.eml", "autoreply.eml", "delayed.eml", "delivered.eml", "exim.eml"):
        rep = smtpcodes.analyze_bounce(_read(data("tests", "data", "bounces", name)))
        kinds[name] = (rep.kind, [(r.reason, r.hard_bounce, r.soft_bounce) for r in rep.recipients])
        assert rep.kind in smtpcodes.REPORT_KINDS
    assert kinds["arf.eml"] == ("feedback", [("feedback", False, False)])
    assert kinds["autoreply.eml"] == ("autoreply", [("vacation", False, False)])
    assert kinds["delayed.eml"][0] == "delay" and kinds["delayed.eml"][1][0][2] is True
    assert kinds["delivered.eml"] == ("delivery", [("delivered", False, False)])
    assert kinds["exim.eml"] == ("bounce", [("blocked", False, True)])


def test_utf8(smtpcodes, data):
    raw = _read(data("bindings", "testdata", "utf8-dsn.eml"))
    rep = smtpcodes.analyze_bounce(raw, lang="de")
    a, b = rep.recipients
    assert a.address == "j\u00fcrgen@example.de"
    assert a.diagnostic == "550 5.1.1 Empf\u00e4nger unbekannt: j\u00fcrgen"
    assert rep.subject == "Unzustellbar: R\u00fcckmeldung"
    assert (b.action, b.status, b.retry) == ("delayed", "4.2.2", True)
    # a str is taken as UTF-8, and bytes read with surrogateescape come back as they were
    assert smtpcodes.analyze_bounce(raw.decode("utf-8")) == rep
    assert smtpcodes.analyze_bounce(raw.decode("ascii", "surrogateescape")) == rep
    assert smtpcodes.analyze_bounce(bytearray(raw)) == rep
    assert smtpcodes.analyze_bounce(memoryview(raw)) == rep
    # equal reports hash alike and can be set members
    assert len({rep, smtpcodes.analyze_bounce(raw)}) == 1


def test_bad_input(smtpcodes):
    for bad in (None, 42, 1.5, ["From: x"], object()):
        with pytest.raises(smtpcodes.InputTypeError) as e:
            smtpcodes.analyze_bounce(bad)
        assert isinstance(e.value, TypeError) and isinstance(e.value, smtpcodes.Error)
    for bad in (b"", b"\n\n", b"From x\n"):
        with pytest.raises(smtpcodes.MessageError, match="empty input"):
            smtpcodes.analyze_bounce(bad)
    for bad in (b"\0" * 100, b"hello world\n", b": no name\n", "x" * 5000, b"\xff\xfe" * 1000):
        with pytest.raises(smtpcodes.MessageError, match="does not start with a header field") as e:
            smtpcodes.analyze_bounce(bad)
        assert isinstance(e.value, smtpcodes.BounceError) and e.value.name == "syntax"
    with pytest.raises(smtpcodes.InputTypeError):
        smtpcodes.analyze_bounce(b"From: x\n\nhi", registry="default")
    with pytest.raises(smtpcodes.InputTypeError):
        smtpcodes.analyze_bounce(b"From: x\n\nhi", lang=5)


def test_odd_messages(smtpcodes, data):
    # NUL bytes, binary garbage, a header without a body, enormous bodies: reports, no crash
    for raw in (b"From: a\0b@example.org\n\n\0\0\0", b"Subject: x", b"X:\n",
                b"Subject: x\n\n" + b"\0\xff" * 100000):
        assert smtpcodes.analyze_bounce(raw).kind == "not-bounce"
    rng = random.Random(5)
    for _ in range(300):
        raw = b"Subject: " + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
        smtpcodes.analyze_bounce(raw)
    # only the first REPORT_SCAN_LIMIT bytes are read: a huge attachment does not matter
    dsn = _read(data("tests", "data", "bounces", "dsn-two-recipients.eml"))
    huge = dsn + b"\n" + b"A" * (2 * smtpcodes.REPORT_SCAN_LIMIT)
    assert smtpcodes.analyze_bounce(huge) == smtpcodes.analyze_bounce(dsn)
    # cut off anywhere: a report or an error, nothing else
    for n in range(0, len(dsn), 97):
        try:
            smtpcodes.analyze_bounce(dsn[:n])
        except smtpcodes.MessageError:
            pass


def test_registry(smtpcodes, modules_dir, data):
    raw = _read(data("tests", "data", "bounces", "exim.eml"))
    reg = smtpcodes.Registry(module_path=[modules_dir])
    assert reg.analyze_bounce(raw) == smtpcodes.analyze_bounce(raw, registry=reg)
    reports = list(reg.read_bounces(data("tests", "data", "bounces", "exim.eml")))
    assert [r.address for r in reports[0].recipients] == ["blocked@example.net"]
    assert reports == list(smtpcodes.read_bounces(data("tests", "data", "bounces", "exim.eml"), registry=reg))


def test_read_mbox(smtpcodes, data):
    path = data("bindings", "testdata", "mixed.mbox")
    it = smtpcodes.read_bounces(path)
    assert iter(it) is it and it.path == path
    first = next(it)
    assert (first.source, first.index, first.kind) == (path, 1, "bounce")
    assert [r.address for r in first.recipients] == ["closed@example.com"]
    second = next(it)
    assert (second.index, second.kind) == (2, "autoreply")
    with pytest.raises(smtpcodes.MessageError) as e:
        next(it)
    assert str(e.value).startswith(path + ", message 3: not an e-mail message")
    assert (e.value.source, e.value.index) == (path, 3)
    fourth = next(it)  # the reader goes on after an error
    assert (fourth.index, fourth.recipients[0].address, fourth.recipients[0].reason) == (
        4, "quota@example.net", "mailboxfull")
    with pytest.raises(StopIteration):
        next(it)
    with pytest.raises(StopIteration):
        next(it)

    errors = []
    reports = list(smtpcodes.read_bounces(pathlib.Path(path), on_error=errors.append))
    assert [r.index for r in reports] == [1, 2, 4]
    assert [(type(x), x.index) for x in errors] == [(smtpcodes.MessageError, 3)]
    assert reports[0] == first and reports[2] == fourth


def test_read_maildir_and_dirs(smtpcodes, data, tmp_path):
    maildir = data("bindings", "testdata", "maildir")
    got = [(os.path.relpath(r.source, maildir), r.index, [x.address for x in r.recipients])
           for r in smtpcodes.read_bounces(maildir)]
    assert got == [
        ("new/1741100000.1.host", 1, ["blocked@example.net"]),
        ("cur/1741100001.2.host:2,S", 1, ["nobody@example.net", "full@example.com"]),
        ("cur/1741100002.3.host:2,S", 1, ["bob@example.net"]),
    ]
    # a plain directory: its files in name order, dot files skipped, empty files are errors
    (tmp_path / "b.eml").write_bytes(_read(data("tests", "data", "bounces", "qmail.eml")))
    (tmp_path / "a.eml").write_bytes(_read(data("tests", "data", "bounces", "exim.eml")))
    (tmp_path / ".hidden").write_bytes(b"Subject: x\n\n")
    (tmp_path / "c.eml").write_bytes(b"")
    errors = []
    got = [(os.path.basename(r.source), r.recipients[0].address)
           for r in smtpcodes.read_bounces(str(tmp_path).encode(), on_error=errors.append)]
    assert got == [("a.eml", "blocked@example.net"), ("b.eml", "gone@example.net")]
    assert len(errors) == 1 and str(errors[0]) == "%s: empty input: no message to read" % (tmp_path / "c.eml")
    assert errors[0].source == str(tmp_path / "c.eml") and errors[0].index == 1


def test_read_stdin_and_files(smtpcodes, data, monkeypatch):
    raw = _read(data("tests", "data", "bounces", "mbox"))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    got = [(r.source, r.index, r.recipients[0].address) for r in smtpcodes.read_bounces("-")]
    assert got == [("-", 1, "gone@example.net"), ("-", 2, "blocked@example.net")]
    got = [(r.source, r.index) for r in smtpcodes.read_bounces(io.BytesIO(raw))]
    assert got == [("-", 1), ("-", 2)]
    path = data("tests", "data", "bounces", "mbox")
    with open(path, "rb") as f:
        assert [(r.source, r.index) for r in smtpcodes.read_bounces(f)] == [(path, 1), (path, 2)]
    assert list(smtpcodes.read_bounces(io.BytesIO(raw))) == list(smtpcodes.read_bounces(path))
    # empty data is one message that cannot be read, as an empty file is
    with pytest.raises(smtpcodes.MessageError, match="empty input: no message to read"):
        list(smtpcodes.read_bounces(io.BytesIO(b"")))


def test_read_errors(smtpcodes, tmp_path):
    missing = str(tmp_path / "no-such-mbox")
    with pytest.raises(smtpcodes.ReadError) as e:
        smtpcodes.read_bounces(missing)
    assert str(e.value) == missing + ": No such file or directory" and e.value.name == "io"
    assert isinstance(e.value, smtpcodes.BounceError)
    with pytest.raises(smtpcodes.InvalidValueError, match="NUL"):
        smtpcodes.read_bounces("a\0b")
    for bad in (None, 42, ["x"]):
        with pytest.raises(smtpcodes.InputTypeError):
            smtpcodes.read_bounces(bad)
    with pytest.raises(smtpcodes.InputTypeError):
        smtpcodes.read_bounces(str(tmp_path), on_error="print")
    unreadable = tmp_path / "locked.eml"
    unreadable.write_bytes(b"Subject: x\n\n")
    unreadable.chmod(0)
    if not os.access(str(unreadable), os.R_OK):  # root reads anything
        it = smtpcodes.read_bounces(str(unreadable))
        with pytest.raises(smtpcodes.ReadError, match="locked.eml"):
            next(it)


def test_close(smtpcodes, data):
    path = data("tests", "data", "bounces", "mbox")
    with smtpcodes.read_bounces(path) as it:
        assert next(it).index == 1
    assert list(it) == [] and "closed" in repr(it)
    it = smtpcodes.read_bounces(path)
    it.close()
    it.close()
    assert list(it) == []


def test_objects_are_made_by_the_module(smtpcodes):
    for cls in (smtpcodes.Report, smtpcodes.Recipient, smtpcodes.BounceReader):
        with pytest.raises(TypeError):
            cls()


def test_threads_share_a_reader(smtpcodes, data, tmp_path):
    one = _read(data("tests", "data", "bounces", "dsn-two-recipients.eml"))
    mbox = tmp_path / "many.mbox"
    mbox.write_bytes(b"".join(b"From MAILER-DAEMON Mon Mar  3 10:00:00 2025\n" + one + b"\n"
                              for _ in range(200)))
    expected = smtpcodes.analyze_bounce(one)
    it = smtpcodes.read_bounces(str(mbox))
    seen, errors = [], []

    def work():
        try:
            for rep in it:
                if rep != expected:
                    errors.append(rep)
                seen.append(rep.index)
                smtpcodes.analyze_bounce(one).recipients[0].to_dict()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(seen) == list(range(1, 201))


def test_gil_is_released(smtpcodes, data):
    # a thread that only runs Python code gets on while another analyses messages
    raw = _read(data("tests", "data", "bounces", "dsn-two-recipients.eml"))
    done = threading.Event()
    ticks = [0]

    def spin():
        while not done.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        for _ in range(300):
            smtpcodes.analyze_bounce(raw)
    finally:
        done.set()
        t.join()
    assert ticks[0] > 0


def test_stub_and_docstrings(smtpcodes):
    with open(os.path.join(os.path.dirname(smtpcodes.__file__), "__init__.pyi")) as f:
        stub = f.read()
    for name in smtpcodes.__all__:
        assert re.search(r"^(class|def) %s\b|^%s:" % (name, name), stub, re.M), name
    for cls in (smtpcodes.Report, smtpcodes.Recipient, smtpcodes.BounceReader):
        assert cls.__doc__
        for attr, value in vars(cls).items():
            if not attr.startswith("_"):
                assert getattr(value, "__doc__", None), (cls.__name__, attr)
                assert re.search(r"^    (def )?%s\b" % attr, stub, re.M), (cls.__name__, attr)
