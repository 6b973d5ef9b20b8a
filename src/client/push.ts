/**
 * Pushing a served path to another RTSP server (mediamtx, go2rtc, Frigate, GStreamer, another
 * rtsp-edge): ANNOUNCE with the path's SDP, SETUP with `mode=record`, RECORD (RFC 2326 §10.3,
 * §10.4, §10.11), then the path's RTP over interleaved TCP (or UDP) until either side ends it.
 * A path with audio is announced with both tracks, and every announced track is set up (gortsplib
 * and mediamtx refuse a RECORD before that, MEDIA.md §1.1); the audio goes on its own interleaved
 * channels (or UDP ports) with its own sender reports.
 *
 * The media comes from a tap on the server (`server.tap()`), which reads by the rules of an RTSP
 * reader: it starts at a keyframe with the SPS and PPS in band in front of it (they are in the
 * SDP's `sprop-parameter-sets` too), and when the upstream reads slower than the path is fed, whole
 * frames are dropped to the next keyframe, so memory stays bounded. The tap counts as a reader, so
 * an on-demand source runs while the push does.
 *
 * One call is one push session: it ends once, with an error or by {@link PushSession.close}.
 * Reconnecting (with backoff) is the caller's.
 *
 * @module
 */

import { checkSessionOptions, serverUrl } from "./server_url.ts";
import type { Logger } from "../base/log.ts";
import { silentLogger } from "../base/log.ts";
import { type ConnectError, connectTcp } from "../runtime/connect.ts";
import { defaultNetwork } from "../runtime/default_network.ts";
import type { TcpConnection } from "../runtime/net.ts";
import type { RtspResponse } from "../rtsp/message.ts";
import { parseSessionHeader } from "../rtsp/session_header.ts";
import { STATUS_TEXT } from "../rtsp/status.ts";
import { parseTransport } from "../rtsp/transport.ts";
import { interleaved } from "../rtp/packet_list.ts";

import { printable } from "../rtsp/syntax.ts";
import { buildSdp, type SdpMediaDescription } from "../sdp/build.ts";
import type { Credentials } from "./auth.ts";
import { ChannelError, RtspChannel } from "./channel.ts";
import { bindUdpPair, type UdpPair } from "./udp.ts";

/** Settings of one push. */
export interface PushOptions {
  /**
   * Where to push: `rtsp://` or `rtsps://`, with `user:password@` when the server asks for them
   * (Digest or Basic, answered once). The path is the upstream's name for the stream.
   */
  url: string;
  /** `"tcp"`: interleaved in the RTSP connection (default; works through NAT). `"udp"`: RTP/AVP. */
  transport?: "tcp" | "udp";
  /** Where the push logs what happens. Default: nowhere. */
  logger?: Logger;
  /** For `rtsps://`: check the server's certificate. Default true; false accepts self-signed. */
  tlsVerify?: boolean;
  /**
   * Milliseconds to wait for the connection, for each answer, and for the path's first keyframe
   * parameters (SPS and PPS) before ANNOUNCE. Default 10 000.
   */
  timeoutMs?: number;
  /**
   * Aborting it gives up a push that is still starting (`pushRtsp()` rejects with a
   * {@link PushError} saying so) and closes one that records, as {@link PushSession.close} does.
   */
  signal?: AbortSignal;
}

/** A push that is recording. */
export interface PushSession {
  /**
   * Resolves once when the push ends: with the {@link PushError} that ended it (the upstream
   * closed the connection, stopped answering, the path went away), or undefined after
   * {@link PushSession.close}.
   */
  readonly closed: Promise<Error | undefined>;
  /** What was sent and dropped so far. */
  readonly stats: PushStats;
  /** Sends TEARDOWN, waits a bounded time for its answer, and closes. Safe to call twice. */
  close(): Promise<void>;
}

/** Counters of one push. */
export interface PushStats {
  /** Frames sent upstream. */
  framesSent: number;
  /** Frames skipped because the upstream read too slowly (or the push was waiting for a keyframe). */
  framesDropped: number;
  /** RTP payload bytes sent. */
  bytesSent: number;
  /**
   * Bytes written to the upstream's TCP connection that it has not taken yet; bounded by the
   * server's `maxQueueBytes` (frames are dropped rather than queued past it).
   */
  queuedBytes: number;
}

/**
 * A push that failed or ended. Its message is one line that names the URL (without the password),
 * the step, and what went wrong: `rtsp://central:8554/cam: ANNOUNCE: 401 Unauthorized: wrong user
 * or password`.
 */
export class PushError extends Error {
  /** Builds the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PushError";
  }
}

/** One frame of a tap, as the push sends it (see the server's `TapFrame`). */
export interface PushFrame {
  /** Whether decoding can start here. */
  readonly keyframe: boolean;
  /** The RTP packets without framing. */
  readonly packetViews: readonly Uint8Array[];
  /** Bytes of the frame framed for interleaving. */
  readonly byteLength: number;
  /** The frame framed for one interleaved channel, for one write. */
  framedFor(channel: number): Uint8Array;
}

/** What the push feeds a tap with (the server's `TapSink`). */
export interface PushSink {
  /** One frame. */
  frame(frame: PushFrame): void;
  /** Bytes written but not yet sent. */
  readonly queuedBytes: number;
  /** Writes not yet sent. */
  readonly queuedFrames: number;
  /** An RTCP sender report to send. */
  rtcp(packet: Uint8Array): void;
  /** One frame of the path's audio track. */
  audioFrame(frame: PushFrame): void;
  /** An RTCP sender report of the audio track to send. */
  audioRtcp(packet: Uint8Array): void;
  /** The tap ended from the server's side. */
  ended(reason: string): void;
  /** Who reads through the tap, as the server's session list shows it. */
  readonly label: string;
}

/** The tap the push reads through (the server's `Tap`). */
export interface PushTap {
  /** Whether a source feeds the stream. */
  readonly sourceState: { readonly state: string; readonly reason?: string };
  /** Counters of the reader. */
  readonly stats: { framesSent: number; framesDropped: number; octetsSent: number };
  /** The SDP media section, with `control` as its `a=control`. */
  sdpMedia(control: string): SdpMediaDescription;
  /** The audio SDP media section, when the path has audio. */
  audioSdpMedia(control: string): SdpMediaDescription | undefined;
  /** Resolves once the SDP can be complete, or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void>;
  /** Starts over at a keyframe. */
  restart(): void;
  /** Hands the sink a sender report. */
  sendReport(cname: string): void;
  /** Detaches. */
  close(): void;
}

/**
 * Where a push reads its path: an `RtspServer` (this is the part of it the push uses; the client
 * layer does not import the server).
 */
export interface PushSource {
  /** Opens a tap on the stream at `path`; throws when there is none. */
  tap(path: string, sink: PushSink): PushTap;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest wait for the answer to TEARDOWN when closing. */
const TEARDOWN_WAIT_MS = 2_000;
/** RFC 2326 §12.37: a session without `timeout=` lasts 60 s. */
const DEFAULT_SESSION_TIMEOUT_S = 60;
/** Milliseconds between RTCP sender reports (RFC 3550 §6.2's 5 s minimum). */
const REPORT_INTERVAL_MS = 5_000;
const CONTROL = "trackID=0";
const AUDIO_CONTROL = "trackID=1";

/**
 * Pushes the stream at `path` of `server` to `options.url`. Resolves with the session once the
 * upstream has answered RECORD with 2xx; rejects with a {@link PushError} when any step fails.
 * Throws `TypeError` or `RangeError` at once for options that cannot work.
 *
 * @example
 * ```ts ignore
 * import { serve } from "../server/server.ts";
 * import { pushRtsp } from "./push.ts";
 *
 * const server = await serve();
 * server.addStream("/cam", { codec: "h264" }); // fed by a camera, an encoder, a publisher…
 * const push = await pushRtsp(server, "/cam", { url: "rtsp://central:8554/edge1_cam" });
 * const error = await push.closed; // the runner above reconnects with backoff
 * ```
 */
export async function pushRtsp(
  server: PushSource,
  path: string,
  options: PushOptions,
): Promise<PushSession> {
  const target = parseTarget(options);
  const push = new Push(target, options.logger ?? silentLogger);
  await push.start(server, path, options.signal);
  return push;
}

interface Target {
  /** The URL without credentials: what requests carry and errors name. */
  url: string;
  hostname: string;
  port: number;
  tls: { verify: boolean } | undefined;
  credentials: Credentials | undefined;
  transport: "tcp" | "udp";
  timeoutMs: number;
}

function parseTarget(options: PushOptions): Target {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("pushRtsp() needs an options object with a url");
  }
  const server = serverUrl(options.url);
  const transport = options.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "udp") {
    throw new TypeError(`transport must be "tcp" or "udp", got ${printable(String(transport))}`);
  }
  const timeoutMs = checkSessionOptions(options, DEFAULT_TIMEOUT_MS);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError("signal must be an AbortSignal");
  }
  const { url, hostname, port, credentials } = server;
  return {
    url,
    hostname,
    port,
    tls: server.tls ? { verify: options.tlsVerify ?? true } : undefined,
    credentials,
    transport,
    timeoutMs,
  };
}

/** Why a status failed, in words, for the statuses a push meets. */
function statusHint(status: number, hasCredentials: boolean): string {
  switch (status) {
    case 401:
      return hasCredentials
        ? "wrong user or password"
        : "the server wants a user and password (give them in the URL)";
    case 403:
      return "the server does not let this user publish there";
    case 404:
      return "the server has no such path (go2rtc and Frigate need the stream in their config)";
    case 455:
    case 459:
      return "the server does not take a RECORD here";
    case 461:
      return "the server does not take this transport; try the other one";
    default:
      return "";
  }
}

class Push implements PushSession {
  readonly closed: Promise<Error | undefined>;
  #target: Target;
  #logger: Logger;
  #resolveClosed!: (error: Error | undefined) => void;
  #tap: PushTap | undefined;
  #channel: RtspChannel | undefined;
  #tcp: TcpConnection | undefined;
  #udp: UdpPair | undefined;
  #udpPeer: { hostname: string; ports: [number, number] } | undefined;
  #rtpChannel = 0;
  #rtcpChannel = 1;
  /** The audio track, when the path had one at ANNOUNCE: its channels or its UDP pair and peer. */
  #audio:
    | { channels: [number, number]; udp?: UdpPair; peerPorts?: [number, number] }
    | undefined;
  #recording = false;
  #ended = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #closing: Promise<void> | undefined;
  #endError: PushError | undefined;
  #unlisten: () => void = noop;
  #cname = `rtsp-edge-push-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;

  constructor(target: Target, logger: Logger) {
    this.#target = target;
    this.#logger = logger;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  get stats(): PushStats {
    const s = this.#tap?.stats;
    return {
      framesSent: s?.framesSent ?? 0,
      framesDropped: s?.framesDropped ?? 0,
      bytesSent: s?.octetsSent ?? 0,
      queuedBytes: this.#tcp?.bufferedBytes ?? 0,
    };
  }

  /**
   * ANNOUNCE, SETUP and RECORD; on any failure, cleans up and throws a PushError: the first
   * reason the push ended for (the upstream closing, the path going, an abort), else the step's.
   */
  async start(server: PushSource, path: string, signal: AbortSignal | undefined): Promise<void> {
    const { url } = this.#target;
    const abort = () => {
      if (this.#recording) void this.close();
      else this.#finish(this.#error("aborted while starting"));
    };
    signal?.addEventListener("abort", abort, { once: true });
    this.#unlisten = () => signal?.removeEventListener("abort", abort);
    try {
      if (signal?.aborted) throw this.#error("aborted while starting");
      try {
        this.#tap = server.tap(path, this.#sink());
      } catch (error) {
        throw this.#error(`cannot read ${path}: ${message(error)}`, error);
      }
      const media = await this.#step(this.#media(path));
      const audioMedia = this.#tap!.audioSdpMedia(AUDIO_CONTROL);
      if (audioMedia) this.#audio = { channels: [2, 3] };
      await this.#step(this.#connect());
      const channel = this.#channel!;
      const options = await this.#step(this.#request("OPTIONS", url, {}, [404, 405, 501]));
      const sdp = buildSdp({
        sessionId: String(Math.floor(Math.random() * 1e9)),
        sessionVersion: "1",
        originAddress: this.#tcp!.local.hostname,
        name: "rtsp-edge",
        info: path,
        tool: "rtsp-edge",
        media: audioMedia ? [media, audioMedia] : [media],
      });
      await this.#step(this.#request("ANNOUNCE", url, {
        headers: { "Content-Type": "application/sdp" },
        body: new TextEncoder().encode(sdp),
      }));
      const setup = await this.#step(this.#request(
        "SETUP",
        `${url.replace(/\/$/, "")}/${CONTROL}`,
        { headers: { Transport: this.#transportRequest() } },
      ));
      this.#takeTransport(setup);
      const session = this.#takeSession(setup);
      if (this.#audio) {
        // RFC 2326 §10.4: one SETUP per stream, in the session the first one made.
        const audioSetup = await this.#step(this.#request(
          "SETUP",
          `${url.replace(/\/$/, "")}/${AUDIO_CONTROL}`,
          { headers: { Transport: this.#transportRequest(true) } },
        ));
        this.#takeTransport(audioSetup, true);
      }
      await this.#step(this.#request("RECORD", url, { headers: { Range: "npt=0.000-" } }));
      // From here the upstream takes media: start at a keyframe (the cached GOP, or a fresh one).
      this.#recording = true;
      // RFC 3550 §6.4.1: the upstream lines the tracks up through their sender reports. Sent
      // before the first packet as well, so that it need not time any audio by arrival: the
      // sound of the cached GOP's instants may not have come yet (AAC packetizers hold frames
      // back), and arrival would put the first live sound that much late.
      if (this.#audio) this.#tap!.sendReport(this.#cname);
      this.#tap!.restart();
      this.#tap!.sendReport(this.#cname);
      // GET_PARAMETER where the server lists it (mediamtx, GStreamer); OPTIONS, which every
      // server answers (ffmpeg listening takes nothing else), where it does not.
      const public_ = options.headers.get("Public") ?? "";
      const keepalive = /\bGET_PARAMETER\b/i.test(public_) ? "GET_PARAMETER" : "OPTIONS";
      const every = Math.max(1000, (session.timeout * 1000) / 2);
      this.#timers.push(setInterval(() => this.#keepalive(keepalive), every));
      this.#timers.push(setInterval(() => this.#tap?.sendReport(this.#cname), REPORT_INTERVAL_MS));
      this.#logger.log("info", "push recording", {
        path,
        url,
        transport: this.#target.transport,
        session: channel.session,
        ...(audioMedia ? { audio: `${audioMedia.encoding}/${audioMedia.clockRate}` } : {}),
      });
    } catch (error) {
      const failure = this.#endError ??
        (error instanceof PushError ? error : this.#error(message(error), error));
      this.#finish(failure);
      throw failure;
    }
  }

  /** Waits for one step, then stops the start when the push ended meanwhile. */
  async #step<T>(step: Promise<T>): Promise<T> {
    const value = await step;
    if (this.#ended) throw this.#endError ?? this.#error("closed while starting");
    return value;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#ended) return;
      this.#stopMedia();
      const channel = this.#channel;
      if (channel && !channel.isClosed && channel.session !== undefined) {
        try {
          await channel.request("TEARDOWN", this.#target.url, {
            timeoutMs: Math.min(this.#target.timeoutMs, TEARDOWN_WAIT_MS),
          });
        } catch {
          // No answer in time, or the connection went: closing anyway.
        }
      }
      this.#finish(undefined);
    })();
    return this.#closing;
  }

  /** Waits for the path's parameter sets and returns its SDP media section. */
  async #media(path: string): Promise<SdpMediaDescription> {
    const tap = this.#tap!;
    await tap.whenReady(this.#target.timeoutMs);
    const media = tap.sdpMedia(CONTROL);
    if (media.encoding === "H264" && !/sprop-parameter-sets=/.test(media.fmtp ?? "")) {
      const source = tap.sourceState;
      const why = source.state === "gone"
        ? `its source is gone (${source.reason})`
        : `no SPS and PPS came within ${this.#target.timeoutMs} ms`;
      throw this.#error(`cannot describe ${path}: ${why}`);
    }
    return media;
  }

  async #connect(): Promise<void> {
    const t = this.#target;
    const channel = new RtspChannel(
      { timeoutMs: t.timeoutMs, logger: this.#logger, credentials: t.credentials },
      {
        interleaved: () => {}, // the upstream's RTCP receiver reports: nothing to act on
        closed: (error) => this.#finish(this.#error(this.#during(error?.message ?? "closed"))),
      },
    );
    try {
      this.#tcp = await connectTcp(
        { hostname: t.hostname, port: t.port, tls: t.tls, timeoutMs: t.timeoutMs },
        channel.handler,
      );
    } catch (error) {
      throw this.#error((error as ConnectError).message, error);
    }
    if (this.#ended) {
      this.#tcp.destroy(); // the push ended while connecting
      return;
    }
    channel.attach(this.#tcp);
    this.#channel = channel;
    if (t.transport === "udp") {
      // The pair listens on our side of the RTSP connection's family; what arrives (the
      // upstream's receiver reports) is not acted on.
      try {
        const network = await defaultNetwork();
        this.#udp = await bindUdpPair(network, this.#tcp.local.family, noop, noop);
        if (this.#audio) {
          this.#audio.udp = await bindUdpPair(network, this.#tcp.local.family, noop, noop);
        }
      } catch (error) {
        throw this.#error(`cannot bind UDP ports for RTP: ${message(error)}`, error);
      }
      if (this.#ended) this.#closeUdp(); // the push ended while binding
    }
  }

  /** Sends a request; a status outside 2xx (and `tolerated`) or no answer is a PushError. */
  async #request(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: Uint8Array },
    tolerated: number[] = [],
  ): Promise<RtspResponse> {
    let response: RtspResponse;
    try {
      response = await this.#channel!.request(method, url, init);
    } catch (error) {
      throw this.#error(`${method}: ${message(error)}`, error);
    }
    const status = response.status;
    if ((status >= 200 && status < 300) || tolerated.includes(status)) return response;
    const reason = response.reason || STATUS_TEXT[status] || "";
    const hint = statusHint(status, this.#target.credentials !== undefined);
    throw this.#error(
      `${method}: ${status}${reason ? ` ${reason}` : ""}${hint ? `: ${hint}` : ""}`,
    );
  }

  #transportRequest(audio = false): string {
    if (this.#target.transport === "tcp") {
      const [rtp, rtcp] = audio ? this.#audio!.channels : [0, 1];
      return `RTP/AVP/TCP;unicast;interleaved=${rtp}-${rtcp};mode=record`;
    }
    const [rtp, rtcp] = (audio ? this.#audio!.udp! : this.#udp!).ports;
    return `RTP/AVP;unicast;client_port=${rtp}-${rtcp};mode=record`;
  }

  #takeTransport(setup: RtspResponse, audio = false): void {
    const value = setup.headers.get("Transport");
    let spec;
    try {
      spec = value === undefined ? undefined : parseTransport(value)[0];
    } catch (error) {
      throw this.#error(`SETUP: unreadable Transport header: ${message(error)}`, error);
    }
    if (this.#target.transport === "tcp") {
      // A server may pick other channels than we asked for (RFC 2326 §12.39).
      if (!spec?.interleaved) return;
      if (!audio) [this.#rtpChannel, this.#rtcpChannel] = spec.interleaved;
      else if (spec.interleaved.some((c) => c === this.#rtpChannel || c === this.#rtcpChannel)) {
        throw this.#error("SETUP: the server put the audio on the video's interleaved channels");
      } else this.#audio!.channels = spec.interleaved;
      return;
    }
    if (!spec?.serverPort) throw this.#error("SETUP: the answer names no server_port for UDP");
    if (audio) {
      this.#audio!.peerPorts = spec.serverPort;
      return;
    }
    this.#udpPeer = { hostname: this.#tcp!.remote.hostname, ports: spec.serverPort };
  }

  #takeSession(setup: RtspResponse): { id: string; timeout: number } {
    const value = setup.headers.get("Session");
    if (value === undefined) throw this.#error("SETUP: the answer has no Session header");
    try {
      const { id, timeout } = parseSessionHeader(value);
      this.#channel!.session = id;
      return { id, timeout: timeout || DEFAULT_SESSION_TIMEOUT_S };
    } catch (error) {
      throw this.#error(`SETUP: unreadable Session header: ${message(error)}`, error);
    }
  }

  async #keepalive(method: string): Promise<void> {
    const channel = this.#channel;
    if (this.#ended || !channel) return;
    let status: number;
    try {
      status = (await channel.request(method, this.#target.url)).status;
    } catch (error) {
      if (error instanceof ChannelError && !this.#ended) {
        this.#finish(this.#error(`keepalive ${method}: ${error.message}`, error));
      }
      return;
    }
    // Any answer shows the connection lives, but 454 says the upstream dropped the session: the
    // media goes nowhere from here on.
    if (status === 454 && !this.#ended) {
      this.#finish(this.#error(`keepalive ${method}: 454 Session Not Found`));
    }
  }

  /** The tap's sink: frames go out only while recording. */
  #sink(): PushSink {
    const tcp = () => this.#tcp;
    return {
      label: `push ${this.#target.url}`,
      frame: (frame) =>
        this.#sendFrame(frame, this.#udp, this.#udpPeer?.ports[0], this.#rtpChannel),
      get queuedBytes() {
        return tcp()?.bufferedBytes ?? 0;
      },
      get queuedFrames() {
        return tcp()?.pendingWrites ?? 0;
      },
      rtcp: (packet) =>
        this.#sendRtcp(packet, this.#udp, this.#udpPeer?.ports[1], this.#rtcpChannel),
      audioFrame: (frame) => {
        const audio = this.#audio;
        if (audio) this.#sendFrame(frame, audio.udp, audio.peerPorts?.[0], audio.channels[0]);
      },
      audioRtcp: (packet) => {
        const audio = this.#audio;
        if (audio) this.#sendRtcp(packet, audio.udp, audio.peerPorts?.[1], audio.channels[1]);
      },
      ended: (reason) => this.#finish(this.#error(`the path ended: ${reason}`)),
    };
  }

  /** One frame of a track, while recording: to `port` over `udp`, or on `channel` of the TCP. */
  #sendFrame(
    frame: PushFrame,
    udp: UdpPair | undefined,
    port: number | undefined,
    channel: number,
  ): void {
    if (!this.#recording || this.#ended) return;
    if (udp) {
      const hostname = this.#udpPeer!.hostname;
      for (const packet of frame.packetViews) udp.rtp.send(packet, port!, hostname);
    } else {
      this.#tcp!.write(frame.framedFor(channel));
    }
  }

  /** One RTCP packet of a track, while recording, sent as `#sendFrame` sends. */
  #sendRtcp(
    packet: Uint8Array,
    udp: UdpPair | undefined,
    port: number | undefined,
    channel: number,
  ): void {
    if (!this.#recording || this.#ended) return;
    if (udp) udp.rtcp.send(packet, port!, this.#udpPeer!.hostname);
    else this.#tcp!.write(interleaved(channel, packet));
  }

  #during(what: string): string {
    return this.#recording ? `${what} while recording` : what;
  }

  #error(what: string, cause?: unknown): PushError {
    return new PushError(`${this.#target.url}: ${what}`, { cause });
  }

  #stopMedia(): void {
    this.#recording = false;
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.#tap?.close();
  }

  #closeUdp(): void {
    for (const udp of [this.#udp, this.#audio?.udp]) {
      void udp?.rtp.close();
      void udp?.rtcp.close();
    }
  }

  /** Ends the push once: everything released, `closed` resolved. */
  #finish(error: PushError | undefined): void {
    if (this.#ended) return;
    this.#stopMedia();
    this.#ended = true;
    this.#endError = error;
    this.#unlisten();
    this.#channel?.close();
    if (!this.#channel) this.#tcp?.destroy();
    this.#closeUdp();
    if (error) {
      this.#logger.log("warn", "push ended", { url: this.#target.url, error: error.message });
    } else {
      this.#logger.log("info", "push closed", { url: this.#target.url });
    }
    this.#resolveClosed(error);
  }
}

function noop(): void {}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
