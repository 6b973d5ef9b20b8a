/**
 * RTP packets → H.264 access units (RFC 6184, non-interleaved mode), for RECORD ingest and tests.
 *
 * An access unit is emitted only if every one of its packets arrived and made sense: a missing
 * packet leaves a decoder with a corrupt picture, so the whole access unit is dropped instead and
 * the consumer waits for the next keyframe. Memory is bounded by `maxAccessUnitSize` and
 * `maxNalUnits` (HARDENING item 17).
 *
 * @module
 */

import type { RtpPacket } from "./header.ts";
import { PacketOrder } from "./sequence.ts";

/** One reassembled access unit. */
export interface H264AccessUnitOut {
  /** NAL units without start codes, in order. They are owned (not views of any packet). */
  nalUnits: Uint8Array[];
  /** RTP timestamp shared by the access unit's packets. */
  timestamp: number;
  /** Whether the access unit holds an IDR slice (NAL type 5). */
  keyframe: boolean;
}

/** Options of {@link H264Depacketizer}. */
export interface H264DepacketizerOptions {
  /** Largest access unit accepted, in NAL bytes, 1 to 2^30; default 8 MiB. */
  maxAccessUnitSize?: number;
  /**
   * Most NAL units accepted in one access unit, 1 to 2^20; default 4096 (encoders use a few
   * slices per picture). Without it, a STAP-A full of 1-byte NAL units would cost far more memory
   * in `Uint8Array` objects than the byte cap suggests.
   */
  maxNalUnits?: number;
}

const STAP_A = 24;
const FU_A = 28;
const IDR = 5;
const INITIAL_CAPACITY = 4096;

/**
 * Reassembles access units from the packets of one RTP stream. Handles single NAL unit packets
 * (types 1 to 23), STAP-A (24) and FU-A (28). STAP-B, MTAP16, MTAP24 and FU-B (25 to 27, 29) belong
 * to the interleaved mode, which is never negotiated; they, and types 0, 30 and 31, are ignored and
 * counted. Never throws for any packet.
 *
 * Packets are not reordered (RECORD normally runs over TCP): a gap in sequence numbers drops every
 * access unit the missing packets could have belonged to, and a late or duplicate packet is dropped.
 *
 * An access unit ends with the marker bit (RFC 6184 §5.1). A publisher that forgets the marker is
 * tolerated: when the timestamp changes, the open access unit is emitted and a new one begun.
 * `push()` returns at most one access unit, so when such a timestamp change and a marker fall on the
 * same packet, the second access unit is returned by the next `push()` or by `flush()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Depacketizer } from "./h264_depacketizer.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const packet = (sequenceNumber: number, marker: boolean, payload: number[]): RtpPacket => ({
 *   marker, payloadType: 96, sequenceNumber, timestamp: 3000, ssrc: 1, csrc: [],
 *   payload: new Uint8Array(payload), paddingBytes: 0,
 * });
 * const depacketizer = new H264Depacketizer();
 * assert.equal(depacketizer.push(packet(7, false, [0x7c, 0x85, 1, 2])), undefined); // FU-A start
 * const au = depacketizer.push(packet(8, true, [0x7c, 0x45, 3]))!; // FU-A end, marker
 * assert.deepEqual(au.nalUnits.map((n) => [...n]), [[0x65, 1, 2, 3]]);
 * assert.equal(au.keyframe, true);
 * assert.equal(depacketizer.dropped, 0);
 * ```
 */
export class H264Depacketizer {
  readonly #maxAccessUnitSize: number;
  readonly #maxNalUnits: number;
  #dropped = 0;
  #droppedAccessUnits = 0;
  #order = new PacketOrder();
  // Completed access units not yet returned; never more than one waits (see the class doc).
  #ready: H264AccessUnitOut[] = [];

  // The open access unit: its NAL units live back to back in #buffer, bounds in #bounds.
  #open = false;
  #timestamp = 0;
  #broken = false;
  #packets = 0;
  #buffer = new Uint8Array(0);
  #length = 0;
  #bounds: number[] = [];
  #keyframe = false;
  #fuStart = -1; // offset of the NAL being reassembled from FU-A fragments, or -1
  #sizeHint = INITIAL_CAPACITY;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: H264DepacketizerOptions = {}) {
    const cap = opts.maxAccessUnitSize ?? 8 * 1024 * 1024;
    if (!Number.isInteger(cap) || cap < 1 || cap > 2 ** 30) {
      throw new RangeError(
        `maxAccessUnitSize must be an integer from 1 to 1073741824 bytes, got ${cap}`,
      );
    }
    this.#maxAccessUnitSize = cap;
    const units = opts.maxNalUnits ?? 4096;
    if (!Number.isInteger(units) || units < 1 || units > 2 ** 20) {
      throw new RangeError(`maxNalUnits must be an integer from 1 to 1048576, got ${units}`);
    }
    this.#maxNalUnits = units;
  }

  /**
   * Packets that went into no emitted access unit: malformed, unsupported, late or duplicated, or
   * part of a dropped access unit.
   */
  get dropped(): number {
    return this.#dropped;
  }

  /** Access units dropped because a packet was missing or malformed, or they exceeded a cap. */
  get droppedAccessUnits(): number {
    return this.#droppedAccessUnits;
  }

  /**
   * Takes one RTP packet of the stream (its payload may be a transient view: everything kept is
   * copied). Returns a completed access unit, or `undefined` when more packets are needed.
   */
  push(packet: RtpPacket): H264AccessUnitOut | undefined {
    const arrival = this.#order.arrive(packet.sequenceNumber);
    if (arrival === "late") {
      // Late or duplicate: no reordering here; the gap it left already condemned its access unit.
      this.#dropped++;
      return this.#ready.shift();
    }
    const gap = arrival === "gap";

    if (this.#open && packet.timestamp !== this.#timestamp) {
      // No marker but a new timestamp: the open access unit is over (publisher quirk tolerated).
      // After a gap the missing packets may have been its tail, so it cannot be trusted.
      if (gap) this.#broken = true;
      this.#finish();
    }
    if (!this.#open) {
      this.#open = true;
      this.#timestamp = packet.timestamp;
      this.#broken = false;
    }
    // RFC 3550 §5.1: a gap in sequence numbers means lost packets, possibly of this access unit.
    if (gap) this.#broken = true;
    this.#packets++;
    this.#add(packet.payload);
    if (packet.marker) this.#finish();
    return this.#ready.shift();
  }

  /**
   * Ends the stream: returns what is still held (an access unit delayed by the rule above, and the
   * open access unit if nothing of it is missing) and resets the sequence tracking.
   */
  flush(): H264AccessUnitOut[] {
    if (this.#open) this.#finish();
    this.#order.reset();
    return this.#ready.splice(0);
  }

  /** Closes the open access unit: queues it, or drops it when anything about it went wrong. */
  #finish(): void {
    if (this.#fuStart >= 0) this.#broken = true; // a fragmented NAL never got its end
    const packets = this.#packets;
    if (this.#broken) {
      this.#dropped += packets;
      this.#droppedAccessUnits++;
    } else if (this.#bounds.length > 0) {
      const length = this.#length;
      // Consumers may keep access units a while (a GOP cache): do not pin a buffer far too big.
      const owned = this.#buffer.length > 2 * length
        ? this.#buffer.slice(0, length)
        : this.#buffer.subarray(0, length);
      const nalUnits: Uint8Array[] = [];
      for (let i = 0; i < this.#bounds.length; i += 2) {
        nalUnits.push(owned.subarray(this.#bounds[i], this.#bounds[i + 1]));
      }
      this.#ready.push({ nalUnits, timestamp: this.#timestamp, keyframe: this.#keyframe });
      this.#sizeHint = Math.max(INITIAL_CAPACITY, length);
    }
    // The buffer now belongs to the consumer (or is garbage): start the next one afresh.
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    this.#bounds = [];
    this.#keyframe = false;
    this.#fuStart = -1;
    this.#packets = 0;
    this.#broken = false;
    this.#open = false;
  }

  /** Marks the open access unit as lost; the packets are counted when it closes. */
  #break(): void {
    this.#broken = true;
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    this.#bounds = [];
    this.#fuStart = -1;
  }

  /** Interprets one payload into the open access unit. */
  #add(payload: Uint8Array): void {
    if (payload.length === 0) return this.#break();
    const type = payload[0] & 0x1f;
    if (type === FU_A) return this.#addFragment(payload);
    // Any packet other than a continuation while a NAL is being reassembled: its end was lost.
    if (this.#fuStart >= 0) this.#break();
    if (type >= 1 && type <= 23) {
      // RFC 6184 §5.6: single NAL unit packet.
      this.#addNal(payload);
    } else if (type === STAP_A) {
      this.#addAggregate(payload);
    } else {
      // STAP-B, MTAP16, MTAP24, FU-B (interleaved mode only) and undefined types 0, 30, 31.
      this.#dropped++;
      this.#packets--;
    }
  }

  /** RFC 6184 §5.7.1: STAP-A header byte, then (16-bit size, NAL unit) repeated to the end. */
  #addAggregate(payload: Uint8Array): void {
    // Check every length before taking anything, so a bad packet adds nothing.
    let at = 1;
    let count = 0;
    while (at < payload.length) {
      if (at + 2 > payload.length) return this.#break();
      const size = (payload[at] << 8) | payload[at + 1];
      if (size === 0 || at + 2 + size > payload.length) return this.#break();
      at += 2 + size;
      count++;
    }
    if (count === 0) return this.#break();
    for (at = 1; at < payload.length;) {
      const size = (payload[at] << 8) | payload[at + 1];
      this.#addNal(payload.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
  }

  /** RFC 6184 §5.8: FU indicator (F, NRI, 28), FU header (S, E, R, type), then the fragment. */
  #addFragment(payload: Uint8Array): void {
    if (payload.length < 2) return this.#break();
    const fuHeader = payload[1];
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    const type = fuHeader & 0x1f;
    if (start) {
      // A new start while one is open: the previous NAL lost its end.
      if (this.#fuStart >= 0) return this.#break();
      if (this.#broken || !this.#roomForNal()) return;
      const nalHeader = (payload[0] & 0xe0) | type;
      const at = this.#reserve(payload.length - 1);
      if (at < 0) return;
      this.#fuStart = at;
      this.#buffer[at] = nalHeader;
      this.#buffer.set(payload.subarray(2), at + 1);
      this.#length = at + payload.length - 1;
      if (type === IDR) this.#keyframe = true;
    } else {
      // RFC 6184 §5.8: a fragment without its start, or whose type differs from the start's.
      if (this.#broken) return;
      if (this.#fuStart < 0 || (this.#buffer[this.#fuStart] & 0x1f) !== type) return this.#break();
      const at = this.#reserve(payload.length - 2);
      if (at < 0) return;
      this.#buffer.set(payload.subarray(2), at);
      this.#length = at + payload.length - 2;
    }
    if (end) {
      // Start and end in one FU breaks §5.8's "MUST NOT", but the NAL is whole: accept it.
      this.#bounds.push(this.#fuStart, this.#length);
      this.#fuStart = -1;
    }
  }

  #addNal(nal: Uint8Array): void {
    if (this.#broken || !this.#roomForNal()) return;
    const at = this.#reserve(nal.length);
    if (at < 0) return;
    this.#buffer.set(nal, at);
    this.#length = at + nal.length;
    this.#bounds.push(at, this.#length);
    if ((nal[0] & 0x1f) === IDR) this.#keyframe = true;
  }

  /** Whether one more NAL unit is allowed; breaks the access unit when it is not. */
  #roomForNal(): boolean {
    if (this.#bounds.length / 2 < this.#maxNalUnits) return true;
    this.#break();
    return false;
  }

  /** Makes room for `n` more bytes; returns where they go, or -1 after breaking on the cap. */
  #reserve(n: number): number {
    const at = this.#length;
    const need = at + n;
    if (need > this.#maxAccessUnitSize) {
      this.#break();
      return -1;
    }
    if (need > this.#buffer.length) {
      const size = Math.min(
        this.#maxAccessUnitSize,
        Math.max(need, this.#buffer.length * 2, this.#sizeHint),
      );
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(0, at));
      this.#buffer = grown;
    }
    return at;
  }
}
