/**
 * Incremental HTTP/1.1 response parser (RFC 9112), for rtsp-edge as a client of cameras: the
 * status line, the header section (bounded in bytes and in fields), then the body framed by
 * Content-Length, chunked transfer coding (§7.1) or the end of the connection (§6.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpResponseParser } from "./response.ts";
 *
 * const parser = new HttpResponseParser();
 * const bytes = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n" +
 *     "3\r\nabc\r\n0\r\n\r\n",
 * );
 * const events = [...parser.push(bytes.subarray(0, 40)), ...parser.push(bytes.subarray(40))];
 * assert.deepEqual(events.map((e) => e.kind), ["head", "body", "end"]);
 * if (events[0].kind === "head") {
 *   assert.equal(events[0].head.status, 200);
 *   assert.equal(events[0].head.headers["content-type"], "image/jpeg");
 *   assert.equal(events[0].head.framing, "chunked");
 * }
 * ```
 *
 * @module
 */

import { isTokenCode, printable } from "../rtsp/syntax.ts";
import { HttpParseError } from "./errors.ts";

/** A status line and its header section. */
export interface HttpResponseHead {
  /** "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  /** The status code, 100 to 599. */
  status: number;
  /** The reason phrase, possibly empty (RFC 9112 §4: clients ignore it). */
  reason: string;
  /**
   * Header fields by lower-cased name, repeats joined with ", " (RFC 9110 §5.3), values trimmed and
   * decoded as Latin-1. A record without prototype: any field name is a plain key.
   */
  headers: Record<string, string>;
  /** How the body is framed (RFC 9112 §6.3). */
  framing: "none" | "length" | "chunked" | "close";
  /** The body length, when `framing` is "length". */
  contentLength?: number;
}

/** One result of {@linkcode HttpResponseParser.push}. */
export type HttpResponseEvent =
  | { kind: "head"; head: HttpResponseHead }
  /** Body bytes, a view of the chunk given to `push` (valid while the caller keeps it). */
  | { kind: "body"; data: Uint8Array }
  | { kind: "end" };

/** Limits of a {@linkcode HttpResponseParser}. */
export interface HttpResponseLimits {
  /** Largest head (status line, fields, line ends). Default 16 KiB. */
  maxHeadBytes?: number;
  /** Most header fields (and most trailer fields). Default 64. */
  maxHeaders?: number;
  /** The request was a HEAD: the response has no body whatever its fields say. */
  head?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const SEMICOLON = 0x3b;

const MAX_CHUNK_LINE = 4096;
const PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"
const MAX_CHUNK_SIZE = 0x8000_0000;

const HEAD = 0;
const BODY = 1; // Content-Length
const CLOSE = 2; // until the connection ends
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5; // the CRLF after chunk data (a bare LF tolerated)
const TRAILERS = 6;
const DONE = 7;
const FAILED = 8;

/**
 * Parses one response (interim 1xx responses before it are skipped).
 *
 * - Line ends may be CRLF or a bare LF (RFC 9112 §2.2). Cameras are sloppy, so white space before
 *   a field's colon is dropped and obsolete line folding joins the value with a space (§5.2); a
 *   bare CR, control characters and a field without a colon are refused.
 * - Memory is bounded: the head is copied up to `maxHeadBytes`; body bytes are handed out as views
 *   of the pushed chunk, never copied or held.
 * - After an error the parser stays failed and `push` throws the same error again.
 */
export class HttpResponseParser {
  readonly #maxHeadBytes: number;
  readonly #maxHeaders: number;
  readonly #headRequest: boolean;
  #state = HEAD;
  #error: HttpParseError | undefined;
  #offset = 0; // stream offset of the chunk being pushed
  #line: number[] = []; // the head, or a chunk-size or trailer line, as it arrives
  #lineStart = 0; // HEAD: where the current line starts in #line
  #remaining = 0; // BODY and CHUNK_DATA: bytes still to come
  #trailerBytes = 0;
  #trailers = 0;

  /** A parser for one response; `limits` bound the head. */
  constructor(limits: HttpResponseLimits = {}) {
    this.#maxHeadBytes = limits.maxHeadBytes ?? 16 * 1024;
    this.#maxHeaders = limits.maxHeaders ?? 64;
    this.#headRequest = limits.head ?? false;
  }

  /** True once the body ended ("end" was returned). */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Feeds the next bytes from the connection.
   *
   * @param bytes Any chunk; never modified; body events are views of it.
   * @returns The events these bytes complete: `head`, `body`s, then `end`. Bytes after the end are
   * ignored (the client closes the connection).
   * @throws {HttpParseError} 400 for a malformed response, 431 for a head above the limit, 413 for
   * a chunk size above 2 GiB.
   */
  push(bytes: Uint8Array): HttpResponseEvent[] {
    if (this.#error) throw this.#error;
    const events: HttpResponseEvent[] = [];
    try {
      this.#parse(bytes, events);
    } catch (e) {
      this.#state = FAILED;
      this.#line = [];
      this.#error = e instanceof HttpParseError
        ? e
        : new HttpParseError(400, `malformed response (${String(e)})`, this.#offset);
      throw this.#error;
    }
    this.#offset += bytes.length;
    return events;
  }

  /**
   * The connection ended. Returns `end` for a body that runs until then.
   *
   * @throws {HttpParseError} 400 when the response was cut short: in the head, or before its
   * Content-Length or last chunk.
   */
  end(): HttpResponseEvent[] {
    if (this.#error) throw this.#error;
    switch (this.#state) {
      case DONE:
        return [];
      case CLOSE:
        this.#state = DONE;
        return [{ kind: "end" }];
      case HEAD:
        throw this.#fail(
          400,
          this.#line.length === 0
            ? "the connection closed without a response"
            : "the connection closed inside the response head",
          0,
        );
      default:
        throw this.#fail(400, "the connection closed before the body ended", 0);
    }
  }

  #fail(status: number, message: string, at: number): HttpParseError {
    this.#error = new HttpParseError(status, message, this.#offset + at);
    this.#state = FAILED;
    return this.#error;
  }

  #parse(bytes: Uint8Array, events: HttpResponseEvent[]): void {
    let i = 0;
    const n = bytes.length;
    while (i < n) {
      switch (this.#state) {
        case HEAD:
          i = this.#headBytes(bytes, i, events);
          break;
        case BODY:
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, n - i);
          events.push({ kind: "body", data: bytes.subarray(i, i + take) });
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#state === BODY) this.#finish(events);
            else this.#state = CHUNK_END;
          }
          break;
        }
        case CLOSE:
          events.push({ kind: "body", data: bytes.subarray(i) });
          i = n;
          break;
        case CHUNK_END: {
          const b = bytes[i];
          if (b === CR && this.#line.length === 0) {
            this.#line.push(CR);
            i++;
          } else if (b === LF) {
            this.#line = [];
            this.#state = CHUNK_SIZE;
            i++;
          } else {
            // RFC 9112 §7.1: chunk-data is followed by CRLF.
            throw this.#fail(400, "chunk data is longer than its chunk size", i);
          }
          break;
        }
        case CHUNK_SIZE:
        case TRAILERS:
          i = this.#chunkLine(bytes, i, events);
          break;
        default: // DONE: later bytes are not ours
          return;
      }
    }
  }

  // Collects head bytes until the blank line; returns where it stopped.
  #headBytes(bytes: Uint8Array, from: number, events: HttpResponseEvent[]): number {
    const line = this.#line;
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i];
      if (line.length >= this.#maxHeadBytes) {
        throw this.#fail(431, `the response head is longer than ${this.#maxHeadBytes} bytes`, i);
      }
      line.push(b);
      // Garbage (a TLS answer, another protocol) is refused within its first 16 bytes, not after
      // 16 KiB; judged on whole 16 bytes (or the first line), so the message is the same however
      // the bytes were cut.
      if (this.#lineStart === 0 && (line.length === 16 || b === LF) && !startsHttp(line)) {
        const text = String.fromCharCode(...line.slice(0, 16));
        throw this.#fail(400, `not an HTTP/1.x response: it starts ${printable(text)}`, i);
      }
      if (b !== LF) continue;
      const start = this.#lineStart;
      const empty = line.length - start === 1 || (line.length - start === 2 && line[start] === CR);
      this.#lineStart = line.length;
      // Leading blank lines before a status line are tolerated (RFC 9112 §2.2 for requests).
      if (empty && start === 0) {
        line.length = 0;
        this.#lineStart = 0;
        continue;
      }
      if (!empty) continue;
      const head = this.#parseHead(line, i);
      this.#line = [];
      this.#lineStart = 0;
      if (head.status < 200) return i + 1; // interim (100 Continue, 103): the real one follows
      events.push({ kind: "head", head });
      this.#startBody(head, events);
      return i + 1;
    }
    return bytes.length;
  }

  #parseHead(bytes: number[], at: number): HttpResponseHead {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== LF) continue;
      const end = i > start && bytes[i - 1] === CR ? i - 1 : i;
      let text = "";
      for (let k = start; k < end; k++) {
        const b = bytes[k];
        if ((b < SP && b !== HT) || b === 0x7f) {
          throw this.#fail(400, "control character in the response head", at);
        }
        text += String.fromCharCode(b);
      }
      lines.push(text);
      start = i + 1;
    }
    lines.pop(); // the blank line
    const statusLine = lines.shift() ?? "";
    // RFC 9112 §4: HTTP-version SP status-code SP [ reason-phrase ]; a missing SP before an empty
    // reason is tolerated.
    const m = /^(HTTP\/1\.[01]) ([1-5][0-9]{2})(?: (.*))?$/.exec(statusLine);
    if (!m) {
      throw this.#fail(400, `not an HTTP/1.x status line: ${printable(statusLine)}`, at);
    }
    const headers: Record<string, string> = Object.create(null);
    let count = 0;
    let last: string | undefined;
    for (const text of lines) {
      if (text[0] === " " || text[0] === "\t") {
        // Obsolete line folding (RFC 9112 §5.2): a user agent replaces it with a space.
        if (last === undefined) throw this.#fail(400, "a folded line before any field", at);
        headers[last] = `${headers[last]} ${text.trim()}`.trim();
        continue;
      }
      const colon = text.indexOf(":");
      const name = (colon < 0 ? "" : text.slice(0, colon)).trimEnd().toLowerCase();
      if (name === "" || ![...name].every((c) => isTokenCode(c.charCodeAt(0)))) {
        throw this.#fail(400, `malformed header field ${printable(text)}`, at);
      }
      if (++count > this.#maxHeaders) {
        throw this.#fail(431, `more than ${this.#maxHeaders} header fields`, at);
      }
      const value = text.slice(colon + 1).trim();
      const previous = headers[name];
      headers[name] = previous === undefined ? value : `${previous}, ${value}`;
      last = name;
    }
    const head: HttpResponseHead = {
      version: m[1],
      status: Number(m[2]),
      reason: m[3] ?? "",
      headers,
      framing: "close",
    };
    this.#frame(head, at);
    return head;
  }

  // RFC 9112 §6.3: how the body ends.
  #frame(head: HttpResponseHead, at: number): void {
    const s = head.status;
    if (this.#headRequest || s < 200 || s === 204 || s === 304) {
      head.framing = "none";
      return;
    }
    const te = head.headers["transfer-encoding"];
    if (te !== undefined) {
      const codings = te.toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "");
      // Chunked last: chunked framing. Anything else: the body runs until the connection closes.
      head.framing = codings[codings.length - 1] === "chunked" ? "chunked" : "close";
      if (codings.some((c) => c !== "chunked")) {
        throw this.#fail(400, `unsupported Transfer-Encoding ${printable(te)}`, at);
      }
      return;
    }
    const cl = head.headers["content-length"];
    if (cl !== undefined) {
      // Repeats of one value are harmless (RFC 9110 §8.6); different values are not.
      const values = new Set(cl.split(",").map((v) => v.trim()));
      const value = values.size === 1 ? [...values][0] : "";
      if (!/^[0-9]{1,15}$/.test(value)) {
        throw this.#fail(400, `bad Content-Length ${printable(cl)}`, at);
      }
      head.framing = "length";
      head.contentLength = Number(value);
    }
  }

  #startBody(head: HttpResponseHead, events: HttpResponseEvent[]): void {
    switch (head.framing) {
      case "none":
        this.#finish(events);
        return;
      case "length":
        this.#remaining = head.contentLength!;
        if (this.#remaining === 0) this.#finish(events);
        else this.#state = BODY;
        return;
      case "chunked":
        this.#state = CHUNK_SIZE;
        return;
      case "close":
        this.#state = CLOSE;
    }
  }

  #finish(events: HttpResponseEvent[]): void {
    this.#state = DONE;
    events.push({ kind: "end" });
  }

  // A chunk-size line, or a trailer line; returns where it stopped.
  #chunkLine(bytes: Uint8Array, from: number, events: HttpResponseEvent[]): number {
    const line = this.#line;
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i];
      if (b !== LF) {
        if (line.length >= MAX_CHUNK_LINE) {
          throw this.#fail(400, `a chunk line longer than ${MAX_CHUNK_LINE} bytes`, i);
        }
        line.push(b);
        continue;
      }
      if (line.length > 0 && line[line.length - 1] === CR) line.pop();
      if (line.includes(CR)) throw this.#fail(400, "a bare CR in a chunk line", i);
      this.#line = [];
      if (this.#state === CHUNK_SIZE) this.#chunkSize(line, i);
      else if (this.#trailer(line, i)) this.#finish(events);
      return i + 1;
    }
    return bytes.length;
  }

  // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; extensions are ignored.
  #chunkSize(line: number[], at: number): void {
    let size = 0;
    let k = 0;
    for (; k < line.length; k++) {
      const v = hexValue(line[k]);
      if (v < 0) break;
      size = size * 16 + v;
      if (size > MAX_CHUNK_SIZE) {
        throw this.#fail(413, `a chunk is larger than ${MAX_CHUNK_SIZE} bytes`, at);
      }
    }
    let rest = k;
    while (rest < line.length && (line[rest] === SP || line[rest] === HT)) rest++;
    if (k === 0 || (rest < line.length && line[rest] !== SEMICOLON)) {
      throw this.#fail(400, `malformed chunk size ${printable(String.fromCharCode(...line))}`, at);
    }
    if (size === 0) {
      this.#state = TRAILERS;
      this.#trailers = 0;
      this.#trailerBytes = 0;
      return;
    }
    this.#remaining = size;
    this.#state = CHUNK_DATA;
  }

  // A trailer field (ignored, but bounded), or the blank line that ends the message.
  #trailer(line: number[], at: number): boolean {
    if (line.length === 0) return true;
    this.#trailerBytes += line.length + 2;
    if (++this.#trailers > this.#maxHeaders || this.#trailerBytes > this.#maxHeadBytes) {
      throw this.#fail(431, "the trailer section is too large", at);
    }
    return false;
  }
}

// The first line so far starts "HTTP/" (blank lines before it are tolerated).
function startsHttp(line: number[]): boolean {
  if (line.length <= 2 && line.every((b) => b === CR || b === LF)) return true;
  for (let k = 0; k < PREFIX.length && k < line.length; k++) {
    if (line[k] !== PREFIX[k]) return false;
  }
  return true;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}
