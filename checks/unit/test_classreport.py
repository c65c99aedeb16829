"""grader/classreport.py: the HTML class report of ./grade --html."""

import html.parser
import os
import random
import re
import tempfile
import unittest

from . import sample_rubric

import classreport
import reports
import rubric

# The page of a class of 500 on the rubric's default parts stays under this.
# Measured: 1.04 MB; of it, 0.86 MB is the text of the 500 reports.
MAX_PAGE_500 = 1_500_000
# What the page adds, per student, to the text of the reports it holds (a row
# of the table, the report's frame, the escaping). Measured: 350 bytes on the
# default parts, 590 on every part (4.7 MB in all, 4.4 MB of it reports).
MAX_ADDED = 1024


def result(path, passed=(), outputs=None, not_graded=None, rubric_=None):
    """A Result on RUBRIC_ (default: the sample rubric); the tests not in PASSED failed,
    with OUTPUTS[name] as their output (default: 'NAME: expected 1')."""
    rubric_ = rubric_ or sample_rubric()
    outputs = outputs or {}
    tests = []
    for t in rubric_["tests"]:
        ok = not_graded is None and t["name"] in passed
        tests.append({"name": t["name"], "part": t["part"], "suite": t["suite"],
                      "max_score": t["points"], "score": t["points"] if ok else 0,
                      "passed": ok,
                      "output": f"not graded: {not_graded}\n" if not_graded else "" if ok
                      else outputs.get(t["name"], f"{t['name']}: expected 1\n")})
    return reports.Result(path, tests, [], rubric_, 1.0, not_graded=not_graded)


class Parsed(html.parser.HTMLParser):
    """What a page holds: its tags with their attributes, its text, its CSS."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.style, self._in = [], [], [], None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        (self.style if self._in == "style" else self.text).append(data)

    def ids(self):
        return [a["id"] for _, a in self.tags if "id" in a]


def histograms(text):
    """The page's histograms: per figure caption, the counts shown above its bars."""
    return {m.group(1): [int(n) for n in re.findall(r'class="count"[^>]*>(\d+)<', m.group(2))]
            for m in re.finditer(r"<figcaption>(.*?)</figcaption>(<svg.*?</svg>)", text)}


class TestsTable(unittest.TestCase):
    def test_order_by_failures(self):
        """The tests come the most failed first, in the rubric's order among equals."""
        results = [result("a", passed=("first test", "third test")),
                   result("b", passed=("first test",)),
                   result("c", passed=("first test", "fourth test"))]
        rows = classreport.failures(results)
        self.assertEqual([(t["name"], n) for t, n, _, _ in rows],
                         [("second test", 3), ("third test", 2), ("fourth test", 2),
                          ("first test", 0)])
        text = classreport.page(results)
        self.assertLess(text.index("<td>second test"), text.index("<td>third test"))
        self.assertLess(text.index("<td>fourth test"), text.index("<td>first test"))

    def test_most_common_message(self):
        """Each test shows the message most common among those who failed it, and how
        many had it."""
        said = ["\n  \nexpected: exit 1\nhint: 0\n", "expected: exit 1\n", "timed out\n", "",
                "expected: exit 1 \n"]
        results = [result(f"s{i}", outputs={"second test": out}) for i, out in enumerate(said)]
        rows = {t["name"]: (n, m, had) for t, n, m, had in classreport.failures(results)}
        self.assertEqual(rows["second test"], (5, "expected: exit 1", 3))
        self.assertIn('<span class="msg">expected: exit 1</span> (3 of 5)',
                      classreport.page(results))

    def test_message_past_bats_own_lines(self):
        """A failure's message is its first line after bats' trace and frame, with the
        actual line after an expected one, and the grader's random values masked."""
        trace = ("(from function `require_listener' in file /tmp/ipc-grade.s8junnmk/tests/"
                 "helpers/listener.bash, line 78,\n in test file /tmp/ipc-grade.s8junnmk/tests/"
                 "listener.bats, line 21)\n  `require_listener' failed\n")
        cases = [
            (trace + "expected: listener.c to compile\nactual:   no listener was built.\n"
             "listener.c:25:16: error\n",
             "expected: listener.c to compile / actual: no listener was built."),
            ("(in test file /tmp/ipc-grade.2jxx4u0m/tests/cat.bats, line 12)\n"
             "  `assert_output \"$LAB_TREASURE\"' failed\n\n-- output differs --\n"
             "expected : Treasure 26397177594b2e42935ff557\nactual   : MEOW [Errno 13]\n--\n",
             "expected : Treasure \u2026 / actual : MEOW [Errno 13]"),
            ("-- output differs --\nexpected (1 lines):\n  Treasure 17166227b95fb6fa51331b8f\n"
             "actual (2 lines):\n  ok 10 forged\n  more\n--\n",
             "expected (1 lines): Treasure \u2026 / actual (2 lines): ok 10 forged"),
            ("timed out in /tmp/ipc-grade.ab_12cd3/sub\nexpected: more\n",
             "timed out in /tmp/\u2026/sub"),
            ("  \n--\n", ""),
        ]
        for output, expected in cases:
            with self.subTest(output=output[:30]):
                self.assertEqual(classreport.message(output), expected)

    def test_failures_counted_among_the_graded(self):
        """A not-graded submission counts in no test's failures, and its reason is no message."""
        results = [result("a", passed=("first test",)), result("b", not_graded="no tools")]
        rows = {t["name"]: (n, m) for t, n, m, _ in classreport.failures(results[:1])}
        self.assertEqual(rows["first test"], (0, ""))
        text = classreport.page(results)
        self.assertNotIn("not graded: no tools</span>", text)
        self.assertIn("expected 1</span> (1 of 1)", text)


class Histograms(unittest.TestCase):
    def test_not_graded_counted_apart(self):
        """A not-graded submission is in no histogram, never as 0 points, and is counted apart."""
        every = [t["name"] for t in sample_rubric()["tests"]]
        results = [result("a", passed=every), result("b", passed=("first test",)),
                   result("c", not_graded="no tools"), result("d", not_graded="no tools")]
        text = classreport.page(results)
        charts = histograms(text)
        self.assertEqual(list(charts), ["Total: 2 graded", "Part A: 2 graded",
                                        "Part B: 2 graded", "Part C: 2 graded"])
        self.assertEqual(charts["Total: 2 graded"], [1, 1])   # 1 point and 6: no bar at 0
        self.assertNotIn('x="47.0"', text.split("<figcaption>Total")[1].split("</svg>")[0])
        self.assertIn("2 submissions not graded</span>: no score", text)
        self.assertIn("4 submissions: 2 graded, 2 not graded", text)

    def test_bins(self):
        """A histogram has a bar a point up to 25 points, then bins of a round width,
        and labels its axes."""
        self.assertEqual([classreport.bin_width(t) for t in (1, 25, 26, 73, 100, 1000)],
                         [1, 1, 2, 5, 5, 50])
        svg = classreport.histogram([0, 3, 99, 100, 100], 100, "Total")
        self.assertEqual(re.findall(r'class="count"[^>]*>(\d+)<', svg), ["2", "1", "2"])
        self.assertIn("points (of 100), 5 points a bar", svg)
        self.assertIn(">students</text>", svg)
        self.assertIn("<title>100 points: 2 students</title>", svg)

    def test_nothing_graded(self):
        """With no graded submission, or none at all, the page says so and draws nothing."""
        for results in ([result("a", not_graded="no tools")], []):
            with self.subTest(n=len(results)):
                text = classreport.page(results)
                self.assertNotIn("<svg", text)
                self.assertIn("No submission was graded", text)


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'


class Safety(unittest.TestCase):
    def test_hostile_path_and_output_escaped(self):
        """A path or test output with markup shows as text: no tag or attribute of its own."""
        r = result("class/" + HOSTILE, outputs={"second test": HOSTILE + "\n" + HOSTILE})
        r.notes.append(HOSTILE)
        text = classreport.page([r, result("ok")])
        self.assertNotIn("<script", text.lower())
        self.assertNotIn("<img", text.lower())
        parsed = Parsed(text)
        self.assertFalse([t for t, _ in parsed.tags if t in ("script", "img")])
        self.assertFalse([a for _, a in parsed.tags if any(k.startswith("on") for k in a)])
        # The text is all there, as the student wrote it.
        shown = "".join(parsed.text)
        self.assertIn("class/" + HOSTILE, shown)
        self.assertIn(f"  note: {HOSTILE}\n", shown)
        self.assertIn(f"        {HOSTILE}\n        {HOSTILE}\n", shown)

    def test_escape_in_attributes(self):
        """esc makes text safe in an attribute value too: quotes are escaped."""
        self.assertEqual(classreport.esc(HOSTILE),
                         "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
                         "&quot;&#x27;&amp;")

    def test_control_characters(self):
        """Control characters and broken UTF-8 in a path or an output are replaced."""
        path = "stu\x00dent\udcff\x1b[31m"
        text = classreport.page([result(path, outputs={"second test": "bell\x07\n"})])
        self.assertFalse(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", text))
        self.assertIn("stu\ufffddent\ufffd\ufffd[31m", text)

    def test_no_external_resource(self):
        """The page loads nothing from elsewhere: no script, no link to outside, no @import,
        no url() in its CSS."""
        results = [result("a", passed=("first test",)), result("b", not_graded="no tools"),
                   result("http://example.com/x", outputs={"second test": "see https://x.y\n"})]
        text = classreport.page(results)
        parsed = Parsed(text)
        for tag, attrs in parsed.tags:
            self.assertNotIn(tag, ("script", "link", "img", "iframe", "object", "embed"))
            for name in ("src", "href", "xlink:href", "action", "data"):
                value = attrs.get(name)
                if value is not None:
                    self.assertRegex(value, "^#", f"<{tag} {name}={value!r}>")
        css = "".join(parsed.style)
        self.assertNotIn("@import", css)
        self.assertNotIn("url(", css)
        self.assertNotIn("url(", " ".join(a.get("style", "") for _, a in parsed.tags))
        self.assertNotRegex(text, r"""(src|href)\s*=\s*["']?\s*(https?:|//)""")


class Structure(unittest.TestCase):
    def test_anchors_resolve(self):
        """Every in-page link has its target, ids are unique, and each student links to
        a report that holds Result.report()."""
        results = [result("x/sub"), result("y/sub", not_graded="no tools"), result("x/sub")]
        text = classreport.page(results)
        parsed = Parsed(text)
        ids = parsed.ids()
        self.assertEqual(len(ids), len(set(ids)))
        hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
        self.assertTrue(hrefs)
        for href in hrefs:
            self.assertIn(href.removeprefix("#"), ids, href)
        for i, r in enumerate(results, 1):
            self.assertIn(f'<a href="#s{i}">{r.path}</a>', text)
            report = re.search(f'<details id="s{i}">.*?<pre>(.*?)</pre>', text, re.S).group(1)
            self.assertEqual(html.unescape(report), r.report())

    def test_students_table(self):
        """The students' table has a column per part, the total and the status."""
        results = [result("a", passed=("first test", "third test")),
                   result("b", not_graded="no tools")]
        text = classreport.page(results)
        rows = re.findall(r"<tr><td class=\"n\">\d+</td>.*?</tr>", text)
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
        self.assertEqual(cells[0][2:], ["1", "2", "0", "3", "graded"])
        self.assertEqual(cells[1][2:6], ["", "", "", ""])
        self.assertIn("not graded", cells[1][6])
        self.assertIn("<small>of 6</small>", text)

    def test_one_submission(self):
        """A class of one makes a whole page too."""
        text = classreport.page([result("alone", passed=("first test",))])
        self.assertEqual(histograms(text)["Total: 1 graded"], [1])
        self.assertTrue(text.rstrip().endswith("</html>"))
        self.assertIn("1 submission: 1 graded", text)


class Size(unittest.TestCase):
    def test_class_of_500(self):
        """A class of 500 makes a page under 1.5 MB on the default parts; on every part,
        the page adds under 1 KB a student to the text of their reports."""
        for parts, limit in (("default", MAX_PAGE_500), ("every", None)):
            with self.subTest(parts=parts):
                text, reports_size = class_of_500(every_part=parts == "every")
                size = len(text.encode("utf-8"))
                if limit:
                    self.assertLess(size, limit, f"{size} bytes")
                self.assertLess(size - reports_size, 500 * MAX_ADDED, f"{size} bytes")
                self.assertEqual(len(re.findall("<details", text)), 500)
                self.assertIn("500 submissions: 490 graded, 10 not graded", text)


def class_of_500(every_part):
    """The page of 500 students of the lab's rubric who pass four tests in five, and
    the size of their reports' text."""
    lab = rubric.load()
    lab = rubric.select(lab, list(lab["parts"]) if every_part else None)
    rng = random.Random(1)
    names = [t["name"] for t in lab["tests"]]
    out = ("(in test file tests/x.bats, line 42)\n  `run -1 thing' failed\n"
           "expected: exit status 1 after SIGINT\nactual: 0\nhint: the handler\n")
    results = [result(f"class/student-{i:03d}",
                      passed=[n for n in names if rng.random() < 0.8],
                      outputs=dict.fromkeys(names, out), rubric_=lab,
                      not_graded="no tools" if i % 50 == 7 else None)
               for i in range(500)]
    return classreport.page(results), sum(len(r.report().encode("utf-8")) for r in results)


class Written(unittest.TestCase):
    def test_outputs_write_html(self):
        """Outputs writes the page with the other files, and refuses a missing directory first."""
        with tempfile.TemporaryDirectory() as d:
            page, csv_path = os.path.join(d, "class.html"), os.path.join(d, "g.csv")
            reports.Outputs(None, None, csv_path, many=False, html=page).write([result("a")])
            with open(page, encoding="utf-8") as f:
                self.assertTrue(f.read().startswith("<!DOCTYPE html>"))
            self.assertEqual(sorted(os.listdir(d)), ["class.html", "g.csv"])
            with self.assertRaises(OSError):
                reports.Outputs(None, None, None, many=True, html=os.path.join(d, "no/x.html"))
