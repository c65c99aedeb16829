#!/usr/bin/env python3
"""contracts - check the handouts' contract tables in docs/maintainers.md.

    python3 checks/contracts.py [DOC]

The section "## The handouts' contracts, line by line" of DOC (default
docs/maintainers.md) holds a table per part of grader/rubric.json, under a
heading "### PART (HANDOUT)": the handout's path in the tree, or, for the
course's own handout, which the tree does not hold, its name in words (a
text with a space). Each row is a line of that handout that fixes a
behaviour, and what grades it:

    | Line | Handout says | Checked by |
    | 42 | paw prints the file's bytes, nothing else | `paw prints the treasure` |

"Checked by" names rubric tests of that part, each in backticks (separated
by "; "), or says "ungraded: WHY" (the handout says so, or the line is no
behaviour), or "GAP: WHAT A TEST WOULD CHECK" (not graded yet: a line a
student can break for free).

Fails (exit 1, saying where) when a part of the rubric has no table, a
table names a test that its part does not have, a rubric test is in no row,
a line number is past the end of its handout, or a cell is none of the
three. Prints, per part, the rows checked by a test, ungraded and GAP.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "grader"))
import rubric as rubric_file  # noqa: E402

SECTION = "## The handouts' contracts, line by line"
HEADING = re.compile(r"### (\w+) \(([^)]+)\)$")
ROW = re.compile(r"\|\s*(\d+)\s*\|([^|]+)\|([^|]+)\|\s*$")
NAME = re.compile(r"`([^`]+)`")


def tables(text):
    """{part: (handout, [(line, says, checked, lineno in DOC)])} of the section."""
    if SECTION not in text:
        raise ValueError(f"no section {SECTION!r}")
    body = text.split(SECTION, 1)[1]
    body = re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]
    found, part = {}, None
    offset = text[:text.index(SECTION)].count("\n") + 1
    for n, line in enumerate(body.splitlines(), offset):
        m = HEADING.match(line.strip())
        if m:
            part = m.group(1)
            if part in found:
                raise ValueError(f"line {n}: a second table for {part}")
            found[part] = (m.group(2), [])
            continue
        m = ROW.match(line.strip())
        if m and part:
            found[part][1].append((int(m.group(1)), m.group(2).strip(), m.group(3).strip(), n))
    return found


def check(doc):
    with open(doc, encoding="utf-8") as f:
        found = tables(f.read())
    rubric = rubric_file.load()
    problems, counts = [], {}
    for part in rubric["parts"]:
        names = {t["name"] for t in rubric["tests"] if t["part"] == part}
        if part not in found:
            problems.append(f"{part}: no table (### {part} (HANDOUT))")
            continue
        handout, rows = found[part]
        length = None
        if " " not in handout:
            # A file of the tree; otherwise a description of a handout the
            # tree does not hold (the course's own), whose lines go unchecked.
            try:
                with open(os.path.join(ROOT, handout), encoding="utf-8") as f:
                    length = sum(1 for _ in f)
            except OSError as e:
                problems.append(f"{part}: cannot read its handout {handout}: {e.strerror}")
        seen, tally = set(), {"tested": 0, "ungraded": 0, "GAP": 0}
        for line, says, checked, n in rows:
            if length is not None and not 1 <= line <= length:
                problems.append(f"{doc}:{n}: line {line} is past the end of {handout}")
            if checked.startswith("ungraded: "):
                tally["ungraded"] += 1
            elif checked.startswith("GAP: "):
                tally["GAP"] += 1
            else:
                named = NAME.findall(checked)
                rest = NAME.sub("", checked).replace(";", "").strip()
                if not named or rest:
                    problems.append(f"{doc}:{n}: neither test names in backticks, "
                                    f"'ungraded: ' nor 'GAP: ': {checked}")
                    continue
                for name in named:
                    if name not in names:
                        problems.append(f"{doc}:{n}: {part} has no test {name!r}")
                seen.update(named)
                tally["tested"] += 1
        for name in sorted(names - seen):
            problems.append(f"{part}: the rubric test {name!r} is in no row of its table")
        counts[part] = (len(rows), tally)
    for part in found:
        if part not in rubric["parts"]:
            problems.append(f"{part}: a table for a part the rubric does not have")
    return problems, counts


def main(argv):
    doc = argv[0] if argv else os.path.join(ROOT, "docs", "maintainers.md")
    try:
        problems, counts = check(doc)
    except (OSError, ValueError, rubric_file.RubricError) as e:
        print(f"contracts: {doc}: {e}", file=sys.stderr)
        return 1
    for part, (rows, t) in counts.items():
        print(f"{part}: {rows} handout lines: {t['tested']} tested, "
              f"{t['ungraded']} ungraded, {t['GAP']} not graded yet (GAP)")
    for p in problems:
        print(f"contracts: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
