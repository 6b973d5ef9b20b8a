/**
 * `--config FILE`: the paths a config file describes. Local sources (cameras, files, test
 * patterns) become planned sources for `src/source/start_sources.ts`; ingest and publish paths
 * become the rules devices and RTSP publishers are held to.
 *
 * @module
 */

import type { Config, PathConfig } from "../config/config.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import type { LocalSource } from "../source/local_source.ts";
import { cameraSource, type CliConfig, inputSource, type SourceConfig } from "./args.ts";
import { localSourceOf } from "./local_source_of.ts";

/** One path of the banner: a local source to start, or a line that is known already. */
export type PathEntry =
  | { path: string; source: LocalSource; onDemand?: { closeAfterMs: number } }
  | { path: string; line: string };

/** What the configured paths are. */
export interface ConfiguredPaths {
  /** Every path in the file's order. */
  entries: PathEntry[];
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

/** Sorts the paths of `config` into sources and rules. `cli` supplies what a path leaves out. */
export function configuredPaths(config: Config, cli: CliConfig): ConfiguredPaths {
  const paths: ConfiguredPaths = { entries: [], ingest: new Map(), publish: new Map() };
  for (const [path, p] of Object.entries(config.paths)) {
    if (p.source === "ingest") {
      const { source: _, ...policy } = p;
      paths.ingest.set(path, policy);
      paths.entries.push({ path, line: `pushed by a device${p.token ? "" : " (no token)"}` });
    } else if (p.source === "publish") {
      paths.publish.set(path, { replace: p.replace });
      paths.entries.push({ path, line: "published over RTSP" });
    } else {
      const source = localSourceOf(sourceOf(p), {
        size: "size" in p && p.size ? p.size : cli.size,
        fps: p.fps ?? cli.fps,
        bitrate: "bitrate" in p ? p.bitrate : cli.bitrate,
        gop: "gop" in p ? p.gop : cli.gop,
      });
      const onDemand = p.onDemand ? { closeAfterMs: p.onDemandCloseAfter } : undefined;
      if (source) paths.entries.push({ path, source, onDemand });
    }
  }
  return paths;
}
