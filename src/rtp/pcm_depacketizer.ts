/**
 * RTP packets → G.711 (PCMU, PCMA) or L16 samples (RFC 3551 §4.5.14, §4.5.11): the payload is the
 * samples, interleaved by channel, one timestamp tick per sample frame.
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import type { AudioDepacketizer, AudioUnit } from "./audio_unit.ts";
import type { RtpPacket } from "./header.ts";
import { checkPcmFormat, pcmFrameBytes } from "./pcm_packetizer.ts";
import { PacketOrder } from "./sequence.ts";

/** Options of {@link PcmDepacketizer}. */
export interface PcmDepacketizerOptions {
  /** The track: codec `pcmu`, `pcma` or `l16`, clock rate and channels. */
  format: AudioFormat;
}

/**
 * Takes PCM samples out of RTP packets, tolerant of what devices send: the marker bit is ignored
 * (ESP32-RTSPServer sets it on every packet, MEDIA.md §1.4), and bytes after the last whole sample
 * frame (an odd byte of L16) are dropped and counted in {@link trimmedBytes}. Late or duplicate
 * packets are dropped; a gap is not filled (the timestamps show it). Never throws for any packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PcmDepacketizer } from "./pcm_depacketizer.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const depacketizer = new PcmDepacketizer({ format: { codec: "l16", clockRate: 16000, channels: 1 } });
 * const packet: RtpPacket = {
 *   marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 320, ssrc: 1, csrc: [],
 *   paddingBytes: 0, payload: new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a]),
 * };
 * const [unit] = depacketizer.push(packet);
 * assert.deepEqual([[...unit.data], unit.rtpTimestamp, unit.samples], [[0x12, 0x34, 0x56, 0x78], 320, 2]);
 * assert.equal(depacketizer.trimmedBytes, 1);
 * ```
 */
export class PcmDepacketizer implements AudioDepacketizer {
  readonly #frameBytes: number;
  #order = new PacketOrder();
  #dropped = 0;
  #trimmed = 0;

  /** Checks the format; throws a `RangeError` for one that is not PCM. */
  constructor(opts: PcmDepacketizerOptions) {
    checkPcmFormat(opts.format);
    this.#frameBytes = pcmFrameBytes(opts.format);
  }

  /** Packets that gave no samples: late, duplicated, or shorter than one sample frame. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes dropped after the last whole sample frame of a packet, over all packets. */
  get trimmedBytes(): number {
    return this.#trimmed;
  }

  /** Takes one RTP packet; returns its samples, or nothing. */
  push(packet: RtpPacket): AudioUnit[] {
    if (this.#order.arrive(packet.sequenceNumber) === "late") {
      this.#dropped++;
      return [];
    }
    const length = packet.payload.length;
    const frames = Math.floor(length / this.#frameBytes);
    const usable = frames * this.#frameBytes;
    this.#trimmed += length - usable;
    if (frames === 0) {
      this.#dropped++;
      return [];
    }
    return [{
      data: packet.payload.slice(0, usable),
      rtpTimestamp: packet.timestamp,
      samples: frames,
    }];
  }

  /** Nothing is ever held; forgets the sequence numbers. */
  flush(): AudioUnit[] {
    this.#order.reset();
    return [];
  }
}
