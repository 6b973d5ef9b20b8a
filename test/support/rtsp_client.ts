/**
 * A minimal, honest RTSP 1.0 reader for tests and benchmarks (not shipped): DESCRIBE, SETUP over
 * interleaved TCP or UDP, PLAY, PAUSE, TEARDOWN; it depacketizes H.264 (RFC 6184) and counts
 * complete access units, packets, bytes and sequence gaps. It also sends raw bytes, for tests of
 * hostile clients, and can stop reading its socket so the server sees a zero TCP window.
 *
 * Built on `node:net` and `node:dgram` (Deno, Bun and Node) and on the server's own pure layers.
 *
 * @example Read a stream (DESCRIBE, SETUP and PLAY in one call), then look at the counters
 * ```ts
 * import assert from "node:assert/strict";
 * import { serve } from "../../mod.ts";
 * import { RtspTestClient } from "./rtsp_client.ts";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * server.addStream("/stream", { codec: "h264" });
 * const client = await RtspTestClient.connect(server.url("/stream"), { transport: "tcp" });
 * assert.equal((await client.options()).status, 200);
 * // await client.play(); ... then client.framesReceived, client.lost, client.bytesReceived
 * await client.close();
 * await server.close();
 * ```
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as net from "node:net";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { seqDiff, SequenceTracker } from "../../src/rtp/sequence.ts";
import { RtspHeaders } from "../../src/rtsp/headers.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { formatRequest } from "../../src/rtsp/serialize.ts";
import { parseSdp, resolveControl } from "../../src/sdp/parse.ts";

export type { RtspResponse };

/** One complete access unit as the client received it. */
export interface ReceivedAccessUnit {
  /** NAL units without start codes (empty when `depacketize` is false). */
  nalUnits: Uint8Array[];
  /** RTP timestamp of the access unit (90 kHz). */
  timestamp: number;
  /** Whether it holds an IDR slice. */
  keyframe: boolean;
  /** Wall-aligned ms (`performance.timeOrigin + performance.now()`) when its last packet came. */
  receivedAt: number;
}

/** Options of {@link RtspTestClient.connect}. */
export interface RtspTestClientOptions {
  /** How media travels after SETUP. Default `"tcp"` (interleaved, RFC 2326 §10.12). */
  transport?: "tcp" | "udp";
  /** Called for each complete access unit. */
  onFrame?: (au: ReceivedAccessUnit) => void;
  /**
   * Reassemble NAL units (default true). When false, an access unit still counts only when every
   * packet from its first to its marker arrived without a sequence gap, but its bytes are not
   * copied; for benchmarks with hundreds of readers in one process.
   */
  depacketize?: boolean;
  /** Milliseconds a request waits for its response. Default 10000. */
  requestTimeoutMs?: number;
  /** Milliseconds between RTCP receiver reports once playing; 0 sends none. Default 5000. */
  receiverReportIntervalMs?: number;
  /** Called for each RTP packet with a valid header, in arrival order, before it is counted. */
  onPacket?: (packet: RtpPacket) => void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const MAX_HEADER_BYTES = 64 * 1024;
const wallNow = (): number => performance.timeOrigin + performance.now();

interface Pending {
  resolve: (r: RtspResponse) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A test RTSP client on one TCP connection. Use {@link RtspTestClient.connect}. */
export class RtspTestClient {
  /** The URL given to `connect`. */
  readonly url: string;
  /** The transport SETUP asks for. */
  readonly transport: "tcp" | "udp";
  /** Complete access units received. */
  framesReceived = 0;
  /** Complete access units that held an IDR slice. */
  keyframesReceived = 0;
  /** Bytes read from the TCP socket plus RTP and RTCP datagrams received. */
  bytesReceived = 0;
  /** RTP packets received (valid headers only). */
  packetsReceived = 0;
  /** RTP packets missing: the sum of forward sequence gaps. */
  lost = 0;
  /** RTP packets that came late or twice (sequence not ahead of the last). */
  reordered = 0;
  /** Sequence number of the last RTP packet, or -1. */
  lastSequence = -1;
  /** RTCP packets received (sender reports). */
  rtcpReceived = 0;
  /** Interleaved frames on channels that belong to no session, and unparsable RTP. */
  strayPackets = 0;
  /** Wall-aligned ms when the first complete access unit arrived, or undefined. */
  firstFrameAt: number | undefined;
  /** The SDP of the last DESCRIBE. */
  sdp: string | undefined;
  /** Base for relative controls: Content-Base, else Content-Location, else the request URL. */
  contentBase: string | undefined;
  /** Track URL used by SETUP (from the SDP's video `a=control`). */
  trackUrl: string | undefined;
  /** Session id from SETUP, without parameters. */
  session: string | undefined;
  /** Session timeout in seconds advertised by the server (`;timeout=`), if any. */
  sessionTimeout: number | undefined;
  /** Interleaved channels granted by SETUP (TCP). */
  channels: [number, number] | undefined;
  /** Server RTP/RTCP ports from the SETUP reply (UDP). */
  serverPorts: [number, number] | undefined;
  /** Client RTP/RTCP ports (UDP). */
  clientPorts: [number, number] | undefined;
  /** Problems seen in what the server sent (unparsable messages). */
  readonly protocolErrors: string[] = [];
  /** Resolves when the TCP connection is closed, by either side. */
  readonly closed: Promise<void>;

  #socket: net.Socket;
  #host: string;
  #opts: RtspTestClientOptions;
  #cseq = 0;
  #pending = new Map<string, Pending>();
  #unsolicited: RtspResponse[] = [];
  #unsolicitedWaiters: ((r: RtspResponse | undefined) => void)[] = [];
  #rest: Uint8Array | undefined;
  #parser = new RtspParser();
  #depacketizer = new H264Depacketizer();
  #tracker = new SequenceTracker();
  #ssrc = (Math.random() * 2 ** 32) >>> 0;
  #serverSsrc: number | undefined;
  #udp: [dgram.Socket, dgram.Socket] | undefined;
  #rrTimer: ReturnType<typeof setInterval> | undefined;
  #isClosed = false;
  // Count-only access unit tracking (depacketize: false).
  #auOpen = false;
  #auTimestamp = 0;
  #auBroken = false;
  #auKeyframe = false;

  private constructor(url: string, socket: net.Socket, host: string, opts: RtspTestClientOptions) {
    this.url = url;
    this.transport = opts.transport ?? "tcp";
    this.#socket = socket;
    this.#host = host;
    this.#opts = opts;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    socket.on("error", () => {}); // always followed by "close"
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#isClosed = true;
        this.#stopTimers();
        for (const [, p] of this.#pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`connection to ${this.url} closed before the response`));
        }
        this.#pending.clear();
        for (const w of this.#unsolicitedWaiters.splice(0)) w(undefined);
        this.#closeUdp();
        resolve();
      });
    });
  }

  /** Opens the TCP connection to `url` (`rtsp://host[:port]/path`, port 554 by default). */
  static connect(url: string, opts: RtspTestClientOptions = {}): Promise<RtspTestClient> {
    const u = URL.canParse(url) ? new URL(url) : undefined;
    if (u?.protocol !== "rtsp:") {
      return Promise.reject(new TypeError(`not an rtsp:// URL: ${JSON.stringify(url)}`));
    }
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const port = u.port === "" ? 554 : Number(u.port);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const fail = (e: Error) => reject(new Error(`cannot connect to ${url}: ${e.message}`));
      socket.once("error", fail);
      socket.once("connect", () => {
        socket.off("error", fail);
        resolve(new RtspTestClient(url, socket, host, opts));
      });
    });
  }

  /** Whether the TCP connection is closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * Sends a request and resolves with the response carrying the same CSeq. Adds `CSeq`,
   * `User-Agent` and (when known and not given) `Session`. Rejects when the connection closes or
   * no response comes within the request timeout.
   */
  request(
    method: string,
    url: string = this.url,
    headers: Record<string, string> = {},
    body: Uint8Array = new Uint8Array(0),
  ): Promise<RtspResponse> {
    if (this.#isClosed) return Promise.reject(new Error(`connection to ${this.url} is closed`));
    const cseq = String(++this.#cseq);
    const h = new RtspHeaders({ CSeq: cseq, "User-Agent": "rtsp-edge-test-client" });
    for (const [name, value] of Object.entries(headers)) h.set(name, value);
    if (this.session !== undefined && !h.has("Session")) h.set("Session", this.session);
    const bytes = formatRequest({ method, url, version: "RTSP/1.0", headers: h, body });
    const timeoutMs = this.#opts.requestTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(cseq);
        reject(new Error(`${method} ${url}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(cseq, { resolve, reject, timer });
      this.#socket.write(bytes);
    });
  }

  /** OPTIONS for the URL. */
  options(): Promise<RtspResponse> {
    return this.request("OPTIONS");
  }

  /** DESCRIBE; keeps the SDP, the content base and the video track URL. Throws unless 200. */
  async describe(): Promise<RtspResponse> {
    const res = await this.request("DESCRIBE", this.url, { Accept: "application/sdp" });
    expectOk("DESCRIBE", res);
    this.sdp = dec.decode(res.body);
    this.contentBase = res.headers.get("Content-Base") ?? res.headers.get("Content-Location") ??
      this.url;
    const sdp = parseSdp(this.sdp);
    const video = sdp.media.find((m) => m.kind === "video") ?? sdp.media[0];
    if (!video) throw new Error(`DESCRIBE ${this.url}: the SDP has no media section`);
    this.trackUrl = resolveControl(this.contentBase, video.control ?? "");
    return res;
  }

  /**
   * SETUP of the video track (DESCRIBE first if not done) over the client's transport. For UDP it
   * binds an even/odd client port pair first (RFC 3550 §11). Throws unless 200.
   */
  async setup(): Promise<RtspResponse> {
    if (this.trackUrl === undefined) await this.describe();
    let transport: string;
    if (this.transport === "udp") {
      await this.#bindUdp();
      transport = `RTP/AVP;unicast;client_port=${this.clientPorts![0]}-${this.clientPorts![1]}`;
    } else {
      transport = "RTP/AVP/TCP;unicast;interleaved=0-1";
    }
    const res = await this.request("SETUP", this.trackUrl, { Transport: transport });
    expectOk("SETUP", res);
    const session = res.headers.get("Session");
    if (session === undefined) throw new Error("SETUP reply carries no Session header");
    const [id, ...params] = session.split(";").map((s) => s.trim());
    this.session = id;
    const timeout = params.find((p) => /^timeout=\d+$/i.test(p));
    this.sessionTimeout = timeout ? Number(timeout.slice(8)) : undefined;
    const t = res.headers.get("Transport") ?? "";
    const interleaved = /(?:^|;)\s*interleaved=(\d+)(?:-(\d+))?/i.exec(t);
    if (interleaved) {
      const a = Number(interleaved[1]);
      this.channels = [a, interleaved[2] === undefined ? a + 1 : Number(interleaved[2])];
    } else if (this.transport === "tcp") {
      this.channels = [0, 1];
    }
    const ports = /(?:^|;)\s*server_port=(\d+)(?:-(\d+))?/i.exec(t);
    if (ports) {
      const a = Number(ports[1]);
      this.serverPorts = [a, ports[2] === undefined ? a + 1 : Number(ports[2])];
    }
    return res;
  }

  /** PLAY of the aggregate (SETUP first if not done). Throws unless 200. */
  async play(): Promise<RtspResponse> {
    if (this.session === undefined) await this.setup();
    const res = await this.request("PLAY", this.#aggregateUrl(), { Range: "npt=0.000-" });
    expectOk("PLAY", res);
    this.#startReports();
    return res;
  }

  /** PAUSE of the aggregate. Returns the response whatever its status. */
  pause(): Promise<RtspResponse> {
    this.#stopTimers();
    return this.request("PAUSE", this.#aggregateUrl());
  }

  /** TEARDOWN of the aggregate; forgets the session. Returns the response whatever its status. */
  async teardown(): Promise<RtspResponse> {
    this.#stopTimers();
    const res = await this.request("TEARDOWN", this.#aggregateUrl());
    this.session = undefined;
    return res;
  }

  /**
   * The next response that answered no request of ours (no CSeq, or an unknown one), e.g. a 400
   * after raw garbage. Resolves `undefined` on timeout or when the connection closes.
   */
  nextResponse(timeoutMs = 5000): Promise<RtspResponse | undefined> {
    const queued = this.#unsolicited.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (r: RtspResponse | undefined) => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        const i = this.#unsolicitedWaiters.indexOf(waiter);
        if (i >= 0) this.#unsolicitedWaiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      this.#unsolicitedWaiters.push(waiter);
    });
  }

  /** Writes bytes (or a string, as UTF-8) to the TCP connection as they are. */
  sendRaw(bytes: Uint8Array | string): void {
    if (this.#isClosed) return;
    this.#socket.write(typeof bytes === "string" ? enc.encode(bytes) : bytes);
  }

  /**
   * Stops reading the TCP socket: the kernel's receive buffer fills and the server then sees a
   * zero window, as from a stalled viewer.
   */
  stopReading(): void {
    this.#socket.pause();
  }

  /** Reads the socket again after {@link stopReading}. */
  resumeReading(): void {
    this.#socket.resume();
  }

  /** Closes the connection (no TEARDOWN) and the UDP ports; resolves once closed. */
  close(): Promise<void> {
    this.#stopTimers();
    this.#socket.destroy();
    this.#closeUdp();
    return this.closed;
  }

  #aggregateUrl(): string {
    return this.contentBase ?? this.url;
  }

  // TCP bytes in: interleaved frames are handled in place (views of the chunk); RTSP messages are
  // cut out whole and handed to the server's own parser. Only an incomplete tail is copied.
  #onData(chunk: Uint8Array): void {
    this.bytesReceived += chunk.length;
    let buf = chunk;
    if (this.#rest !== undefined) {
      buf = new Uint8Array(this.#rest.length + chunk.length);
      buf.set(this.#rest);
      buf.set(chunk, this.#rest.length);
      this.#rest = undefined;
    }
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (buf[i] === 0x24) {
        // RFC 2326 §10.12: '$', channel, 16-bit length, data.
        if (n - i < 4) break;
        const length = (buf[i + 2] << 8) | buf[i + 3];
        if (n - i - 4 < length) break;
        this.#interleaved(buf[i + 1], buf.subarray(i + 4, i + 4 + length));
        i += 4 + length;
      } else if (buf[i] === 0x0d || buf[i] === 0x0a) {
        i++; // empty lines between messages
      } else {
        const used = this.#message(buf, i);
        if (used < 0) break;
        if (used === 0) return; // protocol error: the connection is being closed
        i += used;
      }
    }
    if (i < n) this.#rest = buf.slice(i);
  }

  /** Parses one RTSP message at `from`; returns its size, -1 when incomplete, 0 on error. */
  #message(buf: Uint8Array, from: number): number {
    let headerEnd = -1;
    const limit = Math.min(buf.length, from + MAX_HEADER_BYTES);
    for (let j = from; j < limit; j++) {
      if (buf[j] !== 0x0a) continue;
      if (buf[j + 1] === 0x0a) {
        headerEnd = j + 2;
        break;
      }
      if (buf[j + 1] === 0x0d && buf[j + 2] === 0x0a) {
        headerEnd = j + 3;
        break;
      }
    }
    if (headerEnd < 0) {
      if (buf.length - from >= MAX_HEADER_BYTES) return this.#protocolError("header too long");
      return -1;
    }
    const head = dec.decode(buf.subarray(from, headerEnd));
    const cl = /^content-length[ \t]*:[ \t]*(\d+)/im.exec(head);
    const total = headerEnd - from + (cl ? Number(cl[1]) : 0);
    if (buf.length - from < total) return -1;
    this.#parser.feed(buf.subarray(from, from + total));
    const event = this.#parser.next();
    if (event.kind === "response") this.#response(event.response);
    else if (event.kind === "error") return this.#protocolError(event.error.message);
    else if (event.kind !== "request") return this.#protocolError(`unexpected ${event.kind}`);
    return total;
  }

  #protocolError(message: string): number {
    this.protocolErrors.push(message);
    this.#socket.destroy();
    return 0;
  }

  #response(res: RtspResponse): void {
    const cseq = res.headers.get("CSeq");
    const pending = cseq === undefined ? undefined : this.#pending.get(cseq);
    if (pending && cseq !== undefined) {
      this.#pending.delete(cseq);
      clearTimeout(pending.timer);
      pending.resolve(res);
      return;
    }
    const waiter = this.#unsolicitedWaiters.shift();
    if (waiter) waiter(res);
    else this.#unsolicited.push(res);
  }

  #interleaved(channel: number, payload: Uint8Array): void {
    const channels = this.channels ?? [0, 1];
    if (channel === channels[0]) this.#rtp(payload);
    else if (channel === channels[1]) this.#rtcp(payload);
    else this.strayPackets++;
  }

  #rtcp(payload: Uint8Array): void {
    this.rtcpReceived++;
    // An SR (PT 200) names the sender's SSRC at bytes 4-7.
    if (payload.length >= 8 && payload[1] === 200) {
      this.#serverSsrc = ((payload[4] << 24) | (payload[5] << 16) | (payload[6] << 8) |
        payload[7]) >>> 0;
    }
  }

  #rtp(bytes: Uint8Array): void {
    const packet = parseRtpPacket(bytes);
    if (packet === undefined) {
      this.strayPackets++;
      return;
    }
    this.packetsReceived++;
    this.#opts.onPacket?.(packet);
    this.#serverSsrc ??= packet.ssrc;
    this.#tracker.update(packet.sequenceNumber);
    const seq = packet.sequenceNumber;
    const first = this.lastSequence < 0;
    let gap = false;
    if (!first) {
      const step = seqDiff(this.lastSequence, seq);
      if (step <= 0) {
        this.reordered++;
        return;
      }
      this.lost += step - 1;
      gap = step > 1;
    }
    this.lastSequence = seq;
    if (this.#opts.depacketize === false) this.#countOnly(packet, gap, first);
    else {
      const au = this.#depacketizer.push(packet);
      if (au) this.#frame(au.nalUnits, au.timestamp, au.keyframe);
    }
  }

  // Same completeness rule as the depacketizer (every packet from the first to the marker, no
  // gap), without copying payloads.
  #countOnly(packet: RtpPacket, gap: boolean, first: boolean): void {
    if (this.#auOpen && packet.timestamp !== this.#auTimestamp) {
      // No marker but a new timestamp: the open access unit is over (as the depacketizer does).
      this.#auOpen = false;
      if (!this.#auBroken && !gap) this.#frame([], this.#auTimestamp, this.#auKeyframe);
    }
    const p = packet.payload;
    const type = p.length > 0 ? p[0] & 0x1f : 0;
    if (!this.#auOpen) {
      this.#auOpen = true;
      this.#auTimestamp = packet.timestamp;
      this.#auKeyframe = false;
      // Joined in the middle of a fragmented NAL unit: its start is missing.
      this.#auBroken = first && type === 28 && p.length > 1 && (p[1] & 0x80) === 0;
    }
    if (gap || p.length === 0) this.#auBroken = true;
    if (type === 5) this.#auKeyframe = true;
    else if (type === 28 && p.length > 1 && (p[1] & 0x1f) === 5) this.#auKeyframe = true;
    else if (type === 24 && p.length > 3 && (p[3] & 0x1f) === 5) this.#auKeyframe = true;
    if (packet.marker) {
      this.#auOpen = false;
      if (!this.#auBroken) this.#frame([], packet.timestamp, this.#auKeyframe);
    }
  }

  #frame(nalUnits: Uint8Array[], timestamp: number, keyframe: boolean): void {
    const receivedAt = wallNow();
    this.framesReceived++;
    if (keyframe) this.keyframesReceived++;
    this.firstFrameAt ??= receivedAt;
    this.#opts.onFrame?.({ nalUnits, timestamp, keyframe, receivedAt });
  }

  async #bindUdp(): Promise<void> {
    if (this.#udp) return;
    const type = net.isIPv6(this.#host) ? "udp6" : "udp4";
    const local = type === "udp6" ? "::" : "0.0.0.0";
    for (let attempt = 0; attempt < 50; attempt++) {
      const rtp = dgram.createSocket(type);
      const port = await bind(rtp, 0, local);
      if (port !== undefined && port % 2 === 0) {
        const rtcp = dgram.createSocket(type);
        if (await bind(rtcp, port + 1, local) !== undefined) {
          rtp.on("message", (msg: Uint8Array) => {
            this.bytesReceived += msg.length;
            this.#rtp(msg);
          });
          rtcp.on("message", (msg: Uint8Array) => {
            this.bytesReceived += msg.length;
            this.#rtcp(msg);
          });
          this.#udp = [rtp, rtcp];
          this.clientPorts = [port, port + 1];
          return;
        }
        rtcp.close();
      }
      rtp.close();
    }
    throw new Error("could not bind an even/odd UDP port pair");
  }

  #startReports(): void {
    const every = this.#opts.receiverReportIntervalMs ?? 5000;
    if (every <= 0 || this.#rrTimer !== undefined) return;
    this.#rrTimer = setInterval(() => this.#sendReport(), every);
  }

  // RFC 3550 §6.4.2: RR + SDES, what ffmpeg and GStreamer send while playing.
  #sendReport(): void {
    if (this.#isClosed || this.#serverSsrc === undefined) return;
    const loss = this.#tracker.takeLossReport();
    const rr = buildReceiverReport({
      ssrc: this.#ssrc,
      cname: "rtsp-edge-test-client",
      reports: [{
        ssrc: this.#serverSsrc,
        fractionLost: loss.fractionLost,
        cumulativeLost: loss.cumulativeLost,
        highestSequence: loss.highestSequence,
        jitter: 0,
        lastSr: 0,
        delaySinceLastSr: 0,
      }],
    });
    if (this.transport === "udp") {
      if (this.#udp && this.serverPorts) {
        this.#udp[1].send(rr, this.serverPorts[1], this.#host);
      }
    } else {
      const channel = (this.channels ?? [0, 1])[1];
      const framed = new Uint8Array(4 + rr.length);
      framed[0] = 0x24;
      framed[1] = channel;
      framed[2] = rr.length >> 8;
      framed[3] = rr.length & 0xff;
      framed.set(rr, 4);
      this.#socket.write(framed);
    }
  }

  #stopTimers(): void {
    if (this.#rrTimer !== undefined) clearInterval(this.#rrTimer);
    this.#rrTimer = undefined;
  }

  #closeUdp(): void {
    if (!this.#udp) return;
    for (const s of this.#udp) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.#udp = undefined;
  }
}

function bind(socket: dgram.Socket, port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const fail = () => resolve(undefined);
    socket.once("error", fail);
    socket.bind(port, host, () => {
      socket.off("error", fail);
      socket.on("error", () => {});
      resolve(socket.address().port);
    });
  });
}

function expectOk(method: string, res: RtspResponse): void {
  if (res.status !== 200) {
    throw new Error(`${method} failed: ${res.status} ${res.reason}`);
  }
}
