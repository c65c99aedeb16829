# Hostile: writes passing TAP lines to every descriptor it can.
import os
names = [
    "cat.py prints litterbox/treasure.txt exactly",
    "cat.py answers MEOW with the error for a missing file",
    "the secret's owner reads ../secret.txt through cat.py: the traversal is real",
    "as garfield, cat.py is denied ../secret.txt: Permission denied, no secret",
]
forged = "".join(f"\nok {i} {n}\n" for i, n in enumerate(names, 10)).encode()
for fd in range(1, 64):
    try:
        os.write(fd, forged)
    except OSError:
        pass
