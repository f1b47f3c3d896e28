/* wagi_env.c: a WAGI handler as WASI programs write them: the headers
 * (content-type, a custom one), a blank line, then every environment
 * variable it was given, its arguments and the request body from stdin.
 * ?status=N answers with that status; ?to=URL redirects there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    const char *query = getenv("QUERY_STRING");
    if (query && strncmp(query, "to=", 3) == 0) {
        printf("location: %s\n\n", query + 3);
        return 0;
    }
    if (query && strncmp(query, "status=", 7) == 0) {
        printf("status: %s\n", query + 7);
    }
    printf("content-type: text/plain; charset=utf-8\n");
    printf("x-guest: wagi_env\n\n");
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    for (int i = 0; i < argc; i++) printf("arg %s\n", argv[i]);
    char body[4096];
    size_t n = fread(body, 1, sizeof body, stdin);
    printf("body %zu bytes: %.*s\n", n, (int)n, body);
    return 0;
}
