/**
 * A small program that uses the library the way a Node user would: it serves a stream, encodes a
 * few test pattern frames in the calling thread (no Worker), and reads the stream back over RTSP
 * with a raw TCP socket: DESCRIBE, SETUP (interleaved), PLAY, then RTP packets until it has seen a
 * whole IDR picture. It prints one JSON line with what it saw and exits 0, or prints the error and
 * exits 1. test/node/node_test.ts bundles it for Node and runs it there.
 */

import { connect, type Socket } from "node:net";
import process from "node:process";
import { serve } from "../../mod.ts";
import { TestPattern } from "../../encoder.ts";
import { encodeToStream } from "../../src/source/encode_to_stream.ts";

const WIDTH = 160;
const HEIGHT = 96;

/** An RTSP client on one socket: requests with CSeq, replies parsed, interleaved packets queued. */
class RawRtspClient {
  #socket: Socket;
  #buffer = new Uint8Array(0);
  #cseq = 0;
  #waiting: (() => void) | undefined;
  readonly packets: Uint8Array[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(this.#buffer.length + chunk.length);
      joined.set(this.#buffer);
      joined.set(chunk, this.#buffer.length);
      this.#buffer = joined;
      this.#waiting?.();
    });
  }

  async request(method: string, url: string, headers: Record<string, string> = {}) {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.#cseq}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    this.#socket.write(lines.join("\r\n") + "\r\n\r\n");
    for (;;) {
      const reply = this.#takeReply();
      if (reply) return reply;
      await this.#more();
    }
  }

  async packet(): Promise<Uint8Array> {
    for (;;) {
      const frame = this.packets.shift() ?? this.#takeInterleaved();
      if (frame) return frame;
      await this.#more();
    }
  }

  #more(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the server went quiet")), 10_000);
      this.#waiting = () => {
        clearTimeout(timer);
        this.#waiting = undefined;
        resolve();
      };
    });
  }

  #takeReply() {
    // Packets may come before a PLAY reply (the reader gets the cached pictures at once).
    for (let p = this.#takeInterleaved(); p; p = this.#takeInterleaved()) this.packets.push(p);
    const text = new TextDecoder("latin1").decode(this.#buffer);
    const end = text.indexOf("\r\n\r\n");
    if (end < 0 || this.#buffer[0] === 0x24) return undefined;
    const [status, ...headerLines] = text.slice(0, end).split("\r\n");
    const headers = new Map(
      headerLines.map((
        l,
      ) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers.get("content-length") ?? 0);
    if (this.#buffer.length < end + 4 + length) return undefined;
    const body = text.slice(end + 4, end + 4 + length);
    this.#buffer = this.#buffer.slice(end + 4 + length);
    return { status, headers, body };
  }

  #takeInterleaved(): Uint8Array | undefined {
    const b = this.#buffer;
    if (b.length < 4 || b[0] !== 0x24) return undefined;
    const length = (b[2] << 8) | b[3];
    if (b.length < 4 + length) return undefined;
    const packet = b.slice(4, 4 + length);
    this.#buffer = b.slice(4 + length);
    return b[1] === 0 ? packet : new Uint8Array(0); // RTCP on channel 1: empty, skipped
  }
}

async function main(): Promise<Record<string, unknown>> {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const encoded = await encodeToStream(server, "/node", {
    width: WIDTH,
    height: HEIGHT,
    fps: 10,
    bitrate: 200_000,
    worker: false,
  });
  const pattern = new TestPattern({ width: WIDTH, height: HEIGHT });
  let index = 0;
  const ticker = setInterval(() => {
    encoded.push(pattern.draw(index, Date.now(), index * 100_000));
    index++;
  }, 100);
  const socket = connect(server.port, "127.0.0.1");
  await new Promise<void>((resolve, reject) =>
    socket.once("connect", resolve).once("error", reject)
  );
  const client = new RawRtspClient(socket);
  try {
    const url = server.url("/node");
    const described = await client.request("DESCRIBE", url, { Accept: "application/sdp" });
    const setup = await client.request("SETUP", `${url}/trackID=0`, {
      Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
    });
    const session = setup.headers.get("session")!.split(";")[0];
    const play = await client.request("PLAY", url, { Session: session });
    // RTP (RFC 3550): payload type 96 and the H.264 NAL type of each packet (RFC 6184 §5.2;
    // FU-A, type 28, carries its NAL's type in the next byte).
    const nalTypes = new Set<number>();
    let packets = 0;
    let payloadType = -1;
    while (!(nalTypes.has(7) && nalTypes.has(8) && nalTypes.has(5)) && packets < 500) {
      const rtp = await client.packet();
      if (rtp.length < 13) continue; // RTCP
      packets++;
      payloadType = rtp[1] & 0x7f;
      const nal = rtp[12] & 0x1f;
      nalTypes.add(nal === 28 ? rtp[13] & 0x1f : nal);
    }
    await client.request("TEARDOWN", url, { Session: session });
    return {
      node: process.version,
      describe: described.status,
      sdpVideo: /^m=video 0 RTP\/AVP 96$/m.test(described.body),
      sdpH264: /a=rtpmap:96 H264\/90000/.test(described.body),
      sdpParameterSets: /sprop-parameter-sets=/.test(described.body),
      setup: setup.status,
      play: play.status,
      payloadType,
      nalTypes: [...nalTypes].sort((a, b) => a - b),
      packets,
    };
  } finally {
    clearInterval(ticker);
    socket.destroy();
    await encoded.close();
    await server.close();
  }
}

main().then(
  (seen) => {
    console.log(JSON.stringify(seen));
    process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
