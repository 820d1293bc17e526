"""Calls per second of smtpcodes.explain over the C benchmark's reply lines (bench-bindings)."""
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


if __name__ == "__main__":
    main()
