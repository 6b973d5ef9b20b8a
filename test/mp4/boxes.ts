/** A reader of ISO BMFF box trees for the muxer tests: type, size and payload of each box. */

/** One box as read back. */
export interface ReadBox {
  /** The four-character type, e.g. `moov`. */
  type: string;
  /** The size field: header and payload. */
  size: number;
  /** The payload after the 8-byte header. */
  payload: Uint8Array;
  /** Child boxes, for the container types the muxer writes. */
  children: ReadBox[];
}

const CONTAINERS = new Set([
  "moov",
  "trak",
  "mdia",
  "minf",
  "dinf",
  "stbl",
  "mvex",
  "moof",
  "traf",
]);
// Boxes whose children follow a fixed prefix: stsd and dref (FullBox + entry_count), avc1 (78).
const PREFIXED: Record<string, number> = { stsd: 8, dref: 8, avc1: 78 };

/** Reads the boxes of `bytes` one after the other; throws when a size runs past the end. */
export function readBoxes(bytes: Uint8Array): ReadBox[] {
  const out: ReadBox[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length;) {
    const size = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    if (size < 8 || at + size > bytes.length) {
      throw new Error(`box ${type} of ${size} bytes at ${at}`);
    }
    const payload = bytes.subarray(at + 8, at + size);
    const skip = PREFIXED[type];
    const children = CONTAINERS.has(type)
      ? readBoxes(payload)
      : skip !== undefined
      ? readBoxes(payload.subarray(skip))
      : [];
    out.push({ type, size, payload, children });
    at += size;
  }
  return out;
}

/** The box at a path of types, e.g. `["moov", "trak", "tkhd"]`. */
export function find(boxes: ReadBox[], path: string[]): ReadBox {
  let found: ReadBox | undefined;
  let level = boxes;
  for (const type of path) {
    found = level.find((b) => b.type === type);
    if (!found) throw new Error(`no ${type} in ${path.join("/")}`);
    level = found.children;
  }
  return found!;
}

/** Big-endian 32-bit field of a payload. */
export function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
}
