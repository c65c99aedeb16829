#!/usr/bin/env python3
"""no_reference - is any of the lab's reference solution in these files?

    python3 checks/no_reference.py DIR_OR_ARCHIVE...

What students get (the grading image's files, the student starter, the
Gradescope zip) must hold no reference solution of any part: not under its
own name, nor renamed, reformatted or inside another file. The reference
files are the ones grader/rubric.json lists as each part's "reference".

By content: every line of a reference file that is long enough to say
something (comments, includes and punctuation aside), with its white space
folded, is one of its telling lines. A file holds a reference file when it
has at least MIN_SHARED of those lines and at least SHARE of them. The
handouts quote a line here and there (the contracts' calls), which stays
well under that; a copy, whole or in good part, does not.

Zip and tar archives are read member by member. Prints each finding and
exits 1 when there is one; 0 when the files are clean.
"""

import os
import re
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "grader"))
import rubric  # noqa: E402

MIN_SHARED = 8      # telling lines in common, at the least
SHARE = 0.25        # and this share of the reference file's telling lines
MIN_LEN = 16        # characters in a telling line, white space folded
MAX_FILE = 4 << 20  # larger files are data, not sources

_SPACE = re.compile(r"\s+")
_TRIVIAL = re.compile(r"^(#\s*include\b|import\b|from\s+\S+\s+import\b|//|/\*|\*|#(?!\s*define))")


def lines_of(text):
    """The normalised lines of TEXT that could tell a source apart."""
    out = set()
    for line in text.splitlines():
        line = _SPACE.sub(" ", line).strip()
        if len(line) < MIN_LEN or _TRIVIAL.match(line):
            continue
        if not re.search(r"[A-Za-z_]{3}", line):
            continue
        out.add(line)
    return out


def references():
    """{path: telling lines} of every reference file the rubric names."""
    refs = {}
    for f in rubric.files(rubric.load(), "reference"):
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as fh:
            refs[f] = lines_of(fh.read())
    return refs


def members(path):
    """(name, text) of every file under PATH: a directory, an archive, or a file."""
    if os.path.isdir(path):
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                if os.path.getsize(p) > MAX_FILE:
                    continue
                with open(p, "rb") as fh:
                    data = fh.read()
                if path_is_archive(p):
                    yield from members(p)
                    continue
                yield p, data.decode("utf-8", errors="replace")
    elif path_is_archive(path) and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.is_dir() and info.file_size <= MAX_FILE:
                    yield f"{path}:{info.filename}", z.read(info).decode("utf-8", "replace")
    elif path_is_archive(path):
        with tarfile.open(path) as t:
            for m in t:
                if m.isfile() and m.size <= MAX_FILE:
                    yield f"{path}:{m.name}", t.extractfile(m).read().decode("utf-8", "replace")
    else:
        with open(path, "rb") as fh:
            yield path, fh.read().decode("utf-8", errors="replace")


ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")


def path_is_archive(p):
    """Is P an archive to read member by member? One named as an archive that
    cannot be read is an error: it could hold anything."""
    if not p.endswith(ARCHIVES):
        return False
    if zipfile.is_zipfile(p) or tarfile.is_tarfile(p):
        return True
    raise OSError(f"{p}: named as an archive, but not one that can be read")


def findings(paths, refs=None):
    """[(file, reference file, shared, of)] for every file that holds one."""
    refs = references() if refs is None else refs
    found = []
    for path in paths:
        for name, text in members(path):
            mine = lines_of(text)
            if len(mine) < MIN_SHARED:
                continue
            for ref, telling in refs.items():
                shared = len(mine & telling)
                if shared >= MIN_SHARED and shared >= SHARE * len(telling):
                    found.append((name, ref, shared, len(telling)))
    return found


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    missing = [p for p in argv if not os.path.exists(p)]
    if missing:
        print(f"no_reference: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        found = findings(argv)
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        print(f"no_reference: {e}", file=sys.stderr)
        return 2
    for name, ref, shared, of in found:
        print(f"no_reference: {name} holds the reference {ref}: {shared} of its {of} "
              "telling lines")
    if not found:
        print(f"no_reference: no reference solution in {' '.join(argv)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
