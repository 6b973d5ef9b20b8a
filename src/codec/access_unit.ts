/**
 * Grouping H.264 NAL units into access units (one coded picture each), for whole files and for
 * byte streams that arrive in arbitrary chunks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeAnnexB } from "./annexb.ts";
 * import { AccessUnitSplitter, splitAccessUnits } from "./access_unit.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e]);
 * const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
 * const idr = new Uint8Array([0x65, 0x88, 0x84]); // first_mb_in_slice = 0
 * const p = new Uint8Array([0x41, 0x9a, 0x02]); // first_mb_in_slice = 0
 * const stream = encodeAnnexB([sps, pps, idr, p]);
 *
 * const units = splitAccessUnits(stream);
 * assert.equal(units.length, 2);
 * assert.equal(units[0].keyframe, true);
 * assert.deepEqual(units[1].nalUnits, [p]);
 *
 * const splitter = new AccessUnitSplitter();
 * const got = [...splitter.push(stream.subarray(0, 9)), ...splitter.push(stream.subarray(9))];
 * got.push(...splitter.flush());
 * assert.deepEqual(got, units);
 * ```
 *
 * @module
 */

import { findStartCode, splitAnnexB } from "./annexb.ts";
import { NalType } from "./h264.ts";

/** One coded picture with the NAL units that belong to it, in stream order. */
export interface AccessUnit {
  /** NAL units without start codes, each starting with its NAL header byte. */
  nalUnits: Uint8Array[];
  /** True when the access unit contains an IDR slice (NAL type 5). */
  keyframe: boolean;
}

/** Options for {@linkcode AccessUnitSplitter}. */
export interface AccessUnitSplitterOptions {
  /** Largest access unit kept, in bytes of NAL data; larger ones are dropped. Default 8 MiB. */
  maxAccessUnitSize?: number;
}

const DEFAULT_MAX_ACCESS_UNIT_SIZE = 8 * 1024 * 1024;
const NO_BYTES = new Uint8Array(0);

/**
 * Collects NAL units and cuts them into access units. This is the one boundary rule shared by
 * {@linkcode splitAccessUnits} and {@linkcode AccessUnitSplitter}.
 */
class Assembler {
  #nals: Uint8Array[] = [];
  #size = 0;
  #hasVcl = false;
  #keyframe = false;
  #ended = false;
  #oversize = false;
  dropped = 0;

  constructor(readonly maxSize: number) {}

  /**
   * H.264 §7.4.1.2.3: once the current access unit holds a VCL NAL unit, an access unit
   * delimiter, SPS, PPS, SEI, types 14..18, or the first VCL NAL unit of a new primary coded
   * picture starts the next one. §7.4.1.2.4 detects a new picture by comparing slice headers; we
   * use the common shortcut first_mb_in_slice == 0 (its ue(v) is the single bit "1"), which keeps
   * the slices of one picture together but does not support arbitrary slice order (ASO).
   * End of sequence / end of stream (§7.4.1.2.3) close the access unit they are in.
   */
  #startsNew(type: number, second: number): boolean {
    if (this.#ended) return type !== NalType.END_SEQ && type !== NalType.END_STREAM;
    if (!this.#hasVcl) return false;
    switch (type) {
      case NalType.SEI:
      case NalType.SPS:
      case NalType.PPS:
      case NalType.AUD:
      case 14:
      case 15:
      case 16:
      case 17:
      case 18:
        return true;
      case NalType.SLICE:
      case NalType.PARTITION_A: // partition A starts with the slice header too
      case NalType.IDR:
        return (second & 0x80) !== 0;
      default:
        return false;
    }
  }

  /**
   * Starts the next NAL unit, given its first two bytes (0 for a missing second byte): decides
   * whether it opens a new access unit, emitting the finished one. Called as soon as those bytes
   * are known, so an incremental caller emits a picture without waiting for the next to end.
   */
  begin(first: number, second: number, out: AccessUnit[]): void {
    const type = first & 0x1f;
    if (this.#startsNew(type, second)) this.finish(out);
    if (type >= 1 && type <= 5) this.#hasVcl = true;
    if (type === NalType.IDR) this.#keyframe = true;
    if (type === NalType.END_SEQ || type === NalType.END_STREAM) this.#ended = true;
  }

  /**
   * Adds the bytes of the NAL unit last begun. `nal` is null when they were discarded because the
   * NAL unit alone exceeded the limit; `size` counts them anyway.
   */
  end(nal: Uint8Array | null, size: number): void {
    this.#size += size;
    if (!this.#oversize && (nal === null || this.#size > this.maxSize)) {
      this.#oversize = true;
      this.#nals = [];
      this.dropped++;
    }
    if (!this.#oversize && nal !== null) this.#nals.push(nal);
  }

  /** Ends the current access unit; emits it unless it had no picture or was too large. */
  finish(out: AccessUnit[]) {
    if (this.#hasVcl && !this.#oversize) {
      out.push({ nalUnits: this.#nals, keyframe: this.#keyframe });
    }
    this.#nals = [];
    this.#size = 0;
    this.#hasVcl = false;
    this.#keyframe = false;
    this.#ended = false;
    this.#oversize = false;
  }
}

/**
 * Splits a whole Annex B byte stream into access units (H.264 §7.4.1.2.3), with or without
 * access unit delimiters. NAL units are `subarray` views of `bytes`. Leading non-VCL NAL units
 * without a following picture at the end of the stream are not returned. Never throws.
 *
 * @param bytes An Annex B byte stream, e.g. a `.h264` file.
 * @returns The access units in stream order.
 */
export function splitAccessUnits(bytes: Uint8Array): AccessUnit[] {
  const asm = new Assembler(Infinity);
  const out: AccessUnit[] = [];
  for (const nal of splitAnnexB(bytes)) {
    asm.begin(nal[0], nal.length > 1 ? nal[1] : 0, out);
    asm.end(nal, nal.length);
  }
  asm.finish(out);
  return out;
}

/**
 * Incremental access unit splitter for network ingest: push chunks cut at any byte (start codes
 * may be split across chunks) and receive the access units completed so far.
 *
 * Returned NAL units are copies owned by the caller, so chunks may be reused after `push`.
 * An access unit larger than `maxAccessUnitSize` is dropped and counted in {@linkcode dropped};
 * memory stays bounded by about twice that limit whatever the input (garbage without start codes
 * is discarded as it arrives). An access unit is only known to be complete when the next one
 * starts, so the last one comes out of {@linkcode flush}.
 */
export class AccessUnitSplitter {
  #asm: Assembler;
  #max: number;
  /** A start code has been seen, so bytes belong to a NAL unit. */
  #synced = false;
  /** Zero bytes held back at the end of the last chunk: maybe the start of a start code. */
  #carry = 0;
  /** Bytes of the current NAL unit from earlier chunks. */
  #acc: Uint8Array = NO_BYTES;
  #accLen = 0;
  /** Size of the current NAL unit so far, including discarded bytes. */
  #nalSize = 0;
  #first = -1;
  #second = -1;
  #overflow = false;
  /** The assembler has been told about the current NAL unit (see Assembler.begin). */
  #begun = false;

  /**
   * Creates a splitter for one stream.
   *
   * @param opts `maxAccessUnitSize`: the largest access unit kept, in bytes (default 8 MiB).
   */
  constructor(opts: AccessUnitSplitterOptions = {}) {
    const max = opts.maxAccessUnitSize ?? DEFAULT_MAX_ACCESS_UNIT_SIZE;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(
        `maxAccessUnitSize must be a positive integer number of bytes, got ${max}`,
      );
    }
    this.#max = max;
    this.#asm = new Assembler(max);
  }

  /** How many access units were dropped for exceeding `maxAccessUnitSize`. */
  get dropped(): number {
    return this.#asm.dropped;
  }

  /**
   * Feeds the next bytes of the stream.
   *
   * @param chunk Any number of bytes; not retained after the call.
   * @returns The access units completed by this chunk (often none or one).
   */
  push(chunk: Uint8Array): AccessUnit[] {
    const out: AccessUnit[] = [];
    const n = chunk.length;
    let pos = 0;
    if (this.#carry > 0) {
      // A start code may straddle the chunk boundary: "00 | 00 01" or "00 00 | 01".
      let j = 0;
      while (j < n && chunk[j] === 0) j++;
      if (j === n) {
        this.#carry += n;
        return out;
      }
      if (chunk[j] === 1 && this.#carry + j >= 2) {
        this.#carry = 0;
        if (this.#synced) this.#endNal(NO_BYTES, 0, 0, out);
        this.#synced = true;
        pos = j + 1;
      } else {
        if (this.#synced) this.#appendZeros(this.#carry);
        this.#carry = 0;
      }
    }
    for (;;) {
      const sc = findStartCode(chunk, pos);
      if (sc < 0) break;
      if (this.#synced) this.#endNal(chunk, pos, sc, out);
      this.#synced = true;
      pos = sc + 3;
    }
    let end = n;
    while (end > pos && chunk[end - 1] === 0) end--;
    this.#carry = n - end;
    if (this.#synced) {
      this.#append(chunk, pos, end);
      // Decide the boundary now rather than when this NAL unit ends, one picture later.
      // A first byte of 0 may yet turn out to be trailing zeros, so that waits for the end.
      if (!this.#begun && this.#nalSize >= 2 && this.#first !== 0) {
        this.#begun = true;
        this.#asm.begin(this.#first, this.#second, out);
      }
    }
    return out;
  }

  /**
   * Ends the stream: returns the last access unit(s) and resets the splitter for a new stream.
   *
   * @returns The access units still held.
   */
  flush(): AccessUnit[] {
    const out: AccessUnit[] = [];
    if (this.#synced) this.#endNal(NO_BYTES, 0, 0, out);
    this.#asm.finish(out);
    this.#synced = false;
    this.#carry = 0;
    return out;
  }

  /** Appends bytes to the current NAL unit, discarding them once it exceeds the limit. */
  #append(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.#nalSize === 0) {
      this.#first = chunk[from];
      this.#second = n > 1 ? chunk[from + 1] : -1;
    } else if (this.#nalSize === 1) {
      this.#second = chunk[from];
    }
    this.#nalSize += n;
    if (this.#reserve(n)) {
      this.#acc.set(chunk.subarray(from, to), this.#accLen);
      this.#accLen += n;
    }
  }

  /** Appends held-back zero bytes that turned out to be NAL data, not a start code. */
  #appendZeros(n: number): void {
    if (this.#nalSize === 0) {
      this.#first = 0;
      this.#second = n > 1 ? 0 : -1;
    } else if (this.#nalSize === 1) {
      this.#second = 0;
    }
    this.#nalSize += n;
    if (this.#reserve(n)) {
      this.#acc.fill(0, this.#accLen, this.#accLen + n);
      this.#accLen += n;
    }
  }

  /** Makes room for `n` more bytes; false (and the NAL unit marked oversize) past the limit. */
  #reserve(n: number): boolean {
    if (this.#overflow) return false;
    const need = this.#accLen + n;
    if (need > this.#max) {
      this.#overflow = true;
      this.#acc = NO_BYTES;
      this.#accLen = 0;
      return false;
    }
    if (need > this.#acc.length) {
      const grown = new Uint8Array(Math.min(this.#max, Math.max(need, this.#acc.length * 2, 4096)));
      grown.set(this.#acc.subarray(0, this.#accLen));
      this.#acc = grown;
    }
    return true;
  }

  /** Ends the current NAL unit whose last bytes are `chunk[from, to)` and hands it on. */
  #endNal(chunk: Uint8Array, from: number, to: number, out: AccessUnit[]): void {
    // H.264 §B.1: trailing zero bytes are trailing_zero_8bits, not NAL data.
    let end = to;
    while (end > from && chunk[end - 1] === 0) end--;
    let nal: Uint8Array | null = null;
    let size = 0;
    if (this.#nalSize === 0) {
      // The whole NAL unit is inside this chunk: one copy, unless it is too large anyway.
      size = end - from;
      if (size > 0) {
        this.#first = chunk[from];
        this.#second = size > 1 ? chunk[from + 1] : 0;
        if (size <= this.#max) nal = chunk.slice(from, end);
      }
    } else {
      this.#append(chunk, from, end);
      size = this.#nalSize;
      if (!this.#overflow) {
        let len = this.#accLen;
        while (len > 0 && this.#acc[len - 1] === 0) len--;
        size = len;
        if (len > 0) nal = this.#acc.slice(0, len);
      }
    }
    if (size > 0) {
      if (!this.#begun) this.#asm.begin(this.#first, this.#second < 0 ? 0 : this.#second, out);
      this.#asm.end(nal, size);
    }
    this.#accLen = 0;
    this.#nalSize = 0;
    this.#first = -1;
    this.#second = -1;
    this.#overflow = false;
    this.#begun = false;
  }
}
