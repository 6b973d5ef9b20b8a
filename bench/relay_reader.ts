/**
 * The relay benchmark's reader: a raw-socket RTSP client (DESCRIBE, SETUP interleaved on TCP, PLAY)
 * that notes, for every H.264 access unit, the frame id the sender hid in it and when its first
 * and last (marker) packets arrived, in `performance.now()` milliseconds of this process.
 *
 * The id travels in an SEI NAL unit (user data unregistered, ITU-T H.264 D.1.6) that
 * {@link frameIdSei} makes and the benchmark's upstream puts before each picture's slices: RTSP
 * servers and relays pass SEI through untouched, unlike RTP sequence numbers and timestamps, which
 * a relay rewrites.
 *
 * @module
 */

import { parseRtpPacket } from "../src/rtp/header.ts";
import { RtspHeaders } from "../src/rtsp/headers.ts";
import type { RtspResponse } from "../src/rtsp/message.ts";
import { RtspParser } from "../src/rtsp/parser.ts";
import { formatRequest } from "../src/rtsp/serialize.ts";
import { parseSdp, resolveControl } from "../src/sdp/parse.ts";

const NAL_SEI = 6;
const NAL_STAP_A = 24;
const SEI_USER_DATA_UNREGISTERED = 5;
/** Ours: 16 bytes without a zero, so no emulation prevention is ever needed. */
const UUID = new TextEncoder().encode("rtsp-edge-relay!");
const ID_DIGITS = 8;

/** An SEI NAL unit (without start code) carrying `id` as 8 hexadecimal ASCII digits. */
export function frameIdSei(id: number): Uint8Array {
  const digits = new TextEncoder().encode((id >>> 0).toString(16).padStart(ID_DIGITS, "0"));
  const size = UUID.length + digits.length;
  return Uint8Array.of(NAL_SEI, SEI_USER_DATA_UNREGISTERED, size, ...UUID, ...digits, 0x80);
}

/** The id in an SEI NAL unit made by {@link frameIdSei}, or undefined. */
function idOfSei(nal: Uint8Array): number | undefined {
  if ((nal[0] & 0x1f) !== NAL_SEI || nal.length < 3 + UUID.length + ID_DIGITS) return undefined;
  if (nal[1] !== SEI_USER_DATA_UNREGISTERED || nal[2] !== UUID.length + ID_DIGITS) return undefined;
  for (let i = 0; i < UUID.length; i++) if (nal[3 + i] !== UUID[i]) return undefined;
  const at = 3 + UUID.length;
  const id = parseInt(new TextDecoder().decode(nal.subarray(at, at + ID_DIGITS)), 16);
  return Number.isFinite(id) ? id : undefined;
}

/** The frame id in an RTP payload of RFC 6184 (single NAL unit or STAP-A), if any. */
function idOfPayload(payload: Uint8Array): number | undefined {
  const type = payload[0] & 0x1f;
  if (type === NAL_SEI) return idOfSei(payload);
  if (type === NAL_STAP_A) {
    for (let at = 1; at + 2 < payload.length;) {
      const size = (payload[at] << 8) | payload[at + 1];
      const id = idOfSei(payload.subarray(at + 2, at + 2 + size));
      if (id !== undefined) return id;
      at += 2 + size;
    }
  }
  return undefined; // FU-A fragments and slices carry no id
}

/** One access unit as the reader saw it. */
export interface SeenFrame {
  /** The id its SEI carried. */
  id: number;
  /** `performance.now()` when the packet carrying the id arrived. */
  firstAt: number;
  /** `performance.now()` when its marker packet arrived (NaN until it has). */
  lastAt: number;
}

/** One RTSP connection, reading until it is closed. */
export class RelayReader {
  /** Access units by id, in arrival order. */
  readonly frames = new Map<number, SeenFrame>();
  /** RTP packets received. */
  packets = 0;
  /** RTP payload bytes received. */
  bytes = 0;
  /** Packets with the marker bit: access units (or JPEG pictures) received, with or without id. */
  markers = 0;
  #conn: Deno.TcpConn;
  #url: string;
  #parser = new RtspParser();
  #cseq = 0;
  #session: string | undefined;
  #waiting = new Map<string, (r: RtspResponse) => void>();
  #closed = false;
  #current: SeenFrame | undefined;
  #currentTimestamp = -1;
  #keepalive: ReturnType<typeof setInterval> | undefined;

  private constructor(conn: Deno.TcpConn, url: string) {
    this.#conn = conn;
    this.#url = url;
    this.#read();
  }

  /** Connects to `url`, then DESCRIBE, SETUP and PLAY. */
  static async play(url: string): Promise<RelayReader> {
    const u = new URL(url);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 554) });
    conn.setNoDelay(true);
    const reader = new RelayReader(conn, url);
    try {
      await reader.#play();
    } catch (error) {
      await reader.close();
      throw error;
    }
    return reader;
  }

  /** Frames with a marker seen so far. */
  get completeFrames(): number {
    let n = 0;
    for (const f of this.frames.values()) if (!Number.isNaN(f.lastAt)) n++;
    return n;
  }

  async #play(): Promise<void> {
    const described = await this.#request("DESCRIBE", this.#url, { Accept: "application/sdp" });
    const base = described.headers.get("Content-Base") ?? this.#url;
    const sdp = parseSdp(new TextDecoder().decode(described.body));
    const video = sdp.media.find((m) => m.kind === "video");
    if (!video) throw new Error(`${this.#url}: no video in the SDP`);
    const track = video.control ? resolveControl(base, video.control) : base;
    const setup = await this.#request("SETUP", track, {
      Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
    });
    this.#session = setup.headers.get("Session")?.split(";")[0].trim();
    await this.#request("PLAY", base, { Range: "npt=0.000-" });
    // Some servers time a session out without RTCP receiver reports: keep it with OPTIONS.
    this.#keepalive = setInterval(() => {
      this.#send("OPTIONS", this.#url, {}).catch(() => {});
    }, 20_000);
  }

  /** Sends TEARDOWN and closes the connection. */
  async close(): Promise<void> {
    clearInterval(this.#keepalive);
    if (this.#closed) return;
    try {
      await this.#send("TEARDOWN", this.#url, {});
    } catch {
      // closing anyway
    }
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed by the server
    }
  }

  #request(method: string, url: string, headers: Record<string, string>): Promise<RtspResponse> {
    const cseq = String(++this.#cseq);
    const answered = new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method} ${url}: no answer`)), 15_000);
      this.#waiting.set(cseq, (response) => {
        clearTimeout(timer);
        if (response.status >= 300) {
          reject(new Error(`${method} ${url}: ${response.status} ${response.reason}`));
        } else resolve(response);
      });
    });
    return this.#send(method, url, headers, cseq).then(() => answered);
  }

  async #send(method: string, url: string, extra: Record<string, string>, cseq?: string) {
    const headers = new RtspHeaders({
      CSeq: cseq ?? String(++this.#cseq),
      "User-Agent": "rtsp-edge-relay-bench",
    });
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    if (this.#session) headers.set("Session", this.#session);
    const bytes = formatRequest({
      method,
      url,
      version: "RTSP/1.0",
      headers,
      body: new Uint8Array(),
    });
    for (let at = 0; at < bytes.length;) at += await this.#conn.write(bytes.subarray(at));
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        const at = performance.now();
        this.#parser.feed(buffer.subarray(0, n));
        for (let event = this.#parser.next(); event.kind !== "need-more";) {
          if (event.kind === "error") throw event.error;
          if (event.kind === "response") {
            const cseq = event.response.headers.get("CSeq") ?? "";
            this.#waiting.get(cseq)?.(event.response);
            this.#waiting.delete(cseq);
          } else if (event.kind === "interleaved" && event.channel === 0) {
            this.#rtp(event.payload, at);
          }
          event = this.#parser.next();
        }
      }
    } catch {
      // the connection ended; what was seen stays
    }
    this.#closed = true;
  }

  #rtp(bytes: Uint8Array, at: number): void {
    const packet = parseRtpPacket(bytes);
    if (!packet || packet.payload.length === 0) return;
    this.packets++;
    this.bytes += packet.payload.length;
    if (packet.timestamp !== this.#currentTimestamp) {
      this.#currentTimestamp = packet.timestamp;
      this.#current = undefined;
    }
    if (!this.#current) {
      const id = idOfPayload(packet.payload);
      if (id !== undefined && !this.frames.has(id)) {
        this.#current = { id, firstAt: at, lastAt: NaN };
        this.frames.set(id, this.#current);
      }
    }
    if (packet.marker) this.markers++;
    if (packet.marker && this.#current) {
      this.#current.lastAt = at;
      this.#current = undefined;
    }
  }
}
