/**
 * The console benchmark's server as users run it: the compiled binary (`dist/rtsp-edge`, built with
 * `--build` or when missing) playing the clip with `--input`, its RTSP and HTTP ports read from the
 * banner it prints.
 *
 * @module
 */

import { buildBinary } from "../build.ts";
import { bannerPorts } from "./procs.ts";

const root = new URL("..", import.meta.url).pathname;
/** Where the binary is built. */
export const BINARY_PATH = `${root}dist/rtsp-edge`;

/** A running binary. */
export interface BinaryServer {
  /** `rtsp://127.0.0.1:<port>/stream`. */
  rtspUrl: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Its process id, for its CPU time. */
  pid: number;
  /** Stops it. */
  stop(): Promise<void>;
}

/**
 * Builds a binary when asked or when it is missing: the product's (`cli.ts` into
 * {@link BINARY_PATH}) unless `binary` names another program and file (bench/fanout.ts compiles
 * bench/serve_clip.ts the same way).
 */
export async function ensureBinary(
  build: boolean,
  binary: { outfile: string; entry?: string } = { outfile: BINARY_PATH },
): Promise<void> {
  const missing = await Deno.stat(binary.outfile).then(() => false, () => true);
  if (!build && !missing) return;
  console.error(`building ${binary.outfile}`);
  await buildBinary({ outfile: binary.outfile, entry: binary.entry });
}

/** Starts the binary serving `clip` at `path`; resolves once its banner named both ports. */
export async function startBinary(clip: string, path: string): Promise<BinaryServer> {
  const child = new Deno.Command(BINARY_PATH, {
    args: [
      "--input",
      clip,
      "--path",
      path,
      "--port",
      "0",
      "--http-port",
      "0",
      "--bind",
      "127.0.0.1",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const { rtspPort, httpPort } = await bannerPorts(child);
  return {
    rtspUrl: `rtsp://127.0.0.1:${rtspPort}${path}`,
    base: `http://127.0.0.1:${httpPort}`,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
