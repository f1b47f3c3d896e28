/* A WASI reactor as clang and wasi-libc link one (-mexec-model=reactor):
 * _initialize, memory and one exported function, no _start. `wasmtime run`
 * and `wasmhole run` must refuse to start it without --invoke.
 *   wasmhole run --invoke greet c_reactor.wasm      (prints, exit status 5)
 * Build: sdk/build.sh c, that is
 *   clang-14 --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug -mexec-model=reactor \
 *     -o app/tests/guests/c_reactor.wasm app/tests/guests/c_reactor.c
 */
#include <stdio.h>

__attribute__((export_name("greet"))) int greet(void) {
    puts("hello from a reactor");
    fflush(stdout);
    return 5;
}
