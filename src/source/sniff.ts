/**
 * Telling what a byte stream holds from its first bytes, without losing them: a Y4M signature or
 * an H.264 Annex B start code.
 *
 * @module
 */

/** What a stream was found to hold. */
export type SniffedKind = "y4m" | "h264";

const Y4M = new TextEncoder().encode("YUV4MPEG2");

/** The kind of stream that `head` starts, if it is one we know. */
export function sniffKind(head: Uint8Array): SniffedKind | undefined {
  if (head.length >= Y4M.length && Y4M.every((b, i) => head[i] === b)) return "y4m";
  // Annex B (H.264 §B.1): leading zero bytes, then a 00 00 01 start code.
  let zeros = 0;
  while (zeros < head.length && head[zeros] === 0) zeros++;
  if (zeros >= 2 && head[zeros] === 1) return "h264";
  return undefined;
}

/**
 * Reads enough of `chunks` to tell its kind, and returns the kind with a stream that still yields
 * every byte, the ones already read first.
 */
export async function sniffStream(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ kind: SniffedKind | undefined; chunks: AsyncIterable<Uint8Array> }> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < 16) {
    const next = await it.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  const joined = new Uint8Array(length);
  let at = 0;
  for (const c of head) {
    joined.set(c, at);
    at += c.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* head;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  }
  return { kind: sniffKind(joined), chunks: replay() };
}
