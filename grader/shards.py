"""shards - one class graded by several jobs, reported as one.

A class pipeline grades its submissions in N parallel jobs (GitLab's
`parallel: N`), each its share (grade.shard). Each job writes a record
(./grade --record FILE): every result of its share in full, with the class
it was part of, the shard it graded and the rubric it graded with. A last
job reads the N records (./grade --merge FILE...) and writes what one
grader of the whole class would have written: one CSV, one Canvas file, one
class report, one JUnit file, one directory of results.json.

The merge checks what it is given before it writes anything: records of
the same class, rubric and number of shards, each shard at most once, each
result where the shard rule puts it, each score one the rubric allows. A
record that fails these checks stops the merge: no gradebook is better than
a wrong one. A shard with no record at all (its job failed or was
cancelled) is not guessed at: its submissions are reported as not graded,
with the reason, and the merge exits 2.
"""

import json

import reports

FORMAT = "ipc-lab shard record 1"


class MergeError(ValueError):
    """The records cannot be merged into one class."""


def shard_of(i, total):
    """The shard (1 to TOTAL) that grades the I-th submission of a class (grade.shard)."""
    return i % total + 1


def record(results, class_paths, index, total, rubric):
    """The record of a shard's RESULTS (reports.Result) as JSON text: shard
    INDEX of TOTAL of the class CLASS_PATHS, graded with RUBRIC."""
    doc = {
        "format": FORMAT,
        "shard": {"index": index, "total": total},
        "class": list(class_paths),
        "rubric": rubric,
        "results": [{"path": r.path, "tests": r.tests, "notes": r.notes,
                     "elapsed": round(r.elapsed, 3), "not_graded": r.reason}
                    for r in results],
    }
    # ensure_ascii: a file name that is not UTF-8 (kept by Python as
    # surrogates) survives the round trip as \udcNN.
    return json.dumps(doc, indent=1, ensure_ascii=True) + "\n"


def load(path):
    """The record at PATH, with its form checked."""
    try:
        with open(path, encoding="ascii") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise MergeError(f"{path}: not a record of ./grade --record: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MergeError(f"{path}: not a record of ./grade --record "
                         f"(its format is not {FORMAT!r})")
    try:
        shard = doc["shard"]
        index, total = shard["index"], shard["total"]
        if not (type(index) is int and type(total) is int and 1 <= index <= total):
            raise ValueError("its shard is not a number from 1 to its total")
        if not (isinstance(doc["class"], list) and all(isinstance(p, str) for p in doc["class"])):
            raise ValueError("its class is not a list of paths")
        if not isinstance(doc["results"], list):
            raise ValueError("its results are not a list")
        if not isinstance(doc["rubric"], dict):
            raise ValueError("its rubric is not an object")
    except (KeyError, TypeError, ValueError) as e:
        raise MergeError(f"{path}: a damaged record: {e}") from None
    return doc


def check_tests(path, where, tests, rubric):
    """TESTS, one result's, are the rubric's tests in its order, each scored 0 or in full."""
    want = [(t["name"], t["part"], t["suite"], t["points"]) for t in rubric["tests"]]
    try:
        got = [(t["name"], t["part"], t["suite"], t["max_score"]) for t in tests]
        ok = got == want and all(
            type(t["passed"]) is bool and t["score"] == (t["max_score"] if t["passed"] else 0)
            and isinstance(t["output"], str) for t in tests)
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise MergeError(f"{path}: the result of {where!r} does not match the rubric "
                         "it was graded with")


def merge(paths, expected_rubric=None):
    """The class of the records at PATHS: (rubric, [reports.Result] in the
    class's order, [the shards that left no record]). EXPECTED_RUBRIC, a
    function of the parts graded, gives the rubric this grader would grade
    them with: a record graded with another one is refused."""
    if not paths:
        raise MergeError("no records to merge")
    docs = [(p, load(p)) for p in paths]
    first_path, first = docs[0]
    total, klass, rubric = first["shard"]["total"], first["class"], first["rubric"]
    for path, doc in docs[1:]:
        for key, what in (("class", "submissions"), ("rubric", "rubric")):
            if doc[key] != first[key]:
                raise MergeError(f"{path} and {first_path} are not of one class: "
                                 f"their {what} differ")
        if doc["shard"]["total"] != total:
            raise MergeError(f"{path} and {first_path} split the class into different "
                             "numbers of shards")
    if expected_rubric is not None:
        try:
            ours = expected_rubric(list(rubric["parts"]))
        except (KeyError, TypeError, ValueError) as e:
            raise MergeError(f"{first_path}: its rubric is not this grader's: {e}") from None
        if ours != rubric:
            raise MergeError(f"{first_path}: graded with another rubric than this grader's "
                             "(another version of ipc-lab?): grade the class again")
    seen = {}
    found = [None] * len(klass)
    for path, doc in docs:
        index = doc["shard"]["index"]
        if index in seen:
            raise MergeError(f"{path} and {seen[index]} are both shard {index} of {total}")
        seen[index] = path
        mine = [i for i in range(len(klass)) if shard_of(i, total) == index]
        got = [r.get("path") if isinstance(r, dict) else None for r in doc["results"]]
        if got != [klass[i] for i in mine]:
            raise MergeError(f"{path}: shard {index} of {total} should hold the results of "
                             f"{len(mine)} submissions of the class, in its order; it holds "
                             "others")
        for i, r in zip(mine, doc["results"]):
            check_tests(path, klass[i], r.get("tests"), rubric)
            reason = r.get("not_graded")
            notes, elapsed = r.get("notes"), r.get("elapsed")
            if not (reason is None or isinstance(reason, str)) or not (
                    isinstance(notes, list) and all(isinstance(n, str) for n in notes)) or (
                    type(elapsed) not in (int, float)):
                raise MergeError(f"{path}: the result of {klass[i]!r} is damaged")
            found[i] = reports.Result(klass[i], r["tests"], notes, rubric, elapsed,
                                      not_graded=reason)
    missing = sorted(set(range(1, total + 1)) - set(seen))
    results = []
    for i, result in enumerate(found):
        if result is None:
            why = (f"shard {shard_of(i, total)} of {total} left no record (its grading job "
                   "failed or was cancelled): grade that shard again, then merge")
            result = reports.not_graded(klass[i], rubric, why)
        results.append(result)
    return rubric, results, missing
