/* gopher.c: a gopherd menu handler in C on WASI.
 * Teaches: gopherd hands a WASI handler the request CGI-style: variables
 * in the environment (getenv("SELECTOR"), "QUERY", ...), the query's words
 * as arguments and the query on standard input. What it prints is the
 * menu: lines without a tab are text, `1Title<TAB>/selector` a link, and
 * gopherd completes the rest.
 *
 *   wasmhole run --env SELECTOR=/c/wasi --env QUERY=hi sdk/samples/wasi/gopher.wasm hi
 */
#include <stdio.h>
#include <stdlib.h>

static void show(const char *label, const char *name) {
    const char *value = getenv(name);
    if (value && *value) printf("%s%s\n", label, value);
}

int main(int argc, char **argv) {
    printf("Hello from a C handler on WASI.\n");
    show("You asked for the selector: ", "SELECTOR");
    show("with the search: ", "QUERY");
    show("from: ", "REMOTE_ADDR");
    for (int i = 1; i < argc; i++) printf("word %d of the search: %s\n", i, argv[i]);
    printf("7Search with this handler\t/c/wasi\n");
    printf("1The WASI handlers in WAT\t/wasi\n");
    return 0;
}
