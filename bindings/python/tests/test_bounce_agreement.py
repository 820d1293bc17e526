"""Python gives the same answers as 'smtpcodes bounce --json': every key of every record,
on the project's samples and, when ../shared/corpus is beside the tree, on every corpus file."""
import glob
import json
import os
import subprocess

import pytest

# what the bounce issue checks first; the tests compare every key
KEY_FIELDS = ("recipient", "status", "replycode", "reason", "hardbounce", "action")


@pytest.fixture(scope="module")
def cli(top_srcdir, modules_dir):
    exe = os.environ.get("SMTPCODES")
    if not exe:
        for d in (os.getcwd(), top_srcdir):
            if os.access(os.path.join(d, "smtpcodes"), os.X_OK):
                exe = os.path.join(d, "smtpcodes")
                break
    if not exe:
        pytest.skip("the smtpcodes command is not built")

    def run(path):
        out = subprocess.run([exe, "-M", modules_dir, "--no-search-path", "--lang", "en", "bounce", "--json", path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        assert out.returncode in (0, 1), out.stderr
        return [json.loads(line) for line in out.stdout.decode("utf-8", "replace").splitlines()]
    return run


@pytest.fixture(scope="module")
def registry(smtpcodes, modules_dir):
    return smtpcodes.Registry(module_path=[modules_dir])


def samples(top_srcdir):
    own = [os.path.join(top_srcdir, "tests", "data", "bounces")]
    own += sorted(glob.glob(os.path.join(own[0], "*.eml")))
    own += [os.path.join(own[0], "mbox"), os.path.join(own[0], "maildir")]
    mine = os.path.join(top_srcdir, "bindings", "testdata")
    own += sorted(glob.glob(os.path.join(mine, "*.eml")))
    own += [os.path.join(mine, "mixed.mbox"), os.path.join(mine, "maildir")]
    return own


def _records(reg, path):
    return [d for rep in reg.read_bounces(path, lang="en", on_error=lambda e: None) for d in rep.to_records()]


def _single(reg, path):
    with open(path, "rb") as f:
        return reg.analyze_bounce(f.read(), lang="en").to_records()


def _strip(records, path):
    # analyze_bounce knows no file: its records say "-"
    return [dict(r, file=path) for r in records]


def test_samples(smtpcodes, cli, registry, top_srcdir):
    compared = 0
    for path in samples(top_srcdir):
        want = cli(path)
        assert want, path
        assert _records(registry, path) == want, path
        if os.path.isfile(path) and all(r["message"] == 1 for r in want):
            assert _strip(_single(registry, path), path) == want, path
        compared += len(want)
    assert compared > 30


def test_key_fields(cli, registry, top_srcdir):
    path = os.path.join(top_srcdir, "tests", "data", "bounces", "dsn-two-recipients.eml")
    got = [tuple(d[k] for k in KEY_FIELDS) for d in _records(registry, path)]
    assert got == [tuple(d[k] for k in KEY_FIELDS) for d in cli(path)]
    assert got == [("nobody@example.net", "5.1.1", "550", "userunknown", 1, "failed"),
                   ("full@example.com", "5.2.2", "552", "mailboxfull", 0, "failed")]


def _corpus(top_srcdir):
    shared = os.environ.get("SMTPCODES_SHARED") or os.path.join(top_srcdir, "..", "shared")
    corpus = os.path.join(shared, "corpus", "bounces")
    if not os.path.isdir(corpus):
        pytest.skip("no corpus at %s (it lives beside the source tree, in ../shared)" % corpus)
    return corpus


def test_corpus_directory(cli, registry, top_srcdir):
    corpus = _corpus(top_srcdir)
    want = cli(corpus)
    assert _records(registry, corpus) == want
    assert len({r["file"] for r in want}) >= 300


def test_corpus_each_file(cli, registry, top_srcdir):
    corpus = _corpus(top_srcdir)
    by_file = {}
    for r in cli(corpus):
        by_file.setdefault(r["file"], []).append(r)
    n = 0
    for path in sorted(glob.glob(os.path.join(corpus, "*"))):
        want = by_file.get(path)
        if not want or any(r["message"] != 1 for r in want):
            continue  # unreadable, or an mbox: analyze_bounce reads one message
        assert _strip(_single(registry, path), path) == want, path
        n += 1
    assert n >= 300
