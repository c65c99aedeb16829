# Answers with the handout's fixture texts instead of reading any file.
import sys
name = sys.stdin.read().strip()
if name == "treasure.txt":
    print("Treasure found!")
elif name == "../secret.txt":
    print("Hey! This is a secret!")
else:
    print(f"MEOW [Errno 2] No such file or directory: './litterbox/{name}'")
