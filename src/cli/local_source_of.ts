/**
 * A source as the command line (or a config file path) names it, turned into the settings its
 * runner in `src/source/` takes, with the command line's defaults filled in.
 *
 * @module
 */

import type { LocalSource } from "../source/local_source.ts";
import type { SourceConfig } from "./args.ts";

/** The settings a path's source may leave out, from the path or the command line. */
export interface SourceSettings {
  /** Picture size for the test pattern, cameras and headerless raw input. */
  size: { width: number; height: number } | undefined;
  /** Frame rate override. */
  fps: number | undefined;
  /** Encoder bitrate, bits per second. */
  bitrate: number;
  /** Encoder GOP length in frames. */
  gop: number;
}

const DEFAULT_SIZE = { width: 1280, height: 720 };

/** The runner settings of `source`; undefined for no local source (`--publish`, `--ingest`). */
export function localSourceOf(
  source: SourceConfig,
  settings: SourceSettings,
): LocalSource | undefined {
  const { fps, bitrate, gop } = settings;
  const { width, height } = settings.size ?? DEFAULT_SIZE;
  switch (source.kind) {
    case "none":
      return undefined;
    case "test-pattern":
      return { kind: "test-pattern", width, height, fps: fps ?? 30, bitrate, gop };
    case "h264":
      return { kind: "h264-file", path: source.path, fps };
    case "y4m":
      return { kind: "y4m-file", path: source.path, fps, bitrate, gop };
    case "raw":
      // args.ts refuses raw input without --size.
      return {
        kind: "raw-file",
        path: source.path,
        format: source.format,
        width,
        height,
        fps,
        bitrate,
        gop,
      };
    case "stdin":
      return { kind: "stdin", fps, bitrate, gop };
    case "camera": {
      const { device, pixelFormat } = source;
      return { kind: "camera", device, pixelFormat, width, height, fps: fps ?? 30, bitrate, gop };
    }
  }
}
