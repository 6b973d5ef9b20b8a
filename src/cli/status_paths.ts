/**
 * The configured paths as the status board lists them: each with the kind of source the status
 * page names, a line on it without passwords, and its running source for the states it tells.
 *
 * @module
 */

import type { ConfiguredPath, SourceType } from "../http/status.ts";
import { type LocalSource, sourceLabel } from "../source/local_source.ts";
import type { RunningSource } from "../source/running_source.ts";
import type { PathEntry } from "./path_plan.ts";

/** The name `planPaths` gives the `all_others` rule in the banner. */
const OTHERS_SHOWN = "/<path>";

/** What {@link statusPaths} makes: the named paths, and the rule of all others if there is one. */
export interface StatusPaths {
  /** The paths named in the configuration, in its order. */
  paths: ConfiguredPath[];
  /** What feeds the paths not named (the `all_others` rule), if any. */
  otherPaths?: { type: SourceType; detail: string };
}

/**
 * The board's view of `entries`; `sources` are the running sources of the entries that have a
 * local source, in the same order.
 */
export function statusPaths(
  entries: readonly PathEntry[],
  sources: readonly RunningSource[],
): StatusPaths {
  const out: StatusPaths = { paths: [] };
  let next = 0;
  for (const entry of entries) {
    if ("line" in entry) {
      const described = { type: entry.fedBy, detail: entry.line };
      if (entry.path === OTHERS_SHOWN) out.otherPaths = described;
      else out.paths.push({ path: entry.path, ...described });
      continue;
    }
    out.paths.push({
      path: entry.path,
      type: typeOf(entry.source),
      detail: sourceLabel(entry.source),
      onDemand: entry.onDemand !== undefined,
      source: sources[next++],
    });
  }
  return out;
}

function typeOf(source: LocalSource): SourceType {
  switch (source.kind) {
    case "test-pattern":
    case "camera":
    case "stdin":
      return source.kind;
    case "h264-file":
    case "y4m-file":
    case "raw-file":
      return "file";
    case "rtsp-relay":
      return "rtsp";
    case "http-relay":
      return "http";
  }
}
