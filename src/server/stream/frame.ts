/**
 * One frame as it goes out (an H.264 access unit or a JPEG picture): its RTP packets, built once and
 * shared by every reader.
 *
 * @module
 */

import type { PacketList } from "../../rtp/packet_list.ts";

/** A frame packetized for RTP, shared read-only by all readers of a stream. */
export class Frame {
  /** The RTP packets, in interleaved framing on channel 0. */
  readonly packets: PacketList;
  /** Whether decoding can start here (an IDR picture with SPS and PPS in front; every JPEG). */
  readonly keyframe: boolean;
  /** RTP timestamp of every packet of the frame. */
  readonly rtpTimestamp: number;
  /** Sequence number of the first packet. */
  readonly firstSequence: number;
  /** Where the frame lies on its stream's time line, microseconds (see `media_clock.ts`). */
  readonly streamUs: number;
  #framed: Map<number, Uint8Array> | undefined;
  #views: readonly Uint8Array[] | undefined;

  /** Wraps packets made by a packetizer. */
  constructor(
    packets: PacketList,
    keyframe: boolean,
    rtpTimestamp: number,
    firstSequence: number,
    streamUs = 0,
  ) {
    this.packets = packets;
    this.keyframe = keyframe;
    this.rtpTimestamp = rtpTimestamp;
    this.firstSequence = firstSequence;
    this.streamUs = streamUs;
  }

  /** Bytes a TCP reader receives for this frame, framing included. */
  get byteLength(): number {
    return this.packets.packetBytes + this.packets.count * 4;
  }

  /**
   * The RTP packets without framing, for UDP readers: views of the shared buffer, made once per
   * frame on first use and shared by every reader rather than made again per reader.
   */
  get packetViews(): readonly Uint8Array[] {
    return this.#views ??= [...this.packets.packets()];
  }

  /**
   * The whole frame framed for one interleaved channel (RFC 2326 §10.12), to be sent in one write.
   * Channel 0 costs nothing; other channels are copied once per frame and kept for the next reader.
   */
  framedFor(channel: number): Uint8Array {
    if (channel === 0) return this.packets.framed(0);
    this.#framed ??= new Map();
    let bytes = this.#framed.get(channel);
    if (bytes === undefined) {
      bytes = this.packets.framed(channel);
      this.#framed.set(channel, bytes);
    }
    return bytes;
  }
}
