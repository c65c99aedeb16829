"""two_graders.py - two graders at once, and whose test accounts each one used.

    python3 checks/two_graders.py OUT LO HI 'COMMAND A' 'COMMAND B'

Runs COMMAND A (a shell command line: ./grade, or a container that runs it),
and COMMAND B once A's student code runs: once a process of a test account
(a user ID from LO to HI-1) belongs to A. Meanwhile, every 10 ms, it notes
the user ID of each test account's process and the grader it belongs to: a
process belongs to a grader when it descends from the grader's command, or,
for a grader in a container, when its control group names the container
(the command writes the container's ID to OUT/a.cid or OUT/b.cid, as
`podman run --cidfile` does). Each command's output goes to OUT/a.out and
OUT/b.out. Prints:

    a STATUS            A's exit status
    b STATUS            B's exit status
    overlap yes|no      whether student code of both was seen at once
    uids-a UID...       the user IDs of A's test accounts' processes seen
    uids-b UID...       the same for B

Exits 2 when A runs no student code within 120 s.
"""

import os
import subprocess
import sys
import time

START_BOUND = 120
POLL = 0.01


def processes():
    """{pid: (ppid, uid)} of every process now."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            found[int(pid)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]))
        except (OSError, KeyError, ValueError):
            continue
    return found


def container_id(out, name):
    try:
        with open(os.path.join(out, name + ".cid"), encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


def in_container(pid, cid):
    try:
        with open(f"/proc/{pid}/cgroup", encoding="utf-8", errors="replace") as f:
            return cid in f.read()
    except OSError:
        return False


def scan(out, graders, lo, hi, seen):
    """Note the test accounts' processes of each grader in SEEN; the graders seen."""
    procs = processes()
    cids = {name: container_id(out, name) for name in graders}
    found = set()
    for pid, (_, uid) in procs.items():
        if not lo <= uid < hi:
            continue
        for name, proc in graders.items():
            p, hops = pid, 0
            while p > 1 and hops < 64 and p != proc.pid:
                p, hops = procs.get(p, (0, 0))[0], hops + 1
            if p == proc.pid or (cids[name] and in_container(pid, cids[name])):
                seen[name].add(uid)
                found.add(name)
    return found


def start(out, name, command):
    with open(os.path.join(out, name + ".out"), "wb") as f:
        return subprocess.Popen(["bash", "-c", command], stdin=subprocess.DEVNULL,
                                stdout=f, stderr=subprocess.STDOUT)


def main(out, lo, hi, command_a, command_b):
    lo, hi = int(lo), int(hi)
    seen = {"a": set(), "b": set()}
    graders = {"a": start(out, "a", command_a)}
    deadline = time.monotonic() + START_BOUND
    while "a" not in scan(out, graders, lo, hi, seen):
        if graders["a"].poll() is not None or time.monotonic() > deadline:
            graders["a"].kill()
            graders["a"].wait()
            print(f"two_graders: grader A ran no student code within {START_BOUND} s",
                  file=sys.stderr)
            return 2
        time.sleep(POLL)
    graders["b"] = start(out, "b", command_b)
    overlap = False
    while graders["b"].poll() is None:
        if scan(out, graders, lo, hi, seen) == {"a", "b"}:
            overlap = True
        time.sleep(POLL)
    graders["a"].wait()
    print("a", graders["a"].returncode)
    print("b", graders["b"].returncode)
    print("overlap", "yes" if overlap else "no")
    for name in "ab":
        print(f"uids-{name}", *sorted(seen[name]))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
