/* gopher.c: a gopherd menu handler in C on Dagger.
 * Teaches: gopherd hands a Dagger handler the request on fd://0: the
 * request line (selector, a tab and the query of a search, CRLF), then
 * the CGI variables as NAME=value lines. What it writes to fd://1 is the
 * menu: lines without a tab are text, `1Title<TAB>/selector` a link, and
 * gopherd completes the rest.
 *
 *   printf '/c/dagger\tsome words\r\n' | wasmhole run sdk/samples/dagger/gopher.wasm
 */
#include "dagger.h"

static char request[2048];

DAGGER_MAIN {
    int in = dagger_open("fd://0", 0);
    int out = dagger_open("fd://1", 0);
    if (in < 0 || out < 0) return 1;
    int len = 0, n;
    while (len < (int)sizeof request - 1 &&
           (n = dagger_read(in, request + len, sizeof request - 1 - len)) > 0)
        len += n;
    /* The request line ends at the first CR or LF; a tab splits off the query. */
    int end = 0;
    while (end < len && request[end] != '\r' && request[end] != '\n') end++;
    int tab = 0;
    while (tab < end && request[tab] != '\t') tab++;
    dagger_puts(out, "Hello from a C handler on Dagger.\n");
    dagger_puts(out, "You asked for the selector: ");
    dagger_write_all(out, request, tab);
    dagger_puts(out, "\n");
    if (tab < end) {
        dagger_puts(out, "with the search: ");
        dagger_write_all(out, request + tab + 1, end - tab - 1);
        dagger_puts(out, "\n");
    }
    dagger_puts(out, "7Search with this handler\t/c/dagger\n");
    dagger_puts(out, "1The Dagger handlers in WAT\t/dagger\n");
    return 0;
}
