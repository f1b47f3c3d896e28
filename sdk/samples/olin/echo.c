/* echo.c: copies standard input to standard output, in C on Olin.
 * Teaches: resource_read returns how many bytes arrived, and EOF (-5) at
 * the end; a write may take fewer bytes than it was given, so the rest is
 * written again (cwa_write_all).
 *
 *   echo hello | wasmhole run --trace sdk/samples/olin/echo.wasm
 */
#include "cwa.h"

CWA_MAIN {
    char buf[256];
    int in = cwa_io_get_stdin();
    int out = cwa_io_get_stdout();
    for (;;) {
        int n = cwa_resource_read(in, buf, sizeof buf);
        if (n == CWA_EOF || n == 0) break;
        if (n < 0) return 2;
        if (cwa_write_all(out, buf, n) < 0) return 3;
    }
    return 0;
}
