/**
 * AAC access units → RTP packets, RFC 3640 `mpeg4-generic` in AAC-hbr mode (§3.3.6). Every packet
 * holds whole access units, several when they fit (§3.2.1), or one fragment of a single access unit
 * too large for a packet (§3.2.3). Packets stay under the payload limit: mediamtx corrupts AAC
 * packets over 1440 bytes (MEDIA.md §1.2).
 *
 * @module
 */

import { writeAacHbrHeaders } from "./aac_au_headers.ts";
import { type AudioPacketizerOptions, AudioPacketWriter } from "./audio_packet_writer.ts";
import { PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/** Options of {@link AacPacketizer}. */
export interface AacPacketizerOptions extends AudioPacketizerOptions {
  /**
   * Duration of one access unit in RTP clock ticks, 1 to 65536; default 1024 (see
   * `aacFrameSamples` in `codec/aac_config.ts` for 960-sample frames and HE-AAC).
   */
  frameSamples?: number;
  /**
   * Longest stretch of audio one packet may aggregate, in RTP clock ticks; default: no limit
   * beyond the payload size. A value below two frames turns aggregation off.
   */
  maxAggregateDuration?: number;
}

/** AU-size is 13 bits in AAC-hbr (§3.3.6): larger access units cannot be described. */
export const AAC_HBR_MAX_ACCESS_UNIT = 8191;

const HEADERS_LENGTH = 2;
const HEADER = 2;

/**
 * Cuts AAC access units into RTP packets. Keeps the sequence number between calls; timestamps come
 * from the caller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacPacketizer } from "./aac_packetizer.ts";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const packetizer = new AacPacketizer({ payloadType: 97, ssrc: 1, initialSequence: 0 });
 * const units = [new Uint8Array(300), new Uint8Array(300), new Uint8Array(1000)];
 * const packets = [...packetizer.packetize(units, 5000).packets()].map((p) => parseRtpPacket(p)!);
 * assert.deepEqual(packets.map((p) => p.timestamp), [5000, 7048]); // two AUs, then the third
 * assert.deepEqual([...packets[0].payload.subarray(0, 6)], [0, 32, 0x09, 0x60, 0x09, 0x60]);
 * assert.ok(packets.every((p) => p.marker));
 * ```
 */
export class AacPacketizer {
  readonly #writer: AudioPacketWriter;
  readonly #frameSamples: number;
  readonly #maxPerPacket: number;
  #skipped = 0;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: AacPacketizerOptions) {
    this.#writer = new AudioPacketWriter(opts);
    this.#frameSamples = checkInteger("frameSamples", opts.frameSamples ?? 1024, 1, 65536);
    const limit = opts.maxAggregateDuration ?? Infinity;
    if (typeof limit !== "number" || Number.isNaN(limit) || limit < 0) {
      throw new RangeError(`maxAggregateDuration must be 0 or more ticks, got ${String(limit)}`);
    }
    this.#maxPerPacket = Math.max(1, Math.floor(limit / this.#frameSamples));
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#writer.nextSequence;
  }

  /** Access units refused so far: empty, or larger than {@link AAC_HBR_MAX_ACCESS_UNIT}. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Packetizes consecutive access units, the first at RTP timestamp `timestamp` (0 to 2^32-1) and
   * each next one `frameSamples` later. A packet's timestamp is that of its first access unit, and
   * every packet that ends an access unit has the marker bit while fragments before the last do
   * not (RFC 3640 §3.1, §3.2.3). Empty and oversized access units are skipped and counted; the
   * units after them keep their timestamps.
   */
  packetize(accessUnits: readonly Uint8Array[], timestamp: number): PacketList {
    checkInteger("timestamp", timestamp, 0, 0xffffffff);
    const max = this.#writer.maxPayloadSize;
    const list = new PacketList(
      accessUnits.reduce((n, au) => n + au.length + 32, 0) + 64,
    );
    let i = 0;
    while (i < accessUnits.length) {
      const au = accessUnits[i];
      const at = (timestamp + i * this.#frameSamples) >>> 0;
      if (au.length === 0 || au.length > AAC_HBR_MAX_ACCESS_UNIT) {
        this.#skipped++;
        i++;
        continue;
      }
      if (HEADERS_LENGTH + HEADER + au.length > max) {
        this.#fragment(list, au, at);
        i++;
        continue;
      }
      // Take the following units while they fit in the payload and the duration bound, and stop at
      // one that will be skipped, so that every unit in a packet follows the one before it.
      let end = i + 1;
      let size = HEADERS_LENGTH + HEADER + au.length;
      while (end < accessUnits.length && end - i < this.#maxPerPacket) {
        const next = accessUnits[end].length;
        if (next === 0 || next > AAC_HBR_MAX_ACCESS_UNIT || size + HEADER + next > max) break;
        size += HEADER + next;
        end++;
      }
      const payload = this.#writer.append(list, size, at, true);
      const units = accessUnits.slice(i, end);
      let offset = writeAacHbrHeaders(payload, 0, units.map((u) => u.length));
      for (const unit of units) {
        payload.set(unit, offset);
        offset += unit.length;
      }
      i = end;
    }
    return list;
  }

  /**
   * §3.2.3: one access unit over several packets with the same timestamp, each with one AU header
   * whose AU-size is that of the whole unit; only the last has the marker bit.
   */
  #fragment(list: PacketList, au: Uint8Array, timestamp: number): void {
    const room = this.#writer.maxPayloadSize - HEADERS_LENGTH - HEADER;
    for (let from = 0; from < au.length; from += room) {
      const to = Math.min(from + room, au.length);
      const payload = this.#writer.append(
        list,
        HEADERS_LENGTH + HEADER + to - from,
        timestamp,
        to === au.length,
      );
      writeAacHbrHeaders(payload, 0, [au.length]);
      payload.set(au.subarray(from, to), HEADERS_LENGTH + HEADER);
    }
  }
}
