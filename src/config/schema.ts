/**
 * The JSON Schema (draft-07) of the config file, generated from the settings table
 * (`settings.ts`): editors that speak JSON Schema (VS Code's YAML extension, through the
 * `# yaml-language-server: $schema=...` line) complete keys, show each setting's doc and default,
 * and underline a mistake before rtsp-edge ever reads the file. Every setting comes from the table;
 * this module only knows how each kind of setting is written in the file. The checker stays the
 * judge: the schema accepts everything it accepts, and refuses the common mistakes early.
 * `examples/rtsp-edge.schema.json` is this schema, written by `deno task schema`. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configSchema, SCHEMA_ID } from "./schema.ts";
 *
 * const schema = configSchema() as { $id: string; properties: Record<string, object> };
 * assert.equal(schema.$id, SCHEMA_ID);
 * assert.deepEqual(schema.properties.rtspPort, {
 *   description: "RTSP port (0 picks a free one).",
 *   type: "integer",
 *   minimum: 0,
 *   maximum: 65535,
 *   default: 8554,
 * });
 * ```
 *
 * @module
 */

import { formatDuration } from "../base/duration.ts";
import { VERSION } from "../version.ts";
import {
  PATH_KEYS,
  PATH_REQUIRED,
  PATH_SETTINGS,
  type Setting,
  type SettingTable,
  SOURCE_ALIASES,
  SOURCE_SCHEMES,
  TOP_SETTINGS,
} from "./settings.ts";
import { ALL_OTHERS, type PathSource } from "./model.ts";

/** A JSON Schema, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where the schema says it lives: the `$id`, and what the `$schema=` line of a file names. */
export const SCHEMA_ID = `https://jsr.io/@x/rtsp/${VERSION}/examples/rtsp-edge.schema.json`;

/** The grammar of `parseDuration` (src/base/duration.ts): `10s`, `1m30s`, `500ms`, `2.5`. */
const DURATION_PATTERN = "^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h))+)$";
/** The longest duration the checker takes, in seconds (a day). */
const MAX_DURATION_SECONDS = 86_400;
/** `parseBitrate` (src/encoder/options.ts): `2M`, `2.5m`, `500k`, `800000`. */
const BITRATE_PATTERN = "^\\d+(\\.\\d+)?[kKmM]?$";
/** `checkBitrate`'s range, bits per second. */
const BITRATE = { minimum: 10_000, maximum: 100_000_000 };
/** `WIDTHxHEIGHT`, as the checker reads a size (it then wants even numbers from 16 to 4096). */
const SIZE_PATTERN = "^\\d{1,4}[xX]\\d{1,4}$";
/**
 * A path name (src/base/path_name.ts): segments of letters, digits and `. _ ~ -` joined by `/`,
 * none of them `.` or `..`, with or without a leading slash; or `all_others`.
 */
const SEGMENT = "(?!\\.\\.?(/|$))[A-Za-z0-9._~-]+";
const PATH_NAME_PATTERN = `^(${ALL_OTHERS}|/?${SEGMENT}(/${SEGMENT})*)$`;
/** A user name as `auth.users` takes it: printable ASCII without `"`, `\` or `:`. */
const USER_NAME_PATTERN = "^[\\x20\\x21\\x23-\\x39\\x3b-\\x5b\\x5d-\\x7e]+$";
/** A text value naming an environment variable (`${NAME}`, see environment.ts), checked once set. */
const TEMPLATE_PATTERN = "\\$\\{";

/** The three ways a user is known (src/auth/credentials.ts, `credentialProblem`). */
const CREDENTIALS: Readonly<Record<string, JsonSchema>> = {
  password: { description: "The password itself, or ${NAME} to take it from the environment." },
  ha1: {
    description: "MD5(user:realm:password) in hex, what Digest checks; not usable for Basic.",
    pattern: templated("^[0-9a-fA-F]{32}$"),
  },
  hash: {
    description: "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>, for Basic only.",
    pattern: templated("^pbkdf2-sha256\\$\\d{1,8}\\$[^$]+\\$[^$]+$"),
  },
};

/**
 * The JSON Schema (draft-07) of the config file, from the settings table: descriptions from each
 * setting's doc, defaults as the file writes them (`"10s"`, `"1280x720"`).
 */
export function configSchema(): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: SCHEMA_ID,
    title: "rtsp-edge configuration",
    description: "The rtsp-edge config file (YAML or JSON). Every setting may be left out; " +
      "${NAME} in a text value is replaced by that environment variable.",
    ...withSchemaKey(tableSchema(TOP_SETTINGS)),
  };
}

/** A JSON file names its schema in `$schema`, which the checker takes too. */
function withSchemaKey(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>;
  const $schema = { description: "The address of this schema, for editors.", type: "string" };
  return { ...schema, properties: { $schema, ...properties } };
}

/** An object of the settings of `table`, nothing else. */
function tableSchema(table: SettingTable, required: readonly string[] = []): JsonSchema {
  return {
    type: "object",
    properties: Object.fromEntries(
      Object.entries(table).map(([key, setting]) => [key, settingSchema(setting)]),
    ),
    ...(required.length > 0 ? { required: [...required] } : {}),
    additionalProperties: false,
  };
}

/** One setting as the file writes it. */
function settingSchema(setting: Setting): JsonSchema {
  const described = (schema: JsonSchema, fileDefault?: unknown): JsonSchema => ({
    description: setting.doc,
    ...(setting.oldNameOf === undefined ? {} : { deprecated: true }),
    ...schema,
    ...(fileDefault === undefined ? {} : { default: fileDefault }),
  });
  switch (setting.kind) {
    case "integer":
      return described({
        type: "integer",
        minimum: setting.min,
        maximum: setting.max,
        ...(setting.even ? { multipleOf: 2 } : {}),
      }, setting.default);
    case "fps":
      return described({ type: "number", exclusiveMinimum: 0, maximum: 240 }, setting.default);
    case "boolean":
      return described({ type: "boolean" }, setting.default);
    case "choice":
      return described({
        anyOf: [
          { type: "string", enum: [...setting.choices] },
          { type: "string", pattern: TEMPLATE_PATTERN },
        ],
      }, setting.default);
    case "text":
      return described({
        type: "string",
        ...(setting.pattern === undefined ? {} : { pattern: templated(setting.pattern) }),
      }, setting.default);
    case "duration":
      return described({
        anyOf: [
          { type: "string", pattern: templated(DURATION_PATTERN) },
          {
            type: "number",
            ...(setting.positive ? { exclusiveMinimum: 0 } : { minimum: 0 }),
            maximum: MAX_DURATION_SECONDS,
          },
        ],
      }, setting.default === undefined ? undefined : formatDuration(setting.default));
    case "bitrate":
      return described({
        anyOf: [
          { type: "integer", ...BITRATE },
          { type: "string", pattern: templated(BITRATE_PATTERN) },
        ],
      }, setting.default);
    case "size": {
      const size = setting.default;
      return described(
        { type: "string", pattern: templated(SIZE_PATTERN) },
        size === undefined ? undefined : `${size.width}x${size.height}`,
      );
    }
    case "section":
      return described(tableSchema(setting.settings, setting.required));
    case "users":
      return described({
        type: "object",
        propertyNames: { pattern: USER_NAME_PATTERN },
        additionalProperties: {
          description: "Exactly one of password, ha1 or hash.",
          type: "object",
          properties: Object.fromEntries(
            Object.entries(CREDENTIALS).map((
              [key, schema],
            ) => [key, { type: "string", ...schema }]),
          ),
          minProperties: 1,
          maxProperties: 1,
          additionalProperties: false,
        },
      });
    case "userList":
      return described({
        anyOf: [
          { type: "string", const: "anyone" },
          { type: "array", items: { type: "string" } },
        ],
      });
    case "cidrs":
      return described({ type: "array", items: { type: "string" } });
    case "urls":
      return described({
        type: "array",
        items: { type: "string", pattern: templated(urlPattern(setting.schemes)) },
      });
    case "methods":
      return described({
        type: "array",
        items: { type: "string", enum: ["digest", "basic"] },
        uniqueItems: true,
        minItems: 1,
      });
    case "paths":
      return described({
        type: "object",
        propertyNames: { pattern: PATH_NAME_PATTERN },
        additionalProperties: pathSchema(),
      });
  }
}

/** One path: `source` says which settings it takes (`PATH_KEYS`) and needs (`PATH_REQUIRED`). */
function pathSchema(): JsonSchema {
  const sources = Object.keys(PATH_KEYS) as PathSource[];
  const spellings = (source: PathSource) => [
    source,
    ...Object.keys(SOURCE_ALIASES).filter((alias) => SOURCE_ALIASES[alias] === source),
  ];
  // The source picks the settings below, so a name is written as itself, never from the
  // environment; a camera's URL may carry ${NAME} in its credentials.
  const byUrl = (kind: PathSource) =>
    urlPattern(Object.keys(SOURCE_SCHEMES).filter((s) => SOURCE_SCHEMES[s] === kind));
  const named = sources.filter((kind) => !Object.values(SOURCE_SCHEMES).includes(kind as "rtsp"));
  const source: JsonSchema = {
    description: PATH_SETTINGS.source.doc,
    anyOf: [
      { type: "string", enum: named.flatMap(spellings) },
      { type: "string", pattern: urlPattern(Object.keys(SOURCE_SCHEMES)) },
    ],
  };
  return {
    description: "One path, made from its source.",
    type: "object",
    properties: { source },
    required: ["source"],
    allOf: sources.map((kind) => {
      const names = spellings(kind);
      const own = Object.fromEntries(PATH_KEYS[kind].map((key) => [key, PATH_SETTINGS[key]]));
      const then = tableSchema(own, PATH_REQUIRED[kind]);
      const written = named.includes(kind)
        ? (names.length === 1 ? { const: kind } : { enum: names })
        : { type: "string", pattern: byUrl(kind) };
      return {
        if: { properties: { source: written }, required: ["source"] },
        then: { ...then, properties: { ...then.properties as object, source } },
      };
    }),
  };
}

/** A URL of one of `schemes`, in any case (RFC 3986 §3.1), with something after `//`. */
function urlPattern(schemes: readonly string[]): string {
  const names = schemes.map((s) =>
    [...s].map((c) => /[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c).join("")
  );
  return `^(?:${names.join("|")})://[^/?#]+`;
}

/** `pattern`, or any text that names an environment variable (checked once it is replaced). */
function templated(pattern: string): string {
  return `(?:${pattern})|${TEMPLATE_PATTERN}`;
}
