"""Runs pytest and reports each test as a TAP line for automake's tap-driver.sh.

pytest's own output stays (it explains failures); TAP lines are what the driver counts.
A run that collects no test at all fails, instead of passing silently.
"""
import sys

import pytest


class TapPlugin:
    def __init__(self):
        self.n = 0
        self.failed_collect = []

    def _emit(self, line):
        sys.stdout.write("\n" + line + "\n")
        sys.stdout.flush()

    def pytest_collectreport(self, report):
        if report.failed:
            self.failed_collect.append(report.nodeid)
            self.n += 1
            self._emit("not ok %d - collecting %s" % (self.n, report.nodeid))

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed) \
                or (report.when == "teardown" and report.failed):
            self.n += 1
            name = report.nodeid.replace("#", "_")
            if report.skipped:
                self._emit("ok %d - %s # SKIP" % (self.n, name))
            elif report.passed:
                self._emit("ok %d - %s" % (self.n, name))
            else:
                self._emit("not ok %d - %s (%s)" % (self.n, name, report.when))


def main():
    plugin = TapPlugin()
    rc = pytest.main(sys.argv[1:], plugins=[plugin])
    if plugin.n == 0:
        plugin.n = 1
        plugin._emit("not ok 1 - pytest ran no test (exit %d)" % rc)
    elif rc not in (0, 5):
        plugin.n += 1
        plugin._emit("not ok %d - pytest exit status %d" % (plugin.n, rc))
    sys.stdout.write("1..%d\n" % plugin.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
