/* In what order a C program (wasi-libc readdir, over fd_readdir) receives a
 * directory's entries, and what happens when it deletes entries while
 * listing, as `rm -r` style code does.
 *
 *   c_readdir_order list DIR [N]     creates N files (default 30) in DIR/list
 *                                    in a scrambled order, then lists DIR/list
 *                                    and prints every name in the order
 *                                    readdir returns it ("." and ".." too)
 *   c_readdir_order rmtree DIR [N]   creates DIR/tree with N files (default
 *                                    200, enough to need several fd_readdir
 *                                    calls) and two subfolders of 20 files,
 *                                    then removes the tree while listing it:
 *                                    opendir, readdir, unlink (or recurse and
 *                                    rmdir) each entry as it is read, again
 *                                    until a pass finds nothing; prints each
 *                                    pass's removals and what is left
 *   c_readdir_order raw DIR [N]      creates N files (default 5) in DIR/raw and
 *                                    calls fd_readdir itself: cookie 0 with a
 *                                    large buffer (each entry's d_next, d_type
 *                                    and name), cookie 3, and cookie 0 with a
 *                                    buffer of 40 bytes (what a full buffer
 *                                    returns)
 *
 * Run: wasmhole run --dir /tmp/rd::/box c_readdir_order.wasm list /box
 * Build: sdk/build.sh c, that is
 *   clang-14 --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug \
 *     -o app/tests/guests/c_readdir_order.wasm app/tests/guests/c_readdir_order.c
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void die(const char *what, const char *path) {
    printf("%s(%s): %s (errno %d)\n", what, path, strerror(errno), errno);
    exit(1);
}

static void make_file(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("open", path);
    close(fd);
}

static void make_dir(const char *path) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("mkdir", path);
}

/* The i-th name of a scrambled creation order: 7 is prime to 30, so
 * i*7 % n visits every index once for n not a multiple of 7. */
static int scrambled(int i, int n) { return n % 7 ? (i * 7) % n : n - 1 - i; }

static int list(const char *base, int n) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/list", base);
    make_dir(dir);
    printf("created:");
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d", scrambled(i, n));
        make_file(dir, name);
        printf(" %s", name);
    }
    printf("\nreaddir:");
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    int count = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        printf(" %s", e->d_name);
        count++;
    }
    if (errno) die("readdir", dir);
    closedir(d);
    printf("\nentries: %d\n", count);
    return 0;
}

static int removed_total;

/* One pass: removes every entry that readdir hands out, recursing into
 * folders (each emptied the same way, then rmdir'ed). Returns how many
 * entries this pass saw. */
static int remove_pass(const char *dir, int pass, int depth);

static void remove_all(const char *dir, int depth) {
    for (int pass = 1;; pass++) {
        int seen = remove_pass(dir, pass, depth);
        printf("%*spass %d of %s: %d removed\n", depth * 2, "", pass, dir, seen);
        if (seen == 0) break;
        if (pass == 20) {
            printf("%*sgiving up on %s\n", depth * 2, "", dir);
            break;
        }
    }
}

static int remove_pass(const char *dir, int pass, int depth) {
    (void)pass;
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    int seen = 0;
    struct dirent *e;
    printf("%*sremoving in %s:", depth * 2, "", dir);
    fflush(stdout);
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            printf(" [%s: lstat %s]", e->d_name, strerror(errno));
            errno = 0;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            printf(" %s/ {\n", e->d_name);
            remove_all(path, depth + 1);
            if (rmdir(path) != 0) die("rmdir", path);
            printf("%*s}", depth * 2, "");
        } else {
            if (unlink(path) != 0) die("unlink", path);
            printf(" %s", e->d_name);
        }
        seen++;
        removed_total++;
        errno = 0;
    }
    if (errno) die("readdir", dir);
    closedir(d);
    printf("\n");
    return seen;
}

static int rmtree(const char *base, int n) {
    char dir[512], sub[512];
    snprintf(dir, sizeof dir, "%s/tree", base);
    make_dir(dir);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "file-%03d-with-a-longer-name", scrambled(i, n));
        make_file(dir, name);
    }
    for (int s = 0; s < 2; s++) {
        snprintf(sub, sizeof sub, "%s/sub%d", dir, s);
        make_dir(sub);
        for (int i = 0; i < 20; i++) {
            char name[32];
            snprintf(name, sizeof name, "g%02d", scrambled(i, 20));
            make_file(sub, name);
        }
    }
    printf("created %s: %d files and 2 folders of 20 files\n", dir, n);
    remove_all(dir, 0);
    printf("removed: %d entries\n", removed_total);
    printf("left in %s:", dir);
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    struct dirent *e;
    int left = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        printf(" %s", e->d_name);
        left++;
    }
    closedir(d);
    printf("%s\n", left ? "" : " nothing");
    if (rmdir(dir) != 0) die("rmdir", dir);
    printf("rmdir %s: ok\n", dir);
    return 0;
}

static void raw_call(int fd, __wasi_dircookie_t cookie, size_t len) {
    static uint8_t buf[8192];
    __wasi_size_t used = 0;
    __wasi_errno_t err = __wasi_fd_readdir(fd, buf, len, cookie, &used);
    printf("fd_readdir(cookie=%llu, buf_len=%zu) = %d, used=%u\n",
           (unsigned long long)cookie, len, err, (unsigned)used);
    size_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
        __wasi_dirent_t ent;
        memcpy(&ent, buf + off, sizeof ent);
        off += sizeof ent;
        size_t have = used - off < ent.d_namlen ? used - off : ent.d_namlen;
        printf("  d_next=%llu d_ino=%s d_type=%u d_namlen=%u name=\"%.*s\"%s\n",
               (unsigned long long)ent.d_next, ent.d_ino ? "nonzero" : "0",
               ent.d_type, ent.d_namlen, (int)have, (const char *)buf + off,
               have < ent.d_namlen ? " (cut)" : "");
        off += have;
    }
    if (off < used) printf("  %zu trailing bytes of a cut entry header\n", used - off);
}

static int raw(const char *base, int n) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/raw", base);
    make_dir(dir);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "r%d", i);
        make_file(dir, name);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) die("open", dir);
    raw_call(fd, 0, 8192);
    raw_call(fd, 3, 8192);
    raw_call(fd, 0, 40);
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        printf("usage: %s list|rmtree|raw DIR [N]\n", argv[0]);
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : -1;
    if (!strcmp(argv[1], "list")) return list(argv[2], n > 0 ? n : 30);
    if (!strcmp(argv[1], "rmtree")) return rmtree(argv[2], n > 0 ? n : 200);
    if (!strcmp(argv[1], "raw")) return raw(argv[2], n > 0 ? n : 5);
    printf("unknown mode %s\n", argv[1]);
    return 2;
}
