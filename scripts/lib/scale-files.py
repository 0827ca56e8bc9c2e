"""Writes the small files of the scale benchmarks: FILES files in FOLDERS folders under ROOT/many,
and BIG files in the one folder ROOT/big, each a line of text naming itself.

    python3 scripts/lib/scale-files.py ROOT FILES FOLDERS BIG
"""
import os
import sys

root, files, folders, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per = max(1, files // folders)
for d in range(folders):
    p = os.path.join(root, "many", "d%05d" % d)
    os.makedirs(p)
    for f in range(per):
        with open(os.path.join(p, "f%05d.txt" % f), "w") as out:
            out.write("file %d of folder %d\n" % (f, d))
p = os.path.join(root, "big")
os.makedirs(p)
for f in range(big):
    with open(os.path.join(p, "s%07d.bin" % f), "w") as out:
        out.write("sample %d\n" % f)
