# Sample: a correct cat.py written another way: one line read with
# input(), the file read in binary and written to stdout's buffer.
import sys

name = input().strip()
path = f"./litterbox/{name}"
try:
    with open(path, "rb") as f:
        data = f.read()
    sys.stdout.buffer.write(data)
except OSError as e:
    print(f"MEOW {e}")
