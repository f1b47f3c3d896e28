/* cwagi_echo.c: an Olin cwa-cgi handler: it reads REQUEST_METHOD,
 * REQUEST_URI, QUERY_STRING, RUN_ID and WORKER_ID from its environment and
 * the body from standard input, and writes a whole HTTP response on
 * standard output. A request for /fail exits 1 (the server answers 500). */
#include "cwa.h"

static int len(const char *s) { int n = 0; while (s[n]) n++; return n; }

static int put(char *out, int at, const char *s, int n) {
    for (int i = 0; i < n && at < 4000; i++) out[at++] = s[i];
    return at;
}

static int var(char *out, int at, const char *key) {
    char value[512];
    int n = cwa_env_get(key, len(key), value, sizeof value);
    at = put(out, at, key, len(key));
    at = put(out, at, "=", 1);
    if (n >= 0 && n <= (int)sizeof value) at = put(out, at, value, n);
    return put(out, at, "\n", 1);
}

CWA_MAIN {
    char uri[512];
    int n = cwa_env_get("REQUEST_URI", 11, uri, sizeof uri);
    if (n == 5 && uri[0] == '/' && uri[1] == 'f' && uri[2] == 'a' && uri[3] == 'i' && uri[4] == 'l')
        return 1;
    char body[4000];
    int at = 0;
    at = var(body, at, "REQUEST_METHOD");
    at = var(body, at, "REQUEST_URI");
    at = var(body, at, "QUERY_STRING");
    at = var(body, at, "RUN_ID");
    at = var(body, at, "WORKER_ID");
    at = put(body, at, "body=", 5);
    char in[1024];
    int got = cwa_resource_read(cwa_io_get_stdin(), in, sizeof in);
    if (got > 0) at = put(body, at, in, got);
    at = put(body, at, "\n", 1);
    char head[200];
    int h = 0;
    const char *status = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-guest: cwagi_echo\r\ncontent-length: ";
    h = put(head, h, status, len(status));
    char digits[12];
    int d = 0, v = at;
    do { digits[d++] = '0' + v % 10; v /= 10; } while (v);
    while (d) head[h++] = digits[--d];
    h = put(head, h, "\r\n\r\n", 4);
    int out = cwa_io_get_stdout();
    if (cwa_write_all(out, head, h) < 0) return 3;
    if (cwa_write_all(out, body, at) < 0) return 3;
    return 0;
}
