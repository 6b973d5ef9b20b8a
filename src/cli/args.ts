/**
 * The command line, read as what it is: sugar for a config file. `--camera /dev/video0 --path /cam`
 * is written here as `paths: { /cam: { source: camera, device: /dev/video0 } }`, each value tagged
 * with the flag that gave it, and the one checker in `src/config/check.ts` reads it as it reads a
 * file, so a flag and a setting can never disagree. Pure: it never prints or exits; `cli.ts` does.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { jsonPointer, type JsonValue } from "../config/json_with_positions.ts";
import type { ConfigDocument } from "../config/reader.ts";
import { ALL_OTHERS } from "../config/model.ts";
import { closestName } from "../config/suggest.ts";

/** What the command line asks for besides running. */
export type Action = "run" | "help" | "version" | "licenses" | "list-cameras" | "print-config";

/** The command line taken apart. */
export interface CommandLine {
  /** What to do. */
  action: Action;
  /** `--config FILE`, when given. */
  configFile?: string;
  /** The flags written as a configuration, each value labelled with its flag. */
  flags: ConfigDocument;
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
Every option is also a setting of the config file (--config); --print-config shows the file a
command line stands for.

Source (one of):
  --test-pattern      moving colour bars with a frame counter and clock (the default)
  --camera DEVICE     a V4L2 camera, e.g. /dev/video0, captured and encoded; the nearest mode
                      to --size and --fps is used (default 1280x720 at 30 fps)
  --input FILE        H.264 Annex B (.h264, .264: served as it is) or Y4M (.y4m: encoded),
                      looped at its frame rate
  --input URL         a camera or server to relay, as ffmpeg's -i takes it: rtsp:// or rtsps://
                      (H.264 served as it is, MJPEG encoded to H.264 unless --jpeg rtp-jpeg),
                      http:// or https:// (an MJPEG stream, or a still JPEG polled at --fps);
                      one connection upstream, however many readers
  --rtsp-transport T  how an rtsp:// input is pulled: auto (UDP, then TCP; the default), tcp
                      or udp
  --input -           standard input: Y4M (ffmpeg ... -f yuv4mpegpipe -) or H.264 Annex B
                      (ffmpeg ... -c:v copy -f h264 -, paced at --fps), told apart by their
                      first bytes; raw frames with --format and --size
  --format FORMAT     raw input layout: i420, nv12, yuyv, uyvy, rgb24, bgr24, rgba, bgra,
                      rgb565, gray8; for --camera, the capture format to insist on: yuyv, uyvy,
                      nv12, yu12, rgb24, bgr24, mjpeg, grey (default: the cheapest that
                      reaches the size and rate)

Encoding (test pattern, cameras, Y4M and raw input, pushed JPEG):
  --size WxH          picture size (default 1280x720 for the test pattern and cameras)
  --bitrate RATE      target bitrate, e.g. 2M or 500k (default 2M)
  --gop N             frames from one keyframe to the next (default 30)

Stream:
  --fps N             frame rate (default: from the file's SPS, else 30)
  --path PATH         stream path (default /stream): letters, digits, . _ ~ - and /
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

Web console, API, metrics, snapshots and device pushes (one HTTP port):
  --http-port N       the HTTP port (default 8080; 0 picks a free one)

Devices and publishers (paths appear when something publishes to them):
  --ingest-port N     the old name of --http-port; without --config it also opens every path to
                      frames pushed over HTTP/WebSocket to /ingest/<path>
  --ingest            accept pushed frames on the default ingest port, without a token
  --ingest-token T    the Bearer token devices must present (enables ingest)
  --jpeg MODE         serve pushed or relayed JPEG as h264 (transcoded, the default) or
                      rtp-jpeg (RFC 2435)
  --audio CODEC       serve PCM pushed to /ingest/<path>/audio as l16 (the default), or
                      encoded to G.711: pcmu or pcma
  --publish           accept RTSP publishers (ANNOUNCE/RECORD, e.g. ffmpeg -f rtsp) on any path
  --replace           a new publisher takes a path from the one holding it (default: refused)
  --push URL          also push the path to this server (ANNOUNCE/RECORD; repeatable), e.g.
                      rtsp://user:pass@central:8554/garden for mediamtx, go2rtc or Frigate
  --push-transport T  how pushed media travels: tcp (interleaved, the default) or udp

Configuration:
  --config FILE       the server and many paths in YAML (see examples/rtsp-edge.yml; .json is
                      read as JSON); options given as well override its settings
  --print-config      print the configuration that would run (file and options merged,
                      secrets masked) as YAML, and exit

Access (every path; a config file's auth section does more):
  --user NAME:PASSWORD  a user who may read and publish (repeatable); without any, all is open
  --auth SCHEMES      digest (the default), basic, or digest,basic; basic sends the password
                      readable by anyone on the network unless the client uses RTSPS

Limits (defaults in brackets):
  --max-connections N         open RTSP connections in total (1024)
  --max-connections-per-ip N  open RTSP connections from one IP address (128)
  --max-sessions N            RTSP sessions in total (1024)
  --max-sessions-per-ip N     RTSP sessions from one IP address (128)
  --header-timeout DURATION   time to send a whole request header (10s)
  --session-timeout DURATION  session timeout, advertised in the Session header (60s)
  --queue-bytes N             bytes queued for one reader before frames are dropped (8388608)

Other:
  --log-level LEVEL   debug, info, warn or error (default info)
  --list-cameras      show each camera with its formats, sizes and frame rates
  --licenses          show the licences of rtsp-edge and of what it includes (OpenH264, fflate, yaml)
  --version           show the version
  -h, --help          show this help
`;

/** Where each value-taking flag goes in the configuration, and a value to show in messages. */
const SETTINGS: Readonly<Record<string, { to: string; example: string }>> = {
  port: { to: "/rtspPort", example: "8554" },
  bind: { to: "/bind", example: "0.0.0.0" },
  "rtp-port": { to: "/rtpPort", example: "5000" },
  "payload-size": { to: "/payloadSize", example: "1400" },
  "log-level": { to: "/logLevel", example: "debug" },
  "http-port": { to: "/httpPort", example: "8080" },
  "ingest-port": { to: "/httpPort", example: "8080" },
  "tls-port": { to: "/tls/port", example: "8322" },
  "tls-cert": { to: "/tls/cert", example: "cert.pem" },
  "tls-key": { to: "/tls/key", example: "key.pem" },
  "max-connections": { to: "/limits/maxConnections", example: "1024" },
  "max-connections-per-ip": { to: "/limits/maxConnectionsPerIp", example: "128" },
  "max-sessions": { to: "/limits/maxSessions", example: "1024" },
  "max-sessions-per-ip": { to: "/limits/maxSessionsPerIp", example: "128" },
  "header-timeout": { to: "/limits/headerTimeout", example: "10s" },
  "session-timeout": { to: "/limits/sessionTimeout", example: "60s" },
  "queue-bytes": { to: "/limits/queueBytes", example: "8388608" },
};

/** Flags that set a path's settings: of the local source, and of pushed paths where they apply. */
const PATH_FLAGS: Readonly<Record<string, { key: string; example: string }>> = {
  camera: { key: "device", example: "/dev/video0" },
  input: { key: "input", example: "clip.h264" },
  format: { key: "format", example: "yuyv" },
  size: { key: "size", example: "1280x720" },
  fps: { key: "fps", example: "30" },
  bitrate: { key: "bitrate", example: "2M" },
  gop: { key: "gop", example: "30" },
  "on-demand-close-after": { key: "onDemandCloseAfter", example: "30s" },
  "ingest-token": { key: "token", example: "s3cret" },
  jpeg: { key: "jpeg", example: "rtp-jpeg" },
  audio: { key: "audio", example: "pcmu" },
  "rtsp-transport": { key: "rtspTransport", example: "tcp" },
  "push-transport": { key: "pushTransport", example: "udp" },
};

const OTHER_VALUES: Readonly<Record<string, string>> = {
  path: "/cam",
  push: "rtsp://central:8554/cam",
  config: "rtsp-edge.yml",
  user: "alice:s3cret",
  auth: "digest",
};

const BOOLEANS = [
  "help",
  "version",
  "licenses",
  "list-cameras",
  "print-config",
  "test-pattern",
  "on-demand",
  "ingest",
  "publish",
  "replace",
];

const VALUE_FLAGS = [
  ...Object.keys(SETTINGS),
  ...Object.keys(PATH_FLAGS),
  ...Object.keys(OTHER_VALUES),
];

/** Every option the command line takes, without its dashes. */
export const OPTION_NAMES: readonly string[] = [...VALUE_FLAGS, ...BOOLEANS];

/** Parses `argv` (without the program name). Throws {@link UsageError} for a malformed one. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values } = parseArgs({
    // Every value inline (`--fps=-5`): checkShape has judged which arguments are values, and
    // parseArgs would otherwise take a value that starts with a dash for an option and throw.
    args: checkShape(argv),
    strict: true,
    allowPositionals: false,
    options: {
      ...Object.fromEntries(BOOLEANS.map((name) => [name, { type: "boolean" as const }])),
      ...Object.fromEntries(VALUE_FLAGS.map((name) => [name, { type: "string" as const }])),
      user: { type: "string", multiple: true },
      push: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  }) as { values: Record<string, string | boolean | string[] | undefined> };
  const text = (name: string) => values[name] as string | undefined;
  const on = (name: string) => values[name] === true;
  for (const name of VALUE_FLAGS) {
    if (text(name) === "") throw needsValue(name);
  }
  const action: Action = on("help")
    ? "help"
    : on("version")
    ? "version"
    : on("licenses")
    ? "licenses"
    : on("list-cameras")
    ? "list-cameras"
    : on("print-config")
    ? "print-config"
    : "run";
  const doc = new FlagDocument();
  if (text("http-port") !== undefined && text("ingest-port") !== undefined) {
    throw new UsageError("give --http-port or its old name --ingest-port, not both");
  }
  for (const [name, { to }] of Object.entries(SETTINGS)) doc.set(to, text(name), `--${name}`);
  doc.auth(values.user as string[] | undefined, text("auth"));
  doc.paths(values, text("config") !== undefined);
  return { action, ...optional("configFile", text("config")), flags: doc.finish() };
}

/**
 * Says, before `node:util` would, what is wrong with the shape of the command line, in our
 * words: a flag without its value (`--camera --fps 5` would otherwise read "--fps" as the
 * device), a flag we do not know (with the nearest we do), a value for a switch, a stray word.
 * Returns the arguments with every value inline (`--name=value`) for `parseArgs`.
 */
function checkShape(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      out.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(
        arg.startsWith("-") && arg !== "-"
          ? `unknown option ${arg}; options are spelt out, like --help`
          : `unexpected ${
            JSON.stringify(arg)
          }: every value follows its option, like --input ${arg}`,
      );
    }
    const [name, inline] = splitOption(arg.slice(2));
    if (BOOLEANS.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out.push(arg);
      continue;
    }
    if (!VALUE_FLAGS.includes(name)) {
      const near = closestName(name, [...VALUE_FLAGS, ...BOOLEANS]);
      throw new UsageError(`unknown option --${name}${near ? `; did you mean --${near}?` : ""}`);
    }
    if (inline !== undefined) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
      throw needsValue(name);
    }
    out.push(`--${name}=${next}`);
    i++;
  }
  return out;
}

function splitOption(text: string): [string, string | undefined] {
  const eq = text.indexOf("=");
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

function needsValue(name: string): UsageError {
  const example = SETTINGS[name]?.example ?? PATH_FLAGS[name]?.example ?? OTHER_VALUES[name];
  return new UsageError(`--${name} needs a value, e.g. --${name} ${example}`);
}

/** The flags as a configuration, each value tagged with its flag for messages. */
class FlagDocument {
  readonly value: { [key: string]: JsonValue } = {};
  readonly labels = new Map<string, string>();

  /** Puts `value` at `pointer` (creating the objects above it), labelled `flag`. */
  set(pointer: string, value: JsonValue | undefined, flag: string): void {
    if (value === undefined) return;
    const keys = pointer.split("/").slice(1).map((k) =>
      k.replaceAll("~1", "/").replaceAll("~0", "~")
    );
    let at = this.value;
    for (let i = 0; i < keys.length - 1; i++) {
      const parent = jsonPointer(keys.slice(0, i + 1));
      at = (at[keys[i]] ??= {}) as { [key: string]: JsonValue };
      if (!this.labels.has(parent)) this.labels.set(parent, flag);
    }
    at[keys.at(-1)!] = value;
    this.labels.set(pointer, flag);
  }

  /** `--user NAME:PASSWORD` (repeatable) and `--auth SCHEMES`. */
  auth(users: string[] | undefined, schemes: string | undefined): void {
    if (users === undefined && schemes === undefined) return;
    if (users === undefined) throw new UsageError("--auth needs at least one --user NAME:PASSWORD");
    const methods = (schemes ?? "digest").split(",").map((m) => m.trim().toLowerCase());
    if (
      methods.some((m) => m !== "digest" && m !== "basic") ||
      new Set(methods).size !== methods.length
    ) {
      throw new UsageError(`--auth must be digest, basic or digest,basic, got "${schemes}"`);
    }
    this.set("/auth/users", {}, "--user");
    for (const user of users) {
      const colon = user.indexOf(":");
      // The password is never echoed back: it may be on a screen others see.
      if (colon <= 0 || colon === user.length - 1) {
        throw new UsageError("--user must be NAME:PASSWORD");
      }
      const name = user.slice(0, colon);
      const at = jsonPointer(["auth", "users", name]);
      if (this.labels.has(at)) throw new UsageError(`--user ${name} is given twice`);
      this.set(at, { password: user.slice(colon + 1) }, "--user");
    }
    this.set("/auth/methods", methods, "--auth");
    // Basic asked for by name is taken as allowing it without TLS.
    if (methods.includes("basic")) this.set("/auth/allowBasicWithoutTls", true, "--auth");
  }

  /** The local source at `--path`, and the pushed paths `--publish` and `--ingest` open. */
  paths(values: Record<string, unknown>, withConfig: boolean): void {
    const text = (name: string) => values[name] as string | undefined;
    const on = (name: string) => values[name] === true;
    const sources = ["test-pattern", "camera", "input"].filter((s) => values[s] !== undefined);
    if (sources.length > 1) {
      throw new UsageError("choose one source: --test-pattern, --camera or --input");
    }
    // --ingest-port opens every path to pushes, unless a config file names the ingest paths.
    const ingest = on("ingest") || text("ingest-token") !== undefined ||
      (text("ingest-port") !== undefined && !withConfig);
    if (ingest && on("publish")) {
      throw new UsageError(
        "--publish and --ingest each take every path; give each its own paths in a config file " +
          "(paths: { cam: { source: ingest }, studio: { source: publisher } })",
      );
    }
    // Pushed or published paths need no local source: serve only what arrives, unless one is named.
    const receiving = ingest || on("publish") || withConfig;
    if (values.format !== undefined && sources[0] !== "camera" && sources[0] !== "input") {
      throw new UsageError("--format describes --input or --camera; give one of them too");
    }
    const source = sources[0] ?? (receiving ? undefined : "test-pattern");
    if (source === undefined) {
      if (values.push !== undefined || values["push-transport"] !== undefined) {
        throw new UsageError(
          "--push sends a path of this machine: give --camera, --input or --test-pattern",
        );
      }
      for (const flag of ["on-demand", "on-demand-close-after", "path", "size", "fps"]) {
        if (values[flag] === undefined) continue;
        if (flag === "on-demand" || flag === "on-demand-close-after") {
          throw new UsageError(
            `--${flag} needs a source of its own (--test-pattern, --camera or --input); pushed ` +
              "and published paths are on demand already",
          );
        }
        throw new UsageError(
          `--${flag} describes a source: give --test-pattern, --camera or --input`,
        );
      }
    } else {
      this.localPath(source, values);
    }
    const pushed = jsonPointer(["paths", ALL_OTHERS]);
    if (on("publish")) {
      // RTSP publishers bring their own audio track; pushed PCM is the ingest's.
      if (values.audio !== undefined) throw new UsageError("--audio goes with --ingest");
      this.set(pushed, { source: "publisher" }, "--publish");
      if (on("replace")) this.set(`${pushed}/replace`, true, "--replace");
    } else if (ingest) {
      this.set(pushed, { source: "ingest" }, "--ingest");
      for (const flag of ["ingest-token", "jpeg", "audio", "bitrate", "gop"]) {
        this.set(`${pushed}/${PATH_FLAGS[flag].key}`, text(flag), `--${flag}`);
      }
      if (on("replace")) this.set(`${pushed}/replace`, true, "--replace");
    } else {
      const relay = typeof values.input === "string" &&
        /^[a-z][a-z0-9+.-]*:\/\//i.test(values.input);
      for (const flag of ["ingest-token", "jpeg", "audio", "replace"]) {
        if (values[flag] !== undefined && !(flag === "jpeg" && relay)) {
          const goes = flag === "audio" ? "--ingest" : "--ingest or --publish";
          throw new UsageError(`--${flag} goes with ${goes}`);
        }
      }
    }
  }

  localPath(source: string, values: Record<string, unknown>): void {
    const path = (values.path as string | undefined) ?? "/stream";
    const at = jsonPointer(["paths", path]);
    // `--input rtsp://…` or `http://…` relays a camera, as ffmpeg's -i reads one.
    const input = values.input as string | undefined;
    const url = source === "input" && /^[a-z][a-z0-9+.-]*:\/\//i.test(input!) ? input : undefined;
    const kind = url ?? (source === "input" ? "file" : source);
    this.set(at, { source: kind }, source === "test-pattern" ? "--test-pattern" : "--path");
    this.labels.set(at, "--path");
    if (url !== undefined) this.labels.set(`${at}/source`, "--input");
    const own = ["camera", "input", "format", "size", "fps", "on-demand-close-after"];
    const relayed = url === undefined ? [] : ["jpeg", "rtsp-transport"];
    for (const flag of [...own, ...relayed, "bitrate", "gop"]) {
      if (flag === "camera" && source !== "camera" || flag === "input" && kind !== "file") {
        continue;
      }
      this.set(`${at}/${PATH_FLAGS[flag].key}`, values[flag] as string | undefined, `--${flag}`);
    }
    if (values["on-demand"] === true) this.set(`${at}/onDemand`, true, "--on-demand");
    const push = values.push as string[] | undefined;
    if (push !== undefined) this.set(`${at}/push`, push, "--push");
    this.set(
      `${at}/pushTransport`,
      values["push-transport"] as string | undefined,
      "--push-transport",
    );
    if (url === undefined && values["rtsp-transport"] !== undefined) {
      throw new UsageError("--rtsp-transport goes with --input rtsp://…");
    }
  }

  finish(): ConfigDocument {
    return {
      value: this.value,
      positions: new Map(),
      keyPositions: new Map(),
      labels: this.labels,
    };
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
