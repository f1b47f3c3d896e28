/* http.c: an HTTP GET in C on Dagger, the URL read from standard input.
 * Teaches: an http:// stream takes the raw text of a request; flush sends
 * it to the stream's URL, and reads then return the raw response (status
 * line, headers, a blank line, the body). The network is reachable only
 * where the user allows it.
 *
 *   python3 -m http.server 8000 --bind 127.0.0.1 &
 *   echo http://127.0.0.1:8000/ | wasmhole run --allow-net 127.0.0.1:8000 \
 *       sdk/samples/dagger/http.wasm
 */
#include "dagger.h"

static char url[512];
static char request[1024];

/* Appends n bytes of s to the request at *at. */
static void add(int *at, const char *s, int n) {
    for (int i = 0; i < n && *at < (int)sizeof request - 1; i++) request[(*at)++] = s[i];
}

static void add_str(int *at, const char *s) { add(at, s, dagger_strlen(s)); }

DAGGER_MAIN {
    char buf[1024];
    int in = dagger_open("fd://0", 0);
    int out = dagger_open("fd://1", 0);
    if (in < 0 || out < 0) return 1;
    /* The URL: the first line of standard input. */
    int len = 0;
    while (len < (int)sizeof url - 1) {
        int n = dagger_read(in, url + len, 1);
        if (n <= 0 || url[len] == '\n' || url[len] == '\r') break;
        len++;
    }
    url[len] = 0;
    /* http://HOST[:PORT]/PATH: the host is what follows "//" up to '/'. */
    int host = 0;
    while (host + 1 < len && !(url[host] == '/' && url[host + 1] == '/')) host++;
    host += 2;
    int path = host;
    while (path < len && url[path] != '/') path++;
    if (host >= len) {
        dagger_puts(out, "give a URL such as http://127.0.0.1:8000/ on standard input\n");
        return 2;
    }
    int at = 0;
    add_str(&at, "GET ");
    if (path < len) add(&at, url + path, len - path); else add_str(&at, "/");
    add_str(&at, " HTTP/1.0\r\nHost: ");
    add(&at, url + host, path - host);
    add_str(&at, "\r\nUser-Agent: wasmhole-dagger-c\r\nConnection: close\r\n\r\n");
    int web = dagger_open(url, 0);
    if (web < 0) {
        dagger_puts(out, "cannot open the URL (allow its host with --allow-net HOST:PORT)\n");
        return 3;
    }
    if (dagger_write_all(web, request, at) < 0 || dagger_flush(web) < 0) {
        dagger_puts(out, "the request failed\n");
        return 4;
    }
    int n, total = 0;
    while ((n = dagger_read(web, buf, sizeof buf)) > 0) {
        dagger_write_all(out, buf, n);
        total += n;
    }
    dagger_close(web);
    return total > 0 ? 0 : 5;
}
