/**
 * RTP packets of an `MP4A-LATM` track (RFC 6416, `cpresent=0`) → plain AAC access units, so ingest
 * can re-serve the audio as `mpeg4-generic` with the AudioSpecificConfig from {@link LatmConfig}
 * (MEDIA.md §1.2 prefers mpeg4-generic). Input only: this server never sends LATM.
 *
 * @module
 */

import { aacFrameSamples } from "../codec/aac_config.ts";
import type { AudioDepacketizer, AudioUnit } from "./audio_unit.ts";
import type { RtpPacket } from "./header.ts";
import type { LatmConfig } from "./latm_config.ts";
import { PacketOrder } from "./sequence.ts";
import { checkInteger } from "./check_integer.ts";

/** Options of {@link LatmDepacketizer}. */
export interface LatmDepacketizerOptions {
  /** The track's configuration, from `parseLatmFmtp`. */
  config: LatmConfig;
  /** The RTP clock rate from the rtpmap, in Hz (1 to 2^31). */
  clockRate: number;
  /** Largest run of AudioMuxElements held for one timestamp, 64 to 2^20 bytes; default 65536. */
  maxElementSize?: number;
}

/**
 * Turns LATM packets into access units. A packet holds one or more AudioMuxElements, or a fragment
 * of one; the marker bit ends them (RFC 6416 §6.1, §6.3), and fragments share a timestamp. Each
 * AudioMuxElement (ISO/IEC 14496-3 §1.7.3, with muxConfigPresent 0) is a PayloadLengthInfo (bytes
 * of 255 then one below, summed) and that many bytes of access unit, then the other data. The
 * n-th access unit of a packet is stamped n frames after the packet's timestamp.
 *
 * An element that does not add up exactly, a gap in sequence numbers inside a fragmented element,
 * or a run larger than `maxElementSize` drops the elements held; never throws for any packet. A
 * sender that forgets the marker bit is tolerated: a new timestamp ends the elements held.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLatmFmtp } from "./latm_config.ts";
 * import { LatmDepacketizer } from "./latm_depacketizer.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const config = parseLatmFmtp("cpresent=0;config=400024103fc0");
 * if (config instanceof Error) throw config;
 * const depacketizer = new LatmDepacketizer({ config, clockRate: 44100 });
 * const packet: RtpPacket = {
 *   marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 0, ssrc: 1, csrc: [],
 *   paddingBytes: 0, payload: new Uint8Array([2, 0xaa, 0xbb, 1, 0xcc]),
 * };
 * const units = depacketizer.push(packet);
 * assert.deepEqual(units.map((u) => [[...u.data], u.rtpTimestamp]), [[[0xaa, 0xbb], 0], [[0xcc], 1024]]);
 * ```
 */
export class LatmDepacketizer implements AudioDepacketizer {
  readonly #otherDataBytes: number;
  readonly #frameSamples: number;
  readonly #maxElementSize: number;
  #order = new PacketOrder();
  #dropped = 0;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #heldTimestamp = 0;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: LatmDepacketizerOptions) {
    const rate = checkInteger("clockRate", opts.clockRate, 1, 2 ** 31);
    const cap = checkInteger("maxElementSize", opts.maxElementSize ?? 65536, 64, 2 ** 20);
    this.#maxElementSize = cap;
    this.#otherDataBytes = opts.config.otherDataBits / 8;
    this.#frameSamples = aacFrameSamples(opts.config.audioSpecificConfig, rate);
  }

  /** Duration of one access unit in RTP clock ticks. */
  get frameSamples(): number {
    return this.#frameSamples;
  }

  /** Packets that went into no emitted access unit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Takes one RTP packet; returns the access units it completes. */
  push(packet: RtpPacket): AudioUnit[] {
    const arrival = this.#order.arrive(packet.sequenceNumber);
    if (arrival === "late") {
      this.#dropped++;
      return [];
    }
    let out: AudioUnit[] = [];
    if (this.#held.length > 0) {
      // A lost packet may have been the rest of the held fragment.
      if (arrival === "gap") this.#drop();
      else if (packet.timestamp !== this.#heldTimestamp) out = this.#finish();
    }
    if (this.#held.length === 0) this.#heldTimestamp = packet.timestamp;
    if (this.#heldBytes + packet.payload.length > this.#maxElementSize) {
      this.#drop();
      this.#dropped++;
      return out;
    }
    this.#held.push(packet.payload.slice());
    this.#heldBytes += packet.payload.length;
    if (packet.marker) out = out.concat(this.#finish());
    return out;
  }

  /** Ends the stream: elements held without their marker are parsed if they add up. */
  flush(): AudioUnit[] {
    const out = this.#held.length > 0 ? this.#finish() : [];
    this.#order.reset();
    return out;
  }

  #drop(): void {
    this.#dropped += this.#held.length;
    this.#held = [];
    this.#heldBytes = 0;
  }

  /** Parses the held bytes as whole AudioMuxElements; all or nothing. */
  #finish(): AudioUnit[] {
    const bytes = this.#held.length === 1 ? this.#held[0] : new Uint8Array(this.#heldBytes);
    if (this.#held.length > 1) {
      let at = 0;
      for (const part of this.#held) {
        bytes.set(part, at);
        at += part.length;
      }
    }
    const out: AudioUnit[] = [];
    let at = 0;
    let index = 0;
    while (at < bytes.length) {
      // PayloadLengthInfo for frameLengthType 0: tmp bytes summed while tmp == 255.
      let length = 0;
      let byte = 255;
      while (byte === 255) {
        if (at >= bytes.length) return this.#fail();
        byte = bytes[at++];
        length += byte;
      }
      const end = at + length;
      if (end + this.#otherDataBytes > bytes.length) return this.#fail();
      if (length > 0) {
        out.push({
          data: bytes.subarray(at, end),
          rtpTimestamp: (this.#heldTimestamp + index * this.#frameSamples) >>> 0,
          samples: this.#frameSamples,
        });
      }
      index++;
      at = end + this.#otherDataBytes;
    }
    this.#held = [];
    this.#heldBytes = 0;
    return out;
  }

  #fail(): AudioUnit[] {
    this.#drop();
    return [];
  }
}
