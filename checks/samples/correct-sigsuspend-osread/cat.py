# Sample: a correct cat.py written another way: one line read, the file
# read with os.read() in a loop and written as bytes, the error printed
# with print()'s own spacing.
import os
import sys

name = sys.stdin.readline().rstrip("\n")
path = "./litterbox/" + name
try:
    fd = os.open(path, os.O_RDONLY)
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            sys.stdout.buffer.write(chunk)
    finally:
        os.close(fd)
except OSError as err:
    print("MEOW", err)
