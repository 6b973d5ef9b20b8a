/**
 * Every setting of the configuration as data: its kind, its limits, its default and what it means.
 * The checker (`check.ts`) reads values by this table, the JSON Schema (`schema.ts`) is generated
 * from it, and `--help`'s defaults agree with it, so the three cannot drift apart. Pure.
 *
 * @module
 */

import { PIXEL_FORMAT_NAMES } from "../codec/raw_frame.ts";
import { CAPTURE_FORMAT_NAMES } from "../camera/negotiate.ts";
import { SERVED_AUDIO } from "../ingest/audio_push.ts";
import { DEFAULT_HTTP_PORT, type PathSource } from "./model.ts";

/** What one setting holds. `default` is the model's value when the setting is left out. */
export type Setting =
  & {
    doc: string;
    /** The setting this is an old name of: read as that one, never written by `--print-config`. */
    oldNameOf?: string;
  }
  & (
    | { kind: "integer"; min: number; max: number; default?: number; even?: boolean }
    | { kind: "fps"; default?: number }
    | { kind: "boolean"; default?: boolean }
    | { kind: "choice"; choices: readonly string[]; default?: string }
    | {
      kind: "text";
      test: (value: string) => boolean;
      /** What a valid value looks like, for messages. */
      expected: string;
      /** The same rule as a JSON Schema pattern, when one can say it. */
      pattern?: string;
      /** Shown masked by `--print-config`. */
      secret?: boolean;
      default?: string;
    }
    | { kind: "duration"; default?: number; /** Zero is refused. */ positive?: boolean }
    | { kind: "bitrate"; default?: number }
    | { kind: "size"; default?: { width: number; height: number } }
    | {
      kind: "section";
      settings: SettingTable;
      /** Settings the section cannot do without when it is given at all. */
      required?: readonly string[];
    }
    | { kind: "urls"; schemes: readonly string[] }
    | { kind: "users" | "userList" | "cidrs" | "methods" | "paths" }
  );

/** Settings by key, in the order they are documented. */
export type SettingTable = Readonly<Record<string, Setting>>;

/** The keys of `table` in order, without the old names kept for older files. */
export function currentNames(table: SettingTable): string[] {
  return Object.keys(table).filter((key) => table[key].oldNameOf === undefined);
}

const port = (doc: string, fallback: number): Setting => ({
  kind: "integer",
  min: 0,
  max: 65535,
  default: fallback,
  doc,
});
const count = (doc: string, fallback: number): Setting => ({
  kind: "integer",
  min: 1,
  max: 1_000_000,
  default: fallback,
  doc,
});

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = "^[A-Za-z0-9\\-._~+/]+=*$";

/** `read`, `publish` and `allow`: of the auth section (every path) or of one path. */
export const ACCESS_SETTINGS: SettingTable = {
  read: { kind: "userList", doc: 'Who may read: "anyone" or a list of user names.' },
  publish: { kind: "userList", doc: 'Who may publish: "anyone" or a list of user names.' },
  allow: {
    kind: "cidrs",
    doc: 'Networks clients may come from, as CIDR blocks like "192.168.0.0/16" or "::1/128".',
  },
};

/** The `auth` section. */
export const AUTH_SETTINGS: SettingTable = {
  users: {
    kind: "users",
    doc: "Users by name, each with a password, ha1 (Digest) or a PBKDF2 hash (Basic).",
  },
  realm: {
    kind: "text",
    test: (v) => /^[\x20-\x7e]+$/.test(v) && !/["\\]/.test(v),
    expected: "printable ASCII without quotes",
    doc: "Realm of the challenges (default rtsp-edge).",
  },
  methods: { kind: "methods", doc: "Schemes offered: digest, basic, or both (default digest)." },
  allowBasicWithoutTls: {
    kind: "boolean",
    doc: "Offer Basic over plain RTSP, where anyone on the network can read the password.",
  },
  metricsOpenTo: {
    kind: "cidrs",
    doc: "Networks that may read /metrics without a password (a Prometheus server's).",
  },
  apiOpenTo: {
    kind: "cidrs",
    doc: "Networks that may use /api without a password (a home automation server's).",
  },
  ...ACCESS_SETTINGS,
};

/** The `tls` section: RTSPS. */
export const TLS_SETTINGS: SettingTable = {
  port: port("RTSPS port.", 8322),
  cert: {
    kind: "text",
    test: (v) => v !== "",
    expected: "a PEM certificate file",
    doc: "PEM certificate file.",
  },
  key: {
    kind: "text",
    test: (v) => v !== "",
    expected: "a PEM private key file",
    doc: "PEM private key file.",
  },
};

/** The `limits` section (HARDENING.md "Limits"). */
export const LIMIT_SETTINGS: SettingTable = {
  maxConnections: count("Open RTSP connections in total.", 1024),
  maxConnectionsPerIp: count("Open RTSP connections from one IP address.", 128),
  maxSessions: count("RTSP sessions in total.", 1024),
  maxSessionsPerIp: count("RTSP sessions from one IP address.", 128),
  headerTimeout: {
    kind: "duration",
    positive: true,
    default: 10_000,
    doc: "Time a client has to send a whole request header.",
  },
  sessionTimeout: {
    kind: "duration",
    positive: true,
    default: 60_000,
    doc: "Time without a sign of life before a session ends (advertised in the Session header).",
  },
  queueBytes: {
    kind: "integer",
    min: 1024,
    max: 2 ** 31,
    default: 8 * 1024 * 1024,
    doc: "Bytes queued for one reader before its frames are dropped.",
  },
};

/** The settings of the whole file. */
export const TOP_SETTINGS: SettingTable = {
  rtspPort: port("RTSP port (0 picks a free one).", 8554),
  bind: {
    kind: "text",
    test: (v) => /^\S+$/.test(v),
    expected: "an address like 0.0.0.0 or ::",
    pattern: "^\\S+$",
    default: "0.0.0.0",
    doc: "Address to listen on.",
  },
  rtpPort: {
    kind: "integer",
    min: 0,
    max: 65534,
    even: true,
    default: 0,
    doc: "First UDP port of the RTP/RTCP pair, even; 0 picks any free pair.",
  },
  payloadSize: {
    kind: "integer",
    min: 100,
    max: 65000,
    default: 1400,
    doc: "Largest RTP payload in bytes.",
  },
  logLevel: {
    kind: "choice",
    choices: ["debug", "info", "warn", "error"],
    default: "info",
    doc: "Least severe log level printed.",
  },
  httpPort: port(
    "HTTP port: the web console, /api, /metrics, /snapshot/<path>.jpg, /play/<path>, and the " +
      "frames devices push to /ingest/<path>.",
    DEFAULT_HTTP_PORT,
  ),
  ingestPort: {
    kind: "integer",
    min: 0,
    max: 65535,
    doc: "The old name of httpPort.",
    oldNameOf: "httpPort",
  },
  tls: {
    kind: "section",
    settings: TLS_SETTINGS,
    required: ["cert", "key"],
    doc: "RTSPS (RTSP over TLS) on its own port.",
  },
  limits: { kind: "section", settings: LIMIT_SETTINGS, doc: "Resource caps." },
  auth: {
    kind: "section",
    settings: AUTH_SETTINGS,
    required: ["users"],
    doc: "Users and who may read and publish.",
  },
  paths: { kind: "paths", doc: "The paths, by name; all_others takes every path not named." },
};

/** Every setting a path can have; which ones a path takes depends on its source. */
export const PATH_SETTINGS: SettingTable = {
  source: {
    kind: "choice",
    choices: ["camera", "file", "test-pattern", "ingest", "publisher"],
    doc: "What the path is made from, or the URL of a camera to relay: rtsp://, rtsps://, " +
      "http:// or https://.",
  },
  rtspTransport: {
    kind: "choice",
    choices: ["auto", "tcp", "udp"],
    default: "auto",
    doc: "How an rtsp:// source is pulled: UDP, interleaved TCP, or UDP falling back to TCP.",
  },
  device: {
    kind: "text",
    test: (v) => /\S/.test(v),
    expected: "a device like /dev/video0",
    doc: "The V4L2 device, e.g. /dev/video0.",
  },
  input: {
    kind: "text",
    test: (v) => v !== "",
    expected: 'a file name, or "-" for standard input',
    doc: "H.264 Annex B (.h264, .264) or Y4M (.y4m) file, looped; - for standard input; with " +
      "format, raw pictures.",
  },
  format: {
    kind: "text",
    test: () => true,
    expected: "a pixel format",
    doc: "Camera: the capture format to insist on (" +
      Object.keys(CAPTURE_FORMAT_NAMES).join(", ") +
      "). File: the raw picture layout (" + Object.keys(PIXEL_FORMAT_NAMES).join(", ") + ").",
  },
  size: {
    kind: "size",
    default: { width: 1280, height: 720 },
    doc: 'Picture size, "WIDTHxHEIGHT" with even numbers from 16 to 4096.',
  },
  fps: {
    kind: "fps",
    default: 30,
    doc: "Frame rate, above 0 and at most 240; for an http:// source, poll a still picture " +
      "this often.",
  },
  bitrate: {
    kind: "bitrate",
    default: 2_000_000,
    doc: 'Encoder bitrate in bits per second, as a number or like "2M" or "500k".',
  },
  gop: {
    kind: "integer",
    min: 1,
    max: 1000,
    default: 30,
    doc: "Frames from one keyframe to the next.",
  },
  onDemand: {
    kind: "boolean",
    default: false,
    doc: "Open and encode the source only while someone reads the path.",
  },
  onDemandCloseAfter: {
    kind: "duration",
    default: 10_000,
    doc: "How long an on-demand source runs on after the last reader left.",
  },
  token: {
    kind: "text",
    test: (v) => new RegExp(B64TOKEN).test(v),
    expected: 'letters, digits and - . _ ~ + / (RFC 6750 §2.1 b64token), optionally ending in "="',
    pattern: B64TOKEN,
    secret: true,
    doc: "The Bearer token devices must present.",
  },
  jpeg: {
    kind: "choice",
    choices: ["h264", "rtp-jpeg"],
    default: "h264",
    doc: "Serve pushed JPEG as H.264 (transcoded) or as RTP/JPEG (RFC 2435).",
  },
  replace: {
    kind: "boolean",
    default: false,
    doc: "A new publisher takes the path from the one holding it (default: refused).",
  },
  audio: {
    kind: "choice",
    choices: SERVED_AUDIO,
    default: "l16",
    doc: "Serve the PCM devices push to /ingest/<path>/audio as L16 (RFC 3551 §4.5.11), or " +
      "encoded to G.711 µ-law (pcmu) or A-law (pcma).",
  },
  push: {
    kind: "urls",
    schemes: ["rtsp", "rtsps"],
    doc: "Servers to push the path to (ANNOUNCE and RECORD), as rtsp:// or rtsps:// URLs.",
  },
  pushTransport: {
    kind: "choice",
    choices: ["tcp", "udp"],
    default: "tcp",
    doc: "How pushed media travels: interleaved TCP (through NAT and firewalls) or UDP.",
  },
  maxFrameBytes: {
    kind: "integer",
    min: 1024,
    max: 256 * 1024 * 1024,
    default: 8 * 1024 * 1024,
    doc: "Largest pushed frame in bytes.",
  },
  ...ACCESS_SETTINGS,
};

const ON_DEMAND = ["onDemand", "onDemandCloseAfter"];
const ENCODING = ["bitrate", "gop"];
const ACCESS = Object.keys(ACCESS_SETTINGS);
const PUSH = ["push", "pushTransport", ...ACCESS];

/** The settings each source takes, `source` first. */
export const PATH_KEYS: Readonly<Record<PathSource, readonly string[]>> = {
  camera: ["source", "device", "size", "fps", "format", ...ENCODING, ...ON_DEMAND, ...PUSH],
  file: ["source", "input", "format", "size", "fps", ...ENCODING, ...ON_DEMAND, ...PUSH],
  "test-pattern": ["source", "size", "fps", ...ENCODING, ...ON_DEMAND, ...PUSH],
  ingest: ["source", "token", "jpeg", "replace", ...ENCODING, "maxFrameBytes", "audio", ...PUSH],
  publisher: ["source", "replace", ...PUSH],
  rtsp: ["source", "rtspTransport", "jpeg", ...ENCODING, ...ON_DEMAND, ...PUSH],
  http: ["source", "fps", "jpeg", ...ENCODING, ...ON_DEMAND, ...PUSH],
};

/** The URL schemes a relayed source is written with, and the kind each makes. */
export const SOURCE_SCHEMES: Readonly<Record<string, "rtsp" | "http">> = {
  rtsp: "rtsp",
  rtsps: "rtsp",
  http: "http",
  https: "http",
};

/** The settings each source cannot do without (a subset of its {@link PATH_KEYS}). */
export const PATH_REQUIRED: Readonly<Record<PathSource, readonly string[]>> = {
  camera: ["source", "device"],
  file: ["source", "input"],
  "test-pattern": ["source"],
  ingest: ["source"],
  publisher: ["source"],
  rtsp: ["source"],
  http: ["source"],
};

/** Older spellings still read, with the one-line notice the checker gives for each. */
export const SOURCE_ALIASES: Readonly<Record<string, PathSource>> = { publish: "publisher" };

/** The default of a setting that has one (a table entry without one is a programming error). */
export function defaultOf<T>(table: SettingTable, key: string): T {
  const setting = table[key] as { default?: unknown };
  if (setting.default === undefined) throw new Error(`${key} has no default`);
  return setting.default as T;
}
