/*
 * push_file: plays an H.264 Annex B file, an MJPEG file or raw PCM into rtsp-edge's ingest port,
 * as an ESP32 would, using the same client (rtse_push.c). For trying a server without a device.
 *
 *   push_file (--h264 FILE.h264 | --mjpeg FILE.mjpeg) --url http://HOST:PORT/ingest/PATH
 *             [--token TOKEN] [--fps N] [--loop]
 *   push_file (--pcm-s16le | --pcm-s32le) FILE.raw --rate HZ [--channels N] [--chunk-ms N]
 *             --url http://HOST:PORT/ingest/PATH [--token TOKEN] [--loop]
 *   push_file --help
 *
 * PCM goes to /ingest/PATH/audio as the path's audio track (push the video too, from another
 * push_file), one chunk per --chunk-ms (default 40) sent once "captured", each stamped with the
 * monotonic time of its first sample: the clock the JPEGs are stamped with.
 *
 * H.264 is cut into access units (H.264 §7.4.1.2.3), MJPEG into JPEGs (SOI .. EOI, walking the
 * marker segments so an EXIF thumbnail's EOI does not end the picture); one per chunk, paced at
 * --fps (default 30), JPEGs stamped with the monotonic clock in microseconds. --loop repeats the
 * file until Ctrl-C, which ends the stream cleanly.
 *
 * Prints the server's answer. Exit status: 0 for 2xx, 4 for 4xx, 5 for 5xx, 1 for a network
 * failure or another answer, 2 for a usage or file problem.
 *
 * Build: make (or: gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -o push_file push_file.c
 * rtse_push.c)
 */
#define _POSIX_C_SOURCE 200809L

#include "rtse_push.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** One frame: a range of the file. */
typedef struct {
    size_t start, len;
} span;

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

#define USAGE                                                                                  \
    "usage: push_file (--h264 FILE.h264 | --mjpeg FILE.mjpeg) "                                \
    "--url http://HOST:PORT/ingest/PATH [--token TOKEN] [--fps N] [--loop]\n"                  \
    "       push_file (--pcm-s16le | --pcm-s32le) FILE.raw --rate HZ [--channels N] "           \
    "[--chunk-ms N] --url http://HOST:PORT/ingest/PATH [--token TOKEN] [--loop]\n"

/* A usage problem: why, and the usage line, on standard error; exit status 2. */
static int usage(const char *why) {
    fprintf(stderr, "push_file: %s\n" USAGE, why);
    return 2;
}

/* --help: the usage and what each option does, on standard output; exit status 0. */
static int help(void) {
    fputs(USAGE
          "Plays a file into rtsp-edge's ingest port, as an ESP32 would.\n"
          "  --h264 FILE    H.264 Annex B, sent one access unit per chunk (video/h264)\n"
          "  --mjpeg FILE   concatenated JPEGs, sent as multipart/x-mixed-replace\n"
          "  --pcm-s16le FILE, --pcm-s32le FILE\n"
          "                 raw PCM (16-bit, or 24 bits in 32-bit slots, little-endian) sent to\n"
          "                 /ingest/PATH/audio as the path's audio track\n"
          "  --rate HZ      PCM sample rate, 8000 to 96000\n"
          "  --channels N   PCM channels, 1 (default) or 2\n"
          "  --chunk-ms N   PCM per chunk, 1 to 1000 ms (default 40)\n"
          "  --url URL      http://HOST:PORT/ingest/PATH, e.g. http://192.168.1.10:8080/ingest/cam\n"
          "  --token TOKEN  the path's token, sent as Authorization: Bearer TOKEN\n"
          "  --fps N        frames per second, above 0 and at most 240 (default 30)\n"
          "  --loop         repeat the file until Ctrl-C\n"
          "  -h, --help     print this and exit\n"
          "Exit status: 0 for 2xx, 4 for 4xx, 5 for 5xx, 1 for a network failure or another\n"
          "answer, 2 for a usage or file problem.\n",
          stdout);
    return 0;
}

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Sleeps until the monotonic clock reaches `when_us`, or a signal asks us to stop. */
static void sleep_until(uint64_t when_us) {
    while (!stop_requested) {
        uint64_t now = now_us();
        struct timespec ts;
        if (now >= when_us) return;
        ts.tv_sec = (time_t)((when_us - now) / 1000000u);
        ts.tv_nsec = (long)((when_us - now) % 1000000u) * 1000L;
        nanosleep(&ts, NULL); /* EINTR: loop to check the flag */
    }
}

/* Splits http://host[:port]/ingest/path; host may be [v6]. Returns 0 on success. */
static int parse_url(const char *url, char *host, size_t host_cap, uint16_t *port,
                     const char **path) {
    const char *p, *slash, *colon, *host_start, *host_end;
    size_t n;
    if (strncmp(url, "http://", 7) != 0) return -1;
    p = url + 7;
    slash = strchr(p, '/');
    if (slash == NULL) return -1;
    if (*p == '[') {
        host_start = p + 1;
        host_end = memchr(p, ']', (size_t)(slash - p));
        if (host_end == NULL) return -1;
        colon = host_end[1] == ':' ? host_end + 1 : NULL;
    } else {
        host_start = p;
        colon = memchr(p, ':', (size_t)(slash - p));
        host_end = colon != NULL ? colon : slash;
    }
    n = (size_t)(host_end - host_start);
    if (n == 0 || n >= host_cap) return -1;
    memcpy(host, host_start, n);
    host[n] = '\0';
    *port = 80;
    if (colon != NULL) {
        unsigned long v = 0;
        const char *d = colon + 1;
        if (d == slash) return -1;
        for (; d < slash; d++) {
            if (*d < '0' || *d > '9' || v > 65535) return -1;
            v = v * 10 + (unsigned long)(*d - '0');
        }
        if (v == 0 || v > 65535) return -1;
        *port = (uint16_t)v;
    }
    if (strncmp(slash, "/ingest/", 8) != 0 || slash[8] == '\0') return -1;
    *path = slash + 8;
    return 0;
}

static uint8_t *read_file(const char *name, size_t *size) {
    FILE *f = fopen(name, "rb");
    uint8_t *data = NULL;
    size_t cap = 0, len = 0;
    if (f == NULL) return NULL;
    for (;;) {
        size_t got;
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap = cap ? cap * 2 : 1 << 16);
            if (bigger == NULL) break;
            data = bigger;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f) || len == 0) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = len;
    return data;
}

static int add_span(span **list, size_t *count, size_t *cap, size_t start, size_t len) {
    if (*count == *cap) {
        span *bigger = realloc(*list, (*cap = *cap ? *cap * 2 : 256) * sizeof **list);
        if (bigger == NULL) return -1;
        *list = bigger;
    }
    (*list)[*count].start = start;
    (*list)[(*count)++].len = len;
    return 0;
}

/*
 * H.264 §7.4.1.2.3: once an access unit holds a VCL NAL unit (types 1..5), an AUD, SPS, PPS, SEI,
 * types 14..18, or a slice with first_mb_in_slice == 0 (its ue(v) is the single bit 1, the top
 * bit of the byte after the NAL header) starts the next. Each access unit starts at its first
 * start code (4-byte start codes included), so the frames put together are the file.
 */
static int split_h264(const uint8_t *d, size_t n, span **list, size_t *count) {
    size_t cap = 0, au_start = 0, i = 0;
    int has_vcl = 0;
    while (i + 3 <= n) {
        size_t sc, h;
        int type, second, starts;
        if (!(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)) {
            i++;
            continue;
        }
        sc = (i > 0 && d[i - 1] == 0) ? i - 1 : i;
        h = i + 3;
        i = h;
        if (h >= n) break;
        type = d[h] & 0x1f;
        second = h + 1 < n ? d[h + 1] : 0;
        starts = type == 6 || type == 7 || type == 8 || type == 9 || (type >= 14 && type <= 18) ||
                 ((type == 1 || type == 2 || type == 5) && (second & 0x80));
        if (has_vcl && starts) {
            if (add_span(list, count, &cap, au_start, sc - au_start)) return -1;
            au_start = sc;
            has_vcl = 0;
        }
        if (type >= 1 && type <= 5) has_vcl = 1;
    }
    if (has_vcl && add_span(list, count, &cap, au_start, n - au_start)) return -1;
    return 0;
}

/*
 * JPEG (ITU-T T.81 §B.1.1): SOI, marker segments with 16-bit lengths, and after each SOS
 * entropy-coded data in which 0xFF is followed by 0x00 (stuffing) or RSTn; any other marker
 * ends it. EOI ends the picture. Markers inside segments (an EXIF thumbnail) are skipped whole.
 */
static int split_mjpeg(const uint8_t *d, size_t n, span **list, size_t *count) {
    size_t cap = 0, i = 0;
    while (i + 1 < n) {
        size_t soi, j;
        if (!(d[i] == 0xFF && d[i + 1] == 0xD8)) {
            i++;
            continue;
        }
        soi = i;
        j = i + 2;
        i += 2;
        for (;;) {
            unsigned m;
            while (j < n && d[j] == 0xFF && j + 1 < n && d[j + 1] == 0xFF) j++; /* fill bytes */
            if (j + 1 >= n) return 0; /* truncated: the last picture is left out */
            if (d[j] != 0xFF) break;  /* not a JPEG after all: look for the next SOI */
            m = d[j + 1];
            if (m == 0xD9) { /* EOI */
                if (add_span(list, count, &cap, soi, j + 2 - soi)) return -1;
                i = j + 2;
                break;
            }
            if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
                j += 2;
                continue;
            }
            if (j + 3 >= n) return 0;
            j += 2 + (((size_t)d[j + 2] << 8) | d[j + 3]);
            if (m == 0xDA) { /* SOS: skip the entropy-coded data */
                while (j + 1 < n && !(d[j] == 0xFF && d[j + 1] != 0x00 &&
                                      !(d[j + 1] >= 0xD0 && d[j + 1] <= 0xD7)))
                    j++;
            }
        }
    }
    return 0;
}

/* The exit status for how a push ended: see the usage. */
static int exit_code(const rtse_conn *conn, int rc) {
    return conn->status >= 200 && conn->status < 300 && rc == RTSE_OK ? 0
           : conn->status >= 400 && conn->status < 500               ? 4
           : conn->status >= 500 && conn->status < 600               ? 5
                                                                     : 1;
}

/* Prints how a push ended. */
static void report(const rtse_conn *conn, int rc, size_t sent, uint64_t bytes, const char *what) {
    fprintf(stdout, "push_file: sent %lu %s, %llu bytes\n", (unsigned long)sent, what,
            (unsigned long long)bytes);
    if (conn->status != 0) {
        fprintf(stdout, "push_file: server answered %s\n", conn->message);
    } else {
        fprintf(stderr, "push_file: %s%s%s\n", rtse_strerror(rc), conn->sys_errno ? ": " : "",
                conn->sys_errno ? strerror(conn->sys_errno) : "");
    }
}

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked sleep or send returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/*
 * Sends raw PCM as a microphone would: chunk k (chunk_ms of samples) once it is "captured", at
 * t0 + (k + 1) * chunk_ms, stamped t0 + k * chunk_ms, the monotonic time of its first sample.
 */
static int push_pcm(const char *file, rtse_content_type type, uint32_t rate, unsigned channels,
                    unsigned chunk_ms, const char *host, uint16_t port, const char *path,
                    const char *token, int loop) {
    size_t frame = (type == RTSE_PCM_S16LE ? 2u : 4u) * channels; /* one sample of each channel */
    size_t size = 0, chunk = (size_t)rate * chunk_ms / 1000 * frame, at = 0, sent = 0;
    uint64_t bytes = 0, t0, k;
    uint8_t *data;
    rtse_conn conn;
    int rc;

    errno = 0;
    data = read_file(file, &size);
    if (data == NULL || size < frame) {
        fprintf(stderr, "push_file: cannot read %s: %s\n", file,
                errno ? strerror(errno) : "not even one sample");
        free(data);
        return 2;
    }
    size -= size % frame;
    catch_signals();
    rc = rtse_connect_audio(&conn, host, port, path, token, type, rate, channels);
    t0 = now_us();
    for (k = 0; rc == RTSE_OK && !stop_requested; k++) {
        size_t n = size - at < chunk ? size - at : chunk;
        sleep_until(t0 + (k + 1) * chunk_ms * 1000u);
        if (stop_requested) break;
        rc = rtse_send_frame(&conn, data + at, n, t0 + k * chunk_ms * 1000u);
        if (rc == RTSE_OK) {
            sent++;
            bytes += n;
        }
        at += n;
        if (at == size) {
            if (!loop) break;
            at = 0;
        }
    }
    rc = rtse_close(&conn);
    report(&conn, rc, sent, bytes, "chunks");
    free(data);
    return exit_code(&conn, rc);
}

int main(int argc, char **argv) {
    const char *h264 = NULL, *mjpeg = NULL, *url = NULL, *token = NULL, *path = NULL;
    const char *pcm = NULL;
    rtse_content_type pcm_type = RTSE_PCM_S16LE;
    long rate = 0, channels = 1, chunk_ms = 40;
    double fps = 30;
    int loop = 0, i, rc;
    char host[256];
    uint16_t port = 0;
    uint8_t *data;
    size_t size = 0, count = 0, k, sent = 0;
    uint64_t bytes = 0, t0, period;
    span *frames = NULL;
    rtse_conn conn;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return help();
        if (strcmp(a, "--loop") == 0) {
            loop = 1;
            continue;
        }
        if (strcmp(a, "--h264") && strcmp(a, "--mjpeg") && strcmp(a, "--url") &&
            strcmp(a, "--token") && strcmp(a, "--fps") && strcmp(a, "--pcm-s16le") &&
            strcmp(a, "--pcm-s32le") && strcmp(a, "--rate") && strcmp(a, "--channels") &&
            strcmp(a, "--chunk-ms"))
            return usage("unknown option");
        if (v == NULL) return usage("an option lacks its value");
        i++;
        if (!strcmp(a, "--h264")) h264 = v;
        if (!strcmp(a, "--mjpeg")) mjpeg = v;
        if (!strcmp(a, "--url")) url = v;
        if (!strcmp(a, "--token")) token = v;
        if (!strcmp(a, "--pcm-s16le") || !strcmp(a, "--pcm-s32le")) {
            pcm = v;
            pcm_type = !strcmp(a, "--pcm-s16le") ? RTSE_PCM_S16LE : RTSE_PCM_S32LE;
        }
        if (!strcmp(a, "--rate") || !strcmp(a, "--channels") || !strcmp(a, "--chunk-ms")) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end != '\0') return usage("--rate, --channels and --chunk-ms take whole numbers");
            if (!strcmp(a, "--rate")) rate = n;
            if (!strcmp(a, "--channels")) channels = n;
            if (!strcmp(a, "--chunk-ms")) chunk_ms = n;
        }
        if (!strcmp(a, "--fps")) {
            char *end;
            fps = strtod(v, &end);
            if (*end != '\0' || !(fps > 0 && fps <= 240))
                return usage("--fps must be a number above 0 and at most 240");
        }
    }
    if ((h264 != NULL) + (mjpeg != NULL) + (pcm != NULL) != 1)
        return usage("give one of --h264, --mjpeg, --pcm-s16le and --pcm-s32le");
    if (url == NULL || parse_url(url, host, sizeof host, &port, &path) != 0)
        return usage("--url must look like http://HOST:PORT/ingest/PATH");
    if (pcm != NULL) {
        if (rate < 8000 || rate > 96000) return usage("--rate must be from 8000 to 96000");
        if (channels != 1 && channels != 2) return usage("--channels must be 1 or 2");
        if (chunk_ms < 1 || chunk_ms > 1000) return usage("--chunk-ms must be from 1 to 1000");
        return push_pcm(pcm, pcm_type, (uint32_t)rate, (unsigned)channels, (unsigned)chunk_ms,
                        host, port, path, token, loop);
    }

    errno = 0;
    data = read_file(h264 ? h264 : mjpeg, &size);
    if (data == NULL) {
        fprintf(stderr, "push_file: cannot read %s: %s\n", h264 ? h264 : mjpeg,
                errno ? strerror(errno) : "empty file");
        return 2;
    }
    if ((h264 ? split_h264 : split_mjpeg)(data, size, &frames, &count) != 0 || count == 0) {
        fprintf(stderr, "push_file: no %s frames found in %s\n", h264 ? "H.264" : "JPEG",
                h264 ? h264 : mjpeg);
        return 2;
    }

    catch_signals();
    rc = rtse_connect(&conn, host, port, path, token, h264 ? RTSE_H264 : RTSE_JPEG);
    period = (uint64_t)(1e6 / fps + 0.5);
    t0 = now_us();
    for (k = 0; rc == RTSE_OK && !stop_requested; k++) {
        const span *f = &frames[k % count];
        if (k > 0 && k % count == 0 && !loop) break;
        sleep_until(t0 + (uint64_t)k * period);
        if (stop_requested) break;
        rc = rtse_send_frame(&conn, data + f->start, f->len, now_us());
        if (rc == RTSE_OK) {
            sent++;
            bytes += f->len;
        }
    }
    rc = rtse_close(&conn);
    report(&conn, rc, sent, bytes, "frames");
    free(frames);
    free(data);
    return exit_code(&conn, rc);
}
