/**
 * Opus packets → RTP packets (RFC 7587): one Opus packet per RTP packet, as the encoder made it
 * (§4.2), on a 48 kHz clock whatever rate the encoder ran at (§4.1).
 *
 * @module
 */

import { opusPacketDuration } from "../codec/opus_toc.ts";
import { type AudioPacketizerOptions, AudioPacketWriter } from "./audio_packet_writer.ts";
import { PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/**
 * Puts Opus packets into RTP packets. Keeps the sequence number between calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusPacketizer } from "./opus_packetizer.ts";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const packetizer = new OpusPacketizer({ payloadType: 111, ssrc: 1, initialSequence: 0 });
 * const list = packetizer.packetize(new Uint8Array([0xfc, 0xff, 0xfe]), 960);
 * const packet = parseRtpPacket([...list.packets()][0])!;
 * assert.equal(packet.timestamp, 960);
 * assert.deepEqual([...packet.payload], [0xfc, 0xff, 0xfe]);
 * ```
 */
export class OpusPacketizer {
  readonly #writer: AudioPacketWriter;
  #skipped = 0;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: AudioPacketizerOptions) {
    this.#writer = new AudioPacketWriter(opts);
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#writer.nextSequence;
  }

  /** Opus packets refused so far: malformed (RFC 6716 §3.4) or larger than the payload limit. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Sends one Opus packet at RTP timestamp `timestamp` (48 kHz, 0 to 2^32-1); the next one goes
   * at `timestamp + opusPacketDuration(packet)`. `marker` marks the first packet of a talkspurt
   * after DTX (RFC 7587 §4.2). A malformed or oversized packet gives an empty list and is counted
   * in {@link skipped}: Opus cannot be fragmented.
   */
  packetize(packet: Uint8Array, timestamp: number, marker = false): PacketList {
    checkInteger("timestamp", timestamp, 0, 0xffffffff);
    const list = new PacketList(packet.length + 64);
    if (opusPacketDuration(packet) === undefined || packet.length > this.#writer.maxPayloadSize) {
      this.#skipped++;
      return list;
    }
    this.#writer.append(list, packet.length, timestamp, marker).set(packet);
    return list;
  }
}
