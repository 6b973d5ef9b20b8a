/**
 * The `rtsp-edge` command: flags → configuration → a running server. This is the only module that
 * prints to the terminal or exits; everything else reports through return values and errors.
 *
 * ```sh
 * deno run -A cli.ts                      # the test pattern at rtsp://localhost:8554/stream
 * deno run -A cli.ts --input clip.h264 --port 8554 --path /stream
 * deno run -A cli.ts --camera /dev/video0 --size 1280x720 --fps 30
 * ```
 *
 * @module
 */

import process from "node:process";
import { loadLibC } from "./src/camera/libc.ts";
import { formatCameraList, listCameras, videoDeviceNodes } from "./src/camera/list_cameras.ts";
import { parseCliArgs, USAGE, UsageError } from "./src/cli/args.ts";
import { consoleLogger } from "./src/cli/console_logger.ts";
import { licenseNotices } from "./src/cli/licenses.ts";
import { localAddresses } from "./src/runtime/interfaces.ts";
import { startSource } from "./src/cli/start_source.ts";
import { ingestPolicy } from "./src/cli/ingest_policy.ts";
import { startIngest } from "./src/ingest/ingest_server.ts";
import { serve } from "./src/server/server.ts";
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
  if (config.licenses) {
    console.log(licenseNotices());
    return 0;
  }
  if (config.listCameras) return await printCameras();
  const logger = consoleLogger(config.logLevel);
  let server;
  let source;
  let ingest;
  try {
    server = await serve({
      port: config.port,
      hostname: config.bind,
      rtpPort: config.rtpPort,
      maxPayloadSize: config.payloadSize,
      logger,
    });
    source = await startSource(config, server, logger);
    if (config.ingest) {
      ingest = await startIngest({
        rtsp: server,
        port: config.ingest.port,
        hostname: config.bind,
        policyFor: ingestPolicy(config, config.ingest),
        logger,
      });
    }
  } catch (error) {
    await source?.stop();
    await server?.close();
    console.error(`rtsp-edge: ${(error as Error).message}`);
    return 1;
  }
  // With nothing served locally, paths are whatever devices and publishers choose.
  const path = config.source.kind === "none" ? "/<path>" : config.path;
  printBanner(server.url(path), server.port, config.bind, path, source.description);
  if (ingest) {
    console.log(
      `  devices push to http://<host>:${ingest.port}/ingest/<path>` +
        (config.ingest!.token ? "" : " (no token: anyone on the network may publish)"),
    );
  }
  const reason = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("interrupted"));
    process.once("SIGTERM", () => resolve("terminated"));
    source.ended.then(() => resolve("input ended"), (e) => resolve(`input failed: ${e.message}`));
  });
  logger.log("info", `stopping: ${reason}`);
  await ingest?.close();
  await source.stop();
  await server.close(); // TEARDOWN semantics for every session
  return reason.startsWith("input failed") ? 1 : 0;
}

async function printCameras(): Promise<number> {
  let libc;
  try {
    libc = await loadLibC();
  } catch (error) {
    console.error(`rtsp-edge: ${(error as Error).message}`);
    return 1;
  }
  console.log(formatCameraList(listCameras(libc, videoDeviceNodes())).trimEnd());
  return 0;
}

function printBanner(url: string, port: number, bind: string, path: string, what: string): void {
  const urls = bind === "0.0.0.0" || bind === "::"
    ? [
      url,
      ...localAddresses().map((a) => `rtsp://${a.includes(":") ? `[${a}]` : a}:${port}${path}`),
    ]
    : [url];
  console.log(`rtsp-edge ${VERSION}: serving ${what}`);
  for (const u of urls) console.log(`  ${u}`);
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
  process.exit();
}
