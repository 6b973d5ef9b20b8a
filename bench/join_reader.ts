/**
 * The join benchmark's reader: a raw-socket RTSP client (DESCRIBE, SETUP interleaved on TCP, PLAY)
 * that sees every RTP and RTCP packet itself, to time one join.
 *
 * It notes when PLAY went out, when the first decodable access unit was complete (an IDR whose
 * packets all came, from its first to its marker, RFC 6184 §5.1), and the RTCP sender reports
 * (RFC 3550 §6.4.1). A sender report pairs a wall-clock time with an RTP time, so the capture time
 * of any RTP timestamp of the stream follows: `ntp + (rtp - srRtp) / 90 kHz`. Server and reader run
 * on one machine and share the wall clock, so arrival minus capture is how far behind live the
 * frame is.
 *
 * @module
 */

import { parseRtcpCompound, type RtcpSenderReport } from "../src/rtcp/parse.ts";
import { ntpToUnixMs } from "../src/rtcp/ntp.ts";
import { parseRtpPacket } from "../src/rtp/header.ts";
import { RtspHeaders } from "../src/rtsp/headers.ts";
import type { RtspResponse } from "../src/rtsp/message.ts";
import { RtspParser } from "../src/rtsp/parser.ts";
import { formatRequest } from "../src/rtsp/serialize.ts";
import { parseSdp, resolveControl } from "../src/sdp/parse.ts";
import { wallNow } from "./lines.ts";

/** What one join measured. */
export interface JoinResult {
  /** Milliseconds from sending PLAY to the first decodable access unit being complete. */
  firstFrameMs: number;
  /** The same from sending DESCRIBE: what a client that connects anew waits in all. */
  fromDescribeMs: number;
  /** Milliseconds from that access unit's capture (by the sender report) to its arrival. */
  behindMs: number;
  /** Access units that came before it and could not be decoded (no IDR yet). */
  skipped: number;
}

const NAL_IDR = 5;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;
const VIDEO_CLOCK_KHZ = 90;

/** Whether an RTP payload of RFC 6184 starts a NAL unit, and whether that unit is an IDR slice. */
function inspectPayload(payload: Uint8Array): { starts: boolean; idr: boolean } {
  const type = payload[0] & 0x1f;
  if (type === NAL_FU_A) {
    return { starts: (payload[1] & 0x80) !== 0, idr: (payload[1] & 0x1f) === NAL_IDR };
  }
  if (type === NAL_STAP_A) {
    let idr = false;
    for (let at = 1; at + 2 < payload.length;) {
      const size = (payload[at] << 8) | payload[at + 1];
      if ((payload[at + 2] & 0x1f) === NAL_IDR) idr = true;
      at += 2 + size;
    }
    return { starts: true, idr };
  }
  return { starts: true, idr: type === NAL_IDR };
}

/** One RTSP connection, reading until it is closed. */
export class JoinReader {
  #conn: Deno.TcpConn;
  #url: string;
  #parser = new RtspParser();
  #cseq = 0;
  #session: string | undefined;
  #waiting = new Map<string, (r: RtspResponse) => void>();
  #closed = false;
  // The access unit being received.
  #auTimestamp: number | undefined;
  #auComplete = true; // no gap so far, and it began at a NAL unit's start
  #auIdr = false;
  #lastSeq = -1;
  #skipped = 0;
  /** Wall ms when PLAY was sent. */
  playSentAt = NaN;
  /** When DESCRIBE went out (wall-aligned ms). */
  describeSentAt = NaN;
  /** The first decodable access unit: its RTP time and wall arrival time. */
  firstFrame: { rtp: number; at: number; skipped: number } | undefined;
  /** The latest sender report. */
  senderReport: RtcpSenderReport | undefined;
  #onProgress: (() => void) | undefined;

  private constructor(conn: Deno.TcpConn, url: string) {
    this.#conn = conn;
    this.#url = url;
    this.#read();
  }

  /** Connects to `url`'s host and port. */
  static async connect(url: string): Promise<JoinReader> {
    const u = new URL(url);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 554) });
    conn.setNoDelay(true);
    return new JoinReader(conn, url);
  }

  /** DESCRIBE, SETUP on interleaved channels 0-1, and PLAY; notes when PLAY went out. */
  async play(): Promise<void> {
    this.describeSentAt = wallNow();
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
    this.playSentAt = wallNow();
    await this.#request("PLAY", base, { Range: "npt=0.000-" });
  }

  /** Resolves once the first decodable frame and a sender report have come, or after `ms`. */
  async measured(ms: number): Promise<JoinResult | undefined> {
    const deadline = wallNow() + ms;
    while (!(this.firstFrame && this.senderReport) && !this.#closed && wallNow() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - wallNow()));
        this.#onProgress = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const frame = this.firstFrame;
    const sr = this.senderReport;
    if (!frame || !sr) return undefined;
    const capture = ntpToUnixMs(sr.ntp) + ((frame.rtp - sr.rtpTimestamp) | 0) / VIDEO_CLOCK_KHZ;
    return {
      firstFrameMs: frame.at - this.playSentAt,
      fromDescribeMs: frame.at - this.describeSentAt,
      behindMs: frame.at - capture,
      skipped: frame.skipped,
    };
  }

  /** Sends TEARDOWN and closes the connection. */
  async close(): Promise<void> {
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
      const timer = setTimeout(() => reject(new Error(`${method} ${url}: no answer`)), 10_000);
      this.#waiting.set(cseq, (response) => {
        clearTimeout(timer);
        if (response.status >= 300) {
          reject(new Error(`${method} ${url}: ${response.status} ${response.reason}`));
        } else resolve(response);
      });
    });
    return this.#send(method, url, headers, cseq).then(() => answered);
  }

  async #send(method: string, url: string, extra: Record<string, string>, cseq = "0") {
    const headers = new RtspHeaders({ CSeq: cseq, "User-Agent": "rtsp-edge-join-bench" });
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
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#parser.feed(buffer.subarray(0, n));
        for (let event = this.#parser.next(); event.kind !== "need-more";) {
          if (event.kind === "error") throw event.error;
          if (event.kind === "response") {
            const cseq = event.response.headers.get("CSeq") ?? "";
            this.#waiting.get(cseq)?.(event.response);
            this.#waiting.delete(cseq);
          } else if (event.kind === "interleaved") {
            if (event.channel === 0) this.#rtp(event.payload);
            else if (event.channel === 1) this.#rtcp(event.payload);
          }
          event = this.#parser.next();
        }
      }
    } catch {
      // the connection ended; what was measured stays
    }
    this.#closed = true;
    this.#onProgress?.();
  }

  #rtcp(bytes: Uint8Array): void {
    const sr = parseRtcpCompound(bytes)?.find((p) => p.type === "sr");
    if (!sr) return;
    this.senderReport = sr;
    this.#onProgress?.();
  }

  #rtp(bytes: Uint8Array): void {
    const packet = parseRtpPacket(bytes);
    if (!packet || packet.payload.length === 0 || this.firstFrame) return;
    const seq = packet.sequenceNumber;
    const gap = this.#lastSeq >= 0 && seq !== ((this.#lastSeq + 1) & 0xffff);
    this.#lastSeq = seq;
    const { starts, idr } = inspectPayload(packet.payload);
    if (packet.timestamp !== this.#auTimestamp) {
      if (this.#auTimestamp !== undefined) this.#skipped++; // ended without its marker
      this.#auTimestamp = packet.timestamp;
      this.#auComplete = starts;
      this.#auIdr = false;
    } else if (gap) {
      this.#auComplete = false;
    }
    this.#auIdr ||= idr;
    if (!packet.marker) return;
    if (this.#auComplete && this.#auIdr) {
      this.firstFrame = { rtp: packet.timestamp, at: wallNow(), skipped: this.#skipped };
      this.#onProgress?.();
    } else {
      this.#skipped++;
    }
    this.#auTimestamp = undefined;
  }
}
