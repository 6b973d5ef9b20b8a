/**
 * Raw (uncompressed) frame bodies: cutting a byte stream into fixed-size frames, and inflating a
 * `Content-Encoding: deflate` or `gzip` body on the way without letting a zip bomb take the
 * memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zlibSync } from "fflate";
 * import { Decompressor, loadInflate, RawFrameSplitter } from "./raw_frames.ts";
 *
 * await loadInflate();
 * const frames = new Uint8Array(3 * 6).fill(7); // three 6-byte frames
 * const inflate = new Decompressor("deflate", 1 << 20);
 * const splitter = new RawFrameSplitter(6);
 * const body = zlibSync(frames);
 * const out: Uint8Array[] = [];
 * for (const chunk of [...inflate.push(body.subarray(0, 5)), ...inflate.push(body.subarray(5))]) {
 *   out.push(...splitter.push(chunk));
 * }
 * for (const chunk of inflate.end()) out.push(...splitter.push(chunk));
 * assert.equal(out.length, 3);
 * assert.equal(splitter.pending, 0);
 * ```
 *
 * @module
 */

import type { Gunzip, Inflate, Unzlib } from "fflate";
import { IngestError } from "./errors.ts";

/** fflate's streaming decoders, once {@link loadInflate} has imported them. */
let inflaters:
  | { Gunzip: typeof Gunzip; Inflate: typeof Inflate; Unzlib: typeof Unzlib }
  | undefined;

/**
 * Imports fflate, which a {@link Decompressor} needs. It is imported at the first compressed body,
 * not with the ingest port: its module builds its tables in loops that the JIT compiles, which
 * costs an idle server about 2 MB of memory for bodies that almost never come.
 */
export async function loadInflate(): Promise<void> {
  if (inflaters) return;
  const { Gunzip, Inflate, Unzlib } = await import("fflate");
  inflaters = { Gunzip, Inflate, Unzlib };
}

/** Whether {@link loadInflate} has finished: a {@link Decompressor} can be made at once. */
export function inflateLoaded(): boolean {
  return inflaters !== undefined;
}

function fflate(): NonNullable<typeof inflaters> {
  if (!inflaters) throw new Error("a Decompressor was made before loadInflate() finished");
  return inflaters;
}

/**
 * Cuts a stream of back-to-back frames of one fixed size (`frameSize(format, width, height)`)
 * into frames. Never throws after construction: any bytes are a valid prefix of frames.
 *
 * Each frame is a new `Uint8Array` of exactly `frameBytes`, owned by the caller: the splitter
 * never writes it again. Frames are copied, not viewed, because they almost always span several
 * socket reads anyway, and because the caller's chunk is only valid during the `push` call (the
 * runtime may reuse its read buffer). At most one frame is buffered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RawFrameSplitter } from "./raw_frames.ts";
 * const splitter = new RawFrameSplitter(4);
 * assert.deepEqual(splitter.push(new Uint8Array([1, 2, 3])), []);
 * assert.deepEqual(splitter.push(new Uint8Array([4, 5, 6, 7, 8, 9])), [
 *   new Uint8Array([1, 2, 3, 4]),
 *   new Uint8Array([5, 6, 7, 8]),
 * ]);
 * assert.equal(splitter.pending, 1);
 * ```
 */
export class RawFrameSplitter {
  readonly #frameBytes: number;
  #frame: Uint8Array | undefined;
  #filled = 0;

  /**
   * Creates a splitter.
   *
   * @param frameBytes Size of every frame in bytes.
   * @throws {RangeError} when `frameBytes` is not a positive integer.
   */
  constructor(frameBytes: number) {
    if (!Number.isSafeInteger(frameBytes) || frameBytes <= 0) {
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    }
    this.#frameBytes = frameBytes;
  }

  /** Bytes of an incomplete frame held: not 0 when a body ends means it ended mid-frame. */
  get pending(): number {
    return this.#filled;
  }

  /**
   * Feeds the next bytes of the stream.
   *
   * @param bytes Any chunk; copied, never modified or retained.
   * @returns The frames these bytes completed, in order (each a fresh array).
   */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length) {
      this.#frame ??= new Uint8Array(this.#frameBytes);
      const n = Math.min(this.#frameBytes - this.#filled, bytes.length - i);
      this.#frame.set(bytes.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (this.#filled === this.#frameBytes) {
        out.push(this.#frame);
        this.#frame = undefined;
        this.#filled = 0;
      }
    }
    return out;
  }
}

/** The streaming decoders of fflate share this shape. */
interface FflateStream {
  ondata: (data: Uint8Array, final: boolean) => void;
  onmember?: (offset: number) => void;
  push(chunk: Uint8Array, final?: boolean): void;
}

/**
 * fflate 0.8.2's inflate state (not public API): `f` is set once the final block began and `l`
 * while a block is unfinished. fflate does not itself notice a stream cut after the last whole
 * block, nor check the zlib and gzip checksums, so `end()` checks completeness with these and
 * with the trailer (RFC 1950 §2.2 Adler-32; RFC 1952 §2.3.1 CRC-32 and ISIZE).
 */
interface InflateState {
  s?: { f?: number; l?: unknown };
}

// DEFLATE's best case is about 1032:1 (RFC 1951 length 258 per ~2 bits). Input is fed in slices
// so that one slice can never inflate to much more than the cap before the cap is checked.
const MAX_RATIO = 1032;
const MIN_SLICE = 64;
const MAX_SLICE = 16 * 1024;

/**
 * Streaming decoder for a `Content-Encoding: deflate` (zlib, RFC 1950) or `gzip` (RFC 1952, one
 * or more members) body, built on fflate's `Unzlib` / `Gunzip` / `Inflate`.
 *
 * `maxOutputBytes` caps the bytes one `push()` or `end()` call may return: compressed data can
 * inflate about 1000-fold, so a small request could otherwise fill the memory (a zip bomb). The
 * cap is checked while inflating (input is fed to fflate in slices), so memory stays within about
 * the cap plus one slice's worth. Size the cap for the most frames one socket read can legitimately
 * carry. Outputs are fresh arrays owned by the caller.
 *
 * Real-client quirk: some senders label raw DEFLATE (RFC 1951, no zlib header) as `deflate`; as
 * browsers do, a body whose first two bytes are not a zlib header is inflated as raw DEFLATE.
 */
export class Decompressor {
  readonly #encoding: "deflate" | "gzip";
  readonly #maxOutputBytes: number;
  readonly #slice: number;
  #stream: FflateStream | undefined;
  #head: Uint8Array = new Uint8Array(0); // deflate: first byte, until the second tells zlib/raw
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #ended = false;
  #seenInput = false;
  #format: "zlib" | "raw" | "gzip" | undefined;
  #tail = new Uint8Array(8); // the last 8 input bytes: the zlib or gzip trailer at the end
  #inputBytes = 0;
  #adlerA = 1; // RFC 1950 §8.2 Adler-32 of the output
  #adlerB = 0;
  #crc = ~0; // RFC 1952 §8 CRC-32 of the current gzip member's output
  #memberBytes = 0;
  #error: IngestError | undefined;

  /**
   * Creates a decoder for one body.
   *
   * @param encoding The Content-Encoding: "deflate" (zlib) or "gzip".
   * @param maxOutputBytes Most bytes one `push()` or `end()` may produce; more is a 413.
   * @throws {RangeError} for another encoding or a cap that is not a positive integer; `Error`
   * before {@link loadInflate} has finished.
   */
  constructor(encoding: "deflate" | "gzip", maxOutputBytes: number) {
    if (encoding !== "deflate" && encoding !== "gzip") {
      throw new RangeError(`unsupported encoding ${String(encoding)}`);
    }
    if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes <= 0) {
      throw new RangeError(`maxOutputBytes must be a positive integer, got ${maxOutputBytes}`);
    }
    this.#encoding = encoding;
    this.#maxOutputBytes = maxOutputBytes;
    this.#slice = Math.max(MIN_SLICE, Math.min(MAX_SLICE, Math.floor(maxOutputBytes / MAX_RATIO)));
    const { Gunzip } = fflate();
    if (encoding === "gzip") {
      this.#format = "gzip";
      this.#stream = this.#wire(new Gunzip());
      this.#stream.onmember = () => {
        this.#crc = ~0;
        this.#memberBytes = 0;
      };
    }
  }

  /**
   * Feeds the next compressed bytes.
   *
   * @param bytes Any chunk of the body; never modified or retained.
   * @returns The decompressed bytes these made available (possibly none).
   * @throws {IngestError} 413 when the output of this call passes the cap, 400 for corrupt data
   * or data after `end()`.
   */
  push(bytes: Uint8Array): Uint8Array[] {
    this.#check();
    if (bytes.length === 0) return [];
    this.#seenInput = true;
    let input = bytes;
    if (!this.#stream) {
      // RFC 1950 §2.2: CM = 8, CINFO <= 7, and CMF*256 + FLG a multiple of 31.
      const head = concat(this.#head, bytes.subarray(0, 2 - this.#head.length));
      if (head.length < 2) {
        this.#head = head;
        return [];
      }
      const isZlib = (head[0] & 0x0f) === 8 && head[0] >> 4 <= 7 &&
        ((head[0] << 8) | head[1]) % 31 === 0;
      this.#format = isZlib ? "zlib" : "raw";
      const { Inflate, Unzlib } = fflate();
      this.#stream = this.#wire(isZlib ? new Unzlib() : new Inflate());
      input = concat(this.#head, bytes);
      this.#head = new Uint8Array(0);
    }
    return this.#run(input, false);
  }

  /**
   * The body ended: flushes the rest and checks that the compressed stream was complete.
   *
   * @returns The last decompressed bytes.
   * @throws {IngestError} 400 when the compressed stream is truncated or corrupt, 413 as `push`.
   */
  end(): Uint8Array[] {
    this.#check();
    this.#ended = true;
    if (!this.#seenInput) return []; // an empty body carries no frames
    if (!this.#stream) {
      throw this.#fail(new IngestError(400, `the ${this.#encoding} body is truncated`));
    }
    const stream = this.#stream;
    const out = this.#run(new Uint8Array(0), true);
    // Gunzip resets its state after each member, so gzip relies on the trailer alone.
    const state = this.#format === "gzip" ? undefined : (stream as InflateState).s;
    if (!this.#trailerMatches() || (state !== undefined && !(state.f && !state.l))) {
      throw this.#fail(
        new IngestError(400, `the ${this.#encoding} body is truncated or corrupt`),
      );
    }
    return out;
  }

  #trailerMatches(): boolean {
    const t = this.#tail;
    if (this.#format === "zlib") {
      if (this.#inputBytes < 6) return false;
      const adler = ((this.#adlerB << 16) | this.#adlerA) >>> 0;
      return ((t[4] << 24) | (t[5] << 16) | (t[6] << 8) | t[7]) >>> 0 === adler;
    }
    if (this.#format === "gzip") {
      if (this.#inputBytes < 18) return false;
      const crc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
      const size = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
      return crc === (~this.#crc >>> 0) && size === this.#memberBytes % 0x1_0000_0000;
    }
    return true;
  }

  #check(): void {
    if (this.#error) throw this.#error;
    if (this.#ended) {
      throw this.#fail(new IngestError(400, `data after the end of the ${this.#encoding} body`));
    }
  }

  #wire<T extends FflateStream>(stream: T): T {
    stream.ondata = (data: Uint8Array) => {
      if (data.length === 0) return;
      this.#out.push(data);
      this.#outBytes += data.length;
      if (this.#format === "zlib") this.#adler(data);
      else if (this.#format === "gzip") {
        this.#crc = crc32(this.#crc, data);
        this.#memberBytes += data.length;
      }
    };
    return stream;
  }

  // RFC 1950 §8.2, reducing modulo 65521 only every 5552 bytes (the largest safe run).
  #adler(data: Uint8Array): void {
    let a = this.#adlerA;
    let b = this.#adlerB;
    for (let i = 0; i < data.length;) {
      const end = Math.min(data.length, i + 5552);
      for (; i < end; i++) {
        a += data[i];
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.#adlerA = a;
    this.#adlerB = b;
  }

  #keepTail(input: Uint8Array): void {
    this.#inputBytes += input.length;
    if (input.length >= 8) this.#tail.set(input.subarray(input.length - 8));
    else if (input.length > 0) {
      this.#tail.copyWithin(0, input.length);
      this.#tail.set(input, 8 - input.length);
    }
  }

  #run(input: Uint8Array, final: boolean): Uint8Array[] {
    const stream = this.#stream!;
    this.#keepTail(input);
    try {
      // Slices are copies: fflate may keep a reference to its input until the next push.
      for (let i = 0; i < input.length; i += this.#slice) {
        const last = final && i + this.#slice >= input.length;
        stream.push(input.slice(i, i + this.#slice), last);
        this.#checkCap();
      }
      if (final && input.length === 0) stream.push(new Uint8Array(0), true);
      this.#checkCap();
    } catch (e) {
      if (e instanceof IngestError) throw this.#fail(e);
      const why = e instanceof Error ? e.message : String(e);
      throw this.#fail(new IngestError(400, `corrupt ${this.#encoding} body: ${why.slice(0, 80)}`));
    }
    const out = this.#out;
    this.#out = [];
    this.#outBytes = 0;
    return out;
  }

  #checkCap(): void {
    if (this.#outBytes > this.#maxOutputBytes) {
      throw new IngestError(
        413,
        `the ${this.#encoding} body inflates to more than ${this.#maxOutputBytes} bytes at once`,
      );
    }
  }

  #fail(error: IngestError): IngestError {
    this.#error = error;
    this.#out = [];
    this.#outBytes = 0;
    this.#stream = undefined;
    return error;
  }
}

/**
 * The CRC-32 table, made at the first gzip body: made with the module, its 2,048-step loop was
 * the one piece of an idle server's start-up that the JIT's optimizing tier compiled, paging in
 * about 2 MB of that compiler's code.
 */
let crcTable: Uint32Array | undefined;

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

// RFC 1952 §8: CRC-32 update (the register starts at ~0 and is inverted at the end).
function crc32(crc: number, data: Uint8Array): number {
  const table = crcTable ??= makeCrcTable();
  let c = crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return c;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
