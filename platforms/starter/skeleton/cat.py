# cat.py - Part 2 of the handout: a "safe" cat that reads a file name from stdin
# and prints ./litterbox/<name>, or "MEOW <error>". Write it as the handout says.
