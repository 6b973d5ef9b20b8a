/**
 * RTP/JPEG packets → JPEG pictures (RFC 2435), for RECORD ingest and tests. The JPEG headers that
 * RTP leaves out are rebuilt as RFC 2435 Appendix B does: JFIF APP0, DRI for types 64 to 127, DQT
 * from the in-band tables (Q 128 to 255, §3.1.8) or from the Q factor (Q 1 to 99, §4.2 and
 * Appendix A), the standard Huffman tables of T.81 Annex K.3, SOF0 and one interleaved SOS.
 *
 * A picture is emitted only when every fragment arrived: fragment offsets must follow each other
 * from 0 with no gap (§3.1.2), so a lost packet drops its picture instead of emitting a corrupt one.
 * Memory is bounded by `maxFrameSize` (HARDENING item 17).
 *
 * @module
 */

import type { RtpPacket } from "./header.ts";
import { qualityQuantTables, STANDARD_HUFFMAN_TABLES } from "./jpeg_tables.ts";
import { PacketOrder } from "./sequence.ts";

/** One reassembled picture. */
export interface JpegFrameOut {
  /** The whole JPEG, SOI to EOI. Owned (not a view of any packet). */
  jpeg: Uint8Array;
  /** RTP timestamp shared by the picture's packets. */
  timestamp: number;
  /** Width in pixels written in the SOF: the header's width × 8, or the exact one from options. */
  width: number;
  /** Height in pixels written in the SOF. */
  height: number;
  /** RFC 2435 type of the picture (0 or 1, plus 64 with restart markers). */
  type: number;
}

/** Options of {@link JpegDepacketizer}. */
export interface JpegDepacketizerOptions {
  /** Largest picture accepted, in bytes, 1024 to 2^30; default 8 MiB. */
  maxFrameSize?: number;
  /**
   * Exact picture width, e.g. from the SDP's `a=x-dimensions` or `a=framesize`: RTP/JPEG only
   * carries it rounded up to a multiple of 8. Used when it rounds to the packets' width.
   */
  width?: number;
  /** Exact picture height; see {@link JpegDepacketizerOptions.width}. */
  height?: number;
}

const INITIAL_CAPACITY = 16384;
const MAX_QUANT_TABLES = 4;

interface QuantTable {
  precision: 0 | 1;
  values: Uint8Array;
}

/**
 * Reassembles JPEG pictures from the packets of one RTP/JPEG stream. Types 0 and 1 and their
 * restart-marker forms 64 and 65 are handled; other types, reserved Q values, and packets too
 * short for their headers drop the picture they belong to and are counted. Never throws for any
 * packet.
 *
 * A picture ends with the marker bit (§3.1). A sender that forgets it is tolerated: when the
 * timestamp changes with no packet missing, the open picture is emitted. `push()` returns at most
 * one picture; a second one completed by the same packet comes from the next `push()` or `flush()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegDepacketizer } from "./jpeg_depacketizer.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const packet = (sequenceNumber: number, marker: boolean, payload: number[]): RtpPacket => ({
 *   marker, payloadType: 26, sequenceNumber, timestamp: 3000, ssrc: 1, csrc: [],
 *   payload: new Uint8Array(payload), paddingBytes: 0,
 * });
 * const depacketizer = new JpegDepacketizer();
 * // offset 0, type 1, Q 50, 16x16 pixels; then offset 2 with the end of the scan
 * assert.equal(depacketizer.push(packet(1, false, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa, 0xbb])), undefined);
 * const frame = depacketizer.push(packet(2, true, [0, 0, 0, 2, 1, 50, 2, 2, 0xcc]))!;
 * assert.equal(frame.width, 16);
 * assert.deepEqual([...frame.jpeg.subarray(-5)], [0xaa, 0xbb, 0xcc, 0xff, 0xd9]);
 * ```
 */
export class JpegDepacketizer {
  readonly #maxFrameSize: number;
  readonly #width: number | undefined;
  readonly #height: number | undefined;
  #dropped = 0;
  #droppedFrames = 0;
  #order = new PacketOrder();
  #ready: JpegFrameOut[] = [];
  // §3.1.8: tables sent once for a Q of 128 to 254 stay valid for that Q.
  #tableCache = new Map<number, QuantTable[]>();

  // The open picture: headers then scan bytes in #buffer.
  #open = false;
  #started = false;
  #broken = false;
  #timestamp = 0;
  #packets = 0;
  #type = 0;
  #widthBlocks = 0;
  #heightBlocks = 0;
  #buffer = new Uint8Array(0);
  #length = 0;
  #headerLength = 0;
  #sizeHint = INITIAL_CAPACITY;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: JpegDepacketizerOptions = {}) {
    const cap = opts.maxFrameSize ?? 8 * 1024 * 1024;
    if (!Number.isInteger(cap) || cap < 1024 || cap > 2 ** 30) {
      throw new RangeError(`maxFrameSize must be an integer from 1024 to 1073741824, got ${cap}`);
    }
    this.#maxFrameSize = cap;
    for (const [name, side] of [["width", opts.width], ["height", opts.height]] as const) {
      if (side !== undefined && !(Number.isInteger(side) && side >= 1 && side <= 2040)) {
        throw new RangeError(`${name} must be an integer from 1 to 2040, got ${side}`);
      }
    }
    this.#width = opts.width;
    this.#height = opts.height;
  }

  /** Packets that went into no emitted picture: malformed, late, duplicated, or of a dropped one. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Pictures dropped because a fragment was missing or a packet made no sense. */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  /**
   * Takes one RTP packet of the stream (its payload may be a transient view: everything kept is
   * copied). Returns a completed picture, or `undefined` when more packets are needed.
   */
  push(packet: RtpPacket): JpegFrameOut | undefined {
    const arrival = this.#order.arrive(packet.sequenceNumber);
    if (arrival === "late") {
      this.#dropped++; // late or duplicate: no reordering here (RECORD runs over TCP)
      return this.#ready.shift();
    }
    const gap = arrival === "gap";
    if (this.#open && packet.timestamp !== this.#timestamp) {
      // A new picture without the marker on the last one: lost, unless no packet is missing.
      if (gap) this.#broken = true;
      this.#finish();
    }
    if (!this.#open) {
      this.#open = true;
      this.#timestamp = packet.timestamp;
    }
    // Missing packets of the open picture; a new picture's own start is checked by its offsets.
    if (gap && this.#packets > 0) this.#broken = true;
    this.#packets++;
    this.#add(packet.payload);
    if (packet.marker) this.#finish();
    return this.#ready.shift();
  }

  /** Ends the stream: returns what is still held and resets the sequence tracking. */
  flush(): JpegFrameOut[] {
    if (this.#open) this.#finish();
    this.#order.reset();
    return this.#ready.splice(0);
  }

  #finish(): void {
    if (!this.#broken && this.#started && this.#length > this.#headerLength) {
      this.#emit();
    } else if (this.#packets > 0) {
      this.#dropped += this.#packets;
      this.#droppedFrames++;
    }
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    this.#headerLength = 0;
    this.#packets = 0;
    this.#open = false;
    this.#started = false;
    this.#broken = false;
  }

  #emit(): void {
    const buf = this.#buffer;
    let length = this.#length;
    // §3.1: the payload stops before EOI, but some senders keep it; never write it twice.
    if (!(buf[length - 2] === 0xff && buf[length - 1] === 0xd9)) {
      if (this.#reserve(2) < 0) return this.#drop();
      this.#buffer[length++] = 0xff;
      this.#buffer[length++] = 0xd9;
    }
    const full = this.#buffer;
    // Consumers may keep pictures a while: do not pin a buffer far too big.
    const jpeg = full.length > 2 * length ? full.slice(0, length) : full.subarray(0, length);
    this.#ready.push({
      jpeg,
      timestamp: this.#timestamp,
      width: this.#side(this.#width, this.#widthBlocks),
      height: this.#side(this.#height, this.#heightBlocks),
      type: this.#type,
    });
    this.#sizeHint = Math.max(INITIAL_CAPACITY, length);
  }

  #drop(): void {
    this.#dropped += this.#packets;
    this.#droppedFrames++;
  }

  #side(exact: number | undefined, blocks: number): number {
    return exact !== undefined && Math.ceil(exact / 8) === blocks ? exact : blocks * 8;
  }

  /** Marks the open picture as lost; its packets are counted when it closes. */
  #break(): void {
    this.#broken = true;
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
  }

  /** Interprets one payload into the open picture. */
  #add(payload: Uint8Array): void {
    if (this.#broken) return;
    // §3.1: type-specific, 24-bit fragment offset, type, Q, width/8, height/8.
    if (payload.length < 8) return this.#break();
    const offset = (payload[1] << 16) | (payload[2] << 8) | payload[3];
    const type = payload[4], q = payload[5], w = payload[6], h = payload[7];
    let at = 8;
    // §3.1.3: types 128 to 255 are dynamic (nothing negotiates them here); 2 to 63 are reserved.
    if (type >= 128 || (type & 0x3f) > 1) return this.#break();
    let restartInterval = 0;
    if (type >= 64) {
      // §3.1.7: restart interval, F, L and count; whole pictures only, so only the interval matters.
      if (payload.length < at + 4) return this.#break();
      restartInterval = (payload[at] << 8) | payload[at + 1];
      at += 4;
    }
    if (offset === 0) {
      if (this.#started) {
        // A second start: the previous picture of this timestamp lost its end.
        this.#broken = true;
        this.#packets--;
        this.#finish();
        this.#open = true;
        this.#packets = 1;
      }
      const parsed = this.#quantTables(payload, at, q);
      if (parsed === undefined || w === 0 || h === 0) return this.#break();
      at = parsed.at;
      this.#type = type;
      this.#widthBlocks = w;
      this.#heightBlocks = h;
      const header = buildHeaders(
        type,
        this.#side(this.#width, w),
        this.#side(this.#height, h),
        parsed.tables,
        restartInterval,
      );
      if (this.#reserve(header.length) < 0) return;
      this.#buffer.set(header, 0);
      this.#length = this.#headerLength = header.length;
      this.#started = true;
    } else if (
      !this.#started || offset !== this.#length - this.#headerLength || type !== this.#type ||
      w !== this.#widthBlocks || h !== this.#heightBlocks
    ) {
      // §3.1.2: a fragment whose offset is not where the last one ended: some are missing.
      return this.#break();
    }
    const data = payload.subarray(at);
    const where = this.#reserve(data.length);
    if (where < 0) return;
    this.#buffer.set(data, where);
    this.#length = where + data.length;
  }

  /** §3.1.8 (Q 128..255) or §4.2 (Q 1..99): the picture's tables, and where its data starts. */
  #quantTables(
    payload: Uint8Array,
    at: number,
    q: number,
  ): { tables: QuantTable[]; at: number } | undefined {
    if (q < 128) {
      if (q === 0 || q > 99) return undefined; // reserved (§3.1.4)
      const both = qualityQuantTables(q);
      return {
        tables: [
          { precision: 0, values: both.subarray(0, 64) },
          { precision: 0, values: both.subarray(64) },
        ],
        at,
      };
    }
    if (payload.length < at + 4) return undefined;
    const precision = payload[at + 1];
    const length = (payload[at + 2] << 8) | payload[at + 3];
    at += 4;
    if (length === 0) {
      // Q 255 must send tables in every frame; 128..254 may rely on earlier ones.
      const cached = q === 255 ? undefined : this.#tableCache.get(q);
      return cached && { tables: cached, at };
    }
    if (payload.length < at + length) return undefined;
    const tables: QuantTable[] = [];
    let used = 0;
    while (used < length) {
      if (tables.length === MAX_QUANT_TABLES) return undefined;
      const wide = ((precision >> tables.length) & 1) as 0 | 1;
      const size = wide ? 128 : 64;
      if (used + size > length) return undefined;
      tables.push({ precision: wide, values: payload.slice(at + used, at + used + size) });
      used += size;
    }
    if (q < 255) this.#tableCache.set(q, tables);
    return { tables, at: at + length };
  }

  /** Makes room for `n` more bytes; returns where they go, or -1 after dropping on the cap. */
  #reserve(n: number): number {
    const at = this.#length;
    const need = at + n;
    if (need > this.#maxFrameSize) {
      this.#break();
      return -1;
    }
    if (need > this.#buffer.length) {
      const size = Math.min(
        this.#maxFrameSize,
        Math.max(need, this.#buffer.length * 2, this.#sizeHint),
      );
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, at));
      this.#buffer = grown;
    }
    return at;
  }
}

const JFIF_APP0 = [
  0xff,
  0xe0,
  0,
  16,
  0x4a,
  0x46,
  0x49,
  0x46,
  0,
  1,
  1,
  0,
  0,
  1,
  0,
  1,
  0,
  0,
];

/**
 * RFC 2435 Appendix B's MakeHeaders: the JPEG headers for one picture. Luma uses quantization
 * table 0 and Huffman tables 0; both chroma components use table 1 (table 0 when only one was sent,
 * as ffmpeg's rtpdec_jpeg does).
 */
function buildHeaders(
  type: number,
  width: number,
  height: number,
  tables: QuantTable[],
  restartInterval: number,
): Uint8Array {
  const out: number[] = [0xff, 0xd8, ...JFIF_APP0];
  if (restartInterval > 0) {
    out.push(0xff, 0xdd, 0, 4, restartInterval >> 8, restartInterval & 0xff);
  }
  let dqt = 2;
  for (const t of tables) dqt += 1 + t.values.length;
  out.push(0xff, 0xdb, dqt >> 8, dqt & 0xff);
  for (const [id, t] of tables.entries()) out.push((t.precision << 4) | id, ...t.values);
  let dht = 2;
  for (const t of STANDARD_HUFFMAN_TABLES) dht += 17 + t.symbols.length;
  out.push(0xff, 0xc4, dht >> 8, dht & 0xff);
  for (const t of STANDARD_HUFFMAN_TABLES) {
    out.push((t.tableClass << 4) | t.id, ...t.counts, ...t.symbols);
  }
  // 16-bit tables need the extended process's SOF1; the scan is the same.
  const sof = tables.some((t) => t.precision === 1) ? 0xc1 : 0xc0;
  const chroma = tables.length > 1 ? 1 : 0;
  const luma = (type & 0x3f) === 0 ? 0x21 : 0x22; // §3.1.3: type 0 is Y 2x1, type 1 is Y 2x2
  out.push(0xff, sof, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3);
  out.push(1, luma, 0, 2, 0x11, chroma, 3, 0x11, chroma);
  out.push(0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0);
  return Uint8Array.from(out);
}
