/**
 * The growth policy of the incremental parsers' receive buffers (RTSP messages, multipart ingest):
 * unread bytes `[start, end)` are compacted to the front when that frees enough room, else moved
 * to a buffer of twice what they need. Amortized O(1) per byte: a compaction copies at most as
 * many bytes as must arrive before the next one. Pure.
 *
 * @module
 */

/** Where the unread bytes are after {@link makeRoom}: from 0 to `end` of `buf`. */
export interface Room<B extends ArrayBufferLike> {
  /** The buffer: the same one compacted, or a new one. */
  buf: Uint8Array<B | ArrayBuffer>;
  /** End of the unread bytes, which now start at 0. */
  end: number;
  /** Whether `buf` is new (so nothing handed out points into it). */
  grown: boolean;
}

/**
 * Makes room for `extra` bytes after `end`, or returns undefined when there is room already.
 * `pinned`: views into `buf` were handed out, so its bytes must not be overwritten (it is then
 * replaced, never compacted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeRoom } from "./receive_buffer.ts";
 *
 * const buf = new Uint8Array(8);
 * assert.equal(makeRoom(buf, 6, 8, false, 0, 8), undefined);
 * assert.deepEqual(makeRoom(buf, 6, 8, false, 4, 8)?.end, 2); // compacted in place
 * assert.equal(makeRoom(buf, 0, 8, false, 4, 8)?.buf.length, 32); // grown
 * ```
 */
export function makeRoom<B extends ArrayBufferLike>(
  buf: Uint8Array<B>,
  start: number,
  end: number,
  pinned: boolean,
  extra: number,
  minCapacity: number,
): Room<B> | undefined {
  const capacity = buf.length;
  if (capacity - end >= extra) return undefined;
  const unread = end - start;
  if (!pinned && unread + extra <= capacity && unread <= capacity >>> 1) {
    buf.copyWithin(0, start, end);
    return { buf, end: unread, grown: false };
  }
  let size = minCapacity;
  while (size < 2 * unread + extra) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(start, end));
  return { buf: next, end: unread, grown: true };
}
