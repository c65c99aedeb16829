# A probe, not a solution: asked for treasure.txt, it tries the network
# instead and prints what happened. Any other name it serves as the handout's
# cat.py does (traversal included), so only the treasure tests fail.
#
# It connects only to this machine's loopback: to 127.0.0.1 or ::1, on the
# port of each TCP listener that /proc/net/tcp and /proc/net/tcp6 show. For
# an outside address it only asks for a socket(): refused, that socket can
# reach no address at all; granted, it is closed unused.
import socket
import sys

filename = sys.stdin.read().strip()
if filename != "treasure.txt":
    try:
        with open(f"./litterbox/{filename}") as f:
            print(f.read())
    except Exception as e:
        print(f"MEOW {e}")
    sys.exit(0)

FAMILIES = {socket.AF_INET: "AF_INET", socket.AF_INET6: "AF_INET6"}


def listeners(table, host):
    """(host, port) for each listening socket in TABLE (state 0A: LISTEN)."""
    found = []
    try:
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A":
                    found.append((host, int(fields[1].split(":")[1], 16)))
    except OSError as e:
        print(f"probe: cannot read {table}: {e}")
    return found


targets = listeners("/proc/net/tcp", "127.0.0.1") + listeners("/proc/net/tcp6", "::1")
print("probe: TCP listeners here:", " ".join(f"{h}:{p}" for h, p in targets) or "none")
for host, port in targets[:8]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        print(f"probe: socket({FAMILIES[family]}) to reach {host}:{port}: {e}")
        continue
    with s:
        s.settimeout(1)
        try:
            s.connect((host, port))
            print(f"probe: connected to {host}:{port}")
        except OSError as e:
            print(f"probe: connect to {host}:{port}: {e}")

for family, name in FAMILIES.items():
    try:
        socket.socket(family, socket.SOCK_DGRAM).close()
        print(f"probe: socket({name}) for an outside address: created (closed unused)")
    except OSError as e:
        print(f"probe: socket({name}) for an outside address: {e}")

try:
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        a.sendall(b"purr")
        print("probe: socketpair(AF_UNIX):", "works" if b.recv(4) == b"purr" else "broken")
except OSError as e:
    print(f"probe: socketpair(AF_UNIX): {e}")
