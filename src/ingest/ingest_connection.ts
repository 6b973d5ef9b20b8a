/**
 * One device connection to the ingest port: HTTP/1.1 requests (one frame each, or a long-lived
 * chunked stream) or a WebSocket, each frame handed to the path's sink. A mistake gets one status
 * with a one-line reason, is logged once, and closes this connection only: no other path or reader
 * notices. A push to a path held by an ingest connection that has gone silent takes the path over
 * (takeover.ts): that is how a restarted device gets its path back at once.
 *
 * @module
 */

import type { TcpConnection } from "../runtime/net.ts";
import type { Logger } from "../base/log.ts";
import { PathBusyError, type Publication, type PublishOptions } from "../server/publishers.ts";
import type { RtspServer } from "../server/server.ts";
import { BodyReader } from "./body_reader.ts";
import { inflateLoaded, loadInflate } from "./raw_frames.ts";
import { IngestError } from "./errors.ts";
import {
  formatResponse,
  type HttpEvent,
  type HttpRequestHead,
  HttpRequestParser,
} from "./http_request.ts";
import {
  type AudioPlan,
  type IngestPathPolicy,
  type IngestPlan,
  pathForLog,
  planPush,
} from "./ingest_request.ts";
import { AudioIngest } from "./audio_ingest.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { EncodingSink, H264Passthrough, JpegRtpSink } from "../encoder/frame_sinks.ts";
import type { ParkedSink, SinkCache } from "./sink_cache.ts";
import { busyReason, type PathHolder, takeoverOf } from "./takeover.ts";
import { DeviceTimeline, TimestampSmoother } from "./timestamps.ts";
import { acceptKey, encodeFrame, WebSocketError, WebSocketParser } from "./websocket.ts";
import type { WebHandler, WebSocketSession } from "../http/web_handler.ts";
import {
  MAX_WEB_BODY_BYTES,
  REASONS,
  responseBytes,
  toRequest,
  wantsKeepAlive,
} from "./web_request.ts";

/** What a connection needs from the ingest server. */
export interface IngestContext {
  /** The RTSP server whose paths are published. */
  rtsp: RtspServer;
  /** The rules of a path, or undefined when it may not be published. */
  policyFor(path: string): IngestPathPolicy | undefined;
  /** Where refusals and publisher changes are told. */
  logger: Logger;
  /** Monotonic milliseconds. */
  now(): number;
  /** Sinks kept between a path's requests. */
  sinks: SinkCache;
  /** The connection publishing each path, so a device back from a restart can take it over. */
  holders: Map<string, IngestConnection>;
  /** The connection pushing each path's audio, likewise. */
  audioHolders: Map<string, IngestConnection>;
  /** The device clock mapping of each stream a device's video feeds, shared with its audio. */
  timelines: WeakMap<LiveStream, DeviceTimeline>;
  /** What answers requests outside `/ingest/` (console, API, metrics); absent: they get 404. */
  web?: WebHandler;
}

// A client that sends requests faster than the console answers them is cut off past these.
const MAX_QUEUED_EVENTS = 256;
const MAX_WEB_MESSAGE_BYTES = 64 * 1024;

/** A device's publication of a path: the claim, the sink, the clock. */
interface Publishing extends Omit<ParkedSink, "streamFrames"> {
  key: string;
  publication: Publication;
}

/** Handles one TCP connection of the ingest port. */
export class IngestConnection implements PathHolder {
  readonly #tcp: TcpConnection;
  readonly #ctx: IngestContext;
  readonly #peer: string;
  #http: HttpRequestParser | undefined = new HttpRequestParser();
  #ws: WebSocketParser | undefined;
  #wsBacklog: Uint8Array[] | undefined;
  #wsTimestamp: number | undefined;
  #body: BodyReader | undefined;
  #publishing: Publishing | undefined;
  #audio: AudioIngest | undefined;
  // The path the request in hand names, for log lines, known before the request is checked.
  #path: string | undefined;
  // Frames of the request in hand: a request of one frame is one of many, not an upload that ends.
  #requestFrames = 0;
  #closed = false;
  // A request to the console or API: its head and body so far.
  #webRequest: { head: HttpRequestHead; chunks: Uint8Array[]; size: number } | undefined;
  // Events parsed while a console answer is awaited, handled in order once it is sent.
  #queued: HttpEvent[] = [];
  #answering = false;
  #wsSession: WebSocketSession | undefined;
  /** Milliseconds of the last byte received, for the idle timeout. */
  lastActivity: number;
  /**
   * Milliseconds of the read that began the request head now part-way in, if one is: a whole head
   * must come within a deadline, however the bytes trickle (slowloris).
   */
  headSince: number | undefined;

  /** Serves `tcp` with the server's context. */
  constructor(tcp: TcpConnection, ctx: IngestContext) {
    this.#tcp = tcp;
    this.#ctx = ctx;
    this.#peer = tcp.remote.hostname;
    this.lastActivity = ctx.now();
  }

  /** The peer's address. */
  get peer(): string {
    return this.#peer;
  }

  /**
   * The path of the request in hand (from its request line on, even before its head is complete),
   * or of the last one; undefined before any request line.
   */
  get path(): string | undefined {
    const target = this.#http?.requestPath;
    return target !== undefined ? pathForLog(target) : this.#path;
  }

  /** Whether the connection is closed or closing (its `closed` callback may still be to come). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Bytes arrived (valid during the call). Never throws. */
  data(bytes: Uint8Array): void {
    if (this.#closed) return;
    const now = this.#ctx.now();
    this.lastActivity = now;
    try {
      if (this.#wsBacklog) this.#wsBacklog.push(bytes.slice());
      else if (this.#ws) this.#wsData(bytes);
      else this.#httpData(bytes);
      this.headSince = this.#http?.inHead ? this.headSince ?? now : undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  /** A write reached the kernel. */
  written(): void {}

  /** The connection is gone: the path is given up, its stream and readers stay. */
  closed(): void {
    const p = this.#publishing;
    if (!this.#closed && p) {
      this.#ctx.logger.log("info", "device disconnected mid-upload; readers stay", {
        path: p.path,
        peer: this.#peer,
        frames: p.frames,
      });
    }
    if (!this.#closed && this.#audio) this.#logAudioStopped("device disconnected mid-upload");
    this.#closed = true;
    this.#release(false, `device ${this.#peer} disconnected`);
    this.#endSession();
  }

  /**
   * Closes the connection (idle timeout, server shutdown, a publisher that replaced this one). The
   * caller logs why.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release(false, `device ${this.#peer} went silent`);
    this.#endSession();
    this.#tcp.destroy();
  }

  #httpData(bytes: Uint8Array): void {
    const events = this.#http!.push(bytes);
    if (this.#answering) this.#hold(events);
    else this.#handleEvents(events);
  }

  #handleEvents(events: readonly HttpEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (this.#webRequest) this.#webEvent(event);
      else if (event.kind === "head") {
        if (needsInflate(event.head, this.#ctx.web !== undefined) && !inflateLoaded()) {
          return this.#loadInflate(events.slice(i));
        }
        this.#head(event.head);
      } else if (event.kind === "body") {
        if (this.#audio) this.#audio.bytes(event.data, event.chunkEnd, event.chunkTimestampUs);
        else this.#body?.push(event.data, event.chunkEnd);
      } else if (event.kind === "end") this.#end();
      if (this.#closed || this.#ws || this.#wsBacklog) return;
      if (this.#answering) return this.#hold(events.slice(i + 1));
    }
  }

  /**
   * Keeps events pipelined behind a console request still being answered (RFC 9112 §9.3.2), in
   * order. Body bytes are copied: they are views of a read that is reused.
   */
  #hold(events: readonly HttpEvent[]): void {
    for (const e of events) {
      this.#queued.push(e.kind === "body" ? { ...e, data: e.data.slice() } : e);
    }
    if (this.#queued.length > MAX_QUEUED_EVENTS) {
      throw new IngestError(429, "too many requests sent ahead of their answers");
    }
  }

  /**
   * Holds `events` (a compressed body's head first) while fflate is imported, the first time a
   * device sends one, then handles them in order.
   */
  #loadInflate(events: readonly HttpEvent[]): void {
    this.#answering = true;
    this.#hold(events);
    loadInflate().then(() => {
      if (this.#closed) return;
      this.#answering = false;
      const queued = this.#queued;
      this.#queued = [];
      this.#handleEvents(queued);
    }).catch((error) => this.#fail(error));
  }

  #head(head: HttpRequestHead): void {
    if (this.#ctx.web && !head.path.startsWith("/ingest/")) return this.#webHead(head);
    this.headSince = undefined; // a head that follows in the same read has its own deadline
    // Named at once, so that a refusal of this request (401, 409, 415) says which path it was for.
    this.#path = pathForLog(head.path);
    this.#requestFrames = 0;
    const planned = planPush(head, this.#ctx.policyFor);
    this.#path = planned.path;
    if ("input" in planned) return this.#audioHead(head, planned);
    const plan = planned;
    const publishing = this.#publish(plan);
    const target = {
      sink: publishing.sink,
      h264: publishing.h264,
      // Asked once per frame (per access unit for H.264), so it counts them too.
      stamp: (deviceUs: number | undefined) => {
        this.#requestFrames++;
        publishing.frames++;
        return publishing.smoother.next(deviceUs, this.#ctx.now() * 1000);
      },
    };
    this.#body = new BodyReader(
      plan.format,
      target,
      plan.policy.maxFrameBytes,
      plan.timestampUs,
      plan.encoding,
    );
    if (plan.websocket) this.#upgrade(head, plan.policy.maxFrameBytes);
    // curl asks before sending a large body (RFC 9110 §10.1.1) and waits a second for this.
    else if (head.headers["expect"]?.toLowerCase() === "100-continue") {
      this.#write(formatResponse(100, "Continue", {}));
    }
  }

  #end(): void {
    if (this.#audio) {
      this.#audio.end();
      this.#logAudioStopped("device stopped publishing audio");
      this.#release();
      return this.#respond(204);
    }
    this.#body?.end();
    this.#body = undefined;
    // A request of one frame is one frame of a device that posts each frame: it stops when no
    // request follows, which the parked sink's expiry tells (ingest_server.ts).
    const streamed = this.#requestFrames > 1 && this.#publishing !== undefined;
    if (streamed) this.#logStopped(this.#publishing!);
    // The path is free between requests; its sink waits in the cache for the next one. A device
    // that posts frame by frame is still there; one whose stream of frames ended has left.
    this.#release(true, streamed ? `device ${this.#peer} stopped publishing` : undefined);
    this.#respond(204);
  }

  /** The device ended its upload cleanly (the last chunk, or a WebSocket close). */
  #logStopped(p: Publishing): void {
    this.#ctx.logger.log("info", "device stopped publishing; readers stay", {
      path: p.path,
      peer: this.#peer,
      frames: p.frames,
    });
    p.frames = 0;
    p.stopLogged = true;
  }

  /**
   * Starts an audio push: one per path at a time, a silent one taken over (takeover.ts). Its
   * bytes go to the path's video stream as its audio track (audio_ingest.ts).
   */
  #audioHead(head: HttpRequestHead, plan: AudioPlan): void {
    const holder = this.#ctx.audioHolders.get(plan.path);
    if (holder && holder !== this) {
      const { take, silentMs } = takeoverOf(holder, this.#ctx.now());
      if (!take) {
        throw new IngestError(
          409,
          busyReason(`${plan.path}'s audio is being pushed by ingest ${holder.peer}`, silentMs),
        );
      }
      this.#ctx.logger.log("info", "silent device audio replaced by a new push", {
        path: plan.path,
        peer: holder.peer,
        by: this.#peer,
        silentMs,
      });
      holder.close();
    }
    this.#release();
    this.#audio = new AudioIngest(plan, this.#ctx, this.#peer, head.chunked);
    this.#ctx.audioHolders.set(plan.path, this);
    if (plan.websocket) this.#upgrade(head, this.#audio.maxMessageBytes);
    else if (head.headers["expect"]?.toLowerCase() === "100-continue") {
      this.#write(formatResponse(100, "Continue", {}));
    }
  }

  #logAudioStopped(message: string): void {
    const audio = this.#audio!;
    this.#ctx.logger.log("info", message, {
      path: audio.path,
      peer: this.#peer,
      frames: audio.frames,
      ...(audio.dropped ? { droppedFrames: audio.dropped } : {}),
      // Many means the device's sample clock is off its rate, or its network stalls.
      ...(audio.reanchored ? { reanchored: audio.reanchored } : {}),
    });
  }

  /** Claims the path (or keeps the claim this connection already has for the same format). */
  #publish(plan: IngestPlan): Publishing {
    const codec = plan.format.kind !== "h264" && plan.format.kind !== "raw" &&
        plan.policy.jpeg === "rtp-jpeg"
      ? "jpeg" as const
      : "h264" as const;
    const key = `${plan.path} ${JSON.stringify(plan.format)} ${codec}`;
    this.#release();
    const publication = this.#claim(plan.path, {
      codec,
      publisher: `ingest ${this.#peer}`,
      replace: plan.policy.replace,
      continuesClock: this.#ctx.sinks.has(key), // its parked clock carries on
      onReplaced: () => {
        this.#ctx.logger.log("info", "device replaced by another publisher", {
          path: plan.path,
          peer: this.#peer,
        });
        this.close();
      },
    });
    this.#ctx.holders.set(plan.path, this);
    const { stream } = publication;
    const parked = this.#ctx.sinks.take(key, stream);
    if (parked) {
      this.#publishing = { ...parked, peer: this.#peer, key, publication };
      // The device stopped cleanly a moment ago and is back: the log says so, as for a new one.
      if (parked.stopLogged) this.#logPublishing(this.#publishing, plan.format.kind, codec);
      return this.#publishing;
    }
    const publishing: Publishing = {
      path: plan.path,
      peer: this.#peer,
      frames: 0,
      stopLogged: false,
      key,
      publication,
      stream,
      smoother: new TimestampSmoother(undefined, this.#timelineOf(stream)),
    };
    const settings = { bitrate: plan.policy.bitrate, gop: plan.policy.gop, fps: 30 };
    const format = plan.format;
    if (format.kind === "h264") {
      publishing.h264 = new H264Passthrough(stream, plan.policy.maxFrameBytes);
    } else if (format.kind === "raw") {
      if (format.framerate) settings.fps = format.framerate;
      publishing.sink = new EncodingSink(stream, settings, this.#ctx, format);
    } else {
      publishing.sink = codec === "jpeg"
        ? new JpegRtpSink(stream)
        : new EncodingSink(stream, settings, this.#ctx);
    }
    this.#publishing = publishing;
    this.#logPublishing(publishing, format.kind, codec);
    return publishing;
  }

  /** The device clock mapping of `stream`, which the path's audio shares. */
  #timelineOf(stream: LiveStream): DeviceTimeline {
    let timeline = this.#ctx.timelines.get(stream);
    if (!timeline) this.#ctx.timelines.set(stream, timeline = new DeviceTimeline());
    return timeline;
  }

  #logPublishing(p: Publishing, format: string, codec: string): void {
    p.stopLogged = false;
    this.#ctx.logger.log("info", "device publishing", {
      path: p.path,
      peer: this.#peer,
      format,
      as: codec,
    });
  }

  /**
   * Claims `path`, taking it over from an ingest connection that holds it but has gone silent (its
   * device restarted). Throws {@link IngestError} 409 when the path stays busy.
   */
  #claim(path: string, options: PublishOptions): Publication {
    try {
      return this.#ctx.rtsp.publish(path, options);
    } catch (error) {
      if (!(error instanceof PathBusyError)) throw error;
      const holder = this.#ctx.holders.get(path);
      // Held by an RTSP publisher, or served by a local source: not ours to judge.
      if (!holder) throw new IngestError(409, error.message);
      const { take, silentMs } = takeoverOf(holder, this.#ctx.now());
      if (!take) throw new IngestError(409, busyReason(error.message, silentMs));
      this.#ctx.logger.log("info", "silent device replaced by a new push", {
        path,
        peer: holder.peer,
        by: this.#peer,
        silentMs,
      });
      holder.close(); // gives the path up
    }
    try {
      return this.#ctx.rtsp.publish(path, options);
    } catch (error) {
      if (error instanceof PathBusyError) throw new IngestError(409, error.message);
      throw error;
    }
  }

  /**
   * Gives the path up; `park` keeps the sink for the path's next request, and `goneReason` says the
   * device has left (see Publication.release).
   */
  #release(park = false, goneReason?: string): void {
    const audio = this.#audio;
    if (audio) {
      this.#audio = undefined;
      if (this.#ctx.audioHolders.get(audio.path) === this) {
        this.#ctx.audioHolders.delete(audio.path);
      }
    }
    const p = this.#publishing;
    if (!p) return;
    this.#publishing = undefined;
    p.publication.release(goneReason);
    if (this.#ctx.holders.get(p.path) === this) this.#ctx.holders.delete(p.path);
    if (park && p.publication.stream === p.stream) {
      this.#ctx.sinks.park(p.key, {
        path: p.path,
        peer: p.peer,
        frames: p.frames,
        stopLogged: p.stopLogged,
        stream: p.stream,
        streamFrames: p.stream.stats.frames,
        sink: p.sink,
        h264: p.h264,
        smoother: p.smoother,
      });
      return;
    }
    p.sink?.close().catch(() => {});
  }

  // --- the console, API, metrics, snapshots and preview (src/http) ---

  #webHead(head: HttpRequestHead): void {
    this.headSince = undefined;
    this.#path = undefined;
    if (head.upgrade === "websocket") return this.#webUpgrade(head);
    if ((head.contentLength ?? 0) > MAX_WEB_BODY_BYTES) {
      throw new IngestError(413, `a request here takes at most ${MAX_WEB_BODY_BYTES} bytes`);
    }
    this.#webRequest = { head, chunks: [], size: 0 };
  }

  #webEvent(event: HttpEvent): void {
    const request = this.#webRequest!;
    if (event.kind === "body") {
      request.size += event.data.length;
      if (request.size > MAX_WEB_BODY_BYTES) {
        throw new IngestError(413, `a request here takes at most ${MAX_WEB_BODY_BYTES} bytes`);
      }
      request.chunks.push(event.data.slice());
    } else if (event.kind === "end") {
      this.#webRequest = undefined;
      this.#answer(request.head, concatChunks(request.chunks, request.size));
    }
  }

  #info() {
    return { peer: this.#peer, secure: this.#tcp.secure === true };
  }

  /** Hands a whole request to the web handler and writes its answer; what follows waits. */
  #answer(head: HttpRequestHead, body: Uint8Array): void {
    this.#answering = true;
    const keepAlive = wantsKeepAlive(head);
    (async () => {
      let response: Response;
      try {
        response = await this.#ctx.web!.handle(toRequest(head, body), this.#info());
      } catch (error) {
        this.#ctx.logger.log("error", "console request failed", {
          peer: this.#peer,
          target: head.target.slice(0, 200),
          error: String(error),
        });
        response = new Response("internal error\n", { status: 500 });
      }
      return await responseBytes(response, head.method, keepAlive);
    })().then((bytes) => {
      if (this.#closed) return;
      this.#write(bytes);
      this.lastActivity = this.#ctx.now();
      if (!keepAlive) {
        this.#closed = true;
        this.#tcp.end();
        return;
      }
      this.#answering = false;
      const queued = this.#queued;
      this.#queued = [];
      this.#handleEvents(queued);
    }).catch((error) => this.#fail(error));
  }

  #webUpgrade(head: HttpRequestHead): void {
    const key = this.#leaveHttp(head);
    (async () => {
      const answer = await this.#ctx.web!.socket?.(toRequest(head, undefined), this.#info());
      if (answer === undefined) return new Response("not found\n", { status: 404 });
      return answer;
    })().then(async (answer) => {
      if (this.#closed) {
        if (!(answer instanceof Response)) answer.closed();
        return;
      }
      if (answer instanceof Response) {
        this.#write(await responseBytes(answer, head.method, false));
        this.#closed = true;
        this.#tcp.end();
        return;
      }
      this.#wsSession = answer;
      this.#acceptSocket(key, MAX_WEB_MESSAGE_BYTES, () => answer.open(this.#socketPeer()));
    }).catch((error) => this.#fail(error));
  }

  #socketPeer() {
    const send = (opcode: number, data: Uint8Array) => {
      if (this.#closed) return;
      this.#write(encodeFrame(opcode, data));
      this.lastActivity = this.#ctx.now(); // a preview only sends; it is not idle
    };
    const tcp = this.#tcp;
    return {
      send: (data: Uint8Array) => send(0x2, data),
      sendText: (text: string) => send(0x1, new TextEncoder().encode(text)),
      get bufferedBytes() {
        return tcp.bufferedBytes;
      },
      close: (code: number, reason: string) => {
        if (this.#closed) return;
        this.#write(encodeFrame(0x8, closePayload(code, reason.slice(0, 120))));
        this.#closed = true;
        this.#tcp.end();
        this.#endSession();
      },
    };
  }

  #endSession(): void {
    const session = this.#wsSession;
    this.#wsSession = undefined;
    try {
      session?.closed();
    } catch (error) {
      this.#ctx.logger.log("error", "console socket failed", { error: String(error) });
    }
  }

  // --- WebSocket (RFC 6455) ---

  #upgrade(head: HttpRequestHead, maxMessageBytes: number): void {
    this.#acceptSocket(this.#leaveHttp(head), maxMessageBytes);
  }

  /**
   * Checks an upgrade request's handshake fields (RFC 6455 §4.2.1) and stops parsing HTTP: what
   * follows waits for the 101. Returns the client's key.
   */
  #leaveHttp(head: HttpRequestHead): string {
    const key = head.headers["sec-websocket-key"];
    if (!key || head.headers["sec-websocket-version"]?.trim() !== "13") {
      throw new IngestError(400, "a WebSocket upgrade needs Sec-WebSocket-Key and version 13");
    }
    // Bytes that came after the upgrade request in the same read are the first WebSocket frames.
    const rest = this.#http!.takeRemainder();
    this.#http = undefined;
    this.#wsBacklog = rest.length ? [rest.slice()] : [];
    return key;
  }

  /** Sends the 101 (RFC 6455 §4.2.2), then reads the frames that waited for it. */
  #acceptSocket(key: string, maxMessageBytes: number, opened?: () => void): void {
    acceptKey(key).then((accept) => {
      if (this.#closed) return;
      this.#write(formatResponse(101, REASONS[101], {
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Sec-WebSocket-Accept": accept,
      }));
      this.#ws = new WebSocketParser(maxMessageBytes);
      opened?.();
      const backlog = this.#wsBacklog ?? [];
      this.#wsBacklog = undefined;
      try {
        for (const bytes of backlog) this.#wsData(bytes);
      } catch (error) {
        this.#fail(error);
      }
    }, (error) => this.#fail(error));
  }

  #wsData(bytes: Uint8Array): void {
    for (const m of this.#ws!.push(bytes)) {
      if (this.#wsSession && (m.kind === "binary" || m.kind === "text")) {
        this.#wsSession.message?.(m.kind === "text" ? new TextDecoder().decode(m.data) : m.data);
      } else if (m.kind === "binary") {
        if (this.#audio) this.#audio.message(m.data, this.#wsTimestamp);
        else this.#body!.message(m.data, this.#wsTimestamp);
        this.#wsTimestamp = undefined;
      } else if (m.kind === "text") {
        const ts = /^ts=(\d{1,16})$/.exec(new TextDecoder().decode(m.data).trim());
        if (!ts) throw new WebSocketError(1003, 'text messages must be "ts=<microseconds>"');
        this.#wsTimestamp = Number(ts[1]);
      } else if (m.kind === "ping") {
        this.#write(encodeFrame(0xa, m.data));
      } else if (m.kind === "close") {
        this.#write(encodeFrame(0x8, closePayload(1000, "")));
        if (this.#publishing) this.#logStopped(this.#publishing);
        if (this.#audio) this.#logAudioStopped("device stopped publishing audio");
        this.#tcp.end();
        this.#closed = true;
        this.#release(false, `device ${this.#peer} stopped publishing`);
        this.#endSession();
        return;
      }
    }
  }

  // --- answers ---

  #respond(status: number, reason = ""): void {
    const body = reason ? new TextEncoder().encode(reason + "\n") : undefined;
    const headers: Record<string, string> = {};
    if (body) headers["Content-Type"] = "text/plain; charset=utf-8";
    if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="rtsp-edge"';
    if (status >= 400) headers["Connection"] = "close";
    this.#write(formatResponse(status, REASONS[status] ?? "Error", headers, body));
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    // The request being read, even when its head was refused before it was complete (411, 431).
    const path = this.path;
    if (this.#ws || this.#wsBacklog) {
      const code = error instanceof WebSocketError
        ? error.closeCode
        : error instanceof IngestError && error.status === 413
        ? 1009
        : 1008;
      const reason = (error as Error).message.slice(0, 120);
      this.#ctx.logger.log("warn", "ingest refused", { peer: this.#peer, path, code, reason });
      if (this.#ws) this.#write(encodeFrame(0x8, closePayload(code, reason)));
    } else {
      const status = error instanceof IngestError
        ? error.status
        : (error as { status?: number }).status ?? 500;
      const reason = error instanceof Error ? error.message : String(error);
      this.#ctx.logger.log("warn", "ingest refused", { peer: this.#peer, path, status, reason });
      this.#respond(status, reason);
    }
    this.#closed = true;
    this.#release(false, `device ${this.#peer}'s upload was refused`);
    this.#tcp.end();
  }

  #write(bytes: Uint8Array): void {
    this.#tcp.write(bytes);
  }
}

/**
 * Whether `head` is a device's request whose body is compressed (`Content-Encoding` other than
 * identity), so fflate must be loaded before its body is read. A console request (`web`: the
 * port also serves the console, and this is not an `/ingest/` path) never is.
 */
function needsInflate(head: HttpRequestHead, web: boolean): boolean {
  if (web && !head.path.startsWith("/ingest/")) return false;
  const encoding = head.headers["content-encoding"]?.trim().toLowerCase();
  return encoding !== undefined && encoding !== "" && encoding !== "identity";
}

function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function closePayload(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}
