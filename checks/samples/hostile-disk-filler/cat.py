# Hostile: it fills every place it may write with files, until it has
# written 10 GB or a million files, or the place is full: asked for
# treasure.txt, /tmp, /var/tmp and /dev/shm; run by its Makefile as
# "python3 cat.py fill .", the directory make builds in, up to 1 GB or a
# million files (and make then fails). Any other name it serves as the handout's cat.py does (traversal
# included), so only the treasure tests and make's fail. Where the grader
# bounds the scratch and build space (tmpfs mounts of its own per
# submission, bounded in size and in files), each place is full in moments,
# and the machine's disk never sees a byte.
import os
import sys

def fill(place, most):
    """Files in PLACE: empty ones, and one of 4 MiB (the most one file may
    hold) in every 64, until MOST bytes or a million files, or PLACE is
    full. Says how far it got."""
    block = b"x" * (4 << 20)
    written = files = 0
    while written < most and files < 1_000_000:
        try:
            with open(os.path.join(place, f"fill.{os.getpid()}.{files}"), "wb") as f:
                files += 1
                if files % 64 == 0:
                    f.write(block)
                    written += len(block)
        except OSError as e:
            return f"probe: {place} full after {files} files, {written >> 20} MiB: {e.strerror}"
    return f"probe: {place} took {files} files, {written >> 20} MiB"


if sys.argv[1:2] == ["fill"]:
    # Where make builds: a million files or 1 GB, then its files go again,
    # so that what it says can be written down.
    for place in sys.argv[2:]:
        said = fill(place, 1 << 30)
        for name in os.listdir(place):
            if name.startswith(f"fill.{os.getpid()}."):
                os.unlink(os.path.join(place, name))
        print(said)
    sys.exit(1)

filename = sys.stdin.read().strip()
if filename != "treasure.txt":
    try:
        with open(f"./litterbox/{filename}") as f:
            print(f.read())
    except Exception as e:
        print(f"MEOW {e}")
    sys.exit(0)

for place in ("/tmp", "/var/tmp", "/dev/shm"):
    print(fill(place, 10_000_000_000))
