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
import { loadLibC } from "./src/camera/load_libc.ts";
import { formatCameraList, listCameras, videoDeviceNodes } from "./src/camera/list_cameras.ts";
import { type CliConfig, parseCliArgs, USAGE, UsageError } from "./src/cli/args.ts";
import { consoleLogger } from "./src/cli/console_logger.ts";
import { licenseNotices } from "./src/cli/licenses.ts";
import { localAddresses } from "./src/runtime/interfaces.ts";
import { mergeSettings, type Running, startAll } from "./src/cli/run.ts";
import { loadConfig } from "./src/config/load.ts";
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
    console.log(await licenseNotices());
    return 0;
  }
  if (config.listCameras) return await printCameras();
  let file;
  if (config.configFile !== undefined) {
    try {
      file = await loadConfig(config.configFile);
    } catch (error) {
      console.error(`rtsp-edge: ${(error as Error).message}`);
      return 2;
    }
    config = mergeSettings(config, file);
  }
  const logger = consoleLogger(config.logLevel);
  let running;
  try {
    running = await startAll(config, file, logger);
  } catch (error) {
    console.error(`rtsp-edge: ${(error as Error).message}`);
    return 1;
  }
  printBanner(running, config);
  const reason = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("interrupted"));
    process.once("SIGTERM", () => resolve("terminated"));
    running.ended.then(() => resolve("input ended"), (e) => resolve(`input failed: ${e.message}`));
  });
  logger.log("info", `stopping: ${reason}`);
  await running.stop(); // TEARDOWN semantics for every session
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

/** What is served and where: one block, with a URL per local address. */
function printBanner(running: Running, config: CliConfig): void {
  const { server } = running;
  const hosts = config.bind === "0.0.0.0" || config.bind === "::"
    ? [undefined, ...localAddresses()]
    : [undefined];
  const urls = (path: string) => [
    ...hosts.map((h) => `  ${server.url(path, h)}`),
    ...(server.tlsPort === undefined ? [] : hosts.map((h) => `  ${server.tlsUrl(path, h)}`)),
  ];
  if (running.lines.length === 1) {
    const [path, what] = splitLine(running.lines[0]);
    console.log(`rtsp-edge ${VERSION}: serving ${what}`);
    for (const u of urls(path)) console.log(u);
  } else {
    console.log(`rtsp-edge ${VERSION}: serving ${running.lines.length} paths`);
    for (const line of running.lines) {
      const [path, what] = splitLine(line);
      console.log(`  ${path}: ${what}`);
      for (const u of urls(path)) console.log(`  ${u}`);
    }
  }
  if (running.ingest) {
    const open = config.ingest?.token === undefined && !config.configFile;
    console.log(
      `  devices push to http://<host>:${running.ingest.port}/ingest/<path>` +
        (open ? " (no token: anyone on the network may publish)" : ""),
    );
  }
}

function splitLine(line: string): [string, string] {
  const at = line.indexOf(": ");
  return [line.slice(0, at), line.slice(at + 2)];
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
  process.exit();
}
