/**
 * Reads just enough of a WebAssembly binary for the encoder profile: its sections, whether two
 * builds have the same code, and the function names of a `name` section.
 *
 * @module
 */

interface Section {
  id: number;
  name?: string;
  start: number;
  end: number;
}

function readU32(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, at];
    shift += 7;
  }
}

function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = readU32(bytes, at);
    const end = body + size;
    let name: string | undefined;
    if (id === 0) {
      const [len, s] = readU32(bytes, body);
      name = new TextDecoder().decode(bytes.subarray(s, s + len));
    }
    out.push({ id, name, start, end });
    at = end;
  }
  return out;
}

/** Whether `named` without its custom sections is byte-identical to `plain` without its own. */
export function sameCode(named: Uint8Array, plain: Uint8Array): boolean {
  const strip = (b: Uint8Array) =>
    sections(b).filter((s) => s.id !== 0).map((s) => b.subarray(s.start, s.end));
  const a = strip(named);
  const b = strip(plain);
  return a.length === b.length && a.every((s, i) =>
    s.length === b[i].length && s.every(
      (v, j) => v === b[i][j],
    )
  );
}

/** Function index → name, from a module's `name` section (subsection 1, function names). */
export function functionNames(bytes: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  const section = sections(bytes).find((s) => s.id === 0 && s.name === "name");
  if (!section) return names;
  const decoder = new TextDecoder();
  // Section id byte, size, then the custom section's own name ("name"), then subsections.
  let at = readU32(bytes, section.start + 1)[1];
  const [nameLen, afterLen] = readU32(bytes, at);
  at = afterLen + nameLen;
  while (at < section.end) {
    const kind = bytes[at++];
    const [size, body] = readU32(bytes, at);
    if (kind === 1) {
      let [count, p] = readU32(bytes, body);
      for (; count > 0; count--) {
        const [index, q] = readU32(bytes, p);
        const [len, s] = readU32(bytes, q);
        names.set(index, decoder.decode(bytes.subarray(s, s + len)));
        p = s + len;
      }
    }
    at = body + size;
  }
  return names;
}
