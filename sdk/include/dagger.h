/* dagger.h: the Dagger host ABI for C guests built without a libc.
 *
 * Dagger is the smallest of the three: everything is a stream opened by
 * URL. A descriptor is a small non-negative int; calls return a negative
 * error code when they fail. No stream is open at start: open "fd://0",
 * "fd://1" and "fd://2" for the standard streams.
 *
 * Build a guest (see sdk/build.sh):
 *   clang-14 --target=wasm32 -O2 -nostdlib -fno-builtin -Isdk/include \
 *     -Wl,--no-entry -o hello.wasm hello.c
 * and start it with DAGGER_MAIN, which exports `main` returning the exit
 * status.
 */
#ifndef DAGGER_H
#define DAGGER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes, returned negated as -1, -2, -3. */
#define DAGGER_EFAIL -1           /* the call failed, or the URL is malformed */
#define DAGGER_EBADURLINPUT -2    /* the URL could not be read from memory */
#define DAGGER_EUNKNOWNSCHEME -3  /* no stream has this URL's scheme */

#define DAGGER_IMPORT(name) \
    __attribute__((import_module("dagger"), import_name(name)))

/* Opens the NUL-terminated URL; returns a descriptor or an error. URLs:
 * fd://0, fd://1, fd://2, log://?prefix=P, file://PATH (inside a granted
 * directory, ?mode=r|w|a|rw), http://..., https://..., random://. */
DAGGER_IMPORT("open") int dagger_open(const char *url, int flags);
/* Closes a descriptor: 0 or an error. */
DAGGER_IMPORT("close") int dagger_close(int fd);
/* Reads at most len bytes into buf: the count, 0 at the end, or an error. */
DAGGER_IMPORT("read") int dagger_read(int fd, void *buf, int len);
/* Writes len bytes from buf: the count written, or an error. */
DAGGER_IMPORT("write") int dagger_write(int fd, const void *buf, int len);
/* Pushes buffered data out; for http(s) streams, sends the request, after
 * which reads return the raw response. 0 or an error. */
DAGGER_IMPORT("flush") int dagger_flush(int fd);

/* The entry point: `DAGGER_MAIN { ... return 0; }` exports `main`, which
 * the host calls; what it returns is the exit status. */
#define DAGGER_MAIN __attribute__((export_name("main"))) int dagger_main(void)

/* Small helpers, since there is no libc. */

static inline int dagger_strlen(const char *s) {
    int n = 0;
    while (s[n]) n++;
    return n;
}

/* Writes a NUL-terminated string; returns what dagger_write returned. */
static inline int dagger_puts(int fd, const char *s) {
    return dagger_write(fd, s, dagger_strlen(s));
}

/* Writes all len bytes, however many writes it takes: len, or an error. */
static inline int dagger_write_all(int fd, const void *buf, int len) {
    const char *p = (const char *)buf;
    int done = 0;
    while (done < len) {
        int n = dagger_write(fd, p + done, len - done);
        if (n <= 0) return n < 0 ? n : DAGGER_EFAIL;
        done += n;
    }
    return done;
}

#ifdef __cplusplus
}
#endif

#endif /* DAGGER_H */
