import json
import pickle

USER_UNKNOWN = ("550 5.1.1 <bob@example.com>: Recipient address rejected: "
                "User unknown in local recipient table")


def test_explain_attributes(smtpcodes):
    v = smtpcodes.explain(USER_UNKNOWN)
    assert v.reason == "userunknown"
    assert v.code == 550
    assert v.enhanced == "5.1.1"
    assert v.status == "5.1.1"
    assert v.klass == v.category == "permanent"
    assert v.hard_bounce and v.bounce and not v.soft_bounce
    assert v.retry is False
    assert v.summary and v.explanation
    assert isinstance(v.evidence, list) and v.evidence
    assert isinstance(v.notes, list)
    assert v.mismatch is False
    assert v.entry is not None and v.entries


def test_repr_eq_hash(smtpcodes):
    a, b = smtpcodes.explain(USER_UNKNOWN), smtpcodes.explain(USER_UNKNOWN)
    assert a == b and hash(a) == hash(b)
    assert a != smtpcodes.explain("451 4.7.1 greylisted")
    assert repr(a) == "<smtpcodes.Verdict 550 5.1.1 permanent userunknown hard>"
    assert (a == "x") is False


def test_to_dict_is_json(smtpcodes):
    d = smtpcodes.explain("571").to_dict()
    json.dumps(d)
    assert d["alternatives"][0]["kind"] == "dotless"
    assert d["alternatives"][0]["entry"]["code"] == "X.7.1"


def test_languages(smtpcodes):
    en = smtpcodes.explain("452 4.2.2 mailbox full", lang="en")
    de = smtpcodes.explain("452 4.2.2 mailbox full", lang="de")
    assert de.lang == "de"
    assert en.summary != de.summary
    assert de.in_lang("en").summary == en.summary
    assert de.soft_bounce and de.retry


def test_bytes_and_str(smtpcodes):
    assert smtpcodes.explain(b"550 5.1.1 Benutzer unbekannt \xc3\xa4").code == 550
    assert smtpcodes.explain(b"550 5.1.1 invalid utf-8 \xff").code == 550
    assert smtpcodes.explain("550 5.1.1 Benutzer unbekannt \u00e4").code == 550
    assert smtpcodes.explain("550 5.1.1 lone surrogate \udc80").code == 550


def test_mismatch(smtpcodes):
    v = smtpcodes.explain("450 5.2.3 too big")
    assert v.mismatch
    assert v.notes


def test_lookup(smtpcodes):
    entries = smtpcodes.lookup("550")
    assert entries and all(isinstance(e, smtpcodes.Entry) for e in entries)
    e = entries[0]
    assert e.module == "standard" and e.kind == "reply" and e.reply_code == 550
    assert e.to_dict()["code"] == "550"
    assert smtpcodes.lookup(550) == entries
    assert e.in_lang("de").summary != e.in_lang("en").summary


def test_parse_reply(smtpcodes):
    r = smtpcodes.parse_reply("250 2.0.0 Ok: queued as 3F2A1B0C9D")
    assert (r.code, r.enhanced) == (250, "2.0.0")
    assert r == smtpcodes.parse_reply("250 2.0.0 Ok: queued as 3F2A1B0C9D")
    assert "250" in repr(r)
    assert r.to_dict()["code"] == 250


def test_command_and_reasons(smtpcodes):
    assert smtpcodes.lookup_command("RCPT TO") is not None
    assert "userunknown" in smtpcodes.reasons()
    assert smtpcodes.is_reason("userunknown") and not smtpcodes.is_reason("nonsense")


def test_errors_pickle(smtpcodes):
    try:
        smtpcodes.explain("no code here")
    except smtpcodes.Error as e:
        e2 = pickle.loads(pickle.dumps(e))
        assert type(e2) is type(e) and str(e2) == str(e)
    else:
        raise AssertionError("no error")
