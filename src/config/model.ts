/**
 * The configuration model: what rtsp-edge runs, as one value. A config file (YAML or JSON) and the
 * command line's flags are two ways of writing it; both are checked by `check.ts` into this shape,
 * with every default filled in, so the program that starts it never asks where a setting came from.
 * Types only.
 *
 * @module
 */

import type { LogLevel } from "../base/log.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import type { UserCredential } from "../auth/credentials.ts";
import type { AuthMethod, PathAccess } from "../auth/rights.ts";

export type { LogLevel } from "../base/log.ts";

/** A picture size. */
export interface Size {
  /** Pixels, even, 16 to 4096. */
  width: number;
  /** Pixels, even, 16 to 4096. */
  height: number;
}

/** When a local source runs: always, or only while someone reads (mediamtx's `sourceOnDemand`). */
export interface OnDemandConfig {
  /** Run the source only while the path has readers. Default false. */
  onDemand: boolean;
  /** Milliseconds it runs on after the last reader left (`10s` in the file). Default 10 000. */
  onDemandCloseAfter: number;
}

/** How raw pictures become H.264. */
export interface EncodingConfig {
  /** Encoder bitrate, bits per second. Default 2 000 000. */
  bitrate: number;
  /** Encoder GOP length in frames. Default 30. */
  gop: number;
}

/** Servers a path is pushed to (ANNOUNCE and RECORD), as `rtsp://` or `rtsps://` URLs. */
export interface PushConfig {
  /** The servers, with credentials in the URL if they need them; absent: pushed nowhere. */
  push?: string[];
  /** How pushed media travels; absent with `push` means interleaved TCP. */
  pushTransport?: "tcp" | "udp";
}

/**
 * A path that devices push to over HTTP or WebSocket (`/ingest/<path>`): the ingest rules
 * (token, JPEG mode, replace, bitrate, GOP, frame cap) with their defaults filled in.
 */
export interface IngestPathConfig extends IngestPathPolicy, PushConfig {
  /** Discriminant. */
  source: "ingest";
}

/** A path that RTSP clients publish to with ANNOUNCE/RECORD (mediamtx's `source: publisher`). */
export interface PublisherPathConfig extends PushConfig {
  /** Discriminant. */
  source: "publisher";
  /** A new publisher takes the path from the one that holds it. Default false. */
  replace: boolean;
}

/** A V4L2 camera, captured and encoded. */
export interface CameraPathConfig extends OnDemandConfig, EncodingConfig, PushConfig {
  /** Discriminant. */
  source: "camera";
  /** The device, e.g. `/dev/video0`. */
  device: string;
  /** Capture size wanted; the nearest offered is used. Default 1280x720. */
  size: Size;
  /** Frame rate wanted. Default 30. */
  fps: number;
  /** Capture format to insist on (lower case), e.g. `"mjpeg"`; undefined: the cheapest. */
  format?: string;
}

/**
 * A file, looped, or standard input (`-`): H.264 Annex B served as it is, Y4M encoded, or raw
 * pictures (`format` and `size` given) encoded.
 */
export interface FilePathConfig extends OnDemandConfig, EncodingConfig, PushConfig {
  /** Discriminant. */
  source: "file";
  /** The file name, or `-` for standard input. */
  input: string;
  /** Raw picture layout (`i420`, `nv12`, `rgb24`, ...); undefined: told by the name or bytes. */
  format?: string;
  /** Picture size of raw input. */
  size?: Size;
  /** Frame rate override; undefined: the file's own, else 30. */
  fps?: number;
}

/** Moving colour bars with a frame counter and a clock. */
export interface TestPatternPathConfig extends OnDemandConfig, EncodingConfig, PushConfig {
  /** Discriminant. */
  source: "test-pattern";
  /** Picture size. Default 1280x720. */
  size: Size;
  /** Frame rate. Default 30. */
  fps: number;
}

/** How pulled JPEG is served: encoded to H.264 (what Frigate records), or as RTP/JPEG. */
export type JpegMode = "h264" | "rtp-jpeg";

/**
 * A camera's (or server's) RTSP stream, pulled once and served to every reader (`source:
 * rtsp://…` in the file). H.264 is served as it is; JPEG is encoded to H.264 unless `jpeg` says
 * otherwise.
 */
export interface RtspRelayPathConfig extends OnDemandConfig, EncodingConfig, PushConfig {
  /** Discriminant; the file writes the URL itself in `source`. */
  source: "rtsp";
  /** `rtsp://` or `rtsps://`, with credentials if the camera needs them. */
  url: string;
  /** UDP, interleaved TCP, or UDP falling back to TCP. Default `auto`. */
  rtspTransport: "auto" | "tcp" | "udp";
  /** How JPEG from the camera is served. Default `h264`. */
  jpeg: JpegMode;
}

/**
 * A camera's HTTP pictures (`source: http://…`): a `multipart/x-mixed-replace` MJPEG stream, or a
 * still JPEG polled `fps` times a second.
 */
export interface HttpRelayPathConfig extends OnDemandConfig, EncodingConfig, PushConfig {
  /** Discriminant; the file writes the URL itself in `source`. */
  source: "http";
  /** `http://` or `https://`, with credentials if the camera needs them. */
  url: string;
  /** Poll a still picture this many times a second; absent: the URL is an MJPEG stream. */
  fps?: number;
  /** How the pictures are served. Default `h264`. */
  jpeg: JpegMode;
}

/** What one path is made from, told apart by `source`. */
export type PathConfig =
  | IngestPathConfig
  | PublisherPathConfig
  | CameraPathConfig
  | FilePathConfig
  | TestPatternPathConfig
  | RtspRelayPathConfig
  | HttpRelayPathConfig;

/** The sources a path can have, as the file spells them. */
export type PathSource = PathConfig["source"];

/** The sources rtsp-edge runs itself (and so may be on demand): local ones and relays. */
export type LocalPathConfig =
  | CameraPathConfig
  | FilePathConfig
  | TestPatternPathConfig
  | RtspRelayPathConfig
  | HttpRelayPathConfig;

/**
 * mediamtx's name for the path that takes every path not named (`all_others`). Only pushed paths
 * (`ingest`, `publisher`) can have it: a local source serves one path.
 */
export const ALL_OTHERS = "all_others";

/** The HTTP port when none is given. */
export const DEFAULT_HTTP_PORT = 8080;

/**
 * The `auth` section with every path's `read`, `publish` and `allow` gathered in `paths`: what
 * `serve()` takes as `access` (see `AccessRules` in src/auth/rights.ts).
 */
export interface AuthConfig extends PathAccess {
  /** Users by name. */
  users: Record<string, UserCredential>;
  /** Realm of challenges. */
  realm?: string;
  /** Schemes offered. */
  methods?: AuthMethod[];
  /** Basic without TLS. */
  allowBasicWithoutTls?: boolean;
  /** Networks (CIDR blocks) that read `/metrics` without a password. */
  metricsOpenTo?: string[];
  /** Networks (CIDR blocks) that use `/api` without a password. */
  apiOpenTo?: string[];
  /** Rights of paths that set their own, by path with a leading slash. */
  paths: Record<string, PathAccess>;
}

/** RTSPS: RTSP over TLS on its own port. */
export interface TlsConfig {
  /** TCP port of the RTSPS listener. Default 8322. */
  port: number;
  /** PEM certificate file. */
  cert: string;
  /** PEM private key file. */
  key: string;
}

/** Resource caps (HARDENING.md "Limits"); each maps to the `ServeOptions` field of its name. */
export interface LimitsConfig {
  /** Open RTSP connections in total. Default 1024. */
  maxConnections: number;
  /** Open RTSP connections from one IP address. Default 128. */
  maxConnectionsPerIp: number;
  /** RTSP sessions in total. Default 1024. */
  maxSessions: number;
  /** RTSP sessions from one IP address. Default 128. */
  maxSessionsPerIp: number;
  /** Milliseconds a client has to send a whole request header. Default 10 000. */
  headerTimeout: number;
  /** Milliseconds without a sign of life before a session ends. Default 60 000. */
  sessionTimeout: number;
  /** Bytes queued for one reader before its frames are dropped. Default 8 MiB. */
  queueBytes: number;
}

/** Everything rtsp-edge runs, every default filled in. */
export interface Config {
  /** RTSP TCP port. Default 8554. */
  rtspPort: number;
  /** Address to listen on. Default `0.0.0.0`. */
  bind: string;
  /** First UDP port of the RTP/RTCP pair; 0 picks any free pair. Default 0. */
  rtpPort: number;
  /** Largest RTP payload, bytes. Default 1400. */
  payloadSize: number;
  /** Least severe log level printed. Default `info`. */
  logLevel: LogLevel;
  /**
   * HTTP port of the console, API, metrics, snapshots, preview and device pushes (`ingestPort` is
   * its old name). Default 8080.
   */
  httpPort: number;
  /** RTSPS, when configured. */
  tls?: TlsConfig;
  /** Resource caps. */
  limits: LimitsConfig;
  /** Users and rights; undefined: everything open. */
  auth?: AuthConfig;
  /**
   * The paths, by name with a leading slash (`"/cam1"`), in the file's order; `all_others` (the
   * name, without a slash) takes every path not named.
   */
  paths: Record<string, PathConfig>;
}
