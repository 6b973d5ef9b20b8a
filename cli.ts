/**
 * The `rtsp-edge` command: flags → configuration → a running server. This is the only module that
 * prints to the terminal or exits; everything else reports through return values and errors.
 *
 * ```sh
 * deno run -A cli.ts --input clip.h264 --port 8554 --path /stream
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseCliArgs, USAGE, UsageError } from "./src/cli/args.ts";
import { consoleLogger } from "./src/cli/console_logger.ts";
import { localAddresses } from "./src/runtime/interfaces.ts";
import { readWholeFile } from "./src/runtime/files.ts";
import { serve } from "./src/server/server.ts";
import { playClip, readAnnexBClip } from "./src/source/annexb_file.ts";
import { VERSION } from "./src/version.ts";

/** Runs the command with `argv` (without the program name). Resolves when the server has stopped. */
export async function main(argv: readonly string[]): Promise<number> {
  let config;
  try {
    config = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`rtsp-edge: ${error.message} (see --help)`);
    return 2;
  }
  if (config.help) {
    console.log(USAGE);
    return 0;
  }
  if (config.version) {
    console.log(`rtsp-edge ${VERSION}`);
    return 0;
  }
  if (config.input === undefined) {
    console.error("rtsp-edge: no source given: use --input FILE.h264 (see --help)");
    return 2;
  }
  const logger = consoleLogger(config.logLevel);
  try {
    const clip = readAnnexBClip(await readWholeFile(config.input));
    const fps = config.fps ?? clip.framerate ?? 30;
    const server = await serve({
      port: config.port,
      hostname: config.bind,
      rtpPort: config.rtpPort,
      maxPayloadSize: config.payloadSize,
      logger,
    });
    const stream = server.addStream(config.path, { codec: "h264", framerate: fps });
    const player = playClip(clip, fps, (nals, options) => stream.sendFrame(nals, options));
    printBanner(server.url(config.path), server.port, config.bind, config.path, {
      input: config.input,
      fps,
      frames: clip.accessUnits.length,
    });
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    player.stop();
    await server.close(); // TEARDOWN semantics for every session
    return 0;
  } catch (error) {
    console.error(`rtsp-edge: ${(error as Error).message}`);
    return 1;
  }
}

function printBanner(
  url: string,
  port: number,
  bind: string,
  path: string,
  source: { input: string; fps: number; frames: number },
): void {
  const urls = bind === "0.0.0.0" || bind === "::"
    ? [
      url,
      ...localAddresses().map((a) => `rtsp://${a.includes(":") ? `[${a}]` : a}:${port}${path}`),
    ]
    : [url];
  console.log(
    `rtsp-edge ${VERSION}: serving ${source.input} (${source.frames} frames at ${source.fps} fps, looped)`,
  );
  for (const u of urls) console.log(`  ${u}`);
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
  process.exit();
}
