import pytest


@pytest.mark.parametrize("text, cls, words", [
    (None, "InputTypeError", "None"),
    (42, "InputTypeError", "int"),
    ("", "NoCodeError", "empty"),
    ("   \r\n", "NoCodeError", "empty"),
    ("hello world", "NoCodeError", "no SMTP reply code"),
    ("550 5.1.1 a\0b", "ReplySyntaxError", "NUL"),
    (b"550 \0", "ReplySyntaxError", "NUL"),
    ("x" * (2 * 1024 * 1024), "TooLongError", "at most"),
], ids=["None", "int", "empty", "blank", "no-code", "nul-str", "nul-bytes", "huge"])
def test_bad_text(smtpcodes, text, cls, words):
    with pytest.raises(getattr(smtpcodes, cls)) as info:
        smtpcodes.explain(text)
    assert isinstance(info.value, smtpcodes.Error)
    assert isinstance(info.value, ValueError)
    assert words in str(info.value)
    assert info.value.domain == smtpcodes.ERROR_DOMAIN


def test_none_is_also_a_type_error(smtpcodes):
    with pytest.raises(TypeError):
        smtpcodes.explain(None)


def test_error_attributes(smtpcodes):
    with pytest.raises(smtpcodes.NoCodeError) as info:
        smtpcodes.parse_reply("nothing")
    assert info.value.code == 9 and info.value.name == "no-code"
    assert info.value.message == str(info.value)


def test_unknown_vendor(smtpcodes):
    with pytest.raises(smtpcodes.InvalidValueError, match="no module"):
        smtpcodes.explain("550 5.1.1 x", vendor="no-such-vendor")


@pytest.mark.parametrize("code", ["abc", "5.1.1.1", "999", "", "5\x001"])
def test_bad_codes(smtpcodes, code):
    with pytest.raises(smtpcodes.InvalidCodeError):
        smtpcodes.lookup(code)


@pytest.mark.parametrize("kwargs", [{"lang": "d\0e"}, {"vendor": "ex\0"}, {"lang": 5}])
def test_bad_arguments(smtpcodes, kwargs):
    with pytest.raises(smtpcodes.Error):
        smtpcodes.explain("550 5.1.1 x", **kwargs)


def test_message_quoting_cut_utf8(smtpcodes):
    # the C message quotes the start of the input and may cut a character in two
    with pytest.raises(smtpcodes.NoCodeError):
        smtpcodes.explain("\u00e4" * 200)


def test_fuzz_no_crash(smtpcodes):
    import random
    rnd = random.Random(4)
    alphabet = b"0123456789 .-<>@\r\n\t5.1.1 550 \xff\xc3\xa4abc;:()[]"
    for _ in range(3000):
        data = bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 80)))
        for text in (data, data.decode("utf-8", "replace")):
            try:
                v = smtpcodes.explain(text)
            except smtpcodes.Error:
                continue
            v.to_dict()
