"""rubric - the grading rubric, grader/rubric.json: load it, check it, show it.

    python3 grader/rubric.py --markdown      the rubric as a Markdown table
    python3 grader/rubric.py --suites        the suites it names, every part's
    python3 grader/rubric.py --check FILE    is FILE's rubric table up to date?
    python3 grader/rubric.py --update FILE   rewrite FILE's rubric table

A document shows the table between the lines BEGIN and END below; --update
rewrites what is between them, and make test runs --check on the docs.

The rubric is the one source of what is graded: its parts, their titles and
points, and each test (a suite, a bats test name, points, what it measures).
The grader and the reports read it through load(); the documentation's table
is made by markdown().
"""

import json
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rubric.json")
TEST_KEYS = {"part", "suite", "points", "name", "measures"}
PART_KEYS = {"title", "points", "files"}
FILE_KINDS = ("given", "reference")


class RubricError(ValueError):
    """The rubric is not usable."""


def load(path=PATH, suites_dir=None):
    """The rubric at PATH, checked; with SUITES_DIR, every suite must exist there."""
    try:
        with open(path, encoding="utf-8") as f:
            rubric = json.load(f)
        check(rubric, suites_dir)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise RubricError(f"cannot use the rubric {path}: {e}") from e
    return rubric


def check(rubric, suites_dir=None):
    parts, tests = rubric["parts"], rubric["tests"]
    for key in rubric["default_parts"]:
        if key not in parts:
            raise ValueError(f"default_parts names unknown part {key!r}")
    names = set()
    for t in tests:
        if set(t) != TEST_KEYS:
            raise ValueError(f"test {t.get('name')!r} must have exactly the keys "
                             f"{', '.join(sorted(TEST_KEYS))}")
        if t["part"] not in parts:
            raise ValueError(f"test {t['name']!r} names unknown part {t['part']!r}")
        if t["name"] in names:
            raise ValueError(f"test {t['name']!r} is listed twice")
        names.add(t["name"])
        # JSON true is a Python int too; it is no number of points.
        if type(t["points"]) is not int or t["points"] < 1:
            raise ValueError(f"test {t['name']!r}: points must be a positive integer")
        if suites_dir and not os.path.isfile(os.path.join(suites_dir, t["suite"] + ".bats")):
            raise ValueError(f"test {t['name']!r} names missing suite {t['suite']!r}")
    for key, part in parts.items():
        if not set(part) <= PART_KEYS or not {"title", "points"} <= set(part):
            raise ValueError(f"part {key!r} must have the keys title and points, "
                             "and may have files")
        for kind, paths in part.get("files", {}).items():
            if kind not in FILE_KINDS or not isinstance(paths, list):
                raise ValueError(f"part {key!r}: files may list {' and '.join(FILE_KINDS)}")
            for f in paths:
                if (not isinstance(f, str) or not f or os.path.isabs(f)
                        or ".." in f.split("/")):
                    raise ValueError(f"part {key!r}: {f!r} is not a path inside the lab")
        total = sum(t["points"] for t in tests if t["part"] == key)
        if total != part["points"]:
            raise ValueError(f"part {key!r} is worth {part['points']} points, "
                             f"but its tests add up to {total}")


def select(rubric, keys=None):
    """The rubric for the parts KEYS only (default: its default_parts), in the
    rubric's order. ValueError names a part the rubric does not have."""
    keys = list(rubric["default_parts"] if keys is None else keys)
    unknown = [k for k in keys if k not in rubric["parts"]]
    if unknown or not keys:
        raise ValueError(f"no such part: {', '.join(unknown) or '(none given)'}; "
                         f"the parts are {', '.join(rubric['parts'])}")
    chosen = {k: v for k, v in rubric["parts"].items() if k in keys}
    return dict(rubric, parts=chosen, default_parts=list(chosen),
                tests=[t for t in rubric["tests"] if t["part"] in chosen])


def scripts(rubric):
    """The test scripts the directions ask for: one per suite of the other parts
    (test_NAME.sh, or tests/NAME.bats)."""
    return list(dict.fromkeys(t["suite"] for t in rubric["tests"] if t["part"] != "directions"))


def files(rubric, kind):
    """The files of KIND ("given" or "reference") of the rubric's parts, in order."""
    return [f for p in rubric["parts"].values() for f in p.get("files", {}).get(kind, [])]


def suites(rubric):
    """The suites the rubric names, in order of first use."""
    return list(dict.fromkeys(t["suite"] for t in rubric["tests"]))


def markdown(rubric):
    """The rubric as a Markdown table: part, test, points, what it measures."""
    lines = ["| Part | Test | Points | What it measures |", "|---|---|---|---|"]
    shown = None
    for t in rubric["tests"]:
        part = ""
        if t["part"] != shown:
            shown = t["part"]
            p = rubric["parts"][shown]
            part = f"{p['title']} ({p['points']})"
        lines.append(f"| {part} | {t['name']} | {t['points']} | {t['measures']} |")
    default = sum(rubric["parts"][k]["points"] for k in rubric["default_parts"])
    lines.append(f"| **Total, the default parts** | | **{default}** | |")
    total = sum(p["points"] for p in rubric["parts"].values())
    if total != default:
        lines.append(f"| **Total, with every optional part** | | **{total}** | |")
    return "\n".join(lines) + "\n"


BEGIN = "<!-- rubric table: made from grader/rubric.json by grader/rubric.py --update -->\n"
END = "<!-- end of rubric table -->\n"


def with_table(text, table):
    """TEXT with the table between BEGIN and END replaced by TABLE."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError("no rubric table markers")
    return head + BEGIN + table + END + tail


def main(argv):
    usage = "usage: rubric.py --markdown | --suites | --check FILE | --update FILE"
    alone = ("--markdown", "--suites")
    if not argv or argv[0] not in alone + ("--check", "--update") or \
            len(argv) != (1 if argv[0] in alone else 2):
        print(usage, file=sys.stderr)
        return 2
    try:
        rubric = load()
        if argv[0] == "--suites":
            print(" ".join(suites(rubric)))
            return 0
        table = markdown(rubric)
        if argv[0] == "--markdown":
            print(table, end="")
            return 0
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
        new = with_table(text, table)
        if argv[0] == "--check":
            if new != text:
                print(f"rubric: {argv[1]}: the rubric table is out of date; run "
                      f"python3 grader/rubric.py --update {argv[1]}", file=sys.stderr)
                return 1
            return 0
        if new != text:
            with open(argv[1], "w", encoding="utf-8") as f:
                f.write(new)
        return 0
    except (RubricError, OSError, ValueError) as e:
        print(f"rubric: {argv[-1]}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
