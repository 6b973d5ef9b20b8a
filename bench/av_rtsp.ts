/**
 * The raw RTSP ends of `bench:av`'s latency figure: a publisher that ANNOUNCEs H.264 (parameter
 * sets in the SDP) and 8 kHz PCMA and RECORDs over interleaved TCP, and a reader of the audio track
 * alone over TCP or UDP. Each audio packet carries its index in its first four payload bytes, so
 * the reader can say when the packet sent at a known instant arrived. Built on `node:net` and the
 * project's own RTSP parser, so nothing between the two ends but the server is measured.
 *
 * @module
 */

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { RtspParser } from "../src/rtsp/parser.ts";
import type { RtspResponse } from "../src/rtsp/message.ts";
import { encodeBase64 } from "../src/sdp/base64.ts";

const SPS = Uint8Array.from([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11]);
const PPS = Uint8Array.from([0x68, 0xcb, 0x83, 0xcb, 0x20]);

/** One RTSP connection that sends requests and reads responses and interleaved frames. */
class Connection {
  #socket: Socket;
  #parser = new RtspParser({ body: 1 << 20 });
  #cseq = 1;
  #waiting: ((r: RtspResponse) => void)[] = [];
  onInterleaved: (channel: number, payload: Uint8Array) => void = () => {};

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#parser.feed(chunk);
      for (
        let event = this.#parser.next();
        event.kind !== "need-more";
        event = this.#parser.next()
      ) {
        if (event.kind === "response") this.#waiting.shift()?.(event.response);
        else if (event.kind === "interleaved") this.onInterleaved(event.channel, event.payload);
        else if (event.kind === "error") throw new Error(`RTSP from the server: ${event.error}`);
      }
    });
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port }, () => resolve(new Connection(socket)));
      socket.setNoDelay(true);
      socket.once("error", reject);
    });
  }

  request(method: string, url: string, headers: Record<string, string> = {}, body = "") {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${this.#cseq++}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body) lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
    const done = new Promise<RtspResponse>((resolve) => this.#waiting.push(resolve));
    this.#socket.write(lines.join("\r\n") + "\r\n\r\n" + body);
    return done;
  }

  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  close(): void {
    this.#socket.destroy();
  }
}

function sessionOf(r: RtspResponse): string {
  const value = r.headers.get("Session");
  if (r.status !== 200 || !value) throw new Error(`RTSP ${r.status}`);
  return value.split(";")[0];
}

/** A publisher of H.264 (SDP parameter sets, one IDR) and PCMA, 20 ms a packet. */
export class AvPublisher {
  #conn: Connection;
  #seq = 0;
  private constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** ANNOUNCE, SETUP of both tracks, RECORD, and one IDR so the path is ready. */
  static async start(port: number, path: string): Promise<AvPublisher> {
    const url = `rtsp://127.0.0.1:${port}${path}`;
    const conn = await Connection.open(port);
    const sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=av\r\nt=0 0\r\n" +
      "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
      `a=fmtp:96 packetization-mode=1;sprop-parameter-sets=${encodeBase64(SPS)},${
        encodeBase64(PPS)
      }\r\na=control:trackID=0\r\n` +
      "m=audio 0 RTP/AVP 8\r\na=control:trackID=1\r\n";
    const announce = await conn.request(
      "ANNOUNCE",
      url,
      { "Content-Type": "application/sdp" },
      sdp,
    );
    if (announce.status !== 200) throw new Error(`ANNOUNCE ${announce.status}`);
    const session = sessionOf(
      await conn.request("SETUP", `${url}/trackID=0`, {
        Transport: "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
      }),
    );
    sessionOf(
      await conn.request("SETUP", `${url}/trackID=1`, {
        Session: session,
        Transport: "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
      }),
    );
    sessionOf(await conn.request("RECORD", url, { Session: session }));
    const publisher = new AvPublisher(conn);
    publisher.#send(0, 96, 0, true, Uint8Array.from([0x65, 0x88, 0x84, 0x00, 0x10]));
    return publisher;
  }

  /** Sends audio packet `index` (160 PCMA bytes, the index in the first four). */
  sendAudio(index: number): void {
    const payload = new Uint8Array(160).fill(0xd5);
    new DataView(payload.buffer).setUint32(0, index);
    this.#send(2, 8, index * 160, false, payload);
  }

  #send(channel: number, pt: number, ts: number, marker: boolean, payload: Uint8Array): void {
    const packet = new Uint8Array(4 + 12 + payload.length);
    const view = new DataView(packet.buffer);
    packet[0] = 0x24;
    packet[1] = channel;
    view.setUint16(2, 12 + payload.length);
    packet[4] = 0x80;
    packet[5] = (marker ? 0x80 : 0) | pt;
    view.setUint16(6, this.#seq++ & 0xffff);
    view.setUint32(8, ts >>> 0);
    view.setUint32(12, channel === 0 ? 0x1111 : 0x2222);
    packet.set(payload, 16);
    this.#conn.write(packet);
  }

  close(): void {
    this.#conn.close();
  }
}

/** A reader of the audio track alone; `onPacket` gets each packet's index. */
export class AudioReader {
  #conn: Connection;
  #udp: UdpSocket | undefined;
  private constructor(conn: Connection, udp: UdpSocket | undefined) {
    this.#conn = conn;
    this.#udp = udp;
  }

  static async start(
    port: number,
    path: string,
    transport: "tcp" | "udp",
    onPacket: (index: number) => void,
  ): Promise<AudioReader> {
    const url = `rtsp://127.0.0.1:${port}${path}`;
    const conn = await Connection.open(port);
    const take = (packet: Uint8Array) => {
      if (packet.length >= 16) {
        onPacket(new DataView(packet.buffer, packet.byteOffset).getUint32(12));
      }
    };
    let udp: UdpSocket | undefined;
    let spec = "RTP/AVP/TCP;unicast;interleaved=0-1";
    if (transport === "udp") {
      udp = await bindEven();
      udp.on("message", (m: Uint8Array) => take(m));
      const p = udp.address().port;
      spec = `RTP/AVP;unicast;client_port=${p}-${p + 1}`;
    } else {
      conn.onInterleaved = (channel, payload) => channel === 0 && take(payload);
    }
    const session = sessionOf(await conn.request("SETUP", `${url}/trackID=1`, { Transport: spec }));
    sessionOf(await conn.request("PLAY", url, { Session: session }));
    return new AudioReader(conn, udp);
  }

  close(): void {
    this.#conn.close();
    this.#udp?.close();
  }
}

/** A UDP socket on an even port (RFC 3550 §11), with the odd one after it free. */
async function bindEven(): Promise<UdpSocket> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 20000);
    const socket = createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => {
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) return socket;
    socket.close();
  }
  throw new Error("no free even UDP port");
}
