/**
 * The rtsp-edge config file (`--config FILE`): JSON with comments describing many paths, checked
 * setting by setting. Every mistake is one line naming the file, the line and column, and the
 * setting: `rtsp-edge.json:7:15: paths.cam1.jpeg must be "h264" or "rtp-jpeg", got "png"`.
 * Pure: text in, a {@link Config} or a {@link ConfigError} out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 *
 * const config = parseConfig(
 *   `{
 *     "ingestPort": 8080,
 *     "paths": {
 *       // an ESP32-CAM pushing JPEG, served as H.264
 *       "cam1": { "source": "ingest", "token": "secret", "bitrate": "1M" }
 *     }
 *   }`,
 *   "rtsp-edge.json",
 * );
 * assert.equal(config.ingestPort, 8080);
 * assert.deepEqual(config.paths["/cam1"], {
 *   source: "ingest",
 *   token: "secret",
 *   jpeg: "h264",
 *   replace: false,
 *   bitrate: 1_000_000,
 *   gop: 30,
 *   maxFrameBytes: 8_388_608,
 * });
 * assert.throws(
 *   () => parseConfig('{ "paths": { "cam1": { "source": "ingest", "tokn": "x" } } }', "a.json"),
 *   { message: "a.json:1:44: paths.cam1.tokn is not a setting; did you mean token?" },
 * );
 * ```
 *
 * @module
 */

import { checkBitrate, parseBitrate } from "../encoder/options.ts";
import type { LogLevel } from "../base/log.ts";
import { parseDuration } from "../base/duration.ts";
import { CAPTURE_FORMAT_NAMES } from "../camera/negotiate.ts";
import {
  ConfigError,
  type JsonPosition,
  type JsonValue,
  type ParsedJson,
  parseJsonWithPositions,
} from "./json_with_positions.ts";
import { closestName } from "./suggest.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import { parseCidr } from "../auth/cidr.ts";
import { isQuotable } from "../auth/challenge.ts";
import { credentialProblem, type UserCredential } from "../auth/credentials.ts";
import type { AuthMethod, PathAccess, Users } from "../auth/rights.ts";

export { ConfigError } from "./json_with_positions.ts";
export type { LogLevel } from "../base/log.ts";

/** A picture size. */
export interface Size {
  /** Pixels, even, 16 to 4096. */
  width: number;
  /** Pixels, even, 16 to 4096. */
  height: number;
}

/**
 * A path that devices push to over HTTP or WebSocket (`/ingest/<path>`): the ingest rules
 * (token, JPEG mode, replace, bitrate, GOP, frame cap) with their defaults filled in.
 */
export interface IngestPathConfig extends IngestPathPolicy {
  /** Discriminant. */
  source: "ingest";
}

/** A path that RTSP clients may publish to with ANNOUNCE/RECORD. */
export interface PublishPathConfig {
  /** Discriminant. */
  source: "publish";
  /** A new publisher takes the path from the one that holds it. Default false. */
  replace: boolean;
}

/** When a local source runs: always, or only while someone reads (mediamtx's `sourceOnDemand`). */
export interface OnDemandConfig {
  /** Run the source only while the path has readers. Default false. */
  onDemand: boolean;
  /** Milliseconds it runs on after the last reader left (`"10s"` in the file). Default 10 000. */
  onDemandCloseAfter: number;
}

/** A V4L2 camera, captured and encoded. */
export interface CameraPathConfig extends OnDemandConfig {
  /** Discriminant. */
  source: "camera";
  /** The device, e.g. `/dev/video0`. */
  device: string;
  /** Capture size wanted; the nearest offered is used. */
  size?: Size;
  /** Frame rate wanted. */
  fps?: number;
  /** Capture format to insist on (lower case), as `--format` takes it, e.g. `"mjpeg"`. */
  format?: string;
  /** Encoder bitrate, bits per second. Default 2 000 000. */
  bitrate: number;
  /** Encoder GOP length in frames. Default 30. */
  gop: number;
}

/** A file (H.264 Annex B or Y4M, or `-` for standard input), looped. */
export interface FilePathConfig extends OnDemandConfig {
  /** Discriminant. */
  source: "file";
  /** The file name. */
  input: string;
  /** Frame rate override. */
  fps?: number;
}

/** Moving colour bars. */
export interface TestPatternPathConfig extends OnDemandConfig {
  /** Discriminant. */
  source: "test-pattern";
  /** Picture size. */
  size?: Size;
  /** Frame rate. */
  fps?: number;
  /** Encoder bitrate, bits per second. Default 2 000 000. */
  bitrate: number;
  /** Encoder GOP length in frames. Default 30. */
  gop: number;
}

/** What one path is made from, told apart by `source`. */
export type PathConfig =
  | IngestPathConfig
  | PublishPathConfig
  | CameraPathConfig
  | FilePathConfig
  | TestPatternPathConfig;

/**
 * The `auth` section with every path's `read`, `publish` and `allow` gathered in `paths`: what
 * `serve()` takes as `access` (see `AccessRules` in src/auth/rights.ts).
 */
export interface AuthConfig extends PathAccess {
  /** Users by name. */
  users: Record<string, UserCredential>;
  /** Realm of challenges. */
  realm?: string;
  /** Schemes offered. */
  methods?: AuthMethod[];
  /** Basic without TLS. */
  allowBasicWithoutTls?: boolean;
  /** Rights of paths that set their own, by path with a leading slash. */
  paths: Record<string, PathAccess>;
}

/** A checked config file. Settings left out are undefined, so command-line flags can fill them. */
export interface Config {
  /** RTSP TCP port. */
  rtspPort?: number;
  /** HTTP/WebSocket ingest port. */
  ingestPort?: number;
  /** Address to listen on. */
  bind?: string;
  /** Least severe log level printed. */
  logLevel?: LogLevel;
  /** Users and rights; undefined: everything open. */
  auth?: AuthConfig;
  /** The paths, by name with a leading slash (`"/cam1"`), in the file's order. */
  paths: Record<string, PathConfig>;
}

/** Default of {@link IngestPathConfig.maxFrameBytes}: 8 MiB. */
export const DEFAULT_MAX_FRAME_BYTES: number = 8 * 1024 * 1024;

const TOP_KEYS = ["rtspPort", "ingestPort", "bind", "logLevel", "auth", "paths"];
const ACCESS_KEYS = ["read", "publish", "allow"];
const AUTH_KEYS = ["users", "realm", "methods", "allowBasicWithoutTls", ...ACCESS_KEYS];
const ON_DEMAND_KEYS = ["onDemand", "onDemandCloseAfter"];
const SOURCES = ["ingest", "publish", "camera", "file", "test-pattern"] as const;
type Source = typeof SOURCES[number];
const PATH_KEYS: Record<Source, readonly string[]> = {
  ingest: ["source", "token", "jpeg", "replace", "bitrate", "gop", "maxFrameBytes", ...ACCESS_KEYS],
  publish: ["source", "replace", ...ACCESS_KEYS],
  camera: [
    "source",
    "device",
    "size",
    "fps",
    "format",
    "bitrate",
    "gop",
    ...ON_DEMAND_KEYS,
    ...ACCESS_KEYS,
  ],
  file: ["source", "input", "fps", ...ON_DEMAND_KEYS, ...ACCESS_KEYS],
  "test-pattern": ["source", "size", "fps", "bitrate", "gop", ...ON_DEMAND_KEYS, ...ACCESS_KEYS],
};
const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Parses and checks a config file's text. `fileName` is only used in messages.
 *
 * @param text The file's text: JSON with `//` and `/* *\/` comments, no trailing commas.
 * @param fileName The name to show in errors, e.g. `rtsp-edge.json`.
 * @returns The config with defaults filled in for every path.
 * @throws {ConfigError} naming the file, line, column and setting of the first mistake.
 */
export function parseConfig(text: string, fileName: string): Config {
  const parsed = parseJsonWithPositions(text, { fileName });
  return new Checker(parsed, fileName).config();
}

/**
 * A path name with its leading slash (`"cam1"` and `"/cam1"` both give `"/cam1"`), or undefined
 * when it is not segments of `A-Z a-z 0-9 . _ ~ -` joined by `/` (`.` and `..` are refused, as
 * URL resolution would remove them).
 */
export function normalizePathName(name: string): string | undefined {
  const bare = name.startsWith("/") ? name.slice(1) : name;
  const segments = bare.split("/");
  const ok = segments.every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
  return ok ? `/${bare}` : undefined;
}

/** One JSON object being checked: its members, its JSON Pointer and its name in messages. */
interface Scope {
  object: { [key: string]: JsonValue };
  pointer: string;
  label: string;
}

class Checker {
  /** Users named in `auth.users`, once read. */
  users: Set<string> | undefined;
  /** Per-path rights, by path. */
  pathAccess: Record<string, PathAccess> = {};

  constructor(readonly parsed: ParsedJson, readonly file: string) {}

  config(): Config {
    const top = this.scope(this.parsed.value, "", "");
    this.refuseUnknown(top, TOP_KEYS);
    const rtspPort = this.integer(top, "rtspPort", 0, 65535);
    const ingestPort = this.integer(top, "ingestPort", 0, 65535);
    const bind = this.text(top, "bind", /^\S+$/, "an address like 0.0.0.0 or ::");
    const logLevel = this.choice(top, "logLevel", LEVELS);
    const auth = top.object.auth === undefined ? undefined : this.auth(top);
    const paths = top.object.paths === undefined ? {} : this.paths(top);
    return {
      ...optional("rtspPort", rtspPort),
      ...optional("ingestPort", ingestPort),
      ...optional("bind", bind),
      ...optional("logLevel", logLevel),
      ...optional("auth", auth && { ...auth, paths: this.pathAccess }),
      paths,
    };
  }

  auth(top: Scope): Omit<AuthConfig, "paths"> {
    const scope = this.scope(top.object.auth, "/auth", "auth");
    this.refuseUnknown(scope, AUTH_KEYS);
    if (scope.object.users === undefined) {
      this.fail(
        scope.pointer,
        'auth needs users, e.g. "users": { "alice": { "password": "..." } }',
      );
    }
    const list = this.scope(scope.object.users, member(scope, "users"), "auth.users");
    const users: Record<string, UserCredential> = {};
    for (const name of Object.keys(list.object)) {
      if (name === "" || name.includes(":") || !isQuotable(name)) {
        this.fail(
          member(list, name),
          `auth.users: ${describe(name)} cannot be a user name; use printable ASCII without ` +
            `":", '"' or "\\"`,
          true,
        );
      }
      const problem = credentialProblem(list.object[name]);
      if (problem) this.fail(member(list, name), `${nameOf(list, name)} ${problem}`);
      users[name] = list.object[name] as UserCredential;
    }
    this.users = new Set(Object.keys(users));
    const realm = this.text(scope, "realm", isQuotable, "printable ASCII without quotes");
    const methods = this.methods(scope);
    const allowBasicWithoutTls = this.boolean(scope, "allowBasicWithoutTls");
    return {
      users,
      ...optional("realm", realm),
      ...optional("methods", methods),
      ...optional("allowBasicWithoutTls", allowBasicWithoutTls),
      ...this.access(scope),
    };
  }

  methods(scope: Scope): AuthMethod[] | undefined {
    const v = scope.object.methods;
    if (v === undefined) return undefined;
    const ok = Array.isArray(v) && v.length > 0 && new Set(v).size === v.length &&
      v.every((m) => m === "digest" || m === "basic");
    if (!ok) this.wrong(scope, "methods", '["digest"], ["basic"] or ["digest", "basic"]');
    return v as AuthMethod[];
  }

  /** `read`, `publish` and `allow` of the auth section or of a path. */
  access(scope: Scope): PathAccess {
    const given = ACCESS_KEYS.find((k) => scope.object[k] !== undefined);
    if (given !== undefined && this.users === undefined) {
      this.fail(
        member(scope, given),
        `${nameOf(scope, given)} needs an "auth" section with users`,
        true,
      );
    }
    const read = this.userList(scope, "read");
    const publish = this.userList(scope, "publish");
    const allow = this.cidrs(scope);
    return {
      ...optional("read", read),
      ...optional("publish", publish),
      ...optional("allow", allow),
    };
  }

  userList(scope: Scope, key: string): Users | undefined {
    const v = scope.object[key];
    if (v === undefined || v === "anyone") return v;
    if (!Array.isArray(v) || v.some((u) => typeof u !== "string")) {
      this.wrong(scope, key, '"anyone" or a list of user names');
    }
    v.forEach((u, i) => {
      if (!this.users!.has(u as string)) {
        this.fail(
          `${member(scope, key)}/${i}`,
          `${nameOf(scope, key)} names ${describe(u)}, who is not in auth.users`,
        );
      }
    });
    return v as string[];
  }

  cidrs(scope: Scope): string[] | undefined {
    const v = scope.object.allow;
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.wrong(scope, "allow", 'a list of CIDR blocks like "192.168.1.0/24"');
    }
    v.forEach((c, i) => {
      if (typeof c !== "string" || !parseCidr(c)) {
        this.fail(
          `${member(scope, "allow")}/${i}`,
          `${nameOf(scope, "allow")} must hold CIDR blocks like "192.168.1.0/24" or "::1/128", ` +
            `got ${describe(c)}`,
        );
      }
    });
    return v as string[];
  }

  paths(top: Scope): Record<string, PathConfig> {
    const scope = this.scope(top.object.paths, "/paths", "paths");
    const paths: Record<string, PathConfig> = {};
    const given = new Map<string, string>();
    for (const key of Object.keys(scope.object)) {
      const pointer = member(scope, key);
      const path = normalizePathName(key);
      if (path === undefined) {
        this.fail(
          pointer,
          `paths: ${describe(key)} is not a valid path name; use letters, digits, ".", ` +
            `"_", "~" and "-", with "/" between segments`,
          true,
        );
      }
      const earlier = given.get(path);
      if (earlier !== undefined) {
        this.fail(
          pointer,
          `paths: ${describe(key)} and ${describe(earlier)} name the same path`,
          true,
        );
      }
      given.set(path, key);
      const own = this.scope(scope.object[key], pointer, `paths.${path.slice(1)}`);
      paths[path] = this.path(own);
      const access = this.access(own);
      if (Object.keys(access).length > 0) this.pathAccess[path] = access;
    }
    return paths;
  }

  path(scope: Scope): PathConfig {
    const list = SOURCES.map((s) => JSON.stringify(s));
    const choices = `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
    if (scope.object.source === undefined) {
      this.fail(scope.pointer, `${scope.label} needs a source: ${choices}`);
    }
    const source = this.choice(scope, "source", SOURCES) as Source;
    this.refuseUnknown(scope, PATH_KEYS[source], source);
    const bitrate = () => this.bitrate(scope) ?? 2_000_000;
    const gop = () => this.integer(scope, "gop", 1, 1000) ?? 30;
    const replace = () => this.boolean(scope, "replace") ?? false;
    const fps = () => this.fps(scope);
    const size = () => this.size(scope);
    const onDemand = (): OnDemandConfig => {
      const on = this.boolean(scope, "onDemand") ?? false;
      const closeAfter = this.duration(scope, "onDemandCloseAfter");
      if (closeAfter !== undefined && !on) {
        this.fail(
          member(scope, "onDemandCloseAfter"),
          `${nameOf(scope, "onDemandCloseAfter")} goes with "onDemand": true`,
        );
      }
      return { onDemand: on, onDemandCloseAfter: closeAfter ?? 10_000 };
    };
    switch (source) {
      case "ingest": {
        const token = this.text(
          scope,
          "token",
          B64TOKEN,
          'letters, digits and - . _ ~ + / (RFC 6750 §2.1 b64token), optionally ending in "="',
        );
        return {
          source,
          ...(token === undefined ? {} : { token }),
          jpeg: this.choice(scope, "jpeg", ["h264", "rtp-jpeg"] as const) ?? "h264",
          replace: replace(),
          bitrate: bitrate(),
          gop: gop(),
          maxFrameBytes: this.integer(scope, "maxFrameBytes", 1024, 256 * 1024 * 1024) ??
            DEFAULT_MAX_FRAME_BYTES,
        };
      }
      case "publish":
        return { source, replace: replace() };
      case "camera": {
        const device = this.text(scope, "device", /\S/, "a device like /dev/video0");
        if (device === undefined) {
          this.fail(scope.pointer, `${scope.label} needs a device, e.g. "/dev/video0"`);
        }
        const formats = Object.keys(CAPTURE_FORMAT_NAMES);
        const format = this.text(
          scope,
          "format",
          (v) => Object.hasOwn(CAPTURE_FORMAT_NAMES, v.toLowerCase()),
          `one of ${formats.join(", ")}`,
        );
        return {
          source,
          device,
          ...optional("size", size()),
          ...optional("fps", fps()),
          ...optional("format", format?.toLowerCase()),
          bitrate: bitrate(),
          gop: gop(),
          ...onDemand(),
        };
      }
      case "file": {
        const input = this.text(
          scope,
          "input",
          (v) => v === "-" || /\.(h264|264|h26l|avc|y4m)$/i.test(v),
          'an H.264 (.h264, .264) or Y4M (.y4m) file, or "-" for standard input',
        );
        if (input === undefined) this.fail(scope.pointer, `${scope.label} needs an input file`);
        return { source, input, ...optional("fps", fps()), ...onDemand() };
      }
      case "test-pattern":
        return {
          source,
          ...optional("size", size()),
          ...optional("fps", fps()),
          bitrate: bitrate(),
          gop: gop(),
          ...onDemand(),
        };
    }
  }

  // --- one reader per kind of setting; each returns undefined when the setting is left out ---

  scope(value: JsonValue, pointer: string, label: string): Scope {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(pointer, `${label || "the file"} must be an object, got ${describe(value)}`);
    }
    return { object: value, pointer, label };
  }

  refuseUnknown(scope: Scope, known: readonly string[], source?: Source): void {
    for (const key of Object.keys(scope.object)) {
      if (known.includes(key)) continue;
      const name = nameOf(scope, key);
      const owners = source === undefined
        ? []
        : SOURCES.filter((s) => PATH_KEYS[s].includes(key)).map((s) => `${s} paths`);
      const guess = closestName(key, known);
      const reason = owners.length > 0
        ? `${name} is not a setting of ${source === "ingest" ? "an" : "a"} ${source} path; ` +
          `it belongs to ${owners.join(" and ")}`
        : `${name} is not a setting${guess === undefined ? "" : `; did you mean ${guess}?`}`;
      this.fail(member(scope, key), reason, true);
    }
  }

  integer(scope: Scope, key: string, min: number, max: number): number | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.wrong(scope, key, `a whole number from ${min} to ${max}`);
    }
    return v;
  }

  /** A duration: `"10s"`, `"500ms"`, `"1m30s"`, or a number of seconds; in milliseconds. */
  duration(scope: Scope, key: string): number | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    const ms = typeof v === "number"
      ? (v >= 0 ? v * 1000 : undefined)
      : typeof v === "string"
      ? parseDuration(v)
      : undefined;
    if (ms === undefined || !Number.isFinite(ms)) {
      this.wrong(scope, key, 'a duration such as "10s", "500ms" or "2m"');
    }
    return ms;
  }

  fps(scope: Scope): number | undefined {
    const v = scope.object.fps;
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !(v > 0 && v <= 240)) {
      this.wrong(scope, "fps", "a number above 0 and at most 240");
    }
    return v;
  }

  bitrate(scope: Scope): number | undefined {
    const v = scope.object.bitrate;
    if (v === undefined) return undefined;
    try {
      if (typeof v === "number") return checkBitrate(v);
      if (typeof v === "string") return parseBitrate(v);
    } catch { /* described below */ }
    this.wrong(
      scope,
      "bitrate",
      'bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k"',
    );
  }

  size(scope: Scope): Size | undefined {
    const v = scope.object.size;
    if (v === undefined) return undefined;
    const m = typeof v === "string" ? /^(\d{1,4})x(\d{1,4})$/i.exec(v) : null;
    const [width, height] = [Number(m?.[1]), Number(m?.[2])];
    const ok = (n: number) => n >= 16 && n <= 4096 && n % 2 === 0;
    if (!m || !ok(width) || !ok(height)) {
      this.wrong(scope, "size", '"WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480"');
    }
    return { width, height };
  }

  boolean(scope: Scope, key: string): boolean | undefined {
    const v = scope.object[key];
    if (v !== undefined && typeof v !== "boolean") this.wrong(scope, key, "true or false");
    return v as boolean | undefined;
  }

  choice<T extends string>(scope: Scope, key: string, choices: readonly T[]): T | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
      const list = choices.map((c) => JSON.stringify(c));
      this.wrong(scope, key, `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`);
    }
    return v as T;
  }

  text(
    scope: Scope,
    key: string,
    rule: RegExp | ((value: string) => boolean),
    expected: string,
  ): string | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    const ok = typeof v === "string" &&
      (typeof rule === "function" ? rule(v) : rule.test(v));
    if (!ok) this.wrong(scope, key, typeof v === "string" ? expected : `a string: ${expected}`);
    return v as string;
  }

  wrong(scope: Scope, key: string, expected: string): never {
    const pointer = member(scope, key);
    this.fail(
      pointer,
      `${nameOf(scope, key)} must be ${expected}, got ${describe(scope.object[key])}`,
    );
  }

  fail(pointer: string, reason: string, atKey = false): never {
    const map = atKey ? this.parsed.keyPositions : this.parsed.positions;
    const at: JsonPosition | undefined = map.get(pointer) ?? this.parsed.positions.get(pointer);
    throw new ConfigError(reason, at, this.file);
  }
}

function member(scope: Scope, key: string): string {
  return `${scope.pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** A setting's name in messages: `paths.cam1.token`; odd keys quoted, so a message stays one line. */
function nameOf(scope: Scope, key: string): string {
  const shown = /^[\w.~-]{1,40}$/.test(key) ? key : describe(key);
  return scope.label === "" ? shown : `${scope.label}.${shown}`;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A value as a message shows it: strings quoted (and cut short), containers by kind. */
function describe(value: JsonValue | undefined): string {
  if (typeof value === "string") {
    const shown = JSON.stringify(value);
    return shown.length > 42 ? `${shown.slice(0, 40)}..."` : shown;
  }
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}
