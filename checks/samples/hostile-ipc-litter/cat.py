# A probe, not a solution: it serves every name as the handout's cat.py does
# (traversal included), but every run first leaves IPC objects behind, one of
# each kind: a SysV shared memory segment (handed over to root with IPC_SET,
# as its owner may), a semaphore set and a message queue, a POSIX message
# queue and a file in /dev/shm. Then it looks for IPC objects it did not make
# (another test's, another submission's, the machine's) and names each one
# it sees. Asked for the missing file, it also says what it made, and that
# it saw nothing else: when the grader cleans up after each test and keeps
# submissions apart, only that test fails.
import ctypes
import os
import struct
import sys

IPC_PRIVATE, IPC_CREAT, IPC_SET, IPC_STAT = 0, 0o1000, 1, 2
libc = ctypes.CDLL(None, use_errno=True)
try:
    mq_open = libc.mq_open  # glibc 2.34 on; librt before
except AttributeError:
    mq_open = ctypes.CDLL("librt.so.1", use_errno=True).mq_open
mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]


def check(result, call):
    if result == -1:
        e = ctypes.get_errno()
        raise OSError(e, f"{call}: {os.strerror(e)}")
    return result


def hand_to_root(shmid):
    """Make root the segment's owner (its creator stays ours): struct ipc_perm
    leads struct shmid_ds, and its uid follows the int key."""
    buf = ctypes.create_string_buffer(512)
    check(libc.shmctl(shmid, IPC_STAT, buf), "shmctl(IPC_STAT)")
    struct.pack_into("I", buf, 4, 0)
    check(libc.shmctl(shmid, IPC_SET, buf), "shmctl(IPC_SET)")


made = {"shm": set(), "sem": set(), "msg": set(), "mqueue": set(), "shm file": set()}
said = []
name = f"litter-{os.getpid()}"
for kind, make in (("shm", lambda: libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600)),
                   ("sem", lambda: libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600)),
                   ("msg", lambda: libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600))):
    try:
        ident = check(make(), kind + "get")
        made[kind].add(str(ident))
        if kind == "shm":
            hand_to_root(ident)
            said.append(f"shm {ident} (handed to uid 0)")
        else:
            said.append(f"{kind} {ident}")
    except OSError as e:
        said.append(f"no {kind} ({e.strerror})")
try:
    fd = check(mq_open(f"/{name}".encode(), os.O_CREAT | os.O_RDWR, 0o600, None), "mq_open")
    os.close(fd)  # a queue descriptor is a file descriptor on Linux
    made["mqueue"].add(name)
    said.append(f"mqueue /{name}")
except OSError as e:
    said.append(f"no mqueue ({e.strerror})")
try:
    with open(f"/dev/shm/{name}", "x") as f:
        f.write("litter\n")
    made["shm file"].add(name)
    said.append(f"/dev/shm/{name}")
except OSError as e:
    said.append(f"no /dev/shm file ({e.strerror})")

seen = []
# /proc/sysvipc/*: a header, then one object a line; the user IDs of owner and creator.
for kind, uid_col, cuid_col in (("shm", 7, 9), ("sem", 4, 6), ("msg", 7, 9)):
    try:
        with open(f"/proc/sysvipc/{kind}") as f:
            next(f)
            for line in f:
                col = line.split()
                if col[1] not in made[kind]:
                    seen.append(f"{kind} {col[1]} (uid {col[uid_col]}, creator {col[cuid_col]})")
    except (OSError, StopIteration) as e:
        seen.append(f"nothing in /proc/sysvipc/{kind} ({e})")
for kind, d in (("mqueue", "/dev/mqueue"), ("shm file", "/dev/shm")):
    try:
        seen += [f"{kind} {d}/{n}" for n in os.listdir(d) if n not in made[kind]]
    except OSError:
        pass  # no such directory: nothing to see there
for s in seen:
    print(f"probe: sees {s}, which it did not make")

filename = sys.stdin.read(4096).strip()
try:
    with open(f"./litterbox/{filename}") as f:
        print(f.read())
except Exception as e:
    print(f"MEOW {e}")
if filename == "no-such-file.txt":
    print("probe: made " + ", ".join(said))
    if not seen:
        print("probe: sees no IPC object it did not make")
