/**
 * The public server, and the composition root of `src/server`: {@link serve} makes the core,
 * listens for RTSP on TCP (and RTSPS on TLS when asked), makes a client connection for each accepted
 * socket, binds the UDP RTP/RTCP pair, and runs the housekeeping tick; streams are added with
 * {@link RtspServer.addStream}. This is the only file that knows both the core and the client
 * connection class.
 *
 * @module
 */

import { describeSystemError } from "../runtime/files.ts";
import { defaultNetwork } from "../runtime/default_network.ts";
import type {
  ConnectionHandler,
  Network,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "../runtime/net.ts";
import { systemClock } from "../base/clock.ts";
import { silentLogger } from "../base/log.ts";
import { RtspConnection } from "./client/connection.ts";
import { ServerCore, type ServerStats } from "./core.ts";
import { normalizePath } from "./request_target.ts";
import {
  type PathSnapshot,
  pathSnapshots,
  type SessionSnapshot,
  sessionSnapshots,
} from "./introspection.ts";
import { resolveOptions, type ServeOptions } from "./options.ts";
import type { Publication, PublishOptions } from "./publishers.ts";
import type { StreamOptions } from "./stream/stream.ts";
import type { LiveStream } from "./stream/live_stream.ts";
import type { UdpPair } from "./stream/transport.ts";
import type { Tap, TapSink } from "./tap.ts";

const TICK_MS = 1000;

/** A running RTSP server. Made by {@link serve}. */
export class RtspServer {
  #core: ServerCore;
  #listener: TcpListener;
  #udp: UdpPair;
  #tlsListener: TcpListener | undefined;
  #ticker: ReturnType<typeof setInterval>;
  #closed: Promise<void> | undefined;

  /** Use {@link serve}. */
  constructor(core: ServerCore, listener: TcpListener, udp: UdpPair, tlsListener?: TcpListener) {
    this.#core = core;
    this.#listener = listener;
    this.#udp = udp;
    this.#tlsListener = tlsListener;
    core.udp = udp;
    this.#ticker = setInterval(() => {
      try {
        core.tick();
      } catch (error) {
        core.logger.log("error", "housekeeping failed", { error: String(error) });
      }
    }, TICK_MS);
  }

  /** The TCP port RTSP listens on (the real one when port 0 was asked for). */
  get port(): number {
    return this.#listener.address.port;
  }

  /** The TCP port RTSPS (RTSP over TLS) listens on; undefined without the `tls` option. */
  get tlsPort(): number | undefined {
    return this.#tlsListener?.address.port;
  }

  /** The address RTSP listens on. */
  get hostname(): string {
    return this.#listener.address.hostname;
  }

  /** The UDP ports used for RTP and RTCP. */
  get rtpPorts(): [number, number] {
    return [this.#udp.rtp.address.port, this.#udp.rtcp.address.port];
  }

  /** Counters: connections, sessions, and what was refused or reaped. */
  get stats(): ServerStats {
    return this.#core.stats;
  }

  /**
   * The URL of a path on this server. `host` defaults to the listening address, or `localhost` when
   * listening on every interface.
   */
  url(path: string, host?: string): string {
    return this.#url("rtsp", this.port, path, host);
  }

  /**
   * The `rtsps://` URL of a path on the TLS port, as {@link RtspServer.url} makes it. Throws when
   * the server was started without the `tls` option.
   */
  tlsUrl(path: string, host?: string): string {
    const port = this.tlsPort;
    if (port === undefined) throw new Error("this server does not serve RTSPS (no tls option)");
    return this.#url("rtsps", port, path, host);
  }

  #url(scheme: string, port: number, path: string, host: string | undefined): string {
    let h = host ?? this.hostname;
    if (host === undefined && (h === "0.0.0.0" || h === "::")) h = "localhost";
    if (h.includes(":") && !h.startsWith("[")) h = `[${h}]`;
    return `${scheme}://${h}:${port}${path.startsWith("/") ? path : "/" + path}`;
  }

  /**
   * Serves a new live stream at `path`, e.g. `"/stream"`. Frames sent to it reach every reader.
   * Throws `RangeError` when the path is malformed or already taken.
   */
  addStream(path: string, options: StreamOptions): LiveStream {
    return this.#core.addStream(path, options);
  }

  /**
   * Claims `path` for a publisher that pushes frames from outside (a device, an RTSP RECORD
   * client): the stream is created on first use and kept when the publisher leaves, so readers
   * stay connected and the next publisher continues it. Throws {@link PathBusyError} when another
   * publisher holds the path (unless `replace`), and `RangeError` for a malformed path.
   */
  publish(path: string, options: PublishOptions): Publication {
    return this.#core.publishers.claim(normalizePath(path), options);
  }

  /** The stream at `path`, if any. */
  getStream(path: string): LiveStream | undefined {
    try {
      return this.#core.mounts.get(normalizePath(path));
    } catch {
      return undefined;
    }
  }

  /**
   * Reads the stream at `path` in process, as an RTSP reader would: `sink` gets each frame's RTP
   * packets from a keyframe on, within the same queue limits (`maxQueueBytes`, `maxQueueFrames`),
   * whole frames dropped to the next keyframe when it falls behind. What a push to another server
   * reads. The tap counts as a reader (`readerCount`, `onReaders`), so an on-demand source runs
   * while it is open. It ends (`sink.ended`) when the stream is removed or the server closes.
   * Throws when no stream is served at `path`, and `RangeError` for a malformed path.
   *
   * @example
   * ```ts
   * import { serve } from "@x/rtsp";
   *
   * const server = await serve({ port: 0, hostname: "127.0.0.1" });
   * server.addStream("/cam", { codec: "h264" });
   * const tap = server.tap("/cam", {
   *   frame: (frame) => console.log(frame.packetViews.length, "packets"),
   *   queuedBytes: 0,
   *   queuedFrames: 0,
   * });
   * tap.close();
   * await server.close();
   * ```
   */
  tap(path: string, sink: TapSink): Tap {
    if (typeof sink?.frame !== "function") {
      throw new TypeError("sink must be an object with a frame(frame) method");
    }
    return this.#core.tap(normalizePath(path), sink);
  }

  /**
   * Every live session, then every open tap (an in-process reader: a push, a preview), with what
   * it sent or received so far. A snapshot: counters do not move in the objects returned.
   *
   * @example
   * ```ts
   * import { serve } from "@x/rtsp";
   *
   * const server = await serve({ port: 0, hostname: "127.0.0.1" });
   * for (const s of server.sessions()) console.log(s.id, s.role, s.path, s.peer, s.bytesSent);
   * await server.close();
   * ```
   */
  sessions(): SessionSnapshot[] {
    return sessionSnapshots(this.#core);
  }

  /**
   * Ends the session (or tap) with this id, reason `"kicked"`; the session hooks fire as for any
   * other end. A session bound to its connection (interleaved media, a publisher) closes that
   * connection too. Returns whether there was one.
   */
  kick(id: string): boolean {
    return this.#core.kick(id);
  }

  /**
   * Every served path: codec, picture, whether a source feeds it, readers, the frames and bytes
   * that came in and went out, and who publishes it. A snapshot, as {@link RtspServer.sessions}.
   */
  paths(): PathSnapshot[] {
    return pathSnapshots(this.#core);
  }

  /** Stops serving `path`; its readers' sessions end. Returns whether there was a stream there. */
  removeStream(path: string): boolean {
    return this.#core.removeStream(path);
  }

  /** Ends every session and connection and releases the ports. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#ticker);
      this.#core.closeAll();
      this.#core.endTaps("server closed");
      for (const stream of this.#core.mounts.values()) stream.close();
      await Promise.all([
        this.#listener.close(),
        this.#tlsListener?.close(),
        this.#udp.rtp.close(),
        this.#udp.rtcp.close(),
      ]);
    })();
    return this.#closed;
  }
}

/**
 * Starts an RTSP server.
 *
 * @example
 * ```ts
 * import { serve } from "@x/rtsp";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const stream = server.addStream("/stream", { codec: "h264" });
 * console.log(`open ${server.url("/stream")}`);
 * // stream.sendFrame(annexBAccessUnit, { timestamp: microseconds });
 * await server.close();
 * ```
 */
export async function serve(options: ServeOptions = {}): Promise<RtspServer> {
  const resolved = resolveOptions(options);
  const network = options.network ?? await defaultNetwork();
  const core = new ServerCore(
    resolved,
    options.clock ?? systemClock,
    options.logger ?? silentLogger,
  );
  // Checked before any port is taken: a network given for tests may not speak TLS. node:tls (and
  // the crypto it brings) is loaded only for a server that serves RTSPS.
  const tlsListen = options.network
    ? options.network.listenTls?.bind(options.network)
    : resolved.tls
    ? (await import("../runtime/node_tls.ts")).listenTls
    : undefined;
  if (resolved.tls && !tlsListen) throw new TypeError("the network given to serve() has no TLS");
  const accept = (tcp: TcpConnection): ConnectionHandler => {
    const conn = connect(core, tcp);
    if (!conn) {
      tcp.destroy();
      return { data() {}, written() {}, closed() {} };
    }
    return conn;
  };
  const udp = await bindUdpPair(network, core, resolved.hostname, resolved.rtpPort);
  let listener: TcpListener;
  try {
    listener = await network.listenTcp(
      { hostname: resolved.hostname, port: resolved.port },
      accept,
    );
  } catch (error) {
    await Promise.all([udp.rtp.close(), udp.rtcp.close()]);
    throw listenError("RTSP", resolved.hostname, resolved.port, error);
  }
  let tlsListener: TcpListener | undefined;
  if (resolved.tls && tlsListen) {
    const { port, cert, key } = resolved.tls;
    try {
      // The same accept: a TLS connection joins the same caps, streams and sessions table.
      tlsListener = await tlsListen({ hostname: resolved.hostname, port, cert, key }, accept);
    } catch (error) {
      await Promise.all([listener.close(), udp.rtp.close(), udp.rtcp.close()]);
      throw listenError("RTSPS (TLS)", resolved.hostname, port, error);
    }
  }
  return new RtspServer(core, listener, udp, tlsListener);
}

/**
 * Makes the client connection of an accepted socket, or undefined when the core refuses it at the
 * connection caps (the caller then closes the socket).
 */
export function connect(core: ServerCore, tcp: TcpConnection): RtspConnection | undefined {
  return core.accept(tcp.remote, (id) => new RtspConnection(core, tcp, id));
}

/** Binds RTP on an even port and RTCP on the next (RFC 3550 §11). */
async function bindUdpPair(
  network: Network,
  core: ServerCore,
  hostname: string,
  port: number,
): Promise<UdpPair> {
  // RTP from publishers (RECORD over UDP) becomes frames; from anyone else it is dropped.
  const rtpIn = core.rtpDatagram.bind(core);
  const rtcpIn = core.rtcpDatagram.bind(core);
  for (let attempt = 0; attempt < 50; attempt++) {
    let rtp: UdpSocket;
    try {
      rtp = await network.bindUdp({ hostname, port }, rtpIn);
    } catch (error) {
      throw listenError("RTP (UDP)", hostname, port, error);
    }
    const even = rtp.address.port;
    if (even % 2 === 0) {
      try {
        const rtcp = await network.bindUdp({ hostname, port: even + 1 }, rtcpIn);
        return { rtp, rtcp };
      } catch (error) {
        if (port !== 0) {
          await rtp.close();
          throw listenError("RTCP (UDP)", hostname, even + 1, error);
        }
      }
    }
    await rtp.close();
  }
  throw new Error(`could not find a free even/odd UDP port pair on ${hostname}`);
}

function listenError(what: string, hostname: string, port: number, cause: unknown): Error {
  const why = describeSystemError(cause, { listening: true });
  return new Error(`cannot listen for ${what} on ${hostname}:${port}: ${why}`, { cause });
}
