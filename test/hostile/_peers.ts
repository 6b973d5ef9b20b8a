/**
 * Raw peers for the hostile-client suite: an RTSP control connection that sends exactly what it is
 * told and keeps the responses, UDP ports that only count what reaches them, an RTP packet
 * builder, and a publisher (ANNOUNCE, SETUP mode=record, RECORD) that can send any bytes as media.
 */

import * as dgram from "node:dgram";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One response as received. */
export interface RawResponse {
  status: number;
  /** The status line and headers, as text. */
  head: string;
  /** The whole response (head and body), as text. */
  text: string;
}

/** An RTSP control connection on 127.0.0.1 that writes what it is given, byte for byte. */
export class RtspPeer {
  /** Every byte of every response, as text (interleaved frames are left out). */
  received = "";
  /** Interleaved frames received, by channel. */
  readonly interleaved: Map<number, number> = new Map();
  /** Whether the server closed (EOF or reset). */
  closed = false;
  /** Resolves when the connection is closed by either side. */
  readonly done: Promise<void>;
  #conn: Deno.TcpConn;
  #rest = new Uint8Array(0);
  #responses: RawResponse[] = [];
  #waiters: (() => void)[] = [];
  #cseq = 0;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.done = this.#read();
  }

  /** Connects to the server's RTSP port. */
  static async connect(port: number): Promise<RtspPeer> {
    return new RtspPeer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Writes bytes (or text) as they are; false when the server has closed. */
  async send(bytes: Uint8Array | string): Promise<boolean> {
    let rest = typeof bytes === "string" ? enc.encode(bytes) : bytes;
    try {
      // Deno's write may take only part of the bytes.
      while (rest.length > 0) rest = rest.subarray(await this.#conn.write(rest));
      return true;
    } catch {
      this.closed = true;
      return false;
    }
  }

  /**
   * Sends a request with the next CSeq and the given headers; resolves with its response, or
   * undefined when the connection closes or `timeoutMs` passes first.
   */
  async request(
    method: string,
    url: string,
    headers: Record<string, string> = {},
    body = "",
    timeoutMs = 5000,
  ): Promise<RawResponse | undefined> {
    const cseq = String(++this.#cseq);
    const all = { CSeq: cseq, ...headers, ...(body ? { "Content-Length": `${body.length}` } : {}) };
    const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await this.send(`${method} ${url} RTSP/1.0\r\n${head}\r\n${body}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#responses.findIndex((r) =>
        new RegExp(`^CSeq: ${cseq}\\r?$`, "mi").test(r.head)
      );
      if (i >= 0) return this.#responses.splice(i, 1)[0];
      if (this.closed || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** Writes one interleaved frame (RFC 2326 §10.12) on `channel`. */
  sendInterleaved(channel: number, payload: Uint8Array): Promise<boolean> {
    const framed = new Uint8Array(4 + payload.length);
    framed.set([0x24, channel, payload.length >> 8, payload.length & 0xff]);
    framed.set(payload, 4);
    return this.send(framed);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.done;
  }

  async #read(): Promise<void> {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        this.#take(buf.subarray(0, n));
      }
    } catch { /* reset, or closed by us */ }
    this.closed = true;
    this.#wake();
  }

  #take(chunk: Uint8Array): void {
    const b = new Uint8Array(this.#rest.length + chunk.length);
    b.set(this.#rest);
    b.set(chunk, this.#rest.length);
    let i = 0;
    while (i < b.length) {
      if (b[i] === 0x24) {
        if (b.length - i < 4) break;
        const len = (b[i + 2] << 8) | b[i + 3];
        if (b.length - i - 4 < len) break;
        this.interleaved.set(b[i + 1], (this.interleaved.get(b[i + 1]) ?? 0) + 1);
        i += 4 + len;
        continue;
      }
      const text = dec.decode(b.subarray(i, Math.min(b.length, i + 65536)));
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) break;
      const head = text.slice(0, end);
      const length = Number(/^Content-Length:\s*(\d+)/mi.exec(head)?.[1] ?? 0);
      const total = end + 4 + length; // ASCII heads: characters are bytes
      if (b.length - i < total) break;
      const whole = dec.decode(b.subarray(i, i + total));
      this.received += whole;
      this.#responses.push({
        status: Number(/^RTSP\/1\.0 (\d{3})/.exec(head)?.[1]),
        head,
        text: whole,
      });
      i += total;
    }
    this.#rest = b.slice(i);
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/** A UDP socket that counts the datagrams reaching it. */
export interface CountingPort {
  /** The bound port. */
  port: number;
  /** Datagrams received so far. */
  count: number;
  /** Sends from this port. */
  send(bytes: Uint8Array, port: number, host?: string): void;
  close(): void;
}

/** Binds a counting UDP socket on `host`:`port` (0: any free port); undefined when taken. */
export function bindCounting(host: string, port = 0): Promise<CountingPort | undefined> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) => {
    socket.once("error", () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners("error");
      socket.on("error", () => {});
      const c: CountingPort = {
        port: socket.address().port,
        count: 0,
        send: (bytes, to, toHost = "127.0.0.1") => socket.send(bytes, to, toHost),
        close: () => {
          try {
            socket.close();
          } catch { /* already closed */ }
        },
      };
      socket.on("message", () => c.count++);
      resolve(c);
    });
  });
}

/**
 * An even/odd pair of counting ports (RFC 3550 §11) bound on every one of `hosts` at the same port
 * numbers, so that a test can show which address the server sent to.
 */
export async function bindPairOn(hosts: readonly string[]): Promise<CountingPort[][]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindCounting(hosts[0]);
    if (!first) continue;
    const base = first.port;
    const got: CountingPort[][] = [];
    const second = base % 2 === 0 ? await bindCounting(hosts[0], base + 1) : undefined;
    if (second) got.push([first, second]);
    else first.close();
    for (const host of hosts.slice(1)) {
      if (got.length === 0) break;
      const rtp = await bindCounting(host, base);
      const rtcp = rtp && await bindCounting(host, base + 1);
      if (!rtp || !rtcp) {
        rtp?.close();
        break;
      }
      got.push([rtp, rtcp]);
    }
    if (got.length === hosts.length) return got;
    for (const pair of got) for (const p of pair) p.close();
  }
  throw new Error(`could not bind one even/odd UDP port pair on ${hosts.join(", ")}`);
}

/** Fields of {@link rtpPacket}. */
export interface RtpFields {
  seq: number;
  timestamp: number;
  marker?: boolean;
  payloadType?: number;
  ssrc?: number;
}

/** A valid RTP packet (RFC 3550 §5.1: version 2, no padding, extension or CSRC). */
export function rtpPacket(f: RtpFields, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(12 + payload.length);
  const ssrc = f.ssrc ?? 0x5eed0001;
  p[0] = 0x80;
  p[1] = (f.marker ? 0x80 : 0) | (f.payloadType ?? 96);
  p[2] = (f.seq >> 8) & 0xff;
  p[3] = f.seq & 0xff;
  new DataView(p.buffer).setUint32(4, f.timestamp >>> 0);
  new DataView(p.buffer).setUint32(8, ssrc >>> 0);
  p.set(payload, 12);
  return p;
}

const SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=hostile\r\nt=0 0\r\n" +
  "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n";

/**
 * A publisher that speaks just enough RTSP (ANNOUNCE, SETUP mode=record, RECORD) to be allowed to
 * send media, then sends whatever it is given: H.264 access units packetized here (single NAL
 * unit packets and FU-A, RFC 6184 §5.6, §5.8) with consecutive sequence numbers, or raw bytes.
 */
export class RawPublisher {
  /** The control connection. */
  readonly peer: RtspPeer;
  /** Sequence number of the next packet. */
  seq = 1000;
  /** RTP timestamp of the next access unit (90 kHz, one frame at 30 fps apart). */
  timestamp = 0x10000;
  #url: string;
  #session = "";
  #udp: CountingPort[] | undefined;
  #serverRtp = 0;

  private constructor(peer: RtspPeer, url: string) {
    this.peer = peer;
    this.#url = url;
  }

  /** ANNOUNCE, SETUP and RECORD on `path`, media over `transport`; throws unless each is 200. */
  static async start(port: number, path: string, transport: "tcp" | "udp"): Promise<RawPublisher> {
    const peer = await RtspPeer.connect(port);
    const url = `rtsp://127.0.0.1:${port}${path}`;
    const p = new RawPublisher(peer, url);
    const ok = (what: string, r: RawResponse | undefined) => {
      if (r?.status !== 200) throw new Error(`${what}: ${r?.head ?? "no response"}`);
      return r;
    };
    ok("ANNOUNCE", await peer.request("ANNOUNCE", url, { "Content-Type": "application/sdp" }, SDP));
    let spec = "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record";
    if (transport === "udp") {
      [p.#udp] = await bindPairOn(["127.0.0.1"]);
      spec = `RTP/AVP;unicast;client_port=${p.#udp[0].port}-${p.#udp[1].port};mode=record`;
    }
    const setup = ok("SETUP", await peer.request("SETUP", `${url}/trackID=0`, { Transport: spec }));
    p.#session = /^Session:\s*([^;\r\n]+)/mi.exec(setup.head)![1];
    p.#serverRtp = Number(/server_port=(\d+)/.exec(setup.head)?.[1] ?? 0);
    ok("RECORD", await peer.request("RECORD", url, { Session: p.#session, Range: "npt=0-" }));
    return p;
  }

  /** A request in the publisher's session (a keepalive, or to show the connection still works). */
  request(method: string): Promise<RawResponse | undefined> {
    return this.peer.request(method, this.#url, { Session: this.#session });
  }

  /** Sends raw bytes as one RTP packet: interleaved on channel 0, or a datagram to the RTP port. */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    if (this.#udp) this.#udp[0].send(bytes, this.#serverRtp);
    else await this.peer.sendInterleaved(0, bytes);
  }

  /** Sends one RTP packet with the next sequence number and `payload`. */
  sendPayload(payload: Uint8Array, marker: boolean, timestamp = this.timestamp): Promise<void> {
    return this.sendRaw(rtpPacket({ seq: this.seq++ & 0xffff, timestamp, marker }, payload));
  }

  /** Sends one access unit (NAL units without start codes) and moves the timestamp on a frame. */
  async sendAccessUnit(nals: readonly Uint8Array[], maxPayload = 1400): Promise<void> {
    for (const [k, nal] of nals.entries()) {
      const last = k === nals.length - 1;
      if (nal.length <= maxPayload) {
        await this.sendPayload(nal, last);
        continue;
      }
      // RFC 6184 §5.8: FU indicator (F, NRI, type 28), FU header (S, E, type), then the body.
      const body = nal.subarray(1);
      for (let at = 0; at < body.length; at += maxPayload - 2) {
        const piece = body.subarray(at, at + maxPayload - 2);
        const end = at + maxPayload - 2 >= body.length;
        const fu = new Uint8Array(2 + piece.length);
        fu[0] = (nal[0] & 0xe0) | 28;
        fu[1] = (at === 0 ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1f);
        fu.set(piece, 2);
        await this.sendPayload(fu, last && end);
      }
    }
    this.nextFrame();
  }

  /** Moves the timestamp on by one frame (3000 ticks at 30 fps). */
  nextFrame(): void {
    this.timestamp = (this.timestamp + 3000) >>> 0;
  }

  /** Closes the control connection and the UDP ports. */
  async close(): Promise<void> {
    for (const p of this.#udp ?? []) p.close();
    await this.peer.close();
  }
}
