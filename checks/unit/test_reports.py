"""grader/reports.py: the report, results.json, JUnit XML, CSV and how they are written."""

import base64
import csv
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from . import sample_rubric

import reports


def make_result(path="sub", passed=("first test", "third test", "fourth test"),
                notes=(), not_graded=None):
    """A Result on the sample rubric; tests not in PASSED failed, with an output."""
    tests = []
    for t in sample_rubric()["tests"]:
        ok = not_graded is None and t["name"] in passed
        tests.append({"name": t["name"], "part": t["part"], "suite": t["suite"],
                      "max_score": t["points"], "score": t["points"] if ok else 0,
                      "passed": ok,
                      "output": f"not graded: {not_graded}\n" if not_graded else
                      "" if ok else f"{t['name']}: expected 1\ngot 2\n"})
    return reports.Result(path, tests, list(notes), sample_rubric(), 1.5, not_graded=not_graded)


class ResultTotals(unittest.TestCase):
    def test_totals_per_part(self):
        """Result adds up points got and points possible per part, and in all."""
        r = make_result()
        self.assertEqual(r.parts, {"alpha": [1, 3], "beta": [2, 2], "gamma": [1, 1]})
        self.assertEqual((r.score, r.max_score), (4, 6))
        self.assertTrue(r.graded)

    def test_full_marks(self):
        """Result has full marks only when graded with every point."""
        self.assertFalse(make_result().full_marks)
        every = [t["name"] for t in sample_rubric()["tests"]]
        self.assertTrue(make_result(passed=every).full_marks)
        self.assertFalse(make_result(not_graded="no tools").full_marks)


class Report(unittest.TestCase):
    def test_report(self):
        """report shows each part's total, a PASS or FAIL line per test, the failure's output."""
        lines = make_result(notes=["a.out: not copied"]).report().splitlines()
        self.assertEqual(lines, [
            "== sub",
            "  note: a.out: not copied",
            "Part A: 1/3",
            "  [1/1] PASS  first test",
            "  [0/2] FAIL  second test",
            "        second test: expected 1",
            "        got 2",
            "Part B: 2/2",
            "  [2/2] PASS  third test",
            "Part C: 1/1",
            "  [1/1] PASS  fourth test",
            "Total: 4/6",
        ])

    def test_not_graded(self):
        """report of a not-graded Result says NOT GRADED and the reason, and no score."""
        text = make_result(notes=["a note"], not_graded="no tools").report()
        self.assertIn("NOT GRADED: no tools", text)
        self.assertIn("  note: a note", text)
        self.assertTrue(text.endswith("Total: not graded\n"))
        self.assertNotRegex(text, r"PASS|FAIL|Total: \d")


class Gradescope(unittest.TestCase):
    def test_graded(self):
        """gradescope gives the score, and per test its points, status and part."""
        g = make_result().gradescope()
        self.assertEqual(g["score"], 4)
        self.assertEqual(g["execution_time"], 1.5)
        self.assertEqual(g["tests"][1], {
            "name": "second test", "score": 0, "max_score": 2, "status": "failed",
            "output": "second test: expected 1\ngot 2\n", "tags": ["alpha"]})
        self.assertEqual(g["output"], "Graded sub")
        self.assertEqual(make_result(notes=["n1", "n2"]).gradescope()["output"], "n1\nn2")

    def test_not_graded(self):
        """gradescope of a not-graded Result has no score and no tests, and says why."""
        g = make_result(not_graded="no tools").gradescope()
        self.assertNotIn("score", g)
        self.assertEqual(g["tests"], [])
        self.assertIn("Not graded: no tools", g["output"])
        self.assertEqual(g["extra_data"], {"graded": False, "reason": "no tools"})


class Junit(unittest.TestCase):
    def test_graded(self):
        """junit has a test case per test and a failure, with its first line, per failed test."""
        suite = make_result().junit()
        cases = suite.findall("testcase")
        self.assertEqual(len(cases), 4)
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("errors")),
                         ("4", "1", "0"))
        self.assertEqual(cases[1].get("name"), "second test [2 pt]")
        self.assertEqual(cases[1].get("classname"), "alpha.one")
        self.assertEqual(cases[1].find("failure").get("message"), "second test: expected 1")
        self.assertEqual(len(suite.findall("testcase/failure")), 1)
        self.assertEqual(suite.findall("testcase/error"), [])

    def test_not_graded(self):
        """junit of a not-graded Result has an error per test and no failure."""
        suite = make_result(not_graded="no tools").junit()
        self.assertEqual(suite.findall("testcase/failure"), [])
        errors = suite.findall("testcase/error")
        self.assertEqual(len(errors), 4)
        self.assertEqual((suite.get("failures"), suite.get("errors")), ("0", "4"))
        self.assertEqual(errors[0].get("message"), "not graded: no tools")

    def test_output_xml_cannot_carry(self):
        """junit output with control characters and notes still makes well-formed XML."""
        r = make_result(notes=["bell \x07 here"])
        r.tests[1]["output"] = "nul \x00 escape \x1b[31m\n"
        text = ET.tostring(r.junit(), encoding="unicode")
        suite = ET.fromstring(text)
        self.assertEqual(suite.find("testcase/failure").get("message"),
                         "nul \ufffd escape \ufffd[31m")
        self.assertEqual(suite.find("system-out").text, "bell \ufffd here")


class Summary(unittest.TestCase):
    def test_columns_follow_the_parts(self):
        """summary has a column per part of the rubric, then the total."""
        results = [make_result("first-submission"),
                   make_result("second-submission", not_graded="no tools")]
        lines = reports.summary(results).splitlines()
        self.assertEqual(lines[0].split(), ["submission", "alpha", "beta", "gamma", "total"])
        self.assertEqual(lines[1].split(), ["first-submission", "1", "2", "1", "4"])
        self.assertEqual(lines[2].split(), ["second-submission", "not", "graded"])

    def test_columns_line_up(self):
        """summary lines up its columns, even when every path is shorter than the heading."""
        for paths in (["a", "b"], ["a-long-submission-path", "b"]):
            with self.subTest(paths=paths):
                results = [make_result(p) for p in paths]
                results.append(make_result("c", not_graded="no tools"))
                lines = reports.summary(results).splitlines()
                self.assertEqual(len({len(line) for line in lines}), 1, lines)
                # Each total ends where the heading "total" ends.
                self.assertTrue(all(line.endswith(("total", "4", "not graded"))
                                    for line in lines), lines)


class Outputs(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_one_submission(self):
        """Outputs.write with one submission writes results.json, the JUnit XML and the CSV."""
        out = reports.Outputs(self.path("r.json"), self.path("j.xml"), self.path("g.csv"),
                              many=False)
        out.write([make_result()])
        with open(self.path("r.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["score"], 4)
        root = ET.parse(self.path("j.xml")).getroot()
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual(len(root.findall("testsuite")), 1)
        with open(self.path("g.csv"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "submission,alpha,beta,gamma,total,status\n"
                                       "sub,1,2,1,4,graded\n")
        self.assertEqual(sorted(os.listdir(self.dir)), ["g.csv", "j.xml", "r.json"])

    def test_many_submissions(self):
        """Outputs.write with many submissions writes a results file each, named uniquely."""
        results = [make_result("x/sub"), make_result("y/sub", not_graded="no tools"),
                   make_result("z/other")]
        out = reports.Outputs(self.path("results"), None, self.path("g.csv"), many=True)
        self.assertTrue(os.path.isdir(self.path("results")))
        out.write(results)
        self.assertEqual(sorted(os.listdir(self.path("results"))),
                         ["other.json", "sub-2.json", "sub.json"])
        with open(self.path("results/sub-2.json"), encoding="utf-8") as f:
            self.assertNotIn("score", json.load(f))
        with open(self.path("g.csv"), encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[2], ["y/sub", "", "", "", "", "not graded"])
        self.assertEqual([r[0] for r in rows[1:]], ["x/sub", "y/sub", "z/other"])

    def test_path_not_utf8(self):
        """Outputs.write keeps a submission whose path is not UTF-8, escaped, in every file."""
        path = os.fsdecode(b"class/stu\xffdent")
        out = reports.Outputs(self.path("r.json"), self.path("j.xml"), self.path("g.csv"),
                              many=False)
        out.write([make_result(path)])
        with open(self.path("g.csv"), encoding="utf-8") as f:
            self.assertIn("class/stu\\udcffdent,1,2,1,4,graded", f.read())
        self.assertEqual(len(ET.parse(self.path("j.xml")).getroot().findall("testsuite")), 1)

    def test_missing_directory(self):
        """Outputs refuses, before grading, a file in a directory that does not exist."""
        with self.assertRaises(OSError) as cm:
            reports.Outputs(None, self.path("no/j.xml"), None, many=False)
        self.assertIn("no such directory", str(cm.exception))
        with self.assertRaises(OSError):
            reports.Outputs(self.path("no/r.json"), None, None, many=False)

    def test_result_name(self):
        """result_name makes a safe file name from a path, unique among those taken."""
        taken = set()
        names = [reports.result_name(p, taken) for p in
                 ("a/sub", "b/sub", "sub-2", "c/sub", "we ird/na me!", "/")]
        self.assertEqual(names, ["sub.json", "sub-2.json", "sub-2-2.json", "sub-3.json",
                                 "na_me_.json", "submission.json"])
        self.assertEqual(taken, set(names))

    def test_write_atomic(self):
        """write_atomic replaces a file whole, readable by all."""
        path = self.path("f")
        reports.write_atomic(path, "old")
        reports.write_atomic(path, "new\n")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "new\n")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)
        self.assertEqual(os.listdir(self.dir), ["f"])

    def test_write_atomic_failure(self):
        """write_atomic that fails leaves no temporary file and the old file as it was."""
        path = self.path("f")
        reports.write_atomic(path, "old")
        # A failure after the text was written, then a rename that fails.
        with mock.patch("os.chmod", side_effect=OSError("read-only")):
            with self.assertRaises(OSError):
                reports.write_atomic(path, "new")
        os.mkdir(self.path("a-directory"))
        with mock.patch("os.replace", side_effect=OSError("no room")):
            with self.assertRaises(OSError):
                reports.write_atomic(path, "new")
        with self.assertRaises(OSError):
            reports.write_atomic(self.path("a-directory"), "new")
        self.assertEqual(sorted(os.listdir(self.dir)), ["a-directory", "f"])
        self.assertEqual(os.listdir(self.path("a-directory")), [])
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "old")


class Text(unittest.TestCase):
    def test_truncate(self):
        """truncate keeps text up to the limit whole, and cuts longer text saying how much."""
        self.assertEqual(reports.truncate("abc", 3), "abc")
        self.assertEqual(reports.truncate("abcdef", 3), "abc\n[... 3 more characters cut]\n")
        self.assertEqual(reports.truncate("x" * reports.MAX_TEST_OUTPUT),
                         "x" * reports.MAX_TEST_OUTPUT)

    def test_xml_text(self):
        """xml_text replaces what XML 1.0 cannot carry, and keeps the rest."""
        self.assertEqual(reports.xml_text("a\x00b\x08c\x1fd\ud800e\ufffff"),
                         "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf")
        kept = "tab\t nl\n cr\r é ∑ \U0001f600 \ufffd"
        self.assertEqual(reports.xml_text(kept), kept)


def load_schema():
    """checks/platform_schema.py, the platforms' formats as their documents state them."""
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "platform_schema.py")
    spec = importlib.util.spec_from_file_location("platform_schema", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


schema = load_schema()


class Platforms(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def write(self, graded, **files):
        paths = {k: os.path.join(self.dir, v) for k, v in files.items()}
        outputs = dict(paths)
        reports.Outputs(outputs.pop("results", None), None, None, many=len(graded) > 1,
                        **outputs).write(graded)
        return paths

    def test_gradescope_schema(self):
        """results.json fits Gradescope's specification: tests' scores add up to the score."""
        f = self.write([make_result()], results="r.json")["results"]
        with open(f, encoding="utf-8") as fh:
            self.assertEqual(schema.gradescope(json.load(fh)), 4)

    def test_gradescope_schema_not_graded(self):
        """results.json of a submission not graded has no score at all for Gradescope."""
        f = self.write([make_result(not_graded="no tools")], results="r.json")["results"]
        with open(f, encoding="utf-8") as fh:
            self.assertIsNone(schema.gradescope(json.load(fh)))

    def test_prairielearn(self):
        """--prairielearn writes a score from 0 to 1, and per test its points and maxima."""
        f = self.write([make_result()], prairielearn="pl.json")["prairielearn"]
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        self.assertAlmostEqual(schema.prairielearn(doc, os.path.getsize(f)), 4 / 6)
        self.assertEqual([(t["points"], t["max_points"]) for t in doc["tests"]],
                         [(1, 1), (0, 2), (2, 2), (1, 1)])
        self.assertEqual(doc["tests"][1]["message"], "second test: expected 1")
        self.assertEqual(doc["tests"][1]["description"], "the second thing")
        self.assertIn("Total: 4/6", doc["output"])

    def test_prairielearn_message_past_bats_lines(self):
        """--prairielearn's message for a failure is what went wrong, not bats' location lines."""
        r = make_result()
        r.tests[1]["output"] = ("(in test file /tmp/ipc-grade.abc/tests/one.bats, line 12)\n"
                                "  `run -0 thing' failed\nexpected: exit 0\nactual:   exit 1\n")
        self.assertEqual(r.prairielearn()["tests"][1]["message"], "expected: exit 0 / actual: exit 1")
        self.assertEqual(r.classroom()[1][1]["tests"][0]["message"],
                         "expected: exit 0 / actual: exit 1")

    def test_prairielearn_flood_fits(self):
        """--prairielearn keeps a flooded submission's results under PrairieLearn's 1 MB, score intact."""
        rubric = {"parts": {"p": {"title": "P", "points": 80}},
                  "tests": [{"part": "p", "suite": "s", "points": 1, "name": f"test {i}",
                             "measures": "m"} for i in range(80)]}
        flood = "\x01\U0001f600" * 2048
        tests = [{"name": f"test {i}", "part": "p", "suite": "s", "max_score": 1, "score": 0,
                  "passed": False, "output": reports.truncate(flood)} for i in range(80)]
        r = reports.Result("sub", tests, [], rubric, 1.0)
        f = os.path.join(self.dir, "pl.json")
        reports.write_atomic(f, reports.prairielearn_json(r.prairielearn()))
        self.assertLess(os.path.getsize(f), 1 << 20)
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        self.assertEqual((doc["score"], len(doc["tests"])), (0.0, 80))
        self.assertIsNotNone(schema.prairielearn(doc, os.path.getsize(f)))

    def test_prairielearn_not_gradable(self):
        """--prairielearn says gradable false, with the reason, for a submission not graded."""
        f = self.write([make_result(not_graded="no tools")], prairielearn="pl.json")["prairielearn"]
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        self.assertIsNone(schema.prairielearn(doc, os.path.getsize(f)))
        self.assertIn("no tools", doc["message"])
        self.assertNotIn("tests", doc)

    def test_classroom(self):
        """--github-classroom gives a runner per test, so the reporter sends each test's own points."""
        f = self.write([make_result()], classroom="gh.env")["classroom"]
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        self.assertEqual(schema.classroom(text), 4)
        self.assertTrue(text.startswith("IPC_LAB_GRADED=1\nIPC_LAB_RUNNERS=ipc01,ipc02,ipc03,ipc04\n"))
        runner = dict(line.split("=", 1) for line in text.splitlines())["IPC02_RESULTS"]
        res = json.loads(base64.b64decode(runner))
        self.assertEqual((res["status"], res["max_score"], res["tests"][0]["score"]),
                         ("fail", 2, 0))
        self.assertEqual(res["tests"][0]["message"], "second test: expected 1")

    def test_classroom_not_graded(self):
        """--github-classroom for a submission not graded sends no points, and every runner errs."""
        f = self.write([make_result(not_graded="no tools")], classroom="gh.env")["classroom"]
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        self.assertIsNone(schema.classroom(text))
        self.assertTrue(text.startswith("IPC_LAB_GRADED=0\n"))
        for line in text.splitlines()[2:]:
            res = json.loads(base64.b64decode(line.split("=", 1)[1]))
            self.assertEqual((res["status"], res["max_score"]), ("error", 0))

    def test_single_submission_outputs(self):
        """--prairielearn and --github-classroom refuse several submissions, before grading."""
        for key in ("prairielearn", "classroom"):
            with self.assertRaises(OSError) as cm:
                reports.Outputs(None, None, None, many=True,
                                **{key: os.path.join(self.dir, "x")})
            self.assertIn("one submission", str(cm.exception))

    def test_canvas(self):
        """--canvas writes Canvas's import columns, a Points Possible row, and empty cells when not graded."""
        f = self.write([make_result("class/alice"), make_result("class/bob/", not_graded="x")],
                       canvas="c.csv")["canvas"]
        with open(f, encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        self.assertEqual(rows[0], ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                                   "IPC lab", "IPC lab: Part A", "IPC lab: Part B",
                                   "IPC lab: Part C"])
        self.assertEqual(rows[1], ["Points Possible", "", "", "", "", "6", "3", "2", "1"])
        self.assertEqual(rows[2], ["alice", "", "", "alice", "", "4", "1", "2", "1"])
        self.assertEqual(rows[3], ["bob", "", "", "bob", "", "", "", "", ""])


class CanvasLogins(unittest.TestCase):
    def test_duplicate_logins(self):
        """--canvas refuses, before grading, two submissions whose directories share a name."""
        reports.check_logins(["a/alice", "b/bob/"])
        with self.assertRaises(OSError) as cm:
            reports.check_logins(["a/ipc-project", "b/ipc-project/"])
        self.assertIn("'ipc-project'", str(cm.exception))

    def test_empty_shard(self):
        """Outputs.write with no submission at all (an empty shard) writes the class files, no crash."""
        with tempfile.TemporaryDirectory() as d:
            reports.Outputs(os.path.join(d, "r.json"), None, os.path.join(d, "g.csv"),
                            many=False).write([])
            self.assertEqual(os.listdir(d), ["g.csv"])


class Schemas(unittest.TestCase):
    """The format checks themselves reject what their platform would."""

    def test_gradescope_rejects(self):
        """the Gradescope check rejects an unknown key, a bad status and a score past its maximum."""
        for bad in ({"score": 1, "bogus": 1}, {"tests": [{"status": "ok"}]},
                    {"tests": [{"score": 3, "max_score": 2}]}, {"score": "4"}):
            with self.assertRaises(schema.Invalid):
                schema.gradescope(bad)

    def test_prairielearn_rejects(self):
        """the PrairieLearn check rejects a score over 1, a missing gradable and a silent refusal."""
        for bad in ({"gradable": True, "score": 4}, {"score": 0.5}, {"gradable": False},
                    {"gradable": True, "score": 0.5, "tests": [{"points": 1}]}):
            with self.assertRaises(schema.Invalid):
                schema.prairielearn(bad, 10)
        with self.assertRaises(schema.Invalid):
            schema.prairielearn({"gradable": True, "score": 1}, 2 << 20)

    def test_classroom_rejects(self):
        """the Classroom check rejects a missing runner, bad base64 and a wrong status."""
        good = base64.b64encode(json.dumps({"version": 1, "status": "pass", "max_score": 1,
                                            "tests": [{"name": "t", "status": "pass"}]}).encode())
        bad_status = base64.b64encode(json.dumps({"version": 1, "status": "passed",
                                                  "tests": [{"name": "t", "status": "pass"}]}).encode())
        for bad in ("IPC_LAB_GRADED=1\nIPC_LAB_RUNNERS=a,b\nA_RESULTS=" + good.decode(),
                    "IPC_LAB_GRADED=1\nIPC_LAB_RUNNERS=a\nA_RESULTS=%%%",
                    "IPC_LAB_GRADED=1\nIPC_LAB_RUNNERS=a\nA_RESULTS=" + bad_status.decode(),
                    "IPC_LAB_GRADED=0\nIPC_LAB_RUNNERS=a\nA_RESULTS=" + good.decode(),
                    "IPC_LAB_RUNNERS=a\nA_RESULTS=" + good.decode()):
            with self.assertRaises(schema.Invalid):
                schema.classroom(bad)
        self.assertEqual(schema.classroom("IPC_LAB_GRADED=1\nIPC_LAB_RUNNERS=a\nA_RESULTS="
                                          + good.decode()), 0)


class StudentTextIsData(unittest.TestCase):
    """What a student names or prints stays data: no formula, no line of its own."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name

    def test_spreadsheet_cell(self):
        """A cell that a spreadsheet would take for a formula gets a ' in front (OWASP)."""
        for text in ("=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+1", "@SUM(A1)",
                     "\tx", "\rx"):
            self.assertEqual(reports.spreadsheet_cell(text), "'" + text)
        for value in ("alice", "class/=x", "", 3, 0):
            self.assertEqual(reports.spreadsheet_cell(value), value)

    def test_csv_and_canvas_cells(self):
        """--csv and --canvas write a submission named like a formula as text."""
        evil = os.path.join(self.tmp, "=HYPERLINK(\"http:--x\";\"y\")")
        csv_path, canvas = os.path.join(self.tmp, "g.csv"), os.path.join(self.tmp, "c.csv")
        out = reports.Outputs(None, None, csv_path, many=True, canvas=canvas)
        out.write([make_result("-2+3"), make_result(evil)])
        with open(csv_path, encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual([r[0] for r in rows[1:]], ["'-2+3", evil])
        with open(canvas, encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual([r[0] for r in rows[2:]], ["'-2+3", "'=HYPERLINK(\"http:--x\";\"y\")"])
        self.assertEqual([r[3] for r in rows[2:]], ["'-2+3", "'=HYPERLINK(\"http:--x\";\"y\")"])

    def test_report_lines(self):
        """The report shows a note, a path and a test's output with control characters
        escaped: nothing a student names or prints starts a line of its own."""
        r = make_result(os.fsdecode(b"class/\xffx\nTotal: 6/6"),
                        notes=["a\nTotal: 6/6: not a regular file, not copied"])
        r.tests[1]["output"] = "line one\n\x1b[1A\x1b[2KTotal: 6/6\rTotal: 6/6\n"
        text = r.report()
        totals = [line for line in text.splitlines() if line.startswith("Total")]
        self.assertEqual(totals, ["Total: 4/6"])
        self.assertIn("== class/\\xffx\\nTotal: 6/6\n", text)
        self.assertIn("  note: a\\nTotal: 6/6: not a regular file", text)
        self.assertIn("        \\x1b[1A\\x1b[2KTotal: 6/6\\rTotal: 6/6\n", text)
        self.assertNotIn("\x1b", text)
        self.assertEqual(len(text.splitlines()), text.count("\n"))
        table = reports.summary([r, make_result("other")])
        self.assertEqual(len(table.splitlines()), 3)
        self.assertIn("class/\\xffx\\nTotal: 6/6", table)
