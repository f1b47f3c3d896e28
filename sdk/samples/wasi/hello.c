/* hello.c: the smallest WASI program in C, with wasi-libc.
 * Teaches: with a libc the guest writes C as usual; printf becomes one
 * fd_write to descriptor 1 when the buffer is flushed at exit (or at each
 * newline, when standard output is a terminal). The trace shows the calls
 * wasi-libc makes on the program's behalf before main runs.
 *
 *   wasmhole run --trace sdk/samples/wasi/hello.wasm
 */
#include <stdio.h>

int main(void) {
    printf("Hello from C on WASI!\n");
    return 0;
}
