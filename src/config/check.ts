/**
 * The one checker: a configuration as written (a YAML or JSON file, or the flags) → the
 * {@link Config} model with every default filled in, or a {@link ConfigError} whose message is one
 * line naming the place and the setting. Pure; the one thing it asks of the world, whether an
 * input file exists, is passed in.
 *
 * @module
 */

import { normalizePathName, PATH_NAME_RULE } from "../base/path_name.ts";
import { parseCidr } from "../auth/cidr.ts";
import { isQuotable } from "../auth/challenge.ts";
import { credentialProblem, type UserCredential } from "../auth/credentials.ts";
import type { AuthMethod, PathAccess, Users } from "../auth/rights.ts";
import { CAPTURE_FORMAT_NAMES } from "../camera/negotiate.ts";
import { PIXEL_FORMAT_NAMES } from "../codec/raw_frame.ts";
import type { JsonValue } from "./json_with_positions.ts";
import {
  ALL_OTHERS,
  type AuthConfig,
  type Config,
  type LimitsConfig,
  type OnDemandConfig,
  type PathConfig,
  type PathSource,
  type TlsConfig,
} from "./model.ts";
import { type ConfigDocument, describe, member, Reader, type Scope } from "./reader.ts";
import {
  ACCESS_SETTINGS,
  AUTH_SETTINGS,
  defaultOf,
  LIMIT_SETTINGS,
  PATH_KEYS,
  PATH_SETTINGS,
  type Setting,
  type SettingTable,
  SOURCE_ALIASES,
  SOURCE_SCHEMES,
  TLS_SETTINGS,
  TOP_SETTINGS,
} from "./settings.ts";

/** What the checker may ask of the world. */
export interface CheckOptions {
  /** Whether an input file exists; when left out, file names are not looked up. */
  exists?: (file: string) => boolean;
}

/** A checked configuration, with the notices (old spellings) worth a line in the log. */
export interface Checked {
  /** The model. */
  config: Config;
  /** One line each: settings read under an older name. */
  notices: string[];
}

/** What `--print-config` shows in place of a secret written in the file itself. */
export const SECRET_MASK = "********";

const SOURCES = Object.keys(PATH_KEYS) as PathSource[];
/** The sources written by name (the others are written as a URL). */
const NAMED_SOURCES: readonly PathSource[] = SOURCES.filter((s) => s !== "rtsp" && s !== "http");
const ACCESS_KEYS = Object.keys(ACCESS_SETTINGS);
const H264_NAME = /\.(h264|264|h26l|avc)$/i;
const Y4M_NAME = /\.y4m$/i;

/** Checks a configuration as written. Throws {@link ConfigError} at the first mistake. */
export function checkConfig(doc: ConfigDocument, options: CheckOptions = {}): Checked {
  return new Checker(doc, options).checked();
}

class Checker extends Reader {
  readonly notices: string[] = [];
  /** Users named in `auth.users`, once read. */
  users: Set<string> | undefined;
  /** Per-path rights, by path. */
  pathAccess: Record<string, PathAccess> = {};

  constructor(doc: ConfigDocument, readonly options: CheckOptions) {
    super(doc);
  }

  checked(): Checked {
    if (this.doc.value === null && this.doc.file !== undefined) {
      this.fail("", "holds no settings; see examples/rtsp-edge.yml");
    }
    const top = this.scope(this.doc.value, "", "");
    // A JSON file names its schema for editors in "$schema" (YAML files do it in a comment).
    this.refuseUnknown(top, ["$schema", ...Object.keys(TOP_SETTINGS)]);
    if (top.object.$schema !== undefined && typeof top.object.$schema !== "string") {
      this.wrong(top, "$schema", "the schema's address");
    }
    const get = <T>(key: string): T => this.setting(top, key, TOP_SETTINGS) as T;
    const rtspPort = get<number>("rtspPort");
    const auth = top.object.auth === undefined ? undefined : this.auth(top);
    const config: Config = {
      rtspPort,
      bind: get("bind"),
      rtpPort: get("rtpPort"),
      payloadSize: get("payloadSize"),
      logLevel: get("logLevel"),
      httpPort: this.httpPort(top),
      ...(top.object.tls === undefined ? {} : { tls: this.tls(top, rtspPort) }),
      limits: this.section(top, "limits", LIMIT_SETTINGS) as unknown as LimitsConfig,
      ...(auth ? { auth: { ...auth, paths: this.pathAccess } } : {}),
      paths: {},
    };
    if (top.object.paths !== undefined) config.paths = this.paths(top);
    return { config, notices: this.notices };
  }

  /** `httpPort`, or its old name `ingestPort`; not both. */
  httpPort(top: Scope): number {
    const old = this.read(top, "ingestPort", TOP_SETTINGS.ingestPort) as number | undefined;
    if (old === undefined) return this.setting(top, "httpPort", TOP_SETTINGS) as number;
    if (top.object.httpPort !== undefined) {
      this.fail(member(top, "ingestPort"), "give httpPort or its old name ingestPort, not both");
    }
    return old;
  }

  /** A setting of `table` with its default filled in. */
  setting(scope: Scope, key: string, table: SettingTable): unknown {
    const setting = table[key];
    return this.read(scope, key, setting) ?? (setting as { default?: unknown }).default;
  }

  /** A section whose settings all have defaults (`limits`), absent or not. */
  section(top: Scope, key: string, table: SettingTable): Record<string, unknown> {
    const scope = this.scope(top.object[key] ?? {}, member(top, key), key);
    this.refuseUnknown(scope, Object.keys(table));
    return Object.fromEntries(Object.keys(table).map((k) => [k, this.setting(scope, k, table)]));
  }

  tls(top: Scope, rtspPort: number): TlsConfig {
    const scope = this.scope(top.object.tls, "/tls", "tls");
    this.refuseUnknown(scope, Object.keys(TLS_SETTINGS));
    for (const key of ["cert", "key"]) {
      if (scope.object[key] === undefined) {
        this.fail(
          scope.pointer,
          this.fromFlags(scope)
            ? "RTSPS needs both --tls-cert and --tls-key"
            : `tls needs a ${key} file`,
        );
      }
    }
    const tls = Object.fromEntries(
      Object.keys(TLS_SETTINGS).map((k) => [k, this.setting(scope, k, TLS_SETTINGS)]),
    ) as unknown as TlsConfig;
    if (tls.port !== 0 && tls.port === rtspPort) {
      const flags = this.fromFlags(scope);
      this.fail(
        flags || scope.object.port === undefined ? scope.pointer : member(scope, "port"),
        `${flags ? "--tls-port" : this.nameOf(scope, "port")} must differ from the RTSP port, ` +
          `both are ${tls.port}`,
      );
    }
    return tls;
  }

  auth(top: Scope): Omit<AuthConfig, "paths"> {
    const scope = this.scope(top.object.auth, "/auth", "auth");
    this.refuseUnknown(scope, Object.keys(AUTH_SETTINGS));
    if (scope.object.users === undefined) {
      this.fail(scope.pointer, "auth needs users, e.g. users: { alice: { password: ... } }");
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
      if (problem) this.fail(member(list, name), `${this.nameOf(list, name)} ${problem}`);
      const credential = list.object[name] as Record<string, string>;
      const [kind] = Object.keys(credential);
      this.refuseMask(this.scope(credential, member(list, name), `auth.users.${name}`), kind);
      users[name] = credential as UserCredential;
    }
    this.users = new Set(Object.keys(users));
    const realm = this.read(scope, "realm", AUTH_SETTINGS.realm) as string | undefined;
    const methods = this.methods(scope);
    const allowBasic = this.read(scope, "allowBasicWithoutTls", AUTH_SETTINGS.allowBasicWithoutTls);
    const metricsOpenTo = this.cidrs(scope, "metricsOpenTo");
    const apiOpenTo = this.cidrs(scope, "apiOpenTo");
    return {
      users,
      ...optional("realm", realm),
      ...optional("methods", methods),
      ...optional("allowBasicWithoutTls", allowBasic as boolean | undefined),
      ...optional("metricsOpenTo", metricsOpenTo),
      ...optional("apiOpenTo", apiOpenTo),
      ...this.access(scope),
    };
  }

  /** Whether the flags wrote this object (its mistakes are then named by flag). */
  fromFlags(scope: Scope): boolean {
    return this.doc.labels?.has(scope.pointer) ?? false;
  }

  /** A secret that is `--print-config`'s mask was copied from its output: say so. */
  refuseMask(scope: Scope, key: string): void {
    if (scope.object[key] !== SECRET_MASK) return;
    this.fail(
      member(scope, key),
      `${this.nameOf(scope, key)} is the mask --print-config shows in place of a secret; write ` +
        "the secret itself, or ${NAME} to take it from the environment",
    );
  }

  methods(scope: Scope): AuthMethod[] | undefined {
    const v = scope.object.methods;
    if (v === undefined) return undefined;
    const ok = Array.isArray(v) && v.length > 0 && new Set(v).size === v.length &&
      v.every((m) => m === "digest" || m === "basic");
    if (!ok) this.wrong(scope, "methods", "[digest], [basic] or [digest, basic]");
    return v as AuthMethod[];
  }

  /** `read`, `publish` and `allow` of the auth section or of a path. */
  access(scope: Scope): PathAccess {
    const given = ACCESS_KEYS.find((k) => scope.object[k] !== undefined);
    if (given !== undefined && this.users === undefined) {
      this.fail(
        member(scope, given),
        `${this.nameOf(scope, given)} needs an auth section with users`,
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
          `${this.nameOf(scope, key)} names ${describe(u)}, who is not in auth.users`,
        );
      }
    });
    return v as string[];
  }

  cidrs(scope: Scope, key = "allow"): string[] | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.wrong(scope, key, 'a list of CIDR blocks like "192.168.1.0/24"');
    }
    v.forEach((c, i) => {
      if (typeof c !== "string" || !parseCidr(c)) {
        this.fail(
          `${member(scope, key)}/${i}`,
          `${this.nameOf(scope, key)} must hold CIDR blocks like "192.168.1.0/24" or ` +
            `"::1/128", got ${describe(c)}`,
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
      const path = key === ALL_OTHERS ? key : normalizePathName(key);
      if (path === undefined) {
        this.fail(
          pointer,
          `${this.doc.labels?.get(pointer) ?? "paths"}: ${describe(key)} is not a valid path ` +
            `name; use ${PATH_NAME_RULE}`,
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
      const label = `paths.${key.replace(/^\//, "")}`;
      if (scope.object[key] === null) {
        this.fail(pointer, `${label} needs a source: ${sourceChoices()}`);
      }
      const own = this.scope(scope.object[key], pointer, label);
      paths[path] = this.path(own, path === ALL_OTHERS);
      const rule = ACCESS_KEYS.find((k) => own.object[k] !== undefined);
      if (path === ALL_OTHERS && rule !== undefined) {
        this.fail(
          member(own, rule),
          `${this.nameOf(own, rule)}: rights of the paths not named are the auth section's ` +
            `${rule}; set it there`,
          true,
        );
      }
      const access = this.access(own);
      if (Object.keys(access).length > 0) this.pathAccess[path] = access;
    }
    return paths;
  }

  path(scope: Scope, allOthers: boolean): PathConfig {
    const path = this.pathSource(scope, allOthers);
    const push = this.urls(scope, "push", PATH_SETTINGS.push);
    const transport = this.read(scope, "pushTransport", PATH_SETTINGS.pushTransport) as
      | "tcp"
      | "udp"
      | undefined;
    if (transport !== undefined && (push === undefined || push.length === 0)) {
      this.fail(
        member(scope, "pushTransport"),
        `${this.nameOf(scope, "pushTransport")} goes with ${this.hint(scope, "push")}`,
        true,
      );
    }
    if (push !== undefined && allOthers) {
      this.fail(
        member(scope, "push"),
        `${this.nameOf(scope, "push")}: push names one path's servers; set it on a named path`,
        true,
      );
    }
    if (push === undefined || push.length === 0) return path;
    return { ...path, push, pushTransport: transport ?? "tcp" };
  }

  /** A path's settings without `push`, by its source. */
  pathSource(scope: Scope, allOthers: boolean): PathConfig {
    if (scope.object.source === undefined) {
      this.fail(scope.pointer, `${scope.label} needs a source: ${sourceChoices()}`);
    }
    const source = this.source(scope);
    this.refuseUnknown(scope, PATH_KEYS[source], (key) => {
      const owners = SOURCES.filter((s) => PATH_KEYS[s].includes(key));
      return owners.length === 0
        ? ""
        : ` of ${/^[aeiou]|^rtsp/.test(source) ? "an" : "a"} ${kindName(source)} path; it ` +
          `belongs to ${owners.map((s) => `${kindName(s)} paths`).join(" and ")}`;
    });
    if (allOthers && source !== "ingest" && source !== "publisher") {
      this.fail(
        member(scope, "source"),
        `${scope.label} takes every path not named, so its source must be "ingest" or ` +
          `"publisher"; a ${source} serves one path`,
      );
    }
    const get = <T>(key: string): T => this.setting(scope, key, PATH_SETTINGS) as T;
    switch (source) {
      case "ingest":
        this.refuseMask(scope, "token");
        return {
          source,
          ...optional("token", this.read(scope, "token", PATH_SETTINGS.token) as string),
          jpeg: get("jpeg"),
          replace: get("replace"),
          bitrate: get("bitrate"),
          gop: get("gop"),
          maxFrameBytes: get("maxFrameBytes"),
          audio: get("audio"),
        };
      case "publisher":
        return { source, replace: get("replace") };
      case "camera": {
        if (scope.object.device === undefined) {
          this.fail(scope.pointer, `${scope.label} needs a device, e.g. /dev/video0`);
        }
        const format = this.format(scope, CAPTURE_FORMAT_NAMES);
        return {
          source,
          device: get("device"),
          size: get("size"),
          fps: get("fps"),
          ...optional("format", format),
          bitrate: get("bitrate"),
          gop: get("gop"),
          ...this.onDemand(scope),
        };
      }
      case "file":
        return this.file(scope);
      case "test-pattern":
        return {
          source,
          size: get("size"),
          fps: get("fps"),
          bitrate: get("bitrate"),
          gop: get("gop"),
          ...this.onDemand(scope),
        };
      case "rtsp":
        return {
          source,
          url: scope.object.source as string,
          rtspTransport: get("rtspTransport"),
          jpeg: get("jpeg"),
          bitrate: get("bitrate"),
          gop: get("gop"),
          ...this.onDemand(scope),
        };
      case "http":
        return {
          source,
          url: scope.object.source as string,
          ...optional("fps", this.read(scope, "fps", PATH_SETTINGS.fps) as number | undefined),
          jpeg: get("jpeg"),
          bitrate: get("bitrate"),
          gop: get("gop"),
          ...this.onDemand(scope),
        };
    }
  }

  /**
   * A list of URLs of the given schemes, each with a host (credentials allowed); a password that
   * is `--print-config`'s mask is refused as a written one is.
   */
  urls(scope: Scope, key: string, setting: Setting): string[] | undefined {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    const schemes = (setting as { schemes: readonly string[] }).schemes;
    const expected = `a list of ${schemes.map((s) => `${s}://`).join(" or ")} URLs`;
    if (!Array.isArray(v)) this.wrong(scope, key, expected);
    const list = this.scope(
      Object.fromEntries(v.map((u, i) => [String(i), u])),
      member(scope, key),
      this.nameOf(scope, key),
    );
    const name = this.nameOf(scope, key);
    return v.map((_, i) => this.url(list, String(i), schemes, expected, name));
  }

  /** One URL of `schemes` at `key` of `scope`. */
  url(
    scope: Scope,
    key: string,
    schemes: readonly string[],
    expected: string,
    name = this.nameOf(scope, key),
  ): string {
    const v = scope.object[key];
    const problem = urlProblem(v, schemes);
    if (problem !== undefined) {
      this.fail(
        member(scope, key),
        `${name} must be ${expected}, got ${describe(v)}: ${problem}`,
      );
    }
    if (decodeURIComponent(new URL(v as string).password) === SECRET_MASK) {
      this.fail(
        member(scope, key),
        `${name} holds the mask --print-config shows in place of a password; ` +
          "write the password itself, or ${NAME} to take it from the environment",
      );
    }
    return v as string;
  }

  /** The path's source, reading an older spelling with a notice, and a camera's URL. */
  source(scope: Scope): PathSource {
    const v = scope.object.source;
    const scheme = typeof v === "string" ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1] : undefined;
    if (scheme !== undefined) {
      const kind = SOURCE_SCHEMES[scheme.toLowerCase()];
      const schemes = Object.keys(SOURCE_SCHEMES);
      if (kind === undefined) this.wrong(scope, "source", sourceChoices());
      this.url(scope, "source", schemes, sourceChoices());
      return kind;
    }
    if (typeof v === "string" && Object.hasOwn(SOURCE_ALIASES, v)) {
      const now = SOURCE_ALIASES[v];
      this.notices.push(
        `${this.nameOf(scope, "source")}: "${v}" is read as "${now}", its name from now on`,
      );
      return now;
    }
    if (typeof v !== "string" || !NAMED_SOURCES.includes(v as PathSource)) {
      this.wrong(scope, "source", sourceChoices());
    }
    return v as PathSource;
  }

  file(scope: Scope): PathConfig {
    const input = this.read(scope, "input", PATH_SETTINGS.input) as string | undefined;
    if (input === undefined) this.fail(scope.pointer, `${scope.label} needs an input file`);
    const format = this.format(scope, PIXEL_FORMAT_NAMES);
    const size = this.read(scope, "size", PATH_SETTINGS.size);
    const at = member(scope, "input");
    const name = this.nameOf(scope, "input");
    const missing = input !== "-" && this.options.exists?.(input) === false;
    const known = input === "-" || format !== undefined || H264_NAME.test(input) ||
      Y4M_NAME.test(input);
    if (missing) {
      this.fail(
        at,
        `${name}: ${input}: no such file` + (known ? "" : ` (and ${this.unread(input)})`),
      );
    }
    if (!known) this.fail(at, `${name}: ${input}: ${this.unread(input)}`);
    if (format !== undefined && size === undefined) {
      this.fail(
        at,
        `${name}: raw pictures need their size: add ${this.hint(scope, "size")}` +
          (this.fromFlags(scope) ? " WIDTHxHEIGHT" : ": WIDTHxHEIGHT"),
      );
    }
    if (format === undefined && size !== undefined) {
      this.fail(
        member(scope, "size"),
        `${this.nameOf(scope, "size")} goes with raw pictures (a format)`,
      );
    }
    const fps = this.read(scope, "fps", PATH_SETTINGS.fps) as number | undefined;
    return {
      source: "file",
      input,
      ...optional("format", format),
      ...optional("size", size as { width: number; height: number } | undefined),
      ...optional("fps", fps),
      bitrate: this.setting(scope, "bitrate", PATH_SETTINGS) as number,
      gop: this.setting(scope, "gop", PATH_SETTINGS) as number,
      ...this.onDemand(scope),
    };
  }

  /** Why a file of this name is not read, with what to do instead. */
  unread(input: string): string {
    const ext = /\.([A-Za-z0-9]{1,5})$/.exec(input)?.[1]?.toUpperCase();
    const what = ext ? `${ext} is not read` : "its kind cannot be told from its name";
    return `${what}: give H.264 Annex B (.h264, .264) or Y4M (.y4m), e.g. ` +
      "ffmpeg -i in.mp4 -c:v copy -f h264 in.h264, or raw pictures with a format";
  }

  /** How to give `key` where the user is writing: a flag or a setting. */
  hint(scope: Scope, key: string): string {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return this.fromFlags(scope) ? flag : key;
  }

  /** The `format` of a camera or file path, checked against `names`; lower case. */
  format(scope: Scope, names: Readonly<Record<string, unknown>>): string | undefined {
    const v = scope.object.format;
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !Object.hasOwn(names, v.toLowerCase())) {
      this.wrong(scope, "format", `one of ${Object.keys(names).join(", ")}`);
    }
    return v.toLowerCase();
  }

  onDemand(scope: Scope): OnDemandConfig {
    const onDemand = this.setting(scope, "onDemand", PATH_SETTINGS) as boolean;
    const closeAfter = this.read(scope, "onDemandCloseAfter", PATH_SETTINGS.onDemandCloseAfter);
    if (closeAfter !== undefined && !onDemand) {
      this.fail(
        member(scope, "onDemandCloseAfter"),
        `${this.nameOf(scope, "onDemandCloseAfter")} goes with ${this.hint(scope, "onDemand")}` +
          (this.fromFlags(scope) ? "" : ": true"),
      );
    }
    return {
      onDemand,
      onDemandCloseAfter: (closeAfter ?? defaultOf(PATH_SETTINGS, "onDemandCloseAfter")) as number,
    };
  }
}

/** A source kind as a message names it: relays by their scheme. */
function kindName(source: PathSource): string {
  return source === "rtsp" || source === "http" ? `${source}://` : source;
}

/** The sources, as a message lists them. */
function sourceChoices(): string {
  return `${NAMED_SOURCES.map((s) => JSON.stringify(s)).join(", ")}, or a camera's URL ` +
    "(rtsp://, rtsps://, http://, https://)";
}

/** Why `v` is not a URL of one of `schemes` with a host; undefined when it is. */
function urlProblem(v: unknown, schemes: readonly string[]): string | undefined {
  if (typeof v !== "string") return "not text";
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "not a URL";
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!schemes.includes(scheme)) return `${scheme}:// is not one of them`;
  if (url.hostname === "") return "it names no host";
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Re-exported for the front-ends. */
export type { JsonValue };
