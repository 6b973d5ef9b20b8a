/**
 * Shared pieces of the fast-check fuzz suites: the fixed seed, "almost valid" mutation
 * arbitraries, and the checks every parser must pass (only its own error class, input unchanged,
 * nothing read or returned from outside the view it was given).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
export { concat } from "../support/bytes.ts";

/** Every suite runs with this seed, so CI sees the same cases each time. */
export const SEED = 42;

/** Bytes that tend to matter to text and binary parsers. */
export const INTERESTING: readonly number[] = [
  0x00,
  0x01,
  0x09,
  0x0a,
  0x0d,
  0x20,
  0x22,
  0x24,
  0x2c,
  0x2d,
  0x2f,
  0x30,
  0x39,
  0x3a,
  0x3b,
  0x3d,
  0x7f,
  0x80,
  0xc3,
  0xd8,
  0xd9,
  0xff,
];

/** Sentinels placed around a view: a parser that reads past its input sees one of them. */
export const SENTINELS: readonly number[] = [0x00, 0xff, 0x0a, 0x24];

/** Runs `predicate` over `numRuns` cases of `arb` with the fixed seed. */
export function check<T>(arb: fc.Arbitrary<T>, numRuns: number, predicate: (v: T) => void): void {
  fc.assert(fc.property(arb, predicate), { seed: SEED, numRuns });
}

/** A byte biased towards {@link INTERESTING} ones. */
export const byteArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.integer({ min: 0, max: 255 }),
);

/** Random bytes, biased towards {@link INTERESTING} ones. */
export function randomBytes(maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.array(byteArb, { maxLength }).map((a) => Uint8Array.from(a));
}

interface Edit {
  op: number;
  at: number;
  byte: number;
  len: number;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.integer({ min: 0, max: 6 }),
  at: fc.nat(),
  byte: byteArb,
  len: fc.integer({ min: 1, max: 24 }),
});

function applyEdit(bytes: number[], e: Edit): void {
  const at = e.at % (bytes.length + 1);
  switch (e.op) {
    case 0: // set
      if (at < bytes.length) bytes[at] = e.byte;
      break;
    case 1: // flip a bit
      if (at < bytes.length) bytes[at] ^= 1 << (e.byte & 7);
      break;
    case 2: // insert a run
      bytes.splice(at, 0, ...Array(e.len).fill(e.byte));
      break;
    case 3: // delete
      bytes.splice(at, e.len);
      break;
    case 4: // duplicate a slice
      bytes.splice(at, 0, ...bytes.slice(at, at + e.len));
      break;
    case 5: // truncate
      bytes.length = at;
      break;
    default: // set a byte to a boundary value of a length field
      if (at < bytes.length) bytes[at] = [0, 1, 0x7f, 0x80, 0xfe, 0xff][e.byte % 6];
  }
}

/** "Almost valid" input: one of `seeds` with one to five random edits. */
export function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    fc.integer({ min: 0, max: seeds.length - 1 }),
    fc.array(editArb, { minLength: 1, maxLength: 5 }),
  ).map(([i, edits]) => {
    const bytes = Array.from(seeds[i]);
    for (const e of edits) applyEdit(bytes, e);
    return Uint8Array.from(bytes);
  });
}

/** Both random and almost-valid inputs. */
export function fuzzInput(seeds: readonly Uint8Array[], maxRandom = 256): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: mutated(seeds) },
    { weight: 1, arbitrary: randomBytes(maxRandom) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
  );
}

/** `bytes` as a view into a larger buffer filled with `sentinel` on both sides. */
export function inSentinel(bytes: Uint8Array, sentinel: number, before = 13): Uint8Array {
  const buffer = new Uint8Array(before + bytes.length + 61).fill(sentinel);
  buffer.set(bytes, before);
  return buffer.subarray(before, before + bytes.length);
}

/** Asserts that `view` lies inside `input`'s bytes (same buffer, within its offsets). */
export function assertInside(view: Uint8Array, input: Uint8Array, what: string): void {
  if (view.length === 0) return;
  assert.equal(view.buffer, input.buffer, `${what}: a view of another buffer`);
  assert.ok(
    view.byteOffset >= input.byteOffset &&
      view.byteOffset + view.length <= input.byteOffset + input.length,
    `${what}: bytes ${view.byteOffset}..${view.byteOffset + view.length} outside the input ` +
      `${input.byteOffset}..${input.byteOffset + input.length}`,
  );
}

/** What a parse came to: its plain result, or the message of its own error class. */
export type Outcome = { ok: unknown } | { error: string };

/**
 * Runs `parse`, asserting that it throws nothing but `errorClass`, and turns the result into
 * plain data with `plain` (Uint8Array views become number arrays).
 */
export function outcome<T>(
  // deno-lint-ignore no-explicit-any
  errorClass: new (...args: any[]) => Error,
  parse: () => T,
  plain: (v: T) => unknown = toPlain,
): Outcome {
  let value: T;
  try {
    value = parse();
  } catch (e) {
    assert.ok(e instanceof errorClass, `threw ${e instanceof Error ? e.stack : String(e)}`);
    return { error: e.message };
  }
  return { ok: plain(value) };
}

/** Deep copy with every typed array turned into a number array, for deepEqual. */
export function toPlain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) return [...v].map(toPlain);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}

/**
 * The core property for a whole-buffer parser: on an exact copy and on views with each sentinel
 * around them, `run` gives the same outcome, never changes its input, and (through `views`)
 * returns no byte from outside it.
 */
export function sameEverywhere(
  input: Uint8Array,
  run: (bytes: Uint8Array) => Outcome,
  views?: (bytes: Uint8Array) => Uint8Array[],
): Outcome {
  const exact = input.slice();
  const expected = run(exact);
  assert.deepEqual(exact, input, "the parser changed its input");
  for (const s of SENTINELS) {
    const view = inSentinel(input, s);
    const before = view.slice();
    assert.deepEqual(run(view), expected, `a sentinel 0x${s.toString(16)} changed the result`);
    assert.deepEqual(view, before, "the parser changed its input");
    for (const v of views?.(view) ?? []) assertInside(v, view, "result");
  }
  return expected;
}

/** ASCII/Latin-1 bytes of a string. */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** Latin-1 text of bytes. */
export function fromLatin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** A file of test/testdata/ (path relative to it). */
export function testdata(path: string): Uint8Array {
  return Deno.readFileSync(new URL(`../testdata/${path}`, import.meta.url));
}

/** Writes a crasher for a human to add to test/testdata/fuzz/<parser>/ (only with FUZZ_SAVE=1). */
export function saveCrasher(parser: string, name: string, bytes: Uint8Array): void {
  if (Deno.env.get("FUZZ_SAVE") !== "1") return;
  const dir = new URL(`../testdata/fuzz/${parser}/`, import.meta.url);
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeFileSync(new URL(`${name}.bin`, dir), bytes);
}
