/**
 * Server settings: what can be set, the defaults (HARDENING.md), and the up-front checks that turn a
 * bad value into a sentence naming it.
 *
 * @module
 */

import { type AccessRules, resolveAccess, type ResolvedAccess } from "../auth/rights.ts";
import { DEFAULT_LIMITS, type RtspLimits } from "../rtsp/parser.ts";
import type { Network } from "../runtime/net.ts";
import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { ServerHooks } from "./hooks.ts";

/** Everything {@link resolveOptions} accepts; every field is optional. */
export interface ServeOptions {
  /** TCP port for RTSP. Default 8554; 0 picks a free port (see `server.port`). */
  port?: number;
  /** Address to listen on. Default `0.0.0.0` (all IPv4 interfaces). */
  hostname?: string;
  /** First port of the UDP RTP/RTCP pair (even). Default 0: a free pair is picked. */
  rtpPort?: number;
  /** Largest RTP payload in bytes; larger NAL units are fragmented (FU-A). Default 1400. */
  maxPayloadSize?: number;
  /** Seconds without a sign of life before a session ends; advertised in `Session:`. Default 60. */
  sessionTimeout?: number;
  /** Seconds a client has to send a whole request header, counted from its first byte. Default 10. */
  headerTimeout?: number;
  /** Seconds a reader may leave its queued data unread before it is disconnected. Default 10. */
  writeTimeout?: number;
  /** Bytes queued for one reader before its frames are dropped until the next keyframe. Default 8 MiB. */
  maxQueueBytes?: number;
  /** Frames queued for one reader before its frames are dropped until the next keyframe. Default 600. */
  maxQueueFrames?: number;
  /** Open RTSP connections, in total. Default 1024. */
  maxConnections?: number;
  /** Open RTSP connections from one IP address. Default 128. */
  maxConnectionsPerIp?: number;
  /** Sessions, in total. Default 1024. */
  maxSessions?: number;
  /** Sessions from one IP address. Default 128. */
  maxSessionsPerIp?: number;
  /** Largest access unit a publisher (RTSP RECORD) may send, bytes; larger ones are dropped. Default 8 MiB. */
  maxAccessUnitSize?: number;
  /**
   * Which paths RTSP clients may publish to (ANNOUNCE/RECORD): the rule for a normalized path
   * (e.g. `/cam`), or undefined to refuse publishing there (403). `replace: true` lets a new
   * publisher take the path from the one holding it (whose connection is closed) instead of
   * being refused. Default: any path, without replacing.
   */
  publishers?: (path: string) => { replace?: boolean } | undefined;
  /** Size caps for requests; see HARDENING.md for the defaults. */
  limits?: Partial<RtspLimits>;
  /**
   * Users and per-path read/publish rights (Digest MD5 and Basic, IP allow-lists). Default:
   * everything open to everyone.
   */
  access?: AccessRules;
  /**
   * RTSPS: also listen for RTSP over TLS on `port` (0 picks a free one; see `server.tlsPort`), with
   * a PEM certificate and private key. Same streams and sessions as plain RTSP; media goes only
   * interleaved in the TLS connection. Default: none.
   */
  tls?: { port: number; cert: string; key: string };
  /**
   * Lifecycle callbacks: connections, DESCRIBE (which may refuse, or make an on-demand stream),
   * and every session's open, play, pause, record and close with its reason. Default: none.
   */
  hooks?: ServerHooks;
  /** Seconds `hooks.onDescribe` may take before the DESCRIBE is answered 503. Default 10. */
  describeTimeout?: number;
  /** Receives log lines; silent by default. */
  logger?: Logger;
  /** Clocks; the system's by default. For tests. */
  clock?: Clock;
  /**
   * Network implementation; Bun's native sockets under Bun, `node:net`/`node:dgram` elsewhere.
   * For tests.
   */
  network?: Network;
}

/** {@link ServeOptions} with every default filled in. */
export interface ResolvedOptions {
  /** See {@link ServeOptions.port}. */
  port: number;
  /** See {@link ServeOptions.hostname}. */
  hostname: string;
  /** See {@link ServeOptions.rtpPort}. */
  rtpPort: number;
  /** See {@link ServeOptions.maxPayloadSize}. */
  maxPayloadSize: number;
  /** See {@link ServeOptions.sessionTimeout}. */
  sessionTimeout: number;
  /** See {@link ServeOptions.headerTimeout}. */
  headerTimeout: number;
  /** See {@link ServeOptions.writeTimeout}. */
  writeTimeout: number;
  /** See {@link ServeOptions.maxQueueBytes}. */
  maxQueueBytes: number;
  /** See {@link ServeOptions.maxQueueFrames}. */
  maxQueueFrames: number;
  /** See {@link ServeOptions.maxConnections}. */
  maxConnections: number;
  /** See {@link ServeOptions.maxConnectionsPerIp}. */
  maxConnectionsPerIp: number;
  /** See {@link ServeOptions.maxSessions}. */
  maxSessions: number;
  /** See {@link ServeOptions.maxSessionsPerIp}. */
  maxSessionsPerIp: number;
  /** See {@link ServeOptions.maxAccessUnitSize}. */
  maxAccessUnitSize: number;
  /** See {@link ServeOptions.publishers}. */
  publishers: (path: string) => { replace?: boolean } | undefined;
  /** See {@link ServeOptions.limits}. */
  limits: RtspLimits;
  /** See {@link ServeOptions.access}; undefined when open. */
  access: ResolvedAccess | undefined;
  /** See {@link ServeOptions.tls}; undefined: no RTSPS. */
  tls: { port: number; cert: string; key: string } | undefined;
  /** See {@link ServeOptions.hooks}; empty when none were given. */
  hooks: ServerHooks;
  /** See {@link ServeOptions.describeTimeout}. */
  describeTimeout: number;
}

function integer(name: string, value: unknown, min: number, max: number, unit = ""): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new RangeError(`${name} must be an integer from ${min} to ${max}${unit}, got ${got}`);
  }
  return value;
}

function seconds(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 86400) {
    throw new RangeError(`${name} must be a number of seconds above 0, got ${String(value)}`);
  }
  return value;
}

const ANY_PATH: { replace?: boolean } = Object.freeze({ replace: false });

function publishRules(value: unknown): (path: string) => { replace?: boolean } | undefined {
  if (value === undefined) return () => ANY_PATH;
  if (typeof value !== "function") {
    throw new TypeError(`publishers must be a function of a path, got ${typeof value}`);
  }
  return value as (path: string) => { replace?: boolean } | undefined;
}

/** Fills in defaults and checks every value, throwing a `RangeError`/`TypeError` that names it. */
export function resolveOptions(options: ServeOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("serve() options must be an object");
  }
  const hostname = options.hostname ?? "0.0.0.0";
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(`hostname must be a non-empty string, got ${String(hostname)}`);
  }
  const rtpPort = integer("rtpPort", options.rtpPort ?? 0, 0, 65534);
  if (rtpPort % 2 !== 0) {
    throw new RangeError(`rtpPort must be even (RTCP takes the next port), got ${rtpPort}`);
  }
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [key, value] of Object.entries(limits)) {
    integer(`limits.${key}`, value, 1, 64 * 1024 * 1024);
  }
  return {
    port: integer("port", options.port ?? 8554, 0, 65535),
    hostname,
    rtpPort,
    maxPayloadSize: integer("maxPayloadSize", options.maxPayloadSize ?? 1400, 100, 65000, " bytes"),
    sessionTimeout: seconds("sessionTimeout", options.sessionTimeout ?? 60),
    headerTimeout: seconds("headerTimeout", options.headerTimeout ?? 10),
    writeTimeout: seconds("writeTimeout", options.writeTimeout ?? 10),
    maxQueueBytes: integer("maxQueueBytes", options.maxQueueBytes ?? 8 << 20, 1024, 2 ** 31),
    maxQueueFrames: integer("maxQueueFrames", options.maxQueueFrames ?? 600, 1, 1_000_000),
    maxConnections: integer("maxConnections", options.maxConnections ?? 1024, 1, 1_000_000),
    maxConnectionsPerIp: integer(
      "maxConnectionsPerIp",
      options.maxConnectionsPerIp ?? 128,
      1,
      1_000_000,
    ),
    maxSessions: integer("maxSessions", options.maxSessions ?? 1024, 1, 1_000_000),
    maxSessionsPerIp: integer("maxSessionsPerIp", options.maxSessionsPerIp ?? 128, 1, 1_000_000),
    maxAccessUnitSize: integer(
      "maxAccessUnitSize",
      options.maxAccessUnitSize ?? 8 << 20,
      1024,
      1 << 30,
      " bytes",
    ),
    publishers: publishRules(options.publishers),
    limits,
    access: options.access === undefined ? undefined : resolveAccess(options.access),
    tls: tlsOptions(options.tls, options.port ?? 8554),
    hooks: hookOptions(options.hooks),
    describeTimeout: seconds("describeTimeout", options.describeTimeout ?? 10),
  };
}

const HOOK_NAMES = [
  "onConnectionOpen",
  "onConnectionClose",
  "onDescribe",
  "onSessionOpen",
  "onPlay",
  "onPause",
  "onRecord",
  "onSessionClose",
] as const;

function hookOptions(value: unknown): ServerHooks {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`hooks must be an object of callbacks, got ${String(value)}`);
  }
  const hooks = value as Record<string, unknown>;
  for (const name of Object.keys(hooks)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) {
      // A misspelt hook would otherwise be silently never called.
      throw new TypeError(`hooks.${name} is not a hook; known: ${HOOK_NAMES.join(", ")}`);
    }
    if (hooks[name] !== undefined && typeof hooks[name] !== "function") {
      throw new TypeError(`hooks.${name} must be a function, got ${typeof hooks[name]}`);
    }
  }
  return value as ServerHooks;
}

function tlsOptions(
  value: unknown,
  rtspPort: number,
): { port: number; cert: string; key: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) {
    throw new TypeError("tls must be an object { port, cert, key }");
  }
  const { port, cert, key } = value as Record<string, unknown>;
  const tlsPort = integer("tls.port", port, 0, 65535);
  if (tlsPort !== 0 && tlsPort === rtspPort) {
    throw new RangeError(`tls.port must differ from port (RTSP), both are ${tlsPort}`);
  }
  for (const [name, pem] of [["tls.cert", cert], ["tls.key", key]] as const) {
    if (typeof pem !== "string" || !pem.includes("-----BEGIN ")) {
      // A file name here is the likely mistake: the text is wanted, not where it is.
      const got = typeof pem === "string" ? JSON.stringify(pem.slice(0, 40)) : typeof pem;
      throw new TypeError(`${name} must be PEM text (-----BEGIN ...), got ${got}`);
    }
  }
  return { port: tlsPort, cert: cert as string, key: key as string };
}
