/* Standard input without blocking, asked of the host directly, the way Go's
 * runtime does it: fd_fdstat_set_flags(0, NONBLOCK), then an fd_read on
 * stdin while nothing has arrived (does it return EAGAIN at once, or wait?),
 * then a loop of poll_oneoff on {a 100 ms relative clock, fd_read on 0},
 * printing every event (type, error, nbytes, flags) with the milliseconds
 * since start, and reading stdin whenever it is reported ready, until end
 * of input (or 40 rounds).
 *
 * Run with slow input:
 *   (sleep 0.5; echo a; sleep 0.5; echo b) | wasmhole run c_stdin_poll.wasm
 * Build: sdk/build.sh c, that is
 *   clang-14 --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug \
 *     -o app/tests/guests/c_stdin_poll.wasm app/tests/guests/c_stdin_poll.c
 */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_timestamp_t start;

static unsigned long ms(void) {
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now);
    return (unsigned long)((now - start) / 1000000);
}

/* Reads stdin once; returns bytes read, 0 at end, -1 on an error. */
static int read_once(const char *why) {
    char buf[256];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    unsigned long t0 = ms();
    __wasi_errno_t err = __wasi_fd_read(0, &iov, 1, &n);
    unsigned long t1 = ms();
    if (err) {
        printf("%5lu ms fd_read(0) %s = errno %d after %lu ms\n", t1, why, err, t1 - t0);
        return -1;
    }
    buf[n] = 0;
    if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
    printf("%5lu ms fd_read(0) %s = %u bytes \"%s\" after %lu ms\n", t1, why, (unsigned)n, buf,
           t1 - t0);
    return (int)n;
}

int main(void) {
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &start);
    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get(0, &st);
    printf("%5lu ms fd_fdstat_get(0) = %d, flags=0x%x\n", ms(), err, err ? 0 : st.fs_flags);
    err = __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK);
    printf("%5lu ms fd_fdstat_set_flags(0, NONBLOCK) = %d\n", ms(), err);
    err = __wasi_fd_fdstat_get(0, &st);
    printf("%5lu ms fd_fdstat_get(0) = %d, flags=0x%x\n", ms(), err, err ? 0 : st.fs_flags);
    fflush(stdout);

    if (read_once("before any input") == 0) {
        printf("end of input\n");
        return 0;
    }
    fflush(stdout);

    __wasi_subscription_t subs[2];
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 100;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 100 * 1000000ull;
    subs[0].u.u.clock.precision = 1000;
    subs[1].userdata = 200;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[1].u.u.fd_read.file_descriptor = 0;

    for (int round = 0; round < 40; round++) {
        __wasi_event_t evs[2];
        __wasi_size_t n = 0;
        memset(evs, 0xee, sizeof evs);
        err = __wasi_poll_oneoff(subs, evs, 2, &n);
        if (err) {
            printf("%5lu ms poll_oneoff = errno %d\n", ms(), err);
            return 1;
        }
        int readable = 0;
        for (unsigned i = 0; i < n; i++) {
            printf("%5lu ms poll_oneoff event: userdata=%llu type=%u error=%u nbytes=%llu flags=0x%x\n",
                   ms(), (unsigned long long)evs[i].userdata, evs[i].type, evs[i].error,
                   (unsigned long long)evs[i].fd_readwrite.nbytes, evs[i].fd_readwrite.flags);
            if (evs[i].userdata == 200) readable = 1;
        }
        if (readable) {
            int got = read_once("after readiness");
            if (got == 0) {
                printf("end of input\n");
                return 0;
            }
        }
        fflush(stdout);
    }
    printf("40 rounds\n");
    return 0;
}
