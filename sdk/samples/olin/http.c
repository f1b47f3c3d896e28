/* http.c: an HTTP GET in C on Olin, the URL its first argument.
 * Teaches: an http:// resource takes the raw text of a request;
 * resource_flush sends it, and reads then return the raw response. Its
 * URL comes from startup_arg_at(1); the network is reachable only where
 * the user allows it.
 *
 *   python3 -m http.server 8000 --bind 127.0.0.1 &
 *   wasmhole run --allow-net 127.0.0.1:8000 sdk/samples/olin/http.wasm \
 *       http://127.0.0.1:8000/
 */
#include "cwa.h"

static char url[512];
static char request[1024];

static void add(int *at, const char *s, int n) {
    for (int i = 0; i < n && *at < (int)sizeof request - 1; i++) request[(*at)++] = s[i];
}

static void add_str(int *at, const char *s) { add(at, s, cwa_strlen(s)); }

CWA_MAIN {
    char buf[1024];
    int out = cwa_io_get_stdout();
    int len = cwa_startup_arg_len() > 1 ? cwa_startup_arg_at(1, url, sizeof url - 1) : -1;
    if (len <= 0) {
        cwa_puts(out, "give a URL such as http://127.0.0.1:8000/ as the argument\n");
        return 2;
    }
    /* http://HOST[:PORT]/PATH: the host is what follows "//" up to '/'. */
    int host = 0;
    while (host + 1 < len && !(url[host] == '/' && url[host + 1] == '/')) host++;
    host += 2;
    int path = host;
    while (path < len && url[path] != '/') path++;
    int at = 0;
    add_str(&at, "GET ");
    if (path < len) add(&at, url + path, len - path); else add_str(&at, "/");
    add_str(&at, " HTTP/1.0\r\nHost: ");
    add(&at, url + host, path - host);
    add_str(&at, "\r\nUser-Agent: wasmhole-olin-c\r\nConnection: close\r\n\r\n");
    int web = cwa_resource_open(url, len);
    if (web < 0) {
        cwa_puts(out, web == CWA_PERMISSION_DENIED
                          ? "not allowed to reach the URL (allow it with --allow-net HOST:PORT)\n"
                          : "cannot open the URL\n");
        return 3;
    }
    if (cwa_write_all(web, request, at) < 0 || cwa_resource_flush(web) < 0) {
        cwa_puts(out, "the request failed\n");
        return 4;
    }
    int n, total = 0;
    while ((n = cwa_resource_read(web, buf, sizeof buf)) > 0) {
        cwa_write_all(out, buf, n);
        total += n;
    }
    cwa_resource_close(web);
    return total > 0 ? 0 : 5;
}
