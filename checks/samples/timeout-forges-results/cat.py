# Hostile: a cat.py that does nothing: it prints nothing, for any name.
# Part 2's tests fail on it wherever they run, so this sample's verdict is
# the same in every grading mode: in a namespace its suites run in two
# lanes and the privilege drop's tests finish beside the hung compile; in
# a container they wait behind it and never run.
