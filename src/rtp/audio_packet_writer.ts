/**
 * The part every audio packetizer shares: checked options, the running sequence number, and
 * appending one packet (RTP header + room for the payload) to a {@link PacketList}, so that audio
 * packets reach the stream layer in the same form as video ones.
 *
 * @module
 */

import { RTP_HEADER_SIZE, writeRtpHeader } from "./header.ts";
import type { PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/** Options every audio packetizer takes. */
export interface AudioPacketizerOptions {
  /** Payload type from the SDP, 0 to 127 (static 0, 8, 10, 11 or a dynamic one). */
  payloadType: number;
  /** SSRC of the stream, 0 to 2^32-1, chosen at random by the caller (RFC 3550 §8). */
  ssrc: number;
  /** Sequence number of the first packet, 0 to 65535, chosen at random by the caller (§5.1). */
  initialSequence: number;
  /** Largest RTP payload in bytes, 100 to 65000; default 1400 to stay under common MTUs. */
  maxPayloadSize?: number;
}

/**
 * Writes the RTP packets of one audio stream. Keeps the sequence number between calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioPacketWriter } from "./audio_packet_writer.ts";
 * import { parseRtpPacket } from "./header.ts";
 * import { PacketList } from "./packet_list.ts";
 *
 * const writer = new AudioPacketWriter({ payloadType: 0, ssrc: 9, initialSequence: 65535 });
 * const list = new PacketList();
 * writer.append(list, 2, 160, true).set([0xff, 0x7f]);
 * const packet = parseRtpPacket([...list.packets()][0])!;
 * assert.equal(packet.sequenceNumber, 65535);
 * assert.deepEqual([...packet.payload], [0xff, 0x7f]);
 * assert.equal(writer.nextSequence, 0);
 * ```
 */
export class AudioPacketWriter {
  readonly #payloadType: number;
  readonly #ssrc: number;
  readonly #maxPayloadSize: number;
  #sequence: number;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: AudioPacketizerOptions) {
    this.#payloadType = checkInteger("payloadType", opts.payloadType, 0, 127);
    this.#ssrc = checkInteger("ssrc", opts.ssrc, 0, 0xffffffff);
    this.#sequence = checkInteger("initialSequence", opts.initialSequence, 0, 0xffff);
    this.#maxPayloadSize = checkInteger("maxPayloadSize", opts.maxPayloadSize ?? 1400, 100, 65000);
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** Largest RTP payload, in bytes. */
  get maxPayloadSize(): number {
    return this.#maxPayloadSize;
  }

  /**
   * Appends a packet with `payloadSize` bytes of payload (1 to the maximum) to `list`, writes its
   * header and returns the view to write the payload into (fill it before the next append). Counts
   * the payload bytes for RTCP (RFC 3550 §6.4.1).
   */
  append(list: PacketList, payloadSize: number, timestamp: number, marker: boolean): Uint8Array {
    checkInteger("payloadSize", payloadSize, 1, this.#maxPayloadSize);
    const packet = list.append(RTP_HEADER_SIZE + payloadSize);
    writeRtpHeader(packet, {
      marker,
      payloadType: this.#payloadType,
      sequenceNumber: this.#sequence,
      timestamp,
      ssrc: this.#ssrc,
    });
    this.#sequence = (this.#sequence + 1) & 0xffff;
    list.addPayloadBytes(payloadSize);
    return packet.subarray(RTP_HEADER_SIZE);
  }
}
