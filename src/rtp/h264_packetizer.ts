/**
 * H.264 access units → RTP packets (RFC 6184, non-interleaved mode). A NAL unit that fits goes out
 * as a single NAL unit packet (§5.6); a larger one is cut into FU-A fragments (§5.8). STAP-A is not
 * used for output: every receiver handles the two forms above, and parameter sets are small enough
 * that aggregating them saves next to nothing.
 *
 * @module
 */

import { RTP_HEADER_SIZE, writeRtpHeader } from "./header.ts";
import { INTERLEAVED_HEADER_SIZE, PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/** Options of {@link H264Packetizer}. */
export interface H264PacketizerOptions {
  /** Dynamic payload type from the SDP, 0 to 127 (usually 96). */
  payloadType: number;
  /** SSRC of the stream, 0 to 2^32-1, chosen at random by the caller (RFC 3550 §8). */
  ssrc: number;
  /** Sequence number of the first packet, 0 to 65535, chosen at random by the caller (§5.1). */
  initialSequence: number;
  /** Largest RTP payload in bytes, 100 to 65000; default 1400 to stay under common MTUs. */
  maxPayloadSize?: number;
}

const FU_A = 28;
const FU_HEADER_SIZE = 2;
const FU_START = 0x80;
const FU_END = 0x40;
const PER_PACKET = INTERLEAVED_HEADER_SIZE + RTP_HEADER_SIZE;

/**
 * Whether a NAL unit can be sent at all: RFC 6184 §5.4 reserves NAL types 24 to 31 for the payload
 * format itself, and type 0 is unspecified (it is also what a stray Annex B start code looks like).
 */
function sendable(nal: Uint8Array): boolean {
  if (nal.length === 0) return false;
  const type = nal[0] & 0x1f;
  return type !== 0 && type < 24;
}

/**
 * Cuts H.264 access units into RTP packets. Keeps the sequence number between calls; everything
 * else (SSRC, timestamps) comes from the caller, so it is deterministic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Packetizer } from "./h264_packetizer.ts";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 65535 });
 * const idr = new Uint8Array(3000).fill(7);
 * idr[0] = 0x65;
 * const list = packetizer.packetize([new Uint8Array([0x67, 1, 2]), idr], 90000);
 * const packets = [...list.packets()].map((p) => parseRtpPacket(p)!);
 * assert.deepEqual(packets.map((p) => p.sequenceNumber), [65535, 0, 1, 2]);
 * assert.deepEqual(packets.map((p) => p.marker), [false, false, false, true]);
 * assert.equal(packets[1].payload[0], 0x7c); // FU indicator: NRI 3, type 28
 * assert.equal(packets[1].payload[1], 0x85); // FU header: start, type 5
 * assert.equal(packetizer.nextSequence, 3);
 * ```
 */
export class H264Packetizer {
  readonly #payloadType: number;
  readonly #ssrc: number;
  readonly #maxPayloadSize: number;
  #sequence: number;
  #skipped = 0;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: H264PacketizerOptions) {
    this.#payloadType = checkInteger("payloadType", opts.payloadType, 0, 127);
    this.#ssrc = checkInteger("ssrc", opts.ssrc, 0, 0xffffffff);
    this.#sequence = checkInteger("initialSequence", opts.initialSequence, 0, 0xffff);
    this.#maxPayloadSize = checkInteger("maxPayloadSize", opts.maxPayloadSize ?? 1400, 100, 65000);
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** Largest RTP payload this packetizer writes, in bytes. */
  get maxPayloadSize(): number {
    return this.#maxPayloadSize;
  }

  /** NAL units refused so far because their type is 0 or 24 to 31 (see RFC 6184 §5.4). */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Packetizes one access unit: its NAL units without start codes, in decoding order, and its RTP
   * timestamp (0 to 2^32-1). All packets share the timestamp; the last one carries the marker bit
   * (RFC 6184 §5.1). Empty NAL units are ignored, NAL units of type 0 or 24 to 31 are skipped and
   * counted in {@link skipped}; an access unit with nothing left gives an empty list.
   */
  packetize(nalUnits: readonly Uint8Array[], timestamp: number): PacketList {
    checkInteger("timestamp", timestamp, 0, 0xffffffff);
    const max = this.#maxPayloadSize;
    const fragmentMax = max - FU_HEADER_SIZE;

    // First pass: find the last NAL that is sent (it gets the marker) and size the list exactly.
    let last = -1;
    let bytes = 0;
    for (let i = 0; i < nalUnits.length; i++) {
      const nal = nalUnits[i];
      if (!sendable(nal)) {
        if (nal.length > 0) this.#skipped++;
        continue;
      }
      last = i;
      if (nal.length <= max) {
        bytes += PER_PACKET + nal.length;
      } else {
        // RFC 6184 §5.8: the NAL header byte is not sent; its bits travel in the FU indicator/header.
        const body = nal.length - 1;
        bytes += Math.ceil(body / fragmentMax) * (PER_PACKET + FU_HEADER_SIZE) + body;
      }
    }
    const list = new PacketList(bytes);
    if (last < 0) return list;

    const header = {
      marker: false,
      payloadType: this.#payloadType,
      sequenceNumber: this.#sequence,
      timestamp,
      ssrc: this.#ssrc,
    };
    let payloadBytes = 0;
    for (let i = 0; i <= last; i++) {
      const nal = nalUnits[i];
      if (!sendable(nal)) continue;
      const lastNal = i === last;
      if (nal.length <= max) {
        // RFC 6184 §5.6: single NAL unit packet, the payload is the NAL unit itself.
        const packet = list.append(RTP_HEADER_SIZE + nal.length);
        header.marker = lastNal;
        writeRtpHeader(packet, header);
        packet.set(nal, RTP_HEADER_SIZE);
        header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
        payloadBytes += nal.length;
        continue;
      }
      // RFC 6184 §5.8: FU indicator keeps F and NRI with type 28; FU header has S, E and the type.
      const indicator = (nal[0] & 0xe0) | FU_A;
      const type = nal[0] & 0x1f;
      for (let from = 1; from < nal.length; from += fragmentMax) {
        const to = Math.min(from + fragmentMax, nal.length);
        const end = to === nal.length;
        const packet = list.append(RTP_HEADER_SIZE + FU_HEADER_SIZE + (to - from));
        header.marker = lastNal && end;
        writeRtpHeader(packet, header);
        packet[RTP_HEADER_SIZE] = indicator;
        packet[RTP_HEADER_SIZE + 1] = (from === 1 ? FU_START : 0) | (end ? FU_END : 0) | type;
        packet.set(nal.subarray(from, to), RTP_HEADER_SIZE + FU_HEADER_SIZE);
        header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
        payloadBytes += FU_HEADER_SIZE + (to - from);
      }
    }
    this.#sequence = header.sequenceNumber;
    list.addPayloadBytes(payloadBytes);
    return list;
  }
}
