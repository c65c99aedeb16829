# Hostile: floods its output for ever.
import sys
line = "Treasure found! " * 64 + "\n"
while True:
    sys.stdout.write(line)
