/**
 * The access check of one RTSP request: who the `Authorization` header proves the client to be
 * (Digest or Basic), whether the path's rule lets them do what they ask, and, when not, the 401
 * with fresh challenges (after a short random wait if they tried and failed) or the 403.
 *
 * Each connection has its own nonces, and keeps the user it authenticated as: a client that
 * authenticated once on a connection stays authenticated there, and a new connection starts
 * over (RFC 7616 §3.3: nonces are the server's to scope).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AccessGate } from "./gate.ts";
 * import { resolveAccess } from "./rights.ts";
 *
 * const gate = new AccessGate(
 *   resolveAccess({ users: { alice: { password: "s3cret" } }, failureDelayMs: [0, 0] }),
 *   () => 0,
 * );
 * const connection = {};
 * const outcome = await gate.check(connection, {
 *   method: "DESCRIBE",
 *   url: "rtsp://cam/live",
 *   path: "/live",
 *   action: "read",
 *   ip: "192.0.2.1",
 *   secure: false,
 * });
 * assert.equal(outcome.kind, "deny");
 * assert.equal(outcome.kind === "deny" && outcome.status, 401);
 * ```
 *
 * @module
 */

import { AuthError, type Credentials, parseAuthorization } from "./authorization.ts";
import { basicChallenge, digestChallenge } from "./challenge.ts";
import { userHa1, verifyPassword } from "./credentials.ts";
import { digestUriMatches, verifyDigest } from "./digest.ts";
import { NonceList } from "./nonces.ts";
import { decide, type ResolvedAccess, usableMethods } from "./rights.ts";

/** One request, as far as access is concerned. */
export interface GateRequest {
  /** RTSP method (the Digest HA2 covers it). */
  method: string;
  /** Request URI as received. */
  url: string;
  /** URL of the stream a track URL belongs to, also taken as the Digest `uri` (VLC). */
  aggregateUrl?: string;
  /** Normalized mount path, or undefined for `*` or an unparsable URL (the server-wide rule). */
  path: string | undefined;
  /** What the request does. */
  action: "read" | "publish";
  /** The `Authorization` value, if any. */
  authorization?: string;
  /** Peer address. */
  ip: string;
  /** Whether the connection is TLS. */
  secure: boolean;
  /**
   * Proven by this request alone: the user an earlier request authenticated on the same
   * `connection` object does not count. For HTTP, where the object stands for a client address
   * that many browsers may share, not for one connection.
   */
  alone?: boolean;
}

/** What the gate says. */
export type GateOutcome =
  | {
    /** Go on. */
    kind: "allow";
    /** The user, when the request or the connection authenticated. */
    user?: string;
    /** True when this request authenticated a user for the first time on its connection. */
    newlyAuthenticated: boolean;
  }
  | {
    /** Refuse. */
    kind: "deny";
    /** 401 (with `challenges` for `WWW-Authenticate`) or 403. */
    status: 401 | 403;
    /** One `WWW-Authenticate` value per scheme offered. */
    challenges: string[];
    /** Why, for the log; never holds credentials. */
    reason: string;
  };

/** Per-connection state. */
interface ConnectionState {
  nonces: NonceList;
  user: string | undefined;
  /** The Basic header value last verified, so PBKDF2 runs once per connection, not per request. */
  verifiedBasic: string | undefined;
}

/** Checks requests against resolved access rules. */
export class AccessGate {
  #access: ResolvedAccess;
  #now: () => number;
  #states = new WeakMap<object, ConnectionState>();

  /** A gate for `access`, with monotonic ms from `now` (nonce expiry). */
  constructor(access: ResolvedAccess, now: () => number) {
    this.#access = access;
    this.#now = now;
  }

  /** The user `connection` authenticated as, if any. */
  userOf(connection: object): string | undefined {
    return this.#states.get(connection)?.user;
  }

  /** Decides `request`, made on `connection` (any object that lives as long as it). */
  async check(connection: object, request: GateRequest): Promise<GateOutcome> {
    let state = this.#states.get(connection);
    if (!state) {
      state = {
        nonces: new NonceList({ now: this.#now }),
        user: undefined,
        verifiedBasic: undefined,
      };
      this.#states.set(connection, state);
    }
    const rule = this.#access.ruleFor(request.path);
    let user = request.alone ? undefined : state.user;
    let failure: string | undefined;
    let stale = false;
    const before = state.user;
    if (request.authorization !== undefined) {
      const result = await this.#authenticate(state, request, usableMethods(rule, request.secure));
      if (typeof result === "object") {
        user = state.user = result.user;
      } else if (result === "stale") {
        stale = true;
        user = undefined;
      } else {
        failure = result;
        user = undefined;
      }
    }
    const decision = decide(rule, {
      action: request.action,
      ip: request.ip,
      secure: request.secure,
      user,
    });
    if (decision.kind === "allow") {
      return { kind: "allow", user, newlyAuthenticated: user !== undefined && user !== before };
    }
    if (decision.kind === "forbid") {
      return { kind: "deny", status: 403, challenges: [], reason: "address or scheme not allowed" };
    }
    if (failure !== undefined) {
      // HARDENING.md "Access": a short random wait after a failed attempt slows guessing.
      const [lo, hi] = this.#access.failureDelayMs;
      const r = crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
      const ms = Math.round(lo + (hi - lo) * r);
      if (ms > 0) await this.#access.sleep(ms);
    }
    const realm = this.#access.realm;
    const challenges = decision.methods.map((m) =>
      m === "digest"
        ? digestChallenge({
          realm,
          nonce: state.nonces.issue(),
          stale,
          qop: this.#access.digestQop,
        })
        : basicChallenge(realm)
    );
    return {
      kind: "deny",
      status: 401,
      challenges,
      reason: failure ?? (stale ? "nonce expired" : user ? "user not allowed" : "no credentials"),
    };
  }

  /** The user the header proves, `"stale"` for a right answer to an expired nonce, or why not. */
  async #authenticate(
    state: ConnectionState,
    request: GateRequest,
    methods: readonly string[],
  ): Promise<{ user: string } | string> {
    let credentials: Credentials;
    try {
      credentials = parseAuthorization(request.authorization!);
    } catch (error) {
      if (error instanceof AuthError) return `malformed Authorization: ${error.message}`;
      throw error;
    }
    if (!methods.includes(credentials.scheme)) return `${credentials.scheme} not offered here`;
    const stored = this.#access.users.get(credentials.username);
    if (credentials.scheme === "basic") {
      if (state.verifiedBasic === request.authorization && state.user === credentials.username) {
        return { user: credentials.username };
      }
      const ok = stored !== undefined &&
        await verifyPassword(
          stored,
          credentials.username,
          this.#access.realm,
          credentials.password,
        );
      if (!ok) return "wrong user or password";
      state.verifiedBasic = request.authorization;
      return { user: credentials.username };
    }
    if (credentials.realm !== this.#access.realm) return "wrong realm";
    const freshness = state.nonces.check(credentials.nonce);
    if (freshness === "unknown") return "unknown nonce";
    // RFC 2617 §3.2.2.5: the uri must name the request.
    if (!digestUriMatches(credentials.uri, request.url, request.aggregateUrl)) {
      return "uri does not match the request";
    }
    const ha1 = stored && userHa1(stored, credentials.username, this.#access.realm);
    // An unknown user costs the same work as a known one: the timing tells no names.
    const right = verifyDigest(credentials, ha1 || "0".repeat(32), request.method);
    if (!ha1 || !right) return "wrong user or password";
    return freshness === "stale" ? "stale" : { user: credentials.username };
  }
}
