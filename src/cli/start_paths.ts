/**
 * `--config FILE`: the paths a config file describes. Local sources (cameras, files, test
 * patterns) start at their paths; ingest and publish paths become the rules devices and RTSP
 * publishers are held to.
 *
 * @module
 */

import type { Config, PathConfig } from "../config/config.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import type { Logger } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import { cameraSource, type CliConfig, inputSource, type SourceConfig } from "./args.ts";
import { type RunningSource, startSource } from "./start_source.ts";

/** What the configured paths are, once started. */
export interface ConfiguredPaths {
  /** The local sources, running. */
  sources: RunningSource[];
  /** One line per path, for the banner. */
  lines: string[];
  /** The ingest rules by path (empty: no ingest path). */
  ingest: Map<string, IngestPathPolicy>;
  /** The paths RTSP clients may publish, with whether a new publisher replaces the old. */
  publish: Map<string, { replace: boolean }>;
}

/** A local path's source, as the command line would give it (the file checked its names). */
function sourceOf(path: PathConfig): SourceConfig {
  switch (path.source) {
    case "camera":
      return cameraSource(path.device, path.format);
    case "file":
      return inputSource(path.input, undefined);
    default:
      return { kind: "test-pattern" };
  }
}

/**
 * Starts every local source of `config` on `server` and collects the rules of the other paths.
 * `cli` supplies what a path leaves out. On failure, what was started is stopped again.
 */
export async function startConfiguredPaths(
  config: Config,
  cli: CliConfig,
  server: RtspServer,
  logger: Logger,
): Promise<ConfiguredPaths> {
  const started: ConfiguredPaths = {
    sources: [],
    lines: [],
    ingest: new Map(),
    publish: new Map(),
  };
  try {
    for (const [path, p] of Object.entries(config.paths)) {
      if (p.source === "ingest") {
        const { source: _, ...policy } = p;
        started.ingest.set(path, policy);
        started.lines.push(`${path}: pushed by a device${p.token ? "" : " (no token)"}`);
      } else if (p.source === "publish") {
        started.publish.set(path, { replace: p.replace });
        started.lines.push(`${path}: published over RTSP`);
      } else {
        const settings: CliConfig = {
          ...cli,
          path,
          source: sourceOf(p),
          size: "size" in p && p.size ? p.size : cli.size,
          fps: p.fps ?? cli.fps,
          bitrate: "bitrate" in p ? p.bitrate : cli.bitrate,
          gop: "gop" in p ? p.gop : cli.gop,
        };
        const source = await startSource(settings, server, logger);
        started.sources.push(source);
        started.lines.push(`${path}: ${source.description}`);
      }
    }
    return started;
  } catch (error) {
    await Promise.all(started.sources.map((s) => s.stop()));
    throw error;
  }
}
