/**
 * JPEG headers without decoding (ITU-T T.81 Annex B): walks the marker segments from SOI to the
 * first SOS and reports the frame (size, components, sampling factors, coding process), the
 * quantisation tables and restart interval, and where the entropy-coded data starts — what an
 * MJPEG source needs to check a frame, and what RFC 2435 packetisation needs from it. Pure: bytes
 * in, values out; never reads past the input, never mutates it, throws only {@link JpegError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegError, probeJpeg } from "./jpeg.ts";
 *
 * // SOI, SOF0 (8-bit, 16x8, one component 1x1 with table 0), SOS
 * const jpeg = new Uint8Array([
 *   0xff, 0xd8,
 *   0xff, 0xc0, 0, 11, 8, 0, 8, 0, 16, 1, 1, 0x11, 0,
 *   0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0,
 * ]);
 * const info = probeJpeg(jpeg);
 * assert.equal(info.width, 16);
 * assert.equal(info.height, 8);
 * assert.equal(info.subsampling, "gray");
 * assert.equal(info.scanOffset, jpeg.length);
 * assert.throws(() => probeJpeg(jpeg.subarray(0, 6)), JpegError);
 * ```
 *
 * @module
 */

/** What went wrong, for callers that react differently (e.g. recreate an encoder on a new size). */
export type JpegErrorCode =
  | "truncated" // the bytes end before the information needed
  | "invalid" // not a JPEG, or a corrupt one
  | "unsupported" // a valid JPEG this program does not handle
  | "too-large" // a side above the decoder's limit
  | "too-small" // a side below 2 pixels
  | "size-mismatch" // a frame whose size differs from the encoder's
  | "memory"; // out of WebAssembly memory

/** A JPEG that cannot be read or used; `code` says why. */
export class JpegError extends Error {
  /** The kind of failure. */
  readonly code: JpegErrorCode;
  /** Wraps a message. */
  constructor(code: JpegErrorCode, message: string) {
    super(message);
    this.name = "JpegError";
    this.code = code;
  }
}

/** One component of the frame header (T.81 §B.2.2). */
export interface JpegComponent {
  /** Component identifier Ci (1, 2, 3 for JFIF's Y, Cb, Cr). */
  id: number;
  /** Horizontal sampling factor Hi, 1..4. */
  h: number;
  /** Vertical sampling factor Vi, 1..4. */
  v: number;
  /** Quantisation table selector Tqi, 0..3. */
  quantTable: number;
}

/** One quantisation table (T.81 §B.2.4.1), as defined before the first scan. */
export interface JpegQuantTable {
  /** Destination identifier Tq, 0..3. */
  id: number;
  /** Element precision in bits: 8 or 16. */
  precision: 8 | 16;
  /** The 64 elements in zig-zag order, as stored (RFC 2435 §3.1.8 sends them so). */
  values: Uint16Array;
}

/** The coding process named by the SOF marker (T.81 Table B.1). */
export type JpegProcess = "baseline" | "extended" | "progressive" | "lossless";

/** Chroma layout relative to the first component, by the usual names. */
export type JpegSubsampling = "gray" | "4:2:0" | "4:2:2" | "4:4:0" | "4:4:4" | "4:1:1" | "other";

/** What {@link probeJpeg} found. */
export interface JpegInfo {
  /** Width in pixels (X). */
  width: number;
  /** Height in pixels (Y). */
  height: number;
  /** Sample precision P in bits (8 for every webcam). */
  precision: number;
  /** The SOF marker's second byte (0xc0 baseline, 0xc1 extended, 0xc2 progressive, ...). */
  sof: number;
  /** The coding process. */
  process: JpegProcess;
  /** Whether the SOF marker is one of the arithmetic-coding ones (0xc9..0xcf). */
  arithmetic: boolean;
  /** Whether the SOF marker is a differential (hierarchical) one. */
  differential: boolean;
  /** Frame components in header order. */
  components: JpegComponent[];
  /** Chroma layout (greyscale for one component). */
  subsampling: JpegSubsampling;
  /** Quantisation tables defined before the first scan, by id (later definitions win). */
  quantTables: JpegQuantTable[];
  /** Whether a DHT segment came before the first scan (UVC MJPEG frames often omit it, relying on
   * the standard tables of T.81 §K.3). */
  huffmanTables: boolean;
  /** Restart interval Ri in MCUs from DRI, 0 when there is none. */
  restartInterval: number;
  /** Adobe APP14 colour transform (0 none/RGB or CMYK, 1 YCbCr, 2 YCCK), if present. */
  adobeTransform?: number;
  /** Whether a JFIF APP0 segment is present. */
  jfif: boolean;
  /** Offset of the first entropy-coded byte after the first SOS header; undefined when the input
   * ends before one. */
  scanOffset?: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DRI = 0xdd;
const DHT = 0xc4;
const APP0 = 0xe0;
const APP14 = 0xee;

/** SOF markers: 0xc0..0xcf except DHT (0xc4), JPG (0xc8) and DAC (0xcc). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc;
}

/** T.81 §B.1.1.3: markers without a length (RSTn, SOI, EOI, TEM). */
function isStandalone(marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd9) || marker === 0x01;
}

function processOf(marker: number): JpegProcess {
  switch (marker & 0x03) {
    case 0:
      return marker === 0xc0 ? "baseline" : "extended";
    case 1:
      return "extended";
    case 2:
      return "progressive";
    default:
      return "lossless";
  }
}

function subsamplingOf(components: JpegComponent[]): JpegSubsampling {
  if (components.length === 1) return "gray";
  if (components.length !== 3) return "other";
  const [y, cb, cr] = components;
  if (cb.h !== cr.h || cb.v !== cr.v) return "other";
  if (y.h % cb.h !== 0 || y.v % cb.v !== 0) return "other";
  const key = `${y.h / cb.h}x${y.v / cb.v}`;
  const names: Record<string, JpegSubsampling> = {
    "1x1": "4:4:4",
    "2x1": "4:2:2",
    "2x2": "4:2:0",
    "1x2": "4:4:0",
    "4x1": "4:1:1",
  };
  return names[key] ?? "other";
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function invalid(message: string): JpegError {
  return new JpegError("invalid", message);
}

function truncated(what: string): JpegError {
  return new JpegError("truncated", `the JPEG ends ${what}`);
}

interface Frame {
  sof: number;
  precision: number;
  width: number;
  height: number;
  components: JpegComponent[];
}

/** T.81 §B.2.2 frame header; `body` is the segment after its length field. */
function parseSof(marker: number, body: Uint8Array): Frame {
  if (body.length < 6) throw invalid(`SOF segment of ${body.length + 2} bytes is too short`);
  const precision = body[0];
  const height = u16(body, 1);
  const width = u16(body, 3);
  const count = body[5];
  if (count === 0) throw invalid("SOF declares no components");
  if (body.length !== 6 + 3 * count) {
    throw invalid(`SOF length ${body.length + 2} does not match its ${count} components`);
  }
  if (width === 0) throw invalid("SOF declares a width of 0");
  if (height === 0) {
    // T.81 §B.2.5: the height then comes in a DNL segment after the first scan; no camera does it.
    throw new JpegError("unsupported", "the height is defined by a DNL segment (SOF says 0)");
  }
  const components: JpegComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + 3 * i;
    const h = body[at + 1] >> 4, v = body[at + 1] & 0x0f;
    if (h < 1 || h > 4 || v < 1 || v > 4) {
      throw invalid(`component ${body[at]} has sampling factors ${h}x${v} (1..4 allowed)`);
    }
    components.push({ id: body[at], h, v, quantTable: body[at + 2] });
  }
  return { sof: marker, precision, width, height, components };
}

/** T.81 §B.2.4.1: one DQT segment may define several tables. */
function parseDqt(body: Uint8Array, tables: Map<number, JpegQuantTable>): void {
  let at = 0;
  while (at < body.length) {
    const pq = body[at] >> 4, id = body[at] & 0x0f;
    if (pq > 1 || id > 3) throw invalid(`DQT table ${id} with precision code ${pq}`);
    const size = pq === 0 ? 64 : 128;
    if (at + 1 + size > body.length) throw invalid("DQT segment shorter than its tables");
    const values = new Uint16Array(64);
    for (let i = 0; i < 64; i++) {
      values[i] = pq === 0 ? body[at + 1 + i] : u16(body, at + 1 + 2 * i);
    }
    tables.set(id, { id, precision: pq === 0 ? 8 : 16, values });
    at += 1 + size;
  }
}

function startsWith(body: Uint8Array, text: string): boolean {
  if (body.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (body[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads a JPEG's headers up to the first scan. Throws {@link JpegError}: "truncated" when the
 * bytes end before the frame header, "invalid" for a bad structure, "unsupported" for a height
 * given by DNL. Everything after the SOF is optional: the result then has no `scanOffset`.
 */
export function probeJpeg(bytes: Uint8Array): JpegInfo {
  if (bytes.length < 2) throw truncated("before its SOI marker");
  if (bytes[0] !== 0xff || bytes[1] !== SOI) {
    throw invalid(`not a JPEG: starts with 0x${hex(bytes[0])} 0x${hex(bytes[1])}, not SOI`);
  }
  const tables = new Map<number, JpegQuantTable>();
  let frame: Frame | undefined;
  let huffmanTables = false;
  let restartInterval = 0;
  let adobeTransform: number | undefined;
  let jfif = false;
  let scanOffset: number | undefined;
  let at = 2;
  for (;;) {
    // T.81 §B.1.1.2: any number of 0xff fill bytes may precede a marker.
    if (at >= bytes.length) break;
    if (bytes[at] !== 0xff) {
      throw invalid(`expected a marker at byte ${at}, found 0x${hex(bytes[at])}`);
    }
    while (at < bytes.length && bytes[at] === 0xff) at++;
    if (at >= bytes.length) break;
    const marker = bytes[at++];
    if (marker === 0x00) throw invalid(`stuffed 0xff00 outside entropy-coded data at ${at - 2}`);
    if (marker === EOI) throw invalid(frame ? "EOI before any scan" : "EOI before the frame");
    if (marker === SOI) throw invalid(`a second SOI at byte ${at - 2}`);
    if (isStandalone(marker)) continue; // RSTn/TEM between segments: tolerated, carry nothing
    if (at + 2 > bytes.length) break;
    const length = u16(bytes, at);
    if (length < 2) throw invalid(`segment 0xff${hex(marker)} has length ${length}`);
    if (at + length > bytes.length) break;
    const body = bytes.subarray(at + 2, at + length);
    at += length;
    if (isSof(marker)) {
      if (frame) throw invalid("a second SOF segment");
      frame = parseSof(marker, body);
    } else if (marker === DQT) {
      parseDqt(body, tables);
    } else if (marker === DHT) {
      huffmanTables = true;
    } else if (marker === DRI) {
      if (body.length !== 2) throw invalid(`DRI segment of ${length} bytes (4 expected)`);
      restartInterval = u16(body, 0);
    } else if (marker === APP0 && startsWith(body, "JFIF\0")) {
      jfif = true;
    } else if (marker === APP14 && startsWith(body, "Adobe") && body.length >= 12) {
      adobeTransform = body[11];
    } else if (marker === SOS) {
      if (!frame) throw invalid("SOS before the frame header");
      const count = body[0] ?? 0;
      if (count < 1 || count > 4 || body.length !== 4 + 2 * count) {
        throw invalid(`SOS length ${length} does not match its ${count} components`);
      }
      scanOffset = at;
      break;
    }
  }
  if (!frame) throw truncated("before its frame header (SOF)");
  return {
    width: frame.width,
    height: frame.height,
    precision: frame.precision,
    sof: frame.sof,
    process: processOf(frame.sof),
    arithmetic: frame.sof >= 0xc9,
    differential: (frame.sof & 0x04) !== 0,
    components: frame.components,
    subsampling: subsamplingOf(frame.components),
    quantTables: [...tables.values()].sort((a, b) => a.id - b.id),
    huffmanTables,
    restartInterval,
    adobeTransform,
    jfif,
    scanOffset,
  };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/**
 * The JPEGs of a concatenated MJPEG stream (ffmpeg's `-f mjpeg`, a camera dump): each starts at an
 * SOI followed by a marker (FF D8 FF), which cannot occur inside entropy-coded data (ITU-T T.81
 * §B.1.1.5: an FF there is always stuffed with 00). Views of `bytes`, no copies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitJpegs } from "./jpeg.ts";
 *
 * const two = new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0xff, 0xd8, 0xff, 0xd9]);
 * assert.deepEqual(splitJpegs(two).map((j) => j.length), [4, 4]);
 * ```
 */
export function splitJpegs(bytes: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd8 && bytes[i + 2] === 0xff) starts.push(i);
  }
  return starts.map((s, k) => bytes.subarray(s, starts[k + 1] ?? bytes.length));
}
