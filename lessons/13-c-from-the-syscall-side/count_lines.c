/* count_lines.c: counts the lines of /data/poem.txt with the C library.
 * The program knows nothing of WASI: fopen, fgetc and printf are ordinary
 * C. wasi-libc turns them into syscalls: it looks for granted directories
 * before main (fd_prestat_get), resolves /data/poem.txt against the one
 * named /data (path_open), reads through a buffer (fd_read), and prints
 * through another (fd_write).
 *
 * Built by build.sh with clang and wasi-libc; count_lines.wasm is committed
 * so nothing needs clang to run it. */
#include <stdio.h>

int main(void) {
  FILE *f = fopen("/data/poem.txt", "r");
  if (!f) {
    perror("/data/poem.txt");
    return 1;
  }
  int c, lines = 0;
  while ((c = fgetc(f)) != EOF)
    if (c == '\n')
      lines++;
  fclose(f);
  printf("%d lines\n", lines);
  return 0;
}
