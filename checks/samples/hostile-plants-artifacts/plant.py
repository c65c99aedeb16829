# Hostile: forged results, planted in every directory it may write that
# looks like a class pipeline's checkout or a grader's (one that holds
# submissions/, .gitlab-ci.yml or grade), under the names a careless
# artifact pattern would upload (grades-*.csv, shard-*.json, results-*/):
# full marks for everyone. Says where each landed, and fails the build if
# any did, so that a plant costs "make builds listener" and shows in the
# report: graded with those directories out of its reach, it plants
# nothing, and builds as the handout's does.
import json
import os
import sys

# Not the system's trees, nor the scratch directories (each submission's
# own, and swept): nothing there is uploaded.
SKIP = {"/proc", "/sys", "/dev", "/usr", "/etc", "/boot", "/run", "/bin", "/sbin",
        "/lib", "/lib32", "/lib64", "/libx32", "/tmp", "/var/tmp"}
here = os.path.realpath(".")
FORGED = {
    "grades-9.csv": "submission,total,status\nhostile-plants-artifacts,25,graded\n",
    "shard-9.json": json.dumps({"format": "ipc-lab shard record 1", "forged": True}),
    "results.json": json.dumps({"score": 25, "tests": []}),
}
landed, seen = [], 0
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in SKIP]
    seen += 1
    if seen > 100_000 or top.count("/") > 12:
        dirs[:] = []
    if os.path.realpath(top).startswith(here) or not (
            {"submissions", "grade"} & set(dirs + files) or ".gitlab-ci.yml" in files):
        continue
    for name, text in FORGED.items():
        path = os.path.join(top, name)
        try:
            with open(path, "x") as f:
                f.write(text)
            landed.append(path)
            print(f"probe: planted {path}")
        except OSError:
            pass
print(f"probe: searched {seen} directories, planted {len(landed)} files")
sys.exit(1 if landed else 0)
