/**
 * Reading a config file from disk (`node:fs/promises`, which Deno, Bun and Node all ship) and
 * checking it with {@link parseConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "./load.ts";
 *
 * await assert.rejects(loadConfig("/nonexistent/rtsp-edge.yml"), {
 *   name: "ConfigError",
 *   message: "/nonexistent/rtsp-edge.yml: cannot read it: no such file",
 * });
 * ```
 *
 * @module
 */

import { open } from "node:fs/promises";
import { parseConfig, type ParsedConfig, type ParseOptions } from "./config.ts";
import { ConfigError, DEFAULT_MAX_LENGTH } from "./json_with_positions.ts";
import { describeSystemError } from "../runtime/files.ts";

/**
 * Reads and checks a config file. Every failure is a {@link ConfigError} whose message is one
 * line that starts with `path` as given: `rtsp-edge.yml: cannot read it: no such file`, or
 * `rtsp-edge.yml:7:11: paths.cam1.jpeg must be "h264" or "rtp-jpeg", got "png"`.
 *
 * @param path The file, as the user named it; a `.json` or `.jsonc` name is read as JSON, any
 *   other as YAML.
 * @param options The environment for `${NAME}`, and how to tell whether an input file exists.
 * @returns The checked config.
 */
export async function loadConfig(path: string, options: ParseOptions = {}): Promise<ParsedConfig> {
  return parseConfig(await readConfigText(path), path, options);
}

/**
 * A config file's text. Every failure is a {@link ConfigError} whose one-line message starts with
 * `path`: `rtsp-edge.yml: cannot read it: no such file`.
 */
export async function readConfigText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    const file = await open(path, "r");
    try {
      const info = await file.stat();
      if (info.isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
      // UTF-8 takes at least one byte per UTF-16 code unit, so this also bounds the text within
      // the parser's limit; checked before reading, so a huge file is never read into memory.
      if (info.size > DEFAULT_MAX_LENGTH) {
        throw new ConfigError(`is larger than ${DEFAULT_MAX_LENGTH} bytes`, undefined, path);
      }
      const data = await file.readFile();
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read it: ${describeSystemError(error)}`, undefined, path);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError("is not UTF-8 text", undefined, path);
  }
}
