/**
 * `--print-config`: the effective configuration, every default filled in, as the YAML config file
 * writes it: keys in the settings table's order, paths by name without the leading slash, each
 * path's `read`, `publish` and `allow` in its own entry, durations as `"1m30s"` and sizes as
 * `"1280x720"`. Given back to the checker it gives the same model, but for secrets: a secret
 * written in the file itself is shown as {@link SECRET_MASK} (which the checker refuses, so a
 * copied mask cannot become a password), one taken from the environment as its `${NAME}`. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConfig } from "./check.ts";
 * import { substituteEnvironment } from "./environment.ts";
 * import { printConfig } from "./print.ts";
 * import { parseYamlWithPositions } from "./yaml_with_positions.ts";
 *
 * const written = "paths:\n  cam1:\n    source: ingest\n    token: ${CAM1_TOKEN}\n";
 * const parsed = parseYamlWithPositions(written);
 * const { doc, templates } = substituteEnvironment(parsed, { CAM1_TOKEN: "abc" });
 * const printed = printConfig(checkConfig(doc).config, templates);
 * assert.match(printed, /^ {4}token: \$\{CAM1_TOKEN\}$/m);
 * assert.match(printed, /^ {4}bitrate: 2000000$/m);
 * assert.match(printed, /^ {2}headerTimeout: 10s$/m);
 * ```
 *
 * @module
 */

import { Document } from "yaml";
import { formatDuration } from "../base/duration.ts";
import type { PathAccess } from "../auth/rights.ts";
import { SECRET_MASK } from "./check.ts";
import { ALL_OTHERS, type AuthConfig, type Config, type PathConfig } from "./model.ts";
import { SCHEMA_ID } from "./schema.ts";
import {
  ACCESS_SETTINGS,
  AUTH_SETTINGS,
  currentNames,
  LIMIT_SETTINGS,
  PATH_KEYS,
  PATH_SETTINGS,
  type Setting,
  type SettingTable,
  TLS_SETTINGS,
  TOP_SETTINGS,
} from "./settings.ts";

/** The first lines of the printed text: what it is, and the schema for editors. */
export const PRINT_HEADER = "# rtsp-edge effective configuration (--print-config)\n" +
  `# yaml-language-server: $schema=${SCHEMA_ID}\n`;

/** A JSON Pointer's segment (RFC 6901). */
const segment = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * The effective configuration as the YAML config file writes it. `templates` is what each value
 * that named an environment variable was written as, by JSON Pointer (from
 * `substituteEnvironment`); a secret found there is printed as written, any other as
 * {@link SECRET_MASK}.
 */
export function printConfig(config: Config, templates: ReadonlyMap<string, string>): string {
  /** What the file wrote at any of `pointers` (the places it may have), when it named a variable. */
  const written = (pointers: readonly string[]): string | undefined =>
    pointers.map((p) => templates.get(p)).find((t) => t !== undefined);

  /** A secret at any of `pointers`: as written when it named a variable, else masked. */
  const secret = (pointers: readonly string[]): string => written(pointers) ?? SECRET_MASK;

  /**
   * A URL whose password is a secret: as written when it named a variable, else with the password
   * masked (the rest of it is what a reader of the output needs to see).
   */
  const withoutPassword = (url: string, pointers: readonly string[]): string => {
    const template = written(pointers);
    if (template !== undefined) return template;
    const parsed = new URL(url);
    if (parsed.password === "") return literal(url) as string;
    parsed.password = SECRET_MASK;
    return literal(parsed.href) as string;
  };

  /** One setting's model value as the file writes it. */
  const value = (setting: Setting, v: unknown, pointers: readonly string[]): unknown => {
    switch (setting.kind) {
      case "duration":
        return formatDuration(v as number);
      case "size": {
        const { width, height } = v as { width: number; height: number };
        return `${width}x${height}`;
      }
      case "text":
        return setting.secret ? secret(pointers) : literal(v);
      case "urls":
        return (v as string[]).map((url, i) =>
          withoutPassword(url, pointers.map((p) => `${p}/${i}`))
        );
      default:
        return literal(v);
    }
  };

  /** The settings of `table` that `model` holds, in the table's order. */
  const section = (
    table: SettingTable,
    keys: readonly string[],
    model: Readonly<Record<string, unknown>>,
    pointers: readonly string[],
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (model[key] === undefined) continue;
      const at = pointers.map((p) => `${p}/${segment(key)}`);
      out[key] = value(table[key], model[key], at);
    }
    return out;
  };

  const auth = (model: AuthConfig): Record<string, unknown> => {
    const users: Record<string, Record<string, string>> = {};
    for (const [name, credential] of Object.entries(model.users)) {
      const [[kind]] = Object.entries(credential);
      users[name] = { [kind]: secret([`/auth/users/${segment(name)}/${kind}`]) };
    }
    const rest = Object.keys(AUTH_SETTINGS).filter((k) => k !== "users");
    return {
      users,
      ...section(AUTH_SETTINGS, rest, model as unknown as Record<string, unknown>, ["/auth"]),
    };
  };

  const path = (name: string, model: PathConfig, access: PathAccess | undefined) => {
    const key = name === ALL_OTHERS ? name : name.slice(1);
    // The file may have named the path with its slash or without.
    const pointers = [`/paths/${segment(key)}`];
    if (name !== ALL_OTHERS) pointers.push(`/paths/${segment(name)}`);
    const keys = PATH_KEYS[model.source].filter((k) =>
      // The checker takes onDemandCloseAfter only with onDemand: true.
      k !== "onDemandCloseAfter" || (model as { onDemand?: boolean }).onDemand === true
    );
    const own = Object.keys(ACCESS_SETTINGS);
    const out = section(PATH_SETTINGS, keys, { ...model, ...pick(access ?? {}, own) }, pointers);
    // A relayed camera is written as its URL in `source` (already in place, so the order holds).
    if ("url" in model) out.source = withoutPassword(model.url, pointers.map((p) => `${p}/source`));
    return [key, out] as const;
  };

  const file: Record<string, unknown> = {};
  for (const key of currentNames(TOP_SETTINGS)) {
    switch (key) {
      case "tls":
        if (config.tls) {
          file.tls = section(TLS_SETTINGS, Object.keys(TLS_SETTINGS), { ...config.tls }, ["/tls"]);
        }
        break;
      case "limits":
        file.limits = section(LIMIT_SETTINGS, Object.keys(LIMIT_SETTINGS), { ...config.limits }, [
          "/limits",
        ]);
        break;
      case "auth":
        if (config.auth) file.auth = auth(config.auth);
        break;
      case "paths":
        file.paths = Object.fromEntries(
          Object.entries(config.paths).map(([name, model]) =>
            path(name, model, config.auth?.paths[name])
          ),
        );
        break;
      default:
        file[key] = value(TOP_SETTINGS[key], (config as unknown as Record<string, unknown>)[key], [
          `/${key}`,
        ]);
    }
  }
  return PRINT_HEADER + new Document(file).toString({ lineWidth: 0 });
}

/**
 * A value the file writes as it is, with `${` written as `$${` so that reading it back does not
 * take it for an environment variable (environment.ts).
 */
function literal(v: unknown): unknown {
  if (typeof v === "string") return v.replaceAll("${", () => "$${");
  if (Array.isArray(v)) return v.map(literal);
  return v;
}

function pick(object: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([k]) => keys.includes(k)));
}
