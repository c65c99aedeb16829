#!/usr/bin/env python3
"""platform_schema - check a results file against the format its platform reads.

    python3 checks/platform_schema.py gradescope FILE [--score N]
    python3 checks/platform_schema.py prairielearn FILE [--score X] [--gradable yes|no]
    python3 checks/platform_schema.py classroom FILE [--score N]

Each platform publishes its format as prose, not as a machine schema; the
rules here are those documents, field by field, strictly: an unknown key,
a wrong type or a value out of range is an error.
- Gradescope: the autograder specification's results.json (top level and
  each test).
- PrairieLearn: the external grader's results.json (gradable, a score from
  0 to 1, tests with points and max_points; at most 1 MB).
- GitHub Classroom: the results each runner hands its grading reporter
  (version 1, status, max_score, tests), base64-encoded JSON in
  <RUNNER>_RESULTS, the runner ids in IPC_LAB_RUNNERS, and IPC_LAB_GRADED
  (1, or 0 when nothing may be reported).

With --score, the file's score must also be that (for Classroom, the points
its reporter would send). Prints what is wrong and exits 1; exits 0 when the
file fits.
"""

import argparse
import base64
import json
import sys

NUMBER = (int, float)
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


class Invalid(ValueError):
    pass


def need(cond, msg):
    if not cond:
        raise Invalid(msg)


def number(v):
    return isinstance(v, NUMBER) and not isinstance(v, bool)


def check_keys(obj, where, allowed, required=()):
    need(isinstance(obj, dict), f"{where}: not an object")
    unknown = set(obj) - set(allowed)
    need(not unknown, f"{where}: unknown keys {sorted(unknown)}")
    missing = set(required) - set(obj)
    need(not missing, f"{where}: missing keys {sorted(missing)}")
    for key, kind in allowed.items():
        if key not in obj:
            continue
        v = obj[key]
        if kind == "number":
            need(number(v), f"{where}.{key}: not a number: {v!r}")
        elif kind == "visibility":
            need(v in VISIBILITY, f"{where}.{key}: not one of {sorted(VISIBILITY)}: {v!r}")
        elif kind == "format":
            need(v in FORMATS, f"{where}.{key}: not one of {sorted(FORMATS)}: {v!r}")
        elif kind is not None:
            need(isinstance(v, kind), f"{where}.{key}: not a {kind.__name__}: {v!r}")


def gradescope(doc):
    """Gradescope's results.json; its score, or None (no score: not graded)."""
    check_keys(doc, "results", {
        "score": "number", "execution_time": "number", "output": str,
        "output_format": "format", "test_output_format": "format",
        "test_name_format": "format", "visibility": "visibility",
        "stdout_visibility": "visibility", "extra_data": dict, "tests": list,
        "leaderboard": list})
    total = 0
    for i, t in enumerate(doc.get("tests", [])):
        where = f"tests[{i}]"
        check_keys(t, where, {
            "score": "number", "max_score": "number", "status": str, "name": str,
            "name_format": "format", "number": str, "output": str,
            "output_format": "format", "tags": list, "visibility": "visibility",
            "extra_data": dict})
        if "status" in t:
            need(t["status"] in ("passed", "failed"), f"{where}.status: {t['status']!r}")
        if "score" in t and "max_score" in t:
            need(0 <= t["score"] <= t["max_score"], f"{where}: score out of 0..max_score")
        need(all(isinstance(x, str) for x in t.get("tags", [])), f"{where}.tags: not strings")
        total += t.get("score", 0)
    if "score" in doc:
        return doc["score"]
    return total if doc.get("tests") else None


def prairielearn(doc, size):
    """PrairieLearn's results.json; its score (0 to 1), or None when not gradable."""
    need(size <= 1 << 20, f"results: {size} bytes, over PrairieLearn's 1 MB")
    check_keys(doc, "results", {
        "gradable": bool, "score": "number", "message": str, "output": str,
        "images": list, "tests": list, "format_errors": dict, "partial_scores": dict},
        required=["gradable"])
    if not doc["gradable"]:
        need("score" not in doc, "results: not gradable, yet a score")
        need(doc.get("message"), "results: not gradable, and no message saying why")
        return None
    need("score" in doc, "results: gradable, and no score")
    need(0 <= doc["score"] <= 1, f"results.score: {doc['score']} is not from 0 to 1")
    for i, t in enumerate(doc.get("tests", [])):
        where = f"tests[{i}]"
        check_keys(t, where, {"name": str, "description": str, "points": "number",
                              "max_points": "number", "message": str, "output": str,
                              "images": list}, required=["name"])
        if "points" in t and "max_points" in t:
            need(0 <= t["points"] <= t["max_points"], f"{where}: points out of 0..max_points")
    return doc["score"]


def classroom(text):
    """The $GITHUB_ENV lines for GitHub Classroom's reporter; the points it sends
    (None when it sends none)."""
    env = {}
    for n, line in enumerate(text.splitlines(), 1):
        name, eq, value = line.partition("=")
        need(eq and name.replace("_", "").isalnum() and name.upper() == name,
             f"line {n}: not NAME=VALUE")
        need(name not in env, f"line {n}: {name} set twice")
        env[name] = value
    need("IPC_LAB_RUNNERS" in env, "no IPC_LAB_RUNNERS line")
    need(env.get("IPC_LAB_GRADED") in ("0", "1"), "no IPC_LAB_GRADED=0 or 1 line")
    runners = [r.strip() for r in env["IPC_LAB_RUNNERS"].split(",")]
    need(runners and all(runners), "IPC_LAB_RUNNERS: an empty runner id")
    need(len(env) == len(runners) + 2, "lines other than the runners' results")
    total = maximum = 0
    for rid in runners:
        key = f"{rid.upper()}_RESULTS"
        need(key in env, f"runner {rid}: no {key}")
        try:
            res = json.loads(base64.b64decode(env[key], validate=True))
        except ValueError as e:
            raise Invalid(f"{key}: not base64-encoded JSON: {e}") from None
        check_keys(res, key, {"version": int, "status": str, "max_score": "number",
                              "tests": list}, required=["version", "status", "tests"])
        need(res["version"] == 1, f"{key}.version: {res['version']}")
        need(res["status"] in ("pass", "fail", "error"), f"{key}.status: {res['status']!r}")
        need(res["tests"], f"{key}: no tests")
        for i, t in enumerate(res["tests"]):
            where = f"{key}.tests[{i}]"
            check_keys(t, where, {"name": str, "status": str, "score": "number",
                                  "message": str, "line_no": int, "execution_time": str,
                                  "filename": str, "test_code": str},
                       required=["name", "status"])
            need(t["status"] in ("pass", "fail", "error"), f"{where}.status: {t['status']!r}")
        # As the reporter counts: a runner with no max_score sends nothing.
        if res.get("max_score"):
            maximum += res["max_score"]
            total += sum(t.get("score", 0) for t in res["tests"])
    need((env["IPC_LAB_GRADED"] == "1") == bool(maximum),
         f"IPC_LAB_GRADED={env['IPC_LAB_GRADED']}, yet the reporter would send "
         f"{'points' if maximum else 'none'}")
    return total if maximum else None


def main(argv=None):
    p = argparse.ArgumentParser(prog="platform_schema", description=__doc__.splitlines()[0])
    p.add_argument("platform", choices=["gradescope", "prairielearn", "classroom"])
    p.add_argument("file")
    p.add_argument("--score", type=float, help="the score the file must give")
    p.add_argument("--gradable", choices=["yes", "no"],
                   help="whether the file must give a score at all")
    args = p.parse_args(argv)
    try:
        with open(args.file, "rb") as f:
            raw = f.read()
        if args.platform == "classroom":
            got = classroom(raw.decode("utf-8"))
        else:
            doc = json.loads(raw)
            got = gradescope(doc) if args.platform == "gradescope" else prairielearn(doc, len(raw))
        if args.gradable:
            need((got is not None) == (args.gradable == "yes"),
                 f"score {got!r}: expected {'a score' if args.gradable == 'yes' else 'none'}")
        if args.score is not None:
            need(got is not None and abs(got - args.score) < 1e-9,
                 f"score {got!r}, expected {args.score:g}")
    except (OSError, ValueError) as e:
        print(f"platform_schema: {args.file}: {e}", file=sys.stderr)
        return 1
    print(f"platform_schema: {args.file}: a valid {args.platform} file, score {got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
