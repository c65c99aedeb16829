#!/usr/bin/env python3
"""run - the grader's unit tests as TAP: one line per test, for tests/run.

    python3 checks/unit/run.py

Prints "1..N", then "ok N sentence" or "not ok N sentence" per test (the
sentence is the test's docstring), with the failure below it as "# " lines.
Needs no root and writes nothing in the tree. Exit status: 0 when every test
passed, 1 when one failed.
"""

import os
import sys
import time
import unittest

sys.dont_write_bytecode = True  # set before the tests and the grader are imported

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class TapResult(unittest.TestResult):
    """Prints a TAP line when each test ends; its subtests make one line with it."""

    def __init__(self):
        super().__init__()
        self.buffer = True  # what a test prints goes with its failure, not into the TAP
        self.n = 0

    def startTest(self, test):
        super().startTest(test)
        self.problems, self.skip = [], None

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.problems.append(self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.problems.append(self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            params = subtest.id()[len(test.id()):].strip()  # "(points=0)"
            self.problems.append(f"{params}\n" + self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skip = reason

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.problems.append("passed, but was expected to fail\n")

    def stopTest(self, test):
        super().stopTest(test)
        self.n += 1
        # The docstring's sentence, without its full stop, names the test.
        name = (test.shortDescription() or test.id()).rstrip(".")
        if self.skip is not None:
            print(f"ok {self.n} {name} # skip {self.skip}")
        elif self.problems:
            print(f"not ok {self.n} {name}")
            print(f"# {test.id()}")
            for problem in self.problems:
                for line in problem.rstrip("\n").splitlines():
                    print(f"# {line}".rstrip())
        else:
            print(f"ok {self.n} {name}")
        sys.stdout.flush()


def main():
    started = time.monotonic()
    # A failure may quote text that is not UTF-8 (a lone surrogate): show it escaped.
    sys.stdout.reconfigure(errors="backslashreplace")
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test*.py", top_level_dir=ROOT)
    print(f"1..{suite.countTestCases()}", flush=True)
    result = TapResult()
    suite.run(result)
    print(f"# {result.testsRun} tests in {time.monotonic() - started:.2f} s")
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    sys.exit(main())
