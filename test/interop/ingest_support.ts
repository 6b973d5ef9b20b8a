/**
 * Helpers of the ingest tests: an RTSP server with the ingest port beside it, media made by
 * ffmpeg, and a reader that reports the frames it decoded.
 */

import type { IngestPathPolicy } from "../../src/ingest/ingest_request.ts";
import { type IngestServer, startIngest } from "../../src/ingest/ingest_server.ts";
import { consolePage } from "../../src/http/console_page.ts";
import { makeRouter } from "../../src/http/router.ts";
import { WebAuth } from "../../src/http/web_auth.ts";
import type { LogFields, LogLevel } from "../../src/base/log.ts";
import { type RtspServer, serve } from "../../src/server/server.ts";
import { argv, run } from "./support.ts";

/** The default path rules of the tests. */
export const POLICY: IngestPathPolicy = {
  jpeg: "h264",
  replace: false,
  bitrate: 1_000_000,
  gop: 15,
  maxFrameBytes: 1 << 20,
};

/** A server pair and what it logged. */
export interface IngestRig {
  rtsp: RtspServer;
  ingest: IngestServer;
  /** `http://127.0.0.1:<port>/ingest` */
  base: string;
  lines: { level: LogLevel; message: string; fields?: LogFields }[];
  close(): Promise<void>;
}

/** Starts RTSP and ingest on loopback; `policy` may be per path. */
export async function startRig(
  policy: IngestPathPolicy | ((path: string) => IngestPathPolicy | undefined) = POLICY,
): Promise<IngestRig> {
  const lines: IngestRig["lines"] = [];
  const logger = {
    log: (level: LogLevel, message: string, fields?: LogFields) =>
      void lines.push({ level, message, fields }),
  };
  const rtsp = await serve({ port: 0, hostname: "127.0.0.1", logger });
  const ingest = await startIngest({
    rtsp,
    port: 0,
    hostname: "127.0.0.1",
    policyFor: typeof policy === "function" ? policy : () => policy,
    logger,
    // The console shares the port: every device case here runs with it answering beside.
    web: makeRouter(
      { console: () => consolePage({ rtspPort: rtsp.port, auth: false }) },
      new WebAuth(undefined, { now: () => performance.now() }),
      logger,
    ),
  });
  return {
    rtsp,
    ingest,
    base: `http://127.0.0.1:${ingest.port}/ingest`,
    lines,
    async close() {
      await ingest.close();
      await rtsp.close();
    },
  };
}

/** Runs ffmpeg to make a file; throws with its stderr on failure. */
export async function ffmpegMake(args: string[]): Promise<void> {
  const r = await run("ffmpeg", ["-v", "error", "-y", ...args]);
  if (r.code !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

export { splitJpegs } from "../../src/codec/jpeg.ts";

/** What a reader decoded. */
export interface ReadResult {
  code: number;
  stderr: string;
  frames: number;
  pts: number[];
}

/** ffmpeg reads `url` for `seconds` and decodes every frame (-xerror). */
export async function readRtsp(
  url: string,
  transport: "tcp" | "udp",
  seconds: number,
): Promise<ReadResult> {
  const r = await run(
    "ffmpeg",
    argv`-v error -xerror -rtsp_transport ${transport} -timeout 10000000 -i ${url} -t ${seconds} -map 0:v:0 -f framecrc -`,
    (seconds + 30) * 1000,
  );
  const pts = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).map((l) =>
    Number(l.split(",")[1])
  );
  return { code: r.code, stderr: r.stderr, frames: pts.length, pts };
}

/** The codec and size ffprobe sees at `url`. */
export async function probeRtsp(url: string): Promise<[string, number, number]> {
  const r = await run("ffprobe", argv`-v error -rtsp_transport tcp -show_streams -of json ${url}`);
  if (r.code !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
  const v = JSON.parse(r.stdout).streams[0];
  return [v.codec_name, v.width, v.height];
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `frames` one after another at `fps` through `send`, until stopped. */
export function pace(
  frames: readonly Uint8Array[],
  fps: number,
  send: (frame: Uint8Array, index: number) => void | Promise<void>,
): { stop(): Promise<void>; sent(): number } {
  let stopped = false;
  let sent = 0;
  const done = (async () => {
    const start = performance.now();
    for (let i = 0; !stopped; i++) {
      await send(frames[i % frames.length], i);
      sent++;
      const wait = start + ((i + 1) * 1000) / fps - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
    sent: () => sent,
  };
}
