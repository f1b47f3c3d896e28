/* gopher.c: a gopherd menu handler in C on Olin.
 * Teaches: gopherd hands an Olin handler the request as CGI variables
 * (env_get "SELECTOR", "QUERY", ...), the query also as arguments and on
 * standard input. What it writes to standard output is the menu: lines
 * without a tab are text, `1Title<TAB>/selector` a link, and gopherd
 * completes the rest.
 *
 *   wasmhole run --env SELECTOR=/c/olin --env QUERY=hi sdk/samples/olin/gopher.wasm
 */
#include "cwa.h"

/* Writes "label: value of the variable" when the variable is set. */
static void show(int out, const char *label, const char *name) {
    char value[512];
    int n = cwa_env_get(name, cwa_strlen(name), value, sizeof value);
    if (n <= 0 || n > (int)sizeof value) return;
    cwa_puts(out, label);
    cwa_resource_write(out, value, n);
    cwa_puts(out, "\n");
}

CWA_MAIN {
    int out = cwa_io_get_stdout();
    cwa_puts(out, "Hello from a C handler on Olin.\n");
    show(out, "You asked for the selector: ", "SELECTOR");
    show(out, "with the search: ", "QUERY");
    show(out, "from: ", "REMOTE_ADDR");
    cwa_puts(out, "7Search with this handler\t/c/olin\n");
    cwa_puts(out, "1The Olin handlers in WAT\t/olin\n");
    return 0;
}
