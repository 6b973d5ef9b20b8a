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
import { parseCommandLine, USAGE, UsageError } from "./src/cli/args.ts";
import { configure } from "./src/cli/configure.ts";
import { consoleLogger } from "./src/cli/console_logger.ts";
import { licenseNotices } from "./src/cli/licenses.ts";
import { localAddresses } from "./src/runtime/interfaces.ts";
import { type Running, startAll } from "./src/cli/run.ts";
import type { Config, ParsedConfig } from "./src/config/config.ts";
import { ConfigError } from "./src/config/json_with_positions.ts";
import { VERSION } from "./src/version.ts";

/**
 * Runs the command with `argv` (without the program name), taking `${NAME}` in a config file from
 * `env`. Resolves with the exit code when the server has stopped: 0, 1 when it could not start or
 * its input failed, 2 for a mistake on the command line or in the config file.
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`rtsp-edge: ${error.message} (see --help)`);
    return 2;
  }
  switch (command.action) {
    case "help":
      console.log(USAGE);
      return 0;
    case "version":
      console.log(`rtsp-edge ${VERSION}`);
      return 0;
    case "licenses":
      console.log(await licenseNotices());
      return 0;
    case "list-cameras":
      return await printCameras();
  }
  let parsed: ParsedConfig;
  try {
    parsed = await configure(command, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const help = command.configFile === undefined ? " (see --help)" : "";
    console.error(`rtsp-edge: ${error.message}${help}`);
    return 2;
  }
  const { config } = parsed;
  for (const notice of parsed.notices) console.error(`rtsp-edge: ${notice}`);
  if (command.action === "print-config") {
    const { printConfig } = await import("./src/config/print.ts");
    console.log(printConfig(config, parsed.templates).trimEnd());
    return 0;
  }
  const logger = consoleLogger(config.logLevel);
  let running;
  try {
    running = await startAll(config, { logger, retry: command.configFile !== undefined });
  } catch (error) {
    console.error(`rtsp-edge: ${withAdvice((error as Error).message)}`);
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

/** A port in use is often another RTSP server (Frigate's bundled go2rtc holds 8554): say how to move. */
function withAdvice(message: string): string {
  if (!message.endsWith("the port is in use")) return message;
  const flag = message.includes("for HTTP")
    ? "--http-port (httpPort)"
    : message.includes("RTSPS")
    ? "--tls-port (tls.port)"
    : message.includes("for RTSP ")
    ? "--port (rtspPort)"
    : "--rtp-port (rtpPort)";
  return `${message}; choose another with ${flag}`;
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

/** What is served and where: one block, with a URL per local address, then who may come in. */
function printBanner(running: Running, config: Config): void {
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
    const { port } = running.ingest;
    const httpUrls = (path: string) =>
      hosts.map((h) => {
        const name = h ?? (hosts.length > 1 ? "localhost" : config.bind);
        const host = name.includes(":") ? `[${name}]` : name;
        return `    http://${host}:${port}${path}`;
      });
    console.log("  console, API, metrics and snapshots at");
    for (const u of httpUrls("/")) console.log(u);
    const ingest = Object.values(config.paths).filter((p) => p.source === "ingest");
    if (ingest.length > 0) {
      const open = ingest.some((p) => !p.token);
      console.log(
        "  devices push to" + (open ? " (a path without a token: anyone on the network may)" : ""),
      );
      for (const u of httpUrls("/ingest/<path>")) console.log(u);
    }
  }
  console.log(`  ${accessLine(config)}`);
}

/** Whether auth is on, for whom, and from where. */
function accessLine(config: Config): string {
  const { auth } = config;
  if (!auth) return "auth: off (anyone who can reach the port may read and publish)";
  const users = Object.keys(auth.users);
  const methods = (auth.methods ?? ["digest"]).join(", ");
  const from = auth.allow ? `, from ${auth.allow.join(", ")} only` : "";
  return `auth: ${methods} for ${users.length} user${users.length === 1 ? "" : "s"}${from}`;
}

function splitLine(line: string): [string, string] {
  const at = line.indexOf(": ");
  return [line.slice(0, at), line.slice(at + 2)];
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
  process.exit();
}
