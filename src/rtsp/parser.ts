/**
 * Incremental parser for one RTSP 1.0 byte stream: requests, responses and interleaved binary
 * frames (RFC 2326 §10.12) in any order, arriving in chunks of any size.
 *
 * @module
 */

import { RtspHeaders } from "./headers.ts";
import type { RtspRequest, RtspResponse } from "./message.ts";
import { isForbiddenByte, isSafeFieldValue, isToken, isTokenCode, printable } from "./syntax.ts";
import { makeRoom } from "./receive_buffer.ts";

/** Size limits, in bytes unless named a count. A message over a limit is a `ParseError`. */
export interface RtspLimits {
  /** Longest start line (request line or status line), excluding CRLF. */
  requestLine: number;
  /** Longest method token. */
  method: number;
  /** Longest Request-URI. */
  url: number;
  /** Longest single header line, excluding CRLF. */
  headerLine: number;
  /** Largest header section (all header lines with their line ends). */
  headers: number;
  /** Most header fields in one message. */
  headerCount: number;
  /** Largest body announced by Content-Length. */
  body: number;
}

/** The defaults from HARDENING.md. */
export const DEFAULT_LIMITS: RtspLimits = Object.freeze({
  requestLine: 4096,
  method: 64,
  url: 2048,
  headerLine: 4096,
  headers: 16384,
  headerCount: 255,
  body: 131072,
});

/**
 * Bytes that cannot be an RTSP message. The connection must answer `status` (when the peer is a
 * client) and close: the parser cannot find the next message boundary after this.
 */
export class ParseError extends Error {
  /** Stream offset (bytes fed before it) of the byte where the problem was found. */
  readonly offset: number;
  /** RTSP status the server should answer. */
  readonly status: number;
  /** What was being parsed, e.g. "request line" or "Content-Length header". */
  readonly context: string;

  /**
   * Creates the error; the message is prefixed with the context and offset.
   *
   * @param message Description; quotes peer text only through `printable()`.
   * @param init Stream offset, status to answer and parsing context.
   */
  constructor(message: string, init: { offset: number; status: number; context: string }) {
    super(`${init.context} at byte ${init.offset}: ${message}`);
    this.name = "ParseError";
    this.offset = init.offset;
    this.status = init.status;
    this.context = init.context;
  }
}

/** One result of `RtspParser.next()`. */
export type ParseEvent =
  | { kind: "request"; request: RtspRequest }
  | { kind: "response"; response: RtspResponse }
  | { kind: "interleaved"; channel: number; payload: Uint8Array }
  | { kind: "need-more" }
  | { kind: "error"; error: ParseError };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DOLLAR = 0x24;
const SLASH = 0x2f;
const COLON = 0x3a;

const START = 0;
const HEADERS = 1;
const BODY = 2;
const FAILED = 3;

const MIN_CAPACITY = 4096;
// Above this size an emptied buffer is released rather than kept for reuse.
const KEEP_CAPACITY = 256 * 1024;
// "RTSP/1.0" is 8 bytes; leave room for the error message to name a bogus version.
const VERSION_TOKEN_MAX = 16;

const NEED_MORE: ParseEvent = Object.freeze({ kind: "need-more" });
const utf8 = new TextDecoder();

/**
 * Incremental RTSP parser for one connection.
 *
 * Feed every chunk read from the socket, then call `next()` until it returns `need-more`.
 * `feed` copies the chunk, so the caller may reuse its read buffer at once.
 *
 * - Line ends may be CRLF or a bare LF (clients differ); empty lines between messages are skipped.
 * - A message without Content-Length has an empty body (RFC 2326 §12.14).
 * - `body` and interleaved `payload` are views (`subarray`) into the parser's buffer. The parser
 *   never writes to bytes it has handed out (it moves to a fresh buffer instead), so the views stay
 *   valid and unchanged forever; holding one keeps that buffer alive, so `slice()` what you keep
 *   for long.
 * - Memory is bounded: an over-long line is an error as soon as it passes its limit, without
 *   waiting for its line end, and at most one message plus the last chunk fed is buffered.
 * - After an `error` event the parser stays failed: `next()` repeats the error, `feed` discards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RtspParser } from "./parser.ts";
 * const p = new RtspParser();
 * p.feed(new TextEncoder().encode("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n$\x00\x00\x02hi"));
 * const first = p.next();
 * assert.equal(first.kind, "request");
 * if (first.kind === "request") assert.equal(first.request.headers.get("cseq"), "1");
 * const second = p.next();
 * assert.equal(second.kind, "interleaved");
 * assert.equal(p.next().kind, "need-more");
 * ```
 */
export class RtspParser {
  readonly #limits: RtspLimits;
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0; // read position in #buf
  #end = 0; // write position in #buf
  #pinned = false; // a view into #buf was handed out: never overwrite its bytes
  #offset = 0; // stream offset of #buf[#start]
  #state = START;
  #error: ParseError | undefined;
  #scan = 0; // bytes after #start already scanned for a line end
  // Start-line scan state, so an over-long method or URL fails before its line end arrives.
  #field = 0;
  #fieldLen = 0;
  #isStatusLine = false;
  // The message being assembled.
  #message: RtspRequest | RtspResponse | undefined;
  #isResponse = false;
  #headerBytes = 0;
  #contentLength = 0;
  #contentLengthCount = 0;
  #contentLengthValue = "";
  #contentLengthOffset = 0;

  /**
   * Creates a parser for one connection.
   *
   * @param limits Overrides for `DEFAULT_LIMITS`; each must be a positive integer.
   * @throws {RangeError} when a limit is not a positive integer.
   */
  constructor(limits?: Partial<RtspLimits>) {
    const merged: RtspLimits = { ...DEFAULT_LIMITS };
    for (const key of Object.keys(DEFAULT_LIMITS) as (keyof RtspLimits)[]) {
      const value = limits?.[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new RangeError(`limit ${key} must be a positive integer, got ${value}`);
      }
      merged[key] = value;
    }
    this.#limits = merged;
  }

  /** Bytes fed but not yet returned as events. */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /**
   * Whether a message or frame has begun but not ended: the server's header deadline runs while
   * this is true (HARDENING.md: absolute, not reset per byte).
   */
  get midMessage(): boolean {
    return this.#state !== START || this.#end > this.#start;
  }

  /** Appends a chunk read from the stream. The chunk is copied, never modified or retained. */
  feed(bytes: Uint8Array): void {
    if (this.#state === FAILED || bytes.length === 0) return;
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** The next complete message or frame, `need-more`, or the (sticky) error. */
  next(): ParseEvent {
    if (this.#error) return { kind: "error", error: this.#error };
    try {
      return this.#step();
    } catch (e) {
      const error = e instanceof ParseError ? e : new ParseError(
        `internal parser failure: ${printable(String(e))}`,
        { offset: this.#offset, status: 500, context: "parser" },
      );
      this.#error = error;
      this.#state = FAILED;
      this.#buf = new Uint8Array(0);
      this.#start = this.#end = 0;
      return { kind: "error", error };
    }
  }

  #step(): ParseEvent {
    if (this.#state === START) {
      if (!this.#skipEmptyLines()) return NEED_MORE;
      if (this.#buf[this.#start] === DOLLAR) return this.#interleaved();
      const lineEnd = this.#scanLine(true);
      if (lineEnd < 0) return NEED_MORE;
      this.#startLine(lineEnd);
      this.#state = HEADERS;
    }
    while (this.#state === HEADERS) {
      const lineEnd = this.#scanLine(false);
      if (lineEnd < 0) return NEED_MORE;
      if (!this.#headerLine(lineEnd)) this.#endOfHeaders();
    }
    // BODY
    const available = this.#end - this.#start;
    if (available < this.#contentLength) return NEED_MORE;
    const message = this.#message!;
    if (this.#contentLength > 0) {
      message.body = this.#view(this.#contentLength);
      this.#consume(this.#contentLength);
    }
    this.#state = START;
    this.#message = undefined;
    return this.#isResponse
      ? { kind: "response", response: message as RtspResponse }
      : { kind: "request", request: message as RtspRequest };
  }

  // Skips CRLF / LF between messages. Returns false when the buffer is exhausted.
  #skipEmptyLines(): boolean {
    const buf = this.#buf;
    while (this.#start < this.#end) {
      const b = buf[this.#start];
      if (b === LF) this.#consume(1);
      else if (b === CR) {
        if (this.#start + 1 === this.#end) return false;
        if (buf[this.#start + 1] !== LF) {
          throw this.#fail(this.#start + 1, 400, "message boundary", "CR not followed by LF");
        }
        this.#consume(2);
      } else return true;
    }
    return false;
  }

  // RFC 2326 §10.12: '$', channel, 16-bit big-endian length, data.
  #interleaved(): ParseEvent {
    if (this.#end - this.#start < 4) return NEED_MORE;
    const buf = this.#buf;
    const channel = buf[this.#start + 1];
    const length = (buf[this.#start + 2] << 8) | buf[this.#start + 3];
    if (this.#end - this.#start < 4 + length) return NEED_MORE;
    this.#consume(4);
    const payload = this.#view(length);
    this.#consume(length);
    return { kind: "interleaved", channel, payload };
  }

  /**
   * Scans the current line from where the last call stopped. Returns the index of its LF, or -1
   * when more bytes are needed. Checks every byte once, so limits trip as soon as they are passed.
   */
  #scanLine(isStartLine: boolean): number {
    const buf = this.#buf;
    const lineStart = this.#start;
    const limit = isStartLine ? this.#limits.requestLine : this.#limits.headerLine;
    const context = isStartLine ? "start line" : "header line";
    if (isStartLine && this.#scan === 0) {
      this.#field = 0;
      this.#fieldLen = 0;
      this.#isStatusLine = false;
    }
    let i = lineStart + this.#scan;
    for (; i < this.#end; i++) {
      const b = buf[i];
      if (b === LF) {
        this.#scan = 0;
        return i;
      }
      if (b === CR) {
        if (i + 1 === this.#end) break; // the LF may be in the next chunk
        if (buf[i + 1] !== LF) throw this.#fail(i + 1, 400, context, "CR not followed by LF");
        continue;
      }
      const length = i - lineStart + 1;
      if (i === lineStart && (b === SP || b === HT)) {
        throw isStartLine
          ? this.#fail(i, 400, "start line", "line starts with white space")
          // RFC 7230 §3.2.4 obsoletes line folding; no RTSP client is known to send it, and
          // accepting it invites header smuggling between parsers that disagree.
          : this.#fail(i, 400, "header line", "folded header lines are not accepted");
      }
      if (isStartLine ? b < 0x20 || b === 0x7f : isForbiddenByte(b)) {
        throw this.#fail(i, 400, context, `control byte 0x${b.toString(16).padStart(2, "0")}`);
      }
      if (length > limit) throw this.#fail(i, 400, context, `line longer than ${limit} bytes`);
      if (isStartLine) this.#checkStartLineByte(b, i);
      else if (this.#headerBytes + length > this.#limits.headers) {
        // RFC 2326 has no 431; HARDENING item 3 asks for 400.
        throw this.#fail(
          i,
          400,
          "header section",
          `headers longer than ${this.#limits.headers} bytes`,
        );
      }
    }
    this.#scan = i - lineStart;
    return -1;
  }

  // Field-by-field check of a start line while it arrives (HARDENING item 2: fail at the limit).
  #checkStartLineByte(b: number, i: number): void {
    if (b === SP) {
      this.#field++;
      this.#fieldLen = 0;
      return;
    }
    this.#fieldLen++;
    if (this.#field === 0) {
      if (b === SLASH) this.#isStatusLine = true;
      else if (!isTokenCode(b)) {
        throw this.#fail(i, 400, "request line", "method is not a token");
      }
      const max = this.#isStatusLine ? VERSION_TOKEN_MAX : this.#limits.method;
      if (this.#fieldLen > max) {
        throw this.#fail(i, 400, "request line", `method longer than ${max} bytes`);
      }
    } else if (this.#field === 1 && !this.#isStatusLine) {
      if (b >= 0x80) throw this.#fail(i, 400, "request line", "non-ASCII byte in URL");
      if (this.#fieldLen > this.#limits.url) {
        // RFC 2326 §7.1.1 414 Request-URI Too Large.
        throw this.#fail(i, 414, "request line", `URL longer than ${this.#limits.url} bytes`);
      }
    }
  }

  #startLine(lineEnd: number): void {
    const from = this.#start;
    const base = this.#offset; // stream offset of the line
    const to = lineEnd > from && this.#buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const line = this.#text(from, to);
    this.#headerBytes = 0;
    this.#contentLength = 0;
    this.#contentLengthCount = 0;
    const headers = new RtspHeaders();
    const body = new Uint8Array(0);
    if (this.#isStatusLine) {
      // RFC 2326 §7.1: Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase CRLF.
      // Tolerated: a missing reason phrase, with or without the SP before it.
      const m = /^(\S+) (\d{3})(?: (.*))?$/.exec(line);
      if (!m) throw this.#failAt(base, 400, "status line", `malformed ${printable(line)}`);
      this.#checkVersion(m[1], base, "status line");
      this.#isResponse = true;
      this.#message = { status: Number(m[2]), reason: m[3] ?? "", version: m[1], headers, body };
    } else {
      // RFC 2326 §6.1: Request-Line = Method SP Request-URI SP RTSP-Version CRLF.
      const parts = line.split(" ");
      if (parts.length !== 3 || parts.some((p) => p === "")) {
        throw this.#failAt(base, 400, "request line", `malformed ${printable(line)}`);
      }
      const [method, url, version] = parts;
      if (!isToken(method) || method.length > this.#limits.method) {
        throw this.#failAt(base, 400, "request line", `bad method ${printable(method)}`);
      }
      this.#checkVersion(version, base + method.length + url.length + 2, "request line");
      this.#isResponse = false;
      this.#message = { method, url, version, headers, body };
    }
    this.#consume(lineEnd + 1 - from);
  }

  #checkVersion(version: string, offset: number, context: string): void {
    if (version === "RTSP/1.0") return;
    if (/^RTSP\/\d+\.\d+$/.test(version)) {
      throw this.#failAt(offset, 505, context, `unsupported version ${printable(version)}`);
    }
    if (/^HTTP\/\d+(\.\d+)?$/.test(version)) {
      // An HTTP request on the RTSP port (HARDENING item 7). RTSP-over-HTTP tunnelling, if ever
      // added, must be recognised before this parser sees the connection.
      throw this.#failAt(offset, 400, context, `HTTP message on the RTSP port (${version})`);
    }
    throw this.#failAt(offset, 400, context, `not an RTSP version: ${printable(version)}`);
  }

  // Parses one header line; returns false for the empty line that ends the header section.
  #headerLine(lineEnd: number): boolean {
    const buf = this.#buf;
    const from = this.#start;
    const to = lineEnd > from && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const lineLength = lineEnd + 1 - from;
    if (to === from) {
      this.#consume(lineLength);
      return false;
    }
    const headers = this.#message!.headers;
    if (headers.count >= this.#limits.headerCount) {
      throw this.#fail(
        from,
        400,
        "header section",
        `more than ${this.#limits.headerCount} headers`,
      );
    }
    // RFC 2616 §4.2: field-name ":" [ field-value ]. No white space before the colon
    // (RFC 7230 §3.2.4): parsers that disagree about such names enable smuggling.
    let colon = from;
    while (colon < to && isTokenCode(buf[colon])) colon++;
    if (colon === from || colon === to || buf[colon] !== COLON) {
      throw this.#fail(
        from,
        400,
        "header line",
        `malformed header ${printable(this.#text(from, to))}`,
      );
    }
    let vFrom = colon + 1;
    let vTo = to;
    while (vFrom < vTo && (buf[vFrom] === SP || buf[vFrom] === HT)) vFrom++;
    while (vTo > vFrom && (buf[vTo - 1] === SP || buf[vTo - 1] === HT)) vTo--;
    const name = this.#text(from, colon);
    const value = this.#text(vFrom, vTo);
    if (!isSafeFieldValue(value)) {
      // Only C1 controls (U+0080–U+009F) get here; bytes below 0x20 failed in #scanLine.
      throw this.#fail(vFrom, 400, "header line", `control character in ${name}`);
    }
    if (name.toLowerCase() === "content-length") {
      this.#contentLengthCount++;
      this.#contentLengthValue = value;
      this.#contentLengthOffset = this.#offset;
    }
    headers.append(name, value);
    this.#headerBytes += lineLength;
    this.#consume(lineLength);
    return true;
  }

  // RFC 2326 §12.14: the body length is Content-Length, zero when absent. Checked strictly,
  // before anything is allocated for the body (HARDENING item 4).
  #endOfHeaders(): void {
    this.#state = BODY;
    if (this.#contentLengthCount === 0) return;
    const offset = this.#contentLengthOffset;
    const context = "Content-Length header";
    if (this.#contentLengthCount > 1) {
      throw this.#failAt(offset, 400, context, "Content-Length given more than once");
    }
    const value = this.#contentLengthValue;
    if (!/^[0-9]+$/.test(value)) {
      throw this.#failAt(offset, 400, context, `not a decimal length: ${printable(value)}`);
    }
    const length = value.length > 15 ? Infinity : Number(value);
    if (length > this.#limits.body) {
      // RFC 2326 §7.1.1 413 Request Entity Too Large.
      throw this.#failAt(offset, 413, context, `body larger than ${this.#limits.body} bytes`);
    }
    this.#contentLength = length;
  }

  // Decodes bytes as text: ASCII directly, anything else as UTF-8 (invalid sequences become
  // U+FFFD, so a peer's bytes never raise and never pass through raw).
  #text(from: number, to: number): string {
    const bytes = this.#buf.subarray(from, to);
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 0x80) return utf8.decode(bytes);
    }
    return String.fromCharCode(...bytes);
  }

  #view(length: number): Uint8Array {
    this.#pinned = true;
    return this.#buf.subarray(this.#start, this.#start + length);
  }

  #consume(n: number): void {
    this.#start += n;
    this.#offset += n;
    this.#scan = 0;
    if (this.#start === this.#end) {
      if (this.#buf.length > KEEP_CAPACITY) {
        this.#buf = new Uint8Array(0);
        this.#pinned = false;
        this.#start = this.#end = 0;
      } else if (!this.#pinned) {
        this.#start = this.#end = 0;
      }
    }
  }

  // Makes room for `extra` bytes after #end (receive_buffer.ts: amortized O(1) per byte).
  #reserve(extra: number): void {
    const room = makeRoom(this.#buf, this.#start, this.#end, this.#pinned, extra, MIN_CAPACITY);
    if (!room) return;
    if (room.grown) this.#pinned = false;
    this.#buf = room.buf;
    this.#start = 0;
    this.#end = room.end;
  }

  #fail(index: number, status: number, context: string, message: string): ParseError {
    return this.#failAt(this.#offset + (index - this.#start), status, context, message);
  }

  #failAt(offset: number, status: number, context: string, message: string): ParseError {
    return new ParseError(message, { offset, status, context });
  }
}
