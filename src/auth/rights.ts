/**
 * Who may read and publish which path (HARDENING.md "Access"): the {@link AccessRules} a server is
 * given, checked and resolved per path, and the pure {@link decide} that says allow, challenge or
 * forbid for one request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decide, resolveAccess } from "./rights.ts";
 *
 * const access = resolveAccess({
 *   users: { alice: { password: "s3cret" } },
 *   read: ["alice"],
 *   paths: { "/public": { read: "anyone" } },
 * });
 * const facts = { action: "read" as const, ip: "192.0.2.1", secure: false };
 * assert.deepEqual(decide(access.ruleFor("/cam"), facts), { kind: "challenge", methods: ["digest"] });
 * assert.deepEqual(decide(access.ruleFor("/cam"), { ...facts, user: "alice" }), { kind: "allow" });
 * assert.deepEqual(decide(access.ruleFor("/public"), facts), { kind: "allow" });
 * ```
 *
 * @module
 */

import { type Cidr, cidrContains, parseCidr } from "./cidr.ts";
import { isQuotable } from "./challenge.ts";
import { credentialProblem, type UserCredential } from "./credentials.ts";

/** An authentication scheme offered in a 401. */
export type AuthMethod = "digest" | "basic";

/** Who may do something: everybody without credentials, or these users. */
export type Users = "anyone" | readonly string[];

/** The rights of one path; what is left out comes from the server-wide rule. */
export interface PathAccess {
  /** Who may read (DESCRIBE, SETUP, PLAY, ...). */
  read?: Users;
  /** Who may publish (ANNOUNCE, SETUP for RECORD, RECORD). */
  publish?: Users;
  /** Addresses allowed at all (CIDR, IPv4 or IPv6); others get 403. Default: every address. */
  allow?: readonly string[];
}

/** Access control of a server: users, methods, and rights by path. */
export interface AccessRules extends PathAccess {
  /** The users by name. */
  users: Readonly<Record<string, UserCredential>>;
  /** Realm in challenges; salts `ha1`. Default `rtsp-edge`. */
  realm?: string;
  /** Schemes offered, in order. Default `["digest"]`. */
  methods?: readonly AuthMethod[];
  /** Offer and take Basic on connections without TLS too. Default false. */
  allowBasicWithoutTls?: boolean;
  /** Offer `qop="auth"` in Digest challenges (RFC 7616 §3.3). Default false (see challenge.ts). */
  digestQop?: boolean;
  /** Rights by normalized path (`/cam`); a rule covers the path's sub-paths too. */
  paths?: Readonly<Record<string, PathAccess>>;
  /** Random wait after a failed attempt, ms. Default `[200, 600]`. */
  failureDelayMs?: readonly [number, number];
  /** Waits; `setTimeout` by default. For tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** The effective rule of one path. */
export interface AccessRule {
  /** Who may read. */
  read: Users;
  /** Who may publish. */
  publish: Users;
  /** Allowed address blocks, or undefined for all. */
  allow: readonly Cidr[] | undefined;
  /** Schemes offered. */
  methods: readonly AuthMethod[];
  /** Whether Basic counts without TLS. */
  allowBasicWithoutTls: boolean;
}

/** {@link AccessRules} checked, with a rule per path. */
export interface ResolvedAccess {
  /** The users by name. */
  users: ReadonlyMap<string, UserCredential>;
  /** Realm. */
  realm: string;
  /** Whether challenges offer `qop="auth"`. */
  digestQop: boolean;
  /** Wait after a failed attempt: lowest and highest, ms. */
  failureDelayMs: readonly [number, number];
  /** The sleep function. */
  sleep: (ms: number) => Promise<void>;
  /** The rule for a normalized path; the server-wide one for undefined (e.g. `*`). */
  ruleFor(path: string | undefined): AccessRule;
}

/** What is known about a request when deciding. */
export interface RequestFacts {
  /** What it does. */
  action: "read" | "publish";
  /** The peer's address. */
  ip: string;
  /** Whether the connection is TLS. */
  secure: boolean;
  /** The user it authenticated as, if any. */
  user?: string;
}

/** What to do with a request. */
export type Decision =
  | { kind: "allow" }
  | { kind: "challenge"; methods: readonly AuthMethod[] }
  | { kind: "forbid" };

/**
 * Decides one request: 403 from outside the allow-list; allowed for `anyone` or a listed user;
 * otherwise challenged with the schemes this connection may use (Basic only over TLS unless
 * `allowBasicWithoutTls`), or forbidden when there are none. A user who authenticated but is not
 * listed is challenged again rather than forbidden: a 403 would tell that the path exists.
 */
export function decide(rule: AccessRule, facts: RequestFacts): Decision {
  if (rule.allow && !rule.allow.some((c) => cidrContains(c, facts.ip))) return { kind: "forbid" };
  const who = facts.action === "read" ? rule.read : rule.publish;
  if (who === "anyone") return { kind: "allow" };
  if (facts.user !== undefined && who.includes(facts.user)) return { kind: "allow" };
  const methods = usableMethods(rule, facts.secure);
  return methods.length === 0 ? { kind: "forbid" } : { kind: "challenge", methods };
}

/** The schemes a connection may authenticate with under `rule`. */
export function usableMethods(rule: AccessRule, secure: boolean): readonly AuthMethod[] {
  return rule.methods.filter((m) => m !== "basic" || secure || rule.allowBasicWithoutTls);
}

function users(name: string, value: unknown, known: ReadonlyMap<string, unknown>): Users {
  if (value === "anyone") return "anyone";
  if (!Array.isArray(value) || value.some((u) => typeof u !== "string")) {
    throw new TypeError(`${name} must be "anyone" or a list of user names`);
  }
  for (const u of value) {
    if (!known.has(u)) throw new RangeError(`${name} names ${JSON.stringify(u)}, not a user`);
  }
  return [...value];
}

function cidrs(name: string, value: unknown): Cidr[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${name} must be a list of CIDR blocks`);
  return value.map((v) => {
    const c = typeof v === "string" ? parseCidr(v) : undefined;
    if (!c) throw new RangeError(`${name}: ${JSON.stringify(v)} is not a CIDR block`);
    return c;
  });
}

/**
 * Checks `rules` and fills in defaults: realm `rtsp-edge`, methods `["digest"]`, `read` and
 * `publish` every configured user, no allow-list.
 *
 * @throws {TypeError | RangeError} naming the setting that is wrong.
 */
export function resolveAccess(rules: AccessRules): ResolvedAccess {
  if (typeof rules !== "object" || rules === null) throw new TypeError("access must be an object");
  const known = new Map<string, UserCredential>();
  for (const [name, cred] of Object.entries(rules.users ?? {})) {
    // RFC 7617 §2: a user-id holds no colon; quotes and backslashes would need escaping in Digest.
    if (name === "" || !isQuotable(name) || name.includes(":")) {
      throw new RangeError(`access.users: ${JSON.stringify(name)} is not a usable user name`);
    }
    const problem = credentialProblem(cred);
    if (problem) throw new RangeError(`access.users.${name} ${problem}`);
    known.set(name, cred);
  }
  const realm = rules.realm ?? "rtsp-edge";
  if (typeof realm !== "string" || realm === "" || !isQuotable(realm)) {
    throw new RangeError("access.realm must be printable ASCII without quotes or backslashes");
  }
  const methods = rules.methods ?? ["digest"];
  if (
    !Array.isArray(methods) || methods.length === 0 ||
    methods.some((m) => m !== "digest" && m !== "basic") || new Set(methods).size !== methods.length
  ) {
    throw new RangeError('access.methods must be ["digest"], ["basic"] or ["digest", "basic"]');
  }
  const everyone: Users = [...known.keys()];
  const base: AccessRule = {
    read: rules.read === undefined ? everyone : users("access.read", rules.read, known),
    publish: rules.publish === undefined ? everyone : users("access.publish", rules.publish, known),
    allow: cidrs("access.allow", rules.allow),
    methods: [...methods],
    allowBasicWithoutTls: rules.allowBasicWithoutTls === true,
  };
  const byPath = new Map<string, AccessRule>();
  for (const [path, own] of Object.entries(rules.paths ?? {})) {
    const at = `access.paths[${JSON.stringify(path)}]`;
    byPath.set(path.replace(/\/+$/, "") || "/", {
      ...base,
      read: own.read === undefined ? base.read : users(`${at}.read`, own.read, known),
      publish: own.publish === undefined
        ? base.publish
        : users(`${at}.publish`, own.publish, known),
      allow: own.allow === undefined ? base.allow : cidrs(`${at}.allow`, own.allow),
    });
  }
  const [lo, hi] = rules.failureDelayMs ?? [200, 600];
  if (!(lo >= 0 && hi >= lo && hi <= 10_000)) {
    throw new RangeError(
      "access.failureDelayMs must be [low, high] with 0 <= low <= high <= 10000",
    );
  }
  return {
    users: known,
    realm,
    digestQop: rules.digestQop === true,
    failureDelayMs: [lo, hi],
    sleep: rules.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    ruleFor(path) {
      // The longest configured path that is the path or one of its parents: a publisher's track
      // URL (`/cam/streamid=0`, ffmpeg) falls under the rule of `/cam`.
      for (let p = path; p !== undefined && p !== ""; p = parent(p)) {
        const rule = byPath.get(p);
        if (rule) return rule;
      }
      return base;
    },
  };
}

function parent(path: string): string | undefined {
  if (path === "/") return undefined;
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
