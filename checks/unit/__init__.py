"""Unit tests of the grader's pure logic: no root, no network, no bats.

    python3 checks/unit/run.py                                  TAP, as make test shows it
    python3 -B -m unittest discover -s checks/unit -t .         unittest's own output

grader/ is not a package: its directory goes first on sys.path, so the tests
import grade, reports and rubric as ./grade does. Nothing is written in the
tree (no bytecode; every file a test makes is in a temporary directory).
"""

import os
import sys

sys.dont_write_bytecode = True

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRADER = os.path.join(ROOT, "grader")
if GRADER not in sys.path:
    sys.path.insert(0, GRADER)


def sample_rubric():
    """A small rubric of two parts, apart from the lab's own grader/rubric.json."""
    return {
        "comment": "a rubric for the unit tests",
        "default_parts": ["alpha", "beta"],
        "parts": {
            "alpha": {"title": "Part A", "points": 3},
            "beta": {"title": "Part B", "points": 2},
            "gamma": {"title": "Part C", "points": 1},
        },
        "tests": [
            {"part": "alpha", "suite": "one", "points": 1, "name": "first test",
             "measures": "the first thing"},
            {"part": "alpha", "suite": "one", "points": 2, "name": "second test",
             "measures": "the second thing"},
            {"part": "beta", "suite": "two", "points": 2, "name": "third test",
             "measures": "the third thing"},
            {"part": "gamma", "suite": "three", "points": 1, "name": "fourth test",
             "measures": "the fourth thing"},
        ],
    }
