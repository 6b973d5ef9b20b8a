/**
 * Command-line flags → a validated configuration. Pure: it never prints or exits; `cli.ts` does.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { LogLevel } from "../server/log.ts";

/** What the command line asked for. */
export interface CliConfig {
  /** Print usage and exit. */
  help: boolean;
  /** Print the version and exit. */
  version: boolean;
  /** H.264 Annex B file to serve, looped. */
  input: string | undefined;
  /** Frame rate override. */
  fps: number | undefined;
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

Source:
  --input FILE        H.264 Annex B file (.h264/.264), looped at its frame rate

Stream:
  --fps N             frame rate (default: from the file's SPS, else 30)
  --path PATH         stream path (default /stream)

Network:
  --port N            RTSP port (default 8554; 0 picks a free one)
  --bind ADDRESS      address to listen on (default 0.0.0.0)
  --rtp-port N        first UDP port of the RTP/RTCP pair, even (default: any free pair)
  --payload-size N    largest RTP payload in bytes (default 1400)

Other:
  --log-level LEVEL   debug, info, warn or error (default info)
  --help              show this help
  --version           show the version
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
        input: { type: "string", short: "i" },
        fps: { type: "string" },
        port: { type: "string", short: "p" },
        bind: { type: "string" },
        path: { type: "string" },
        "rtp-port": { type: "string" },
        "payload-size": { type: "string" },
        "log-level": { type: "string" },
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
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    input: values.input,
    fps,
    port: int("port", values.port, 0, 65535, 8554),
    bind: values.bind ?? "0.0.0.0",
    path,
    rtpPort,
    payloadSize: int("payload-size", values["payload-size"], 100, 65000, 1400),
    logLevel,
  };
}
