/**
 * A local path of the configuration (a camera, a file, the test pattern, a relayed camera) turned
 * into the settings its runner in `src/source/` takes.
 *
 * @module
 */

import { CAPTURE_FORMAT_NAMES } from "../camera/negotiate.ts";
import { pixelFormatByName } from "../codec/raw_frame.ts";
import type { LocalPathConfig } from "../config/config.ts";
import type { LocalSource } from "../source/local_source.ts";

/** The runner settings of a local path (the checker has vetted every name and size). */
export function localSourceOf(path: LocalPathConfig): LocalSource {
  const { bitrate, gop } = path;
  switch (path.source) {
    case "test-pattern": {
      const { width, height } = path.size;
      return { kind: "test-pattern", width, height, fps: path.fps, bitrate, gop };
    }
    case "camera": {
      const { width, height } = path.size;
      const pixelFormat = path.format === undefined ? undefined : CAPTURE_FORMAT_NAMES[path.format];
      return {
        kind: "camera",
        device: path.device,
        pixelFormat,
        width,
        height,
        fps: path.fps,
        bitrate,
        gop,
      };
    }
    case "file": {
      const { input: name, fps } = path;
      if (path.format !== undefined) {
        // The checker refuses raw pictures without their size.
        const { width, height } = path.size!;
        const format = pixelFormatByName(path.format);
        return { kind: "raw-file", path: name, format, width, height, fps, bitrate, gop };
      }
      // Standard input is Y4M or H.264, told apart by its first bytes.
      if (name === "-") return { kind: "stdin", fps, bitrate, gop };
      if (/\.y4m$/i.test(name)) return { kind: "y4m-file", path: name, fps, bitrate, gop };
      return { kind: "h264-file", path: name, fps };
    }
    case "rtsp": {
      const { url, rtspTransport: transport, jpeg } = path;
      return { kind: "rtsp-relay", url, transport, jpeg, bitrate, gop };
    }
    case "http":
      return {
        kind: "http-relay",
        url: path.url,
        ...(path.fps === undefined ? {} : { pollFps: path.fps }),
        jpeg: path.jpeg,
        bitrate,
        gop,
      };
  }
}
