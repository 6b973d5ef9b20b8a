/**
 * Command-line flags → a validated configuration. Pure: it never prints or exits; `cli.ts` does.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseBitrate } from "../encoder/options.ts";
import { parseDuration } from "../base/duration.ts";
import type { LogLevel } from "../base/log.ts";
import { CAPTURE_FORMAT_NAMES } from "../camera/negotiate.ts";
import { type PixelFormat, pixelFormatByName } from "../codec/raw_frame.ts";

/** What the stream is made from. */
export type SourceConfig =
  | { kind: "test-pattern" }
  | { kind: "h264"; path: string }
  | { kind: "y4m"; path: string }
  | { kind: "stdin" }
  | { kind: "raw"; path: string; format: PixelFormat }
  | { kind: "camera"; device: string; pixelFormat: number | undefined }
  | { kind: "none" };

/** Frame ingest from devices (HTTP/WebSocket), when asked for. */
export interface IngestFlags {
  /** TCP port of the ingest listener. */
  port: number;
  /** Bearer token devices must present; undefined: none. */
  token: string | undefined;
  /** How pushed JPEG is served. */
  jpeg: "h264" | "rtp-jpeg";
}

/** What the command line asked for. */
export interface CliConfig {
  /** Print usage and exit. */
  help: boolean;
  /** Print the version and exit. */
  version: boolean;
  /** Print the licence notices and exit. */
  licenses: boolean;
  /** Print the cameras and exit. */
  listCameras: boolean;
  /** The source. */
  source: SourceConfig;
  /** Picture size for the test pattern and headerless raw input. */
  size: { width: number; height: number } | undefined;
  /** Frame rate override. */
  fps: number | undefined;
  /** Encoder bitrate, bits per second. */
  bitrate: number;
  /** Encoder GOP length in frames. */
  gop: number;
  /** RTSP TCP port. */
  port: number;
  /** Address to listen on. */
  bind: string;
  /** Mount path of the stream. */
  path: string;
  /** First port of the UDP RTP/RTCP pair; 0 picks one. */
  rtpPort: number;
  /** Largest RTP payload. */
  payloadSize: number;
  /** Least severe log level printed. */
  logLevel: LogLevel;
  /** Frame ingest, if enabled. */
  ingest: IngestFlags | undefined;
  /** Whether RTSP clients may publish (ANNOUNCE/RECORD) to any path. */
  publish: boolean;
  /** A new publisher (device or RTSP) takes a path from the one holding it. */
  replace: boolean;
  /** A config file describing many paths. */
  configFile: string | undefined;
  /** Run the local source only while someone reads (`--on-demand`); undefined: always on. */
  onDemand: { closeAfterMs: number } | undefined;
  /** The flags given on the command line (a config file fills in only the others). */
  given: ReadonlySet<string>;
  /** Users and schemes from `--user` and `--auth`; absent when neither is given. */
  auth?: AuthFlags;
  /** Resource caps given as flags (only those given; the server's defaults fill the rest). */
  caps?: CapFlags;
  /** RTSPS, when `--tls-cert` and `--tls-key` are given; absent otherwise. */
  tls?: TlsFlags;
}

/** RTSP over TLS: where to listen and the PEM files to read. */
export interface TlsFlags {
  /** TCP port of the RTSPS listener (`--tls-port`, default 8322). */
  port: number;
  /** PEM certificate file (`--tls-cert`). */
  cert: string;
  /** PEM private key file (`--tls-key`). */
  key: string;
}

/** A mistake on the command line; its message is one sentence for the user. */
export class UsageError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Usage text for `--help`. */
export const USAGE = `Usage: rtsp-edge [options]

Serves live H.264 over RTSP (TCP interleaved and UDP) to ffmpeg, GStreamer, VLC, Frigate, ...

Source (one of):
  --test-pattern      moving colour bars with a frame counter and clock (the default)
  --camera DEVICE     a V4L2 camera, e.g. /dev/video0, captured and encoded; the nearest mode
                      to --size and --fps is used (default 1280x720 at 30 fps)
  --input FILE        H.264 Annex B (.h264, .264: served as it is) or Y4M (.y4m: encoded),
                      looped at its frame rate
  --input -           standard input: Y4M (ffmpeg ... -f yuv4mpegpipe -) or H.264 Annex B
                      (ffmpeg ... -c:v copy -f h264 -, paced at --fps), told apart by their
                      first bytes; raw frames with --format and --size
  --format FORMAT     raw input layout: i420, nv12, yuyv, uyvy, rgb24, bgr24, rgba, bgra,
                      rgb565, gray8; for --camera, the capture format to insist on: yuyv, uyvy,
                      nv12, yu12, rgb24, bgr24, mjpeg, grey (default: the cheapest that
                      reaches the size and rate)

Encoding (test pattern, Y4M and raw input):
  --size WxH          picture size (default 1280x720 for the test pattern and cameras)
  --bitrate RATE      target bitrate, e.g. 2M or 500k (default 2M)
  --gop N             frames from one keyframe to the next (default 30)

Stream:
  --fps N             frame rate (default: from the file's SPS, else 30)
  --path PATH         stream path (default /stream)
  --on-demand         open and encode the source only while someone reads the path; the first
                      reader waits for its first picture
  --on-demand-close-after DURATION
                      how long the source runs on after the last reader left (default 10s;
                      e.g. 30s, 2m)

Network:
  --port N            RTSP port (default 8554; 0 picks a free one)
  --bind ADDRESS      address to listen on (default 0.0.0.0)
  --rtp-port N        first UDP port of the RTP/RTCP pair, even (default: any free pair)
  --payload-size N    largest RTP payload in bytes (default 1400)
  --tls-cert FILE     also serve RTSPS (RTSP over TLS, interleaved media only) with this PEM
  --tls-key FILE      certificate and this PEM private key; both are needed
  --tls-port N        RTSPS port (default 8322)

Devices and publishers (paths appear when something publishes to them):
  --ingest-port N     accept frames pushed over HTTP/WebSocket to /ingest/<path> on this port
                      (default 8080 when --ingest or --ingest-token is given)
  --ingest            accept pushed frames on the default ingest port, without a token
  --ingest-token T    the Bearer token devices must present (enables ingest)
  --jpeg MODE         serve pushed JPEG as h264 (transcoded, the default) or rtp-jpeg (RFC 2435)
  --publish           accept RTSP publishers (ANNOUNCE/RECORD, e.g. ffmpeg -f rtsp) on any path
  --replace           a new publisher takes a path from the one holding it (default: refused)
  --config FILE       many paths, each with its source and rules (see examples/rtsp-edge.json)

Access (every path; a config file's "auth" section does more):
  --user NAME:PASSWORD  a user who may read and publish (repeatable); without any, all is open
  --auth SCHEMES      digest (the default), basic, or digest,basic; basic sends the password
                      readable by anyone on the network unless the client uses RTSPS

Other:
  --log-level LEVEL   debug, info, warn or error (default info)
  --help              show this help
  --version           show the version
  --licenses          show the licences of rtsp-edge and of what it includes (OpenH264, fflate)
  --list-cameras      show each camera with its formats, sizes and frame rates

Limits (HARDENING.md; defaults in brackets):
  --max-connections N         open RTSP connections in total (1024)
  --max-connections-per-ip N  open RTSP connections from one IP address (128)
  --max-sessions N            RTSP sessions in total (1024)
  --max-sessions-per-ip N     RTSP sessions from one IP address (128)
  --header-timeout SECONDS    time to send a whole request header (10)
  --session-timeout SECONDS   session timeout, advertised in the Session header (60)
  --queue-bytes N             bytes queued for one reader before frames are dropped (8388608)
`;

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

function int(name: string, text: string | undefined, min: number, max: number, fallback: number) {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

/** Parses and checks `argv` (without the program name). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
        licenses: { type: "boolean" },
        "list-cameras": { type: "boolean" },
        "ingest-port": { type: "string" },
        "ingest-token": { type: "string" },
        ingest: { type: "boolean" },
        jpeg: { type: "string" },
        publish: { type: "boolean" },
        replace: { type: "boolean" },
        config: { type: "string" },
        "on-demand": { type: "boolean" },
        "on-demand-close-after": { type: "string" },
        camera: { type: "string", short: "c" },
        input: { type: "string", short: "i" },
        "test-pattern": { type: "boolean" },
        format: { type: "string" },
        size: { type: "string" },
        bitrate: { type: "string" },
        gop: { type: "string" },
        fps: { type: "string" },
        port: { type: "string", short: "p" },
        bind: { type: "string" },
        path: { type: "string" },
        "rtp-port": { type: "string" },
        "payload-size": { type: "string" },
        "log-level": { type: "string" },
        user: { type: "string", multiple: true },
        auth: { type: "string" },
        "tls-port": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        ...CAP_OPTIONS,
      },
    }));
  } catch (error) {
    // node:util's messages name the flag; drop its trailing advice about "--" positionals.
    const message = String((error as Error).message).split(". To specify")[0];
    throw new UsageError(message.replace(/^TypeError.*?: /, ""));
  }
  let fps: number | undefined;
  if (values.fps !== undefined) {
    fps = Number(values.fps);
    if (!/^\d+(\.\d+)?$/.test(values.fps) || !(fps > 0 && fps <= 240)) {
      throw new UsageError(`--fps must be a number above 0 and at most 240, got "${values.fps}"`);
    }
  }
  const path = values.path ?? "/stream";
  if (!path.startsWith("/") || /[\s?#]/.test(path)) {
    throw new UsageError(`--path must start with "/" and hold no spaces, ? or #, got "${path}"`);
  }
  const rtpPort = int("rtp-port", values["rtp-port"], 0, 65534, 0);
  if (rtpPort % 2 !== 0) throw new UsageError(`--rtp-port must be even, got ${rtpPort}`);
  const logLevel = (values["log-level"] ?? "info") as LogLevel;
  if (!LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}, got "${logLevel}"`);
  }
  if (values.input === "") throw new UsageError("--input needs a file name");
  if (values.camera === "") throw new UsageError("--camera needs a device, e.g. /dev/video0");
  const sources = [values.input, values.camera, values["test-pattern"]].filter((v) =>
    v !== undefined
  );
  if (sources.length > 1) {
    throw new UsageError("choose one source: --test-pattern, --camera or --input");
  }
  let bitrate = 2_000_000;
  try {
    if (values.bitrate !== undefined) bitrate = parseBitrate(values.bitrate);
  } catch (error) {
    throw new UsageError(`--bitrate: ${(error as Error).message}`);
  }
  const jpeg = values.jpeg ?? "h264";
  if (jpeg !== "h264" && jpeg !== "rtp-jpeg") {
    throw new UsageError(`--jpeg must be h264 or rtp-jpeg, got "${jpeg}"`);
  }
  if (values["ingest-token"] === "") throw new UsageError("--ingest-token needs a token");
  if (values.config === "") throw new UsageError("--config needs a file name");
  const ingestOn = values.ingest || values["ingest-port"] !== undefined ||
    values["ingest-token"] !== undefined;
  const ingest = ingestOn
    ? {
      port: int("ingest-port", values["ingest-port"], 0, 65535, 8080),
      token: values["ingest-token"],
      jpeg: jpeg as IngestFlags["jpeg"],
    }
    : undefined;
  // Pushed or published paths need no local source: serve only what arrives, unless one is named.
  const receiving = ingestOn || values.publish || values.config !== undefined;
  const closeAfter = values["on-demand-close-after"];
  const closeAfterMs = closeAfter === undefined ? 10_000 : parseDuration(closeAfter);
  if (closeAfterMs === undefined) {
    throw new UsageError(
      `--on-demand-close-after must be a duration such as 10s, 500ms or 2m, got "${closeAfter}"`,
    );
  }
  if (closeAfter !== undefined && !values["on-demand"]) {
    throw new UsageError("--on-demand-close-after goes with --on-demand");
  }
  const source = values.camera !== undefined
    ? cameraSource(values.camera, values.format)
    : receiving && values.input === undefined && !values["test-pattern"]
    ? { kind: "none" as const }
    : inputSource(values.input, values.format);
  if (values["on-demand"] && source.kind === "none") {
    throw new UsageError(
      "--on-demand needs a source of its own (--test-pattern, --camera or --input); pushed and " +
        "published paths are on demand already",
    );
  }
  if (source.kind === "raw" && values.size === undefined) {
    throw new UsageError("raw frames need their size: add --size WIDTHxHEIGHT");
  }
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    licenses: values.licenses ?? false,
    listCameras: values["list-cameras"] ?? false,
    source,
    size: values.size === undefined ? undefined : parseSize(values.size),
    fps,
    bitrate,
    gop: int("gop", values.gop, 1, 1000, 30),
    port: int("port", values.port, 0, 65535, 8554),
    bind: values.bind ?? "0.0.0.0",
    path,
    rtpPort,
    payloadSize: int("payload-size", values["payload-size"], 100, 65000, 1400),
    logLevel,
    ingest,
    publish: values.publish ?? false,
    replace: values.replace ?? false,
    configFile: values.config,
    onDemand: values["on-demand"] ? { closeAfterMs } : undefined,
    given: new Set(Object.keys(values)),
    ...authGiven(values.user, values.auth),
    ...tlsGiven(values["tls-port"], values["tls-cert"], values["tls-key"], values.port),
    ...capsGiven(parseCapFlags(values)),
  };
}

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d{1,4})x(\d{1,4})$/i.exec(text);
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || width < 16 || height < 16 || width > 4096 || height > 4096 || width % 2 || height % 2) {
    throw new UsageError(
      `--size must be WIDTHxHEIGHT with even numbers from 16 to 4096, got "${text}"`,
    );
  }
  return { width, height };
}

/** The source of `--camera DEVICE [--format NAME]`. Throws {@link UsageError} for an unknown format. */
export function cameraSource(device: string, formatName: string | undefined): SourceConfig {
  if (formatName === undefined) return { kind: "camera", device, pixelFormat: undefined };
  const pixelFormat = CAPTURE_FORMAT_NAMES[formatName.toLowerCase()];
  if (pixelFormat === undefined) {
    throw new UsageError(
      `--format for a camera must be one of ${
        Object.keys(CAPTURE_FORMAT_NAMES).join(", ")
      }, got "${formatName}"`,
    );
  }
  return { kind: "camera", device, pixelFormat };
}

/**
 * The source of `--input FILE|- [--format NAME]` (the test pattern without `--input`): told apart
 * by `--format` and the file name. Throws {@link UsageError}.
 */
export function inputSource(
  input: string | undefined,
  formatName: string | undefined,
): SourceConfig {
  let format: PixelFormat | undefined;
  if (formatName !== undefined) {
    try {
      format = pixelFormatByName(formatName);
    } catch (error) {
      throw new UsageError(`--format: ${(error as Error).message}`);
    }
  }
  if (input === undefined) {
    if (format !== undefined) throw new UsageError("--format describes --input; give --input too");
    return { kind: "test-pattern" };
  }
  if (format !== undefined) return { kind: "raw", path: input, format };
  if (input === "-") return { kind: "stdin" }; // Y4M or H.264, told apart by their first bytes
  if (/\.y4m$/i.test(input)) return { kind: "y4m", path: input };
  if (/\.(h264|264|h26l|avc)$/i.test(input)) return { kind: "h264", path: input };
  throw new UsageError(
    `cannot tell what ${input} holds: name it .h264 or .y4m, or give --format for raw frames`,
  );
}

// ---- Resource caps (HARDENING.md "Limits"): one block, kept apart from the other flags. ----

/** Resource caps settable from the command line; each maps to the `ServeOptions` field of its name. */
export interface CapFlags {
  /** `--max-connections`: open RTSP connections in total. */
  maxConnections?: number;
  /** `--max-connections-per-ip`: open RTSP connections from one IP address. */
  maxConnectionsPerIp?: number;
  /** `--max-sessions`: sessions in total. */
  maxSessions?: number;
  /** `--max-sessions-per-ip`: sessions from one IP address. */
  maxSessionsPerIp?: number;
  /** `--header-timeout`: seconds a client has to send a whole request header. */
  headerTimeout?: number;
  /** `--session-timeout`: seconds without a sign of life before a session ends. */
  sessionTimeout?: number;
  /** `--queue-bytes`: bytes queued for one reader before its frames are dropped. */
  maxQueueBytes?: number;
}

const CAP_OPTIONS = {
  "max-connections": { type: "string" },
  "max-connections-per-ip": { type: "string" },
  "max-sessions": { type: "string" },
  "max-sessions-per-ip": { type: "string" },
  "header-timeout": { type: "string" },
  "session-timeout": { type: "string" },
  "queue-bytes": { type: "string" },
} as const;

function seconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0 && n <= 86400)) {
    throw new UsageError(
      `--${name} must be a number of seconds above 0, at most 86400, got "${text}"`,
    );
  }
  return n;
}

function parseCapFlags(values: Partial<Record<keyof typeof CAP_OPTIONS, string>>): CapFlags {
  const caps: CapFlags = {
    maxConnections: optionalInt("max-connections", values["max-connections"], 1, 1_000_000),
    maxConnectionsPerIp: optionalInt(
      "max-connections-per-ip",
      values["max-connections-per-ip"],
      1,
      1_000_000,
    ),
    maxSessions: optionalInt("max-sessions", values["max-sessions"], 1, 1_000_000),
    maxSessionsPerIp: optionalInt(
      "max-sessions-per-ip",
      values["max-sessions-per-ip"],
      1,
      1_000_000,
    ),
    headerTimeout: seconds("header-timeout", values["header-timeout"]),
    sessionTimeout: seconds("session-timeout", values["session-timeout"]),
    maxQueueBytes: optionalInt("queue-bytes", values["queue-bytes"], 1024, 2 ** 31),
  };
  for (const key of Object.keys(caps) as (keyof CapFlags)[]) {
    if (caps[key] === undefined) delete caps[key];
  }
  return caps;
}

// Absent when no cap flag is given, so a plain command line parses to what it always did.
function capsGiven(caps: CapFlags): { caps?: CapFlags } {
  return Object.keys(caps).length === 0 ? {} : { caps };
}

function optionalInt(name: string, text: string | undefined, min: number, max: number) {
  return text === undefined ? undefined : int(name, text, min, max, min);
}

// ---- RTSPS (RTSP over TLS): absent unless asked for, so other command lines parse as before. ----

function tlsGiven(
  port: string | undefined,
  cert: string | undefined,
  key: string | undefined,
  rtspPort: string | undefined,
): { tls?: TlsFlags } {
  if (port === undefined && cert === undefined && key === undefined) return {};
  if (cert === "" || key === "") throw new UsageError("--tls-cert and --tls-key need a file name");
  if (cert === undefined || key === undefined) {
    throw new UsageError("RTSPS needs both --tls-cert and --tls-key");
  }
  const tlsPort = int("tls-port", port, 0, 65535, 8322);
  if (tlsPort !== 0 && tlsPort === int("port", rtspPort, 0, 65535, 8554)) {
    throw new UsageError(`--tls-port must differ from --port, both are ${tlsPort}`);
  }
  return { tls: { port: tlsPort, cert, key } };
}

// ---- Access (--user, --auth): one block, kept apart from the other flags. ----

/** Users and schemes for every path, from `--user NAME:PASSWORD` and `--auth`. */
export interface AuthFlags {
  /** Users with their passwords, in the order given. */
  users: { name: string; password: string }[];
  /** Schemes offered. */
  methods: ("digest" | "basic")[];
}

function authGiven(
  users: string[] | undefined,
  auth: string | undefined,
): { auth?: AuthFlags } {
  if (users === undefined && auth === undefined) return {};
  if (users === undefined) throw new UsageError("--auth needs at least one --user NAME:PASSWORD");
  const methods = (auth ?? "digest").split(",").map((m) => m.trim().toLowerCase());
  if (
    methods.some((m) => m !== "digest" && m !== "basic") || new Set(methods).size !== methods.length
  ) {
    throw new UsageError(`--auth must be digest, basic or digest,basic, got "${auth}"`);
  }
  const list = users.map((u) => {
    const colon = u.indexOf(":");
    const name = u.slice(0, Math.max(colon, 0));
    const password = u.slice(colon + 1);
    // The password is never echoed back: it may be on a screen others see.
    // deno-lint-ignore no-control-regex
    if (colon <= 0 || password === "" || /["\\\x00-\x1f\x7f]/.test(name)) {
      throw new UsageError(
        `--user must be NAME:PASSWORD with a name of printable characters without '"' or "\\"`,
      );
    }
    return { name, password };
  });
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) throw new UsageError(`--user ${name} is given twice`);
    seen.add(name);
  }
  return { auth: { users: list, methods: methods as AuthFlags["methods"] } };
}
