"""grade - score IPC lab submissions with our own suites, whatever they contain.

    ./grade [--parts LIST] [--jobs N] [OUTPUT OPTIONS] SUBMISSION_DIR...
    ./grade --merge [OUTPUT OPTIONS] RECORD...

OUTPUT OPTIONS: --results, --junit, --csv, --html (the class report),
--canvas, --prairielearn, --github-classroom, --record (a shard's record, for
--merge); ./grade --help says what each writes.

Each submission is a student's repository root, laid out as in the handout.
Its files are copied into a fresh workspace; our bats suites (tests/) then run
against that copy, with our own random fixtures, while every student process
runs under a dedicated unprivileged account, without network, with bounded
processes, memory, file size and time. Scores come only from the TAP results
of the tests named in grader/rubric.json.

A submission whose grading could not run (the sandbox could not be set up,
our suites did not start, the grader's own tools are missing) is reported as
"not graded", with the reason, in every output, and never gets a score: what
counts is whether student code had run. What student code causes (a hang, a
flood) costs that submission its points.

Exit status: 0 when every submission got full marks, 1 when points were lost,
2 on a usage error or when any submission could not be graded; 128 + N when
signal N (SIGINT, SIGTERM, SIGHUP) stopped the grading.
"""

import argparse
import collections
import concurrent.futures
import errno
import fcntl
import json
import os
import queue
import re
import secrets
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

import cgroup
import reports
import rubric as rubric_file
import shards

PROG = "grade"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
RUBRIC = rubric_file.PATH
SANDBOX = os.path.join(HERE, "sandbox.sh")
SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# What is copied from a submission, at the most.
MAX_FILE = 1 << 20          # bytes in one file: sources are small
MAX_TOTAL = 32 << 20        # bytes in all
MAX_FILES = 2000
SKIP_DIRS = {".git"}
MAX_DEPTH = 64              # directories deep, in a submission
MAX_NOTES = 20              # notes on files not copied, in the report
LAB_CONF = os.path.join(HERE, "lab.conf")


def read_conf(path=LAB_CONF):
    """The NAME=VALUE lines of a shell-syntax file: each value as the shell
    assigns it (quotes removed), a string."""
    conf = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, value = line.partition("=")
                conf[name] = " ".join(shlex.split(value))
    return conf


CONF = read_conf()
# Fresh namespaces, each submission's own (lab.conf says which); every
# process in them dies with the sandbox, and no mount leaves them.
UNSHARE = ["unshare", *CONF["GRADE_UNSHARE"].split(),
           "--kill-child", "--propagation", "private"]
# Seconds any one wait of a test may take (LAB_BOUND): a correct submission
# needs milliseconds, even on a loaded machine.
TEST_BOUND = 3
# Each part's bound, in seconds: SUITE_BOUND_BASE for each of its suites
# (their builds) and SUITE_BOUND_PER_TEST for each of its tests, far above
# what a correct submission needs on a loaded machine. When it runs out,
# the sandbox stops that part alone: its tests not yet reported score 0,
# and its lane goes on with the next part, so one part's slowness costs
# only that part's tests. GRADE_PART_BOUND sets one bound for every part
# (the self-tests force a time-out with it).
SUITE_BOUND_BASE = 60
SUITE_BOUND_PER_TEST = 12
# What stopping a part and sweeping after it may take, in seconds.
PART_STOP_SLACK = 15
# A whole submission's bound, in seconds: by default its longest lane's
# part bounds, plus SUBMISSION_SLACK; a bound on our own failures, which a
# submission's code never reaches. GRADE_SUBMISSION_BOUND sets another (the
# self-tests force a time-out with it).
SUBMISSION_SLACK = 30
SUBMISSION_BOUND = int(os.environ.get("GRADE_SUBMISSION_BOUND") or 0) or None
# How much of the suites' TAP stream is kept for one submission.
MAX_TAP = 4 << 20
# The directory of the grading run under way (main makes it, root's alone):
# the network filter, built once (bin/nonet), and each job slot's account
# files (accounts.JOB, made by its probe).
RUN_DIR = None


class GradeError(Exception):
    """Grading cannot run at all (exit status 2)."""


class NotGraded(Exception):
    """One submission could not be graded, through no fault of its code."""


# --- stopping ----------------------------------------------------------------------
#
# Every sandbox runs in a session of its own (so that a timeout can kill it
# whole), which also keeps a terminal's Ctrl-C from reaching it. So the
# grader stops them itself: on SIGINT, SIGTERM or SIGHUP it kills every
# sandbox running, grades nothing more, writes what it has (the rest "not
# graded"), and exits 128 + the signal's number.

STOPPING = threading.Event()
RUNNING = {}                 # the sandboxes running now: PID -> isolation mode
RUNNING_LOCK = threading.Lock()


class Interrupted(Exception):
    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def kill_sandbox(pid, mode):
    """SIGKILL the sandbox whose leader is PID.

    In a namespace, its PID 1 (unshare's child) alone: the kernel kills every
    other process of the namespace, and the exit of PID 1, which unshare
    waits for, completes only once they are all gone. So once the sandbox has
    been waited for, nothing of it writes into its working directory any
    more. (Killed with unshare, PID 1 would be left to die on its own while
    the grader removes that directory.) In a container, its process group:
    the grader's sweep then ends what the test accounts still run."""
    if mode == "namespace":
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                children = [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            children = []
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if children:
            return
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_running():
    with RUNNING_LOCK:
        for pid, mode in RUNNING.items():
            kill_sandbox(pid, mode)


def on_stop_signal(signum, frame):
    if STOPPING.is_set():
        return
    STOPPING.set()
    kill_running()
    raise Interrupted(signum)


def warn(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)


def remove_tree(path):
    """Remove PATH and everything under it, however deep: shutil.rmtree
    recurses, and code under test can make a tree deeper than Python's
    recursion limit in its scratch space. rm neither follows a symbolic link
    nor leaves the file system; what it cannot remove is said."""
    if not os.path.lexists(path):
        return
    subprocess.run(["rm", "-rf", "--one-file-system", "--", path], stdin=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={"PATH": SANDBOX_PATH})
    if os.path.lexists(path):
        warn(f"cannot remove {reports.printable(path)}")


# --- the run's scratch directories -------------------------------------------
# A run's directories in the temporary directory carry its name: its own,
# ipc-run.ID, and each submission's work and probe directories,
# ipc-grade.ID.XXXX and ipc-probe.ID.XXXX. The run holds a lock on
# ipc-run.ID/lock while it lives; the kernel drops the lock when the run
# ends, however it ends. A run killed outright (SIGKILL, the OOM killer)
# leaves its directories behind, and the next run removes them.
RUN_LOCK = "lock"
# The modes of the directories the run closed (close_dirs), to give back.
CLOSED = "closed"
RUN_LOCK_FDS = []


def make_run_dir():
    """A new ipc-run.ID directory, root's alone, its lock held by this process
    until it exits. The lock file is locked before it takes its name, so that
    no other run ever sees it unlocked."""
    run = tempfile.mkdtemp(prefix="ipc-run.")
    part = os.path.join(run, RUN_LOCK + ".new")
    fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(part, os.path.join(run, RUN_LOCK))
    RUN_LOCK_FDS.append(fd)
    return run


def scratch_dir(kind, run=None):
    """A new ipc-KIND.ID.XXXX directory of the run RUN (default RUN_DIR);
    ipc-KIND.XXXX without one."""
    run = run or RUN_DIR
    name = os.path.basename(run or "")
    prefix = f"ipc-{kind}."
    if name.startswith("ipc-run."):
        prefix += name[len("ipc-run."):] + "."
    return tempfile.mkdtemp(prefix=prefix)


def _own_dir(path):
    """PATH is a directory (not a link to one) of the user running this."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()


def remove_stale_runs(tmp=None):
    """Remove the directories of the runs that were killed outright: each
    ipc-run.ID of ours in TMP (default the temporary directory) whose lock
    no process holds, and its ipc-grade.ID.* and ipc-probe.ID.*. A run's
    directory without a lock file (being made, or made otherwise) is left
    alone. The directories removed, in a list."""
    tmp = tmp or tempfile.gettempdir()
    try:
        names = os.listdir(tmp)
    except OSError:
        return []
    removed = []
    for name in names:
        run = os.path.join(tmp, name)
        if not name.startswith("ipc-run.") or not _own_dir(run):
            continue
        try:
            fd = os.open(os.path.join(run, RUN_LOCK), os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue                # the run is alive
            run_id = name[len("ipc-run."):]
            for other in names:
                path = os.path.join(tmp, other)
                if other.startswith((f"ipc-grade.{run_id}.", f"ipc-probe.{run_id}.")) and _own_dir(path):
                    remove_tree(path)
                    removed.append(path)
            cgroup.remove_named(f"ipc-grade.{run_id}.")
            open_dirs(os.path.join(run, CLOSED))
            remove_tree(run)
            removed.append(run)
        finally:
            os.close(fd)
    return removed


def load_rubric():
    try:
        return rubric_file.load(RUBRIC, suites_dir=TESTS)
    except rubric_file.RubricError as e:
        raise GradeError(str(e)) from e


# --- environment -------------------------------------------------------------

def in_container():
    return (os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv")
            or bool(os.environ.get("container")))


def isolation_mode(run=None):
    """'namespace' when the sandbox can be set up in fresh namespaces, 'container'
    inside a container where it cannot.

    Decided once, before any student code runs, by setting the sandbox up for
    real (sandbox.sh --probe), with job 0's copies of /etc in RUN (made here,
    and removed, without RUN) and a namespace for each of its lanes: in a
    privileged container 'unshare' works, yet a mount the sandbox needs might
    not.
    """
    if run is None:
        run = tempfile.mkdtemp(prefix="ipc-run.")
        try:
            account_files(run, [int(CONF["GRADE_UID_BASE"])], int(CONF["GRADE_LANES"]))
            host_exposures(os.path.join(run, "host-hide"))
            return isolation_mode(run)
        finally:
            remove_tree(run)
    work = scratch_dir("probe", run)
    env = {"PATH": SANDBOX_PATH, "LANG": "C.UTF-8", "GRADE_ISOLATED": "1",
           "GRADE_ROOT": ROOT, "GRADE_ACCOUNT_FILES": os.path.join(run, "accounts.0"),
           "GRADE_HOST_HIDE": os.path.join(run, "host-hide")}
    try:
        r = subprocess.run(
            UNSHARE + ["bash", SANDBOX, "--probe", work], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=work, timeout=30)
        if r.returncode == 0:
            return "namespace"
        lines = r.stdout.decode(errors="replace").strip().splitlines()
        why = next((ln for ln in lines if ln.startswith("Bail out!")),
                   lines[-1] if lines else f"exit status {r.returncode}")
    except (OSError, subprocess.TimeoutExpired) as e:
        why = str(e)
    finally:
        remove_tree(work)
    if in_container():
        warn(f"the namespace sandbox cannot be set up here ({why}); in this container, "
             "the container is the sandbox, one submission at a time")
        return "container"
    raise GradeError(f"cannot make a sandbox in fresh namespaces ({why}); run as root on "
                     "Linux, or in the course image (see README)")


# Where the machine offers something to every user besides the scratch
# directories (sandbox.sh hides /run whole): the trees host_exposures walks,
# and the ones it never enters (virtual, or the sandbox's own scratch).
EXPOSURE_ROOTS = ("/var", "/srv", "/opt", "/home", "/mnt", "/media", "/dev", "/root")
EXPOSURE_SKIP = {"/var/tmp", "/var/run", "/var/lock", "/dev/shm", "/dev/mqueue", "/dev/pts"}
EXPOSURE_MAX_DEPTH = 8
EXPOSURE_MAX_ENTRIES = 200000


def host_exposures(out, private=()):
    """Write to OUT what a test account could reach outside the scratch
    directories and /run: each directory of PRIVATE ("p PATH", from
    private_dirs), each socket ("s PATH") and each directory any user may
    write to ("d PATH"), NUL-separated, for sandbox.sh to hide in each
    submission's namespace (hide_host). Walks EXPOSURE_ROOTS once a run,
    only into directories others may search, EXPOSURE_MAX_DEPTH deep at
    most. Returns (number found, whether the walk was cut short)."""
    found, seen, cut = ["p " + d for d in private], 0, False
    pending = [(r, 0) for r in EXPOSURE_ROOTS]
    while pending:
        path, depth = pending.pop()
        # What a private directory holds is hidden with it (and under /mnt,
        # where sandbox.sh holds the work directory meanwhile, nothing may
        # be mounted).
        if any(_inside(path, d) for d in private):
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISSOCK(st.st_mode):
            found.append("s " + path)
            continue
        if not stat.S_ISDIR(st.st_mode) or path in EXPOSURE_SKIP:
            continue
        if st.st_mode & 0o002:
            # Hidden whole: what is below needs no walk.
            found.append("d " + path)
            continue
        if not st.st_mode & 0o011 or depth >= EXPOSURE_MAX_DEPTH:
            continue
        try:
            with os.scandir(path) as it:
                names = [e.name for e in it]
        except OSError:
            continue
        seen += len(names)
        if seen > EXPOSURE_MAX_ENTRIES:
            cut = True
            break
        pending.extend((os.path.join(path, n), depth + 1) for n in names)
    with open(out, "wb") as f:
        f.write(b"".join(os.fsencode(x) + b"\0" for x in found))
    return len(found), cut


# --- what student code may read ----------------------------------------------
# Student code reads its own submission's copy (in the work directory), the
# system it builds and runs with, and its scratch space. Out of its sight go
# the directories that hold what it must not read: the working directory
# (a class pipeline's checkout, with every submission and perhaps the
# course's own files), the directory of each submission (its siblings) and
# the grader's tree. In a namespace, where hiding costs nothing outside it,
# student code sees nothing of the machine but NAMESPACE_VISIBLE: every
# other entry of / and of /var is hidden, wherever another clone of the lab
# (a reference) or another class may sit, under whatever name. Never one
# the sandbox needs: a system tree, the temporary directory's, a tool's.
NAMESPACE_VISIBLE = ("/bin", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
                     "/run", "/sbin", "/sys", "/tmp", "/usr", "/var", "/var/tmp")
SYSTEM_TREES = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                "/dev", "/proc", "/sys", "/run", "/boot", "/var/lib", "/var/cache",
                "/var/log", "/var/spool")
SYSTEM_DIRS = ("/", "/tmp", "/var", "/var/tmp")
NEEDED_TOOLS = ("bash", "sh", "python3", "make", "cc", "gcc", "bats", "setpriv", "timeout")


def _inside(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


def _subdirs(top):
    """The directories in TOP (not links to one), by name."""
    try:
        with os.scandir(top) as it:
            return sorted(e.path for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def _needed_dirs():
    """What the sandbox runs from: the temporary directory (the run's), the
    tools (a tool under a bin directory with the rest of its package), and
    bats' libraries (BATS_LIB_PATH, and where the links in it lead)."""
    needed = [os.path.realpath(tempfile.gettempdir())]
    if RUN_DIR:
        needed.append(os.path.realpath(RUN_DIR))
    for tool in NEEDED_TOOLS:
        found = shutil.which(tool, path=SANDBOX_PATH)
        if found:
            d = os.path.dirname(os.path.realpath(found))
            needed.append(os.path.dirname(d) if os.path.basename(d) in ("bin", "sbin") else d)
    for lib in (os.environ.get("BATS_LIB_PATH") or "/usr/lib/bats").split(":"):
        if not lib or not os.path.isdir(lib):
            continue
        needed.append(os.path.realpath(lib))
        with os.scandir(lib) as it:
            needed += [os.path.realpath(e.path) for e in it if e.is_symlink() and os.path.isdir(e.path)]
    return list(dict.fromkeys(needed))


def private_dirs(paths, mode, cwd=None):
    """The directories to put out of student code's sight while PATHS are
    graded in MODE, outermost only: in a namespace each becomes an empty
    read-only tmpfs (sandbox.sh, hide_private); in a container each is
    closed to other users (close_dirs). A directory that holds one the
    sandbox needs is not hidden itself: the others in it are, down to it."""
    cwd = os.path.realpath(cwd or os.getcwd())
    subs = [os.path.realpath(p) for p in paths]
    wanted = [cwd] + [os.path.dirname(p) for p in subs]
    if mode != "namespace":
        # The grader's tree, which a namespace hides whole (sandbox.sh).
        wanted.append(ROOT)
    wanted = [w for w in dict.fromkeys(os.path.realpath(w) for w in wanted)
              if w not in SYSTEM_DIRS and not any(_inside(w, t) for t in SYSTEM_TREES)]
    if mode == "namespace":
        wanted += [d for top in ("/", "/var") for d in _subdirs(top)
                   if d not in NAMESPACE_VISIBLE]
    needed = _needed_dirs()
    dirs, seen = [], set()
    pending = collections.deque(wanted)
    while pending:
        d = pending.popleft()
        # In a container, a submission's own directory is the student's,
        # graded from a copy: it stays as it is. A namespace hides it too.
        if (d in seen or (mode != "namespace" and d in subs) or d in needed
                or not os.path.isdir(d)):
            continue
        seen.add(d)
        if any(_inside(n, d) for n in needed):
            pending.extend(_subdirs(d))
            continue
        dirs.append(d)
    # Outermost only: in path order (by component), each one not inside
    # the last kept.
    outer = []
    for d in sorted(dirs, key=lambda d: d.split("/")):
        if not outer or not _inside(d, outer[-1]):
            outer.append(d)
    return outer


# What close_dirs could not close: a note in every report.
OPEN_DIRS = []


def close_dirs(dirs, record):
    """Close each of DIRS to other users (no read, write or search) until
    open_dirs: in a container, what keeps student code, which runs as other
    users, out of them. Their modes before go to RECORD first, so that a
    grader killed outright has them restored by the next one
    (remove_stale_runs). A directory closed already is left alone."""
    closed = []
    for d in dirs:
        try:
            st = os.stat(d)
        except OSError:
            continue
        if st.st_mode & 0o007:
            closed.append((d, stat.S_IMODE(st.st_mode)))
    with open(record, "wb") as f:
        f.write(b"".join(b"%o %s\0" % (m, os.fsencode(d)) for d, m in closed))
        f.flush()
        os.fsync(f.fileno())
    for d, m in closed:
        try:
            os.chmod(d, m & ~0o007)
        except OSError as e:
            # A read-only mount, say: said in every report, never silently.
            OPEN_DIRS.append(f"student code could read {reports.printable(d)}, which the "
                             f"grader cannot close to it ({e.strerror})")
    for why in OPEN_DIRS:
        warn(why)
    return closed


def open_dirs(record):
    """Give back the modes that close_dirs took away, from its RECORD."""
    try:
        with open(record, "rb") as f:
            entries = [e for e in f.read().split(b"\0") if e]
    except FileNotFoundError:
        return
    for e in entries:
        mode, _, path = e.partition(b" ")
        try:
            st = os.stat(path)
            # Only what is still as we left it: a mode changed since is someone's.
            if stat.S_IMODE(st.st_mode) == int(mode, 8) & ~0o007:
                os.chmod(path, int(mode, 8))
        except (OSError, ValueError):
            warn(f"cannot give {reports.printable(os.fsdecode(path))} its mode "
                 f"{mode.decode(errors='replace')} back")
    os.unlink(record)


# The files that hold accounts, which each lane's copy of /etc replaces.
ACCOUNT_FILES = ("passwd", "group", "shadow", "gshadow")
UIDS_PER_JOB = 10


def account_files(run, ranges, lanes, etc="/etc"):
    """Make RUN/accounts.JOB/LANE, a copy of /etc for each job's lane: the
    machine's files, hard links where the file system allows (cp -al, a few
    hundredths of a second), and its own account files (passwd, group,
    shadow, gshadow): the machine's accounts plus the test accounts (lab.conf's
    GRADE_ACCOUNTS) of that lane, with user IDs no other job or lane holds,
    and no other account of the same name (RANGES: the first user ID of each
    job's range, from claim_uid_ranges). The sandbox binds it over /etc,
    read-only, in the lane's own mount namespace: the accounts exist there
    alone, at the cost of no useradd and no copy per submission; and a
    directory bound over /etc, unlike a file bound over /etc/passwd, stays
    in place when the machine renames a new /etc/passwd into place (useradd,
    passwd) while a submission is graded."""
    accounts = [a.partition(":") for a in CONF["GRADE_ACCOUNTS"].split()]
    if len(accounts) * lanes > UIDS_PER_JOB:
        raise GradeError(f"lab.conf: {lanes} lanes of {len(accounts)} accounts exceed "
                         f"the {UIDS_PER_JOB} user IDs of a job")
    names = {name for name, _, _ in accounts}
    base = {}
    for f in ACCOUNT_FILES:
        try:
            with open(os.path.join(etc, f), encoding="utf-8", errors="surrogateescape") as fin:
                base[f] = [ln for ln in fin.read().splitlines()
                           if ln.split(":", 1)[0] not in names]
        except FileNotFoundError:
            continue
    taken = {int(x) for f in ("passwd", "group") for ln in base.get(f, [])
             for x in ln.split(":")[2:3] if x.isdigit()}
    days = int(time.time() // 86400)
    for job, first in enumerate(ranges):
        for lane in range(lanes):
            lines = {f: list(v) for f, v in base.items()}
            members = {}
            uid = first + len(accounts) * lane
            for name, _, group in accounts:
                u = uid
                while u in taken:
                    u += 100
                lines["passwd"].append(f"{name}:x:{u}:{u}::/nonexistent:/usr/sbin/nologin")
                lines["group"].append(f"{name}:x:{u}:")
                if "shadow" in lines:
                    lines["shadow"].append(f"{name}:!:{days}::::::")
                if "gshadow" in lines:
                    lines["gshadow"].append(f"{name}:!::")
                if group:
                    members.setdefault(group, []).append(name)
                uid += 1
            for f in ("group", "gshadow"):
                for i, ln in enumerate(lines.get(f, [])):
                    fields = ln.split(":")
                    if len(fields) > 3 and fields[0] in members:
                        have = [m for m in fields[3].split(",") if m]
                        fields[3] = ",".join(have + members[fields[0]])
                        lines[f][i] = ":".join(fields)
            os.makedirs(os.path.join(run, f"accounts.{job}"), 0o700, exist_ok=True)
            tree = os.path.join(run, f"accounts.{job}", str(lane))
            copy_etc(etc, tree)
            for f, text in lines.items():
                st = os.stat(os.path.join(etc, f))
                path = os.path.join(tree, f)
                os.unlink(path)  # a hard link to the machine's: never written through
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with open(fd, "w", encoding="utf-8", errors="surrogateescape") as fout:
                    fout.write("\n".join(text) + "\n")
                os.chown(path, st.st_uid, st.st_gid)
                os.chmod(path, stat.S_IMODE(st.st_mode))


# The locks of the ranges of user IDs claimed by the graders running on this
# machine: one file per range of UIDS_PER_JOB IDs, locked (flock) by the
# grader that uses it, for as long as it runs (the kernel drops a lock when
# its holder dies, however it dies).
UID_LOCKS = "/run/lock/ipc-lab"
CLAIMED_FDS = []
# The first user ID of each job slot's range, this run.
JOB_UIDS = []


def claim_uid_ranges(jobs):
    """The first user ID of JOBS ranges of test accounts' user IDs, each held
    by no other grader running on this machine, in any process: per-user
    limits (processes, message queues, pipe buffers) are counted per user
    ID across the machine, so a fork bomb graded by one grader must not use
    up the reference's processes in another. Each range stays locked until
    this process exits. GradeError when no range is free."""
    first, span = int(CONF["GRADE_UID_BASE"]), int(CONF["GRADE_UID_SPAN"])
    try:
        os.makedirs(UID_LOCKS, 0o700, exist_ok=True)
    except OSError as e:
        raise GradeError(f"cannot make {UID_LOCKS}: {e.strerror}") from e
    claimed = []
    for r in range(span // UIDS_PER_JOB):
        if len(claimed) == jobs:
            break
        fd = os.open(os.path.join(UID_LOCKS, f"uids.{first + r * UIDS_PER_JOB}"),
                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        CLAIMED_FDS.append(fd)
        claimed.append(first + r * UIDS_PER_JOB)
    if len(claimed) < jobs:
        raise GradeError(f"no free range of test accounts' user IDs ({span // UIDS_PER_JOB} "
                         f"ranges from {first}, in {UID_LOCKS}): too many graders run here")
    return claimed


# In a container, the test accounts are the container's own, in its /etc,
# with the same names whichever grader makes them: two graders in one
# container would share them, and each one's clean-up would kill the
# other's processes. The grader that holds this lock is the container's
# only one; another waits for it.
CONTAINER_LOCK = "/etc/.ipc-lab-grader.lock"


def hold_container_accounts(path=CONTAINER_LOCK):
    """Be the only grader of this container's test accounts until this
    process exits: wait, saying so, while another grader holds them."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise GradeError(f"cannot make {path}: {e.strerror}") from e
    CLAIMED_FDS.append(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        warn("another grader is grading in this container, whose test accounts it "
             "shares: waiting for it to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)


def copy_etc(etc, tree):
    """TREE: a copy of ETC, its files and symbolic links hard links where
    the file system allows (made anew elsewhere), its directories made anew,
    with their owners and modes. A file that vanishes meanwhile (useradd
    renames files in and out) is left out; anything but a file, a directory
    or a link, too."""
    link = True

    def own(path, st):
        os.chown(path, st.st_uid, st.st_gid, follow_symlinks=False)
        if not stat.S_ISLNK(st.st_mode):
            os.chmod(path, stat.S_IMODE(st.st_mode))

    def copy(src, dst):
        nonlocal link
        try:
            st = os.lstat(src)
            if not (stat.S_ISLNK(st.st_mode) or stat.S_ISREG(st.st_mode)):
                return
            if link:
                # A hard link, to a symbolic link's own inode too: a new
                # inode costs a millisecond on some file systems, and /etc
                # holds hundreds of links (alternatives, rc?.d).
                try:
                    os.link(src, dst, follow_symlinks=False)
                    return
                except OSError as e:
                    if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                        raise
                    link = False
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copyfile(src, dst, follow_symlinks=False)
            own(dst, st)
        except FileNotFoundError:
            pass

    try:
        os.mkdir(tree, 0o700)
        own(tree, os.stat(etc))
        for dirpath, dirnames, filenames in os.walk(etc):
            to = os.path.join(tree, os.path.relpath(dirpath, etc))
            for d in list(dirnames):
                src, dst = os.path.join(dirpath, d), os.path.join(to, d)
                if os.path.islink(src):
                    dirnames.remove(d)
                    copy(src, dst)
                    continue
                try:
                    st = os.lstat(src)
                except FileNotFoundError:
                    dirnames.remove(d)
                    continue
                os.mkdir(dst, 0o700)
                own(dst, st)
            for f in filenames:
                copy(os.path.join(dirpath, f), os.path.join(to, f))
    except OSError as e:
        raise GradeError(f"cannot copy {etc}: {e}") from e


def tests_per_part(rubric):
    """How many tests each part has, in rubric order."""
    return collections.Counter(t["part"] for t in rubric["tests"])


def part_suites(rubric):
    """Each part's suites, in rubric order, by part."""
    found = {}
    for t in rubric["tests"]:
        found.setdefault(t["part"], {})[t["suite"]] = None
    return {part: list(suites) for part, suites in found.items()}


def part_bounds(rubric):
    """Each part's bound in seconds (SUITE_BOUND_BASE, SUITE_BOUND_PER_TEST)."""
    forced = int(os.environ.get("GRADE_PART_BOUND") or 0)
    count = tests_per_part(rubric)
    return {part: forced or SUITE_BOUND_BASE * len(suites) + SUITE_BOUND_PER_TEST * count[part]
            for part, suites in part_suites(rubric).items()}


def plan_lanes(rubric, lanes):
    """The rubric's parts in at most LANES groups of about as many tests
    each (longest first, each to the lightest lane), in rubric order within
    a group: a list of lists of parts."""
    count = tests_per_part(rubric)
    parts = list(count)
    groups = [[] for _ in range(max(1, min(lanes, len(parts))))]
    load = [0] * len(groups)
    for part in sorted(parts, key=lambda p: -count[p]):
        i = load.index(min(load))
        groups[i].append(part)
        load[i] += count[part]
    return [sorted(g, key=parts.index) for g in groups if g]


def lane_args(rubric, groups):
    """sandbox.sh's lanes, each group of plan_lanes as PART:BOUND:SUITE+SUITE,...
    and the whole submission's bound, in seconds (SUBMISSION_BOUND, when set)."""
    bounds, suites = part_bounds(rubric), part_suites(rubric)
    args = [",".join(f"{p}:{bounds[p]}:{'+'.join(suites[p])}" for p in g) for g in groups]
    longest = max((sum(bounds[p] + PART_STOP_SLACK for p in g) for g in groups), default=0)
    return args, SUBMISSION_BOUND or longest + SUBMISSION_SLACK


def build_nonet(run):
    """Start building the network filter (tests/helpers/nonet.c) and the time
    bound (bound.c) in RUN/bin, once a run (each submission gets a copy:
    prepare). Returns a function
    that waits for the build, and raises GradeError when it failed: the
    probe runs meanwhile."""
    os.mkdir(os.path.join(run, "bin"), 0o755)
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        ["bash", "-c", 'source "$1" && source "$2" && nonet_build "$3"', "nonet",
         LAB_CONF, os.path.join(TESTS, "helpers", "nonet.bash"), os.path.join(run, "bin")],
        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        env={"PATH": SANDBOX_PATH, "LANG": "C.UTF-8"})

    def built():
        with out:
            if proc.wait() != 0:
                out.seek(0)
                raise GradeError("cannot build the network filter: "
                                 + out.read().decode(errors="replace").strip()[-300:])
    return built


def check_environment():
    # Root is checked by ./grade itself, before anything is imported.
    r = subprocess.run(["bash", os.path.join(HERE, "deps.sh")], stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise GradeError("the test tools are missing (see the message above)")


# --- one submission ------------------------------------------------------------

def copy_submission(src, dst, notes):
    """Copy regular files and directories only, within the size limits.

    The walk keeps its own stack, and goes MAX_DEPTH directories deep at
    most: a recursive walk ends in RecursionError on a deep enough tree.
    Names go into the notes as reports.printable shows them (a name may hold
    a newline, or bytes that are not UTF-8). Raises OSError when SRC itself
    cannot be read."""
    total = files = 0
    os.mkdir(dst, 0o755)
    with os.scandir(src) as top:  # unreadable: the caller's OSError
        pending = [("", sorted(top, key=lambda e: e.name), 0)]
    while pending:
        rel, entries, depth = pending.pop()
        subdirs = []
        for entry in entries:
            shown = reports.printable(os.path.join(rel, entry.name))
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                st = entry.stat(follow_symlinks=False)
            except OSError as e:
                notes.append(f"{shown}: {e.strerror}, not copied")
                continue
            if entry.is_symlink():
                notes.append(f"{shown}: a symbolic link, not copied")
                continue
            if is_dir:
                if entry.name in SKIP_DIRS:
                    continue
                if depth + 1 >= MAX_DEPTH:
                    notes.append(f"{shown}: over {MAX_DEPTH} directories deep, not copied")
                    continue
                try:
                    with os.scandir(entry.path) as it:
                        children = sorted(it, key=lambda e: e.name)
                except OSError as e:
                    notes.append(f"{shown}: cannot read: {e.strerror}, not copied")
                    continue
                os.mkdir(os.path.join(dst, rel, entry.name), 0o755)
                subdirs.append((os.path.join(rel, entry.name), children, depth + 1))
                continue
            if not stat.S_ISREG(st.st_mode):
                notes.append(f"{shown}: not a regular file, not copied")
                continue
            if st.st_size > MAX_FILE:
                notes.append(f"{shown}: {st.st_size} bytes, over the {MAX_FILE}-byte "
                             "limit for one file, not copied")
                continue
            if files >= MAX_FILES or total + st.st_size > MAX_TOTAL:
                notes.append(f"{shown}: over the limit of {MAX_FILES} files or "
                             f"{MAX_TOTAL} bytes in all, not copied")
                continue
            target = os.path.join(dst, rel, entry.name)
            try:
                with open(entry.path, "rb") as fin, open(target, "xb") as fout:
                    shutil.copyfileobj(fin, fout)
                os.chmod(target, 0o755 if st.st_mode & 0o111 else 0o644)
            except OSError as e:
                notes.append(f"{shown}: {e.strerror}, not copied")
                continue
            files += 1
            total += st.st_size
        # A directory's files, then its subdirectories in order, each whole.
        pending.extend(reversed(subdirs))


def prepare(path, work, notes, suites):
    """Lay out WORK for sandbox.sh. False when there is nothing to grade;
    NotGraded when PATH is not a submission at all."""
    if not os.path.exists(path):
        raise NotGraded(f"{path}: no such directory")
    if not os.path.isdir(path):
        raise NotGraded(f"{path}: not a directory (a submission is a repository's root)")
    try:
        copy_submission(path, os.path.join(work, "sub"), notes)
    except OSError as e:
        if e.filename == path:
            # Not the student's doing (a root-squashed NFS mount, say): no score.
            raise NotGraded(f"cannot read the submission: {e.strerror}") from None
        notes.append(f"{reports.printable(path)}: cannot copy: {e}")
        return False
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES:] = [f"... and {len(notes) - MAX_NOTES} more files not copied"]
    if not os.listdir(os.path.join(work, "sub")):
        notes.append(f"{path}: the directory is empty")
    # Our suites, by allow-list: the ones the rubric names, and their helpers.
    tests = os.path.join(work, "tests")
    shutil.copytree(os.path.join(TESTS, "helpers"), os.path.join(tests, "helpers"))
    for suite in suites:
        shutil.copy(os.path.join(TESTS, suite + ".bats"), tests)
    os.mkdir(os.path.join(work, "tmp"))
    bin_dir = RUN_DIR and os.path.join(RUN_DIR, "bin")
    if bin_dir and os.path.exists(os.path.join(bin_dir, "nonet")):
        os.mkdir(os.path.join(work, "bin"), 0o755)
        for launcher in ("nonet", "bound"):
            shutil.copy(os.path.join(bin_dir, launcher), os.path.join(work, "bin", launcher))
    return True


# The TAP plan line, which bats prints before any test (and any student code) runs.
TAP_PLAN = re.compile(r"1\.\.\d+")


# Whether a control group could be made here (None: not tried yet).
CGROUPS = None


def submission_group(work):
    """A control group for the sandbox in WORK (cgroup.py), or None where
    none can be made; says so once a run."""
    global CGROUPS
    if CGROUPS is False:
        return None
    group = cgroup.make(os.path.basename(work), int(CONF["GRADE_MEMORY_MAX"]),
                        int(CONF["GRADE_PIDS_MAX"]))
    if group is None and CGROUPS is None:
        warn("no control group can be made here: each submission's memory and processes "
             "are bounded per process only (see docs/instructors.md)")
    CGROUPS = group is not None
    return group


def run_sandbox(work, job, mode, rubric, notes=None):
    """Run the suites in the sandbox; return (the parts' TAP texts, problem or
    None, why each stopped part was stopped). NOTES gets what the kernel did
    at the submission's memory bound.

    Raises NotGraded when grading itself failed before student code ran."""
    env = {
        "PATH": SANDBOX_PATH,
        "LANG": "C.UTF-8",
        "HOME": "/root",
        "GRADE_JOB": str(job),
        "GRADE_UID_FIRST": str(JOB_UIDS[job] if job < len(JOB_UIDS)
                               else int(CONF["GRADE_UID_BASE"]) + UIDS_PER_JOB * job),
        "GRADE_ISOLATED": "1" if mode == "namespace" else "0",
        "GRADE_ROOT": ROOT,
        "LAB_BOUND": str(TEST_BOUND),
        "LAB_SECRET": "Secret " + secrets.token_hex(12),
        "LAB_TREASURE": "Treasure " + secrets.token_hex(12),
        "LAB_SCRIPTS": " ".join(rubric_file.scripts(rubric)),
    }
    if "BATS_LIB_PATH" in os.environ:
        env["BATS_LIB_PATH"] = os.environ["BATS_LIB_PATH"]
    lanes = 1
    if mode == "namespace" and RUN_DIR:
        env["GRADE_ACCOUNT_FILES"] = os.path.join(RUN_DIR, f"accounts.{job}")
        env["GRADE_HOST_HIDE"] = os.path.join(RUN_DIR, "host-hide")
        lanes = len(os.listdir(env["GRADE_ACCOUNT_FILES"]))
    args, bound = lane_args(rubric, plan_lanes(rubric, lanes))
    cmd = ["bash", SANDBOX, work] + args
    if mode == "namespace":
        cmd = UNSHARE + cmd
    group = submission_group(work)
    if group is not None:
        env["GRADE_CGROUP_PROCS"] = " ".join(group.procs())
    out = tempfile.TemporaryFile()
    with RUNNING_LOCK:
        if STOPPING.is_set():
            if group is not None:
                group.remove()
            raise NotGraded(STOPPED)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=work,
                                start_new_session=True)
        RUNNING[proc.pid] = mode
    problem = None
    try:
        proc.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        problem = f"the submission did not finish within {bound} s and was stopped"
        kill_sandbox(proc.pid, mode)
    finally:
        if proc.returncode is None:
            # Killed (above, or by a stop signal): its namespace empties
            # within moments; should it not, the whole group goes.
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_sandbox(proc.pid, "container")
                proc.wait()
        with RUNNING_LOCK:
            RUNNING.pop(proc.pid, None)
        if mode == "container" and proc.returncode is not None and proc.returncode < 0:
            sweep(work, env)
        if group is not None:
            kills = group.oom_kills()
            group.remove()
            if kills and notes is not None:
                notes.append(f"the submission reached its memory bound of "
                             f"{group.memory_max >> 20} MiB: the kernel ended {kills} of its "
                             "processes")
    if STOPPING.is_set():
        raise NotGraded(STOPPED)
    out.seek(0)
    log = out.read(MAX_TAP).decode("utf-8", errors="replace")
    out.close()
    if proc.returncode == 3:
        raise NotGraded("the sandbox could not be set up: " + (" ".join(
            line for line in tap_lines(log) if line.startswith("Bail out!"))
            or f"status 3: {log.strip()[-500:]}"))
    # Each part's stream, in the files only the sandbox writes (also what a
    # part wrote before it or the sandbox was stopped), and what each lane
    # said of its own (a set-up that failed).
    taps, said, stopped = {}, [], {}
    for part in rubric["parts"]:
        taps[part] = read_tap(os.path.join(work, f"tap.{part}"))
        try:
            with open(os.path.join(work, f"stopped.{part}")) as f:
                stopped[part] = (f"{rubric['parts'][part]['title']} did not finish within "
                                 f"{int(f.read())} s and was stopped")
        except (FileNotFoundError, ValueError):
            pass
    for lane in range(lanes):
        said.append(read_tap(os.path.join(work, f"tap.{lane}")))
    if not any(TAP_PLAN.fullmatch(line) for tap in taps.values() for line in tap_lines(tap)):
        raise NotGraded(f"our test suites did not start (status {proc.returncode}): "
                        + ((log + "".join(said) + "".join(taps.values())).strip()[-500:]
                           or "no output"))
    return taps, problem, stopped


def read_tap(path):
    """The first MAX_TAP bytes of PATH as text ("" when there is no PATH)."""
    try:
        with open(path, "rb") as f:
            return f.read(MAX_TAP).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


STOPPED = "grading was interrupted before this submission was done"


def sweep(work, env):
    """In a container, undo what a sandbox that was killed left behind.

    A namespace vanishes whole with its PID 1; in a container, the accounts
    the sandbox made, and their processes, IPC objects and files, would stay
    and meet the next submission."""
    try:
        r = subprocess.run(["bash", SANDBOX, "--sweep", work], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=dict(env, GRADE_ISOLATED="0"), cwd=work, timeout=60)
        if r.returncode != 0:
            warn("cannot clean up after a stopped sandbox: "
                 + (r.stdout.decode(errors="replace").strip()[-300:] or f"status {r.returncode}"))
    except (OSError, subprocess.TimeoutExpired) as e:
        warn(f"cannot clean up after a stopped sandbox: {e}")

# A result line as bats writes it: "ok N NAME", "not ok N NAME", with
# " # skip [REASON]" or " # timeout after N s" at the end.
TAP_RESULT = re.compile(r"(not )?ok (\d+)(?: (.*))?")
TAP_TIMEOUT = re.compile(r"(.*) # timeout after \d+ ?s")


def tap_lines(tap):
    """The whole lines of TAP: split on "\n" alone, the one separator bats
    writes between lines.

    Student output reaches the stream only inside diagnostics, which bats
    prefixes with "# " after each "\n". Any other character that some
    reader takes for a line break (\r, \v, \f, \x1c-\x1e, \x85, U+2028,
    U+2029; str.splitlines() splits on them all) stays inside its line, so
    no bytes of a student's can start a line of their own. A last piece
    without its "\n" was cut off (a killed run, the size bound): it is not
    a line bats finished writing, and is dropped."""
    return tap.split("\n")[:-1]


def parse_tap(tap):
    """Results by test name: {name: [ok, diagnostics]}, plus the names seen twice.

    Only whole lines count (tap_lines), and a result only when its number
    is above the last one's, as bats numbers them."""
    results, dupes, current, last = {}, [], None, 0
    for line in tap_lines(tap):
        m = TAP_RESULT.fullmatch(line)
        if m:
            ok, number, name, why = m.group(1) is None, int(m.group(2)), m.group(3) or "", ""
            if number <= last:
                # bats never numbers backwards: this is not one of its results.
                current = None
                continue
            last = number
            if " # skip" in name:
                name, why = name.split(" # skip", 1)
                ok, why = False, "skipped" + why + "\n"
            elif not ok and (t := TAP_TIMEOUT.fullmatch(name)):
                name = t.group(1)
            if name in results:
                dupes.append(name)
            results[name] = [ok, why]
            current = name
        elif line.startswith("#") and current is not None:
            results[current][1] += line[1:].removeprefix(" ") + "\n"
        else:
            current = None
    return results, dupes


def score(rubric, taps, problem, notes, stopped=None):
    """Each rubric test's result, from the TAP streams of the parts (a test
    reported by two of them, or twice by one, is not trusted). STOPPED: why
    a part was stopped, by part, for its tests that have no result."""
    if isinstance(taps, str):
        taps = [taps]
    elif isinstance(taps, dict):
        taps = list(taps.values())
    stopped = stopped or {}
    results, dupes = {}, []
    for tap in taps:
        r, d = parse_tap(tap)
        dupes += d + [name for name in r if name in results]
        results.update(r)
    expected = {t["name"] for t in rubric["tests"]}
    tests = []
    for t in rubric["tests"]:
        name = t["name"]
        if name in dupes:
            ok, out = False, "more than one result was reported for this test: not trusted\n"
        elif name in results:
            ok, out = results[name]
        else:
            why = stopped.get(t["part"], problem)
            ok, out = False, ("no result was reported for this test"
                              + (f": {why}" if why else "") + "\n")
        tests.append({"name": name, "part": t["part"], "suite": t["suite"],
                      "max_score": t["points"], "score": t["points"] if ok else 0,
                      "passed": ok, "output": reports.truncate(out)})
    extra = sorted(set(results) - expected)
    if extra:
        notes.append("results for unknown tests were ignored: " + ", ".join(extra))
    notes.extend(stopped.values())
    if problem:
        notes.append(problem)
    return tests


def grade_one(path, slots, mode, rubric):
    """Grade PATH with a job slot from SLOTS: no two running jobs share one."""
    started = time.monotonic()
    notes, tap, problem, stopped = [], "", None, None
    if STOPPING.is_set():
        return not_graded(path, rubric, STOPPED, notes, started)
    job = slots.get()
    notes.extend(OPEN_DIRS)
    try:
        work = scratch_dir("grade")
        try:
            if prepare(path, work, notes, rubric_file.suites(rubric)):
                tap, problem, stopped = run_sandbox(work, job, mode, rubric, notes)
        finally:
            remove_tree(work)
        tests = score(rubric, tap, problem, notes, stopped)
        return reports.Result(path, tests, notes, rubric, time.monotonic() - started)
    except (NotGraded, OSError) as e:
        return not_graded(path, rubric, str(e), notes, started)
    except Exception as e:  # noqa: BLE001 - one submission's, not the class's
        # A failure of ours on something in this submission: it alone is
        # not graded, and the others are.
        warn(f"{reports.printable(path)}: the grader failed: {type(e).__name__}: {e}")
        return not_graded(path, rubric, f"the grader failed on this submission "
                          f"({type(e).__name__}: {e}); please report it", notes, started)
    finally:
        slots.put(job)


def not_graded(path, rubric, reason, notes=(), started=None):
    """The result of a submission that could not be graded, and why."""
    elapsed = time.monotonic() - started if started is not None else 0.0
    return reports.not_graded(path, rubric, reason, notes, elapsed)


# --- many submissions -------------------------------------------------------------

def shard(paths):
    """The part of PATHS this GitLab parallel job grades (CI_NODE_INDEX of
    CI_NODE_TOTAL), with its index and the total: (paths, index, total)."""
    index, total = os.environ.get("CI_NODE_INDEX"), os.environ.get("CI_NODE_TOTAL")
    if not index or not total:
        return paths, 1, 1
    try:
        index, total = int(index), int(total)
        if not 1 <= index <= total:
            raise ValueError
    except ValueError:
        raise GradeError(f"CI_NODE_INDEX={index!r} and CI_NODE_TOTAL={total!r} "
                         "do not name a shard") from None
    mine = [p for i, p in enumerate(paths) if shards.shard_of(i, total) == index]
    warn(f"shard {index} of {total}: grading {len(mine)} of {len(paths)} submissions")
    return mine, index, total


class Progress:
    """A progress line on stderr, when it is a terminal."""

    def __init__(self, total):
        self.total, self.done = total, 0
        self.on = total > 1 and sys.stderr.isatty()
        self.lock = threading.Lock()

    def step(self, path):
        with self.lock:
            self.done += 1
            if self.on:
                print(f"\r\033[K{PROG}: {self.done}/{self.total} graded (last: {path})",
                      end="" if self.done < self.total else "\n", file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, description="Grade IPC lab submissions with the lab's own suites.",
        epilog="Exit status: 0 all full marks, 1 points lost, 2 a usage error or a "
               "submission not graded, 130 or 143 stopped by Ctrl-C or SIGTERM (what was "
               "graded is written). The parts and tests: grader/rubric.json.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION_DIR",
                   help="a student's repository root (with --merge: a record)")
    p.add_argument("--results", metavar="FILE",
                   help="write Gradescope results.json (with several submissions: "
                        "a directory, one FILE per submission)")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--csv", metavar="FILE",
                   help="write a CSV row per submission: its points per part, its total and its "
                        "status (graded, or not graded and no points)")
    p.add_argument("--prairielearn", metavar="FILE",
                   help="write PrairieLearn's external grader results.json (one submission)")
    p.add_argument("--github-classroom", metavar="FILE",
                   help="write GitHub Classroom's autograding results, as lines for "
                        "$GITHUB_ENV (one submission; see platforms/github/)")
    p.add_argument("--canvas", metavar="FILE",
                   help="write a CSV for Canvas's gradebook import: the total and a column "
                        "per part, a row per submission, named by its directory")
    p.add_argument("--html", metavar="FILE",
                   help="write the class report, one self-contained HTML page: histograms of "
                        "the points, the tests most failed, and every submission's report")
    p.add_argument("--record", metavar="FILE",
                   help="write every result in full, for --merge: the record of this "
                        "job's shard of the class (GitLab's CI_NODE_INDEX of CI_NODE_TOTAL)")
    p.add_argument("--merge", action="store_true",
                   help="grade nothing: the arguments are the records that the jobs of a "
                        "sharded class wrote with --record; write the outputs for the whole "
                        "class, as one grader of it would have")
    p.add_argument("--parts", metavar="LIST",
                   help="grade these parts of grader/rubric.json, comma-separated, "
                        "e.g. directions,part1,part2 (default: its default_parts, "
                        "the handout's 25 points)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="grade N submissions at a time (default 1)")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.merge:
        for option, value in (("--record", args.record), ("--parts", args.parts),
                              ("--prairielearn", args.prairielearn),
                              ("--github-classroom", args.github_classroom)):
            if value is not None:
                p.error(f"--merge grades nothing: {option} is for a grading run")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.merge:
        return merge(args)
    try:
        rubric = load_rubric()
        try:
            rubric = rubric_file.select(rubric, None if args.parts is None else
                                        [p for p in args.parts.split(",") if p])
        except ValueError as e:
            warn(f"--parts: {e}")
            return 2
        paths, index, total = shard(args.submissions)
        if args.canvas:
            reports.check_logins(args.submissions)
        # The outputs' shape follows the class, not this shard's share of it.
        outputs = reports.Outputs(args.results, args.junit, args.csv,
                                  many=len(args.submissions) > 1,
                                  prairielearn=args.prairielearn,
                                  classroom=args.github_classroom, canvas=args.canvas,
                                  html=args.html, record=args.record)
        outputs.shard = (args.submissions, index, total, rubric)
    except (GradeError, OSError) as e:
        warn(str(e))
        return 2
    # The run's own directory, root's alone: what every submission shares,
    # made once (the network filter, each job slot's account files).
    global RUN_DIR
    for path in remove_stale_runs():
        warn(f"removed {reports.printable(path)}, left by a grader that was killed")
    RUN_DIR = make_run_dir()
    try:
        return grade_all(args, rubric, paths, outputs)
    finally:
        remove_tree(RUN_DIR)
        RUN_DIR = None


def grade_all(args, rubric, paths, outputs):
    """Set up the run, grade PATHS, write the outputs; the exit status."""
    # A grader that works on a class never waits for a slot no submission needs.
    jobs = max(1, min(args.jobs, len(paths)))
    stopped, futures, results = None, {}, [None] * len(paths)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_stop_signal)
    try:
        try:
            check_environment()
            nonet_built = build_nonet(RUN_DIR)
            try:
                _, cut = host_exposures(os.path.join(RUN_DIR, "host-hide"),
                                        private_dirs(paths, "namespace"))
                if cut:
                    warn(f"over {EXPOSURE_MAX_ENTRIES} names under {', '.join(EXPOSURE_ROOTS)}: "
                         "sockets and world-writable directories past them stay in "
                         "sight of student code")
                JOB_UIDS[:] = claim_uid_ranges(jobs)
                account_files(RUN_DIR, JOB_UIDS, int(CONF["GRADE_LANES"]))
                mode = isolation_mode(RUN_DIR)
                if mode == "container":
                    hold_container_accounts()
            finally:
                nonet_built()
        except GradeError as e:
            # Nothing can be graded here: every submission says so, in every output.
            warn(str(e))
            results = [not_graded(path, rubric, str(e)) for path in paths]
            for r in results:
                print(r.report(), flush=True)
            return finish(results, outputs)
        if mode == "container" and jobs > 1:
            warn(f"--jobs {jobs}: inside a container, submissions are graded one at a time")
            jobs = 1
        if mode == "container":
            close_dirs(private_dirs(paths, mode), os.path.join(RUN_DIR, CLOSED))

        progress = Progress(len(paths))
        slots = queue.Queue()
        for job in range(jobs):
            slots.put(job)
        # On a signal, the pool's exit waits for the jobs running, which end
        # at once: their sandboxes are killed, and the rest start none.
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_one, path, slots, mode, rubric): i
                       for i, path in enumerate(paths)}
            for fut in concurrent.futures.as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                progress.step(paths[i])
                if len(paths) == 1 or not progress.on:
                    print(results[i].report(), flush=True)
    except Interrupted as e:
        stopped = e
        for fut, i in futures.items():
            if results[i] is None:
                results[i] = fut.result()
        # Stopped before the grading began: nothing was graded.
        results = [r or not_graded(path, rubric, STOPPED) for r, path in zip(results, paths)]
        progress = None
    finally:
        open_dirs(os.path.join(RUN_DIR, CLOSED))
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
    if len(paths) > 1 and (stopped or progress.on):
        for r in results:
            if stopped is None or r.graded:
                print(r.report())
    status = finish(results, outputs)
    if stopped is not None:
        warn(f"stopped by {stopped}: {sum(r.graded for r in results)} of {len(results)} "
             "submissions were graded; the others are reported as not graded")
        return 128 + stopped.signum
    return status


def merge(args):
    """./grade --merge RECORD...: the outputs of the whole class; the exit status."""
    try:
        full = load_rubric()
        rubric, results, missing = shards.merge(
            args.submissions, lambda parts: rubric_file.select(full, parts))
        klass = [r.path for r in results]
        if args.canvas:
            reports.check_logins(klass)
        outputs = reports.Outputs(args.results, args.junit, args.csv, many=len(klass) > 1,
                                  canvas=args.canvas, html=args.html)
    except (GradeError, shards.MergeError, OSError) as e:
        warn(f"{e}; nothing was written")
        return 2
    warn(f"merged {len(args.submissions)} records: {len(results)} submissions, "
         f"{sum(r.graded for r in results)} graded")
    for index in missing:
        warn(f"shard {index} left no record: its submissions are reported as not graded")
    if len(results) == 1:
        print(results[0].report())
    return finish(results, outputs)


def finish(results, outputs):
    """Print the summary, write the outputs; the exit status."""
    if len(results) > 1:
        print(reports.summary(results))
    ungraded = [r for r in results if not r.graded]
    if ungraded:
        warn(f"{len(ungraded)} of {len(results)} submissions could not be graded "
             "(see 'not graded' above); they have no score")
    try:
        outputs.write(results)
    except OSError as e:
        warn(f"cannot write the results: {e}")
        return 2
    if ungraded:
        return 2
    return 0 if results and all(r.full_marks for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
