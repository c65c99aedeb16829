"""grader/shards.py: a sharded class's records, merged into one class."""

import copy
import json
import os
import tempfile
import unittest

from . import sample_rubric
from .test_reports import make_result

import reports
import shards

CLASS = ["submissions/ann/", "submissions/bo/", "=cy/",
         "submissions/d\udcffn/", "submissions/eve/"]


def results_of(index, total, klass=CLASS):
    """The results shard INDEX of TOTAL would have: ann has full marks, the
    others each miss some points, and eve was not graded."""
    out = []
    for i, path in enumerate(klass):
        if shards.shard_of(i, total) != index:
            continue
        if path.endswith("eve/"):
            out.append(reports.not_graded(path, sample_rubric(), "its files cannot be read"))
        elif path.endswith("ann/"):
            out.append(make_result(path, passed=[t["name"] for t in sample_rubric()["tests"]]))
        else:
            out.append(make_result(path, notes=["a note"]))
    return out


class Merge(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="ascii") as f:
            f.write(text)
        return path

    def records(self, total, klass=CLASS, name="shard"):
        return [self.write(f"{name}-{total}-{i}.json",
                           shards.record(results_of(i, total, klass), klass, i, total,
                                         sample_rubric()))
                for i in range(1, total + 1)]

    def doc(self, path):
        with open(path, encoding="ascii") as f:
            return json.load(f)

    def test_round_trip(self):
        """Merged records give every submission's result, in the class's order,
        exactly as one grader of the whole class would have."""
        whole = results_of(1, 1)
        for total in (1, 2, 3, 5, 7):
            with self.subTest(total=total):
                rubric, results, missing = shards.merge(self.records(total))
                self.assertEqual(rubric, sample_rubric())
                self.assertEqual(missing, [])
                self.assertEqual([r.path for r in results], CLASS)
                for got, want in zip(results, whole):
                    self.assertEqual((got.tests, got.notes, got.reason, got.score),
                                     (want.tests, want.notes, want.reason, want.score))

    def test_order_of_records_does_not_matter(self):
        """The records may come in any order (a shell glob sorts 10 before 2)."""
        paths = self.records(3)
        _, results, _ = shards.merge(list(reversed(paths)))
        self.assertEqual([r.path for r in results], CLASS)

    def test_missing_shard(self):
        """A shard with no record: its submissions are not graded, with the
        reason, and never scored; the others keep their results."""
        paths = self.records(3)
        _, results, missing = shards.merge([paths[0], paths[2]])
        self.assertEqual(missing, [2])
        for i, r in enumerate(results):
            if shards.shard_of(i, 3) == 2:
                self.assertFalse(r.graded)
                self.assertIn("shard 2 of 3 left no record", r.reason)
            else:
                self.assertEqual(r.path, CLASS[i])
        self.assertTrue(results[0].graded)

    def refused(self, paths, message):
        with self.assertRaises(shards.MergeError) as cm:
            shards.merge(paths)
        self.assertIn(message, str(cm.exception))

    def test_same_shard_twice(self):
        """Two records of one shard: refused, whichever is right."""
        paths = self.records(2)
        with open(paths[0], encoding="ascii") as f:
            copy_ = self.write("again.json", f.read())
        self.refused([paths[0], copy_, paths[1]], "are both shard 1 of 2")

    def test_different_classes_or_totals(self):
        """Records of other classes, rubrics or numbers of shards are refused."""
        paths = self.records(2)
        other = self.records(2, CLASS[:-1], "other")
        self.refused([paths[0], other[1]], "their submissions differ")
        three = self.records(3)
        self.refused([paths[0], three[1]], "different numbers of shards")
        rubric = copy.deepcopy(sample_rubric())
        rubric["tests"][0]["points"] += 1
        bumped = self.write("bumped.json", shards.record(
            results_of(2, 2), CLASS, 2, 2, rubric))
        self.refused([paths[0], bumped], "their rubric differ")

    def test_expected_rubric(self):
        """A record graded with another rubric than the merging grader's is refused."""
        paths = self.records(1)
        other = copy.deepcopy(sample_rubric())
        other["parts"]["alpha"]["title"] = "Another title"
        with self.assertRaises(shards.MergeError) as cm:
            shards.merge(paths, lambda parts: other)
        self.assertIn("another rubric", str(cm.exception))
        rubric, _, _ = shards.merge(paths, lambda parts: sample_rubric())
        self.assertEqual(rubric, sample_rubric())

    def tampered(self, change, message):
        paths = self.records(2)
        doc = self.doc(paths[1])
        change(doc)
        self.refused([paths[0], self.write("tampered.json", json.dumps(doc))], message)

    def test_scores_the_rubric_does_not_allow(self):
        """A score that is not 0 or the test's points, a passed test with 0, a
        max_score other than the rubric's, a test missing: refused."""
        def more_points(doc):
            doc["results"][0]["tests"][1]["score"] = 7

        def half(doc):
            t = doc["results"][0]["tests"][0]
            t["passed"], t["score"] = True, 0

        def bigger_max(doc):
            t = doc["results"][0]["tests"][0]
            t["max_score"] = t["score"] = 9
            t["passed"] = True

        def dropped(doc):
            del doc["results"][0]["tests"][-1]
        for change in (more_points, half, bigger_max, dropped):
            with self.subTest(change=change.__name__):
                self.tampered(change, "does not match the rubric")

    def test_results_out_of_place(self):
        """A record holding another shard's submission, or one too few, is refused."""
        def swapped(doc):
            doc["results"][0]["path"] = CLASS[0]

        def short(doc):
            del doc["results"][-1]
        for change in (swapped, short):
            with self.subTest(change=change.__name__):
                self.tampered(change, "it holds others")

    def test_damaged(self):
        """Not JSON, another format, a bad shard number: refused with the file named."""
        good = self.records(1)[0]
        for text, message in (("{", "not a record"), ('{"format": "x"}', "its format"),
                              ('[]', "its format")):
            with self.subTest(text=text):
                self.refused([self.write("bad.json", text)], message)
        doc = self.doc(good)
        doc["shard"]["index"] = 0
        self.refused([self.write("zero.json", json.dumps(doc))], "a damaged record")
        doc = self.doc(good)
        doc["results"][0]["notes"] = "not a list"
        self.refused([self.write("notes.json", json.dumps(doc))], "is damaged")
        self.refused([os.path.join(self.dir.name, "none.json")], "not a record")
        self.refused([], "no records")

    def test_student_text_is_data(self):
        """A file name that is not UTF-8 and a cell that starts a formula come
        back as they went: the CSV still neutralises the formula."""
        _, results, _ = shards.merge(self.records(2))
        self.assertEqual(results[3].path, "submissions/d\udcffn/")
        out = os.path.join(self.dir.name, "grades.csv")
        reports.Outputs(None, None, out, many=True).write(results)
        with open(out, encoding="utf-8", errors="surrogateescape") as f:
            rows = f.read().splitlines()
        self.assertTrue(rows[3].startswith("'=cy/,"), rows[3])


if __name__ == "__main__":
    unittest.main()
