/**
 * One HTTP/1.1 GET to a camera (RFC 9112): a connection per request (`Connection: close`, what
 * single-client ESP32 servers cope with best), Basic or Digest credentials from the URL (a 401 is
 * answered once), up to three redirects within the same scheme, and a read deadline, so a camera
 * that accepts and never answers is given up on. The response is handed over once its head is
 * good; its body follows, as views of the network's buffers, to whoever {@link HttpBody.attach}es.
 *
 * @module
 */

import { after, type Clock } from "../base/clock.ts";
import { VERSION } from "../version.ts";
import { digestHa1, digestResponse } from "../auth/digest.ts";
import { parseChallenges } from "../http1/challenge.ts";
import { HttpParseError } from "../http1/errors.ts";
import { type HttpResponseHead, HttpResponseParser } from "../http1/response.ts";
import { connectTcp } from "../runtime/connect.ts";
import type { TcpConnection } from "../runtime/net.ts";

/** A failure of an HTTP camera source: one line naming the URL (never its password) and why. */
export class HttpPullError extends Error {
  /** Builds the error; `message` already names the URL. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpPullError";
  }
}

/** A camera URL taken apart. */
export interface CameraUrl {
  /** The URL as given, credentials included (never logged). */
  url: URL;
  /** The URL without credentials, for messages. */
  shown: string;
  /** User and password from the URL, percent-decoded. */
  credentials?: { user: string; password: string };
}

/**
 * Parses an http:// or https:// URL.
 *
 * @throws {TypeError} for anything else, naming the URL without its password.
 */
export function parseCameraUrl(text: string): CameraUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${hide(text)} is not a URL: expected http://host[:port]/path`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${showUrl(url)}: only http:// and https:// camera URLs are supported`);
  }
  const out: CameraUrl = { url, shown: showUrl(url) };
  if (url.username !== "" || url.password !== "") {
    out.credentials = {
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
  }
  return out;
}

function showUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

function hide(text: string): string {
  return String(text).replace(/\/\/[^/@]*@/, "//");
}

/** How a GET is made. */
export interface GetOptions {
  /** Silence (no connection, no bytes) that ends the request, milliseconds. */
  timeoutMs: number;
  /** Check https certificates. */
  tlsVerify: boolean;
  /** Timers of the read deadline. */
  clock: Clock;
  /** What the source remembers of the camera's authentication between requests. */
  auth: AuthState;
}

/** The camera's last challenge, so later requests (polling) send credentials up front. */
export interface AuthState {
  /** How credentials go: none yet, Basic, or Digest against this challenge. */
  scheme?: "basic" | "digest";
  /** The Digest challenge's parameters. */
  challenge?: Record<string, string>;
  /** Digest nonce count (RFC 7616 §3.4). */
  nc?: number;
}

/** The body of a response whose head was good. */
export interface HttpBody {
  /** The response head. */
  readonly head: HttpResponseHead;
  /** The URL that answered (after redirects), without credentials. */
  readonly shown: string;
  /**
   * Starts the body: `data` gets each piece (a view, valid during the call), `end` the clean end,
   * `failed` anything else (a cut, a deadline); exactly one of `end` and `failed` is called.
   */
  attach(data: (bytes: Uint8Array) => void, end: () => void, failed: (error: Error) => void): void;
  /** Closes the connection; nothing more is reported. */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
// Body bytes held between the head and attach(): the consumer attaches in the next microtask.
const MAX_EARLY_BODY = 1 << 20;

/**
 * GETs `camera`, answering one 401 with the URL's credentials and following up to three
 * redirects. Resolves with the body of a 2xx response; rejects with {@link HttpPullError}.
 */
export async function httpGet(camera: CameraUrl, options: GetOptions): Promise<HttpBody> {
  let url = camera.url;
  let answered = false;
  for (let redirects = 0;;) {
    const shown = showUrl(url);
    const response = await exchange(url, shown, authorization(camera, url, options.auth), options);
    const { status, reason, headers } = response.head;
    const what = `${shown}: ${status} ${reason}`.trimEnd();
    if (status >= 200 && status < 300) return response;
    response.close();
    if (status === 401) {
      if (!camera.credentials) {
        throw new HttpPullError(
          `${what}: the camera wants a user and password; put them in the URL`,
        );
      }
      if (answered || !learnChallenge(options.auth, headers["www-authenticate"] ?? "")) {
        throw new HttpPullError(
          answered
            ? `${what}: wrong user or password`
            : `${what}: no Basic or MD5 Digest challenge`,
        );
      }
      answered = true;
      continue;
    }
    if (REDIRECTS.has(status) && headers.location !== undefined) {
      if (++redirects > MAX_REDIRECTS) {
        throw new HttpPullError(`${what}: more than ${MAX_REDIRECTS} redirects`);
      }
      let next: URL;
      try {
        next = new URL(headers.location, url);
      } catch {
        throw new HttpPullError(`${what}: the redirect's Location is not a URL`);
      }
      if (next.protocol !== url.protocol) {
        throw new HttpPullError(`${what}: a redirect to ${showUrl(next)} changes the scheme`);
      }
      // The URL's credentials go with it to the same host only.
      if (next.host === url.host && next.username === "" && next.password === "") {
        next.username = url.username;
        next.password = url.password;
      }
      url = next;
      continue;
    }
    throw new HttpPullError(what);
  }
}

// Takes a challenge the URL's credentials can answer; false when there is none.
function learnChallenge(auth: AuthState, value: string): boolean {
  const challenges = parseChallenges(value);
  const digest = challenges.find((c) =>
    c.scheme === "digest" && c.params.nonce !== undefined &&
    (c.params.algorithm ?? "MD5").toUpperCase() === "MD5"
  );
  if (digest) {
    auth.scheme = "digest";
    auth.challenge = digest.params;
    auth.nc = 0;
    return true;
  }
  if (challenges.some((c) => c.scheme === "basic")) {
    auth.scheme = "basic";
    return true;
  }
  return false;
}

function authorization(camera: CameraUrl, url: URL, auth: AuthState): string | undefined {
  const credentials = camera.credentials;
  if (!credentials || auth.scheme === undefined) return undefined;
  const { user, password } = credentials;
  if (auth.scheme === "basic") {
    const bytes = new TextEncoder().encode(`${user}:${password}`);
    return `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }
  const c = auth.challenge!;
  const uri = `${url.pathname}${url.search}`;
  const realm = c.realm ?? "";
  const qop = (c.qop ?? "").split(",").map((q) => q.trim().toLowerCase()).includes("auth")
    ? "auth" as const
    : undefined;
  const fields = [
    `username="${quote(user)}"`,
    `realm="${quote(realm)}"`,
    `nonce="${quote(c.nonce)}"`,
    `uri="${quote(uri)}"`,
  ];
  let response: string;
  if (qop) {
    auth.nc = (auth.nc ?? 0) + 1;
    const nc = auth.nc.toString(16).padStart(8, "0");
    const cnonce = [...crypto.getRandomValues(new Uint8Array(8))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    response = digestResponse({
      ha1: digestHa1(user, realm, password),
      method: "GET",
      uri,
      nonce: c.nonce,
      qop,
      nc,
      cnonce,
    });
    fields.push(`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`);
  } else {
    response = digestResponse({
      ha1: digestHa1(user, realm, password),
      method: "GET",
      uri,
      nonce: c.nonce,
    });
  }
  fields.push(`response="${response}"`);
  if (c.algorithm !== undefined) fields.push(`algorithm=${c.algorithm}`);
  if (c.opaque !== undefined) fields.push(`opaque="${quote(c.opaque)}"`);
  return `Digest ${fields.join(", ")}`;
}

function quote(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`);
}

function requestBytes(url: URL, authorization: string | undefined): Uint8Array {
  const lines = [
    `GET ${url.pathname || "/"}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    `User-Agent: rtsp-edge/${VERSION}`,
    "Accept: */*",
    "Connection: close",
  ];
  if (authorization !== undefined) lines.push(`Authorization: ${authorization}`);
  return new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
}

// One request on its own connection; resolves at the response head.
function exchange(
  url: URL,
  shown: string,
  authorization: string | undefined,
  options: GetOptions,
): Promise<HttpBody> {
  const parser = new HttpResponseParser();
  let connection: TcpConnection | undefined;
  let closed = false;
  let cancelDeadline = () => {};
  let early: Uint8Array[] | undefined = [];
  let earlyBytes = 0;
  let earlyEnd: Error | null | undefined; // null: a clean end before attach
  let sinks:
    | { data: (b: Uint8Array) => void; end: () => void; failed: (e: Error) => void }
    | undefined;
  let resolveHead!: (body: HttpBody) => void;
  let rejectHead!: (error: Error) => void;
  let headDone = false;
  const result = new Promise<HttpBody>((resolve, reject) => {
    resolveHead = resolve;
    rejectHead = reject;
  });

  const stop = () => {
    if (closed) return;
    closed = true;
    cancelDeadline();
    connection?.destroy();
  };
  // The one way out: before the head it rejects; after, the consumer hears of it once.
  const finish = (error: Error | undefined) => {
    if (closed) return;
    stop();
    if (!headDone) {
      rejectHead(error ?? new HttpPullError(`${shown}: the connection closed without a response`));
    } else if (sinks) {
      if (error) sinks.failed(error);
      else sinks.end();
    } else {
      earlyEnd = error ?? null;
    }
  };
  const armDeadline = () => {
    cancelDeadline();
    cancelDeadline = after(options.clock, options.timeoutMs, () => {
      finish(
        new HttpPullError(
          `${shown}: no ${headDone ? "data" : "response"} for ${options.timeoutMs} ms`,
        ),
      );
    });
  };
  const body: Omit<HttpBody, "head"> = {
    shown,
    attach(data, end, failed) {
      sinks = { data, end, failed };
      const held = early ?? [];
      early = undefined;
      for (const piece of held) {
        if (closed && earlyEnd === undefined) return;
        data(piece);
      }
      if (earlyEnd !== undefined) {
        if (earlyEnd === null) end();
        else failed(earlyEnd);
      }
    },
    close: () => stop(),
  };

  const onData = (bytes: Uint8Array) => {
    if (closed) return;
    armDeadline();
    let events;
    try {
      events = parser.push(bytes);
    } catch (error) {
      finish(describeParseError(shown, error));
      return;
    }
    for (const event of events) {
      if (closed) return;
      if (event.kind === "head") {
        headDone = true;
        resolveHead({ ...body, head: event.head });
      } else if (event.kind === "body") {
        if (sinks) {
          sinks.data(event.data);
        } else if (early) {
          earlyBytes += event.data.length;
          if (earlyBytes > MAX_EARLY_BODY) {
            finish(new HttpPullError(`${shown}: the body came faster than it was read`));
            return;
          }
          early.push(event.data.slice());
        }
      } else {
        finish(undefined);
        return;
      }
    }
  };
  const onClosed = () => {
    if (closed) return;
    try {
      const events = parser.end();
      if (events.length > 0) return finish(undefined);
    } catch (error) {
      return finish(describeParseError(shown, error));
    }
    finish(undefined);
  };

  armDeadline();
  connectTcp(
    {
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      tls: url.protocol === "https:" ? { verify: options.tlsVerify } : undefined,
      timeoutMs: options.timeoutMs,
    },
    { data: onData, written() {}, closed: onClosed },
  ).then((tcp) => {
    if (closed) {
      tcp.destroy();
      return;
    }
    connection = tcp;
    armDeadline();
    tcp.write(requestBytes(url, authorization));
  }, (error: Error) => finish(new HttpPullError(`${shown}: ${error.message}`, { cause: error })));
  return result;
}

function describeParseError(shown: string, error: unknown): Error {
  if (error instanceof HttpParseError) {
    return new HttpPullError(`${shown}: ${error.message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
