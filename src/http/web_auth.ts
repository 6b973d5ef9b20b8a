/**
 * Who may use the console, the API, the metrics, snapshots and previews: the same users and rights
 * as RTSP (src/auth), checked per request. A browser proves itself once with Digest (RFC 7616; or
 * Basic, RFC 7617, where the RTSP rules allow it: over TLS, or when `allowBasicWithoutTls`), and
 * then holds a session cookie (RFC 6265), which its WebSocket handshakes carry too — a browser does
 * not answer a challenge on a WebSocket upgrade. `/metrics` and `/api` can be opened to networks
 * without a password (a Prometheus server, a home automation box), as mediamtx does.
 *
 * Digest nonces are kept per client address rather than per connection: a browser opens several
 * connections and sends the nonce it last had on any of them (RFC 7616 §3.3 leaves nonce scope to
 * the server).
 *
 * @module
 */

import { AccessGate } from "../auth/gate.ts";
import { type Cidr, cidrContains, parseCidr } from "../auth/cidr.ts";
import { decide, type ResolvedAccess } from "../auth/rights.ts";
import type { RequestInfo } from "./web_handler.ts";

/** The cookie a browser holds once it has authenticated. */
export const SESSION_COOKIE = "rtsp_edge_session";
/** How long a login lasts. */
export const SESSION_TTL_MS = 12 * 3600_000;
// Bounds of the tables a flood of clients could grow.
const MAX_SESSIONS = 1024;
const MAX_NONCE_HOLDERS = 256;

/** What a request needs. */
export interface WebNeed {
  /** Read (pages, snapshots, previews, GET) or change something (kick a session). */
  action: "read" | "publish";
  /** The stream's normalized path for a snapshot or a preview; undefined for the server-wide rule. */
  path?: string;
  /** Networks configured to reach this without a password. */
  openTo?: "metrics" | "api";
}

/** The outcome: go on (with a cookie to set, after a fresh login), or answer this. */
export type WebVerdict =
  | { ok: true; user?: string; setCookie?: string }
  | { ok: false; response: Response };

/** Settings of {@link WebAuth}. */
export interface WebAuthOptions {
  /** Networks that read `/metrics` without a password. */
  metricsOpenTo?: readonly string[];
  /** Networks that use `/api` without a password. */
  apiOpenTo?: readonly string[];
  /** Monotonic milliseconds (nonce and session expiry). */
  now: () => number;
}

/** The access check of the HTTP port. Open to everyone when no users are configured. */
export class WebAuth {
  readonly #access: ResolvedAccess | undefined;
  readonly #gate: AccessGate | undefined;
  readonly #now: () => number;
  readonly #openTo: Record<"metrics" | "api", readonly Cidr[]>;
  // Login sessions by cookie value, oldest first.
  readonly #sessions = new Map<string, { user: string; expires: number }>();
  // One nonce holder per client address, most recent last.
  readonly #holders = new Map<string, object>();

  /** Checks requests against `access` (undefined: no users, everything open). */
  constructor(access: ResolvedAccess | undefined, options: WebAuthOptions) {
    this.#access = access;
    this.#now = options.now;
    this.#gate = access ? new AccessGate(access, options.now) : undefined;
    const cidrs = (list: readonly string[] | undefined) =>
      (list ?? []).map((text) => {
        const cidr = parseCidr(text);
        if (!cidr) throw new RangeError(`${JSON.stringify(text)} is not a CIDR block`);
        return cidr;
      });
    this.#openTo = { metrics: cidrs(options.metricsOpenTo), api: cidrs(options.apiOpenTo) };
  }

  /** Whether users are configured at all. */
  get enabled(): boolean {
    return this.#access !== undefined;
  }

  /** Decides one request. */
  async check(request: Request, info: RequestInfo, need: WebNeed): Promise<WebVerdict> {
    if (!this.#access || !this.#gate) return { ok: true };
    if (need.openTo && this.#openTo[need.openTo].some((c) => cidrContains(c, info.peer))) {
      return { ok: true };
    }
    const url = new URL(request.url);
    const user = this.#sessionUser(request.headers.get("cookie"));
    if (user !== undefined) {
      const rule = this.#access.ruleFor(need.path);
      const decision = decide(rule, {
        action: need.action,
        ip: info.peer,
        secure: info.secure,
        user,
      });
      if (decision.kind === "allow") return { ok: true, user };
    }
    const authorization = request.headers.get("authorization") ?? undefined;
    const outcome = await this.#gate.check(this.#holderFor(info.peer), {
      method: request.method,
      url: url.pathname + url.search,
      path: need.path,
      action: need.action,
      ...(authorization === undefined ? {} : { authorization }),
      ip: info.peer,
      secure: info.secure,
      alone: true,
    });
    if (outcome.kind === "allow") {
      if (outcome.user === undefined || authorization === undefined) return { ok: true };
      return { ok: true, user: outcome.user, setCookie: this.#login(outcome.user, info.secure) };
    }
    const headers = new Headers({ "content-type": "text/plain; charset=utf-8" });
    for (const challenge of outcome.challenges) headers.append("www-authenticate", challenge);
    const text = outcome.status === 401 ? "a user name and password are needed\n" : "forbidden\n";
    return { ok: false, response: new Response(text, { status: outcome.status, headers }) };
  }

  #sessionUser(cookies: string | null): string | undefined {
    if (!cookies) return undefined;
    for (const part of cookies.split(";")) {
      const [name, value] = part.trim().split("=", 2);
      if (name !== SESSION_COOKIE || !value) continue;
      const session = this.#sessions.get(value);
      if (!session) continue;
      if (session.expires <= this.#now()) {
        this.#sessions.delete(value);
        continue;
      }
      return session.user;
    }
    return undefined;
  }

  /** A new session for `user`: the `Set-Cookie` value. */
  #login(user: string, secure: boolean): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    this.#sessions.set(token, { user, expires: this.#now() + SESSION_TTL_MS });
    if (this.#sessions.size > MAX_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it (RFC 6265bis).
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${
      SESSION_TTL_MS / 1000
    }${secure ? "; Secure" : ""}`;
  }

  #holderFor(ip: string): object {
    let holder = this.#holders.get(ip);
    if (holder) this.#holders.delete(ip);
    else holder = {};
    this.#holders.set(ip, holder);
    if (this.#holders.size > MAX_NONCE_HOLDERS) {
      this.#holders.delete(this.#holders.keys().next().value!);
    }
    return holder;
  }
}
