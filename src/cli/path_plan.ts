/**
 * The paths of a configuration sorted by who feeds them: local sources (cameras, files, test
 * patterns) become planned sources for `src/source/start_sources.ts`; ingest and publisher paths
 * become the rules devices and RTSP publishers are held to, with `all_others` as the rule of every
 * path not named.
 *
 * @module
 */

import { ALL_OTHERS, type Config, type IngestPathConfig } from "../config/model.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import type { LocalSource } from "../source/local_source.ts";
import { localSourceOf } from "./local_source_of.ts";

/** One path of the banner: a local source to start, or a line that is known already. */
export type PathEntry =
  | { path: string; source: LocalSource; onDemand?: { closeAfterMs: number } }
  | { path: string; line: string; fedBy: "ingest" | "publisher" };

/** What the configured paths are. */
export interface PathPlan {
  /** Every path in the configuration's order. */
  entries: PathEntry[];
  /** The ingest rules of a path; undefined: devices may not push to it. */
  ingest: (path: string) => IngestPathPolicy | undefined;
  /** Whether RTSP clients may publish to a path, and whether a new one replaces the old. */
  publish: (path: string) => { replace: boolean } | undefined;
  /** Whether any path takes pushed frames (the ingest port is opened). */
  ingesting: boolean;
  /** Every push target, with its path and transport. */
  pushes: { path: string; url: string; transport: "tcp" | "udp" }[];
}

/** Sorts the paths of `config` into sources and rules. */
export function planPaths(config: Config): PathPlan {
  const entries: PathEntry[] = [];
  const ingest = new Map<string, IngestPathPolicy>();
  const publish = new Map<string, { replace: boolean }>();
  const pushes: PathPlan["pushes"] = [];
  for (const [path, p] of Object.entries(config.paths)) {
    const transport = p.pushTransport ?? "tcp";
    for (const url of p.push ?? []) pushes.push({ path, url, transport });
    const shown = path === ALL_OTHERS ? "/<path>" : path;
    if (p.source === "ingest") {
      ingest.set(path, policyOf(p));
      const line = `pushed by a device${p.token ? "" : " (no token)"}`;
      entries.push({ path: shown, line, fedBy: "ingest" });
    } else if (p.source === "publisher") {
      publish.set(path, { replace: p.replace });
      entries.push({ path: shown, line: "published over RTSP", fedBy: "publisher" });
    } else {
      const onDemand = p.onDemand ? { closeAfterMs: p.onDemandCloseAfter } : undefined;
      entries.push({ path, source: localSourceOf(p), onDemand });
    }
  }
  return {
    entries,
    ingest: (path) => ingest.get(path) ?? ingest.get(ALL_OTHERS),
    publish: (path) => publish.get(path) ?? publish.get(ALL_OTHERS),
    ingesting: ingest.size > 0,
    pushes,
  };
}

function policyOf(path: IngestPathConfig): IngestPathPolicy {
  const { source: _, ...policy } = path;
  return policy;
}
