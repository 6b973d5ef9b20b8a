/**
 * RTP packets → Opus packets (RFC 7587): each payload is one Opus packet (§4.2), its duration read
 * from the TOC byte (RFC 6716 §3.1).
 *
 * @module
 */

import { opusPacketDuration } from "../codec/opus_toc.ts";
import type { AudioDepacketizer, AudioUnit } from "./audio_unit.ts";
import type { RtpPacket } from "./header.ts";
import { PacketOrder } from "./sequence.ts";

/**
 * Takes Opus packets out of RTP packets. A payload that is not a well-formed Opus packet (RFC 6716
 * §3.4: empty, bad frame count) and late or duplicate packets are dropped and counted. Never
 * throws for any packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusDepacketizer } from "./opus_depacketizer.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const depacketizer = new OpusDepacketizer();
 * const packet: RtpPacket = {
 *   marker: false, payloadType: 111, sequenceNumber: 1, timestamp: 48000, ssrc: 1, csrc: [],
 *   paddingBytes: 0, payload: new Uint8Array([0x79, 5, 6]), // hybrid 20 ms, code 1: two frames
 * };
 * assert.deepEqual(depacketizer.push(packet).map((u) => [u.rtpTimestamp, u.samples]), [[48000, 1920]]);
 * ```
 */
export class OpusDepacketizer implements AudioDepacketizer {
  #order = new PacketOrder();
  #dropped = 0;

  /** Packets that gave no Opus packet. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Takes one RTP packet; returns its Opus packet, or nothing. */
  push(packet: RtpPacket): AudioUnit[] {
    if (this.#order.arrive(packet.sequenceNumber) === "late") {
      this.#dropped++;
      return [];
    }
    const samples = opusPacketDuration(packet.payload);
    if (samples === undefined) {
      this.#dropped++;
      return [];
    }
    return [{ data: packet.payload.slice(), rtpTimestamp: packet.timestamp, samples }];
  }

  /** Nothing is ever held; forgets the sequence numbers. */
  flush(): AudioUnit[] {
    this.#order.reset();
    return [];
  }
}
