"""reports - what ./grade writes: the human report and the files platforms read.

Gradescope's results.json, PrairieLearn's results.json, GitHub Classroom's
autograding results, JUnit XML, a CSV for the class, and a CSV that Canvas's
gradebook import takes: each is a view of the same Result.

Every file is written whole or not at all (a temporary file, then a rename),
so an interrupted run never leaves a truncated report behind.
"""

import base64
import csv
import io
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET

# Output kept for one test, in characters: results.json stays well under 1 MB.
MAX_TEST_OUTPUT = 4096
# The whole report, where a platform shows it.
MAX_REPORT = 256 << 10
# PrairieLearn takes results of at most 1 MB: the report's and each test's
# output are cut to these sizes in turn, in characters, until the file fits.
PL_MAX = 1000 * 1000 - 4096
PL_BUDGETS = ((MAX_REPORT, MAX_TEST_OUTPUT), (32 << 10, 512), (4 << 10, 0))
MAX_NOTES_SHOWN = 20
NOT_GRADED = "not graded"


def truncate(text, limit=MAX_TEST_OUTPUT):
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]\n"


# Characters XML 1.0 cannot carry; student output may contain any byte.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text):
    return _NOT_XML.sub("\ufffd", text)


# Control characters: a newline would start a line of its own in a report
# (a "Total: 25/25" of a student's making), an escape sequence would move a
# terminal's cursor.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text, keep_newlines=False):
    """TEXT as a report shows it: bytes that are not UTF-8 (a file name's,
    kept by Python as surrogates) as \\xNN, and control characters as
    \\n, \\x1b and the like; newlines too, unless KEEP_NEWLINES. A tab
    stays a tab."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")

    def escape(m):
        c = m.group()
        if keep_newlines and c == "\n":
            return c
        return c.encode("unicode_escape").decode("ascii")
    return _CONTROL.sub(escape, text)


# A spreadsheet reads a cell that starts with one of these as a formula
# (OWASP, "CSV Injection"): such a cell gets a ' in front, which the
# spreadsheet shows as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """VALUE as a CSV cell that no spreadsheet takes for a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_row(writer, row):
    writer.writerow([spreadsheet_cell(v) for v in row])


class Result:
    """The grade of one submission; with not_graded (the reason), no grade at all."""

    def __init__(self, path, tests, notes, rubric, elapsed, not_graded=None):
        self.path, self.tests, self.notes, self.elapsed = path, tests, notes, elapsed
        self.reason, self.graded = not_graded, not_graded is None
        self.part_titles = {p: v["title"] for p, v in rubric["parts"].items()}
        self.measures = {t["name"]: t["measures"] for t in rubric["tests"]}
        self.parts = {p: [0, 0] for p in rubric["parts"]}
        for t in tests:
            self.parts[t["part"]][0] += t["score"]
            self.parts[t["part"]][1] += t["max_score"]
        self.score = sum(t["score"] for t in tests)
        self.max_score = sum(t["max_score"] for t in tests)
        self.full_marks = self.graded and self.score == self.max_score

    def report(self):
        lines = [f"== {printable(self.path)}"]
        for note in self.notes:
            lines.append(f"  note: {printable(note)}")
        if not self.graded:
            lines.append(f"NOT GRADED: {self.reason}")
            lines.append("  No test ran and no score was given: this is a failure of the "
                         "grading set-up, not of the submission. Fix it and grade again.")
            lines.append(f"Total: {NOT_GRADED}")
            return "\n".join(lines) + "\n"
        for part, (got, best) in self.parts.items():
            lines.append(f"{self.part_titles[part]}: {got}/{best}")
            for t in self.tests:
                if t["part"] != part:
                    continue
                mark = "PASS" if t["passed"] else "FAIL"
                lines.append(f"  [{t['score']}/{t['max_score']}] {mark}  {t['name']}")
                if not t["passed"] and t["output"].strip():
                    for line in printable(t["output"], keep_newlines=True).rstrip("\n").split("\n"):
                        lines.append(f"        {line}")
        lines.append(f"Total: {self.score}/{self.max_score}")
        return "\n".join(lines) + "\n"

    def gradescope(self):
        if not self.graded:
            # No "score", and no tests with scores: nothing enters a gradebook.
            # Gradescope shows "output" to the student and the course staff.
            return {
                "execution_time": round(self.elapsed, 3),
                "output": f"Not graded: {self.reason}\nThis is a failure of the grading "
                          "set-up, not of your submission; your course staff will grade it "
                          "again.",
                "tests": [],
                "extra_data": {"graded": False, "reason": self.reason},
            }
        return {
            "score": self.score,
            "execution_time": round(self.elapsed, 3),
            "output": "\n".join(self.notes) or f"Graded {self.path}",
            "tests": [{
                "name": t["name"],
                "score": t["score"],
                "max_score": t["max_score"],
                "status": "passed" if t["passed"] else "failed",
                "output": t["output"],
                "tags": [t["part"]],
            } for t in self.tests],
        }

    def prairielearn(self):
        """PrairieLearn's external grader results: score from 0 to 1, per-test points.

        PrairieLearn refuses results over 1 MB, which output flooded with wide
        characters could pass: the outputs are cut, then dropped, until the
        file fits (prairielearn_json), so a flood costs points, never the grade."""
        if not self.graded:
            # gradable false: PrairieLearn shows the message and takes no score.
            return {"gradable": False,
                    "message": f"Not graded: {self.reason}. This is a failure of the grading "
                               "set-up, not of your submission.",
                    "output": truncate(self.report(), MAX_REPORT)}
        for report_max, test_max in PL_BUDGETS:
            doc = {
                "gradable": True,
                "score": self.score / self.max_score if self.max_score else 0.0,
                "message": f"{self.score}/{self.max_score} points"
                           + "".join(f"\nnote: {n}" for n in self.notes[:MAX_NOTES_SHOWN]),
                "output": truncate(self.report(), report_max),
                "tests": [{
                    "name": t["name"],
                    "description": self.measures.get(t["name"], ""),
                    "points": t["score"],
                    "max_points": t["max_score"],
                    "message": "" if t["passed"] else (failure_message(t["output"]) or "failed"),
                    "output": truncate(t["output"], test_max),
                } for t in self.tests],
            }
            if len(prairielearn_json(doc).encode("utf-8")) <= PL_MAX:
                break
        return doc

    def classroom(self):
        """GitHub Classroom's autograding results: a runner per test, as
        [(runner id, results)], for its grading reporter.

        The reporter scores a runner by the share of its tests that pass times
        the runner's max_score, so one test a runner keeps every test's own
        points. A submission not graded has a max_score of 0 everywhere: the
        reporter then sends no points to the classroom, and fails the run."""
        runners = []
        for i, t in enumerate(self.tests, 1):
            if not self.graded:
                status, message = "error", f"not graded: {self.reason}"
            else:
                status = "pass" if t["passed"] else "fail"
                message = "" if t["passed"] else (failure_message(t["output"]) or "failed")
            runners.append((f"ipc{i:02d}", {
                "version": 1,
                "status": status,
                "max_score": t["max_score"] if self.graded else 0,
                "tests": [{
                    "name": f"[{self.part_titles[t['part']]}] {t['name']}",
                    "status": status,
                    "score": t["score"],
                    "message": message,
                    "line_no": 0,
                    "execution_time": "0s",
                    "filename": "",
                    "test_code": t["suite"],
                }],
            }))
        return runners

    def junit(self):
        failures = 0 if not self.graded else sum(not t["passed"] for t in self.tests)
        suite = ET.Element("testsuite", name=xml_text(self.path), tests=str(len(self.tests)),
                           failures=str(failures),
                           errors=str(0 if self.graded else len(self.tests)),
                           time=f"{self.elapsed:.3f}")
        for t in self.tests:
            case = ET.SubElement(suite, "testcase", classname=f"{t['part']}.{t['suite']}",
                                 name=f"{t['name']} [{t['max_score']} pt]", time="0")
            if not self.graded:
                err = ET.SubElement(case, "error", message=xml_text(
                    f"{NOT_GRADED}: {self.reason}"[:200]))
                err.text = xml_text(t["output"])
            elif not t["passed"]:
                first = failure_message(t["output"]) or "failed"
                fail = ET.SubElement(case, "failure", message=xml_text(first[:200]))
                fail.text = xml_text(t["output"])
        if self.notes:
            ET.SubElement(suite, "system-out").text = xml_text("\n".join(self.notes))
        return suite


def not_graded(path, rubric, reason, notes=(), elapsed=0.0):
    """The Result of a submission that could not be graded, and why: every
    test of RUBRIC without a score."""
    tests = [{"name": t["name"], "part": t["part"], "suite": t["suite"],
              "max_score": t["points"], "score": 0, "passed": False,
              "output": f"not graded: {reason}\n"} for t in rubric["tests"]]
    return Result(path, tests, list(notes), rubric, elapsed, not_graded=reason)


# How bats begins a failure's output: where it failed (a line per function
# called, then the test file's), then the command that failed. Each names the
# submission's own temporary workspace, and none says what went wrong.
_BATS_TRACE = re.compile(r"^\(?(?:in test file|from function) |^`.*' failed$")
# bats-assert's frame around what it compares ("-- output differs --", "--").
_FRAME = re.compile(r"^--( .* --)?$")
_LINES = re.compile(r"\(\d+ lines?\):$")
MAX_MESSAGE = 300


def failure_message(output):
    """What a failing test's OUTPUT says went wrong, in one line: its first line
    after bats' own, with the 'actual' line after an 'expected' one. '' when it
    says nothing. The one-line message of JUnit, PrairieLearn, Classroom and
    the class report."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    while lines and _BATS_TRACE.match(lines[0]):
        del lines[0]
    lines = [line for line in lines if not _FRAME.match(line)]
    if not lines:
        return ""

    def line(i):  # with its first line, a bats-assert heading such as "actual (3 lines):"
        return lines[i] + (" " + lines[i + 1] if _LINES.search(lines[i]) and i + 1 < len(lines)
                           else "")

    said = line(0)
    if said.startswith("expected"):
        actual = next((i for i in range(1, len(lines)) if lines[i].startswith("actual")), None)
        if actual is not None:
            said += " / " + line(actual)
    said = " ".join(said.split())
    return said if len(said) <= MAX_MESSAGE else said[:MAX_MESSAGE] + "\u2026"


def prairielearn_json(doc):
    """PrairieLearn's results.json text: UTF-8 as it is, not escaped (which
    could make one character twelve bytes)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def classroom_env(result):
    """The lines a GitHub Actions step appends to $GITHUB_ENV: each runner's
    results, base64-encoded JSON, as <ID>_RESULTS, their ids in
    IPC_LAB_RUNNERS, which the reporter's `runners` input takes, and
    IPC_LAB_GRADED, 0 when the submission was not graded (the workflow then
    runs no reporter, which would show a total of 0). Every value is one line:
    base64, ids and digits only."""
    runners = result.classroom()
    lines = [f"IPC_LAB_GRADED={int(result.graded)}",
             f"IPC_LAB_RUNNERS={','.join(rid for rid, _ in runners)}"]
    for rid, res in runners:
        data = base64.b64encode(json.dumps(res).encode("utf-8")).decode("ascii")
        lines.append(f"{rid.upper()}_RESULTS={data}")
    return "\n".join(lines) + "\n"


# Canvas's gradebook import: these columns identify a student (Canvas matches
# on ID, SIS User ID or SIS Login ID); every further column is an assignment,
# created when its name is new. A "Points Possible" row gives their maxima.
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_login(path):
    """The Canvas SIS Login ID of the submission at PATH: its directory's name."""
    return os.path.basename(os.path.normpath(path))


def check_logins(paths):
    """Refuse, before grading, two submissions that Canvas would take for one student."""
    seen = {}
    for p in paths:
        login = canvas_login(p)
        if login in seen:
            raise OSError(f"--canvas: {seen[login]} and {p} would both be the Canvas login "
                          f"{login!r}; name each submission's directory after its student's login")
        seen[login] = p


def canvas_csv(results, assignment="IPC lab"):
    """A CSV for Canvas's gradebook import: the total, then a column per part.

    The student is the submission directory's name, as SIS Login ID: name
    each submission after its student's login. A submission not graded has
    empty cells, which Canvas leaves as they are: no grade, never a zero."""
    parts = list(results[0].parts) if results else []
    titles = results[0].part_titles if results else {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    spreadsheet_row(w, CANVAS_ID_COLUMNS + [assignment]
                    + [f"{assignment}: {titles[p]}" for p in parts])
    if results:
        r0 = results[0]
        spreadsheet_row(w, ["Points Possible", "", "", "", "", r0.max_score,
                            *(r0.parts[p][1] for p in parts)])
    for r in results:
        login = canvas_login(r.path)
        if r.graded:
            cells = [r.score, *(r.parts[p][0] for p in parts)]
        else:
            cells = [""] * (1 + len(parts))
        spreadsheet_row(w, [login, "", "", login, "", *cells])
    return buf.getvalue()


def summary(results):
    """A table of the class: a row per submission, a column per part."""
    shown = [printable(r.path) for r in results]
    width = max(len("submission"), *(len(p) for p in shown))
    parts = list(results[0].parts)
    cols = [(p, max(len(p), 5)) for p in parts] + [("total", 10)]
    lines = [f"{'submission':<{width}}  " + "  ".join(f"{c:>{w}}" for c, w in cols)]
    for r, path in zip(results, shown):
        cells = [r.parts[p][0] for p in parts] + [r.score] if r.graded else (
            [""] * len(parts) + [NOT_GRADED])
        lines.append(f"{path:<{width}}  " + "  ".join(
            f"{c:>{w}}" for c, (_, w) in zip(cells, cols)))
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".grade-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def result_name(path, taken):
    """A file name for one submission's results.json, unique in TAKEN."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(os.path.abspath(path))) or "submission"
    name, n = f"{base}.json", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}.json"
    taken.add(name)
    return name


class Outputs:
    """The files asked for on the command line; checked before grading starts."""

    # The outputs about one submission alone, which a platform reads for it.
    SINGLE = {"prairielearn": "--prairielearn", "classroom": "--github-classroom"}

    def __init__(self, results, junit, csv_path, many, prairielearn=None, classroom=None,
                 canvas=None, html=None, record=None):
        self.results, self.junit, self.csv, self.many = results, junit, csv_path, many
        self.prairielearn, self.classroom, self.canvas = prairielearn, classroom, canvas
        self.html, self.record = html, record
        # With record: (the class's paths, this shard's index, the number of
        # shards, the rubric graded with), set by the grader.
        self.shard = None
        for attr, option in self.SINGLE.items():
            if getattr(self, attr) and many:
                raise OSError(f"{option} writes the results of one submission; "
                              "grade one at a time")
        if results and many:
            os.makedirs(results, exist_ok=True)
        for f in filter(None, [junit, csv_path, prairielearn, classroom, canvas, html, record]
                        + ([] if many else [results])):
            d = os.path.dirname(os.path.abspath(f))
            if not os.path.isdir(d):
                raise OSError(f"{f}: no such directory: {d}")

    def write(self, results):
        if self.results:
            if self.many:
                taken = set()
                for r in results:
                    write_atomic(os.path.join(self.results, result_name(r.path, taken)),
                                 json.dumps(r.gradescope(), indent=2) + "\n")
            elif results:
                write_atomic(self.results, json.dumps(results[0].gradescope(), indent=2) + "\n")
        if self.junit:
            root = ET.Element("testsuites")
            root.extend(r.junit() for r in results)
            ET.indent(root)
            write_atomic(self.junit, '<?xml version="1.0" encoding="UTF-8"?>\n'
                         + ET.tostring(root, encoding="unicode") + "\n")
        if self.csv:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            parts = list(results[0].parts) if results else []
            spreadsheet_row(w, ["submission", *parts, "total", "status"])
            for r in results:
                if r.graded:
                    spreadsheet_row(w, [r.path, *(r.parts[p][0] for p in parts), r.score,
                                        "graded"])
                else:
                    spreadsheet_row(w, [r.path, *([""] * len(parts)), "", NOT_GRADED])
            write_atomic(self.csv, buf.getvalue())
        if self.prairielearn and results:
            write_atomic(self.prairielearn, prairielearn_json(results[0].prairielearn()))
        if self.classroom and results:
            write_atomic(self.classroom, classroom_env(results[0]))
        if self.canvas:
            write_atomic(self.canvas, canvas_csv(results))
        if self.html:
            import classreport  # imported here: it imports this module
            write_atomic(self.html, classreport.page(results))
        if self.record:
            import shards  # imported here: it imports this module
            write_atomic(self.record, shards.record(results, *self.shard))
