"""Fixtures of the smtpcodes tests (run by run-pytest.sh under make check)."""
import os

import pytest


@pytest.fixture(scope="session")
def top_srcdir():
    return os.environ.get("SMTPCODES_TOP_SRCDIR") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", "..", ".."))


@pytest.fixture(scope="session")
def modules_dir(top_srcdir):
    return os.path.join(top_srcdir, "data", "modules")


@pytest.fixture(scope="session")
def smtpcodes():
    import smtpcodes as mod
    return mod
