// A read-only in-memory FUSE file system, the floor of FUSE's own cost for scripts/bench-fuse-floor.sh:
// 200 folders (d000..d199) of 100 files (f0000.bin..) of 1-8 KiB, the shape of bench-mount.sh's
// small-file tree, served from memory by libfuse 3's low-level API, with or without readdirplus.
// Like verso's mount, it declines the kernel's opens (ENOSYS), so a file costs a lookup and a read,
// or, with readdirplus, only the read. Build: gcc -O2 memfs.c $(pkg-config --cflags --libs fuse3)
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#define DIRS 200
#define PER 100
static int plus = 0;
static char data[8192];

static size_t fsize(int d, int f) { return 1024 + ((d * 131 + f * 31) % 7169); }
static fuse_ino_t dino(int d) { return 2 + d; }
static fuse_ino_t fino(int d, int f) { return 1000 + d * PER + f; }

static int stat_of(fuse_ino_t ino, struct stat *st) {
    memset(st, 0, sizeof *st);
    st->st_ino = ino;
    if (ino == 1 || (ino >= 2 && ino < 2 + DIRS)) { st->st_mode = S_IFDIR | 0555; st->st_nlink = 2; return 0; }
    if (ino >= 1000 && ino < 1000 + DIRS * PER) {
        int d = (ino - 1000) / PER, f = (ino - 1000) % PER;
        st->st_mode = S_IFREG | 0444; st->st_nlink = 1; st->st_size = fsize(d, f); return 0;
    }
    return -1;
}

static void init(void *u, struct fuse_conn_info *conn) {
    if (plus) { conn->want |= FUSE_CAP_READDIRPLUS; conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO; }
    else conn->want &= ~(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
}

static void lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
    struct fuse_entry_param e; memset(&e, 0, sizeof e);
    fuse_ino_t ino = 0;
    if (parent == 1 && name[0] == 'd') { int d = atoi(name + 1); if (d >= 0 && d < DIRS) ino = dino(d); }
    else if (parent >= 2 && parent < 2 + DIRS && name[0] == 'f') { int f = atoi(name + 1); if (f >= 0 && f < PER) ino = fino(parent - 2, f); }
    if (!ino) { fuse_reply_err(req, ENOENT); return; }
    e.ino = ino; e.attr_timeout = 3600; e.entry_timeout = 3600; stat_of(ino, &e.attr);
    fuse_reply_entry(req, &e);
}

static void getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
    struct stat st; if (stat_of(ino, &st)) { fuse_reply_err(req, ENOENT); return; }
    fuse_reply_attr(req, &st, 3600);
}

static void dirlist(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int isplus) {
    char *buf = malloc(size); size_t used = 0;
    int n = ino == 1 ? DIRS : PER;
    for (int i = off; i < n; i++) {
        char name[32]; struct fuse_entry_param e; memset(&e, 0, sizeof e);
        fuse_ino_t child = ino == 1 ? dino(i) : fino(ino - 2, i);
        if (ino == 1) snprintf(name, sizeof name, "d%03d", i); else snprintf(name, sizeof name, "f%04d.bin", i);
        stat_of(child, &e.attr); e.ino = child; e.attr_timeout = 3600; e.entry_timeout = 3600;
        size_t len = isplus ? fuse_add_direntry_plus(req, buf + used, size - used, name, &e, i + 1)
                            : fuse_add_direntry(req, buf + used, size - used, name, &e.attr, i + 1);
        if (len > size - used) break;
        used += len;
    }
    fuse_reply_buf(req, buf, used); free(buf);
}
static void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) { dirlist(req, ino, size, off, 0); }
static void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) { dirlist(req, ino, size, off, 1); }

static void open_(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { fuse_reply_err(req, ENOSYS); }

static void read_(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
    struct stat st; stat_of(ino, &st);
    if (off >= st.st_size) { fuse_reply_buf(req, NULL, 0); return; }
    size_t n = st.st_size - off < size ? st.st_size - off : size;
    fuse_reply_buf(req, data, n);
}

static const struct fuse_lowlevel_ops ops = {
    .init = init, .lookup = lookup, .getattr = getattr, .readdir = readdir, .readdirplus = readdirplus,
    .open = open_, .read = read_,
};

int main(int argc, char *argv[]) {
    // usage: memfs MOUNTPOINT plus|noplus (runs in the foreground until unmounted)
    plus = argc > 2 && strcmp(argv[2], "plus") == 0;
    memset(data, 'x', sizeof data);
    char *fargv[] = { argv[0], "-o", "ro", NULL };
    struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
    struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
    if (!se || fuse_session_mount(se, argv[1])) return 1;
    struct fuse_loop_config cfg = { .clone_fd = 0, .max_idle_threads = 10 };
    int r = fuse_session_loop_mt(se, &cfg);
    fuse_session_unmount(se); fuse_session_destroy(se);
    return r;
}
