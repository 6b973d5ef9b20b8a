/**
 * A socket-free harness for the server's state machine: a {@link ServerCore} with a manual clock, a
 * fake connection whose writes are parsed back into responses, and a stream fed synthetic H.264.
 */

import { RtspParser } from "../../src/rtsp/parser.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import type { NetAddress, TcpConnection, UdpSocket } from "../../src/runtime/net.ts";
import { ManualClock } from "../../src/base/clock.ts";
import type { RtspConnection } from "../../src/server/client/connection.ts";
import { ServerCore } from "../../src/server/core.ts";
import { silentLogger } from "../../src/base/log.ts";
import { resolveOptions, type ServeOptions } from "../../src/server/options.ts";
import { connect } from "../../src/server/server.ts";
import type { Stream } from "../../src/server/stream/stream.ts";

/** SPS and PPS of a 640x360 x264 baseline stream. */
export const SPS = hex("6742c01ed900a02ff970110000030001000003003c0f162e48");
/** See {@link SPS}. */
export const PPS = hex("68cb83cb20");

/** Bytes from hex. */
export function hex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** An IDR slice NAL of `size` bytes (first_mb_in_slice = 0). */
export function idr(size = 3000): Uint8Array {
  const nal = new Uint8Array(size).fill(0x5a);
  nal[0] = 0x65;
  nal[1] = 0x88;
  return nal;
}

/** A non-IDR slice NAL of `size` bytes. */
export function slice(size = 800): Uint8Array {
  const nal = new Uint8Array(size).fill(0x33);
  nal[0] = 0x41;
  nal[1] = 0x9a;
  return nal;
}

/** A TCP connection that records what the server writes. */
export class FakeTcp implements TcpConnection {
  readonly remote: NetAddress;
  readonly local: NetAddress = { hostname: "127.0.0.1", port: 8554, family: "IPv4" };
  readonly writes: Uint8Array[] = [];
  bufferedBytes = 0;
  pendingWrites = 0;
  /** When true, writes stay queued (a reader with a zero TCP window). */
  stalled = false;
  ended = false;
  destroyed = false;

  constructor(hostname = "127.0.0.1", port = 40000) {
    this.remote = { hostname, port, family: "IPv4" };
  }
  write(data: Uint8Array): void {
    if (this.destroyed) return;
    this.writes.push(data.slice());
    if (this.stalled) {
      this.bufferedBytes += data.length;
      this.pendingWrites++;
    }
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A UDP socket that records datagrams. */
export class FakeUdp implements UdpSocket {
  readonly address: NetAddress;
  readonly sent: { data: Uint8Array; port: number; hostname: string }[] = [];
  constructor(port: number) {
    this.address = { hostname: "0.0.0.0", port, family: "IPv4" };
  }
  send(data: Uint8Array, port: number, hostname: string): void {
    this.sent.push({ data: data.slice(), port, hostname });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What a test gets back from the server for a chunk of client bytes. */
export interface Exchange {
  responses: RtspResponse[];
  interleaved: { channel: number; payload: Uint8Array }[];
}

/** One client talking to a core. */
export class Client {
  readonly tcp: FakeTcp;
  readonly conn: RtspConnection;
  #parser = new RtspParser({ body: 1 << 20 });
  #read = 0;
  #interleaved: Exchange["interleaved"] = [];

  constructor(core: ServerCore, tcp = new FakeTcp()) {
    this.tcp = tcp;
    const conn = connect(core, tcp);
    if (!conn) throw new Error("connection refused");
    this.conn = conn;
  }

  /** Sends raw bytes and collects everything written back since the last call. */
  async send(text: string | Uint8Array): Promise<Exchange> {
    this.conn.data(typeof text === "string" ? new TextEncoder().encode(text) : text);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    return this.collect();
  }

  /**
   * Parses what the server wrote since the last collect. Interleaved frames that arrived with a
   * response returned by {@link request} are kept for the next collect.
   */
  collect(): Exchange {
    const out: Exchange = { responses: [], interleaved: this.#interleaved };
    this.#interleaved = [];
    for (; this.#read < this.tcp.writes.length; this.#read++) {
      this.#parser.feed(this.tcp.writes[this.#read]);
    }
    for (;;) {
      const e = this.#parser.next();
      if (e.kind === "response") out.responses.push(e.response);
      else if (e.kind === "interleaved") {
        out.interleaved.push({ channel: e.channel, payload: e.payload });
      } else if (e.kind === "need-more") return out;
      else throw new Error(`server wrote something unparsable: ${e.kind}`);
    }
  }

  /** Sends one request (with an optional body) and returns its response (there must be one). */
  async request(
    method: string,
    url: string,
    headers: Record<string, string | number> = {},
    body = "",
  ): Promise<RtspResponse> {
    let text = `${method} ${url} RTSP/1.0\r\n`;
    for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
    if (body !== "") text += `Content-Length: ${new TextEncoder().encode(body).length}\r\n`;
    const { responses, interleaved } = await this.send(text + "\r\n" + body);
    this.#interleaved.push(...interleaved);
    if (responses.length !== 1) throw new Error(`expected one response, got ${responses.length}`);
    return responses[0];
  }
}

/** A core with one stream at /stream that has already carried a keyframe. */
export function makeCore(options: ServeOptions = {}): {
  core: ServerCore;
  clock: ManualClock;
  stream: Stream;
  udp: { rtp: FakeUdp; rtcp: FakeUdp };
} {
  const clock = new ManualClock(1000);
  const core = new ServerCore(resolveOptions(options), clock, silentLogger);
  const udp = { rtp: new FakeUdp(6970), rtcp: new FakeUdp(6971) };
  core.udp = udp;
  const stream = core.addStream("/stream", { codec: "h264", framerate: 30 });
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
  return { core, clock, stream, udp };
}

/** An RTP packet: version 2, the given marker, payload type, sequence number and timestamp. */
export function rtpPacket(
  seq: number,
  ts: number,
  payload: ArrayLike<number>,
  { marker = true, pt = 96 }: { marker?: boolean; pt?: number } = {},
): Uint8Array {
  const p = new Uint8Array(12 + payload.length);
  p[0] = 0x80;
  p[1] = (marker ? 0x80 : 0) | pt;
  p[2] = (seq >> 8) & 0xff;
  p[3] = seq & 0xff;
  new DataView(p.buffer).setUint32(4, ts >>> 0);
  new DataView(p.buffer).setUint32(8, 0x1234);
  p.set(payload, 12);
  return p;
}

/** An interleaved frame (RFC 2326 §10.12): `$`, channel, 16-bit length, payload. */
export function dollar(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out.set([0x24, channel, payload.length >> 8, payload.length & 0xff]);
  out.set(payload, 4);
  return out;
}

/** Client ports and an RTSP URL for the stream. */
export const URL = "rtsp://127.0.0.1:8554/stream";
