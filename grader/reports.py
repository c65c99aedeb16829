"""reports - what ./grade writes: the human report, results.json, JUnit XML, CSV.

Every file is written whole or not at all (a temporary file, then a rename),
so an interrupted run never leaves a truncated report behind.
"""

import csv
import io
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET

# Output kept for one test, in characters: results.json stays well under 1 MB.
MAX_TEST_OUTPUT = 4096
PARTS = ("directions", "part1", "part2")


def truncate(text, limit=MAX_TEST_OUTPUT):
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]\n"


# Characters XML 1.0 cannot carry; student output may contain any byte.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text):
    return _NOT_XML.sub("\ufffd", text)


class Result:
    """The grade of one submission."""

    def __init__(self, path, tests, notes, rubric, elapsed):
        self.path, self.tests, self.notes, self.elapsed = path, tests, notes, elapsed
        self.part_titles = {p: v["title"] for p, v in rubric["parts"].items()}
        self.parts = {p: [0, 0] for p in rubric["parts"]}
        for t in tests:
            self.parts[t["part"]][0] += t["score"]
            self.parts[t["part"]][1] += t["max_score"]
        self.score = sum(t["score"] for t in tests)
        self.max_score = sum(t["max_score"] for t in tests)
        self.full_marks = self.score == self.max_score

    def report(self):
        lines = [f"== {self.path}"]
        for note in self.notes:
            lines.append(f"  note: {note}")
        for part, (got, best) in self.parts.items():
            lines.append(f"{self.part_titles[part]}: {got}/{best}")
            for t in self.tests:
                if t["part"] != part:
                    continue
                mark = "PASS" if t["passed"] else "FAIL"
                lines.append(f"  [{t['score']}/{t['max_score']}] {mark}  {t['name']}")
                if not t["passed"] and t["output"].strip():
                    for line in t["output"].rstrip("\n").splitlines():
                        lines.append(f"        {line}")
        lines.append(f"Total: {self.score}/{self.max_score}")
        return "\n".join(lines) + "\n"

    def gradescope(self):
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

    def junit(self):
        suite = ET.Element("testsuite", name=self.path, tests=str(len(self.tests)),
                           failures=str(sum(not t["passed"] for t in self.tests)),
                           time=f"{self.elapsed:.3f}")
        for t in self.tests:
            case = ET.SubElement(suite, "testcase", classname=f"{t['part']}.{t['suite']}",
                                 name=f"{t['name']} [{t['max_score']} pt]", time="0")
            if not t["passed"]:
                first = (t["output"].strip().splitlines() or ["failed"])[0]
                fail = ET.SubElement(case, "failure", message=xml_text(first[:200]))
                fail.text = xml_text(t["output"])
        if self.notes:
            ET.SubElement(suite, "system-out").text = xml_text("\n".join(self.notes))
        return suite


def summary(results):
    width = max(len(r.path) for r in results)
    lines = [f"{'submission':<{width}}  directions  part1  part2  total"]
    for r in results:
        p = r.parts
        lines.append(f"{r.path:<{width}}  {p['directions'][0]:>10}  {p['part1'][0]:>5}  "
                     f"{p['part2'][0]:>5}  {r.score:>5}")
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".grade-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
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

    def __init__(self, results, junit, csv_path, many):
        self.results, self.junit, self.csv, self.many = results, junit, csv_path, many
        if results and many:
            os.makedirs(results, exist_ok=True)
        for f in filter(None, [junit, csv_path] + ([] if many else [results])):
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
            else:
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
            w.writerow(["submission", *PARTS, "total"])
            for r in results:
                w.writerow([r.path, *(r.parts[p][0] for p in PARTS), r.score])
            write_atomic(self.csv, buf.getvalue())
