"""Many threads explaining at once: same answers as one thread, no crash."""
import threading

LINES = [
    "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown",
    "451 4.7.1 Please try again later: greylisted for 300 seconds",
    "552 5.2.2 Mailbox full, cannot accept more mail",
    "554 5.7.1 Service unavailable; client host [192.0.2.44] blocked using zen.spamhaus.org",
    "no code here",
]


def _answer(smtpcodes, reg, line):
    try:
        v = reg.explain(line, lang="de")
    except smtpcodes.Error as e:
        return type(e).__name__
    return (v.reason, v.hard_bounce, v.summary, tuple(v.evidence))


def test_threads(smtpcodes, modules_dir):
    regs = [smtpcodes.default_registry(), smtpcodes.Registry(module_path=[modules_dir])]
    expected = {(i, line): _answer(smtpcodes, reg, line) for i, reg in enumerate(regs) for line in LINES}
    errors = []

    def work(seed):
        try:
            for k in range(400):
                i = (seed + k) % 2
                line = LINES[(seed * 7 + k) % len(LINES)]
                got = _answer(smtpcodes, regs[i], line)
                if got != expected[(i, line)]:
                    errors.append((line, got))
                if k % 100 == 0:  # loading releases the GIL too
                    smtpcodes.Registry(module_path=[modules_dir]).explain(LINES[0])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
