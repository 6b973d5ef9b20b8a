/**
 * Hostile RTSP peers over real sockets (HARDENING.md "Malformed input"), against one in-process
 * server on 127.0.0.1 while a well-behaved ffmpeg reader streams from it: every case gets its 4xx/5xx
 * or a close, the heap stays bounded over many repetitions, and the reader misses no frame.
 */

import assert from "node:assert/strict";
import { interopTest, startClipServer } from "../interop/support.ts";
import { assertBounded, exchange, type Reply, sleep, startReader } from "./_support.ts";

interface Case {
  /** HARDENING.md case number, or a name for the ones found here. */
  id: string;
  chunks: (string | Uint8Array)[];
  /** Acceptable statuses of the (last) response; empty: only a close is expected. */
  statuses: number[];
  /** The server must close the connection. */
  close?: boolean;
  /** Repetitions for the memory check. */
  times?: number;
}

const U = "rtsp://127.0.0.1/stream";
const req = (first: string, ...headers: string[]) =>
  `${first}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
const setup = (transport: string, url = `${U}/trackID=0`) =>
  req(`SETUP ${url} RTSP/1.0`, "CSeq: 2", `Transport: ${transport}`);

const CASES: Case[] = [
  { id: "1 leading space", chunks: [req(` OPTIONS ${U} RTSP/1.0`, "CSeq: 1")], statuses: [400] },
  {
    id: "1 pure garbage",
    chunks: ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"],
    statuses: [400],
  },
  {
    id: "2 long URL, no CRLF",
    chunks: [`DESCRIBE rtsp://h/${"a".repeat(6000)}`],
    statuses: [400, 414],
    close: true,
  },
  { id: "2 long method", chunks: ["X".repeat(200)], statuses: [400, 501], close: true },
  {
    id: "2 long header line",
    chunks: [`OPTIONS * RTSP/1.0\r\nX: ${"v".repeat(5000)}`],
    statuses: [400, 431],
    close: true,
  },
  {
    id: "3 300 headers",
    chunks: [req(
      `OPTIONS ${U} RTSP/1.0`,
      "CSeq: 1",
      ...Array.from({ length: 300 }, (_, i) => `X-${i}: v`),
    )],
    statuses: [400, 431],
    close: true,
  },
  {
    id: "3 20 KiB of headers",
    chunks: [req(
      `OPTIONS ${U} RTSP/1.0`,
      "CSeq: 1",
      ...Array.from({ length: 20 }, (_, i) => `X-${i}: ${"v".repeat(1000)}`),
    )],
    statuses: [400, 431],
    close: true,
  },
  {
    id: "4 Content-Length -1",
    chunks: [req(`SET_PARAMETER ${U} RTSP/1.0`, "CSeq: 1", "Content-Length: -1")],
    statuses: [400],
    close: true,
  },
  {
    id: "4 Content-Length abc",
    chunks: [req(`SET_PARAMETER ${U} RTSP/1.0`, "CSeq: 1", "Content-Length: abc")],
    statuses: [400],
    close: true,
  },
  {
    id: "4 Content-Length 1e9",
    chunks: [req(`SET_PARAMETER ${U} RTSP/1.0`, "CSeq: 1", "Content-Length: 1e9")],
    statuses: [400],
    close: true,
  },
  {
    id: "4 two Content-Length",
    chunks: [
      req(`SET_PARAMETER ${U} RTSP/1.0`, "CSeq: 1", "Content-Length: 1", "Content-Length: 2"),
    ],
    statuses: [400],
    close: true,
  },
  {
    id: "4 body above the cap",
    chunks: [req(`ANNOUNCE ${U} RTSP/1.0`, "CSeq: 1", "Content-Length: 999999999")],
    statuses: [400, 413],
    close: true,
  },
  {
    id: "5 NUL in the request line",
    chunks: [req(`OPTIONS rtsp://h/\0x RTSP/1.0`, "CSeq: 1")],
    statuses: [400],
  },
  {
    id: "5 CRLF injection in CSeq",
    chunks: [req(`OPTIONS ${U} RTSP/1.0`, "CSeq: 1\rX-Injected: 1")],
    statuses: [400],
  },
  { id: "6 missing CSeq", chunks: [req(`OPTIONS ${U} RTSP/1.0`)], statuses: [400] },
  {
    id: "6 non-numeric CSeq",
    chunks: [req(`OPTIONS ${U} RTSP/1.0`, "CSeq: one")],
    statuses: [400],
  },
  { id: "7 RTSP/2.0", chunks: [req(`OPTIONS ${U} RTSP/2.0`, "CSeq: 1")], statuses: [505] },
  {
    id: "7 HTTP on the RTSP port",
    chunks: [req("GET / HTTP/1.1", "Host: x")],
    statuses: [400, 505],
  },
  { id: "8 unknown method", chunks: [req(`FROB ${U} RTSP/1.0`, "CSeq: 1")], statuses: [501] },
  {
    id: "8 Require",
    chunks: [req(`OPTIONS ${U} RTSP/1.0`, "CSeq: 1", "Require: funky-feature")],
    statuses: [551],
  },
  { id: "9 DESCRIBE *", chunks: [req("DESCRIBE * RTSP/1.0", "CSeq: 1")], statuses: [400, 404] },
  {
    id: "9 SETUP of an empty path",
    chunks: [setup("RTP/AVP/TCP;unicast;interleaved=0-1", "rtsp://127.0.0.1")],
    statuses: [400, 404, 455],
  },
  {
    id: "9 SETUP of an unknown track",
    chunks: [setup("RTP/AVP/TCP;unicast;interleaved=0-1", `${U}/trackID=9`)],
    statuses: [404, 455],
  },
  {
    id: "10 no Transport",
    chunks: [req(`SETUP ${U}/trackID=0 RTSP/1.0`, "CSeq: 2")],
    statuses: [461, 400],
  },
  { id: "10 empty Transport", chunks: [setup("")], statuses: [461, 400] },
  { id: "10 UDP without ports", chunks: [setup("RTP/AVP;unicast")], statuses: [461, 400] },
  { id: "10 port 0", chunks: [setup("RTP/AVP;unicast;client_port=0-1")], statuses: [461, 400] },
  {
    id: "10 port above 65535",
    chunks: [setup("RTP/AVP;unicast;client_port=70000-70001")],
    statuses: [461, 400],
  },
  {
    id: "10 odd RTP port",
    chunks: [setup("RTP/AVP;unicast;client_port=5001-5000")],
    statuses: [461, 400],
  },
  {
    id: "12 channels above 255",
    chunks: [setup("RTP/AVP/TCP;unicast;interleaved=300-301")],
    statuses: [400, 461],
  },
  {
    id: "12 reversed channels",
    chunks: [setup("RTP/AVP/TCP;unicast;interleaved=5-4")],
    statuses: [200, 400, 461],
  },
  {
    id: "13 PLAY with a guessed session",
    chunks: [req(`PLAY ${U} RTSP/1.0`, "CSeq: 3", "Session: 0123456789abcdef0123456789abcdef")],
    statuses: [454],
  },
  {
    id: "13 TEARDOWN with a guessed session",
    chunks: [req(`TEARDOWN ${U} RTSP/1.0`, "CSeq: 3", "Session: 1")],
    statuses: [454],
  },
  {
    id: "14 PLAY before SETUP",
    chunks: [req(`PLAY ${U} RTSP/1.0`, "CSeq: 3")],
    statuses: [454, 455],
  },
  {
    id: "15 interleaved frame before PLAY",
    chunks: [Uint8Array.of(0x24, 0, 0, 4, 1, 2, 3, 4), req(`OPTIONS ${U} RTSP/1.0`, "CSeq: 1")],
    statuses: [],
    close: true,
  },
  {
    id: "pipelining flood",
    chunks: [req(`OPTIONS ${U} RTSP/1.0`, "CSeq: 1").repeat(2000)],
    statuses: [503],
    close: true,
    times: 5,
  },
  {
    id: "interleaved garbage",
    chunks: [Uint8Array.from({ length: 4096 }, (_, i) => (i * 131) & 0xff)],
    statuses: [],
    close: true,
  },
];

function checkReply(c: Case, r: Reply): void {
  const last = r.statuses.at(-1);
  if (c.statuses.length) {
    assert.ok(
      last !== undefined && c.statuses.includes(last),
      `${c.id}: got ${r.statuses} ${r.text.slice(0, 200)}`,
    );
  }
  if (c.close) assert.ok(r.closed, `${c.id}: the server kept the connection open`);
  // Never reflect raw control bytes into a response (HARDENING.md case 5).
  assert.ok(!/\0|X-Injected/.test(r.text), `${c.id}: reflected bytes: ${JSON.stringify(r.text)}`);
  assert.ok(c.statuses.length || c.close, c.id);
}

interopTest(
  "hostile requests get 4xx/5xx or a close, memory stays bounded, a reader misses nothing",
  ["ffmpeg"],
  async () => {
    const s = await startClipServer({ headerTimeout: 1 });
    const port = s.server.port;
    const reader = startReader(s.url, 14);
    try {
      await sleep(1500); // the reader is playing before the first attack
      for (const c of CASES) {
        const waitMs = c.close ? 3000 : 400;
        checkReply(c, await exchange(port, c.chunks, { waitMs }));
        await assertBounded(c.id, c.times ?? (c.close ? 6 : 20), async () => {
          await exchange(port, c.chunks, { waitMs: c.close ? 3000 : 100 });
        });
      }
      // Slowloris: a header trickled a byte at a time is cut off at the absolute deadline (1 s here).
      const started = Date.now();
      const slow = await exchange(port, [
        ..."OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Slow: aaaaaaaaaaaa",
      ], {
        gapMs: 150,
        waitMs: 3000,
      });
      assert.ok(slow.closed, "the slow client was not closed");
      assert.ok(Date.now() - started < 6000, "the deadline was reset per byte");
      assert.ok(s.server.stats.slowRequests >= 1);
      await reader.check();
      assert.equal(s.server.stats.connections, 0, "every hostile connection is gone");
    } finally {
      await s.close();
    }
  },
);
