/**
 * The ingest rules the command line sets: every path may be published, with one token for all.
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_BYTES } from "../config/config.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import type { CliConfig, IngestFlags } from "./args.ts";

/** The policy of every path under the command line's ingest flags. */
export function ingestPolicy(
  config: CliConfig,
  flags: IngestFlags,
): (path: string) => IngestPathPolicy {
  const policy: IngestPathPolicy = {
    token: flags.token,
    jpeg: flags.jpeg,
    replace: config.replace,
    bitrate: config.bitrate,
    gop: config.gop,
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  };
  return () => policy;
}
