import os

import pytest


def test_builtin_only(smtpcodes):
    reg = smtpcodes.Registry(module_path=[])
    assert reg.modules == ["standard", "enhanced", "wording", "commands"]
    assert reg.rejected == []
    assert reg.explain("550 5.1.1 user unknown").reason == "userunknown"


def test_module_path(smtpcodes, modules_dir):
    reg = smtpcodes.Registry(module_path=[modules_dir], strict=True)
    assert "exchange" in reg.modules
    v = reg.explain("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", vendor="exchange")
    assert v.vendor == "exchange"
    assert reg.list("exchange")
    assert reg.parse_reply("550 5.1.1 x").code == 550


def test_entry_keeps_registry_alive(smtpcodes, modules_dir):
    entries = smtpcodes.Registry(module_path=[modules_dir]).lookup("5.1.10", vendor="exchange")
    assert entries
    import gc
    gc.collect()
    assert entries[0].summary


def test_bad_module_skipped_or_fatal(smtpcodes, tmp_path):
    (tmp_path / "bad.codes").write_text("[Module]\nId=bad\nthis is not a key file\n")
    reg = smtpcodes.Registry(module_path=[str(tmp_path)])
    assert reg.rejected and "bad.codes" in reg.rejected[0]
    with pytest.raises(smtpcodes.ModuleError) as info:
        smtpcodes.Registry(module_path=[str(tmp_path)], strict=True)
    assert "bad.codes" in str(info.value)
    with pytest.raises(smtpcodes.ModuleError):
        smtpcodes.validate(str(tmp_path / "bad.codes"))
    with pytest.raises(smtpcodes.ModuleError):
        smtpcodes.Registry(files=[str(tmp_path / "missing.codes")], strict=True)


def test_validate_shipped(smtpcodes, modules_dir):
    smtpcodes.validate(os.path.join(modules_dir, "exchange.codes"))


def test_module_path_must_be_a_list(smtpcodes):
    with pytest.raises(TypeError):
        smtpcodes.Registry(module_path="/tmp")


def test_docstrings(smtpcodes):
    for name in smtpcodes.__all__:
        obj = getattr(smtpcodes, name)
        if callable(obj):
            assert obj.__doc__, name
