/**
 * Incremental splitter for `multipart/x-mixed-replace` bodies (RFC 2046 §5.1.1), the MJPEG stream
 * format of ESP32-CAM boards and many IP cameras: one JPEG per part, arriving in chunks of any size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultipartSplitter } from "./multipart.ts";
 *
 * const splitter = new MultipartSplitter("frame", 1 << 20);
 * const stream = new TextEncoder().encode(
 *   "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\nX-Timestamp: 12.000345\r\n\r\n" +
 *     "abc\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\nxyz\r\n--frame--\r\n",
 * );
 * const parts = [...splitter.push(stream.subarray(0, 50)), ...splitter.push(stream.subarray(50))];
 * assert.equal(parts.length, 2);
 * assert.equal(new TextDecoder().decode(parts[0].body), "abc");
 * assert.equal(parts[0].timestampUs, 12_000_345);
 * assert.equal(parts[1].headers["content-type"], "image/jpeg");
 * assert.equal(new TextDecoder().decode(parts[1].body), "xyz");
 * ```
 *
 * @module
 */

import { isTokenCode, printable } from "../rtsp/syntax.ts";
import { HttpParseError } from "./errors.ts";
import { makeRoom } from "../rtsp/receive_buffer.ts";

/** One part of the stream: usually one JPEG. */
export interface MultipartPart {
  /** Part headers by lower-cased name (repeats joined with ", "); a record without prototype. */
  headers: Record<string, string>;
  /**
   * The part's content. A view into the splitter's buffer, which the splitter never writes again
   * (it moves to a new buffer instead): valid and unchanged for as long as it is held.
   */
  body: Uint8Array;
  /** From `X-Timestamp-Us: <µs>`, or the ESP32-CAM `X-Timestamp: <s>.<µs>`, in microseconds. */
  timestampUs?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;
const COLON = 0x3a;

// Where the splitter is in the stream.
const SEEK = 0; // looking for a delimiter line (preamble, or between parts)
const HEADERS = 1;
const BODY = 2; // Content-Length known: waiting for exactly that many bytes
const SCAN = 3; // no Content-Length: looking for the next delimiter
const DONE = 4; // after the close delimiter: the epilogue is ignored (RFC 2046 §5.1.1)
const FAILED = 5;

/** Bytes of preamble, or of line breaks between parts, before a delimiter must show up. */
const MAX_SEEK = 64 * 1024;
const MAX_PART_HEADERS = 8 * 1024;
const MAX_PART_HEADER_COUNT = 32;
// RFC 2046 §5.1.1 transport-padding (LWSP after a delimiter); bounded, so a scan never waits long.
const MAX_PADDING = 64;
const MIN_CAPACITY = 64 * 1024;

// Result of looking for a delimiter line at a line start.
const NO = -1;
const NEED_MORE = -2;

/**
 * Splits a `multipart/x-mixed-replace` byte stream into parts.
 *
 * - A delimiter is `--boundary` at the start of the stream or of a line (after CRLF or a bare LF),
 *   followed by optional white space and a line end, or by `--` for the close delimiter. The line
 *   break before it belongs to it (RFC 2046 §5.1.1), so it is not part of the previous body.
 * - A part with `Content-Length: N` has exactly N body bytes; after them only line breaks may come
 *   before the next delimiter. Without Content-Length the body runs to the next delimiter.
 * - The preamble before the first delimiter and the epilogue after `--boundary--` are ignored.
 * - Memory is bounded: at most one part (up to `maxPartBytes`) plus a delimiter plus the last chunk
 *   pushed is buffered. `push` copies its input, never modifies or retains it.
 * - After an error the splitter stays failed and `push` throws the same error again.
 */
export class MultipartSplitter {
  #delimiter: Uint8Array;
  #candidates: Uint8Array[] | undefined; // until the first delimiter picks one
  readonly #maxPartBytes: number;
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #pinned = false; // a body view into #buf was handed out: never overwrite its bytes
  #offset = 0; // stream offset of #buf[#start]
  #state = SEEK;
  #error: HttpParseError | undefined;
  #lineStart = true; // SEEK: #buf[#start] begins a line
  #preamble = true; // SEEK: still before the first delimiter (anything may come)
  #seekBytes = 0;
  #scan = 0; // HEADERS/SCAN: bytes after #start already scanned
  #headers: Record<string, string> = Object.create(null);
  #headerCount = 0;
  #headerBytes = 0;
  #timestampUs: number | undefined;
  #length = 0; // BODY: Content-Length

  /**
   * Creates a splitter for one body.
   *
   * @param boundary The `boundary` parameter of the Content-Type (without the leading `--`), or
   * several candidates, of which the first delimiter in the stream picks one for good: some
   * cameras announce `boundary=--frame` and then write `--frame`, not `----frame`, between parts.
   * @param maxPartBytes Largest part body accepted; a larger one is a 413.
   * @throws {RangeError} when a boundary is empty or the cap is not a positive integer.
   */
  constructor(boundary: string | readonly string[], maxPartBytes: number) {
    const boundaries = typeof boundary === "string" ? [boundary] : boundary;
    if (boundaries.length === 0) throw new RangeError("at least one boundary is needed");
    for (const b of boundaries) {
      if (b.length === 0 || b.length > 200 || /[^\x21-\x7e ]/.test(b)) {
        throw new RangeError("boundary must be 1 to 200 printable ASCII characters");
      }
    }
    if (!Number.isSafeInteger(maxPartBytes) || maxPartBytes <= 0) {
      throw new RangeError(`maxPartBytes must be a positive integer, got ${maxPartBytes}`);
    }
    const delimiters = boundaries.map((b) => new TextEncoder().encode(`--${b}`));
    this.#delimiter = delimiters[0];
    if (delimiters.length > 1) this.#candidates = delimiters;
    this.#maxPartBytes = maxPartBytes;
  }

  /** Bytes pushed but not yet returned in a part (or discarded). */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** True once the close delimiter `--boundary--` was seen; later bytes are ignored. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Feeds the next bytes of the body.
   *
   * @param bytes Any chunk of the stream; copied, never modified or retained.
   * @returns The parts completed by these bytes, in order.
   * @throws {HttpParseError} 413 for a part above the cap; 400 for malformed part headers, a missing
   * delimiter or bytes after a part's Content-Length that are not a delimiter.
   */
  push(bytes: Uint8Array): MultipartPart[] {
    if (this.#error) throw this.#error;
    if (this.#state === DONE || bytes.length === 0) return [];
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
    const parts: MultipartPart[] = [];
    try {
      while (this.#step(parts));
    } catch (e) {
      const error = e instanceof HttpParseError
        ? e
        : new HttpParseError(400, `malformed multipart stream (${String(e)})`, this.#offset);
      this.#error = error;
      this.#state = FAILED;
      this.#buf = new Uint8Array(0);
      this.#start = this.#end = 0;
      throw error;
    }
    return parts;
  }

  // One step of the state machine; false when more bytes are needed.
  #step(parts: MultipartPart[]): boolean {
    switch (this.#state) {
      case SEEK:
        return this.#seek();
      case HEADERS:
        return this.#headerLine();
      case BODY: {
        if (this.#end - this.#start < this.#length) return false;
        parts.push(this.#part(this.#view(this.#length)));
        this.#consume(this.#length);
        this.#enterSeek(false);
        return true;
      }
      case SCAN:
        return this.#scanBody(parts);
      default: // DONE: the epilogue is ignored
        this.#consume(this.#end - this.#start);
        return false;
    }
  }

  #enterSeek(preamble: boolean): void {
    this.#state = SEEK;
    this.#lineStart = true;
    this.#preamble = preamble;
    this.#seekBytes = 0;
  }

  // Discards bytes up to the next delimiter line. Between parts only line breaks and white space
  // may come: anything else means the Content-Length was wrong.
  #seek(): boolean {
    const buf = this.#buf;
    while (this.#start < this.#end) {
      if (this.#lineStart) {
        const after = this.#delimiterAt(this.#start);
        if (after === NEED_MORE) return false;
        if (after !== NO) {
          this.#afterDelimiter(after);
          return true;
        }
      }
      const b = buf[this.#start];
      if (!this.#preamble && b !== CR && b !== LF && b !== SP && b !== HT) {
        throw this.#error400(
          this.#start,
          "bytes after a part that are not a delimiter (wrong Content-Length?)",
        );
      }
      if (++this.#seekBytes > MAX_SEEK) {
        throw this.#error400(this.#start, `no multipart delimiter within ${MAX_SEEK} bytes`);
      }
      this.#lineStart = b === LF;
      this.#consume(1);
    }
    return false;
  }

  /**
   * Checks for a delimiter line starting at `at`. Returns the index after it (after its line end;
   * negated minus 3 for the close delimiter, whose line end need not arrive), NO, or NEED_MORE.
   */
  #delimiterAt(at: number): number {
    if (this.#candidates === undefined) return this.#delimiterWith(this.#delimiter, at);
    for (const d of this.#candidates) {
      const after = this.#delimiterWith(d, at);
      if (after === NO) continue;
      if (after !== NEED_MORE) {
        this.#delimiter = d;
        this.#candidates = undefined;
      }
      return after;
    }
    return NO;
  }

  #delimiterWith(d: Uint8Array, at: number): number {
    const buf = this.#buf;
    const end = this.#end;
    for (let k = 0; k < d.length; k++) {
      if (at + k >= end) return NEED_MORE;
      if (buf[at + k] !== d[k]) return NO;
    }
    let i = at + d.length;
    if (i >= end) return NEED_MORE;
    if (buf[i] === DASH) {
      if (i + 1 >= end) return NEED_MORE;
      return buf[i + 1] === DASH ? -3 - (i + 2) : NO;
    }
    const padEnd = Math.min(end, i + MAX_PADDING);
    while (i < padEnd && (buf[i] === SP || buf[i] === HT)) i++;
    if (i >= end) return NEED_MORE;
    if (buf[i] === LF) return i + 1;
    if (buf[i] === CR) {
      if (i + 1 >= end) return NEED_MORE;
      return buf[i + 1] === LF ? i + 2 : NO;
    }
    return NO;
  }

  // Consumes a delimiter line found by #delimiterAt (`after` as it returned it).
  #afterDelimiter(after: number): void {
    if (after <= -3) {
      this.#consume(-3 - after - this.#start);
      this.#state = DONE;
      return;
    }
    this.#consume(after - this.#start);
    this.#state = HEADERS;
    this.#headers = Object.create(null);
    this.#headerCount = 0;
    this.#headerBytes = 0;
    this.#scan = 0;
  }

  // Reads one part header line; at the blank line decides how the body is framed.
  #headerLine(): boolean {
    const buf = this.#buf;
    let lf = -1;
    for (let i = this.#start + this.#scan; i < this.#end; i++) {
      if (buf[i] === LF) {
        lf = i;
        break;
      }
    }
    const from = this.#start;
    const lineBytes = (lf < 0 ? this.#end : lf + 1) - from;
    if (this.#headerBytes + lineBytes > MAX_PART_HEADERS) {
      throw this.#error400(from, `part headers longer than ${MAX_PART_HEADERS} bytes`);
    }
    if (lf < 0) {
      this.#scan = this.#end - from;
      return false;
    }
    this.#headerBytes += lineBytes;
    const to = lf > from && buf[lf - 1] === CR ? lf - 1 : lf;
    if (to === from) {
      this.#consume(lf + 1 - from);
      this.#endOfHeaders();
      return true;
    }
    if (++this.#headerCount > MAX_PART_HEADER_COUNT) {
      throw this.#error400(from, `more than ${MAX_PART_HEADER_COUNT} part headers`);
    }
    let colon = from;
    while (colon < to && isTokenCode(buf[colon])) colon++;
    // RFC 9112 §5.1 (which RFC 2045 headers follow in practice): token ":" OWS value OWS; no
    // white space before the colon, no folded lines.
    if (colon === from || colon === to || buf[colon] !== COLON) {
      throw this.#error400(from, `malformed part header ${printable(latin1(buf, from, to))}`);
    }
    let vFrom = colon + 1;
    let vTo = to;
    while (vFrom < vTo && (buf[vFrom] === SP || buf[vFrom] === HT)) vFrom++;
    while (vTo > vFrom && (buf[vTo - 1] === SP || buf[vTo - 1] === HT)) vTo--;
    for (let i = vFrom; i < vTo; i++) {
      const b = buf[i];
      if ((b < SP && b !== HT) || b === 0x7f) {
        throw this.#error400(i, "control character in a part header");
      }
    }
    const name = latin1(buf, from, colon).toLowerCase();
    const value = latin1(buf, vFrom, vTo);
    const previous = this.#headers[name];
    this.#headers[name] = previous === undefined ? value : `${previous}, ${value}`;
    this.#scan = 0;
    this.#consume(lf + 1 - from);
    return true;
  }

  #endOfHeaders(): void {
    this.#timestampUs = timestampOf(this.#headers);
    const cl = this.#headers["content-length"];
    if (cl === undefined) {
      this.#state = SCAN;
      this.#scan = 0;
      return;
    }
    // Repeated Content-Length with one value is harmless (RFC 9110 §8.6); different values are not.
    const values = new Set(cl.split(",").map((v) => v.trim()));
    const value = values.size === 1 ? [...values][0] : "";
    if (!/^[0-9]{1,15}$/.test(value)) {
      throw this.#error400(this.#start, `bad part Content-Length ${printable(cl)}`);
    }
    const length = Number(value);
    if (length > this.#maxPartBytes) {
      throw new HttpParseError(
        413,
        `a part of ${length} bytes is above the ${this.#maxPartBytes}-byte cap`,
        this.#offset,
      );
    }
    this.#length = length;
    this.#state = BODY;
  }

  // Looks for the delimiter that ends a body without Content-Length.
  #scanBody(parts: MultipartPart[]): boolean {
    const end = this.#end;
    const buf = this.#buf.subarray(0, end); // never look at stale bytes past #end
    const bodyStart = this.#start;
    // Positions before #scan are known not to start a delimiter line.
    let i = bodyStart + this.#scan;
    while (i < end) {
      if (i !== bodyStart && buf[i - 1] !== LF) {
        const lf = buf.indexOf(LF, i);
        i = lf < 0 ? end : lf + 1;
        continue;
      }
      const after = this.#delimiterAt(i);
      if (after === NEED_MORE) break;
      if (after === NO) {
        i++;
        continue;
      }
      let bodyEnd = i;
      if (i > bodyStart) {
        bodyEnd--; // the line break before the delimiter belongs to it (RFC 2046 §5.1.1)
        if (bodyEnd > bodyStart && buf[bodyEnd - 1] === CR) bodyEnd--;
      }
      this.#checkSize(bodyEnd - bodyStart);
      parts.push(this.#part(this.#view(bodyEnd - bodyStart)));
      this.#afterDelimiter(after);
      return true;
    }
    this.#scan = i - bodyStart;
    // Everything before a delimiter that may still be arriving, less its CRLF, is body.
    this.#checkSize(this.#scan - 2);
    return false;
  }

  #checkSize(bodyBytes: number): void {
    if (bodyBytes > this.#maxPartBytes) {
      throw new HttpParseError(
        413,
        `a part is above the ${this.#maxPartBytes}-byte cap`,
        this.#offset,
      );
    }
  }

  #part(body: Uint8Array): MultipartPart {
    const headers = this.#headers;
    const part: MultipartPart = { headers, body };
    if (this.#timestampUs !== undefined) part.timestampUs = this.#timestampUs;
    this.#headers = Object.create(null);
    return part;
  }

  #view(length: number): Uint8Array {
    this.#pinned = true;
    return this.#buf.subarray(this.#start, this.#start + length);
  }

  #consume(n: number): void {
    this.#start += n;
    this.#offset += n;
    if (this.#start === this.#end && !this.#pinned) this.#start = this.#end = 0;
  }

  // Makes room for `extra` bytes after #end, never overwriting bytes handed out as a body.
  #reserve(extra: number): void {
    const room = makeRoom(this.#buf, this.#start, this.#end, this.#pinned, extra, MIN_CAPACITY);
    if (!room) return;
    if (room.grown) this.#pinned = false;
    this.#buf = room.buf;
    this.#start = 0;
    this.#end = room.end;
  }

  #error400(index: number, message: string): HttpParseError {
    return new HttpParseError(400, message, this.#offset + (index - this.#start));
  }
}

/**
 * The boundaries to split a camera's MJPEG stream on, from its Content-Type: undefined unless it is
 * `multipart/x-mixed-replace` (or `multipart/mixed`) with a boundary. A quoted boundary is
 * unquoted. One given with a leading `--` (`boundary=--myboundary`) comes with the same without
 * it as a second candidate, since cameras that write it so mostly mean the dashes of the delimiter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boundaryCandidates } from "./multipart.ts";
 *
 * assert.deepEqual(boundaryCandidates('multipart/x-mixed-replace; boundary="a b"'), ["a b"]);
 * assert.deepEqual(boundaryCandidates("multipart/x-mixed-replace;boundary=--frame"), [
 *   "--frame",
 *   "frame",
 * ]);
 * assert.equal(boundaryCandidates("image/jpeg"), undefined);
 * ```
 */
export function boundaryCandidates(contentType: string): string[] | undefined {
  const m = /^\s*multipart\/(?:x-mixed-replace|mixed)\s*(;.*)?$/i.exec(contentType);
  if (!m) return undefined;
  // RFC 9110 §5.6.6 parameters: token or quoted-string values.
  const params = /;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const p of (m[1] ?? "").matchAll(params)) {
    if (p[1].toLowerCase() !== "boundary") continue;
    let value = p[2].trim();
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    if (value === "" || value.length > 200 || /[^\x21-\x7e ]/.test(value)) return undefined;
    return value.startsWith("--") && value.length > 2 ? [value, value.slice(2)] : [value];
  }
  return undefined;
}

/**
 * The boundary of a stream whose Content-Type does not give one, from its first line: ffmpeg's
 * HTTP server sends its mpjpeg stream as `application/octet-stream`, and some cameras leave the
 * boundary out. Line breaks before the first line are skipped.
 *
 * @param start The first bytes of the body.
 * @returns The boundary (without `--`); `null` when the first line has not ended yet (and it
 * could still be a delimiter line); `undefined` when the body does not start with one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sniffBoundary } from "./multipart.ts";
 *
 * const enc = (s: string) => new TextEncoder().encode(s);
 * assert.equal(sniffBoundary(enc("--ffmpeg\r\nContent-type: image/jpeg\r\n")), "ffmpeg");
 * assert.equal(sniffBoundary(enc("\r\n--ffm")), null);
 * assert.equal(sniffBoundary(enc("<html>")), undefined);
 * ```
 */
export function sniffBoundary(start: Uint8Array): string | null | undefined {
  let i = 0;
  while (i < start.length && (start[i] === CR || start[i] === LF)) i++;
  let line = "";
  for (; i < start.length && start[i] !== LF; i++) {
    const b = start[i];
    if (b === CR) continue;
    line += String.fromCharCode(b);
    if (line.length > 202 || !(b === SP || (b >= 0x21 && b <= 0x7e))) return undefined;
    if (line.length <= 2 && b !== DASH) return undefined;
  }
  if (i === start.length) return null;
  const boundary = line.slice(2).trimEnd();
  return line.startsWith("--") && boundary.length > 0 && !boundary.endsWith("--")
    ? boundary
    : undefined;
}

// The part's device timestamp: `X-Timestamp-Us: <µs>` (the ingest protocol), else the Arduino
// CameraWebServer's `X-Timestamp: <tv_sec>.<tv_usec>` (printed "%d.%06d").
function timestampOf(headers: Record<string, string>): number | undefined {
  const us = headers["x-timestamp-us"];
  if (us !== undefined) {
    const value = /^[0-9]{1,16}$/.test(us) ? Number(us) : NaN;
    if (!Number.isSafeInteger(value)) {
      throw new HttpParseError(
        400,
        `X-Timestamp-Us must be whole microseconds, got ${printable(us)}`,
      );
    }
    return value;
  }
  const seconds = headers["x-timestamp"];
  if (seconds === undefined) return undefined;
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?$/.exec(seconds);
  if (!m) {
    throw new HttpParseError(
      400,
      `X-Timestamp must be seconds with up to 9 decimals, got ${printable(seconds)}`,
    );
  }
  // A decimal fraction: "%06d" pads tv_usec, so ".000345" is 345 µs; extra digits are cut.
  const fraction = (m[2] ?? "").padEnd(6, "0").slice(0, 6);
  return Number(m[1]) * 1_000_000 + Number(fraction);
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}
