/*
 * rtse_push: push camera frames to rtsp-edge's ingest port over one long-lived HTTP/1.1 POST.
 *
 *   POST /ingest/<path> HTTP/1.1
 *   Transfer-Encoding: chunked
 *   Content-Type: multipart/x-mixed-replace; boundary=rtse-frame   (JPEG: one part per frame)
 *   Content-Type: video/h264; framing=chunk     (H.264 Annex B, one access unit per chunk)
 *
 * and a microphone's PCM beside it, on a connection of its own:
 *
 *   POST /ingest/<path>/audio HTTP/1.1
 *   Content-Type: audio/x-raw;format=s16le;rate=16000;channels=1   (or format=s32le)
 *   chunks "<hex size>;ts=<capture time of the first sample, µs>"
 *
 * rtsp-edge then serves the path as rtsp://<server>:8554/<path>, the audio as its second track.
 *
 * Plain C99 over BSD sockets (socket, connect, send, recv, getaddrinfo, setsockopt, close): the
 * same source builds on Linux and on ESP-IDF / Arduino-ESP32 (lwIP). No heap: the caller owns the
 * rtse_conn, usually as a static; nothing is allocated per frame.
 *
 * Lifecycle:
 *   rtse_conn c;
 *   if (rtse_connect(&c, "192.168.1.10", 8080, "cam1", "secret", RTSE_JPEG) == RTSE_OK) {
 *       while (camera_running)
 *           if (rtse_send_frame(&c, jpeg, jpeg_len, now_us()) != RTSE_OK) break;
 *   }
 *   int r = rtse_close(&c);   // always call it: it releases the socket; r says how it ended
 *
 * Reconnecting is the caller's business: after any error the connection is finished (every
 * further rtse_send_frame returns the same error). Call rtse_close(), wait (back off: 1 s, 2 s,
 * 4 s ... up to about 30 s, reset after a frame goes through), then rtse_connect() again. Do not
 * retry quickly on RTSE_ERR_HTTP with 401 (wrong token), 404 (unknown path) or 415: they will not
 * fix themselves. A 409 means another device is sending on the path; a connection silent for 2 s
 * (this device's own, from before a restart) is taken over instead, and the server's "replace"
 * setting lets a new publisher take over at once.
 *
 * Not thread-safe per connection: use one rtse_conn from one task at a time.
 */
#ifndef RTSE_PUSH_H
#define RTSE_PUSH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The multipart boundary used in JPEG mode. */
#define RTSE_BOUNDARY "rtse-frame"

/** Pass as timestamp_us to leave out X-Timestamp-Us: the server then uses arrival time. */
#define RTSE_NO_TIMESTAMP UINT64_MAX

/** Socket send/receive time limit, milliseconds (SO_SNDTIMEO / SO_RCVTIMEO). */
#ifndef RTSE_IO_TIMEOUT_MS
#define RTSE_IO_TIMEOUT_MS 10000
#endif

/** What the frames are. */
typedef enum {
    /** JPEG pictures, sent as multipart/x-mixed-replace, one part per frame. */
    RTSE_JPEG = 0,
    /**
     * H.264 Annex B (start codes included), sent as video/h264; framing=chunk: each
     * rtse_send_frame is one chunk holding one access unit, which the server sends on at once.
     */
    RTSE_H264 = 1,
    /**
     * Audio: signed 16-bit little-endian PCM (I2S with 16-bit samples), interleaved channels, to
     * /ingest/<path>/audio. Open with rtse_connect_audio.
     */
    RTSE_PCM_S16LE = 2,
    /**
     * Audio: 32-bit little-endian slots holding 24-bit samples (an INMP441 on I2S with 32-bit
     * slots); the server keeps each sample's top 16 bits. Open with rtse_connect_audio.
     */
    RTSE_PCM_S32LE = 3
} rtse_content_type;

/** Results: RTSE_OK, or a negative code; rtse_strerror() names it. */
enum {
    RTSE_OK = 0,
    RTSE_ERR_ARG = -1,      /* bad argument: NULL, empty frame, path or token with bad chars */
    RTSE_ERR_RESOLVE = -2,  /* getaddrinfo could not resolve the host */
    RTSE_ERR_CONNECT = -3,  /* no address accepted the TCP connection */
    RTSE_ERR_SEND = -4,     /* send failed (rtse_conn.sys_errno says why) */
    RTSE_ERR_RECV = -5,     /* recv failed while reading the answer */
    RTSE_ERR_TIMEOUT = -6,  /* a send or the answer took longer than RTSE_IO_TIMEOUT_MS */
    RTSE_ERR_CLOSED = -7,   /* the server closed the connection without an HTTP answer */
    RTSE_ERR_HTTP = -8,     /* the server answered with a non-2xx status: rtse_conn.status */
    RTSE_ERR_PROTOCOL = -9, /* the answer was not HTTP */
    RTSE_ERR_STATE = -10    /* the connection is not open (never opened, or closed) */
};

/** One push connection. Caller-owned; fields are readable, not writable. */
typedef struct {
    int fd;                 /* socket, or -1 */
    int state;              /* internal */
    int error;              /* first error (RTSE_ERR_*), sticky; RTSE_OK while healthy */
    int sys_errno;          /* errno of the failed system call, 0 if none */
    int status;             /* HTTP status the server answered, 0 until it answers */
    rtse_content_type type; /* what the frames are */
    uint32_t frames;        /* frames sent */
    /** The server's answer: status line, or its one-line text body when it has one. */
    char message[128];
    /* internal: chunk and part headers are built here, so nothing is allocated per frame */
    char head[192];
    char response[384];
    size_t response_len;
} rtse_conn;

/**
 * Connects to host:port and sends the request head of POST /ingest/<path>. `path` is like
 * "cam1" or "site/cam1" (segments of A-Z a-z 0-9 . _ ~ -; a leading '/' is allowed). `token` is
 * the Bearer token, or NULL/"" for none. Returns RTSE_OK, or a negative code (conn->error).
 * Blocks during name resolution and connect (the system's TCP connect timeout applies).
 */
int rtse_connect(rtse_conn *conn, const char *host, uint16_t port, const char *path,
                 const char *token, rtse_content_type type);

/**
 * Connects like rtse_connect and sends the request head of POST /ingest/<path>/audio for PCM of
 * `type` (RTSE_PCM_S16LE or RTSE_PCM_S32LE) at `rate` Hz (8000..96000) with `channels` (1 or 2).
 * The server adds it to the path's video as an audio track (the video must be pushed too, on its
 * own rtse_conn). Then each rtse_send_frame sends a chunk of samples, best 20 to 100 ms, at most
 * 5 s; it may end mid-sample, the server joins the pieces.
 */
int rtse_connect_audio(rtse_conn *conn, const char *host, uint16_t port, const char *path,
                       const char *token, rtse_content_type type, uint32_t rate,
                       unsigned channels);

/**
 * Sends one frame as one chunk: in JPEG mode one complete JPEG (a multipart part with
 * Content-Type, Content-Length and, unless RTSE_NO_TIMESTAMP, X-Timestamp-Us); in H.264 mode any
 * run of Annex B bytes, best one access unit with its start codes (the stream carries no
 * timestamps, so timestamp_us is ignored and the server uses arrival time); in audio mode a run of
 * samples, stamped (unless RTSE_NO_TIMESTAMP) with the capture time of its first sample as the
 * chunk extension ";ts=" (RFC 9112 §7.1.1). Stamp audio and pictures from one clock (esp_timer)
 * and the server lines them up; without stamps it times audio by arrival and sample count. Blocks until the
 * bytes are handed to the TCP stack (retrying partial sends and EINTR). If the server has
 * already answered (401, 404, 409, 415, ...) returns RTSE_ERR_HTTP without sending, with
 * conn->status and conn->message set.
 */
int rtse_send_frame(rtse_conn *conn, const uint8_t *data, size_t len, uint64_t timestamp_us);

/**
 * Ends the body (JPEG: the closing delimiter; then the 0-length chunk), reads the server's
 * status line, and closes the socket. Returns RTSE_OK for a 2xx answer, RTSE_ERR_HTTP for any
 * other (conn->status), or the connection's earlier error. Always releases the socket; safe to
 * call after any rtse_connect (whatever it returned), twice, or on a zeroed struct.
 */
int rtse_close(rtse_conn *conn);

/** A short English description of a result code. */
const char *rtse_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* RTSE_PUSH_H */
