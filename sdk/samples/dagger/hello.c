/* hello.c: the smallest Dagger program in C: open fd://1 and write to it.
 * Teaches: a Dagger guest has no descriptor open at start; it opens the
 * standard output by URL, writes to the descriptor it got back, and
 * returns its exit status from `main`. Built without a libc (see
 * sdk/build.sh): the only outside world is the five imports of dagger.h.
 *
 *   wasmhole run --trace sdk/samples/dagger/hello.wasm
 */
#include "dagger.h"

DAGGER_MAIN {
    int out = dagger_open("fd://1", 0);
    if (out < 0) return 1;
    dagger_puts(out, "Hello from C on Dagger!\n");
    dagger_close(out);
    return 0;
}
