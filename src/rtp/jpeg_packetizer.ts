/**
 * JPEG pictures → RTP packets (RFC 2435). A JPEG is checked once ({@link prepareRtpJpeg}): RFC
 * 2435 can only describe a baseline, 3-component YCbCr picture with Y sampled 2x1 (type 0) or 2x2
 * (type 1) and 1x1 chroma, coded with the standard Huffman tables, at most 2040 pixels a side.
 * Anything else is refused with a {@link JpegRtpError} saying why, never sent broken.
 *
 * Each packet carries the 8-byte main JPEG header (§3.1), the restart marker header (§3.1.7) when
 * the JPEG has a restart interval, and, in the first packet only, the quantization table header
 * (§3.1.8) with the JPEG's own tables (Q = 255). The payload is the entropy-coded scan, cut at any
 * byte (the fragment offset says where each piece goes).
 *
 * @module
 */

import { JpegError, type JpegInfo, probeJpeg } from "../codec/jpeg.ts";
import { RTP_HEADER_SIZE, writeRtpHeader } from "./header.ts";
import { isStandardHuffmanTable } from "./jpeg_tables.ts";
import { INTERLEAVED_HEADER_SIZE, PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/** RFC 3551 §6: the static payload type of JPEG. */
export const JPEG_PAYLOAD_TYPE = 26;

/** A JPEG that RFC 2435 cannot carry, or not a JPEG at all; the message says which and why. */
export class JpegRtpError extends Error {
  /** Wraps a message. */
  constructor(message: string) {
    super(message);
    this.name = "JpegRtpError";
  }
}

/** What {@link prepareRtpJpeg} found: everything packetizing needs, with views of the input. */
export interface RtpJpeg {
  /** RFC 2435 §3.1.3 type: 0 (4:2:2) or 1 (4:2:0), plus 64 with a restart interval. */
  type: number;
  /** Width in pixels, as the JPEG says (the RTP header rounds it up to a multiple of 8). */
  width: number;
  /** Height in pixels, as the JPEG says. */
  height: number;
  /** Restart interval in MCUs (T.81 DRI), 0 without one. */
  restartInterval: number;
  /** Luma then chroma quantization table, 64 bytes each in zig-zag order (§3.1.8). */
  quantTables: Uint8Array;
  /** The entropy-coded scan: after the SOS header, up to but not including EOI. A view. */
  scan: Uint8Array;
}

/** RFC 2435 §3.1.5/6: sizes travel in 8-pixel blocks in one byte. */
export const MAX_RTP_JPEG_SIDE = 2040;

// §3.1.1: the fragment offset is 24 bits.
const MAX_SCAN_BYTES = 0xffffff;
const MAIN_HEADER_SIZE = 8;
const RESTART_HEADER_SIZE = 4;
const QUANT_HEADER_SIZE = 4;
const QUANT_BYTES = 128;
const SOS = 0xda;
const DHT = 0xc4;
const EOI = 0xd9;

/** Smallest `maxPayloadSize`: the first packet must hold every header and some data. */
export const MIN_JPEG_PAYLOAD_SIZE: number = MAIN_HEADER_SIZE + RESTART_HEADER_SIZE +
  QUANT_HEADER_SIZE +
  QUANT_BYTES + 16;

function refuse(message: string): never {
  throw new JpegRtpError(message);
}

function samplingText(info: JpegInfo): string {
  return info.components.map((c) => `${c.h}x${c.v}`).join(", ");
}

/**
 * Checks a JPEG against what RFC 2435 can carry and finds its parts. Throws {@link JpegRtpError}
 * for a broken JPEG or one that cannot be sent; the input is never modified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegRtpError, prepareRtpJpeg } from "./jpeg_packetizer.ts";
 *
 * // A greyscale JPEG header: RFC 2435 has no type for it.
 * const grey = new Uint8Array([
 *   0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0,
 *   0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0, 0x12, 0xff, 0xd9,
 * ]);
 * assert.throws(() => prepareRtpJpeg(grey), JpegRtpError);
 * ```
 */
export function prepareRtpJpeg(jpeg: Uint8Array): RtpJpeg {
  let info: JpegInfo;
  try {
    info = probeJpeg(jpeg);
  } catch (error) {
    if (error instanceof JpegError) refuse(`not a usable JPEG: ${error.message}`);
    throw error;
  }
  const scanOffset = info.scanOffset;
  if (scanOffset === undefined) refuse("the JPEG ends before its scan (no SOS)");
  // RFC 2435 §3.1.3: types 0 and 1 are baseline DCT sequential. Extended sequential Huffman
  // (SOF1) with 8-bit samples decodes the same way, so it is accepted too.
  if (info.process === "progressive") {
    refuse("progressive JPEG: RFC 2435 carries baseline (sequential) JPEG only");
  }
  if (info.arithmetic || info.differential || info.process === "lossless") {
    refuse(`JPEG coding process SOF 0x${info.sof.toString(16)}: RFC 2435 carries baseline only`);
  }
  if (info.precision !== 8) refuse(`${info.precision}-bit samples: RFC 2435 carries 8-bit only`);
  if (info.components.length === 1) {
    refuse("greyscale JPEG: RFC 2435 has no type for one component (send YCbCr 4:2:0 or 4:2:2)");
  }
  if (info.adobeTransform === 0) {
    refuse("an RGB JPEG (Adobe APP14 transform 0): RFC 2435 carries YCbCr only");
  }
  if (info.components.length !== 3) {
    refuse(`a ${info.components.length}-component JPEG: RFC 2435 carries 3-component YCbCr only`);
  }
  const [y, cb, cr] = info.components;
  // §3.1.3 (and Appendix B's SOF): type 0 is Y 2x1, type 1 is Y 2x2, chroma always 1x1.
  const chroma11 = cb.h === 1 && cb.v === 1 && cr.h === 1 && cr.v === 1;
  let type = -1;
  if (chroma11 && y.h === 2 && y.v === 1) type = 0;
  else if (chroma11 && y.h === 2 && y.v === 2) type = 1;
  if (type < 0) {
    // ffmpeg's MJPEG encoder writes 4:2:2 as Y 2x2 with 1x2 chroma: a different MCU layout from
    // type 0's, which ffmpeg's own rtpenc_jpeg refuses too.
    const ffmpeg = y.h === 2 && y.v === 2 && cb.h === 1 && cb.v === 2
      ? ", ffmpeg's 4:2:2 layout"
      : "";
    refuse(
      `sampling factors ${samplingText(info)} (${info.subsampling}${ffmpeg}): RFC 2435 carries ` +
        "Y 2x1 (4:2:2) or 2x2 (4:2:0) with 1x1 chroma only",
    );
  }
  if (info.width > MAX_RTP_JPEG_SIDE || info.height > MAX_RTP_JPEG_SIDE) {
    refuse(`${info.width}x${info.height}: RFC 2435 carries at most 2040 pixels a side`);
  }
  const quantTables = quantTablesOf(info);
  checkHuffmanAndScan(jpeg, scanOffset, info);
  const end = scanEnd(jpeg, scanOffset);
  if (end === scanOffset) refuse("the JPEG's scan is empty");
  if (end - scanOffset > MAX_SCAN_BYTES) {
    refuse(`a scan of ${end - scanOffset} bytes: RFC 2435 fragment offsets stop at 16 MiB`);
  }
  return {
    type: info.restartInterval > 0 ? type + 64 : type,
    width: info.width,
    height: info.height,
    restartInterval: info.restartInterval,
    quantTables,
    scan: jpeg.subarray(scanOffset, end),
  };
}

/** §3.1.8: one table for Y, one shared by Cb and Cr, 8-bit, in the JPEG's own zig-zag order. */
function quantTablesOf(info: JpegInfo): Uint8Array {
  const [y, cb, cr] = info.components;
  const find = (id: number) => {
    const table = info.quantTables.find((t) => t.id === id);
    if (!table) refuse(`the JPEG has no quantization table ${id}`);
    if (table.precision !== 8) {
      refuse("16-bit quantization tables: rtsp-edge sends 8-bit tables only (RFC 2435 §3.1.8)");
    }
    return table.values;
  };
  const luma = find(y.quantTable);
  const chroma = find(cb.quantTable);
  if (cr.quantTable !== cb.quantTable) {
    // Some cameras (Logitech C920, as GStreamer's rtpjpegpay notes) give Cb and Cr two tables with
    // the same values: that is still one table as far as RFC 2435 is concerned.
    const other = find(cr.quantTable);
    if (!other.every((v, i) => v === chroma[i])) {
      refuse("Cb and Cr use different quantization tables: RFC 2435 has one chroma table");
    }
  }
  const out = new Uint8Array(QUANT_BYTES);
  out.set(luma, 0);
  out.set(chroma, 64);
  return out;
}

/**
 * RFC 2435 receivers rebuild the headers with the T.81 Annex K.3 tables (Appendix B), DC/AC table 0
 * for Y and 1 for Cb and Cr, one interleaved scan. A JPEG with no DHT relies on those tables (UVC
 * MJPEG does); one with other tables, or another scan layout, would decode to garbage.
 */
function checkHuffmanAndScan(jpeg: Uint8Array, scanOffset: number, info: JpegInfo): void {
  let at = 2;
  while (at < scanOffset) {
    // probeJpeg walked these bytes already, so the structure holds; stay in bounds regardless.
    while (at < scanOffset && jpeg[at] === 0xff) at++;
    const marker = jpeg[at++];
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) continue;
    if (at + 2 > scanOffset) break;
    const length = (jpeg[at] << 8) | jpeg[at + 1];
    const body = jpeg.subarray(at + 2, Math.min(at + length, scanOffset));
    at += length;
    if (marker === DHT) checkDht(body);
    else if (marker === SOS) checkSos(body, info);
  }
}

function checkDht(body: Uint8Array): void {
  let at = 0;
  while (at < body.length) {
    const tableClass = body[at] >> 4, id = body[at] & 0x0f;
    if (at + 17 > body.length) refuse("a DHT segment shorter than its tables");
    let symbols = 0;
    for (let i = 1; i <= 16; i++) symbols += body[at + i];
    const end = at + 17 + symbols;
    if (end > body.length) refuse("a DHT segment shorter than its tables");
    if (tableClass > 1) refuse(`a DHT table of class ${tableClass}`);
    // Tables 2 and 3 are never used by the scan checked below; only 0 and 1 matter.
    if (
      id <= 1 &&
      !isStandardHuffmanTable(tableClass as 0 | 1, id as 0 | 1, body.subarray(at + 1, end))
    ) {
      refuse(
        `optimized (non-standard) Huffman table ${
          tableClass === 0 ? "DC" : "AC"
        } ${id}: RFC 2435 ` +
          "receivers decode with the standard tables of T.81 Annex K.3 (encode with them, e.g. " +
          "ffmpeg -huffman default)",
      );
    }
    at = end;
  }
}

function checkSos(body: Uint8Array, info: JpegInfo): void {
  const count = body[0];
  if (count !== 3) refuse(`a scan of ${count} component(s): RFC 2435 needs one interleaved scan`);
  for (let i = 0; i < 3; i++) {
    const id = body[1 + 2 * i], tables = body[2 + 2 * i];
    const want = i === 0 ? 0x00 : 0x11;
    if (id !== info.components[i].id || tables !== want) {
      refuse("the scan's components or Huffman table selectors differ from RFC 2435 Appendix B's");
    }
  }
}

/**
 * Where the entropy-coded data ends: at EOI. Inside the scan 0xff is followed by 0x00 (stuffing)
 * or RSTn (T.81 §B.1.1.5, §F.1.2.3); any other marker means more scans, which RFC 2435 cannot say.
 * A JPEG cut short without EOI is sent as it is (the decoder conceals the rest); bytes after EOI
 * (some cameras pad with zeros) are left out.
 */
function scanEnd(jpeg: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    at = jpeg.indexOf(0xff, at);
    if (at < 0 || at + 1 >= jpeg.length) return at < 0 ? jpeg.length : at;
    const next = jpeg[at + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
      at += next === 0xff ? 1 : 2; // 0xff 0xff: fill before a marker
      continue;
    }
    if (next === EOI) return at;
    refuse(`a marker 0xff${next.toString(16)} after the scan: RFC 2435 carries one scan only`);
  }
}

/** Checks a caller-made {@link RtpJpeg} as strictly as {@link prepareRtpJpeg} would have. */
function checkFrame(frame: RtpJpeg): RtpJpeg {
  const { type, width, height, restartInterval, quantTables, scan } = frame;
  if (type !== 0 && type !== 1 && type !== 64 && type !== 65) {
    refuse(`RTP/JPEG type ${type}: only 0, 1, 64 and 65 are sent`);
  }
  const side = (v: number) => Number.isInteger(v) && v >= 1 && v <= MAX_RTP_JPEG_SIDE;
  if (!side(width) || !side(height)) refuse(`a picture of ${width}x${height}`);
  const restart = Number.isInteger(restartInterval) && restartInterval >= 1 &&
    restartInterval <= 0xffff;
  if ((type >= 64) !== restart) refuse(`type ${type} with restart interval ${restartInterval}`);
  if (quantTables.length !== QUANT_BYTES) refuse("quantTables must be 128 bytes");
  if (scan.length < 1 || scan.length > MAX_SCAN_BYTES) refuse(`a scan of ${scan.length} bytes`);
  return frame;
}

/** Options of {@link JpegPacketizer}. */
export interface JpegPacketizerOptions {
  /** Payload type, 0 to 127; default 26, JPEG's static type (RFC 3551 §6). */
  payloadType?: number;
  /** SSRC of the stream, 0 to 2^32-1, chosen at random by the caller (RFC 3550 §8). */
  ssrc: number;
  /** Sequence number of the first packet, 0 to 65535, chosen at random by the caller (§5.1). */
  initialSequence: number;
  /**
   * Largest RTP payload in bytes, {@link MIN_JPEG_PAYLOAD_SIZE} (160) to 65000; default 1400. The
   * first packet must hold the quantization tables.
   */
  maxPayloadSize?: number;
}

/**
 * Cuts JPEG pictures into RTP/JPEG packets. Keeps the sequence number between calls; everything
 * else comes from the caller, so it is deterministic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegPacketizer } from "./jpeg_packetizer.ts";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 7, maxPayloadSize: 200 });
 * const frame = {
 *   type: 1, width: 100, height: 60, restartInterval: 0,
 *   quantTables: new Uint8Array(128).fill(2), scan: new Uint8Array(300).fill(0x55),
 * };
 * const packets = [...packetizer.packetize(frame, 9000).packets()].map((p) => parseRtpPacket(p)!);
 * assert.deepEqual(packets.map((p) => p.marker), [false, false, true]);
 * const main = packets[1].payload; // type-specific, 24-bit offset, type, Q, width/8, height/8
 * assert.deepEqual([...main.subarray(0, 8)], [0, 0, 0, 60, 1, 255, 13, 8]);
 * ```
 */
export class JpegPacketizer {
  readonly #payloadType: number;
  readonly #ssrc: number;
  readonly #maxPayloadSize: number;
  #sequence: number;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: JpegPacketizerOptions) {
    this.#payloadType = checkInteger("payloadType", opts.payloadType ?? JPEG_PAYLOAD_TYPE, 0, 127);
    this.#ssrc = checkInteger("ssrc", opts.ssrc, 0, 0xffffffff);
    this.#sequence = checkInteger("initialSequence", opts.initialSequence, 0, 0xffff);
    this.#maxPayloadSize = checkInteger(
      "maxPayloadSize",
      opts.maxPayloadSize ?? 1400,
      MIN_JPEG_PAYLOAD_SIZE,
      65000,
    );
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** Largest RTP payload this packetizer writes, in bytes. */
  get maxPayloadSize(): number {
    return this.#maxPayloadSize;
  }

  /**
   * Packetizes one picture: a whole JPEG (checked with {@link prepareRtpJpeg}, which throws
   * {@link JpegRtpError} when it cannot be sent) or what that function returned. All packets share
   * `timestamp` (0 to 2^32-1); the last carries the marker bit (§3.1). The scan bytes are copied
   * into the packets, so the caller may reuse its buffer.
   */
  packetize(jpeg: Uint8Array | RtpJpeg, timestamp: number): PacketList {
    checkInteger("timestamp", timestamp, 0, 0xffffffff);
    const frame = jpeg instanceof Uint8Array ? prepareRtpJpeg(jpeg) : checkFrame(jpeg);
    const { scan, type } = frame;
    const restart = type >= 64;
    const perPacket = MAIN_HEADER_SIZE + (restart ? RESTART_HEADER_SIZE : 0);
    const quantBytes = QUANT_HEADER_SIZE + QUANT_BYTES;
    const firstRoom = this.#maxPayloadSize - perPacket - quantBytes;
    const room = this.#maxPayloadSize - perPacket;
    const rest = Math.max(0, scan.length - firstRoom);
    const count = 1 + Math.ceil(rest / room);
    const list = new PacketList(
      count * (INTERLEAVED_HEADER_SIZE + RTP_HEADER_SIZE + perPacket) + quantBytes + scan.length,
    );
    const header = {
      marker: false,
      payloadType: this.#payloadType,
      sequenceNumber: this.#sequence,
      timestamp,
      ssrc: this.#ssrc,
    };
    // §3.1.5/6: width and height in 8-pixel blocks, rounded up as ffmpeg's rtpenc_jpeg and
    // GStreamer's rtpjpegpay do. Clients decode the rounded size: a 99-wide JPEG shows 104 wide in
    // ffmpeg and GStreamer alike (rtpjpegdepay reads a=x-dimensions only when the block count is 0).
    const widthBlocks = Math.ceil(frame.width / 8);
    const heightBlocks = Math.ceil(frame.height / 8);
    let payloadBytes = 0;
    let offset = 0;
    do {
      const first = offset === 0;
      const take = Math.min(scan.length - offset, first ? firstRoom : room);
      const size = perPacket + (first ? quantBytes : 0) + take;
      const packet = list.append(RTP_HEADER_SIZE + size);
      header.marker = offset + take === scan.length;
      writeRtpHeader(packet, header);
      let at = RTP_HEADER_SIZE;
      // §3.1: type-specific 0, fragment offset (24 bits), type, Q, width/8, height/8.
      packet[at++] = 0;
      packet[at++] = offset >>> 16;
      packet[at++] = (offset >>> 8) & 0xff;
      packet[at++] = offset & 0xff;
      packet[at++] = type;
      packet[at++] = 255; // §3.1.4: Q 255, tables in-band in every frame
      packet[at++] = widthBlocks;
      packet[at++] = heightBlocks;
      if (restart) {
        // §3.1.7: packets are not cut at restart markers, so F = L = 1 and the count is 0x3fff.
        packet[at++] = frame.restartInterval >> 8;
        packet[at++] = frame.restartInterval & 0xff;
        packet[at++] = 0xff;
        packet[at++] = 0xff;
      }
      if (first) {
        // §3.1.8: MBZ, precision 0 (both tables 8-bit), length, then the tables.
        packet[at++] = 0;
        packet[at++] = 0;
        packet[at++] = QUANT_BYTES >> 8;
        packet[at++] = QUANT_BYTES & 0xff;
        packet.set(frame.quantTables.subarray(0, QUANT_BYTES), at);
        at += QUANT_BYTES;
      }
      packet.set(scan.subarray(offset, offset + take), at);
      payloadBytes += size;
      header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
      offset += take;
    } while (offset < scan.length);
    this.#sequence = header.sequenceNumber;
    list.addPayloadBytes(payloadBytes);
    return list;
  }
}
