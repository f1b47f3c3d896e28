/* hello.c: the smallest Olin program in C: write to the standard output resource.
 * Teaches: an Olin guest asks the host for the id of its standard output
 * (io_get_stdout), writes to it as to any resource, and returns its exit
 * status from `cwa_main`, the entry point Olin's own library exports. It
 * also asks the host's name: `olin`, as the original host answered. This
 * one is linked with --import-memory, as some toolchains do: its memory is
 * imported, and the host provides it.
 *
 *   wasmhole run --trace sdk/samples/olin/hello.wasm
 */
#include "cwa.h"

CWA_MAIN {
    char name[32];
    int out = cwa_io_get_stdout();
    int n = cwa_runtime_name(name, sizeof name);
    cwa_puts(out, "Hello from C on Olin, whose host calls itself ");
    if (n > 0) cwa_resource_write(out, name, n);
    cwa_puts(out, "!\n");
    return 0;
}
