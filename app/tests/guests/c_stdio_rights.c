/* What the host says about the standard streams through fd_fdstat_get
 * (called directly, not through wasi-libc's fcntl): for descriptors 0, 1
 * and 2, the file type, the flags and both rights sets, in hex and by
 * name. Then what fd_fdstat_set_flags(NONBLOCK) answers on each (as Go's
 * runtime asks at start) and the flags fd_fdstat_get reports after it.
 *
 * Run with each stream a terminal, a pipe or a file, e.g.
 *   echo | wasmhole run c_stdio_rights.wasm | cat
 *   wasmhole run c_stdio_rights.wasm < /dev/null > /tmp/out.txt
 * Build: sdk/build.sh c, that is
 *   clang-14 --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug \
 *     -o app/tests/guests/c_stdio_rights.wasm app/tests/guests/c_stdio_rights.c
 */
#include <stdio.h>
#include <wasi/api.h>

static const char *const right_names[] = {
    "FD_DATASYNC", "FD_READ", "FD_SEEK", "FD_FDSTAT_SET_FLAGS", "FD_SYNC",
    "FD_TELL", "FD_WRITE", "FD_ADVISE", "FD_ALLOCATE", "PATH_CREATE_DIRECTORY",
    "PATH_CREATE_FILE", "PATH_LINK_SOURCE", "PATH_LINK_TARGET", "PATH_OPEN",
    "FD_READDIR", "PATH_READLINK", "PATH_RENAME_SOURCE", "PATH_RENAME_TARGET",
    "PATH_FILESTAT_GET", "PATH_FILESTAT_SET_SIZE", "PATH_FILESTAT_SET_TIMES",
    "FD_FILESTAT_GET", "FD_FILESTAT_SET_SIZE", "FD_FILESTAT_SET_TIMES",
    "PATH_SYMLINK", "PATH_REMOVE_DIRECTORY", "PATH_UNLINK_FILE",
    "POLL_FD_READWRITE", "SOCK_SHUTDOWN", "SOCK_ACCEPT",
};

static const char *const filetype_names[] = {
    "UNKNOWN", "BLOCK_DEVICE", "CHARACTER_DEVICE", "DIRECTORY",
    "REGULAR_FILE", "SOCKET_DGRAM", "SOCKET_STREAM", "SYMBOLIC_LINK",
};

static void print_rights(const char *label, __wasi_rights_t r) {
    printf("  %s=0x%llx", label, (unsigned long long)r);
    const char *sep = " (";
    for (unsigned i = 0; i < sizeof right_names / sizeof *right_names; i++) {
        if (r & ((__wasi_rights_t)1 << i)) {
            printf("%s%s", sep, right_names[i]);
            sep = "|";
        }
    }
    printf("%s\n", *sep == '|' ? ")" : "");
}

static int show(int fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get(fd, &st);
    if (err) {
        printf("fd %d: fd_fdstat_get = errno %d\n", fd, err);
        return -1;
    }
    printf("fd %d: filetype=%u (%s) flags=0x%x\n", fd, st.fs_filetype,
           st.fs_filetype < 8 ? filetype_names[st.fs_filetype] : "?", st.fs_flags);
    print_rights("rights_base", st.fs_rights_base);
    print_rights("rights_inheriting", st.fs_rights_inheriting);
    return st.fs_flags;
}

int main(void) {
    int flags[3];
    for (int fd = 0; fd < 3; fd++) flags[fd] = show(fd);
    for (int fd = 0; fd < 3; fd++) {
        if (flags[fd] < 0) continue;
        __wasi_errno_t err = __wasi_fd_fdstat_set_flags(
            fd, (__wasi_fdflags_t)(flags[fd] | __WASI_FDFLAGS_NONBLOCK));
        __wasi_fdstat_t st;
        __wasi_errno_t err2 = __wasi_fd_fdstat_get(fd, &st);
        printf("fd %d: fd_fdstat_set_flags(NONBLOCK) = %d; then flags=0x%x (fd_fdstat_get = %d)\n",
               fd, err, err2 ? 0 : st.fs_flags, err2);
    }
    fflush(stdout);
    return 0;
}
