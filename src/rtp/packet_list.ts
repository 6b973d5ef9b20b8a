/**
 * The RTP packets of one frame, stored back to back in one buffer, each behind the 4-byte
 * interleaved header of RFC 2326 §10.12 (`$`, channel, 16-bit length). A TCP reader gets the whole
 * frame in one write; a UDP reader gets `subarray` views of the packets. The packets are built once
 * and shared by every reader of a stream.
 *
 * @module
 */

/** Bytes in front of every packet: `$`, channel id and a 16-bit big-endian length. */
export const INTERLEAVED_HEADER_SIZE = 4;

const DOLLAR = 0x24;

/**
 * One packet (an RTCP report, say) behind the interleaved header for `channel`, in a buffer of
 * its own, ready for one TCP write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interleaved } from "./packet_list.ts";
 *
 * assert.deepEqual([...interleaved(3, new Uint8Array([7, 8]))], [0x24, 3, 0, 2, 7, 8]);
 * ```
 */
export function interleaved(channel: number, packet: Uint8Array): Uint8Array {
  const framed = new Uint8Array(INTERLEAVED_HEADER_SIZE + packet.length);
  framed[0] = DOLLAR;
  framed[1] = channel;
  framed[2] = packet.length >> 8;
  framed[3] = packet.length & 0xff;
  framed.set(packet, INTERLEAVED_HEADER_SIZE);
  return framed;
}

/**
 * A growable list of RTP packets in interleaved framing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketList } from "./packet_list.ts";
 *
 * const list = new PacketList();
 * list.append(3).set([1, 2, 3]);
 * list.append(2).set([4, 5]);
 * assert.equal(list.count, 2);
 * assert.deepEqual([...list.packets()].map((p) => [...p]), [[1, 2, 3], [4, 5]]);
 * assert.deepEqual([...list.framed(1)], [0x24, 1, 0, 3, 1, 2, 3, 0x24, 1, 0, 2, 4, 5]);
 * ```
 */
export class PacketList {
  #buffer: Uint8Array;
  #length = 0;
  #count = 0;
  #payloadBytes = 0;

  /** Creates an empty list with room for `capacity` framed bytes before it grows. */
  constructor(capacity = 2048) {
    this.#buffer = new Uint8Array(Math.max(capacity, 64));
  }

  /** Number of packets in the list. */
  get count(): number {
    return this.#count;
  }

  /** Total bytes of the RTP packets, without the interleaved headers. */
  get packetBytes(): number {
    return this.#length - this.#count * INTERLEAVED_HEADER_SIZE;
  }

  /** Total RTP payload bytes (packets minus their RTP headers), as counted by {@link addPayloadBytes}. */
  get payloadBytes(): number {
    return this.#payloadBytes;
  }

  /** Records how many payload bytes the packetizer put in; RTCP sender reports count them (RFC 3550 §6.4.1). */
  addPayloadBytes(n: number): void {
    this.#payloadBytes += n;
  }

  /**
   * Appends a packet of `size` bytes (1 to 65535) and returns the view to write it into. The view is
   * valid until the next `append`, which may move the buffer: fill it at once.
   */
  append(size: number): Uint8Array {
    if (!Number.isInteger(size) || size < 1 || size > 0xffff) {
      throw new RangeError(`an RTP packet must be 1 to 65535 bytes, got ${size}`);
    }
    const need = this.#length + INTERLEAVED_HEADER_SIZE + size;
    if (need > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    const at = this.#length;
    this.#buffer[at] = DOLLAR;
    this.#buffer[at + 1] = 0;
    this.#buffer[at + 2] = size >> 8;
    this.#buffer[at + 3] = size & 0xff;
    this.#length = need;
    this.#count++;
    return this.#buffer.subarray(at + INTERLEAVED_HEADER_SIZE, need);
  }

  /** The RTP packets, as views without the interleaved headers. */
  *packets(): IterableIterator<Uint8Array> {
    const buf = this.#buffer;
    let at = 0;
    while (at < this.#length) {
      const size = (buf[at + 2] << 8) | buf[at + 3];
      const start = at + INTERLEAVED_HEADER_SIZE;
      yield buf.subarray(start, start + size);
      at = start + size;
    }
  }

  /**
   * All packets framed for interleaved channel `channel` (0-255). Channel 0 is a view of the list's
   * own buffer; any other channel is a copy with the channel bytes patched, which the caller should
   * keep if it needs it again.
   */
  framed(channel: number): Uint8Array {
    const view = this.#buffer.subarray(0, this.#length);
    if (channel === 0) return view;
    if (!Number.isInteger(channel) || channel < 0 || channel > 255) {
      throw new RangeError(`an interleaved channel must be 0 to 255, got ${channel}`);
    }
    const copy = view.slice();
    let at = 0;
    while (at < copy.length) {
      copy[at + 1] = channel;
      at += INTERLEAVED_HEADER_SIZE + ((copy[at + 2] << 8) | copy[at + 3]);
    }
    return copy;
  }
}
