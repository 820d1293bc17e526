"""Calls per second of smtpcodes.explain over the C benchmark's reply lines (bench-bindings),
and the cost of smtpcodes.analyze_bounce per message over the C call, on the messages of the
directories named after the reply file."""
import os
import sys
import time

import smtpcodes


def main():
    lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
    explain = smtpcodes.explain
    Error = smtpcodes.Error
    best = 0.0
    for _ in range(3):
        n = 0
        t0 = time.perf_counter()
        while True:
            for line in lines:
                try:
                    explain(line)
                except Error:  # as in bench-core, lines without a code count as calls
                    pass
            n += len(lines)
            dt = time.perf_counter() - t0
            if dt >= 1.0:
                break
        best = max(best, n / dt)
    print("python smtpcodes.explain: %.0f calls/s (%.3f us/call, best of 3 one-second runs)"
          % (best, 1e6 / best))
    messages = []
    for d in sys.argv[2:]:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    messages.append(f.read())
    if messages:
        bounces(messages)


def _time(fn, messages, Error):
    t0 = time.perf_counter()
    for m in messages:
        try:
            fn(m)
        except Error:
            pass
    return (time.perf_counter() - t0) / len(messages) * 1e6


def bounces(messages):
    from smtpcodes import _raw
    reg = smtpcodes.default_registry()
    parse = _raw.smtpcodes_report_parse
    analyze = smtpcodes.analyze_bounce
    c = py = None
    for _ in range(5):  # in turns, so that a busy machine slows both alike
        t = _time(lambda m: parse(reg._h, m), messages, smtpcodes.Error)
        c = t if c is None or t < c else c
        t = _time(lambda m: [(r.address, r.status, r.reason, r.hard_bounce) for r in analyze(m)],
                  messages, smtpcodes.Error)
        py = t if py is None or t < py else py
    # the binding's own work, without the parse: a Report from a parsed report, and reading
    # its recipients
    handles = []
    for m in messages:
        try:
            handles.append(parse(reg._h, m))
        except smtpcodes.Error:
            pass
    fields, make = smtpcodes._report_fields, smtpcodes._report
    own = min(_time(lambda h: [(r.address, r.status, r.reason, r.hard_bounce)
                               for r in make(fields(h), None, "-", 1)], handles, smtpcodes.Error)
              for _ in range(5))
    print("python smtpcodes.analyze_bounce: %.1f us/message, the C call alone %.1f us; the Report and "
          "reading its recipients cost %.2f us (%d messages, best of 5)" % (py, c, own, len(messages)))


if __name__ == "__main__":
    main()
