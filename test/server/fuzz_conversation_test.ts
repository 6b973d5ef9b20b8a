/**
 * Whatever a peer sends, the server answers or closes, and goes on serving everyone else
 * (HARDENING.md). Seeded, so a failure replays.
 */

import assert from "node:assert/strict";
import { Client, makeCore, URL } from "./conversation.ts";

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const SEEDS = [
  `OPTIONS ${URL} RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
  `DESCRIBE ${URL} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n`,
  `SETUP ${URL}/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`,
  `SETUP ${URL}/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n`,
  `PLAY ${URL} RTSP/1.0\r\nCSeq: 4\r\nSession: 0123456789abcdef0123456789abcdef\r\nRange: npt=0-\r\n\r\n`,
  `GET_PARAMETER ${URL} RTSP/1.0\r\nCSeq: 5\r\nContent-Length: 4\r\n\r\nabcd`,
  "$\x01\x00\x08\x80\xc9\x00\x01\x00\x00\x00\x01",
];

function mutate(text: string, rnd: () => number): Uint8Array {
  const bytes = [...new TextEncoder().encode(text)];
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (bytes.length + 1));
    switch (Math.floor(rnd() * 5)) {
      case 0:
        bytes[at] = Math.floor(rnd() * 256);
        break;
      case 1:
        bytes.splice(at, 1);
        break;
      case 2:
        bytes.splice(
          at,
          0,
          ...[0x0d, 0x0a, 0x3a, 0x3b, 0x3d, 0x2d, 0x24, 0x00].slice(0, 1 + Math.floor(rnd() * 8)),
        );
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(0, Math.floor(rnd() * 40)));
        break;
      default:
        bytes.splice(
          at,
          Math.floor(rnd() * 10),
          ...Array.from({ length: Math.floor(rnd() * 10) }, () => 0x30 + Math.floor(rnd() * 10)),
        );
    }
  }
  return new Uint8Array(bytes);
}

Deno.test("mutated requests and random bytes never throw out of a connection", async () => {
  const rnd = xorshift(20261121);
  const { core, stream } = makeCore();
  for (let round = 0; round < 400; round++) {
    const client = new Client(core);
    const chunks = 1 + Math.floor(rnd() * 4);
    for (let c = 0; c < chunks && !client.tcp.ended && !client.tcp.destroyed; c++) {
      const input = rnd() < 0.15
        ? crypto.getRandomValues(new Uint8Array(1 + Math.floor(rnd() * 300)))
        : mutate(SEEDS[Math.floor(rnd() * SEEDS.length)], rnd);
      // Every response the server writes must parse back, whatever it was sent.
      await client.send(input);
      stream.sendFrame([new Uint8Array([0x41, 0x9a, 1, 2, 3])]);
    }
    client.conn.closed();
  }
  const healthy = new Client(core);
  assert.equal((await healthy.request("OPTIONS", "*", { CSeq: 1 })).status, 200);
  assert.equal(core.stats.connections, 1);
});
