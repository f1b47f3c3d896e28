/* file.c: reads a file inside the directory the host granted, in C on Dagger.
 * Teaches: file:// streams reach only directories the user granted with
 * --dir; a path that climbs out of the grant is refused like any other
 * missing capability.
 *
 *   wasmhole run --dir sdk/samples/data::/data sdk/samples/dagger/file.wasm
 */
#include "dagger.h"

DAGGER_MAIN {
    char buf[256];
    int out = dagger_open("fd://1", 0);
    if (out < 0) return 1;
    int in = dagger_open("file:///data/message.txt", 0);
    if (in < 0) {
        dagger_puts(out, "cannot open /data/message.txt (grant it with --dir DIR::/data)\n");
        return 2;
    }
    int n;
    while ((n = dagger_read(in, buf, sizeof buf)) > 0) dagger_write_all(out, buf, n);
    dagger_close(in);
    int escape = dagger_open("file:///data/../../etc/passwd", 0);
    dagger_puts(out, escape < 0 ? "/data/../../etc/passwd: refused, outside the grant\n"
                                : "/data/../../etc/passwd: opened?!\n");
    return escape < 0 ? 0 : 3;
}
