/* echo.c: copies standard input to standard output, in C on Dagger.
 * Teaches: reads return how many bytes arrived and 0 at the end of the
 * stream; a write may take fewer bytes than it was given, so the rest is
 * written again (dagger_write_all).
 *
 *   echo hello | wasmhole run --trace sdk/samples/dagger/echo.wasm
 */
#include "dagger.h"

DAGGER_MAIN {
    char buf[256];
    int in = dagger_open("fd://0", 0);
    int out = dagger_open("fd://1", 0);
    if (in < 0 || out < 0) return 1;
    for (;;) {
        int n = dagger_read(in, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) return 2;
        if (dagger_write_all(out, buf, n) < 0) return 3;
    }
    return 0;
}
