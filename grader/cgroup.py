"""cgroup.py - a control group per submission: its memory and its processes bounded whole.

The per-process limits (64 processes, 1 GiB of address space each) leave 64
GiB to one submission, more than a grading machine has. Where the grader
can make a control group, each submission's sandbox runs in one of its own,
with a bound on the memory of all its processes together (memory.max, and
no swap) and on their number (pids.max). What runs past the memory bound is
ended by the kernel within the group (the largest process first: the
student's), not anywhere else on the machine; the report says so.

cgroup v2 (the unified hierarchy): a group ipc-lab/NAME at the top of the
hierarchy, whose ipc-lab parent holds no process (the kernel's rule for a
group that passes controllers on). cgroup v1 (hybrid systems): NAME under
this process's own group of the memory and of the pids hierarchy. Where
neither can be made (a container whose cgroup file system is read-only),
make() returns None and the caller says so once; the per-process limits
still hold.
"""
import os
import time

ROOT = "/sys/fs/cgroup"
PARENT = "ipc-lab"


class Group:
    """One submission's control group: its directories (one, or one per v1
    hierarchy) and the cgroup.procs files the sandbox writes itself into."""

    def __init__(self, dirs, v2, memory_max):
        self.dirs, self.v2, self.memory_max = dirs, v2, memory_max

    def procs(self):
        return [os.path.join(d, "cgroup.procs") for d in self.dirs]

    def oom_kills(self):
        """How many processes the kernel ended at the memory bound."""
        name = "memory.events" if self.v2 else "memory.oom_control"
        for d in self.dirs:
            try:
                with open(os.path.join(d, name)) as f:
                    for line in f:
                        key, _, value = line.partition(" ")
                        if key == "oom_kill":
                            return int(value)
            except (OSError, ValueError):
                continue
        return 0

    def remove(self, wait=5.0):
        """Remove the directories; a group empties moments after its last
        process has exited."""
        deadline = time.monotonic() + wait
        for d in self.dirs:
            while True:
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.05)  # the kernel's own clean-up, no event to wait on


def _write(path, value):
    with open(path, "w") as f:
        f.write(value)


def _v1_own(controller):
    """This process's group in the v1 hierarchy of CONTROLLER, or None."""
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(","):
                    return path
    except OSError:
        pass
    return None


def _parents():
    """Where make() puts groups: the v2 parent, or this process's v1 groups."""
    if os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        return [os.path.join(ROOT, PARENT)]
    return [os.path.join(ROOT, c, own.lstrip("/"))
            for c in ("memory", "pids") if (own := _v1_own(c)) is not None]


def remove_named(prefix):
    """Remove the groups whose names start with PREFIX (a killed grader's,
    emptied with its sandboxes): what cannot be removed stays."""
    for parent in _parents():
        try:
            names = [n for n in os.listdir(parent) if n.startswith(prefix)]
        except OSError:
            continue
        for n in names:
            try:
                os.rmdir(os.path.join(parent, n))
            except OSError:
                pass


def make(name, memory_max, pids_max):
    """A new group NAME bounded to MEMORY_MAX bytes and PIDS_MAX processes,
    or None where none can be made here."""
    made = []
    try:
        if os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
            parent = os.path.join(ROOT, PARENT)
            os.makedirs(parent, exist_ok=True)
            with open(os.path.join(ROOT, "cgroup.subtree_control")) as f:
                enabled = f.read().split()
            for c in ("memory", "pids"):
                if c not in enabled:
                    _write(os.path.join(ROOT, "cgroup.subtree_control"), "+" + c)
            _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids")
            d = os.path.join(parent, name)
            os.mkdir(d)
            made.append(d)
            _write(os.path.join(d, "memory.max"), str(memory_max))
            if os.path.exists(os.path.join(d, "memory.swap.max")):
                _write(os.path.join(d, "memory.swap.max"), "0")
            _write(os.path.join(d, "pids.max"), str(pids_max))
            return Group(made, True, memory_max)
        for controller, limits in (
                ("memory", [("memory.limit_in_bytes", memory_max),
                            ("memory.memsw.limit_in_bytes", memory_max)]),
                ("pids", [("pids.max", pids_max)])):
            own = _v1_own(controller)
            if own is None:
                raise OSError(f"no cgroup v1 {controller} hierarchy")
            d = os.path.join(ROOT, controller, own.lstrip("/"), name)
            os.mkdir(d)
            made.append(d)
            for file, value in limits:
                if file != "memory.memsw.limit_in_bytes" or os.path.exists(os.path.join(d, file)):
                    _write(os.path.join(d, file), str(value))
        return Group(made, False, memory_max)
    except OSError:
        Group(made, False, memory_max).remove(wait=0)
        return None
