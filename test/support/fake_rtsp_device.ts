/**
 * A small scripted RTSP server for testing rtsp-edge's pull client against the devices it meets:
 * each option turns on one quirk of a real camera or ESP32 firmware, or one hostile behaviour. It
 * sends real media: the H.264 test clip packetized by the project's own packetizer (RFC 6184), or
 * RTP/JPEG (RFC 2435) of a test picture. Loopback only; `node:net` and `node:dgram`.
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as net from "node:net";
import { splitAccessUnits } from "../../src/codec/access_unit.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { JpegPacketizer } from "../../src/rtp/jpeg_packetizer.ts";
import type { PacketList } from "../../src/rtp/packet_list.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import type { RtspRequest } from "../../src/rtsp/message.ts";
import { encodeBase64 } from "../../src/sdp/base64.ts";
import { digestHa1, digestResponse } from "../../src/auth/digest.ts";

const H264_CLIP = new URL("../testdata/codec/x264_baseline_160x90_29.97fps.h264", import.meta.url);
const JPEG_PICTURE = new URL("../testdata/mjpeg/yuv420_99x75.jpg", import.meta.url);
const enc = new TextEncoder();

/** One behaviour per option; everything off is a well-behaved camera. */
export interface FakeDeviceOptions {
  /** What it streams. Default "h264". */
  codec?: "h264" | "jpeg";
  /** Address to listen on (any 127.x.y.z). Default 127.0.0.1. */
  hostname?: string;
  /** Lower transports it accepts; SETUP of another is answered 461. Default both. */
  transports?: ("udp" | "tcp")[];
  /** The Session header value of SETUP replies. Default `"5A3C91D2;timeout=60"`. */
  session?: string;
  /** Leave `a=control` out of the SDP (Micro-RTSP). */
  noControl?: boolean;
  /** Leave sprop-parameter-sets out of the SDP: SPS/PPS come only in band. */
  noSprop?: boolean;
  /** Content-Base value; `null` sends none. Default the request URL with a trailing `/`. */
  contentBase?: string | null;
  /** The OPTIONS `Public` header. Default with GET_PARAMETER. */
  public?: string;
  /** UDP: the SETUP reply says `source=127.0.0.1;destination=127.0.0.1` (ESP32-RTSPServer). */
  lyingSource?: boolean;
  /** UDP: send media from a port other than the `server_port` announced. */
  otherSourcePort?: boolean;
  /** UDP: accept the session but never send a packet (a firewall in between). */
  udpSilent?: boolean;
  /** Never answer TEARDOWN. */
  ignoreTeardown?: boolean;
  /** Close the connection right after answering TEARDOWN. */
  closeAfterTeardown?: boolean;
  /** Answer GET_PARAMETER and PAUSE with 400 and the CSeq of the request before (ESP32). */
  staleCseq400?: boolean;
  /** Answer DESCRIBE 404 without the blank line that ends the response, then stay silent. */
  describe404Unterminated?: boolean;
  /** Close any connection while one is open (single-client devices). */
  singleClient?: boolean;
  /** H.264 packets carry Annex B start codes (leading and inside), as some ESP32 firmwares. */
  startCodes?: boolean;
  /** Require a user and password. */
  auth?: { scheme: "digest" | "basic"; username: string; password: string };
  /** Misbehave. */
  hostile?:
    | "never-answer"
    | "endless-headers"
    | "endless-line"
    | "huge-sdp"
    | "garbage-rtp"
    | "close-after-play"
    | "unsolicited-frames";
  /** Frames per second sent. Default 25. */
  fps?: number;
  /**
   * An audio section after the video (`trackID=1`): `pcma` is set up but sends nothing (the
   * client's SETUP is what is looked at), `pcma-404` answers its SETUP 404, `g726` is a codec no
   * one carries. Default none.
   */
  audio?: "pcma" | "pcma-404" | "g726";
}

/** A request as the device saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** A running fake device. */
export class FakeRtspDevice {
  /** Connections accepted so far (refused ones included). */
  connections = 0;
  /** Connections refused because one was open (`singleClient`). */
  refused = 0;
  /** Every request received, in order. */
  readonly requests: SeenRequest[] = [];
  /** RTCP packets received (receiver reports). */
  rtcpReceived = 0;
  readonly #options: FakeDeviceOptions;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #timers = new Set<ReturnType<typeof setInterval>>();
  readonly #udp: dgram.Socket[] = [];
  #port = 0;

  private constructor(options: FakeDeviceOptions) {
    this.#options = options;
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** Starts a device listening on a free port. */
  static async start(options: FakeDeviceOptions = {}): Promise<FakeRtspDevice> {
    const device = new FakeRtspDevice(options);
    await new Promise<void>((resolve) =>
      device.#server.listen(0, options.hostname ?? "127.0.0.1", resolve)
    );
    device.#port = (device.#server.address() as net.AddressInfo).port;
    return device;
  }

  /** `rtsp://host:port/live`, optionally with `user:pass@`. */
  url(userinfo?: string): string {
    const host = this.#options.hostname ?? "127.0.0.1";
    return `rtsp://${userinfo ? `${userinfo}@` : ""}${host}:${this.#port}/live`;
  }

  /** Methods received, in order. */
  get methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  /** Stops everything. */
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    for (const s of this.#sockets) s.destroy();
    for (const u of this.#udp) {
      try {
        u.close();
      } catch {
        // closed
      }
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    this.connections++;
    socket.on("error", () => {});
    if (this.#options.singleClient && this.#sockets.size > 0) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    const conn = new DeviceConnection(this, this.#options, socket, this.#port);
    const gone = () => {
      this.#sockets.delete(socket);
      conn.stop();
    };
    socket.on("end", gone);
    socket.on("close", gone);
  }

  /** @internal */
  track(timer: ReturnType<typeof setInterval>): void {
    this.#timers.add(timer);
  }

  /** @internal */
  untrack(timer: ReturnType<typeof setInterval>): void {
    clearInterval(timer);
    this.#timers.delete(timer);
  }

  /** @internal */
  keepUdp(socket: dgram.Socket): void {
    this.#udp.push(socket);
  }
}

class DeviceConnection {
  readonly #device: FakeRtspDevice;
  readonly #o: FakeDeviceOptions;
  readonly #socket: net.Socket;
  readonly #port: number;
  readonly #parser = new RtspParser();
  #lastCseq = "0";
  #transport:
    | { kind: "udp"; ports: [number, number] }
    | { kind: "tcp"; channels: [number, number] }
    | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #udpOut: dgram.Socket | undefined;
  #udpRtcp: dgram.Socket | undefined;
  #serverPorts: [number, number] = [0, 0];
  #nonce = "n" + Math.random().toString(16).slice(2);

  constructor(device: FakeRtspDevice, o: FakeDeviceOptions, socket: net.Socket, port: number) {
    this.#device = device;
    this.#o = o;
    this.#socket = socket;
    this.#port = port;
    socket.on("data", (chunk: Uint8Array) => this.#data(chunk));
  }

  stop(): void {
    if (this.#timer) this.#device.untrack(this.#timer);
    this.#timer = undefined;
  }

  #data(chunk: Uint8Array): void {
    this.#parser.feed(chunk);
    for (;;) {
      const e = this.#parser.next();
      if (e.kind === "need-more") return;
      if (e.kind === "error") {
        this.#socket.destroy();
        return;
      }
      if (e.kind === "interleaved") {
        this.#device.rtcpReceived++;
        continue;
      }
      if (e.kind === "request") void this.#request(e.request);
    }
  }

  async #request(req: RtspRequest): Promise<void> {
    const o = this.#o;
    const headers: Record<string, string> = {};
    for (const [name, value] of req.headers) headers[name.toLowerCase()] = value;
    this.#device.requests.push({ method: req.method, url: req.url, headers });
    const cseq = headers["cseq"] ?? "0";
    const stale = this.#lastCseq;
    this.#lastCseq = cseq;
    if (o.hostile === "never-answer") return;
    if (o.auth && !this.#authorized(req.method, headers["authorization"])) {
      const challenge = o.auth.scheme === "digest"
        ? `Digest realm="fake", nonce="${this.#nonce}"`
        : `Basic realm="fake"`;
      return this.#reply(401, "Unauthorized", cseq, { "WWW-Authenticate": challenge });
    }
    switch (req.method) {
      case "OPTIONS":
        return this.#reply(200, "OK", cseq, {
          Public: o.public ?? "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER",
        });
      case "DESCRIBE":
        return this.#describe(req, cseq);
      case "SETUP":
        if (o.audio && /trackID=1$/.test(req.url)) return this.#setupAudio(headers, cseq);
        return await this.#setup(headers, cseq);
      case "PLAY":
        this.#reply(200, "OK", cseq, { Session: this.#o.session ?? "5A3C91D2;timeout=60" });
        if (o.hostile === "close-after-play") {
          setTimeout(() => this.#socket.destroy(), 300);
        }
        return this.#play();
      case "GET_PARAMETER":
      case "PAUSE":
        if (o.staleCseq400) return this.#reply(400, "Bad Request", stale);
        return this.#reply(200, "OK", cseq);
      case "TEARDOWN":
        this.stop();
        if (o.ignoreTeardown) return;
        this.#reply(200, "OK", cseq);
        if (o.closeAfterTeardown) this.#socket.end();
        return;
      default:
        return this.#reply(501, "Not Implemented", cseq);
    }
  }

  #authorized(method: string, header: string | undefined): boolean {
    const auth = this.#o.auth!;
    if (header === undefined) return false;
    if (auth.scheme === "basic") {
      return header === `Basic ${btoa(`${auth.username}:${auth.password}`)}`;
    }
    const p = Object.fromEntries(
      [...header.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]),
    );
    const expected = digestResponse({
      ha1: digestHa1(auth.username, "fake", auth.password),
      method,
      uri: p.uri,
      nonce: this.#nonce,
    });
    return p.username === auth.username && p.response === expected;
  }

  #describe(req: RtspRequest, cseq: string): void {
    const o = this.#o;
    if (o.describe404Unterminated) {
      this.#socket.write(`RTSP/1.0 404 Not Found\r\nCSeq: ${cseq}\r\n`);
      return;
    }
    if (o.hostile === "endless-headers") {
      let n = 0;
      this.#socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n`);
      const t = setInterval(() => {
        if (this.#socket.destroyed) return this.#device.untrack(t);
        let chunk = "";
        for (let i = 0; i < 50; i++) chunk += `X-Filler-${n++}: ${"y".repeat(40)}\r\n`;
        this.#socket.write(chunk);
      }, 5);
      this.#device.track(t);
      return;
    }
    if (o.hostile === "endless-line") {
      this.#socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nX-Long: `);
      const t = setInterval(() => {
        if (this.#socket.destroyed) return this.#device.untrack(t);
        this.#socket.write("z".repeat(8192));
      }, 5);
      this.#device.track(t);
      return;
    }
    const base = o.contentBase === undefined ? `${req.url.replace(/\/$/, "")}/` : o.contentBase;
    const extra: Record<string, string> = { "Content-Type": "application/sdp" };
    if (base !== null) extra["Content-Base"] = base;
    let sdp = this.#sdp();
    if (o.hostile === "huge-sdp") sdp += `a=x-junk:${"j".repeat(300 * 1024)}\r\n`;
    this.#reply(200, "OK", cseq, extra, sdp);
  }

  #sdp(): string {
    const o = this.#o;
    const lines = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=Fake camera", "t=0 0"];
    if (!o.noControl) lines.push("a=control:*");
    if (o.codec === "jpeg") {
      // Micro-RTSP: static payload type 26 and no rtpmap.
      lines.push("m=video 0 RTP/AVP 26", "c=IN IP4 0.0.0.0");
    } else {
      lines.push("m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000");
      const { sps, pps } = clip().parameterSets;
      lines.push(
        o.noSprop ? "a=fmtp:96 packetization-mode=1" : `a=fmtp:96 packetization-mode=1;` +
          `sprop-parameter-sets=${encodeBase64(sps)},${encodeBase64(pps)}`,
      );
    }
    lines.push(`a=framerate:${o.fps ?? 25}`);
    if (!o.noControl) lines.push("a=control:trackID=0");
    if (o.audio === "g726") lines.push("m=audio 0 RTP/AVP 97", "a=rtpmap:97 G726-32/8000");
    else if (o.audio) lines.push("m=audio 0 RTP/AVP 8");
    if (o.audio && !o.noControl) lines.push("a=control:trackID=1");
    return lines.join("\r\n") + "\r\n";
  }

  /** SETUP of the audio track: answered as asked, or 404; nothing is sent on it. */
  #setupAudio(headers: Record<string, string>, cseq: string): void {
    if (this.#o.audio === "pcma-404") return this.#reply(404, "Not Found", cseq);
    const t = headers["transport"] ?? "";
    const ports = /client_port=(\d+)-(\d+)/.exec(t);
    const [rtp, rtcp] = this.#serverPorts; // the video's: receiver reports are counted there
    this.#reply(200, "OK", cseq, {
      Session: this.#o.session ?? "5A3C91D2;timeout=60",
      Transport: ports
        ? `RTP/AVP;unicast;client_port=${ports[1]}-${ports[2]};server_port=${rtp}-${rtcp}`
        : `RTP/AVP/TCP;unicast;${/interleaved=\d+-\d+/.exec(t)?.[0] ?? "interleaved=2-3"}`,
    });
  }

  async #setup(headers: Record<string, string>, cseq: string): Promise<void> {
    const o = this.#o;
    const t = headers["transport"] ?? "";
    const tcp = /RTP\/AVP\/TCP/i.test(t);
    const allowed = o.transports ?? ["udp", "tcp"];
    if (!allowed.includes(tcp ? "tcp" : "udp")) {
      return this.#reply(461, "Unsupported Transport", cseq);
    }
    const session = o.session ?? "5A3C91D2;timeout=60";
    if (tcp) {
      const m = /interleaved=(\d+)-(\d+)/.exec(t);
      const channels: [number, number] = m ? [Number(m[1]), Number(m[2])] : [0, 1];
      this.#transport = { kind: "tcp", channels };
      return this.#reply(200, "OK", cseq, {
        Session: session,
        Transport: `RTP/AVP/TCP;unicast;interleaved=${channels[0]}-${channels[1]}`,
      });
    }
    const m = /client_port=(\d+)-(\d+)/.exec(t)!;
    this.#transport = { kind: "udp", ports: [Number(m[1]), Number(m[2])] };
    const host = o.hostname ?? "127.0.0.1";
    this.#udpRtcp = await bindUdp(host, 0);
    this.#udpRtcp.on("message", () => this.#device.rtcpReceived++);
    this.#udpOut = await bindUdp(host, 0);
    const out = this.#udpOut.address().port;
    // The announced pair: the real one, or one packets will never come from.
    this.#serverPorts = o.otherSourcePort ? [out + 2, this.#udpRtcp.address().port] : [
      out,
      this.#udpRtcp.address().port,
    ];
    this.#device.keepUdp(this.#udpOut);
    this.#device.keepUdp(this.#udpRtcp);
    const lies = o.lyingSource ? ";source=127.0.0.1;destination=127.0.0.1" : "";
    this.#reply(200, "OK", cseq, {
      Session: session,
      Transport: `RTP/AVP;unicast;client_port=${m[1]}-${m[2]}` +
        `;server_port=${this.#serverPorts[0]}-${this.#serverPorts[1]}${lies}`,
    });
  }

  #play(): void {
    const o = this.#o;
    if (!this.#transport || (this.#transport.kind === "udp" && o.udpSilent)) return;
    const fps = o.fps ?? 25;
    const step = Math.round(90000 / fps);
    let ts = 0xffffffff - 5 * step; // wraps after a few frames
    let index = 0;
    const send = o.codec === "jpeg" ? this.#jpegSender() : this.#h264Sender();
    if (o.hostile === "unsolicited-frames" && this.#transport.kind === "tcp") {
      // frames on a channel nobody set up
      this.#socket.write(new Uint8Array([0x24, 7, 0, 3, 1, 2, 3]));
    }
    const tick = () => {
      if (this.#socket.destroyed) return this.stop();
      send(index++, ts);
      ts = (ts + step) >>> 0;
    };
    tick();
    this.#timer = setInterval(tick, 1000 / fps);
    this.#device.track(this.#timer);
  }

  #h264Sender(): (index: number, ts: number) => void {
    const packetizer = new H264Packetizer({
      payloadType: 96,
      ssrc: 0x1234abcd,
      initialSequence: 65530,
      maxPayloadSize: 1200,
    });
    const units = clip().accessUnits;
    return (index, ts) => {
      let nals = units[index % units.length];
      if (this.#o.startCodes) {
        // The whole access unit as one Annex B blob behind the first NAL header.
        const parts: number[] = [];
        nals.forEach((n, i) => {
          if (i > 0) parts.push(0, 0, 0, 1);
          parts.push(...n);
        });
        nals = [Uint8Array.from(parts)];
      }
      this.#sendPackets(packetizer.packetize(nals, ts));
    };
  }

  #jpegSender(): (index: number, ts: number) => void {
    const packetizer = new JpegPacketizer({ ssrc: 0x55aa55aa, initialSequence: 100 });
    const pictures = jpegs();
    return (index, ts) =>
      this.#sendPackets(packetizer.packetize(pictures[index % pictures.length], ts));
  }

  #sendPackets(list: PacketList): void {
    const garbage = this.#o.hostile === "garbage-rtp";
    for (let packet of list.packets()) {
      if (this.#o.startCodes && (packet[12] & 0x1f) < 24) {
        // A leading start code in front of a single NAL unit packet.
        const p = new Uint8Array(packet.length + 4);
        p.set(packet.subarray(0, 12));
        p.set([0, 0, 0, 1], 12);
        p.set(packet.subarray(12), 16);
        packet = p;
      }
      if (garbage) {
        this.#sendOne(new Uint8Array([1, 2, 3]));
        this.#sendOne(new Uint8Array([0x40, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])); // version 1
        this.#sendOne(Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff));
      }
      this.#sendOne(packet);
    }
  }

  #sendOne(packet: Uint8Array): void {
    const t = this.#transport!;
    if (t.kind === "tcp") {
      const framed = new Uint8Array(4 + packet.length);
      framed.set([0x24, t.channels[0], packet.length >> 8, packet.length & 0xff]);
      framed.set(packet, 4);
      this.#socket.write(framed);
    } else {
      const peer = this.#socket.remoteAddress!.replace(/^::ffff:/, "");
      this.#udpOut?.send(packet, t.ports[0], peer);
    }
  }

  #reply(
    status: number,
    reason: string,
    cseq: string,
    headers: Record<string, string> = {},
    body = "",
  ): void {
    if (this.#socket.destroyed) return;
    let text = `RTSP/1.0 ${status} ${reason}\r\nCSeq: ${cseq}\r\n`;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    const bytes = enc.encode(body);
    if (bytes.length > 0) text += `Content-Length: ${bytes.length}\r\n`;
    this.#socket.write(enc.encode(text + "\r\n"));
    if (bytes.length > 0) this.#socket.write(bytes);
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.once("error", reject);
    s.bind(port, host, () => {
      s.off("error", reject);
      s.on("error", () => {});
      resolve(s);
    });
  });
}

interface H264Clip {
  accessUnits: Uint8Array[][];
  parameterSets: { sps: Uint8Array; pps: Uint8Array };
}

let h264: H264Clip | undefined;

/** The H.264 test clip: access units (NAL units without start codes) and its SPS/PPS. */
export function clip(): H264Clip {
  if (h264) return h264;
  const units = splitAccessUnits(Deno.readFileSync(H264_CLIP)).map((au) => au.nalUnits);
  const all = units.flat();
  const sps = all.find((n) => (n[0] & 0x1f) === 7)!;
  const pps = all.find((n) => (n[0] & 0x1f) === 8)!;
  h264 = { accessUnits: units, parameterSets: { sps, pps } };
  return h264;
}

let pictures: Uint8Array[] | undefined;

/** Pictures RTP/JPEG can carry (standard Huffman tables, 4:2:0). */
export function jpegs(): Uint8Array[] {
  pictures ??= [Deno.readFileSync(JPEG_PICTURE)];
  return pictures;
}
