"""grader/rubric.py: loading and checking the rubric, choosing parts, the table."""

import contextlib
import io
import json
import os
import tempfile
import unittest

from . import ROOT, sample_rubric

import rubric


class Load(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def load(self, data, suites_dir=None):
        """rubric.load() of DATA, written as a rubric file."""
        path = os.path.join(self.dir, "rubric.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f)
        return rubric.load(path, suites_dir=suites_dir)

    def assertRefused(self, data, *words, suites_dir=None):
        with self.assertRaises(rubric.RubricError) as cm:
            self.load(data, suites_dir)
        for word in words:
            self.assertIn(word, str(cm.exception))

    def test_the_labs_rubric_loads_with_every_suite_present(self):
        """rubric.load accepts the lab's own rubric.json, every suite in tests/."""
        r = rubric.load(suites_dir=os.path.join(ROOT, "tests"))
        self.assertEqual(sum(r["parts"][p]["points"] for p in r["default_parts"]), 25)

    def test_a_checked_rubric_loads_as_written(self):
        """rubric.load returns a correct rubric unchanged."""
        self.assertEqual(self.load(sample_rubric()), sample_rubric())

    def test_unknown_part(self):
        """rubric.load refuses a test that names an unknown part."""
        r = sample_rubric()
        r["tests"][0]["part"] = "nosuch"
        self.assertRefused(r, "first test", "unknown part 'nosuch'")

    def test_duplicate_name(self):
        """rubric.load refuses a test name listed twice."""
        r = sample_rubric()
        r["tests"][1]["name"] = "first test"
        self.assertRefused(r, "'first test' is listed twice")

    def test_points_not_positive(self):
        """rubric.load refuses points that are zero, negative, fractional or not a number."""
        for points in (0, -1, 1.5, "1", None, True):
            with self.subTest(points=points):
                r = sample_rubric()
                r["tests"][3]["points"] = points
                self.assertRefused(r, "'fourth test': points must be a positive integer")

    def test_part_not_adding_up(self):
        """rubric.load refuses a part whose tests do not add up to its points."""
        r = sample_rubric()
        r["parts"]["alpha"]["points"] = 4
        self.assertRefused(r, "part 'alpha' is worth 4 points, but its tests add up to 3")

    def test_missing_suite(self):
        """rubric.load with a suites directory refuses a test whose suite is not there."""
        for suite in ("one", "two", "three"):
            open(os.path.join(self.dir, suite + ".bats"), "w").close()
        self.load(sample_rubric(), suites_dir=self.dir)
        os.unlink(os.path.join(self.dir, "two.bats"))
        self.assertRefused(sample_rubric(), "'third test' names missing suite 'two'",
                           suites_dir=self.dir)

    def test_default_parts_unknown(self):
        """rubric.load refuses default_parts that name an unknown part."""
        r = sample_rubric()
        r["default_parts"].append("delta")
        self.assertRefused(r, "default_parts names unknown part 'delta'")

    def test_wrong_keys(self):
        """rubric.load refuses a test with a key missing or a key too many."""
        missing = sample_rubric()
        del missing["tests"][0]["measures"]
        extra = sample_rubric()
        extra["tests"][0]["weight"] = 2
        for r in (missing, extra):
            self.assertRefused(r, "'first test' must have exactly the keys "
                                  "measures, name, part, points, suite")

    def test_malformed_files(self):
        """rubric.load turns a missing file, bad JSON or a missing section into RubricError."""
        r = sample_rubric()
        del r["parts"]
        self.assertRefused(r, "parts")
        self.assertRefused(["not", "a", "rubric"])
        with self.assertRaises(rubric.RubricError):
            rubric.load(os.path.join(self.dir, "nosuch.json"))
        with open(os.path.join(self.dir, "bad.json"), "w") as f:
            f.write("{")
        with self.assertRaises(rubric.RubricError) as cm:
            rubric.load(os.path.join(self.dir, "bad.json"))
        self.assertIn("bad.json", str(cm.exception))


class Select(unittest.TestCase):
    def test_default(self):
        """rubric.select with no parts keeps the default parts and their tests only."""
        r = rubric.select(sample_rubric())
        self.assertEqual(list(r["parts"]), ["alpha", "beta"])
        self.assertEqual([t["name"] for t in r["tests"]],
                         ["first test", "second test", "third test"])

    def test_subset_in_rubric_order(self):
        """rubric.select keeps the parts asked for, in the rubric's order, not the caller's."""
        r = rubric.select(sample_rubric(), ["gamma", "alpha"])
        self.assertEqual(list(r["parts"]), ["alpha", "gamma"])
        self.assertEqual(r["default_parts"], ["alpha", "gamma"])
        self.assertEqual([t["name"] for t in r["tests"]],
                         ["first test", "second test", "fourth test"])
        rubric.check(r)

    def test_unknown_part(self):
        """rubric.select raises ValueError naming an unknown part, and lists the parts."""
        with self.assertRaises(ValueError) as cm:
            rubric.select(sample_rubric(), ["alpha", "nosuch"])
        self.assertIn("no such part: nosuch", str(cm.exception))
        self.assertIn("alpha, beta, gamma", str(cm.exception))

    def test_empty(self):
        """rubric.select of no parts at all raises ValueError."""
        with self.assertRaises(ValueError) as cm:
            rubric.select(sample_rubric(), [])
        self.assertIn("(none given)", str(cm.exception))

    def test_leaves_the_rubric_alone(self):
        """rubric.select does not change the rubric it is given."""
        r = sample_rubric()
        rubric.select(r, ["beta"])
        self.assertEqual(r, sample_rubric())


class Lists(unittest.TestCase):
    def test_scripts(self):
        """rubric.scripts lists each suite of the parts other than directions, once, in order."""
        r = sample_rubric()
        r["parts"]["directions"] = {"title": "Directions", "points": 1}
        r["tests"].insert(0, {"part": "directions", "suite": "directions", "points": 1,
                              "name": "directions test", "measures": "the directions"})
        self.assertEqual(rubric.scripts(r), ["one", "two", "three"])
        self.assertEqual(rubric.suites(r), ["directions", "one", "two", "three"])


class Table(unittest.TestCase):
    def test_markdown(self):
        """rubric.markdown shows each part once, every test, and the totals with and without the optional parts."""
        self.assertEqual(rubric.markdown(sample_rubric()).splitlines(), [
            "| Part | Test | Points | What it measures |",
            "|---|---|---|---|",
            "| Part A (3) | first test | 1 | the first thing |",
            "|  | second test | 2 | the second thing |",
            "| Part B (2) | third test | 2 | the third thing |",
            "| Part C (1) | fourth test | 1 | the fourth thing |",
            "| **Total, the default parts** | | **5** | |",
            "| **Total, with every optional part** | | **6** | |",
        ])

    def test_markdown_one_total(self):
        """rubric.markdown shows one total when every part is a default part."""
        r = sample_rubric()
        r["default_parts"] = list(r["parts"])
        self.assertEqual(rubric.markdown(r).splitlines()[-1], "| **Total, the default parts** | | **6** | |")

    def test_with_table_replaces_between_markers(self):
        """rubric.with_table replaces only what is between the markers."""
        text = "head\n" + rubric.BEGIN + "old\n" + rubric.END + "tail\n"
        self.assertEqual(rubric.with_table(text, "new\n"),
                         "head\n" + rubric.BEGIN + "new\n" + rubric.END + "tail\n")

    def test_with_table_needs_both_markers(self):
        """rubric.with_table raises ValueError when a marker is missing."""
        for text in ("no markers\n", rubric.BEGIN + "x\n", "x\n" + rubric.END):
            with self.subTest(text=text), self.assertRaises(ValueError):
                rubric.with_table(text, "table\n")


class Main(unittest.TestCase):
    """rubric.py --check and --update, on a document in a temporary directory."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.doc = os.path.join(tmp.name, "README.md")
        self.current = "# Doc\n" + rubric.BEGIN + rubric.markdown(rubric.load()) + rubric.END
        self.stale = "# Doc\n" + rubric.BEGIN + "| stale |\n" + rubric.END

    def main(self, *argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = rubric.main(list(argv))
        return status, err.getvalue()

    def write(self, text):
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write(text)

    def read(self):
        with open(self.doc, encoding="utf-8") as f:
            return f.read()

    def test_check_current(self):
        """rubric.py --check exits 0 on an up-to-date table."""
        self.write(self.current)
        self.assertEqual(self.main("--check", self.doc), (0, ""))

    def test_check_stale(self):
        """rubric.py --check exits 1 on a stale table, says how to update it, changes nothing."""
        self.write(self.stale)
        status, err = self.main("--check", self.doc)
        self.assertEqual(status, 1)
        self.assertIn("out of date; run python3 grader/rubric.py --update", err)
        self.assertEqual(self.read(), self.stale)

    def test_update(self):
        """rubric.py --update rewrites a stale table, and then --check passes."""
        self.write(self.stale)
        self.assertEqual(self.main("--update", self.doc), (0, ""))
        self.assertEqual(self.read(), self.current)
        self.assertEqual(self.main("--check", self.doc), (0, ""))

    def test_markdown(self):
        """rubric.py --markdown prints the table of the lab's rubric."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(rubric.main(["--markdown"]), 0)
        self.assertEqual(out.getvalue(), rubric.markdown(rubric.load()))

    def test_errors(self):
        """rubric.py exits 2 on a usage error, a missing file or a document without markers."""
        self.assertEqual(self.main()[0], 2)
        self.assertEqual(self.main("--check")[0], 2)
        self.assertEqual(self.main("--markdown", "extra")[0], 2)
        self.assertEqual(self.main("--check", self.doc)[0], 2)
        self.write("no markers\n")
        status, err = self.main("--update", self.doc)
        self.assertEqual(status, 2)
        self.assertIn("no rubric table markers", err)
