"""platforms/ship and checks/no_reference.py: what leaves the repository holds no reference."""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from . import ROOT

import rubric


def load(path, name):
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(ROOT, path))
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


ship = load("platforms/ship", "ship")
no_reference = load("checks/no_reference.py", "no_reference")
REFERENCE = rubric.files(rubric.load(), "reference")
ALL_PARTS = ",".join(rubric.load()["parts"])


class Ship(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def run_ship(self, *args):
        return subprocess.run([sys.executable, "-B", os.path.join(ROOT, "platforms/ship"), *args],
                              capture_output=True, text=True)

    def test_grading_allow_list(self):
        """ship grading copies exactly grade, grader/, tests/ and the PrairieLearn entry point."""
        dest = os.path.join(self.dir, "g")
        self.assertEqual(self.run_ship("grading", dest).returncode, 0)
        self.assertEqual(sorted(os.listdir(dest)), ["grade", "grader", "platforms", "tests"])
        self.assertEqual(os.listdir(os.path.join(dest, "platforms")), ["prairielearn"])
        self.assertEqual(no_reference.findings([dest]), [])

    def test_starter_layout(self):
        """ship starter lays out Part 0's files, the parts' given files and skeletons, no reference."""
        dest = os.path.join(self.dir, "s")
        r = self.run_ship("starter", dest, "--parts", ALL_PARTS, "--image", "reg/ipc:1")
        self.assertEqual(r.returncode, 0, r.stderr)
        for f in ["listener.c", "cat.py", "Makefile", "secret.txt", "litterbox/treasure.txt",
                  ".gitignore", ".gitlab-ci.yml", "README.md", ".github/workflows/classroom.yml",
                  "test_listener.sh", "test_full_dd.sh", "test_fifo.sh",
                  "keeper/HANDOUT.md", "shm/letter.h", "fifo/frame.h", "keeper/paw.c"]:
            self.assertTrue(os.path.isfile(os.path.join(dest, f)), f)
        self.assertFalse(os.path.exists(os.path.join(dest, "shm/common.h")))
        # Our suites and their fixtures (peers of the parts' programs) stay in the image.
        self.assertFalse(os.path.exists(os.path.join(dest, "tests")))
        self.assertTrue(os.access(os.path.join(dest, "test_keeper.sh"), os.X_OK))
        for f in ("Makefile", ".gitlab-ci.yml", ".github/workflows/classroom.yml"):
            with open(os.path.join(dest, f), encoding="utf-8") as fh:
                text = fh.read()
            self.assertIsNone(re.search(r"@[A-Z]+@", text), f)
            self.assertIn("reg/ipc:1", text, f)
        with open(os.path.join(dest, ".gitignore"), encoding="utf-8") as fh:
            ignored = fh.read().split()
        # Part 0's outputs; an optional part's are the student's to add (and graded).
        self.assertIn("listener", ignored)
        self.assertNotIn("fifo/mqsender", ignored)
        self.assertEqual(no_reference.findings([dest]), [])

    def test_starter_default_parts(self):
        """ship starter without --parts ships the default parts only: no optional part's files."""
        dest = os.path.join(self.dir, "s")
        self.assertEqual(self.run_ship("starter", dest).returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(dest, "keeper")))
        self.assertEqual(sorted(f for f in os.listdir(dest) if f.startswith("test_")),
                         ["test_cat.sh", "test_cat_exploit.sh", "test_full_dd.sh",
                          "test_listener.sh"])
        # The starter is Part 0 done: its directions are not the student's points.
        with open(os.path.join(dest, "Makefile"), encoding="utf-8") as f:
            self.assertIn("PARTS ?= part1,part2\n", f.read())

    def test_starter_skeletons_do_not_build(self):
        """ship starter's skeletons of C programs stop the compiler, saying what to write."""
        dest = os.path.join(self.dir, "s")
        self.assertEqual(self.run_ship("starter", dest, "--parts", ALL_PARTS).returncode, 0)
        for rel in ("listener.c", "shm/reader.c", "fifo/mqsender.c", "keeper/paw.c"):
            with open(os.path.join(dest, rel), encoding="utf-8") as f:
                self.assertRegex(f.read(), r'(?m)^#error ".*remove this line"$', rel)

    def test_gradescope_zip(self):
        """ship gradescope writes setup.sh, an executable run_autograder, the parts and no reference."""
        z = os.path.join(self.dir, "autograder.zip")
        self.assertEqual(self.run_ship("gradescope", z, "--parts", "part1,keeper").returncode, 0)
        with zipfile.ZipFile(z) as f:
            names = f.namelist()
            self.assertEqual(f.read("parts"), b"part1,keeper\n")
            mode = f.getinfo("run_autograder").external_attr >> 16
        self.assertIn("setup.sh", names)
        self.assertIn("grader/grade.py", names)
        self.assertTrue(mode & 0o100)
        self.assertFalse([n for n in names if n in REFERENCE])
        self.assertEqual(no_reference.findings([z]), [])

    def test_refuses(self):
        """ship refuses a directory that exists and an unknown part, and writes nothing."""
        r = self.run_ship("starter", self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn("already exists", r.stderr)
        r = self.run_ship("starter", os.path.join(self.dir, "x"), "--parts", "part9")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no such part: part9", r.stderr)
        self.assertEqual(os.listdir(self.dir), [])


class NoReference(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def test_finds_a_copy_renamed_and_reformatted(self):
        """no_reference finds a reference file renamed and re-indented, and names it."""
        with open(os.path.join(ROOT, "keeper/keeper.c"), encoding="utf-8") as f:
            text = "\n".join("    " + line.replace("\t", "  ") for line in f.read().splitlines())
        with open(os.path.join(self.dir, "notes.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        found = no_reference.findings([self.dir])
        self.assertEqual([(os.path.basename(n), ref) for n, ref, _, _ in found],
                         [("notes.txt", "keeper/keeper.c")])

    def test_finds_half_a_file_in_an_archive(self):
        """no_reference finds half of a reference file inside a zip."""
        with open(os.path.join(ROOT, "fifo/receiver.c"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        with zipfile.ZipFile(os.path.join(self.dir, "a.zip"), "w") as z:
            z.writestr("deep/part.c", "\n".join(lines[: len(lines) // 2]))
        found = no_reference.findings([self.dir])
        self.assertEqual([ref for _, ref, _, _ in found], ["fifo/receiver.c"])

    def test_handouts_and_suites_are_clean(self):
        """no_reference passes the handouts, the suites and their fixtures, which quote a line or two."""
        for rel in ("tests", "keeper/HANDOUT.md", "shm/HANDOUT.md", "fifo/HANDOUT.md",
                    "checks/samples/handout"):
            shutil.copytree(os.path.join(ROOT, rel), os.path.join(self.dir, rel)) \
                if os.path.isdir(os.path.join(ROOT, rel)) else \
                os.makedirs(os.path.dirname(os.path.join(self.dir, rel)), exist_ok=True) or \
                shutil.copy(os.path.join(ROOT, rel), os.path.join(self.dir, rel))
        self.assertEqual(no_reference.findings([self.dir]), [])

    def test_unreadable_archive(self):
        """no_reference calls an archive it cannot read an error, never clean."""
        with open(os.path.join(self.dir, "old.zip"), "w", encoding="utf-8") as f:
            f.write("not a zip")
        with self.assertRaises(OSError):
            no_reference.findings([self.dir])

