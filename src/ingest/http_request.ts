/**
 * Incremental HTTP/1.1 request parser for the ingest port (RFC 9112), and the response formatter.
 * Requests follow one another on a keep-alive connection; bodies are framed by Content-Length or
 * chunked transfer coding and may be endless (a device streaming frames).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse, HttpRequestParser } from "./http_request.ts";
 *
 * const parser = new HttpRequestParser();
 * const request = new TextEncoder().encode(
 *   "POST /ingest/cam1?x=1 HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n" +
 *     "3\r\nabc\r\n0\r\n\r\n",
 * );
 * const events = parser.push(request);
 * assert.deepEqual(events.map((e) => e.kind), ["head", "body", "end"]);
 * if (events[0].kind === "head") {
 *   assert.equal(events[0].head.path, "/ingest/cam1");
 *   assert.equal(events[0].head.query.x, "1");
 *   assert.equal(events[0].head.chunked, true);
 * }
 * assert.equal(
 *   new TextDecoder().decode(formatResponse(204, "No Content", {})),
 *   "HTTP/1.1 204 No Content\r\n\r\n",
 * );
 * ```
 *
 * @module
 */

import { isTokenCode, printable } from "../rtsp/syntax.ts";
import { HttpError } from "./errors.ts";

export { HttpError } from "./errors.ts";

/** Size limits of a request head. */
export interface HttpLimits {
  /** Largest request head (request line, header lines and their line ends). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Most header fields in one request (and in one trailer section). Default 64. */
  maxHeaders?: number;
}

/** A request line and its header section. */
export interface HttpRequestHead {
  /** The method token, case-sensitive (RFC 9110 §9.1), e.g. "POST". */
  method: string;
  /** The request-target as sent, e.g. "/ingest/cam1?type=image%2Fjpeg". */
  target: string;
  /** The target's path, still percent-encoded, e.g. "/ingest/cam1" ("*" for `OPTIONS *`). */
  path: string;
  /** Query parameters, decoded; the first of repeated names wins. A record without prototype. */
  query: Record<string, string>;
  /** "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  /**
   * Header fields by lower-cased name, repeats joined with ", " (RFC 9110 §5.3). Values are
   * trimmed and decoded as Latin-1. A record without prototype: any field name is a plain key.
   */
  headers: Record<string, string>;
  /** The body length from Content-Length, when the body is framed that way. */
  contentLength?: number;
  /** True when the body is chunked (RFC 9112 §7.1). */
  chunked: boolean;
  /** The lower-cased Upgrade value, when an HTTP/1.1 request asks to switch (RFC 9110 §7.8). */
  upgrade?: string;
}

/** One result of {@linkcode HttpRequestParser.push}. */
export type HttpEvent =
  | { kind: "head"; head: HttpRequestHead }
  | {
    kind: "body";
    data: Uint8Array;
    /** Set on the piece that completes a chunk of a chunked body (RFC 9112 §7.1). */
    chunkEnd?: true;
    /**
     * On the first piece of a chunk whose size line has the extension `ts=<microseconds>` (RFC
     * 9112 §7.1.1): the device time of the chunk's first sample (audio pushes).
     */
    chunkTimestampUs?: number;
  }
  | { kind: "end" };

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
const DEFAULT_MAX_HEADERS = 64;
const MAX_CHUNK_LINE = 4096;
// The brief's cap on one chunk: 2^31 bytes (a frame cap applies later, per format).
const MAX_CHUNK_SIZE = 0x8000_0000;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

const REQUEST_LINE = 0;
const HEADERS = 1;
const BODY = 2; // Content-Length body
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_CR = 5; // after chunk data: CRLF (or a bare LF)
const CHUNK_LF = 6;
const TRAILERS = 7;
const PAUSED = 8; // after an Upgrade request: the rest of this push may not be HTTP
const DETACHED = 9; // takeRemainder() was called: the connection speaks another protocol
const FAILED = 10;

/** Methods whose requests carry a body, so that one without framing is a 411. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const EMPTY = new Uint8Array(0);

/**
 * Incremental HTTP/1.1 request parser for one connection.
 *
 * - `push` returns the events completed by the bytes given: `head`, any number of `body`, then
 *   `end`; then the next request on the connection.
 * - `body` data are views (`subarray`) of the chunk passed to `push`, never copies: use them
 *   before the caller's read buffer is reused, or `slice()` them.
 * - Line ends may be CRLF or a bare LF (RFC 9112 §2.2 allows recipients to accept LF); a bare CR,
 *   folded headers, white space before a colon and control characters are a 400.
 * - After a request with an `upgrade`, the rest of that `push` is held, not parsed: the server
 *   calls `takeRemainder()` when it switches protocols (while handling that request's events);
 *   otherwise the next `push` parses the held bytes as HTTP first.
 * - Memory is bounded: the head is checked against `maxHeaderBytes` as it arrives; bodies are
 *   never buffered.
 * - When `push` throws, the events of that call are lost; the parser stays failed and throws the
 *   same error again. The connection must answer `status` and close.
 */
export class HttpRequestParser {
  readonly #maxHeaderBytes: number;
  readonly #maxHeaders: number;
  #state = REQUEST_LINE;
  #error: HttpError | undefined;
  #offset = 0; // stream offset of the chunk being pushed
  #line = new Uint8Array(256); // a line split across pushes
  #lineLength = 0;
  #headBytes = 0; // head (or trailer) bytes so far
  #head: HttpRequestHead | undefined;
  #headerCount = 0;
  #remaining = 0; // BODY / CHUNK_DATA bytes to go
  #chunkTimestampUs: number | undefined; // the chunk in hand's ts= extension, until its first piece
  #held: Uint8Array[] = []; // PAUSED: bytes pushed but not parsed

  /**
   * Creates a parser for one connection.
   *
   * @param limits Head size limits; each must be a positive integer.
   * @throws {RangeError} when a limit is not a positive integer.
   */
  constructor(limits?: HttpLimits) {
    this.#maxHeaderBytes = limit(
      "maxHeaderBytes",
      limits?.maxHeaderBytes,
      DEFAULT_MAX_HEADER_BYTES,
    );
    this.#maxHeaders = limit("maxHeaders", limits?.maxHeaders, DEFAULT_MAX_HEADERS);
  }

  /**
   * Feeds bytes read from the connection.
   *
   * @param bytes Any chunk; never modified; body events are views of it.
   * @returns The events these bytes completed, in order.
   * @throws {HttpError} with the status to answer: 400 malformed, 411 no body framing on a POST,
   * 413 a length too large to handle, 414 request line too long, 431 head too large, 501 unknown
   * Transfer-Encoding, 505 not HTTP/1.0 or 1.1 (including the HTTP/2 preface).
   */
  push(bytes: Uint8Array): HttpEvent[] {
    if (this.#error) throw this.#error;
    const events: HttpEvent[] = [];
    if (this.#state === DETACHED) {
      if (bytes.length > 0) this.#held.push(bytes.slice());
      return events;
    }
    // The server did not switch protocols after an Upgrade request: HTTP goes on (RFC 9110 §7.8).
    if (this.#state === PAUSED) this.#state = REQUEST_LINE;
    const held = this.#held;
    this.#held = [];
    try {
      for (const chunk of held) this.#parse(chunk, events);
      this.#parse(bytes, events);
    } catch (e) {
      this.#error = e instanceof HttpError
        ? e
        : new HttpError(400, `malformed request (${printable(String(e))})`, this.#offset);
      this.#state = FAILED;
      this.#line = EMPTY;
      throw this.#error;
    }
    return events;
  }

  /**
   * Whether a request head is part-way in: its first byte has come (blank lines before a request
   * line count), its blank line has not. For the deadline on a whole head (slowloris).
   */
  get inHead(): boolean {
    return this.#state === HEADERS ||
      (this.#state === REQUEST_LINE && (this.#lineLength > 0 || this.#headBytes > 0));
  }

  /**
   * The path of the request being read, from its request line on until it ends (still
   * percent-encoded); undefined between requests. A refusal of a request whose head is not
   * complete (411, 431) can say which path it was for.
   */
  get requestPath(): string | undefined {
    return this.#head?.path;
  }

  /**
   * Switches the connection away from HTTP: returns the bytes that followed the last request (an
   * Upgrade request) in the same `push`, unparsed (usually none: clients wait for the 101). Call
   * it while handling that request's events. Afterwards `push` only holds bytes for the next
   * `takeRemainder()`.
   *
   * @returns The held bytes, concatenated (a fresh array).
   */
  takeRemainder(): Uint8Array {
    const held = this.#held;
    this.#held = [];
    let size = 0;
    for (const h of held) size += h.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const h of held) {
      out.set(h, at);
      at += h.length;
    }
    if (this.#state !== FAILED) this.#state = DETACHED;
    return out;
  }

  #parse(bytes: Uint8Array, events: HttpEvent[]): void {
    let i = 0;
    while (i < bytes.length) {
      switch (this.#state) {
        case REQUEST_LINE:
        case HEADERS:
        case CHUNK_SIZE:
        case TRAILERS:
          i = this.#lineState(bytes, i, events);
          break;
        case BODY:
        case CHUNK_DATA: {
          const n = Math.min(this.#remaining, bytes.length - i);
          const event: HttpEvent = { kind: "body", data: bytes.subarray(i, i + n) };
          if (this.#state === CHUNK_DATA && n === this.#remaining) event.chunkEnd = true;
          if (this.#chunkTimestampUs !== undefined) {
            event.chunkTimestampUs = this.#chunkTimestampUs;
            this.#chunkTimestampUs = undefined;
          }
          events.push(event);
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#state === BODY) this.#endRequest(events);
            else this.#state = CHUNK_CR;
          }
          break;
        }
        case CHUNK_CR:
        case CHUNK_LF: {
          // RFC 9112 §7.1: chunk-data CRLF.
          const b = bytes[i];
          if (b === CR && this.#state === CHUNK_CR) this.#state = CHUNK_LF;
          else if (b === LF) this.#state = CHUNK_SIZE;
          else throw this.#fail(400, "chunk data is longer than its chunk size", i);
          i++;
          break;
        }
        default: // PAUSED: hold the rest unparsed (copied: the caller may reuse its buffer)
          this.#held.push(bytes.slice(i));
          i = bytes.length;
      }
    }
    this.#offset += bytes.length;
  }

  // Collects one line (possibly across pushes), enforcing its limit before its end arrives.
  #lineState(bytes: Uint8Array, i: number, events: HttpEvent[]): number {
    const lf = bytes.indexOf(LF, i);
    const end = lf < 0 ? bytes.length : lf + 1;
    const lineSoFar = this.#lineLength + (end - i);
    if (this.#state === CHUNK_SIZE) {
      if (lineSoFar > MAX_CHUNK_LINE) {
        throw this.#fail(400, `chunk size line longer than ${MAX_CHUNK_LINE} bytes`, i);
      }
    } else if (this.#headBytes + lineSoFar > this.#maxHeaderBytes) {
      if (this.#state === REQUEST_LINE) {
        // RFC 9112 §3: a request-target too long to parse is a 414.
        throw this.#fail(414, `request line longer than ${this.#maxHeaderBytes} bytes`, i);
      }
      const what = this.#state === TRAILERS ? "trailer section" : "request head";
      throw this.#fail(431, `${what} larger than ${this.#maxHeaderBytes} bytes`, i);
    }
    if (lf < 0) {
      this.#append(bytes.subarray(i));
      return bytes.length;
    }
    let line: Uint8Array;
    if (this.#lineLength === 0) line = bytes.subarray(i, lf);
    else {
      this.#append(bytes.subarray(i, lf));
      line = this.#line.subarray(0, this.#lineLength);
    }
    this.#lineLength = 0;
    const lineStart = i;
    i = lf + 1;
    if (this.#state !== CHUNK_SIZE) this.#headBytes += lineSoFar;
    // RFC 9112 §2.2: CRLF, or a bare LF; the CR is dropped.
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    switch (this.#state) {
      case REQUEST_LINE:
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        if (line.length > 0) this.#requestLine(line, lineStart);
        break;
      case HEADERS:
        if (line.length > 0) this.#headerLine(line, lineStart);
        else this.#endOfHead(events, lineStart);
        break;
      case CHUNK_SIZE:
        this.#chunkSize(line, lineStart);
        break;
      case TRAILERS:
        // RFC 9112 §7.1.2: trailer fields are read and dropped.
        if (line.length > 0) {
          this.#checkFieldLine(line, lineStart, "trailer");
          if (++this.#headerCount > this.#maxHeaders) {
            throw this.#fail(431, `more than ${this.#maxHeaders} trailer fields`, lineStart);
          }
        } else this.#endRequest(events);
        break;
    }
    return i;
  }

  #append(bytes: Uint8Array): void {
    const needed = this.#lineLength + bytes.length;
    if (needed > this.#line.length) {
      const next = new Uint8Array(Math.max(needed, this.#line.length * 2));
      next.set(this.#line.subarray(0, this.#lineLength));
      this.#line = next;
    }
    this.#line.set(bytes, this.#lineLength);
    this.#lineLength = needed;
  }

  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
  #requestLine(line: Uint8Array, at: number): void {
    for (let k = 0; k < line.length; k++) {
      const b = line[k];
      if (b < 0x20 || b >= 0x7f) {
        throw this.#fail(400, "control or non-ASCII byte in the request line", at + k);
      }
    }
    const text = latin1(line);
    const parts = text.split(" ");
    if (parts.length !== 3 || parts.some((p) => p === "")) {
      throw this.#fail(400, `malformed request line ${printable(text)}`, at);
    }
    const [method, target, version] = parts;
    const v = /^HTTP\/([0-9])\.([0-9])$/.exec(version);
    if (v && !(v[1] === "1" && (v[2] === "0" || v[2] === "1"))) {
      // Includes the HTTP/2 connection preface, "PRI * HTTP/2.0" (RFC 9113 §3.4).
      throw this.#fail(505, `${version} is not supported; use HTTP/1.1`, at);
    }
    if (!v) throw this.#fail(400, `not an HTTP request line: ${printable(text)}`, at);
    for (let k = 0; k < method.length; k++) {
      if (!isTokenCode(method.charCodeAt(k))) {
        throw this.#fail(400, `malformed method ${printable(method)}`, at);
      }
    }
    const { path, query } = this.#target(method, target, at);
    this.#head = {
      method,
      target,
      path,
      query,
      version,
      headers: Object.create(null),
      chunked: false,
    };
    this.#headerCount = 0;
    this.#state = HEADERS;
  }

  // RFC 9112 §3.2: origin-form, absolute-form (which servers MUST accept), or "*" for OPTIONS.
  #target(
    method: string,
    target: string,
    at: number,
  ): { path: string; query: Record<string, string> } {
    let rest = target;
    if (target === "*" && method === "OPTIONS") return { path: "*", query: Object.create(null) };
    const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
    if (absolute) rest = target.slice(absolute[0].length) || "/";
    if (!rest.startsWith("/") && !(absolute && rest.startsWith("?"))) {
      throw this.#fail(400, `malformed request target ${printable(target)}`, at);
    }
    if (rest.includes("#")) {
      throw this.#fail(400, `a request target has no fragment: ${printable(target)}`, at);
    }
    const q = rest.indexOf("?");
    const path = q < 0 ? rest : rest.slice(0, q) || "/";
    const query: Record<string, string> = Object.create(null);
    if (q >= 0) {
      for (const [name, value] of new URLSearchParams(rest.slice(q + 1))) {
        if (!(name in query)) query[name] = value;
      }
    }
    return { path, query };
  }

  #headerLine(line: Uint8Array, at: number): void {
    if (++this.#headerCount > this.#maxHeaders) {
      throw this.#fail(431, `more than ${this.#maxHeaders} header fields`, at);
    }
    const colon = this.#checkFieldLine(line, at, "header");
    let from = colon + 1;
    let to = line.length;
    while (from < to && (line[from] === SP || line[from] === HT)) from++;
    while (to > from && (line[to - 1] === SP || line[to - 1] === HT)) to--;
    const name = latin1(line.subarray(0, colon)).toLowerCase();
    const value = latin1(line.subarray(from, to));
    const headers = this.#head!.headers;
    const previous = headers[name];
    if (previous !== undefined && name === "host") {
      // RFC 9112 §3.2: a request with more than one Host is a 400.
      throw this.#fail(400, "more than one Host header", at);
    }
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }

  // RFC 9112 §5.1: field-line = field-name ":" OWS field-value OWS. Returns the colon's index.
  #checkFieldLine(line: Uint8Array, at: number, what: string): number {
    if (line[0] === SP || line[0] === HT) {
      // RFC 9112 §5.2: obsolete line folding may be rejected with 400; it invites smuggling.
      throw this.#fail(400, `folded ${what} lines are not accepted`, at);
    }
    let colon = 0;
    while (colon < line.length && isTokenCode(line[colon])) colon++;
    if (colon === 0 || colon === line.length || line[colon] !== COLON) {
      // Includes white space before the colon, which RFC 9112 §5.1 says MUST be a 400.
      throw this.#fail(400, `malformed ${what} line ${printable(latin1(line))}`, at);
    }
    for (let k = colon + 1; k < line.length; k++) {
      const b = line[k];
      // RFC 9110 §5.5: CR, LF, NUL and other controls are invalid in field values.
      if ((b < SP && b !== HT) || b === 0x7f) {
        throw this.#fail(400, `control character in a ${what} value`, at + k);
      }
    }
    return colon;
  }

  // RFC 9112 §6.3: the message body length.
  #endOfHead(events: HttpEvent[], at: number): void {
    const head = this.#head!;
    const headers = head.headers;
    const te = headers["transfer-encoding"];
    const cl = headers["content-length"];
    if (te !== undefined) {
      if (head.version === "HTTP/1.0") {
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
        throw this.#fail(400, "Transfer-Encoding in an HTTP/1.0 request", at);
      }
      if (cl !== undefined) {
        // RFC 9112 §6.1: both may be an attempt at request smuggling.
        throw this.#fail(400, "both Transfer-Encoding and Content-Length", at);
      }
      const codings = te.split(",").map((c) => c.split(";")[0].trim().toLowerCase())
        .filter((c) => c !== "");
      if (codings.length === 0 || codings[codings.length - 1] !== "chunked") {
        // RFC 9112 §6.3: a request whose final coding is not chunked cannot be framed.
        throw this.#fail(
          400,
          `the final Transfer-Encoding must be chunked, got ${printable(te)}`,
          at,
        );
      }
      const other = codings.find((c) => c !== "chunked");
      if (other !== undefined) {
        // RFC 9112 §6.1: a transfer coding the server does not understand is a 501.
        throw this.#fail(501, `Transfer-Encoding ${printable(other)} is not supported`, at);
      }
      if (codings.length > 1) {
        // RFC 9112 §7: chunked must not be applied more than once.
        throw this.#fail(400, "chunked applied more than once", at);
      }
      head.chunked = true;
    } else if (cl !== undefined) {
      // RFC 9110 §8.6: a list of identical values may be taken as one; different ones may not.
      const values = new Set(cl.split(",").map((v) => v.trim()));
      const value = values.size === 1 ? [...values][0] : "";
      if (values.size > 1) throw this.#fail(400, "Content-Length values differ", at);
      if (!/^[0-9]+$/.test(value)) {
        throw this.#fail(400, `Content-Length is not a number: ${printable(cl)}`, at);
      }
      const digits = value.replace(/^0+(?=.)/, "");
      if (digits.length > 15) throw this.#fail(413, "Content-Length is too large", at);
      head.contentLength = Number(digits);
    } else if (BODY_METHODS.has(head.method)) {
      // RFC 9110 §15.5.12 411 Length Required.
      throw this.#fail(
        411,
        `a ${head.method} needs Content-Length or Transfer-Encoding: chunked`,
        at,
      );
    }
    // RFC 9110 §7.8: Upgrade counts only in HTTP/1.1 and when Connection lists it.
    const upgrade = headers["upgrade"];
    if (upgrade !== undefined && head.version === "HTTP/1.1") {
      const connection = (headers["connection"] ?? "").toLowerCase().split(",").map((t) =>
        t.trim()
      );
      if (connection.includes("upgrade")) head.upgrade = upgrade.trim().toLowerCase();
    }
    events.push({ kind: "head", head });
    if (head.chunked) this.#state = CHUNK_SIZE;
    else if (head.contentLength) {
      this.#remaining = head.contentLength;
      this.#state = BODY;
    } else this.#endRequest(events);
  }

  // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG.
  #chunkSize(line: Uint8Array, at: number): void {
    let k = 0;
    let size = 0;
    while (k < line.length && hexValue(line[k]) >= 0) {
      size = size * 16 + hexValue(line[k]);
      if (size > MAX_CHUNK_SIZE) {
        throw this.#fail(413, `a chunk is larger than ${MAX_CHUNK_SIZE} bytes`, at);
      }
      k++;
    }
    if (k === 0) throw this.#fail(400, `malformed chunk size ${printable(latin1(line))}`, at);
    // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): ignored, but only after ";".
    let e = k;
    while (e < line.length && (line[e] === SP || line[e] === HT)) e++;
    if (e < line.length && line[e] !== SEMICOLON) {
      throw this.#fail(400, `malformed chunk size ${printable(latin1(line))}`, at);
    }
    const extStart = e;
    for (; e < line.length; e++) {
      if ((line[e] < SP && line[e] !== HT) || line[e] === 0x7f) {
        throw this.#fail(400, "control character in a chunk extension", at + e);
      }
    }
    // One extension is read, `ts=<µs>`: the device time of an audio chunk's first sample.
    const ts = /;[ \t]*ts[ \t]*=[ \t]*"?(\d{1,16})"?[ \t]*(?:;|$)/i.exec(
      latin1(line.subarray(extStart)),
    );
    this.#chunkTimestampUs = ts ? Number(ts[1]) : undefined;
    if (size === 0) {
      this.#state = TRAILERS;
      this.#headBytes = 0;
      this.#headerCount = 0;
      return;
    }
    this.#remaining = size;
    this.#state = CHUNK_DATA;
  }

  #endRequest(events: HttpEvent[]): void {
    events.push({ kind: "end" });
    const upgrade = this.#head?.upgrade !== undefined;
    this.#head = undefined;
    this.#headBytes = 0;
    this.#headerCount = 0;
    this.#state = upgrade ? PAUSED : REQUEST_LINE;
  }

  #fail(status: number, message: string, index: number): HttpError {
    return new HttpError(status, message, this.#offset + index);
  }
}

/**
 * Formats a response head and body (RFC 9112 §4): `HTTP/1.1 <status> <reason>`, the headers in
 * the given order, and `Content-Length` added when the status allows a body and neither it nor
 * Transfer-Encoding is given.
 *
 * @param status Status code, 100 to 599.
 * @param reason Reason phrase, e.g. "No Content".
 * @param headers Header fields by name, written as given.
 * @param body The body (not allowed for 1xx, 204 and 304).
 * @returns The bytes to write.
 * @throws {RangeError} for a bad status, a reason or header with control characters (no CRLF
 * injection), a header name that is not a token, or a body on a status that has none.
 */
export function formatResponse(
  status: number,
  reason: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`status must be 100 to 599, got ${status}`);
  }
  checkFieldText("reason phrase", reason);
  const noBody = status < 200 || status === 204 || status === 304;
  if (noBody && body && body.length > 0) {
    throw new RangeError(`a ${status} response has no body`);
  }
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  let framed = false;
  for (const [name, value] of Object.entries(headers)) {
    if (name.length === 0 || [...name].some((c) => !isTokenCode(c.charCodeAt(0)))) {
      throw new RangeError(`header name ${printable(name)} is not a token`);
    }
    checkFieldText(name, value);
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding") framed = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!noBody && !framed) head += `Content-Length: ${body?.length ?? 0}\r\n`;
  head += "\r\n";
  const out = new Uint8Array(head.length + (body?.length ?? 0));
  for (let k = 0; k < head.length; k++) out[k] = head.charCodeAt(k);
  if (body) out.set(body, head.length);
  return out;
}

function checkFieldText(what: string, text: string): void {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if ((c < SP && c !== HT) || c === 0x7f || c > 0xff) {
      throw new RangeError(`${what} holds a control or non-Latin-1 character`);
    }
  }
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let k = 0; k < bytes.length; k++) s += String.fromCharCode(bytes[k]);
  return s;
}
