/* file.c: reads a file inside the directory the host granted, in C on WASI.
 * Teaches: wasi-libc finds the granted directories (fd_prestat_get) and
 * turns fopen("/data/...") into a path_open relative to the one named
 * /data; a path that climbs out of the grant fails with EPERM or ENOENT,
 * whatever the host's files are.
 *
 *   wasmhole run --dir sdk/samples/data::/data sdk/samples/wasi/file.wasm
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char line[256];
    FILE *f = fopen("/data/message.txt", "r");
    if (!f) {
        printf("cannot open /data/message.txt: %s (grant it with --dir DIR::/data)\n",
               strerror(errno));
        return 2;
    }
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    FILE *escape = fopen("/data/../../etc/passwd", "r");
    if (escape) {
        printf("/data/../../etc/passwd: opened?!\n");
        return 3;
    }
    printf("/data/../../etc/passwd: refused, outside the grant\n");
    return 0;
}
