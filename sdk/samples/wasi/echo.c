/* echo.c: copies standard input to standard output, in C on WASI.
 * Teaches: fread and fwrite turn into fd_read and fd_write on descriptors
 * 0 and 1, a buffer at a time; the program's arguments arrive through
 * args_get, and each is echoed first.
 *
 *   echo hello | wasmhole run --trace sdk/samples/wasi/echo.wasm one two
 */
#include <stdio.h>

int main(int argc, char **argv) {
    char buf[4096];
    size_t n;
    for (int i = 1; i < argc; i++) printf("argument %d: %s\n", i, argv[i]);
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    return ferror(stdin) ? 1 : 0;
}
