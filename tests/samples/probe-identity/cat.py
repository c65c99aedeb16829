# Reports who runs it: the grader must never run student code as root.
import os
print(f"probe: uid={os.getuid()}")
