#!/usr/bin/env python3
"""Readers that check every byte they read through a verso mount against the files it came from.

    mount-readers.py --pairs FILE --readers 32 --seconds 600 [--report FILE] [--outages FILE]

--pairs: lines "MOUNTED_PATH<TAB>ORIGINAL_PATH". Half the readers read whole files in 1 MiB chunks,
half read random ranges; each compares what it read with the original. A read that fails (EIO,
ENOENT while the server is down) is counted, never compared; a read that returns other bytes than
the original is a wrong read. --outages names a file of "START END" lines (Unix seconds) written by
whoever stops the server; failed reads outside those windows (plus 30 s after each, for retries to
finish) are counted apart. Prints one JSON line of counts and exits 1 if any read was wrong.
"""
import argparse
import json
import os
import random
import threading
import time

lock = threading.Lock()
stats = {"reads": 0, "bytes": 0, "wrong": 0, "failed": 0, "failed_times": [], "wrong_examples": []}


def note(key, n=1):
    with lock:
        stats[key] += n


def read_range(mounted, original, offset, length):
    with open(original, "rb") as f:
        f.seek(offset)
        want = f.read(length)
    try:
        fd = os.open(mounted, os.O_RDONLY)
        try:
            got = b""
            while len(got) < len(want):
                chunk = os.pread(fd, len(want) - len(got), offset + len(got))
                if not chunk:
                    break
                got += chunk
        finally:
            os.close(fd)
    except OSError:
        with lock:
            stats["failed"] += 1
            stats["failed_times"].append(time.time())
        return
    note("reads")
    note("bytes", len(got))
    if got != want:
        with lock:
            stats["wrong"] += 1
            if len(stats["wrong_examples"]) < 5:
                stats["wrong_examples"].append("%s @%d+%d" % (mounted, offset, length))


def reader(pairs, sequential, deadline, seed):
    rnd = random.Random(seed)
    while time.time() < deadline:
        mounted, original = rnd.choice(pairs)
        size = os.path.getsize(original)
        if sequential:
            for offset in range(0, max(size, 1), 1 << 20):
                if time.time() >= deadline:
                    return
                read_range(mounted, original, offset, 1 << 20)
        else:
            length = rnd.choice([1, 4096, 65536, 1 << 20])
            offset = rnd.randrange(max(size - length, 0) + 1)
            read_range(mounted, original, offset, length)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", required=True)
    p.add_argument("--readers", type=int, default=32)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--outages", default=None)
    p.add_argument("--report", default=None)
    a = p.parse_args()
    pairs = [tuple(line.rstrip("\n").split("\t")) for line in open(a.pairs) if line.strip()]
    deadline = time.time() + a.seconds
    threads = [threading.Thread(target=reader, args=(pairs, i % 2 == 0, deadline, i)) for i in range(a.readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    windows = []
    if a.outages and os.path.exists(a.outages):
        for line in open(a.outages):
            parts = line.split()
            if len(parts) == 2:
                windows.append((float(parts[0]), float(parts[1]) + 30))
    outside = [t for t in stats["failed_times"] if not any(s <= t <= e for s, e in windows)]
    result = {"readers": a.readers, "seconds": a.seconds, "reads": stats["reads"], "bytes": stats["bytes"],
              "wrong": stats["wrong"], "failed": stats["failed"], "failed_outside_outages": len(outside),
              "outages": len(windows), "wrong_examples": stats["wrong_examples"]}
    line = json.dumps(result)
    print(line)
    if a.report:
        with open(a.report, "w") as f:
            f.write(line + "\n")
    return 1 if stats["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
