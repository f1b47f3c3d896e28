/* cwa.h: the Olin / CommonWA host ABI for C guests built without a libc.
 *
 * "Everything is a URL", with a few namespaces of helpers: log_, env_,
 * runtime_, startup_, resource_, time_, io_ and random_. Slices are passed
 * as (pointer, length) pairs; calls that can fail return a negative error
 * code. Resources 0, 1 and 2 are the standard streams (ask io_get_stdout()
 * and friends rather than assuming the numbers).
 *
 * Build a guest (see sdk/build.sh):
 *   clang-14 --target=wasm32 -O2 -nostdlib -fno-builtin -Isdk/include \
 *     -Wl,--no-entry -o hello.wasm hello.c
 * and start it with CWA_MAIN, which exports `cwa_main` returning the exit
 * status, as Olin's own Rust library does.
 */
#ifndef CWA_H
#define CWA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. */
#define CWA_UNKNOWN -1            /* anything else that went wrong */
#define CWA_INVALID_ARGUMENT -2   /* a bad pointer or length, a malformed URL, an id not open */
#define CWA_PERMISSION_DENIED -3  /* the host does not allow it */
#define CWA_NOT_FOUND -4          /* no such variable, file or scheme */
#define CWA_EOF -5                /* the end of a resource */

/* Log levels of cwa_log_write. */
#define CWA_LOG_ERROR 1
#define CWA_LOG_WARNING 3
#define CWA_LOG_INFO 6

#define CWA_IMPORT(name) __attribute__((import_module("cwa"), import_name(name)))

/* log */
CWA_IMPORT("log_write") void cwa_log_write(int level, const char *msg, int len);

/* env: copies the value of `key` into `value`; returns its length, NOT_FOUND,
 * or (when value_len is too small, writing nothing) the length needed. */
CWA_IMPORT("env_get")
int cwa_env_get(const char *key, int key_len, char *value, int value_len);

/* runtime */
CWA_IMPORT("runtime_exit") __attribute__((noreturn)) void cwa_runtime_exit(int status);
CWA_IMPORT("runtime_spec_major") int cwa_runtime_spec_major(void);
CWA_IMPORT("runtime_spec_minor") int cwa_runtime_spec_minor(void);
/* Writes the host's name; returns its length, or INVALID_ARGUMENT if it does not fit. */
CWA_IMPORT("runtime_name") int cwa_runtime_name(char *buf, int len);
CWA_IMPORT("runtime_msleep") void cwa_runtime_msleep(int ms);

/* startup: argument 0 is the program's name. */
CWA_IMPORT("startup_arg_len") int cwa_startup_arg_len(void);
/* Copies argument i (cut to fit); returns the bytes written or INVALID_ARGUMENT. */
CWA_IMPORT("startup_arg_at") int cwa_startup_arg_at(int i, char *buf, int len);

/* resource: opened by URL: null://, zero://, log://?prefix=P, random://,
 * http(s)://..., file://PATH inside a granted directory. */
CWA_IMPORT("resource_open") int cwa_resource_open(const char *url, int url_len);
CWA_IMPORT("resource_read") int cwa_resource_read(int id, void *buf, int len);
CWA_IMPORT("resource_write") int cwa_resource_write(int id, const void *buf, int len);
/* Closing an id that is not open ends the guest. */
CWA_IMPORT("resource_close") void cwa_resource_close(int id);
/* For http(s) resources, sends the request; the response is then readable. */
CWA_IMPORT("resource_flush") int cwa_resource_flush(int id);

/* time: seconds since 1970, UTC. */
CWA_IMPORT("time_now") int64_t cwa_time_now(void);

/* io: the resource ids of the standard streams. */
CWA_IMPORT("io_get_stdin") int cwa_io_get_stdin(void);
CWA_IMPORT("io_get_stdout") int cwa_io_get_stdout(void);
CWA_IMPORT("io_get_stderr") int cwa_io_get_stderr(void);

/* random: not for cryptography (open random:// for that); never negative. */
CWA_IMPORT("random_i32") int32_t cwa_random_i32(void);
CWA_IMPORT("random_i64") int64_t cwa_random_i64(void);

/* The entry point: `CWA_MAIN { ... return 0; }` exports `cwa_main`, which
 * the host calls; what it returns is the exit status. */
#define CWA_MAIN __attribute__((export_name("cwa_main"))) int cwa_main(void)

/* Small helpers, since there is no libc. */

static inline int cwa_strlen(const char *s) {
    int n = 0;
    while (s[n]) n++;
    return n;
}

/* Writes a NUL-terminated string to a resource. */
static inline int cwa_puts(int id, const char *s) {
    return cwa_resource_write(id, s, cwa_strlen(s));
}

/* Writes all len bytes, however many writes it takes: len, or an error. */
static inline int cwa_write_all(int id, const void *buf, int len) {
    const char *p = (const char *)buf;
    int done = 0;
    while (done < len) {
        int n = cwa_resource_write(id, p + done, len - done);
        if (n <= 0) return n < 0 ? n : CWA_UNKNOWN;
        done += n;
    }
    return done;
}

/* Logs a NUL-terminated message at a level. */
static inline void cwa_log(int level, const char *s) {
    cwa_log_write(level, s, cwa_strlen(s));
}

#ifdef __cplusplus
}
#endif

#endif /* CWA_H */
