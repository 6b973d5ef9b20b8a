/**
 * A config file with command-line flags laid over it, before the one check: a flag's setting
 * replaces the file's (`--port 8555` over `rtspPort: 8554`), the flags' users replace the file's
 * `auth` section, `tls` and `limits` are merged setting by setting, and the flags' paths join the
 * file's. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { overlay } from "./overlay.ts";
 * import { parseYamlWithPositions } from "./yaml_with_positions.ts";
 *
 * const file = { ...parseYamlWithPositions("rtspPort: 8554\nlimits: { maxSessions: 10 }\n"), file: "a.yml" };
 * const flags = {
 *   value: { rtspPort: "8555", limits: { maxConnections: "20" } },
 *   positions: new Map(),
 *   keyPositions: new Map(),
 *   labels: new Map([["/rtspPort", "--port"], ["/limits/maxConnections", "--max-connections"]]),
 * };
 * assert.deepEqual(overlay(file, flags).value, {
 *   rtspPort: "8555",
 *   limits: { maxSessions: 10, maxConnections: "20" },
 * });
 * ```
 *
 * @module
 */

import { normalizePathName } from "../base/path_name.ts";
import { ConfigError, type JsonValue } from "./json_with_positions.ts";
import { ALL_OTHERS } from "./model.ts";
import type { ConfigDocument } from "./reader.ts";

type Members = { [key: string]: JsonValue };

const MERGED_SECTIONS = ["tls", "limits"];

/** `flags` laid over `file`. Throws {@link ConfigError} when a flag's path is also the file's. */
export function overlay(file: ConfigDocument, flags: ConfigDocument): ConfigDocument {
  const base = isMembers(file.value) ? file.value : undefined;
  if (!base || !isMembers(flags.value)) return file;
  const value: Members = { ...base };
  for (const [key, given] of Object.entries(flags.value)) {
    const own = base[key];
    if (key === "paths" && isMembers(own) && isMembers(given)) {
      value.paths = joinPaths(own, given, file.file, flags.labels);
    } else if (MERGED_SECTIONS.includes(key) && isMembers(own) && isMembers(given)) {
      value[key] = { ...own, ...given };
    } else {
      value[key] = given;
    }
  }
  return { ...file, value, labels: flags.labels };
}

function joinPaths(
  own: Members,
  given: Members,
  fileName: string | undefined,
  labels: ReadonlyMap<string, string> | undefined,
): Members {
  const names = new Map(Object.keys(own).map((k) => [nameOf(k), k]));
  for (const key of Object.keys(given)) {
    const clash = names.get(nameOf(key));
    if (clash === undefined) continue;
    const flag = labels?.get(`/paths/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    const what = key === ALL_OTHERS ? `${flag} takes every path not named` : `${flag} ${key}`;
    throw new ConfigError(
      `${what}, and ${fileName ?? "the config file"} has ${clash} already; ` +
        (key === ALL_OTHERS ? "set it in the file instead" : "choose another --path"),
    );
  }
  return { ...own, ...given };
}

function nameOf(key: string): string {
  return key === ALL_OTHERS ? key : normalizePathName(key) ?? key;
}

function isMembers(value: JsonValue | undefined): value is Members {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
