/*
 * rtse_push: the ingest protocol's device side (see rtse_push.h and rtsp-edge's ingest protocol).
 *
 * Wire format, exactly:
 *
 *   POST /ingest/cam1 HTTP/1.1\r\n
 *   Host: 192.168.1.10:8080\r\n
 *   User-Agent: rtse-push/1\r\n
 *   Authorization: Bearer secret\r\n                  (only with a token)
 *   Content-Type: multipart/x-mixed-replace; boundary=rtse-frame\r\n
 *                 (or video/h264; framing=chunk: one access unit per chunk)
 *   Transfer-Encoding: chunked\r\n
 *   \r\n
 *
 * then one chunk (RFC 9112 §7.1) per frame. JPEG mode, one multipart part (RFC 2046 §5.1.1) per
 * chunk; the CRLF that ends a part's body belongs to the next delimiter, so it opens the next
 * chunk:
 *
 *   <hex size>\r\n[\r\n]--rtse-frame\r\nContent-Type: image/jpeg\r\nContent-Length: N\r\n
 *   X-Timestamp-Us: T\r\n\r\n<N bytes of JPEG>\r\n
 *
 * and at the end a chunk holding the close delimiter "\r\n--rtse-frame--\r\n". H.264 mode: each
 * chunk is the Annex B bytes as given. Audio mode (POST /ingest/cam1/audio, Content-Type:
 * audio/x-raw;format=s16le;rate=16000;channels=1): each chunk is samples as given, its size line
 * carrying the capture time of its first sample as a chunk extension (RFC 9112 §7.1.1):
 *
 *   <hex size>;ts=T\r\n<samples>\r\n
 *
 * The body ends with the last chunk "0\r\n\r\n".
 */
#ifndef ESP_PLATFORM
#define _POSIX_C_SOURCE 200809L
#endif

#include "rtse_push.h"

#include <errno.h>
#include <string.h>

#ifdef ESP_PLATFORM /* ESP-IDF and Arduino-ESP32: lwIP's BSD sockets */
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include <sys/time.h>
#include <unistd.h>
#else
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#endif

/* Linux would kill the process with SIGPIPE on a send to a closed connection. */
#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0
#endif
/* "More is coming": lets the TCP stack put a chunk header and its data in one segment. */
#ifdef MSG_MORE
#define MORE MSG_MORE
#else
#define MORE 0
#endif

#define STATE_OPEN 0x52545345 /* a value a zeroed or stale struct is unlikely to hold */
#define STATE_CLOSED 0

/* ---- small string builders (no printf: newlib-nano's printf lacks 64-bit integers) ---- */

typedef struct {
    char *buf;
    size_t cap, len;
    int overflow;
} builder;

static void put_bytes(builder *b, const char *s, size_t n) {
    if (b->len + n > b->cap) {
        b->overflow = 1;
        return;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void put(builder *b, const char *s) { put_bytes(b, s, strlen(s)); }

static void start(builder *b, char *buf, size_t cap) {
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->overflow = 0;
}

static void put_uint(builder *b, uint64_t v, unsigned base) {
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = "0123456789ABCDEF"[v % base];
        v /= base;
    } while (v != 0);
    put_bytes(b, digits + i, sizeof digits - i);
}

/* ---- argument checks ---- */

/* Ingest paths: segments of [A-Za-z0-9._~-] joined by '/'. */
static int valid_path(const char *p) {
    size_t seg = 0;
    if (*p == '/') p++;
    for (; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (seg == 0) return 0;
            seg = 0;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '~' || c == '-') {
            seg++;
        } else {
            return 0;
        }
    }
    return seg > 0;
}

/* RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int valid_token(const char *t) {
    size_t n = 0;
    for (; *t && *t != '='; t++, n++) {
        char c = *t;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'))
            return 0;
    }
    for (; *t == '='; t++) {
    }
    return n > 0 && *t == '\0';
}

/* Host names and addresses: no bytes that could break the request head. */
static int valid_host(const char *h) {
    if (*h == '\0') return 0;
    for (; *h; h++)
        if ((unsigned char)*h <= ' ' || (unsigned char)*h >= 0x7f) return 0;
    return 1;
}

/* ---- failing, sending, receiving ---- */

static int fail(rtse_conn *c, int code, int sys_errno) {
    if (c->error == RTSE_OK) {
        c->error = code;
        c->sys_errno = sys_errno;
    }
    return c->error;
}

static int is_timeout(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

static int read_answer(rtse_conn *c, int nonblocking_first);

/* Sends all of buf, looping over partial sends and EINTR. */
static int send_all(rtse_conn *c, const void *buf, size_t len, int more) {
    const char *p = (const char *)buf;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, SEND_FLAGS | (more ? MORE : 0));
        if (n < 0) {
            int e = errno;
            if (e == EINTR) continue;
            if (is_timeout(e)) return fail(c, RTSE_ERR_TIMEOUT, e);
            /* The server may have answered and closed (e.g. 413 mid-stream): report its status
             * if it is still readable; a reset may have discarded it. */
            if (read_answer(c, 1) == RTSE_ERR_HTTP) return c->error;
            c->error = RTSE_OK;
            return fail(c, RTSE_ERR_SEND, e);
        }
        p += n;
        len -= (size_t)n;
    }
    return RTSE_OK;
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

/* Case-insensitive: does s (length n) start with the lower-case text `prefix`? */
static int starts_with(const char *s, size_t n, const char *prefix) {
    size_t i;
    for (i = 0; prefix[i]; i++)
        if (i >= n || lower((unsigned char)s[i]) != prefix[i]) return 0;
    return 1;
}

/* Where the header block ends (just past CRLF CRLF), or 0 while incomplete. */
static size_t head_end(const char *r, size_t n) {
    size_t i;
    for (i = 3; i < n; i++)
        if (r[i - 3] == '\r' && r[i - 2] == '\n' && r[i - 1] == '\r' && r[i] == '\n') return i + 1;
    return 0;
}

/* Content-Length of the answer whose head ends at `end`, or -1 when it has none. */
static long content_length(const char *r, size_t end) {
    size_t i;
    for (i = 0; i + 1 < end; i++) {
        if (r[i] == '\r' && r[i + 1] == '\n' &&
            starts_with(r + i + 2, end - i - 2, "content-length:")) {
            const char *p = r + i + 2 + 15;
            long v = 0;
            while (*p == ' ' || *p == '\t') p++;
            if (*p < '0' || *p > '9') return -1;
            while (*p >= '0' && *p <= '9' && v < 100000000L) v = v * 10 + (*p++ - '0');
            return v;
        }
    }
    return -1;
}

/* Appends a line of the answer (up to CR or LF) to c->message at `at`, printable ASCII only. */
static size_t copy_line(rtse_conn *c, size_t at, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n && s[i] != '\r' && s[i] != '\n' && at + 1 < sizeof c->message; i++)
        c->message[at++] = (s[i] >= ' ' && s[i] < 0x7f) ? s[i] : '?';
    c->message[at] = '\0';
    return at;
}

static int is_http(const char *r, size_t n) { return n >= 12 && memcmp(r, "HTTP/1.", 7) == 0; }

/* Parses the answer collected in c->response: its status, and its one-line body if any. */
static int parse_answer(rtse_conn *c, size_t end) {
    const char *r = c->response;
    size_t n = c->response_len;
    size_t k;
    if (!is_http(r, n) || r[8] != ' ' || r[9] < '1' || r[9] > '5' || r[10] < '0' || r[10] > '9' ||
        r[11] < '0' || r[11] > '9')
        return fail(c, RTSE_ERR_PROTOCOL, 0);
    c->status = (r[9] - '0') * 100 + (r[10] - '0') * 10 + (r[11] - '0');
    k = copy_line(c, 0, r + 9, n - 9); /* "401 Unauthorized" */
    if (end > 0 && end < n && r[end] != '\r' && r[end] != '\n' && k + 3 < sizeof c->message) {
        k = copy_line(c, k, ": ", 2); /* "401 Unauthorized: wrong token for /cam1" */
        (void)copy_line(c, k, r + end, n - end);
    }
    if (c->status >= 200 && c->status < 300) return RTSE_OK;
    return fail(c, RTSE_ERR_HTTP, 0);
}

/*
 * Reads the server's answer into c->response until its head and its Content-Length body are in,
 * the server closes, or the buffer is full. With nonblocking_first, returns RTSE_OK at once if
 * nothing has arrived yet. Interim 1xx answers are skipped.
 */
static int read_answer(rtse_conn *c, int nonblocking_first) {
    int first = 1;
    for (;;) {
        size_t end = head_end(c->response, c->response_len);
        ssize_t n;
        if (end > 0) {
            long length = content_length(c->response, end);
            if (is_http(c->response, c->response_len) && c->response[9] == '1') {
                /* an interim 1xx answer (RFC 9110 §15.2): drop it and read on */
                memmove(c->response, c->response + end, c->response_len - end);
                c->response_len -= end;
                continue;
            }
            /* 204 and 304 have no body and no Content-Length (RFC 9110 §8.6, §15.3.5) */
            if (is_http(c->response, c->response_len) &&
                (memcmp(c->response + 9, "204", 3) == 0 || memcmp(c->response + 9, "304", 3) == 0))
                return parse_answer(c, end);
            if (length >= 0 && c->response_len >= end + (size_t)length) return parse_answer(c, end);
        }
        if (c->response_len == sizeof c->response) return parse_answer(c, end);
        n = recv(c->fd, c->response + c->response_len, sizeof c->response - c->response_len,
                 first && nonblocking_first ? MSG_DONTWAIT : 0);
        if (n < 0) {
            int e = errno;
            if (e == EINTR) continue;
            if (first && nonblocking_first && is_timeout(e)) return RTSE_OK; /* nothing yet */
            if (c->response_len > 0) return parse_answer(c, end);
            return fail(c, is_timeout(e) ? RTSE_ERR_TIMEOUT : RTSE_ERR_RECV, e);
        }
        if (n == 0) { /* the server closed: what it sent is all there is */
            if (c->response_len > 0) return parse_answer(c, end);
            return fail(c, RTSE_ERR_CLOSED, 0);
        }
        c->response_len += (size_t)n;
        first = 0;
    }
}

/* ---- the API ---- */

static int is_audio(rtse_content_type type) {
    return type == RTSE_PCM_S16LE || type == RTSE_PCM_S32LE;
}

/* Connects and sends the request head; `rate` and `channels` only matter for audio. */
static int open_push(rtse_conn *conn, const char *host, uint16_t port, const char *path,
                     const char *token, rtse_content_type type, uint32_t rate,
                     unsigned channels) {
    struct addrinfo hints, *list = NULL, *ai;
    char service[8];
    builder b;
    int e = 0, rc;

    if (conn == NULL) return RTSE_ERR_ARG;
    memset(conn, 0, sizeof *conn);
    conn->fd = -1;
    conn->state = STATE_CLOSED;
    conn->type = type;
    if (host == NULL || path == NULL || !valid_host(host) || !valid_path(path) || port == 0 ||
        (type != RTSE_JPEG && type != RTSE_H264 && !is_audio(type)) ||
        (is_audio(type) && (rate < 8000 || rate > 96000 || (channels != 1 && channels != 2))) ||
        (token != NULL && *token != '\0' && !valid_token(token)))
        return fail(conn, RTSE_ERR_ARG, 0);

    start(&b, service, sizeof service - 1);
    put_uint(&b, port, 10);
    service[b.len] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, service, &hints, &list) != 0 || list == NULL)
        return fail(conn, RTSE_ERR_RESOLVE, 0);
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        struct timeval tv;
        int one = 1;
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        tv.tv_sec = RTSE_IO_TIMEOUT_MS / 1000;
        tv.tv_usec = (RTSE_IO_TIMEOUT_MS % 1000) * 1000;
        /* Best effort: on Linux SO_SNDTIMEO also bounds connect(). */
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, (const void *)&tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, (const void *)&tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            /* A frame's last bytes go out at once instead of waiting for an ACK (Nagle). */
            (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, (const void *)&one, sizeof one);
            conn->fd = fd;
            break;
        }
        e = errno;
        close(fd);
    }
    freeaddrinfo(list);
    if (conn->fd < 0) return fail(conn, RTSE_ERR_CONNECT, e);
    conn->state = STATE_OPEN;

    /* The request head, in pieces: host, path and token may be long, so no buffer holds it. */
    rc = send_all(conn, "POST /ingest/", 13, 1);
    if (path[0] == '/') path++;
    if (rc == RTSE_OK) rc = send_all(conn, path, strlen(path), 1);
    if (rc == RTSE_OK && is_audio(type)) rc = send_all(conn, "/audio", 6, 1);
    if (rc == RTSE_OK) rc = send_all(conn, " HTTP/1.1\r\nHost: ", 17, 1);
    if (rc == RTSE_OK && strchr(host, ':') != NULL) rc = send_all(conn, "[", 1, 1); /* IPv6 */
    if (rc == RTSE_OK) rc = send_all(conn, host, strlen(host), 1);
    if (rc == RTSE_OK && strchr(host, ':') != NULL) rc = send_all(conn, "]", 1, 1);
    start(&b, conn->head, sizeof conn->head);
    put(&b, ":");
    put_uint(&b, port, 10);
    put(&b, "\r\nUser-Agent: rtse-push/1\r\n");
    if (rc == RTSE_OK) rc = send_all(conn, b.buf, b.len, 1);
    if (rc == RTSE_OK && token != NULL && *token != '\0') {
        rc = send_all(conn, "Authorization: Bearer ", 22, 1);
        if (rc == RTSE_OK) rc = send_all(conn, token, strlen(token), 1);
        if (rc == RTSE_OK) rc = send_all(conn, "\r\n", 2, 1);
    }
    start(&b, conn->head, sizeof conn->head);
    if (is_audio(type)) {
        /* GStreamer's caps names: s16le as I2S gives it, s32le as an INMP441 gives it. */
        put(&b, type == RTSE_PCM_S16LE ? "Content-Type: audio/x-raw;format=s16le;rate="
                                       : "Content-Type: audio/x-raw;format=s32le;rate=");
        put_uint(&b, rate, 10);
        put(&b, ";channels=");
        put_uint(&b, channels, 10);
    } else {
        put(&b, type == RTSE_JPEG ? "Content-Type: multipart/x-mixed-replace; boundary=" RTSE_BOUNDARY
                                  : "Content-Type: video/h264; framing=chunk");
    }
    put(&b, "\r\nTransfer-Encoding: chunked\r\n\r\n");
    if (rc == RTSE_OK) rc = send_all(conn, b.buf, b.len, 0);
    return rc;
}

int rtse_connect(rtse_conn *conn, const char *host, uint16_t port, const char *path,
                 const char *token, rtse_content_type type) {
    if (is_audio(type)) { /* audio needs its rate: rtse_connect_audio */
        if (conn == NULL) return RTSE_ERR_ARG;
        memset(conn, 0, sizeof *conn);
        conn->fd = -1;
        return fail(conn, RTSE_ERR_ARG, 0);
    }
    return open_push(conn, host, port, path, token, type, 0, 0);
}

int rtse_connect_audio(rtse_conn *conn, const char *host, uint16_t port, const char *path,
                       const char *token, rtse_content_type type, uint32_t rate,
                       unsigned channels) {
    if (!is_audio(type)) {
        if (conn == NULL) return RTSE_ERR_ARG;
        memset(conn, 0, sizeof *conn);
        conn->fd = -1;
        return fail(conn, RTSE_ERR_ARG, 0);
    }
    return open_push(conn, host, port, path, token, type, rate, channels);
}

int rtse_send_frame(rtse_conn *conn, const uint8_t *data, size_t len, uint64_t timestamp_us) {
    builder b, part;
    char prefix[128];
    int rc;

    if (conn == NULL) return RTSE_ERR_ARG;
    if (conn->state != STATE_OPEN) return conn->error != RTSE_OK ? conn->error : RTSE_ERR_STATE;
    if (conn->error != RTSE_OK) return conn->error;
    if (data == NULL || len == 0) return RTSE_ERR_ARG; /* a 0-length chunk would end the body */

    /* Has the server answered already (401, 404, 409, 413, 415 ...)? Then stop sending. */
    rc = read_answer(conn, 1);
    if (rc != RTSE_OK) return rc;
    if (conn->response_len > 0 || conn->status != 0) {
        if (conn->error == RTSE_OK) fail(conn, RTSE_ERR_HTTP, 0);
        return conn->error;
    }

    start(&part, prefix, sizeof prefix);
    if (conn->type == RTSE_JPEG) {
        if (conn->frames > 0) put(&part, "\r\n"); /* ends the previous part's body */
        put(&part, "--" RTSE_BOUNDARY "\r\nContent-Type: image/jpeg\r\nContent-Length: ");
        put_uint(&part, len, 10);
        if (timestamp_us != RTSE_NO_TIMESTAMP) {
            put(&part, "\r\nX-Timestamp-Us: ");
            put_uint(&part, timestamp_us, 10);
        }
        put(&part, "\r\n\r\n");
    }
    start(&b, conn->head, sizeof conn->head);
    put_uint(&b, (uint64_t)(part.len + len), 16); /* RFC 9112 §7.1: chunk-size in hex */
    if (is_audio(conn->type) && timestamp_us != RTSE_NO_TIMESTAMP) {
        put(&b, ";ts="); /* RFC 9112 §7.1.1 chunk-ext: the first sample's capture time */
        put_uint(&b, timestamp_us, 10);
    }
    put(&b, "\r\n");
    put_bytes(&b, prefix, part.len);
    if (b.overflow || part.overflow) return fail(conn, RTSE_ERR_ARG, 0); /* cannot happen */

    rc = send_all(conn, b.buf, b.len, 1);
    if (rc == RTSE_OK) rc = send_all(conn, data, len, 1);
    if (rc == RTSE_OK) rc = send_all(conn, "\r\n", 2, 0);
    if (rc == RTSE_OK && conn->frames < UINT32_MAX) conn->frames++; /* saturates: "> 0" holds */
    return rc;
}

int rtse_close(rtse_conn *conn) {
    if (conn == NULL) return RTSE_ERR_ARG;
    if (conn->state != STATE_OPEN) return conn->error != RTSE_OK ? conn->error : RTSE_ERR_STATE;
    if (conn->error == RTSE_OK) {
        builder b;
        /* JPEG: the close delimiter (RFC 2046 §5.1.1) in a chunk of its own; its leading CRLF
         * ends the last part's body (with no part at all, there is nothing to end). */
        const char *end =
            conn->frames > 0 ? "\r\n--" RTSE_BOUNDARY "--\r\n" : "--" RTSE_BOUNDARY "--\r\n";
        start(&b, conn->head, sizeof conn->head);
        if (conn->type == RTSE_JPEG) {
            put_uint(&b, strlen(end), 16);
            put(&b, "\r\n");
            put(&b, end);
            put(&b, "\r\n");
        }
        put(&b, "0\r\n\r\n"); /* RFC 9112 §7.1: the last chunk, no trailers */
        if (send_all(conn, b.buf, b.len, 0) == RTSE_OK) (void)read_answer(conn, 0);
    }
    close(conn->fd);
    conn->fd = -1;
    conn->state = STATE_CLOSED;
    return conn->error;
}

const char *rtse_strerror(int code) {
    switch (code) {
    case RTSE_OK: return "ok";
    case RTSE_ERR_ARG: return "invalid argument";
    case RTSE_ERR_RESOLVE: return "cannot resolve the server's host name";
    case RTSE_ERR_CONNECT: return "cannot connect to the server";
    case RTSE_ERR_SEND: return "sending failed";
    case RTSE_ERR_RECV: return "receiving the answer failed";
    case RTSE_ERR_TIMEOUT: return "the server did not respond in time";
    case RTSE_ERR_CLOSED: return "the server closed the connection without an answer";
    case RTSE_ERR_HTTP: return "the server refused the stream";
    case RTSE_ERR_PROTOCOL: return "the server's answer is not HTTP";
    case RTSE_ERR_STATE: return "the connection is not open";
    default: return "unknown error";
    }
}
