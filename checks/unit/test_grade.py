"""grader/grade.py: TAP parsing, scoring, sharding, copying a submission, usage."""

import contextlib
import io
import os
import stat
import tempfile
import unittest
from unittest import mock

from . import sample_rubric

import grade
import reports


def quiet():
    """A context that keeps what the grader warns off the test's output."""
    return contextlib.redirect_stderr(io.StringIO())


class ParseTap(unittest.TestCase):
    def test_plain_results(self):
        """parse_tap reads ok and not ok lines by test name, with no diagnostics."""
        results, dupes = grade.parse_tap("1..2\nok 1 first test\nnot ok 2 second test\n")
        self.assertEqual(results, {"first test": [True, ""], "second test": [False, ""]})
        self.assertEqual(dupes, [])

    def test_diagnostics_go_to_the_last_result(self):
        """parse_tap attaches '#' lines to the result just before them, without the '# '."""
        results, _ = grade.parse_tap(
            "not ok 1 first test\n# expected 0\n#   got 1\nok 2 second test\n#\n")
        self.assertEqual(results["first test"], [False, "expected 0\n  got 1\n"])
        self.assertEqual(results["second test"], [True, "\n"])

    def test_diagnostics_before_any_result_or_after_other_lines_are_dropped(self):
        """parse_tap drops '#' lines before the first result or after a line of other output."""
        results, _ = grade.parse_tap(
            "# before\nnot ok 1 first test\nstray output\n# after the stray line\n")
        self.assertEqual(results, {"first test": [False, ""]})

    def test_duplicate(self):
        """parse_tap lists a name reported twice as a duplicate."""
        results, dupes = grade.parse_tap("not ok 1 first test\nok 2 first test\nok 3 other\n")
        self.assertEqual(dupes, ["first test"])
        self.assertIn("other", results)

    def test_skip(self):
        """parse_tap counts '# skip' as not passed, with 'skipped' and the reason in its output."""
        results, dupes = grade.parse_tap("ok 1 first test # skip needs root\nok 2 bare # skip\n")
        self.assertEqual(results["first test"], [False, "skipped needs root\n"])
        self.assertEqual(results["bare"], [False, "skipped\n"])
        self.assertEqual(dupes, [])

    def test_forged_results_in_diagnostics(self):
        """parse_tap does not count result lines forged inside diagnostics ('# ok 7 name')."""
        results, dupes = grade.parse_tap(
            "not ok 1 first test\n# ok 7 second test\n#ok 8 third test\n  ok 9 fourth test\n")
        self.assertEqual(list(results), ["first test"])
        self.assertFalse(results["first test"][0])
        self.assertIn("ok 7 second test", results["first test"][1])
        self.assertEqual(dupes, [])

    def test_no_line_break_but_newline_starts_a_result(self):
        """parse_tap splits on newlines alone: no other line break in student output starts a result"""
        seps = [chr(c) for c in range(32) if c != 10] + ["\x7f", "\x85", "\u2028", "\u2029",
                                                         "\r\n"[:1] + "\x85", "\ufeff"]
        for sep in seps:
            for forged in (f"ok 2 second test{sep}ok 3 third test",
                           f"not ok 2 second test{sep}1..1{sep}Bail out! no"):
                with self.subTest(sep=repr(sep), forged=forged):
                    tap = (f"1..3\nnot ok 1 first test\n# student said {sep}{forged}\n"
                           f"# {sep}ok 3 third test\n")
                    results, dupes = grade.parse_tap(tap)
                    self.assertEqual(list(results), ["first test"])
                    self.assertFalse(results["first test"][0])
                    self.assertEqual(dupes, [])
                    # Inside a result line, the separator leaves a name that is no test's.
                    results, _ = grade.parse_tap(f"1..3\nnot ok 1 first test{sep}ok 2 second test\n")
                    self.assertNotIn("second test", results)
                    self.assertNotIn("first test", results)

    def test_a_line_cut_off_is_not_a_result(self):
        """parse_tap ignores a last line without its newline: a killed run did not finish it."""
        results, _ = grade.parse_tap("1..2\nok 1 first test\nok 2 second test")
        self.assertEqual(list(results), ["first test"])

    def test_numbers_that_go_back_are_not_results(self):
        """parse_tap ignores a result whose number is not above the last one's."""
        results, dupes = grade.parse_tap("1..3\nnot ok 2 first test\nok 2 second test\n"
                                         "ok 1 third test\nok 3 fourth test\n")
        self.assertEqual(sorted(results), ["first test", "fourth test"])
        self.assertEqual(dupes, [])

    def test_timeout(self):
        """parse_tap files a test that bats timed out under its own name, failed."""
        results, _ = grade.parse_tap("1..1\nnot ok 1 first test # timeout after 60s\n")
        self.assertEqual(results, {"first test": [False, ""]})

    def test_result_without_a_name(self):
        """parse_tap files a result line with no name under the empty name, matching no test."""
        results, _ = grade.parse_tap("ok 1\nnot ok 2 \n")
        self.assertEqual(list(results), [""])
        self.assertNotIn("first test", results)


class Score(unittest.TestCase):
    def score(self, tap, problem=None):
        notes = []
        tests = grade.score(sample_rubric(), tap, problem, notes)
        return {t["name"]: t for t in tests}, notes

    def test_passed_and_failed(self):
        """score gives a passed test its points and a failed one 0, with its diagnostics."""
        tests, notes = self.score(
            "ok 1 first test\nnot ok 2 second test\n# expected 1\n"
            "ok 3 third test\nok 4 fourth test\n")
        self.assertEqual([(t["score"], t["max_score"], t["passed"]) for t in tests.values()],
                         [(1, 1, True), (0, 2, False), (2, 2, True), (1, 1, True)])
        self.assertEqual(tests["second test"]["output"], "expected 1\n")
        self.assertEqual(tests["third test"]["part"], "beta")
        self.assertEqual(tests["third test"]["suite"], "two")
        self.assertEqual(notes, [])

    def test_missing_result(self):
        """score gives a test with no result 0, and says why, with the run's problem."""
        tests, _ = self.score("ok 1 first test\n", problem="it hung")
        self.assertEqual(tests["second test"]["score"], 0)
        self.assertFalse(tests["second test"]["passed"])
        self.assertEqual(tests["second test"]["output"],
                         "no result was reported for this test: it hung\n")
        tests, _ = self.score("")
        self.assertEqual(tests["first test"]["output"], "no result was reported for this test\n")

    def test_stopped_part(self):
        """score says of a stopped part's tests with no result why they have none, and of
        no other test; the results the part reported before it was stopped count."""
        notes = []
        taps = {"alpha": "1..2\nok 1 first test\n", "beta": "1..1\nok 1 third test\n",
                "gamma": ""}
        stopped = {"alpha": "Part A did not finish within 9 s and was stopped"}
        tests = {t["name"]: t for t in grade.score(sample_rubric(), taps, None, notes, stopped)}
        self.assertEqual(tests["first test"]["score"], 1)
        self.assertEqual(tests["second test"]["output"], "no result was reported for this "
                         "test: Part A did not finish within 9 s and was stopped\n")
        self.assertEqual(tests["third test"]["score"], 2)
        self.assertEqual(tests["fourth test"]["output"], "no result was reported for this test\n")
        self.assertEqual(notes, [stopped["alpha"]])

    def test_duplicate(self):
        """score gives 0 to a test reported twice, even when both results passed: not trusted."""
        tests, _ = self.score("ok 1 first test\nok 2 first test\nok 3 second test\n")
        self.assertEqual(tests["first test"]["score"], 0)
        self.assertIn("not trusted", tests["first test"]["output"])
        self.assertEqual(tests["second test"]["score"], 2)

    def test_skipped(self):
        """score gives a skipped test 0, and its output says it was skipped."""
        tests, _ = self.score("ok 1 second test # skip no root\n")
        self.assertEqual(tests["second test"]["score"], 0)
        self.assertEqual(tests["second test"]["output"], "skipped no root\n")

    def test_unknown_names_noted(self):
        """score ignores results for tests the rubric does not name, and notes them."""
        tests, notes = self.score("ok 1 zeta\nok 2 first test\nok 3 eta\n")
        self.assertEqual(len(tests), 4)
        self.assertEqual(notes, ["results for unknown tests were ignored: eta, zeta"])

    def test_problem_noted(self):
        """score notes the run's problem."""
        _, notes = self.score("ok 1 first test\n", problem="it hung")
        self.assertEqual(notes, ["it hung"])

    def test_long_output_truncated(self):
        """score keeps at most MAX_TEST_OUTPUT characters of a test's diagnostics."""
        tap = "not ok 1 first test\n" + "# x\n" * 5000
        tests, _ = self.score(tap)
        self.assertLess(len(tests["first test"]["output"]), 4200)
        self.assertIn("more characters cut", tests["first test"]["output"])


class Shard(unittest.TestCase):
    PATHS = [f"s{i}" for i in range(7)]

    def shard(self, index, total):
        env = {"CI_NODE_INDEX": index, "CI_NODE_TOTAL": total}
        # patch.dict restores the environment, whatever the test does.
        with mock.patch.dict(os.environ, env), quiet():
            paths, got_index, got_total = grade.shard(self.PATHS)
        if index and total:
            self.assertEqual((got_index, got_total), (int(index), int(total)))
        else:
            self.assertEqual((got_index, got_total), (1, 1))
        return paths

    def test_no_shard(self):
        """shard returns every path when CI_NODE_INDEX or CI_NODE_TOTAL is unset or empty."""
        with mock.patch.dict(os.environ):
            os.environ.pop("CI_NODE_INDEX", None)
            os.environ.pop("CI_NODE_TOTAL", None)
            self.assertEqual(grade.shard(self.PATHS), (self.PATHS, 1, 1))
        self.assertEqual(self.shard("", "3"), self.PATHS)
        self.assertEqual(self.shard("1", ""), self.PATHS)

    def test_each_path_exactly_once(self):
        """shard gives each path to exactly one of CI_NODE_TOTAL shards, taking turns from shard 1."""
        for total in (1, 2, 3, 7, 9):
            with self.subTest(total=total):
                shards = [self.shard(str(i), str(total)) for i in range(1, total + 1)]
                self.assertEqual(sorted(p for s in shards for p in s), sorted(self.PATHS))
                for s in shards:
                    self.assertEqual(s, sorted(s, key=self.PATHS.index))
        self.assertEqual(self.shard("1", "3"), ["s0", "s3", "s6"])
        self.assertEqual(self.shard("3", "3"), ["s2", "s5"])

    def test_bad_values(self):
        """shard raises GradeError for an index out of range or values that are not numbers."""
        for index, total in (("0", "2"), ("3", "2"), ("1", "0"), ("x", "2"), ("1", "two"),
                             ("-1", "2")):
            with self.subTest(index=index, total=total):
                with self.assertRaises(grade.GradeError) as cm:
                    self.shard(index, total)
                self.assertIn("do not name a shard", str(cm.exception))

    def test_environment_restored(self):
        """shard's tests leave CI_NODE_INDEX and CI_NODE_TOTAL as they found them."""
        before = {k: os.environ.get(k) for k in ("CI_NODE_INDEX", "CI_NODE_TOTAL")}
        self.shard("1", "2")
        self.assertEqual({k: os.environ.get(k) for k in before}, before)


class CopySubmission(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.src = os.path.join(tmp.name, "src")
        self.dst = os.path.join(tmp.name, "dst")
        self.tmp = tmp.name
        os.mkdir(self.src)

    def put(self, rel, data=b"x", mode=0o644):
        path = os.path.join(self.src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def copy(self):
        notes = []
        grade.copy_submission(self.src, self.dst, notes)
        return notes

    def copied(self):
        found = set()
        for dirpath, dirnames, filenames in os.walk(self.dst):
            for name in dirnames + filenames:
                found.add(os.path.relpath(os.path.join(dirpath, name), self.dst))
        return found

    def test_regular_files_and_directories(self):
        """copy_submission copies files and directories, keeps contents, makes modes plain."""
        self.put("a.c", b"int main;")
        self.put("sub/deep/run.sh", b"#!/bin/sh\n", mode=0o700)
        self.assertEqual(self.copy(), [])
        self.assertEqual(self.copied(), {"a.c", "sub", "sub/deep", "sub/deep/run.sh"})
        with open(os.path.join(self.dst, "a.c"), "rb") as f:
            self.assertEqual(f.read(), b"int main;")
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.dst, "a.c")).st_mode), 0o644)
        self.assertEqual(stat.S_IMODE(os.stat(
            os.path.join(self.dst, "sub/deep/run.sh")).st_mode), 0o755)

    def test_file_over_max_file(self):
        """copy_submission does not copy a file over MAX_FILE bytes, and notes it."""
        self.put("big", b"x" * 11)
        self.put("small", b"x" * 10)
        with mock.patch.object(grade, "MAX_FILE", 10):
            notes = self.copy()
        self.assertEqual(self.copied(), {"small"})
        self.assertEqual(notes, ["big: 11 bytes, over the 10-byte limit for one file, not copied"])

    def test_symbolic_links(self):
        """copy_submission copies no symbolic link, to a file or to a directory, and notes each."""
        target = self.put("../outside/secret", b"secret")
        os.symlink(target, os.path.join(self.src, "file-link"))
        os.symlink(os.path.dirname(target), os.path.join(self.src, "dir-link"))
        os.symlink("nowhere", os.path.join(self.src, "dangling"))
        notes = self.copy()
        self.assertEqual(self.copied(), set())
        self.assertEqual(sorted(notes), [
            "dangling: a symbolic link, not copied",
            "dir-link: a symbolic link, not copied",
            "file-link: a symbolic link, not copied",
        ])

    def test_deep_tree(self):
        """copy_submission walks a tree deeper than Python's recursion limit, and
        copies MAX_DEPTH levels of it, with a note for the rest."""
        # shutil.rmtree recurses too: the clean-up is remove_tree's.
        self.addCleanup(grade.remove_tree, self.src)
        path = self.src
        for _ in range(1100):  # os.walk's recursion ends in RecursionError
            path = os.path.join(path, "d")
            os.mkdir(path)
        self.put("listener.c")
        notes = self.copy()
        self.assertIn("listener.c", self.copied())
        self.assertEqual(len(notes), 1)
        self.assertRegex(notes[0], r"^(d/){%d}d: over %d directories deep, not copied$"
                         % (grade.MAX_DEPTH - 1, grade.MAX_DEPTH))

    def test_names_shown_as_data(self):
        """A name with a newline, an escape or bytes that are not UTF-8 is noted
        escaped, on one line; the file is copied under its own name."""
        name = os.fsdecode(b"evil\nTotal: 25 of 25\x1b[2K\xff")
        with open(os.path.join(self.src, name), "w"):
            pass
        os.mkfifo(os.path.join(self.src, os.fsdecode(b"p\xfe")))
        notes = self.copy()
        self.assertEqual(notes, ["p\\xfe: not a regular file, not copied"])
        self.assertIn(name, self.copied())
        self.assertEqual(reports.printable(name), "evil\\nTotal: 25 of 25\\x1b[2K\\xff")

    def test_order_of_a_walk(self):
        """copy_submission counts files against MAX_FILES in the order of a
        top-down walk: a directory's files first, then each subdirectory whole."""
        for rel in ("b/y", "a/x", "z", "a/c/w", "b/a"):
            self.put(rel)
        with mock.patch.object(grade, "MAX_FILES", 3):
            notes = self.copy()
        self.assertEqual(sorted(self.copied()), ["a", "a/c", "a/c/w", "a/x", "b", "z"])
        self.assertEqual(notes, [f"{n}: over the limit of 3 files or {grade.MAX_TOTAL} "
                                 "bytes in all, not copied" for n in ("b/a", "b/y")])

    def test_fifo(self):
        """copy_submission does not copy a FIFO (nor block on it), and notes it."""
        os.mkfifo(os.path.join(self.src, "pipe"))
        notes = self.copy()
        self.assertEqual(self.copied(), set())
        self.assertEqual(notes, ["pipe: not a regular file, not copied"])

    def test_git_skipped(self):
        """copy_submission skips .git directories, at any depth, without a note."""
        self.put(".git/config")
        self.put("sub/.git/HEAD")
        self.put("sub/kept")
        self.assertEqual(self.copy(), [])
        self.assertEqual(self.copied(), {"sub", "sub/kept"})

    def test_max_files(self):
        """copy_submission copies at most MAX_FILES files, and notes each one left out."""
        for name in "abcde":
            self.put(name)
        with mock.patch.object(grade, "MAX_FILES", 3):
            notes = self.copy()
        self.assertEqual(self.copied(), {"a", "b", "c"})
        self.assertEqual(notes, [f"{n}: over the limit of 3 files or {grade.MAX_TOTAL} "
                                 "bytes in all, not copied" for n in "de"])

    def test_max_total(self):
        """copy_submission stops at MAX_TOTAL bytes in all, and notes each file left out."""
        self.put("a", b"x" * 6)
        self.put("b", b"x" * 6)
        self.put("c", b"x" * 4)
        with mock.patch.object(grade, "MAX_TOTAL", 10):
            notes = self.copy()
        self.assertEqual(self.copied(), {"a", "c"})
        self.assertEqual(len(notes), 1)
        self.assertIn("b: over the limit of", notes[0])
        self.assertIn("10 bytes in all", notes[0])


class Prepare(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.work = os.path.join(tmp.name, "work")
        os.mkdir(self.work)

    def test_missing_path(self):
        """prepare raises NotGraded for a path that does not exist."""
        path = os.path.join(self.tmp, "nosuch")
        with self.assertRaises(grade.NotGraded) as cm:
            grade.prepare(path, self.work, [], [])
        self.assertEqual(str(cm.exception), f"{path}: no such directory")
        self.assertEqual(os.listdir(self.work), [])

    def test_unreadable(self):
        """prepare raises NotGraded, not a note and no score, when the submission
        itself cannot be read (a root-squashed NFS mount: root is refused)."""
        path = os.path.join(self.tmp, "sub")
        os.mkdir(path)
        real = os.scandir

        def refuse(p="."):
            if p == path:
                raise PermissionError(13, "Permission denied", p)
            return real(p)
        with mock.patch.object(grade.os, "scandir", refuse):
            with self.assertRaises(grade.NotGraded) as cm:
                grade.prepare(path, self.work, [], [])
        self.assertEqual(str(cm.exception), "cannot read the submission: Permission denied")

    def test_a_file(self):
        """prepare raises NotGraded for a file: a submission is a directory."""
        path = os.path.join(self.tmp, "a-file")
        open(path, "w").close()
        with self.assertRaises(grade.NotGraded) as cm:
            grade.prepare(path, self.work, [], [])
        self.assertIn("not a directory", str(cm.exception))

    def test_layout(self):
        """prepare lays out the copy, the helpers and only the suites asked for."""
        sub = os.path.join(self.tmp, "sub")
        os.mkdir(sub)
        open(os.path.join(sub, "cat.py"), "w").close()
        notes = []
        self.assertTrue(grade.prepare(sub, self.work, notes, ["cat"]))
        self.assertEqual(notes, [])
        self.assertEqual(sorted(os.listdir(self.work)), ["sub", "tests", "tmp"])
        self.assertEqual(os.listdir(os.path.join(self.work, "sub")), ["cat.py"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.work, "tests"))),
                         ["cat.bats", "helpers"])

    def test_empty_directory_noted(self):
        """prepare notes an empty submission, and still grades it."""
        sub = os.path.join(self.tmp, "empty")
        os.mkdir(sub)
        notes = []
        self.assertTrue(grade.prepare(sub, self.work, notes, []))
        self.assertEqual(notes, [f"{sub}: the directory is empty"])

    def test_notes_capped(self):
        """prepare keeps MAX_NOTES notes on files not copied, then counts the rest."""
        sub = os.path.join(self.tmp, "sub")
        os.mkdir(sub)
        for i in range(5):
            os.mkfifo(os.path.join(sub, f"p{i}"))
        open(os.path.join(sub, "kept"), "w").close()
        notes = []
        with mock.patch.object(grade, "MAX_NOTES", 2):
            grade.prepare(sub, self.work, notes, [])
        self.assertEqual(notes, ["p0: not a regular file, not copied",
                                 "p1: not a regular file, not copied",
                                 "... and 3 more files not copied"])


class RunSetUp(unittest.TestCase):
    """What a grading run sets up once: user ID ranges, lanes, copies of /etc."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        fds = []
        self.addCleanup(lambda: [os.close(fd) for fd in fds])
        patches = [mock.patch.object(grade, "UID_LOCKS", os.path.join(self.tmp, "locks")),
                   mock.patch.object(grade, "CLAIMED_FDS", fds)]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def test_ranges_are_never_shared(self):
        """claim_uid_ranges: a range another claim holds is skipped, and none is given twice."""
        base = int(grade.CONF["GRADE_UID_BASE"])
        first = grade.claim_uid_ranges(2)
        self.assertEqual(first, [base, base + grade.UIDS_PER_JOB])
        # flock conflicts between open file descriptions, in one process too:
        # as another grader would, this claim gets the next free range.
        self.assertEqual(grade.claim_uid_ranges(1), [base + 2 * grade.UIDS_PER_JOB])

    def test_no_range_free(self):
        """claim_uid_ranges raises GradeError when every range is held."""
        n = int(grade.CONF["GRADE_UID_SPAN"]) // grade.UIDS_PER_JOB
        grade.claim_uid_ranges(n)
        with self.assertRaises(grade.GradeError) as cm:
            grade.claim_uid_ranges(1)
        self.assertIn("no free range", str(cm.exception))

    def test_plan_lanes(self):
        """plan_lanes splits the parts by their number of tests, in rubric order within a lane."""
        rubric = {"tests": [{"part": p} for p in ["a"] * 5 + ["b"] * 5 + ["c"] * 3 + ["d"] * 2]}
        self.assertEqual(grade.plan_lanes(rubric, 2), [["a", "c"], ["b", "d"]])
        self.assertEqual(grade.plan_lanes(rubric, 1), [["a", "b", "c", "d"]])
        self.assertEqual(grade.plan_lanes(rubric, 9), [["a"], ["b"], ["c"], ["d"]])

    def test_part_bounds(self):
        """Each part's bound grows with its suites and tests; GRADE_PART_BOUND sets one for
        all; the submission's is its longest lane's, with what stopping each part may take."""
        rubric = sample_rubric()
        rubric["tests"].append(dict(rubric["tests"][2], suite="two-more", name="fifth test"))
        base, per = grade.SUITE_BOUND_BASE, grade.SUITE_BOUND_PER_TEST
        self.assertEqual(grade.part_bounds(rubric),
                         {"alpha": base + 2 * per, "beta": 2 * base + 2 * per, "gamma": base + per})
        with mock.patch.dict(os.environ, {"GRADE_PART_BOUND": "7"}):
            self.assertEqual(set(grade.part_bounds(rubric).values()), {7})
        with mock.patch.object(grade, "SUBMISSION_BOUND", None):
            args, bound = grade.lane_args(rubric, [["alpha", "gamma"], ["beta"]])
        self.assertEqual(args, [f"alpha:{base + 2 * per}:one,gamma:{base + per}:three",
                                f"beta:{2 * base + 2 * per}:two+two-more"])
        self.assertEqual(bound, 2 * base + 3 * per + 2 * grade.PART_STOP_SLACK
                         + grade.SUBMISSION_SLACK)
        with mock.patch.object(grade, "SUBMISSION_BOUND", 15):
            self.assertEqual(grade.lane_args(rubric, [["alpha"]])[1], 15)

    def test_account_files(self):
        """account_files: each job's lane has the test accounts at user IDs of its own, the
        machine's accounts besides, and no other account of the same name."""
        etc = os.path.join(self.tmp, "etc")
        os.mkdir(etc)
        files = {"passwd": "root:x:0:0::/root:/bin/bash\ngarfield:x:1000:1000::/home/g:/bin/sh\n",
                 "group": "root:x:0:\nusers:x:100:alice\n",
                 "shadow": "root:*:1::::::\n", "gshadow": "root:*::\nusers:*::alice\n",
                 "hosts": "127.0.0.1 localhost\n"}
        for name, text in files.items():
            with open(os.path.join(etc, name), "w", encoding="utf-8") as f:
                f.write(text)
        grade.account_files(self.tmp, [62000, 62010], 2, etc=etc)
        uids = set()
        for job, lane in ((0, 0), (0, 1), (1, 0), (1, 1)):
            tree = os.path.join(self.tmp, f"accounts.{job}", str(lane))
            with open(os.path.join(tree, "passwd"), encoding="utf-8") as f:
                passwd = [ln.split(":") for ln in f.read().splitlines()]
            names = [p[0] for p in passwd]
            self.assertEqual(names, ["root", "ipc-student", "ipc-owner", "garfield", "nermal"])
            mine = {int(p[2]) for p in passwd[1:]}
            self.assertEqual(len(mine), 4)
            self.assertFalse(mine & uids, "a user ID given to two lanes")
            uids |= mine
            with open(os.path.join(tree, "group"), encoding="utf-8") as f:
                self.assertIn("users:x:100:alice,garfield,nermal\n", f.read())
            # The rest of /etc is there, and the machine's files are untouched.
            with open(os.path.join(tree, "hosts"), encoding="utf-8") as f:
                self.assertEqual(f.read(), files["hosts"])
        with open(os.path.join(etc, "passwd"), encoding="utf-8") as f:
            self.assertEqual(f.read(), files["passwd"])


class StaleRuns(unittest.TestCase):
    """A grader killed outright leaves its directories; the next one removes
    them, and never a live run's, nor anything not a run's of ours."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(grade.remove_tree, self.tmp)
        patcher = mock.patch.object(tempfile, "tempdir", self.tmp)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(self.release)

    def release(self):
        while grade.RUN_LOCK_FDS:
            os.close(grade.RUN_LOCK_FDS.pop())

    def run_with_work(self):
        """A run's directory, its lock held, with a work and a probe directory."""
        run = grade.make_run_dir()
        work = grade.scratch_dir("grade", run)
        probe = grade.scratch_dir("probe", run)
        for d in (run, work, probe):
            self.assertTrue(os.path.isdir(d))
        return run, work, probe

    def test_a_killed_runs_directories_are_removed(self):
        """remove_stale_runs removes a dead run's directory, its work and probe directories, nothing else."""
        run, work, probe = self.run_with_work()
        other = tempfile.mkdtemp(prefix="ipc-grade.")       # no run's name in it
        self.release()
        self.assertEqual(sorted(grade.remove_stale_runs()), sorted([run, work, probe]))
        for d in (run, work, probe):
            self.assertFalse(os.path.lexists(d))
        self.assertTrue(os.path.isdir(other))

    def test_a_live_runs_directories_stay(self):
        """remove_stale_runs leaves a run whose lock is held, and its work and probe directories."""
        run, work, probe = self.run_with_work()
        self.assertEqual(grade.remove_stale_runs(), [])
        for d in (run, work, probe):
            self.assertTrue(os.path.isdir(d))

    def test_directories_without_a_lock_or_not_ours_stay(self):
        """remove_stale_runs leaves a run's directory without a lock file, and a link named like one."""
        bare = tempfile.mkdtemp(prefix="ipc-run.")
        link = os.path.join(self.tmp, "ipc-run.link")
        target = tempfile.mkdtemp()
        with open(os.path.join(target, grade.RUN_LOCK), "w"):
            pass
        os.symlink(target, link)
        self.assertEqual(grade.remove_stale_runs(), [])
        self.assertTrue(os.path.isdir(bare))
        self.assertTrue(os.path.exists(os.path.join(target, grade.RUN_LOCK)))


class PrivateDirs(unittest.TestCase):
    """What student code may not see: private_dirs, close_dirs, open_dirs."""

    def setUp(self):
        self.top = tempfile.mkdtemp(dir="/var" if os.access("/var", os.W_OK) else None)
        self.addCleanup(lambda: grade.remove_tree(self.top))
        self.cls = os.path.join(self.top, "class")
        for name in ("ann", "bo"):
            os.makedirs(os.path.join(self.cls, "submissions", name))
        self.subs = [os.path.join(self.cls, "submissions", n) for n in ("ann", "bo")]

    def test_the_class_and_the_machines_trees(self):
        """The working directory and the submissions' directory, outermost
        only; in a namespace also every directory of / and of /var but the
        system's, whatever its name."""
        machines = [os.path.join(top, n) for top in ("/", "/var") for n in os.listdir(top)]
        got = grade.private_dirs(self.subs, "namespace", cwd=self.cls)
        cls = os.path.realpath(self.cls)
        self.assertTrue(any(grade._inside(cls, g) for g in got), got)
        self.assertNotIn(os.path.join(cls, "submissions"), got)
        needed = grade._needed_dirs()
        for d in machines:
            # One that holds what the sandbox needs stays (and what it
            # holds is test_around_what_the_sandbox_needs's); one made or
            # gone since, by another check, is not this test's.
            if (os.path.islink(d) or not os.path.isdir(d) or d in grade.NAMESPACE_VISIBLE
                    or any(grade._inside(n, d) for n in needed)):
                continue
            with self.subTest(d=d):
                self.assertTrue(any(grade._inside(d, g) for g in got), got)
        for d in grade.NAMESPACE_VISIBLE:
            self.assertNotIn(d, got)
        got = grade.private_dirs(self.subs, "container", cwd=self.cls)
        self.assertIn(os.path.realpath(self.cls), got)
        self.assertFalse({"/home", "/srv", "/opt", "/var/lib"} & set(got))

    def test_around_what_the_sandbox_needs(self):
        """A directory that holds one the sandbox needs stays; the others in
        it are hidden, down to the one needed, and that one is not."""
        for name in ("keep/inner/x", "keep/beside", "other"):
            os.makedirs(os.path.join(self.top, name))
        inner = os.path.join(self.top, "keep", "inner")
        real = grade._needed_dirs
        grade._needed_dirs = lambda: [inner]
        self.addCleanup(setattr, grade, "_needed_dirs", real)
        got = grade.private_dirs([self.subs[0]], "container", cwd=self.top)
        for d in ("other", "class", "keep/beside"):
            self.assertIn(os.path.join(self.top, d), got)
        for d in ("", "keep", "keep/inner", "keep/inner/x"):
            self.assertNotIn(os.path.join(self.top, d).rstrip("/"), got)

    def test_bats_libraries_are_needed(self):
        """bats' libraries stay in sight: BATS_LIB_PATH, and the packages its
        links lead to (Gradescope's set-up links npm's)."""
        lib, pkg = os.path.join(self.top, "lib"), os.path.join(self.top, "npm", "bats-assert")
        os.makedirs(lib)
        os.makedirs(pkg)
        os.symlink(pkg, os.path.join(lib, "bats-assert"))
        with mock.patch.dict(os.environ, {"BATS_LIB_PATH": lib}):
            needed = grade._needed_dirs()
            got = grade.private_dirs([self.subs[0]], "container", cwd=self.top)
        self.assertIn(os.path.realpath(lib), needed)
        self.assertIn(os.path.realpath(pkg), needed)
        self.assertNotIn(os.path.join(self.top, "npm"), got)
        self.assertIn(os.path.join(self.top, "class"), got)

    def test_submissions_beside_what_the_sandbox_needs(self):
        """In a namespace, a submission in a directory the sandbox needs a
        part of is hidden (graded from a copy); in a container it stays
        the student's, as it is."""
        os.makedirs(os.path.join(self.cls, "tmp"))
        real = grade._needed_dirs
        grade._needed_dirs = lambda: [os.path.join(self.cls, "tmp")]
        self.addCleanup(setattr, grade, "_needed_dirs", real)
        sub = os.path.join(self.cls, "ann")
        os.makedirs(sub)
        got = grade.private_dirs([sub], "namespace", cwd=self.cls)
        self.assertIn(sub, got)
        self.assertIn(os.path.join(self.cls, "submissions"), got)
        got = grade.private_dirs([sub], "container", cwd=self.cls)
        self.assertNotIn(sub, got)
        self.assertIn(os.path.join(self.cls, "submissions"), got)

    def test_never_what_the_sandbox_needs(self):
        """Not a system tree, not the temporary directory or one above it, not
        a submission itself (the working directory may be one)."""
        tmp = os.path.realpath(tempfile.gettempdir())
        for cwd in ("/", "/usr", "/etc", tmp, os.path.dirname(tmp) or "/", self.subs[0]):
            with self.subTest(cwd=cwd):
                got = grade.private_dirs([self.subs[0]], "container", cwd=cwd)
                self.assertNotIn(os.path.realpath(cwd), got)
        got = grade.private_dirs(["/usr/share/x/sub", "/sub"], "container", cwd=self.subs[0])
        self.assertNotIn("/usr/share/x", got)
        self.assertNotIn("/", got)

    def test_close_and_give_back(self):
        """close_dirs takes other users' access away, and open_dirs gives
        the modes back; a mode someone changed meanwhile stays theirs."""
        record = os.path.join(self.top, "closed")
        a, b = self.cls, os.path.join(self.cls, "submissions")
        os.chmod(a, 0o777)
        os.chmod(b, 0o755)
        with quiet():
            grade.close_dirs([a, b], record)
        self.assertEqual(stat.S_IMODE(os.stat(a).st_mode), 0o770)
        self.assertEqual(stat.S_IMODE(os.stat(b).st_mode), 0o750)
        os.chmod(b, 0o700)  # someone else's change
        with quiet():
            grade.open_dirs(record)
        self.assertEqual(stat.S_IMODE(os.stat(a).st_mode), 0o777)
        self.assertEqual(stat.S_IMODE(os.stat(b).st_mode), 0o700)
        self.assertFalse(os.path.exists(record))
        grade.open_dirs(record)  # nothing to give back: no error

    def test_stale_run_gives_modes_back(self):
        """A run killed outright leaves its record: the next run gives the
        modes back before it removes the run's directory."""
        tmp = tempfile.mkdtemp()
        self.addCleanup(lambda: grade.remove_tree(tmp))
        run = os.path.join(tmp, "ipc-run.dead")
        os.mkdir(run)
        open(os.path.join(run, grade.RUN_LOCK), "w").close()
        os.chmod(self.cls, 0o755)
        with quiet():
            grade.close_dirs([self.cls], os.path.join(run, grade.CLOSED))
        self.assertEqual(stat.S_IMODE(os.stat(self.cls).st_mode), 0o750)
        with mock.patch.object(grade.cgroup, "remove_named"):
            grade.remove_stale_runs(tmp)
        self.assertEqual(stat.S_IMODE(os.stat(self.cls).st_mode), 0o755)
        self.assertFalse(os.path.exists(run))


class NotGradedResult(unittest.TestCase):
    def test_not_graded(self):
        """not_graded gives every rubric test 0 points and the reason, and no grade at all."""
        r = grade.not_graded("sub", sample_rubric(), "no tools", ["a note"])
        self.assertFalse(r.graded)
        self.assertEqual(r.reason, "no tools")
        self.assertEqual(r.notes, ["a note"])
        self.assertEqual(len(r.tests), 4)
        self.assertTrue(all(t["score"] == 0 and t["output"] == "not graded: no tools\n"
                            for t in r.tests))


class Main(unittest.TestCase):
    """grade.main as far as it goes without root: usage, and every outcome mocked."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        env = mock.patch.dict(os.environ)
        env.start()
        self.addCleanup(env.stop)
        os.environ.pop("CI_NODE_INDEX", None)
        os.environ.pop("CI_NODE_TOTAL", None)

    def main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = grade.main(list(argv))
            except SystemExit as e:
                status = e.code
        return status, out.getvalue(), err.getvalue()

    def test_jobs_zero(self):
        """grade --jobs 0 is a usage error: exit 2, with the reason."""
        status, _, err = self.main("--jobs", "0", self.tmp)
        self.assertEqual(status, 2)
        self.assertIn("--jobs must be at least 1", err)

    def test_parse_args(self):
        """grade.parse_args reads the outputs, parts and jobs, and needs a submission."""
        args = grade.parse_args(["--jobs", "3", "--parts", "part1", "--csv", "c", "a", "b"])
        self.assertEqual((args.jobs, args.parts, args.csv, args.submissions),
                         (3, "part1", "c", ["a", "b"]))
        with quiet(), self.assertRaises(SystemExit) as cm:
            grade.parse_args([])
        self.assertEqual(cm.exception.code, 2)

    def test_empty_parts(self):
        """grade --parts '' (an empty list) exits 2, never grading the default parts instead."""
        with mock.patch.object(grade, "check_environment") as check:
            status, out, err = self.main("--parts", "", self.tmp)
        self.assertEqual(status, 2)
        self.assertIn("grade: --parts: no such part: (none given)", err)
        check.assert_not_called()

    def test_unknown_part(self):
        """grade --parts with an unknown part exits 2 before it checks the environment."""
        with mock.patch.object(grade, "check_environment") as check, \
                mock.patch.object(grade, "isolation_mode") as isolation:
            status, out, err = self.main("--parts", "part1,nosuch", self.tmp)
        self.assertEqual(status, 2)
        self.assertIn("grade: --parts: no such part: nosuch", err)
        self.assertEqual(out, "")
        check.assert_not_called()
        isolation.assert_not_called()

    def test_bad_shard(self):
        """grade with CI_NODE_INDEX out of range exits 2 before it checks the environment."""
        os.environ.update(CI_NODE_INDEX="3", CI_NODE_TOTAL="2")
        with mock.patch.object(grade, "check_environment") as check:
            status, _, err = self.main(self.tmp)
        self.assertEqual(status, 2)
        self.assertIn("do not name a shard", err)
        check.assert_not_called()

    def test_missing_output_directory(self):
        """grade with an output in a missing directory exits 2 before it checks the environment."""
        with mock.patch.object(grade, "check_environment") as check:
            status, _, err = self.main("--csv", os.path.join(self.tmp, "no", "g.csv"), self.tmp)
        self.assertEqual(status, 2)
        self.assertIn("no such directory", err)
        check.assert_not_called()

    def test_environment_fails(self):
        """grade when the environment cannot grade: every submission not graded, exit 2."""
        csv_path = os.path.join(self.tmp, "g.csv")
        with mock.patch.object(grade, "check_environment",
                               side_effect=grade.GradeError("the test tools are missing")):
            status, out, err = self.main("--parts", "part1", "--csv", csv_path, "a", "b")
        self.assertEqual(status, 2)
        self.assertEqual(out.count("NOT GRADED: the test tools are missing"), 2)
        self.assertIn("2 of 2 submissions could not be graded", err)
        with open(csv_path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "submission,part1,total,status\n"
                                       "a,,,not graded\nb,,,not graded\n")

    def test_graded_from_tap(self):
        """grade scores each submission from its TAP, in order, and exits 1 when points are lost."""
        subs = []
        for name in ("full", "half"):
            subs.append(os.path.join(self.tmp, name))
            os.mkdir(subs[-1])
            open(os.path.join(subs[-1], name), "w").close()
        rubric = grade.rubric_file.select(grade.load_rubric(), ["part1"])
        names = [t["name"] for t in rubric["tests"]]

        def run_sandbox(work, job, mode, rubric, notes):
            # The copy tells which submission this is.
            full = os.listdir(os.path.join(work, "sub")) == ["full"]
            return "1..5\n" + "".join(f"{'ok' if full or i % 2 else 'not ok'} {i} {n}\n"
                                      for i, n in enumerate(names, 1)), None, {}

        csv_path = os.path.join(self.tmp, "g.csv")
        with mock.patch.object(grade, "check_environment"), \
                mock.patch.object(grade, "build_nonet"), \
                mock.patch.object(grade, "isolation_mode", return_value="namespace"), \
                mock.patch.object(grade, "run_sandbox", side_effect=run_sandbox):
            status, out, _ = self.main("--parts", "part1", "--jobs", "2", "--csv", csv_path,
                                       *subs)
        self.assertEqual(status, 1)
        self.assertIn("Total: 10/10", out)
        self.assertRegex(out, r"Total: [0-9]/10")
        with open(csv_path, encoding="utf-8") as f:
            rows = f.read().splitlines()
        self.assertEqual(rows[1], f"{subs[0]},10,10,graded")
        self.assertTrue(rows[2].startswith(f"{subs[1]},"))
        self.assertNotEqual(rows[2], f"{subs[1]},10,10,graded")
