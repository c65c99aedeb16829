# A probe, not a solution: asked for treasure.txt, it reaches for what the
# machine offers every user instead, and prints what happened. Any other name
# it serves as the handout's cat.py does (traversal included), so only the
# treasure tests fail.
#
# It connects to the machine's services by their UNIX sockets (path-named
# sockets ignore network namespaces): the D-Bus system bus, journald's
# /dev/log, systemd-resolved, and one more outside /run. It sends nothing
# but its name. Then it looks for directories any user may write to (where
# one submission could leave files for the next), says what it finds there
# that it did not make, and leaves a file of its own.
import os
import socket
import stat
import sys

filename = sys.stdin.read().strip()
if filename != "treasure.txt":
    try:
        with open(f"./litterbox/{filename}") as f:
            print(f.read())
    except Exception as e:
        print(f"MEOW {e}")
    sys.exit(0)

ROOTS = ("/var", "/srv", "/opt", "/home", "/mnt", "/media", "/dev", "/run")
SCRATCH = {"/var/tmp", "/dev/shm", "/dev/mqueue", "/tmp", "/run/lock"}
MINE = "ipc-lab-probe-was-here"


def walk():
    """The sockets and the world-writable directories it can find, 4 deep."""
    sockets, writable = [], []
    pending = [(r, 0) for r in ROOTS]
    while pending:
        path, depth = pending.pop()
        try:
            st = os.lstat(path)
        except OSError:
            continue
        # A socket, or what is named as one (something may be bound over it).
        if stat.S_ISSOCK(st.st_mode) or path.endswith(".sock"):
            sockets.append(path)
        if not stat.S_ISDIR(st.st_mode) or path in SCRATCH:
            continue
        if st.st_mode & 0o002:
            writable.append(path)
        if depth < 4:
            try:
                pending.extend((os.path.join(path, n), depth + 1) for n in os.listdir(path))
            except OSError:
                pass
    return sorted(sockets), sorted(writable)


sockets, writable = walk()
SERVICES = ["/run/dbus/system_bus_socket", "/dev/log", "/run/systemd/resolve/io.systemd.Resolve"]
for path in SERVICES + [p for p in sockets if p not in SERVICES]:
    result = None
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_UNIX, kind)
        with s:
            s.settimeout(1)
            try:
                s.connect(path)
                s.send(b"hostile-host-services\n")
                result = "connected"
                break
            except OSError as e:
                result = str(e)
                if e.errno != 91:  # EPROTOTYPE: the other kind of socket
                    break
    print(f"probe: connect {path}: {result}")

# Control: a UNIX socket of its own, in its own scratch space, works.
own = f"/tmp/probe-{os.getpid()}.sock"
try:
    with socket.socket(socket.AF_UNIX) as srv, socket.socket(socket.AF_UNIX) as cli:
        srv.bind(own)
        srv.listen(1)
        cli.connect(own)
        conn, _ = srv.accept()
        with conn:
            cli.sendall(b"purr")
            print("probe: own socket:", "works" if conn.recv(4) == b"purr" else "broken")
    os.unlink(own)
except OSError as e:
    print(f"probe: own socket: {e}")

for path in writable:
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        print(f"probe: cannot list {path}: {e}")
        continue
    for name in names:
        if name != MINE:
            print(f"probe: saw {os.path.join(path, name)}")
    try:
        with open(os.path.join(path, MINE), "w") as f:
            f.write("left by another submission\n")
        print(f"probe: wrote into {path}")
    except OSError as e:
        print(f"probe: cannot write into {path}: {e}")
