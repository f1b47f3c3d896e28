/* file.c: reads a file inside the directory the host granted, in C on Olin.
 * Teaches: file:// resources reach only directories the user granted with
 * --dir; outside them the open fails with PERMISSION_DENIED (-3), and a
 * missing file with NOT_FOUND (-4).
 *
 *   wasmhole run --dir sdk/samples/data::/data sdk/samples/olin/file.wasm
 */
#include "cwa.h"

static const char inside[] = "file:///data/message.txt";
static const char outside[] = "file:///data/../../etc/passwd";

CWA_MAIN {
    char buf[256];
    int out = cwa_io_get_stdout();
    int in = cwa_resource_open(inside, sizeof inside - 1);
    if (in < 0) {
        cwa_puts(out, "cannot open /data/message.txt (grant it with --dir DIR::/data)\n");
        return 2;
    }
    int n;
    while ((n = cwa_resource_read(in, buf, sizeof buf)) > 0) cwa_write_all(out, buf, n);
    cwa_resource_close(in);
    int escape = cwa_resource_open(outside, sizeof outside - 1);
    cwa_puts(out, escape == CWA_PERMISSION_DENIED
                      ? "/data/../../etc/passwd: PERMISSION_DENIED, outside the grant\n"
                      : "/data/../../etc/passwd: not refused?!\n");
    return escape == CWA_PERMISSION_DENIED ? 0 : 3;
}
