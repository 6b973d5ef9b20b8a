/**
 * Secrets from the environment: `${NAME}` in any string value of a config file is replaced by that
 * environment variable, as Frigate's `{FRIGATE_…}` and docker compose's `${…}` are, so passwords
 * and tokens need not sit in the file. `$${` writes a literal `${`. A variable that is not set is a
 * mistake naming it and the line, never an empty password. Pure: the environment is passed in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { substituteEnvironment } from "./environment.ts";
 * import { parseYamlWithPositions } from "./yaml_with_positions.ts";
 *
 * const parsed = parseYamlWithPositions("auth:\n  users:\n    ha:\n      password: ${HA_PASS}\n");
 * const { doc, templates } = substituteEnvironment(parsed, { HA_PASS: "s3cret" }, "a.yml");
 * assert.deepEqual(doc.value, { auth: { users: { ha: { password: "s3cret" } } } });
 * assert.equal(templates.get("/auth/users/ha/password"), "${HA_PASS}");
 * assert.throws(() => substituteEnvironment(parsed, {}, "a.yml"), {
 *   message: "a.yml:4:17: auth.users.ha.password: ${HA_PASS} is not set in the environment",
 * });
 * ```
 *
 * @module
 */

import { ConfigError, type JsonValue, type ParsedJson } from "./json_with_positions.ts";

/** The variables, by name. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A document with every `${NAME}` replaced, and the text each replaced value was written as. */
export interface Substituted {
  /** The document with the variables' values in place. */
  doc: ParsedJson;
  /** What each value that named a variable was written as, by JSON Pointer. */
  templates: ReadonlyMap<string, string>;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces `${NAME}` in every string value of `doc` by `env[NAME]`. */
export function substituteEnvironment(
  doc: ParsedJson,
  env: Environment,
  fileName?: string,
): Substituted {
  const templates = new Map<string, string>();
  const fail = (pointer: string, reason: string): never => {
    const label = pointer.split("/").slice(1).map((s) =>
      s.replaceAll("~1", "/").replaceAll("~0", "~")
    )
      .join(".");
    throw new ConfigError(`${label}: ${reason}`, doc.positions.get(pointer), fileName);
  };
  const walk = (value: JsonValue, pointer: string): JsonValue => {
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      const replaced = value.replace(REFERENCE, (whole, name: string | undefined) => {
        if (whole === "$${") return "${";
        if (!NAME.test(name!)) {
          fail(pointer, `\${${name}} is not a variable name: use letters, digits and _`);
        }
        const found = env[name!];
        if (found === undefined) fail(pointer, `\${${name}} is not set in the environment`);
        return found!;
      });
      templates.set(pointer, value);
      return replaced;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${pointer}/${i}`));
    if (value !== null && typeof value === "object") {
      const out: { [key: string]: JsonValue } = {};
      for (const [key, v] of Object.entries(value)) {
        out[key] = walk(v, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
      }
      return out;
    }
    return value;
  };
  return { doc: { ...doc, value: walk(doc.value, "") }, templates };
}
