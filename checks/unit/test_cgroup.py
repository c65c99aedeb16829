"""grader/cgroup.py: what the kernel reports of a group, and where none can be made."""

import os
import tempfile
import unittest
from unittest import mock

import cgroup


class Group(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def test_oom_kills_v2(self):
        """oom_kills reads oom_kill from a v2 group's memory.events, not oom."""
        self.write("memory.events", "low 0\nhigh 0\nmax 9\noom 4\noom_kill 3\n")
        self.assertEqual(cgroup.Group([self.dir], True, 1 << 30).oom_kills(), 3)

    def test_oom_kills_v1(self):
        """oom_kills reads oom_kill from a v1 group's memory.oom_control."""
        self.write("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n")
        self.assertEqual(cgroup.Group([self.dir], False, 1 << 30).oom_kills(), 5)

    def test_no_report(self):
        """A group whose report cannot be read ended nothing."""
        self.assertEqual(cgroup.Group([self.dir], True, 1 << 30).oom_kills(), 0)

    def test_none_where_none_can_be_made(self):
        """make returns None where the cgroup file system is missing or read-only,
        and leaves nothing behind."""
        with mock.patch.object(cgroup, "ROOT", self.dir):
            self.assertIsNone(cgroup.make("ipc-grade.x.y", 1 << 30, 64))
        self.assertEqual(os.listdir(self.dir), [])

    def test_procs(self):
        """The sandbox joins every hierarchy's group: one cgroup.procs each."""
        group = cgroup.Group(["/a/memory/g", "/a/pids/g"], False, 1 << 30)
        self.assertEqual(group.procs(), ["/a/memory/g/cgroup.procs", "/a/pids/g/cgroup.procs"])


if __name__ == "__main__":
    unittest.main()
