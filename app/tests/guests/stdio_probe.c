/* What a C program built with wasi-libc learns about its standard streams:
 * whether each is a terminal (isatty), the file type fstat reports, and the
 * access mode fcntl reports. Then how stdout is buffered: two lines on
 * stdout, one on stderr, one more on stdout. The first write to stdout
 * decides: on a terminal stdout stays line-buffered and the lines come out
 * in order; otherwise it becomes fully buffered, and the stderr line
 * overtakes the stdout lines written after the first.
 *
 * Build: sdk/build.sh. Run: wasmhole run stdio_probe.wasm
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_of(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return "error";
    if (S_ISCHR(st.st_mode)) return "chr";
    if (S_ISREG(st.st_mode)) return "reg";
    if (S_ISFIFO(st.st_mode)) return "fifo";
    if (S_ISDIR(st.st_mode)) return "dir";
    if (S_ISSOCK(st.st_mode)) return "sock";
    return "unknown";
}

static const char *mode_of(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return "error";
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return "r";
    case O_WRONLY: return "w";
    case O_RDWR: return "rw";
    default: return "other";
    }
}

int main(void) {
    char report[256];
    int n = 0;
    for (int fd = 0; fd <= 2; fd++) {
        n += snprintf(report + n, sizeof report - n, "fd%d tty=%d type=%s mode=%s\n",
                      fd, isatty(fd), type_of(fd), mode_of(fd));
    }
    /* The report goes to stderr, unbuffered, so it never mixes with the
     * buffering experiment below. */
    fputs(report, stderr);
    fputs("out 1\n", stdout);
    fputs("out 2\n", stdout);
    fputs("err\n", stderr);
    fputs("out 3\n", stdout);
    return 0;
}
