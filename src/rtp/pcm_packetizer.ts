/**
 * G.711 (PCMU, PCMA; RFC 3551 §4.5.14) and L16 (§4.5.11) samples → RTP packets. The samples are
 * already in wire format (G.711 bytes, or big-endian 16-bit), interleaved by channel; they are cut
 * into packets of whole sample frames, at most `ptime` ms and the payload limit each, and the
 * timestamp advances by one per sample frame (§4.1 and §4.2: the clock is the sample rate).
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { type AudioPacketizerOptions, AudioPacketWriter } from "./audio_packet_writer.ts";
import { PacketList } from "./packet_list.ts";
import { checkInteger } from "./check_integer.ts";

/** Options of {@link PcmPacketizer}. */
export interface PcmPacketizerOptions extends AudioPacketizerOptions {
  /** The track: codec `pcmu`, `pcma` or `l16`, its clock rate (the sample rate) and channels. */
  format: AudioFormat;
  /** Longest packet in milliseconds, 1 to 1000; default 20 (RFC 3551 §4.2's usual packet time). */
  ptime?: number;
}

/** Bytes of one sample frame (one sample of every channel) of a PCM format. */
export function pcmFrameBytes(format: AudioFormat): number {
  return (format.codec === "l16" ? 2 : 1) * format.channels;
}

/** Throws a `RangeError` unless `format` is a PCM format this code handles. */
export function checkPcmFormat(format: AudioFormat): void {
  if (format.codec !== "pcmu" && format.codec !== "pcma" && format.codec !== "l16") {
    throw new RangeError(`a PCM payload needs codec pcmu, pcma or l16, got ${format.codec}`);
  }
  checkInteger("clockRate", format.clockRate, 1, 384000);
  checkInteger("channels", format.channels, 1, 255);
}

/**
 * Cuts PCM sample bytes into RTP packets. Keeps the sequence number between calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PcmPacketizer } from "./pcm_packetizer.ts";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const packetizer = new PcmPacketizer({
 *   payloadType: 0, ssrc: 1, initialSequence: 0,
 *   format: { codec: "pcmu", clockRate: 8000, channels: 1 },
 * });
 * // 50 ms of µ-law: packets of 20, 20 and 10 ms.
 * const list = packetizer.packetize(new Uint8Array(400).fill(0xff), 1000);
 * const packets = [...list.packets()].map((p) => parseRtpPacket(p)!);
 * assert.deepEqual(packets.map((p) => [p.timestamp, p.payload.length]), [[1000, 160], [1160, 160], [1320, 80]]);
 * ```
 */
export class PcmPacketizer {
  readonly #writer: AudioPacketWriter;
  readonly #frameBytes: number;
  readonly #framesPerPacket: number;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: PcmPacketizerOptions) {
    this.#writer = new AudioPacketWriter(opts);
    checkPcmFormat(opts.format);
    const ptime = opts.ptime ?? 20;
    if (typeof ptime !== "number" || !(ptime >= 1 && ptime <= 1000)) {
      throw new RangeError(`ptime must be from 1 to 1000 ms, got ${String(ptime)}`);
    }
    this.#frameBytes = pcmFrameBytes(opts.format);
    const byTime = Math.floor(opts.format.clockRate * ptime / 1000);
    const bySize = Math.floor(this.#writer.maxPayloadSize / this.#frameBytes);
    if (bySize < 1) throw new RangeError("maxPayloadSize is smaller than one sample frame");
    this.#framesPerPacket = Math.max(1, Math.min(byTime, bySize));
  }

  /** Sequence number the next packet will carry. */
  get nextSequence(): number {
    return this.#writer.nextSequence;
  }

  /** Sample frames in a full packet. */
  get framesPerPacket(): number {
    return this.#framesPerPacket;
  }

  /**
   * Packetizes `samples` (whole sample frames: a `RangeError` otherwise, since a split frame would
   * swap the channels of everything after it), the first frame at RTP timestamp `timestamp`. The
   * next call's timestamp is `timestamp` + frames given. The marker bit, when `marker` is set,
   * goes on the first packet only: the start of a talkspurt (RFC 3551 §4.1).
   */
  packetize(samples: Uint8Array, timestamp: number, marker = false): PacketList {
    checkInteger("timestamp", timestamp, 0, 0xffffffff);
    if (samples.length % this.#frameBytes !== 0) {
      throw new RangeError(
        `${samples.length} bytes are not whole sample frames of ${this.#frameBytes} bytes`,
      );
    }
    const frames = samples.length / this.#frameBytes;
    const list = new PacketList(samples.length + 32 * Math.ceil(frames / this.#framesPerPacket));
    for (let from = 0; from < frames; from += this.#framesPerPacket) {
      const to = Math.min(frames, from + this.#framesPerPacket);
      const at = (timestamp + from) >>> 0;
      const payload = this.#writer.append(
        list,
        (to - from) * this.#frameBytes,
        at,
        marker && from === 0,
      );
      payload.set(samples.subarray(from * this.#frameBytes, to * this.#frameBytes));
    }
    return list;
  }
}
