"""cpuwatch - how much a waiting program ran over a window of time.

    python3 cpuwatch.py [--account] MILLISECONDS PID [EXCLUDE_PID...]

Watches every thread of the program, of its descendants and of the
processes of its session, and, with --account, of every process of its
account (its real user ID: the grader's test accounts run nothing but code
under test): the threads and helpers a program may hide its work in, though
not the processes EXCLUDE_PID names (the suite's own, which may run as the
same account), nor cpuwatch itself. Prints one line:

    ticks=T switches=S processes=P threads=N

T is the CPU time (user and system, in clock ticks, /proc/PID/stat) and S
the context switches (voluntary and not, /proc/PID/status) they had during
the window, summed; a process or thread that appeared during it counts
from zero. The window is MILLISECONDS of the time the program could run: on
a loaded machine, a thread that waited for a CPU (run_delay, in
/proc/PID/task/TID/schedstat) had less of it, and the window grows by the
longest such wait, up to eight times MILLISECONDS. A poller starved of CPU
then still shows its wakeups, and a sleeper, which never waits for a CPU,
is watched for MILLISECONDS exactly.

A program asleep in pause(), sigwaitinfo(), semop(), poll() or mq_receive()
runs not at all while nothing arrives: 0 and 0, or a wakeup or two of a
bounded wait. One that polls (usleep() in a loop, a semop()
with IPC_NOWAIT) switches hundreds of times in a quarter of a second; one
that spins (a busy thread) takes ticks.

Exit status: 0; 2 when PID does not exist or on a usage error.
"""

import os
import sys
import time

PROG = "cpuwatch"


def stat_fields(path):
    """The fields of a /proc stat file after the name (which, in
    parentheses, may hold anything): field N of proc(5) is [N - 3]."""
    with open(path, encoding="ascii", errors="replace") as f:
        return f.read().rpartition(")")[2].split()


def real_uid(pid):
    """PID's real user ID, from its status (the owner of /proc/PID is root's
    for a process that is not dumpable, whoever it runs as)."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise OSError(f"no Uid line for {pid}")


def watched(pid, uid, exclude):
    """PID, its descendants, the processes of its session and, with UID,
    every process whose real user ID is UID: all but EXCLUDE."""
    procs = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                fields = stat_fields(f"/proc/{p}/stat")
                owner = real_uid(p) if uid is not None else None
            except OSError:
                continue                # gone meanwhile
            procs[p] = (fields[1], fields[3], owner)    # ppid, session, uid
    mine = {pid}
    session = procs.get(pid, (None, None, None))[1]
    grew = True
    while grew:
        grew = False
        for p, (ppid, sid, owner) in procs.items():
            if p not in mine and (ppid in mine or sid == session or
                                  (uid is not None and owner == uid)):
                mine.add(p)
                grew = True
    return {p for p in mine if int(p) not in exclude}


def threads_of(pid, uid, exclude):
    """{(pid, tid): (ticks, switches, run_delay)} for every thread of the
    watched processes; run_delay in nanoseconds."""
    seen = {}
    for p in watched(pid, uid, exclude):
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            base = f"/proc/{p}/task/{tid}"
            try:
                fields = stat_fields(base + "/stat")
                with open(base + "/status", encoding="ascii", errors="replace") as f:
                    switches = sum(int(line.split()[1]) for line in f
                                   if line.endswith("ctxt_switches:", 0, line.find(":") + 1))
                with open(base + "/schedstat", encoding="ascii") as f:
                    delay = int(f.read().split()[1])
            except (OSError, ValueError, IndexError):
                continue
            # utime and stime, fields 14 and 15.
            seen[(p, tid)] = (int(fields[11]) + int(fields[12]), switches, delay)
    return seen


def starved(before, after):
    """The most nanoseconds any thread seen both times waited for a CPU."""
    return max((after[k][2] - before[k][2] for k in after.keys() & before.keys()), default=0)


def main(argv):
    account = argv[:1] == ["--account"]
    argv = argv[1:] if account else argv
    if len(argv) < 2 or not all(a.isdigit() for a in argv):
        print(f"usage: {PROG} [--account] MILLISECONDS PID [EXCLUDE_PID...]", file=sys.stderr)
        return 2
    window, pid = int(argv[0]) / 1000, argv[1]
    exclude = {int(a) for a in argv[2:]} | {os.getpid()}
    try:
        uid = real_uid(pid) if account else None
    except OSError as e:
        print(f"{PROG}: process {pid}: {e.strerror}", file=sys.stderr)
        return 2
    start = time.monotonic()
    before = threads_of(pid, uid, exclude)
    time.sleep(window)  # ok-sleep: the measurement window, not synchronisation
    after = threads_of(pid, uid, exclude)
    # Longer by the time the program waited for a CPU, up to a bound.
    while True:
        elapsed = time.monotonic() - start
        if elapsed - starved(before, after) / 1e9 >= window or elapsed >= 8 * window:
            break
        time.sleep(window / 10)  # ok-sleep: the measurement window, not synchronisation
        after = threads_of(pid, uid, exclude)
    ticks = switches = 0
    for key, (t, s, _) in after.items():
        t0, s0, _ = before.get(key, (0, 0, 0))
        ticks += t - t0
        switches += s - s0
    procs = {p for p, _ in after}
    print(f"ticks={ticks} switches={switches} processes={len(procs)} threads={len(after)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
