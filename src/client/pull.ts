/**
 * rtsp-edge as an RTSP client that pulls one video track, and the first audio track it can carry,
 * from a camera or another server (RFC 2326): OPTIONS, DESCRIBE, SETUP of each track, PLAY,
 * keepalives, TEARDOWN. Media comes over UDP, interleaved TCP (§10.12) or, for `auto`, UDP with a
 * fall back to TCP as gortsplib does. The audio is timed on the video's clock through the server's
 * sender reports.
 *
 * Built to hold on to devices that bend the rules (each bend is named where it is tolerated) and
 * to survive ones that are hostile: every deadline is bounded, every buffer capped, and nothing a
 * server sends can throw out of here. Failures are a {@link PullError} or a log line.
 *
 * @module
 */

import { checkSessionOptions, serverUrl } from "./server_url.ts";
import { systemClock } from "../base/clock.ts";
import { type Logger, silentLogger, throttledLog } from "../base/log.ts";
import { type ConnectError, connectTcp } from "../runtime/connect.ts";
import { defaultNetwork } from "../runtime/default_network.ts";
import type { NetAddress } from "../runtime/net.ts";
import { buildReceiverReport } from "../rtcp/receiver_report.ts";
import { parseRtcpCompound } from "../rtcp/parse.ts";
import type { RtspResponse } from "../rtsp/message.ts";
import { parseSessionHeader } from "../rtsp/session_header.ts";
import { printable } from "../rtsp/syntax.ts";
import { parseTransport, type TransportSpec } from "../rtsp/transport.ts";
import { parseRtspUrl, type RtspUrl, stripCredentials } from "../rtsp/url.ts";
import { parseSdp, SdpError } from "../sdp/parse.ts";
import { type AudioFormat, describeAudioFormat } from "../codec/audio_format.ts";
import { AudioReceiver } from "../rtcp/audio_receiver.ts";
import type { Credentials } from "./auth.ts";
import { ChannelError, RtspChannel } from "./channel.ts";
import { type ReceiverStats, VideoReceiver } from "./media.ts";
import type { LossReport } from "../rtp/sequence.ts";
import { interleaved } from "../rtp/packet_list.ts";
import { chooseAudio, chooseTrack, type ChosenAudio, type ChosenTrack } from "./track.ts";
import { bindUdpPair, plainAddress, type UdpPair } from "./udp.ts";

/** How media should travel: `auto` tries UDP first and falls back to interleaved TCP. */
export type RtspTransportChoice = "auto" | "tcp" | "udp";

/** What to pull, and how. */
export interface PullOptions {
  /** `rtsp://` or `rtsps://` URL; `user:pass@` in it answers a 401 (Digest or Basic). */
  url: string;
  /** How media travels. rtsps:// always uses interleaved TCP inside the TLS connection. */
  transport: RtspTransportChoice;
  /** Where the session's events go; silent when absent. Never given credentials. */
  logger?: Logger;
  /** Check the server's TLS certificate (rtsps://). Default false: cameras use self-signed ones. */
  tlsVerify?: boolean;
  /** Deadline for each response and for media silence, ms. Default 10 000. */
  timeoutMs?: number;
}

/** The pulled track, as the SDP describes it. */
export type PulledMedia =
  | { codec: "h264"; parameterSets?: { sps: Uint8Array; pps: Uint8Array }; framerate?: number }
  | { codec: "jpeg"; framerate?: number };

/** Where pulled media goes. A method that throws is logged; the session carries on. */
export interface PullSink {
  /** One H.264 access unit: NAL units without start codes, time in µs from RTP timestamps. */
  accessUnit(nalUnits: Uint8Array[], timestampUs: number): void;
  /** One whole JPEG picture (RFC 2435 rebuilt into JFIF). */
  jpeg(frame: Uint8Array, timestampUs: number): void;
  /**
   * One audio frame of the session's `audio` format (an AAC access unit, an Opus packet, G.711 or
   * big-endian L16 samples), timed on the clock of the video's frames. A sink without it is not
   * sent audio, and no audio track is set up for it.
   */
  audio?(frame: Uint8Array, timestampUs: number): void;
  /**
   * The session ended, called once: `error` says why when it was not `close()` (upstream gone,
   * media timeout, unreadable reply). Not called when `pullRtsp()` itself rejects.
   */
  closed(error: Error | undefined): void;
}

/** A playing pull session. */
export interface PullSession {
  /** The track being received. */
  readonly media: PulledMedia;
  /** The audio track being received beside it, if the server has one this client carries. */
  readonly audio: AudioFormat | undefined;
  /** How media travels. */
  readonly transport: "tcp" | "udp";
  /** Packet and frame counters, including packets dropped as garbage. */
  readonly stats: PullStats;
  /** TEARDOWN with a short bounded wait (devices that never answer it), then close. */
  close(): Promise<void>;
}

/** Counters of a {@link PullSession}. */
export interface PullStats extends ReceiverStats {
  /** Packets from elsewhere: UDP datagrams from another host, interleaved frames on other channels. */
  strayPackets: number;
  /** Audio frames handed on. */
  audioFrames: number;
  /** Audio packets dropped: not RTP, another payload type, or no frame came out of them. */
  droppedAudio: number;
}

/** A pull that failed: one line naming the URL (never its password) and what went wrong. */
export class PullError extends Error {
  /**
   * Builds the error.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PullError } from "./pull.ts";
   * const e = new PullError("rtsp://cam:554/live: DESCRIBE: 404 Not Found");
   * assert.equal(e.name, "PullError");
   * ```
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PullError";
  }
}

/** Wait for the first UDP packet after PLAY before falling back to TCP (gortsplib's 3 s). */
export const AUTO_UDP_WAIT_MS = 3000;
const RECEIVER_REPORT_MS = 5000;
const TEARDOWN_WAIT_MS = 2000;
const RECONNECT_PAUSE_MS = 250;
const DEFAULT_SESSION_TIMEOUT_S = 60; // RFC 2326 §12.37
const utf8 = new TextDecoder();

/**
 * Pulls the video track of `options.url` into `sink`. Resolves once media is on its way: after
 * PLAY's 200 for `tcp` and `udp`; for `auto`, once the first UDP packet came (or, failing that,
 * after PLAY's 200 over TCP), so `transport` never changes afterwards.
 *
 * @throws {TypeError} when `options.url` is not an rtsp:// or rtsps:// URL, or an option has the
 * wrong type.
 * @throws {RangeError} when `timeoutMs` is not a positive number.
 * @throws {PullError} (a rejection) when the session cannot be set up.
 *
 * @example
 * ```ts ignore
 * import { pullRtsp } from "./pull.ts";
 * const session = await pullRtsp({ url: "rtsp://admin:secret@cam/live", transport: "auto" }, {
 *   accessUnit: (nals, us) => console.log(nals.length, us),
 *   jpeg: () => {},
 *   closed: (error) => console.log("ended", error?.message),
 * });
 * await session.close();
 * ```
 */
export async function pullRtsp(options: PullOptions, sink: PullSink): Promise<PullSession> {
  const target = checkOptions(options, sink);
  const puller = new Puller(target, sink);
  await puller.start();
  return puller;
}

interface Target {
  /** The URL without credentials: sent in requests and named in errors. */
  url: string;
  parsed: RtspUrl;
  hostname: string;
  port: number;
  tls: boolean;
  tlsVerify: boolean;
  credentials?: Credentials;
  transport: RtspTransportChoice;
  timeoutMs: number;
  logger: Logger;
}

function checkOptions(options: PullOptions, sink: PullSink): Target {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("pullRtsp() needs an options object with url and transport");
  }
  const { transport } = options;
  const server = serverUrl(options.url);
  if (transport !== "auto" && transport !== "tcp" && transport !== "udp") {
    throw new TypeError(
      `transport must be "auto", "tcp" or "udp", got ${printable(String(transport))}`,
    );
  }
  const timeoutMs = checkSessionOptions(options, 10_000);
  for (const name of ["accessUnit", "jpeg", "closed"] as const) {
    if (typeof sink?.[name] !== "function") throw new TypeError(`the sink must have ${name}()`);
  }
  return {
    ...server,
    tlsVerify: options.tlsVerify ?? false,
    transport: server.tls ? "tcp" : transport,
    timeoutMs,
    logger: options.logger ?? silentLogger,
  };
}

type State = "starting" | "playing" | "closing" | "ended";

/** The audio track as set up: where its packets come from, and what receives them. */
interface AudioSetup {
  receiver: AudioReceiver;
  /** Interleaved RTP and RTCP channels, over TCP. */
  channels?: [number, number];
  /** Its own RTP/RTCP port pair, over UDP. */
  udp?: UdpPair;
  /** The server's RTCP port for the track, over UDP. */
  serverRtcpPort?: number;
}

class Puller implements PullSession {
  media: PulledMedia = { codec: "h264" };
  transport: "tcp" | "udp" = "tcp";
  audio: AudioFormat | undefined;

  readonly #target: Target;
  readonly #sink: PullSink;
  readonly #log: Logger;
  #state: State = "starting";
  #channel: RtspChannel | undefined;
  #serverAddress = "";
  #family: "IPv4" | "IPv6" = "IPv4";
  #publicMethods: string[] = [];
  #track: ChosenTrack | undefined;
  #receiver: VideoReceiver | undefined;
  #audioTrack: ChosenAudio | undefined;
  #audioSetup: AudioSetup | undefined;
  /** Arrival time (µs) minus frame time of the first video frame: arrival on the video's clock. */
  #videoAnchorUs: number | undefined;
  #refusedAudioLogged = false;
  #udp: UdpPair | undefined;
  #mediaOver: "tcp" | "udp" | undefined;
  #channels: [number, number] = [0, 1];
  #serverRtcpPort: number | undefined;
  #sessionTimeoutS = DEFAULT_SESSION_TIMEOUT_S;
  #keepaliveMethod = "OPTIONS";
  #stray = 0;
  #lastPacketAt = 0;
  #firstPacket: (() => void) | undefined;
  #lastSr = new Map<number, { middle: number; at: number }>();
  #rrSsrc = crypto.getRandomValues(new Uint32Array(1))[0];
  #timers: ReturnType<typeof setTimeout>[] = [];
  #closing: Promise<void> | undefined;
  readonly #sinkFailed: (fields?: Record<string, string>) => void;

  constructor(target: Target, sink: PullSink) {
    this.#target = target;
    this.#sink = sink;
    this.#log = target.logger;
    this.#sinkFailed = throttledLog(this.#log, "error", "pull: the sink threw");
  }

  get stats(): PullStats {
    const base = this.#receiver?.stats ??
      { packets: 0, badPackets: 0, frames: 0, droppedFrames: 0 };
    const audio = this.#audioSetup?.receiver.stats;
    return {
      ...base,
      strayPackets: this.#stray,
      audioFrames: audio?.frames ?? 0,
      droppedAudio: audio?.dropped ?? 0,
    };
  }

  async start(): Promise<void> {
    try {
      await this.#open();
      const choice = this.#target.transport;
      if (choice !== "auto") {
        await this.#setupAndPlay(choice, false);
      } else if (!await this.#setupAndPlay("udp", true)) {
        this.#log.log("info", "pull: UDP refused (461); using TCP", { url: this.#target.url });
        await this.#setupAndPlay("tcp", false);
      } else if (this.#mediaOver === "udp" && !await this.#firstUdpPacket()) {
        await this.#fallBackToTcp();
      }
      // The server may hang up right after PLAY (a single-client device busy elsewhere): that is
      // a failed start, not a session to report closed.
      if (this.#channel!.isClosed) throw this.#fail("connection closed by the server after PLAY");
    } catch (e) {
      this.#state = "ended";
      this.#release();
      throw e instanceof PullError ? e : new PullError(`${this.#target.url}: ${String(e)}`, {
        cause: e,
      });
    }
    this.transport = this.#mediaOver!;
    this.#state = "playing";
    this.#lastPacketAt = systemClock.now();
    this.#scheduleKeepalive();
    this.#watchMedia();
    // RFC 3550 §6.2: the first report after half the interval, then every interval. Servers that
    // reap silent UDP receivers (live555 counts RTCP as liveness) hear from us early.
    this.#after(RECEIVER_REPORT_MS / 2, () => {
      this.#sendReceiverReport();
      this.#every(RECEIVER_REPORT_MS, () => this.#sendReceiverReport());
    });
    this.audio = this.#audioSetup?.receiver.audio.format;
    this.#log.log("info", "pull: playing", {
      url: this.#target.url,
      transport: this.transport,
      codec: this.media.codec,
      ...(this.#audioSetup
        ? { audio: describeAudioFormat(this.#audioSetup.receiver.audio.format) }
        : {}),
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#state !== "playing") return;
    this.#state = "closing";
    this.#clearTimers();
    await this.#teardown();
    this.#end(undefined);
  }

  // ─── Setting up ──────────────────────────────────────────────────────────────────────────────

  /** Connects, then OPTIONS and DESCRIBE. */
  async #open(): Promise<void> {
    const t = this.#target;
    const channel = new RtspChannel(
      { timeoutMs: t.timeoutMs, logger: this.#log, credentials: t.credentials },
      {
        interleaved: (ch, payload) => this.#interleaved(ch, payload),
        closed: (error) => {
          if (channel === this.#channel && this.#state === "playing") {
            this.#end(new PullError(`${t.url}: ${error?.message ?? "connection closed"}`));
          }
        },
      },
    );
    this.#channel = channel;
    let connection;
    try {
      connection = await connectTcp({
        hostname: t.hostname,
        port: t.port,
        tls: t.tls ? { verify: t.tlsVerify } : undefined,
        timeoutMs: t.timeoutMs,
      }, channel.handler);
    } catch (e) {
      throw new PullError(`${t.url}: ${(e as ConnectError).message}`, { cause: e });
    }
    channel.attach(connection);
    this.#serverAddress = plainAddress(connection.remote.hostname);
    this.#family = connection.remote.family;

    // OPTIONS tells which keepalive the server takes. Its status is not held against it: some
    // cameras answer 401 or 404 here and serve DESCRIBE fine.
    const options = await this.#request("OPTIONS", t.url, {});
    if (options.status === 200) {
      this.#publicMethods = (options.headers.get("Public") ?? "").split(",").map((m) =>
        m.trim().toUpperCase()
      );
    }
    this.#keepaliveMethod = this.#publicMethods.includes("GET_PARAMETER")
      ? "GET_PARAMETER"
      : "OPTIONS";

    const describe = await this.#request("DESCRIBE", t.url, { Accept: "application/sdp" });
    this.#expectOk("DESCRIBE", describe);
    if (describe.body.length === 0) throw this.#fail("DESCRIBE: the reply holds no SDP");
    let sdp;
    try {
      sdp = parseSdp(utf8.decode(describe.body));
    } catch (e) {
      if (e instanceof SdpError) throw this.#fail(`DESCRIBE: ${e.message}`);
      throw e;
    }
    // RFC 2326 §C.1.1: relative controls resolve against Content-Base, else Content-Location,
    // else the request URL.
    const base = this.#ourOrigin(
      describe.headers.get("Content-Base") ?? describe.headers.get("Content-Location") ?? t.url,
    );
    const track = chooseTrack(sdp, base);
    if (typeof track === "string") {
      throw this.#fail(`DESCRIBE: no H.264 or JPEG video track in the SDP (found: ${track})`);
    }
    if (track.interleavedMode) {
      throw this.#fail("DESCRIBE: H.264 packetization-mode 2 (interleaved) is not supported");
    }
    track.setupUrl = this.#ourOrigin(track.setupUrl);
    track.aggregateUrl = this.#ourOrigin(track.aggregateUrl);
    this.#track = track;
    this.#chooseAudio(sdp, base);
    const media: PulledMedia = { codec: track.codec };
    if (media.codec === "h264" && track.parameterSets) media.parameterSets = track.parameterSets;
    if (track.framerate !== undefined) media.framerate = track.framerate;
    this.media = media;
  }

  /**
   * The first audio track this client carries, when the sink takes audio. Refused audio sections
   * are logged once a session, with why.
   */
  #chooseAudio(sdp: ReturnType<typeof parseSdp>, base: string): void {
    this.#audioTrack = undefined;
    if (typeof this.#sink.audio !== "function") return;
    const { chosen, refused } = chooseAudio(sdp, base);
    if (refused.length > 0 && !this.#refusedAudioLogged) {
      this.#refusedAudioLogged = true;
      this.#log.log("info", "pull: audio not carried", {
        url: this.#target.url,
        reason: printable(refused.join("; "), 300),
      });
    }
    if (!chosen) return;
    chosen.setupUrl = this.#ourOrigin(chosen.setupUrl);
    if (chosen.setupUrl === this.#track!.setupUrl) {
      this.#log.log("info", "pull: audio not carried", {
        url: this.#target.url,
        reason: "its control URL is the video's",
      });
      return;
    }
    this.#audioTrack = chosen;
  }

  /**
   * A URL the server gave (Content-Base, a control) with the scheme, host and port this client
   * connected to. ESP32-RTSPServer hard-codes `:554` in Content-Base whatever port it listens on,
   * and cameras behind NAT name their private address: requests go down this one connection
   * anyway, and the path is what the server matches. A URL that is not rtsp(s) is replaced.
   */
  #ourOrigin(url: string): string {
    const t = this.#target;
    const ours = `${t.tls ? "rtsps" : "rtsp"}://${t.parsed.host}${
      t.parsed.port === undefined ? "" : `:${t.parsed.port}`
    }`;
    const m = /^rtsps?:\/\/([^/?#]*)(.*)$/is.exec(stripCredentials(url));
    if (!m) return t.url;
    let same = false;
    try {
      const p = parseRtspUrl(m[0]) as RtspUrl;
      same = p.host.toLowerCase() === t.parsed.host.toLowerCase() &&
        (p.port ?? (p.scheme === "rtsps" ? 322 : 554)) === t.port;
    } catch {
      return t.url;
    }
    if (same) return m[0];
    this.#log.log("debug", "pull: the server names another origin; using ours", {
      url: t.url,
      named: printable(m[1], 100),
    });
    return ours + (m[2] || "/");
  }

  /**
   * SETUP of the track over `kind`, then PLAY. Returns false when `allow461` and the server
   * answered 461 Unsupported Transport (RFC 2326 §11.4.14).
   */
  async #setupAndPlay(kind: "tcp" | "udp", allow461: boolean): Promise<boolean> {
    const track = this.#track!;
    this.#receiver = new VideoReceiver(track, this.#videoSink());
    this.#videoAnchorUs = undefined;
    this.#audioSetup = undefined;
    let transport: string;
    if (kind === "udp") {
      const network = await defaultNetwork();
      try {
        this.#udp = await bindUdpPair(
          network,
          this.#family,
          (data, from) => this.#udpRtp(data, from),
          (data, from) => this.#udpRtcp(data, from),
        );
      } catch (e) {
        throw this.#fail(`SETUP: ${(e as Error).message}`);
      }
      transport = `RTP/AVP;unicast;client_port=${this.#udp.ports[0]}-${this.#udp.ports[1]}`;
    } else {
      transport = "RTP/AVP/TCP;unicast;interleaved=0-1";
    }
    const setup = await this.#request("SETUP", track.setupUrl, { Transport: transport });
    if (setup.status === 461 && allow461) {
      await this.#dropUdp();
      return false;
    }
    this.#expectOk("SETUP", setup);
    this.#readSession(setup.headers.get("Session"));
    const spec = readTransport(setup.headers.get("Transport"));
    let over = kind;
    if (kind === "udp" && spec?.lowerTransport === "TCP") {
      // The server chose interleaved TCP although UDP was asked: follow it.
      over = "tcp";
      await this.#dropUdp();
    }
    if (over === "tcp") {
      this.#channels = spec?.interleaved ?? [0, 1];
    } else {
      // server_port says where RTCP goes. It is not checked against where packets come from, and
      // source=/destination= are ignored: ESP32-RTSPServer says source=127.0.0.1, cameras behind
      // NAT send from other ports (mediamtx's rtspAnyPort). Media is taken from the server's
      // address on any port, and only from there.
      this.#serverRtcpPort = spec?.serverPort?.[1];
    }
    this.#mediaOver = over;
    if (this.#audioTrack) await this.#setupAudio(over);
    const play = await this.#request("PLAY", track.aggregateUrl, { Range: "npt=0.000-" });
    this.#expectOk("PLAY", play);
    return true;
  }

  /**
   * SETUP of the audio track in the video's session, over the same lower transport: the next pair
   * of interleaved channels (RFC 2326 §10.12), or a port pair of its own (RFC 3550 §11). A server
   * that will not set it up (an error status, another transport than the video's) leaves the
   * session video-only, as before: the refusal is logged.
   */
  async #setupAudio(over: "tcp" | "udp"): Promise<void> {
    const chosen = this.#audioTrack!;
    const receiver = new AudioReceiver(chosen.audio, this.#track!.clockRate);
    let udp: UdpPair | undefined;
    let transport: string;
    if (over === "udp") {
      try {
        udp = await bindUdpPair(
          await defaultNetwork(),
          this.#family,
          (data, from) => this.#udpAudioRtp(data, from),
          (data, from) => this.#udpAudioRtcp(data, from),
        );
      } catch (e) {
        this.#audioRefused(`no UDP ports: ${(e as Error).message}`);
        return;
      }
      transport = `RTP/AVP;unicast;client_port=${udp.ports[0]}-${udp.ports[1]}`;
    } else {
      const first = (this.#channels[1] + 1) & 0xff;
      transport = `RTP/AVP/TCP;unicast;interleaved=${first}-${(first + 1) & 0xff}`;
    }
    const dropUdp = () => udp && Promise.all([udp.rtp.close(), udp.rtcp.close()]).catch(() => {});
    let setup;
    try {
      setup = await this.#request("SETUP", chosen.setupUrl, { Transport: transport });
    } catch (e) {
      await dropUdp(); // no answer: the session is lost anyway, but the ports are ours to free
      throw e;
    }
    if (setup.status !== 200) {
      await dropUdp();
      this.#audioRefused(`SETUP: ${setup.status}`);
      return;
    }
    // No Transport header in the reply: taken as asked, as for the video.
    const spec = readTransport(setup.headers.get("Transport"));
    if (spec && (spec.lowerTransport === "TCP") !== (over === "tcp")) {
      await dropUdp();
      this.#audioRefused("the server set it up over another transport than the video");
      return;
    }
    if (over === "tcp") {
      const channels = spec?.interleaved ??
        [(this.#channels[1] + 1) & 0xff, (this.#channels[1] + 2) & 0xff];
      if (channels.some((c) => this.#channels.includes(c))) {
        this.#audioRefused("the server put it on the video's interleaved channels");
        return;
      }
      this.#audioSetup = { receiver, channels };
    } else {
      this.#audioSetup = { receiver, udp, serverRtcpPort: spec?.serverPort?.[1] };
    }
  }

  #audioRefused(why: string): void {
    this.#log.log("info", "pull: audio not carried", {
      url: this.#target.url,
      reason: printable(why, 200),
    });
  }

  /** The sink the video receiver feeds: it also notes where the video's clock lies. */
  #videoSink(): { accessUnit: PullSink["accessUnit"]; jpeg: PullSink["jpeg"] } {
    const anchor = (us: number) => {
      this.#videoAnchorUs ??= systemClock.now() * 1000 - us;
    };
    return {
      accessUnit: (nalUnits, us) => {
        anchor(us);
        this.#sink.accessUnit(nalUnits, us);
      },
      jpeg: (frame, us) => {
        anchor(us);
        this.#sink.jpeg(frame, us);
      },
    };
  }

  // RFC 2326 §12.37: `id[;timeout=s]`. Tolerated: ids the RFC's safe set refuses but that can be
  // sent back as they are (taken up to the first `;`), e.g. Hikvision's and Micro-RTSP's negative
  // numbers pass the set anyway; a missing Session header (some encoders) means none is sent.
  #readSession(value: string | undefined): void {
    const channel = this.#channel!;
    if (value === undefined) {
      channel.session = undefined;
      return;
    }
    try {
      const session = parseSessionHeader(value);
      channel.session = session.id;
      if (session.timeout !== undefined && session.timeout > 0) {
        this.#sessionTimeoutS = session.timeout;
      }
    } catch {
      const id = value.split(";")[0].trim();
      if (id === "" || id.length > 256) throw this.#fail("SETUP: unusable Session header");
      channel.session = id;
    }
  }

  #firstUdpPacket(): Promise<boolean> {
    if (this.#receiver!.stats.packets > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#firstPacket = undefined;
        resolve(false);
      }, AUTO_UDP_WAIT_MS);
      this.#firstPacket = () => {
        clearTimeout(timer);
        this.#firstPacket = undefined;
        resolve(true);
      };
    });
  }

  // gortsplib's rule: no UDP packet within 3 s of PLAY means a firewall or NAT eats them. TEARDOWN
  // the UDP session and set up TCP on the same connection; only when the server will not (it
  // closed the connection or refuses the SETUP) open a new one, after closing ours: single-client
  // devices (ESP32-RTSPServer, Micro-RTSP) must never see two.
  async #fallBackToTcp(): Promise<void> {
    this.#log.log("info", `pull: no RTP over UDP within ${AUTO_UDP_WAIT_MS} ms; using TCP`, {
      url: this.#target.url,
    });
    await this.#teardown();
    await this.#dropUdp();
    this.#channel!.session = undefined;
    if (!this.#channel!.isClosed) {
      try {
        await this.#setupAndPlay("tcp", false);
        return;
      } catch (e) {
        this.#log.log("debug", "pull: TCP on the same connection failed; reconnecting", {
          error: (e as Error).message,
        });
      }
    }
    this.#channel!.close();
    // A single-client device frees its slot a moment after the connection ends: do not race it.
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_PAUSE_MS));
    await this.#open();
    await this.#setupAndPlay("tcp", false);
  }

  async #teardown(): Promise<void> {
    const channel = this.#channel;
    if (!channel || channel.isClosed || channel.session === undefined) return;
    try {
      // Some devices never answer TEARDOWN (mediamtx#700); the wait is short and bounded.
      await channel.request("TEARDOWN", this.#track!.aggregateUrl, {
        timeoutMs: Math.min(this.#target.timeoutMs, TEARDOWN_WAIT_MS),
      });
    } catch {
      // no answer: closing the connection ends the session too
    }
  }

  // ─── Media in ────────────────────────────────────────────────────────────────────────────────

  #interleaved(channel: number, payload: Uint8Array): void {
    if (this.#mediaOver !== "tcp") {
      this.#stray++;
      return;
    }
    const audio = this.#audioSetup?.channels;
    if (channel === this.#channels[0]) this.#rtp(payload);
    else if (channel === this.#channels[1]) this.#rtcp(payload);
    else if (audio && channel === audio[0]) this.#audioRtp(payload);
    else if (audio && channel === audio[1]) this.#rtcp(payload);
    else this.#stray++;
  }

  #udpRtp(data: Uint8Array, from: NetAddress): void {
    if (plainAddress(from.hostname) !== this.#serverAddress || this.#mediaOver !== "udp") {
      this.#stray++; // HARDENING: media only from the server we asked
      return;
    }
    this.#rtp(data);
  }

  #udpRtcp(data: Uint8Array, from: NetAddress): void {
    if (plainAddress(from.hostname) !== this.#serverAddress) {
      this.#stray++;
      return;
    }
    this.#serverRtcpPort ??= from.port;
    this.#rtcp(data);
  }

  #udpAudioRtp(data: Uint8Array, from: NetAddress): void {
    if (plainAddress(from.hostname) !== this.#serverAddress || this.#mediaOver !== "udp") {
      this.#stray++;
      return;
    }
    this.#audioRtp(data);
  }

  #udpAudioRtcp(data: Uint8Array, from: NetAddress): void {
    if (plainAddress(from.hostname) !== this.#serverAddress || !this.#audioSetup) {
      this.#stray++;
      return;
    }
    this.#audioSetup.serverRtcpPort ??= from.port;
    this.#rtcp(data);
  }

  /**
   * One audio RTP packet: its frames go to the sink timed on the video's clock (see
   * {@link AudioReceiver}). Before the first video frame there is no such clock: dropped.
   */
  #audioRtp(bytes: Uint8Array): void {
    const setup = this.#audioSetup;
    if (this.#state === "ended" || !setup) return;
    this.#lastPacketAt = systemClock.now();
    const anchor = this.#videoAnchorUs;
    if (anchor === undefined) return;
    const video = this.#receiver!;
    try {
      setup.receiver.push(
        bytes,
        systemClock.now() * 1000 - anchor,
        (rtp) => video.timeOf(rtp),
        (frame, us) => this.#sink.audio?.(frame, us),
        video.ssrc,
      );
    } catch (e) {
      this.#sinkFailed({ url: this.#target.url, error: printable(String(e), 200) });
    }
  }

  #rtp(bytes: Uint8Array): void {
    if (this.#state === "ended") return;
    this.#lastPacketAt = systemClock.now();
    try {
      this.#receiver?.rtp(bytes);
    } catch (e) {
      this.#sinkFailed({ url: this.#target.url, error: printable(String(e), 200) });
    }
    this.#firstPacket?.();
  }

  // Each source's last sender report: its time for the receiver report's LSR/DLSR, and its
  // NTP/RTP pair, which lines the audio up with the video (RFC 3550 §6.4.1).
  #rtcp(bytes: Uint8Array): void {
    const packets = parseRtcpCompound(bytes);
    if (!packets) return;
    for (const p of packets) {
      if (p.type !== "sr") continue;
      const middle = (((p.ntp.seconds & 0xffff) << 16) | (p.ntp.fraction >>> 16)) >>> 0;
      this.#lastSr.set(p.ssrc >>> 0, { middle, at: systemClock.now() });
    }
    this.#audioSetup?.receiver.rtcp(packets);
  }

  // ─── Playing ─────────────────────────────────────────────────────────────────────────────────

  // RFC 2326 §12.37: the session lives `timeout` seconds past the last request; refresh it at half.
  // GET_PARAMETER when OPTIONS listed it (RFC 2326 §10.8), else OPTIONS (live555's proxy uses only
  // OPTIONS: GET_PARAMETER crashes some cameras). A 4xx to GET_PARAMETER (ESP32-RTSPServer answers
  // 400) switches to OPTIONS for good.
  #scheduleKeepalive(): void {
    const ms = Math.max(500, (this.#sessionTimeoutS * 1000) / 2);
    this.#after(ms, async () => {
      const method = this.#keepaliveMethod;
      try {
        const res = await this.#channel!.request(method, this.#track!.aggregateUrl);
        if (method === "GET_PARAMETER" && res.status >= 400 && res.status < 500) {
          this.#keepaliveMethod = "OPTIONS";
          this.#log.log("debug", "pull: GET_PARAMETER refused; keepalive by OPTIONS", {
            url: this.#target.url,
            status: res.status,
          });
        }
      } catch (e) {
        if (this.#state !== "playing") return;
        this.#log.log("warn", "pull: keepalive got no answer", {
          url: this.#target.url,
          error: (e as Error).message,
        });
      }
      if (this.#state === "playing") this.#scheduleKeepalive();
    });
  }

  #watchMedia(): void {
    const limit = this.#target.timeoutMs;
    this.#every(Math.min(1000, limit / 2), () => {
      if (systemClock.now() - this.#lastPacketAt <= limit) return;
      this.#end(new PullError(`${this.#target.url}: no media for ${limit} ms`));
    });
  }

  // One report per track, each sent where that track's RTCP goes (RFC 3550 §6.4.2).
  #sendReceiverReport(): void {
    if (this.#state !== "playing") return;
    const video = this.#receiver;
    if (video?.ssrc !== undefined) {
      this.#sendReport(video.ssrc, video.takeLossReport(), (rr) => {
        if (this.#mediaOver === "udp") {
          if (this.#udp && this.#serverRtcpPort !== undefined) {
            this.#udp.rtcp.send(rr, this.#serverRtcpPort, this.#serverAddress);
          }
        } else this.#sendInterleaved(this.#channels[1], rr);
      });
    }
    const audio = this.#audioSetup;
    const audioSsrc = audio?.receiver.ssrc;
    if (audio && audioSsrc !== undefined) {
      this.#sendReport(audioSsrc, audio.receiver.takeLossReport(), (rr) => {
        if (audio.channels) this.#sendInterleaved(audio.channels[1], rr);
        else if (audio.udp && audio.serverRtcpPort !== undefined) {
          audio.udp.rtcp.send(rr, audio.serverRtcpPort, this.#serverAddress);
        }
      });
    }
  }

  #sendReport(ssrc: number, loss: LossReport, send: (rr: Uint8Array) => void): void {
    const sr = this.#lastSr.get(ssrc);
    send(buildReceiverReport({
      ssrc: this.#rrSsrc,
      cname: "rtsp-edge",
      reports: [{
        ssrc,
        ...loss,
        jitter: 0,
        lastSr: sr?.middle ?? 0,
        // Units of 1/65536 s since that SR arrived (RFC 3550 §6.4.1 DLSR).
        delaySinceLastSr: sr
          ? Math.min(0xffffffff, Math.round((systemClock.now() - sr.at) * 65.536))
          : 0,
      }],
    }));
  }

  #sendInterleaved(channel: number, packet: Uint8Array): void {
    this.#channel?.sendRaw(interleaved(channel, packet));
  }

  // ─── Ending ──────────────────────────────────────────────────────────────────────────────────

  #end(error: PullError | undefined): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#release();
    if (error) {
      this.#log.log("warn", "pull: session ended", { url: this.#target.url, error: error.message });
    }
    try {
      this.#sink.closed(error);
    } catch (e) {
      this.#sinkFailed({ url: this.#target.url, error: printable(String(e), 200) });
    }
  }

  #release(): void {
    this.#clearTimers();
    this.#firstPacket = undefined;
    this.#channel?.close();
    void this.#dropUdp();
  }

  async #dropUdp(): Promise<void> {
    const pairs = [this.#udp, this.#audioSetup?.udp];
    this.#udp = undefined;
    if (this.#audioSetup?.udp) this.#audioSetup = undefined;
    await Promise.all(
      pairs.flatMap((udp) => udp ? [udp.rtp.close(), udp.rtcp.close()] : []),
    ).catch(() => {});
  }

  // ─── Helpers ─────────────────────────────────────────────────────────────────────────────────

  async #request(
    method: string,
    url: string,
    headers: Record<string, string>,
  ): Promise<RtspResponse> {
    try {
      return await this.#channel!.request(method, url, { headers });
    } catch (e) {
      if (e instanceof ChannelError) throw this.#fail(`${method}: ${e.message}`);
      throw e;
    }
  }

  #expectOk(method: string, res: RtspResponse): void {
    if (res.status === 200) return;
    if (res.status === 401) {
      throw this.#fail(
        this.#target.credentials
          ? `${method}: wrong user or password`
          : `${method}: 401 Unauthorized (the URL has no user and password)`,
      );
    }
    // The reason phrase is the server's text: shown without quotes, but only printable ASCII.
    const reason = res.reason.slice(0, 80).replace(/[^\x20-\x7e]/g, "?");
    throw this.#fail(`${method}: ${res.status}${reason ? ` ${reason}` : ""}`);
  }

  #fail(what: string): PullError {
    return new PullError(`${this.#target.url}: ${what}`);
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers = this.#timers.filter((t) => t !== timer);
      fn();
    }, ms);
    this.#timers.push(timer);
  }

  #every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    this.#timers.push(timer);
  }

  #clearTimers(): void {
    for (const t of this.#timers.splice(0)) clearTimeout(t);
  }
}

// Lenient: a Transport reply the strict parser refuses (it guards the server against clients: a
// server_port pair that is not even/odd, as cameras that pick any free ports send, is refused
// there) still gives its channels and ports; anything else takes the defaults.
function readTransport(value: string | undefined): TransportSpec | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTransport(value)[0];
  } catch {
    const first = value.split(",")[0];
    const pair = (name: string): [number, number] | undefined => {
      const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(\\d{1,5})(?:-(\\d{1,5}))?`, "i").exec(
        first,
      );
      if (!m) return undefined;
      const a = Number(m[1]);
      const b = m[2] === undefined ? a + 1 : Number(m[2]);
      const max = name === "interleaved" ? 255 : 65535;
      return a <= max && b <= max && (name === "interleaved" || a > 0) ? [a, b] : undefined;
    };
    return {
      protocol: "RTP",
      profile: "AVP",
      lowerTransport: /^\s*RTP\/AVP\/TCP/i.test(first) ? "TCP" : "UDP",
      interleaved: pair("interleaved"),
      serverPort: pair("server_port"),
      extra: [],
    };
  }
}
