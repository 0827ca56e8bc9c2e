# Writes what DVC 3 writes, in DVC's documented formats, for the demo's --from-dvc (dvc itself is not
# installed here): .dvc/config, PATH.dvc files, the cache in files/md5/ab/cdef... with .dir manifests
# (the sorted JSON list of md5/relpath that DVC writes), a "push" that copies the cache's objects under
# a folder, and "gc -w" that keeps only what the workspace's .dvc files use.
#   python3 dvc_format.py init NAME URL [ENDPOINT]   dvc init; dvc remote add -d NAME URL
#   python3 dvc_format.py add PATH                   dvc add PATH
#   python3 dvc_format.py push DIR                   dvc push, to a folder that holds the remote's keys
#   python3 dvc_format.py gc-workspace               dvc gc -w
#   python3 dvc_format.py checkout [DEST]            dvc checkout, into DEST (default: here): writes only the
#                                                    files whose content differs, removes files a folder no
#                                                    longer has, so unchanged files keep their mtime
import glob, hashlib, json, os, shutil, sys

CACHE = ".dvc/cache"

def md5(data):
    return hashlib.md5(data).hexdigest()

def cache(data, suffix=""):
    h = md5(data)
    path = os.path.join(CACHE, "files", "md5", h[:2], h[2:] + suffix)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return h

def read(path):
    with open(path, "rb") as f:
        return f.read()

def add(path):
    path = path.rstrip("/")
    if os.path.isdir(path):
        entries, size = [], 0
        for root, _, files in os.walk(path):
            for name in files:
                full = os.path.join(root, name)
                data = read(full)
                size += len(data)
                entries.append({"md5": cache(data), "relpath": os.path.relpath(full, path).replace(os.sep, "/")})
        entries.sort(key=lambda e: e["relpath"])
        h = cache(json.dumps(entries, sort_keys=True).encode("utf-8"), ".dir")
        out = "- md5: %s.dir\n  size: %d\n  nfiles: %d\n  hash: md5\n  path: %s\n" % (h, size, len(entries),
                                                                                  os.path.basename(path))
    else:
        data = read(path)
        out = "- md5: %s\n  size: %d\n  hash: md5\n  path: %s\n" % (cache(data), len(data), os.path.basename(path))
    with open(path + ".dvc", "w") as f:
        f.write("outs:\n" + out)
    gitignore = os.path.join(os.path.dirname(path) or ".", ".gitignore")
    line = "/" + os.path.basename(path)
    lines = read(gitignore).decode().split("\n") if os.path.exists(gitignore) else []
    if line not in lines and os.path.basename(path) not in lines:
        with open(gitignore, "a") as f:
            f.write(line + "\n")
    print("added %s: %s.dvc written, its objects in %s" % (path, path, CACHE))

def objects():
    for root, _, files in os.walk(CACHE):
        for name in files:
            full = os.path.join(root, name)
            yield os.path.relpath(full, CACHE), full

def used():
    keep = set()
    for dvcfile in glob.glob("**/*.dvc", recursive=True):
        for line in read(dvcfile).decode().splitlines():
            line = line.strip().lstrip("- ")
            if line.startswith("md5: "):
                name = line[5:].strip()
                keep.add(name)
                if name.endswith(".dir"):
                    manifest = os.path.join(CACHE, "files", "md5", name[:2], name[2:])
                    for e in json.loads(read(manifest)):
                        keep.add(e["md5"])
    return keep

def cached(name):
    return os.path.join(CACHE, "files", "md5", name[:2], name[2:])

def outs():
    """(path of the output, md5 name) of every output of the .dvc files under here."""
    for dvcfile in sorted(glob.glob("**/*.dvc", recursive=True)):
        md5name = None
        for line in read(dvcfile).decode().splitlines():
            line = line.strip().lstrip("- ")
            if line.startswith("md5: "):
                md5name = line[5:].strip()
            elif line.startswith("path: ") and md5name:
                yield os.path.join(os.path.dirname(dvcfile), line[6:].strip()), md5name
                md5name = None

def place(src, dest):
    if os.path.isfile(dest) and os.path.getsize(dest) == os.path.getsize(src) and md5(read(dest)) == md5(read(src)):
        return 0
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    shutil.copyfile(src, dest + ".tmp")
    os.replace(dest + ".tmp", dest)
    return 1

def checkout(dest):
    written = removed = 0
    for path, name in outs():
        target = os.path.join(dest, path)
        if not name.endswith(".dir"):
            written += place(cached(name), target)
            continue
        keep = set()
        for e in json.loads(read(cached(name))):
            keep.add(os.path.normpath(os.path.join(target, e["relpath"])))
            written += place(cached(e["md5"]), os.path.join(target, e["relpath"]))
        for root, _, files in os.walk(target):
            for f in files:
                full = os.path.normpath(os.path.join(root, f))
                if full not in keep:
                    os.remove(full)
                    removed += 1
    print("checked out into %s: %d files written, %d removed" % (dest, written, removed))

def main():
    cmd = sys.argv[1]
    if cmd == "init":
        os.makedirs(".dvc", exist_ok=True)
        with open(".dvc/.gitignore", "w") as f:
            f.write("/config.local\n/tmp\n/cache\n")
        with open(".dvc/config", "w") as f:
            f.write("[core]\n    remote = %s\n['remote \"%s\"']\n    url = %s\n" % (sys.argv[2], sys.argv[2], sys.argv[3]))
            if len(sys.argv) > 4:
                f.write("    endpointurl = %s\n" % sys.argv[4])
        print("Initialized DVC repository (remote %s: %s)" % (sys.argv[2], sys.argv[3]))
    elif cmd == "add":
        add(sys.argv[2])
    elif cmd == "push":
        n = 0
        for key, full in objects():
            target = os.path.join(sys.argv[2], key)
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(full, target)
                n += 1
        print("%d files pushed" % n)
    elif cmd == "gc-workspace":
        keep, n = used(), 0
        for key, full in list(objects()):
            name = key.split("/")[-2] + key.split("/")[-1]
            if name not in keep:
                os.remove(full)
                n += 1
                try:
                    os.removedirs(os.path.dirname(full))
                except OSError:
                    pass
        print("Removed %d objects from the cache" % n)
    elif cmd == "checkout":
        checkout(sys.argv[2] if len(sys.argv) > 2 else ".")
    else:
        sys.exit("unknown command " + cmd)

main()
