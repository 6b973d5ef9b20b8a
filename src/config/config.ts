/**
 * The rtsp-edge config file (`--config rtsp-edge.yml`): YAML (or JSON, by its `.json` or `.jsonc`
 * name) describing the server and its paths, with `${NAME}` taken from the environment, checked
 * into the {@link Config} model. Every mistake is one line naming the file, the line and column,
 * and the setting: `rtsp-edge.yml:7:11: paths.cam1.jpeg must be "h264" or "rtp-jpeg", got "png"`.
 * Pure: text in, a model or a {@link ConfigError} out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 *
 * const { config } = parseConfig(
 *   [
 *     "httpPort: 8080",
 *     "paths:",
 *     "  # an ESP32-CAM pushing JPEG, served as H.264",
 *     "  cam1:",
 *     "    source: ingest",
 *     "    token: ${CAM1_TOKEN}",
 *     "    bitrate: 1M",
 *   ].join("\n"),
 *   "rtsp-edge.yml",
 *   { env: { CAM1_TOKEN: "secret" } },
 * );
 * assert.equal(config.httpPort, 8080);
 * assert.deepEqual(config.paths["/cam1"], {
 *   source: "ingest",
 *   token: "secret",
 *   jpeg: "h264",
 *   replace: false,
 *   bitrate: 1_000_000,
 *   gop: 30,
 *   maxFrameBytes: 8_388_608,
 *   audio: "l16",
 * });
 * assert.throws(
 *   () => parseConfig("paths:\n  cam1: { source: ingest, tokn: x }\n", "a.yml"),
 *   { message: "a.yml:2:27: paths.cam1.tokn is not a setting; did you mean token?" },
 * );
 * ```
 *
 * @module
 */

import { checkConfig, type Checked, type CheckOptions } from "./check.ts";
import { type Environment, substituteEnvironment } from "./environment.ts";
import { parseJsonWithPositions } from "./json_with_positions.ts";
import type { ConfigDocument } from "./reader.ts";
import { parseYamlWithPositions } from "./yaml_with_positions.ts";

export { ConfigError } from "./json_with_positions.ts";
export { SECRET_MASK } from "./check.ts";
export type * from "./model.ts";
export { ALL_OTHERS } from "./model.ts";

/** What reading a config file may ask of the world. */
export interface ParseOptions extends CheckOptions {
  /** The environment `${NAME}` is taken from; none when left out. */
  env?: Environment;
}

/** A checked file: the model, notices, and what each `${NAME}` value was written as. */
export interface ParsedConfig extends Checked {
  /** The text of each value that named a variable, by JSON Pointer. */
  templates: ReadonlyMap<string, string>;
}

/** Whether a file of this name is JSON (`.json`, `.jsonc`); everything else is read as YAML. */
export function isJsonName(fileName: string): boolean {
  return /\.jsonc?$/i.test(fileName);
}

/**
 * Parses and checks a config file's text.
 *
 * @param text The file's text: YAML, or JSON with comments when `fileName` ends in `.json`.
 * @param fileName The name to show in errors, e.g. `rtsp-edge.yml`; its ending picks the parser.
 * @param options The environment, and how to tell whether an input file exists.
 * @throws {ConfigError} naming the file, line, column and setting of the first mistake.
 */
export function parseConfig(
  text: string,
  fileName: string,
  options: ParseOptions = {},
): ParsedConfig {
  const { doc, templates } = readConfigDocument(text, fileName, options.env);
  return { ...checkConfig(doc, options), templates };
}

/**
 * A config file's text as a document for the checker, `${NAME}` replaced from `env`, before it
 * is checked (so flags can be laid over it first, see `overlay.ts`).
 *
 * @throws {ConfigError} for text that does not parse, or a variable that is not set.
 */
export function readConfigDocument(
  text: string,
  fileName: string,
  env: Environment = {},
): { doc: ConfigDocument; templates: ReadonlyMap<string, string> } {
  const parsed = isJsonName(fileName)
    ? parseJsonWithPositions(text, { fileName })
    : parseYamlWithPositions(text, fileName);
  const { doc, templates } = substituteEnvironment(parsed, env, fileName);
  return { doc: { ...doc, file: fileName }, templates };
}
