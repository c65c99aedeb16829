"""checks/contracts.py: the handouts' contract tables and what they may name."""

import os
import sys
import tempfile
import unittest
from unittest import mock

from . import ROOT, sample_rubric

sys.path.insert(0, os.path.join(ROOT, "checks"))
import contracts  # noqa: E402


def doc(*tables):
    """A document with the contracts section holding TABLES (heading, rows)."""
    text = ["# Doc", "", contracts.SECTION, ""]
    for heading, rows in tables:
        text += [heading, "", "| Line | Handout says | Checked by |", "|---|---|---|"]
        text += [f"| {line} | {says} | {checked} |" for line, says, checked in rows]
        text.append("")
    return "\n".join(text + ["## Next section", "| 1 | outside | `nothing` |", ""])


class Contracts(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        with open(os.path.join(self.tmp, "H.md"), "w", encoding="utf-8") as f:
            f.write("one\ntwo\nthree\n")
        rubric = sample_rubric()
        patcher = mock.patch.object(contracts.rubric_file, "load", lambda: rubric)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.parts = {p: [t["name"] for t in rubric["tests"] if t["part"] == p]
                      for p in rubric["parts"]}
        self.handout = os.path.relpath(os.path.join(self.tmp, "H.md"), ROOT)

    def check(self, text):
        path = os.path.join(self.tmp, "doc.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return contracts.check(path)

    def complete(self, extra=(), skip=None):
        """A table per part with a row per test, EXTRA rows in the first."""
        tables = []
        for i, (part, names) in enumerate(self.parts.items()):
            rows = [(1, "says", f"`{n}`") for n in names if n != skip]
            if i == 0:
                rows += list(extra)
            tables.append((f"### {part} ({self.handout})", rows))
        return doc(*tables)

    def test_complete(self):
        """Every rubric test in a row, ungraded and GAP rows counted: no problem."""
        problems, counts = self.check(self.complete(
            [(2, "a choice", "ungraded: style"), (3, "a must", "GAP: check it")]))
        self.assertEqual(problems, [])
        first = next(iter(self.parts))
        self.assertEqual(counts[first][1], {"tested": len(self.parts[first]),
                                            "ungraded": 1, "GAP": 1})

    def test_each_defect(self):
        """A missing test, an unknown name, a bad cell, a line past the end, a missing table."""
        first, names = next(iter(self.parts.items()))
        problems, _ = self.check(self.complete(skip=names[0]))
        self.assertEqual(problems, [f"{first}: the rubric test {names[0]!r} is in no row "
                                    "of its table"])
        for row, want in (((1, "x", "`no such test`"), "has no test 'no such test'"),
                          ((1, "x", "a test does it"), "neither test names"),
                          ((1, "x", f"`{names[0]}` and more"), "neither test names"),
                          ((9, "x", "ungraded: y"), "line 9 is past the end")):
            problems, _ = self.check(self.complete([row]))
            self.assertEqual(len(problems), 1, problems)
            self.assertIn(want, problems[0])
        text = self.complete().replace(f"### {first} (", "### unknown (")
        problems, _ = self.check(text)
        self.assertIn(f"{first}: no table ({'###'} {first} (HANDOUT))", problems)
        self.assertIn("unknown: a table for a part the rubric does not have", problems)

    def test_no_section(self):
        """A document without the section is refused."""
        with self.assertRaises(ValueError):
            self.check("# Doc\n")
