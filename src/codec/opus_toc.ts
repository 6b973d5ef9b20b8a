/**
 * The Opus TOC byte (RFC 6716 §3.1) and frame count (§3.2): how long a packet plays, which is all
 * RTP needs from it (RFC 7587 §4.2: the timestamp advances by the packet's duration at 48 kHz).
 *
 * @module
 */

// RFC 6716 §3.1 Table 2, frame sizes in 48 kHz samples by config: SILK-only 0..11 (10, 20, 40,
// 60 ms per bandwidth), Hybrid 12..15 (10, 20 ms), CELT-only 16..31 (2.5, 5, 10, 20 ms).
const SILK = [480, 960, 1920, 2880];
const HYBRID = [480, 960];
const CELT = [120, 240, 480, 960];

/** Largest duration of one Opus packet: 120 ms (RFC 6716 §3.2.5), in 48 kHz samples. */
export const OPUS_MAX_PACKET_SAMPLES = 5760;

/** Samples at 48 kHz of one frame of an Opus packet whose TOC byte is `toc` (§3.1). */
export function opusFrameSamples(toc: number): number {
  const config = toc >> 3;
  if (config < 12) return SILK[config & 3];
  if (config < 16) return HYBRID[config & 1];
  return CELT[config & 3];
}

/**
 * Duration of an Opus packet in 48 kHz samples: the frame size from the TOC times the frame count
 * (code 0: one frame; 1 and 2: two; 3: the count M in the second byte, §3.2.5). Returns
 * `undefined` for what RFC 6716 §3.4 makes malformed: an empty packet, code 1 with an odd payload
 * (R3), code 2 or 3 too short for its header, M of 0 or more than 120 ms of audio (R5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { opusPacketDuration } from "./opus_toc.ts";
 *
 * assert.equal(opusPacketDuration(new Uint8Array([0xfc, 1, 2])), 960); // CELT FB 20 ms, code 0
 * assert.equal(opusPacketDuration(new Uint8Array([0x13, 0x03, 1, 2, 3])), 5760); // SILK 40 ms, code 3, M = 3
 * assert.equal(opusPacketDuration(new Uint8Array([0x1b, 0x03])), undefined); // 3 × 60 ms > 120 ms
 * ```
 */
export function opusPacketDuration(packet: Uint8Array): number | undefined {
  if (packet.length === 0) return undefined;
  const toc = packet[0];
  const frame = opusFrameSamples(toc);
  switch (toc & 3) {
    case 0:
      return frame;
    case 1:
      // R3: two frames of equal size, so what follows the TOC byte has an even length.
      return (packet.length - 1) % 2 === 0 ? 2 * frame : undefined;
    case 2:
      // R4: at least the first frame's length byte.
      return packet.length >= 2 ? 2 * frame : undefined;
    default: {
      // R5/R6/R7: the frame count byte, M >= 1 and M × frame no more than 120 ms.
      if (packet.length < 2) return undefined;
      const count = packet[1] & 0x3f;
      const duration = count * frame;
      return count > 0 && duration <= OPUS_MAX_PACKET_SAMPLES ? duration : undefined;
    }
  }
}
