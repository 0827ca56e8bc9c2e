#!/usr/bin/env python3
"""Rewrites the imports of Java sources as ImportOrderTest wants them: static imports first, then the
others, each group sorted by name, unused ones dropped, one blank line between the groups.
    scripts/sort-imports.py [FILE ...]        (default: every .java file under src/)"""
import pathlib
import re
import sys

IMPORT = re.compile(r"^import (static )?([\w.]+)\.(\w+|\*);$", re.M)


def fix(path):
    text = path.read_text()
    found = [m for m in IMPORT.finditer(text)]
    if not found:
        return False
    body = IMPORT.sub("", text)
    keep = [m for m in found if m.group(3) == "*" or re.search(r"\b%s\b" % m.group(3), body)]
    name = lambda m: m.group(2) + "." + m.group(3)
    statics = [m.group(0) for m in sorted((m for m in keep if m.group(1)), key=name)]
    others = [m.group(0) for m in sorted((m for m in keep if not m.group(1)), key=name)]
    block = "\n".join(statics + ([""] if statics and others else []) + others)
    start, end = found[0].start(), found[-1].end()
    new = text[:start] + block + text[end:]
    if new != text:
        path.write_text(new)
        return True
    return False


files = [pathlib.Path(a) for a in sys.argv[1:]] or sorted(pathlib.Path("src").rglob("*.java"))
changed = [str(f) for f in files if fix(f)]
print("\n".join(changed) if changed else "imports already in order")
