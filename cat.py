#!/usr/bin/env python3
# =============================================================================
#  DELIBERATELY VULNERABLE: PATH TRAVERSAL (CWE-22 / CWE-35)
#
#  This program trusts the file name it reads. "../secret.txt" escapes the
#  litterbox and prints the secret. That flaw is the point of Part 2 of the
#  lab: distrustful decomposition (running this program as the unprivileged
#  user `garfield`) contains it, without fixing the code. Do not fix it here,
#  and do not copy this pattern into real code.
# =============================================================================
"""cat.py - a safe(?) version of cat!

The Linux command `cat` prints out the contents of a file if you give it a
file name. Our version only opens files in the directory `litterbox`, and,
unlike cat, it takes the file name from stdin, not from its arguments.

    $ echo treasure.txt | python3 cat.py
    Treasure found!
    $ echo no-such-file.txt | python3 cat.py
    MEOW [Errno 2] No such file or directory: './litterbox/no-such-file.txt'

INPUT:  from stdin, the name of a file in `litterbox/`.
OUTPUT: to stdout, the contents of that file, or `MEOW <error>` when it cannot
        be printed. The exit status is 0 either way: the course's test scripts
        capture this program under `set -e`, which a non-zero status would abort.

Apart from the path traversal it is meant to have, the program is careful:
it reads at most PATH_MAX bytes of input, streams the file instead of
loading it whole, refuses anything that is not a regular file (a FIFO would
hang it, /dev/zero would never end), and answers every input, even a NUL byte
or invalid UTF-8, with contents or MEOW, never a traceback.
"""

import errno
import os
import stat
import sys

# Linux's PATH_MAX: no longer name can be opened, so no more is read.
PATH_MAX = 4096
CHUNK = 64 * 1024


def read_filename():
    """Read the file name from stdin, at most PATH_MAX bytes of it."""
    raw = sys.stdin.buffer.read(PATH_MAX + 1)
    if len(raw) > PATH_MAX:
        raise ValueError(f"file name too long: more than {PATH_MAX} bytes on stdin")
    # File names are bytes on Linux; surrogateescape keeps invalid UTF-8
    # round-trippable instead of raising UnicodeDecodeError.
    return os.fsdecode(raw.strip())


def print_file(path):
    """Stream the regular file at `path` to stdout."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer. It has no effect
    # on reading a regular file, the only kind we go on to read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "Not a regular file", path)
    except OSError:
        os.close(fd)
        raise
    with open(fd, "rb", buffering=0) as f:
        out = sys.stdout.buffer
        while chunk := f.read(CHUNK):
            out.write(chunk)
        out.flush()


def main():
    # An error message may quote a name that is not valid UTF-8.
    sys.stdout.reconfigure(errors="backslashreplace")
    try:
        filename = read_filename()
        filename_in_litterbox_hopefully = f"./litterbox/{filename}"
        #                  VULNERABLE HERE^^^^^^^^^^^^^^^^^^^^^^^^
        print_file(filename_in_litterbox_hopefully)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing left to say to it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError) as e:
        # ValueError: a NUL byte in the name, or a name that is too long.
        print(f"MEOW {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
