import assert from "node:assert/strict";
import {
  seqAdd,
  seqDiff,
  seqLess,
  SequenceTracker,
  tsAdd,
  tsDiff,
} from "../../src/rtp/sequence.ts";

Deno.test("seqAdd() wraps modulo 2^16 both ways", () => {
  assert.equal(seqAdd(65535, 1), 0);
  assert.equal(seqAdd(65530, 10), 4);
  assert.equal(seqAdd(3, -5), 65534);
  assert.equal(seqAdd(0, 65536), 0);
});

Deno.test("seqDiff() gives the signed distance from a to b across the wrap", () => {
  assert.equal(seqDiff(65535, 0), 1);
  assert.equal(seqDiff(0, 65535), -1);
  assert.equal(seqDiff(100, 100), 0);
  assert.equal(seqDiff(0, 32767), 32767);
  assert.equal(seqDiff(0, 32768), -32768);
  assert.equal(seqDiff(65000, 500), 1036);
});

Deno.test("seqLess() orders sequence numbers across the wrap", () => {
  assert.equal(seqLess(65535, 0), true);
  assert.equal(seqLess(0, 65535), false);
  assert.equal(seqLess(7, 7), false);
});

Deno.test("tsAdd() and tsDiff() wrap modulo 2^32 and stay unsigned / signed", () => {
  assert.equal(tsAdd(0xffffffff, 1), 0);
  assert.equal(tsAdd(0, -1), 0xffffffff);
  assert.equal(tsAdd(0xfffff000, 0x2000), 0x1000);
  assert.equal(tsDiff(0xffffffff, 0), 1);
  assert.equal(tsDiff(0, 0xffffffff), -1);
  assert.equal(tsDiff(0xfffff000, 0x1000), 0x2000);
  assert.equal(tsDiff(0, 0x80000000), -0x80000000);
});

Deno.test("SequenceTracker keeps a new source on probation until two packets arrive in order", () => {
  const t = new SequenceTracker();
  assert.equal(t.update(10), undefined);
  assert.equal(t.valid, false);
  assert.equal(t.update(12), undefined); // out of order: probation starts over
  assert.equal(t.update(13), 13);
  assert.equal(t.valid, true);
  assert.equal(t.received, 1);
  assert.equal(t.expected, 1);
});

Deno.test("SequenceTracker counts cycles across 65535 → 0 and extends sequence numbers", () => {
  const t = new SequenceTracker({ minSequential: 1 });
  const extended: (number | undefined)[] = [];
  for (const seq of [65533, 65534, 65535, 0, 1, 2]) extended.push(t.update(seq));
  assert.deepEqual(extended, [65533, 65534, 65535, 65536, 65537, 65538]);
  assert.equal(t.extendedMax, 65538);
  assert.equal(t.lost, 0);
});

Deno.test("SequenceTracker reports loss, fraction per interval and late packets", () => {
  const t = new SequenceTracker({ minSequential: 1 });
  // 102 and 105-107 are lost: 4 of 9, so the fraction is 4 * 256 / 9 = 113.
  for (const seq of [100, 101, 103, 104, 108]) t.update(seq);
  assert.deepEqual(t.takeLossReport(), {
    fractionLost: 113,
    cumulativeLost: 4,
    highestSequence: 108,
  });
  assert.equal(t.update(102), 102); // late: valid, extended below the max
  assert.equal(t.update(109), 109);
  // Interval: expected 1 (109), received 2 (102 and 109) → no loss in this interval.
  assert.deepEqual(t.takeLossReport(), {
    fractionLost: 0,
    cumulativeLost: 3,
    highestSequence: 109,
  });
});

Deno.test("SequenceTracker extends a late packet from before the wrap into the previous cycle", () => {
  const t = new SequenceTracker({ minSequential: 1 });
  t.update(65534);
  t.update(1);
  assert.equal(t.update(65535), 65535);
  assert.equal(t.update(0), 65536);
});

Deno.test("SequenceTracker counts duplicates as received, so loss can go negative", () => {
  const t = new SequenceTracker({ minSequential: 1 });
  t.update(5);
  t.update(5);
  t.update(6);
  assert.equal(t.lost, -1);
  assert.equal(t.takeLossReport().cumulativeLost, -1);
});

Deno.test("SequenceTracker ignores one big jump but restarts when the next packet confirms it", () => {
  const t = new SequenceTracker({ minSequential: 1 });
  t.update(1000);
  assert.equal(t.update(40000), undefined); // a stray packet
  assert.equal(t.update(1001), 1001);
  assert.equal(t.update(50000), undefined);
  assert.equal(t.update(50001), 50001); // the sender restarted: counts start over
  assert.equal(t.received, 1);
  assert.equal(t.expected, 1);
});

Deno.test("SequenceTracker reports all zeros before any valid packet", () => {
  const t = new SequenceTracker();
  assert.deepEqual(t.takeLossReport(), { fractionLost: 0, cumulativeLost: 0, highestSequence: 0 });
  t.update(9);
  assert.equal(t.received, 0);
  assert.equal(t.expected, 0);
});

Deno.test("SequenceTracker rejects options out of range with a RangeError", () => {
  assert.throws(() => new SequenceTracker({ maxDropout: 0 }), RangeError);
  assert.throws(() => new SequenceTracker({ maxMisorder: 70000 }), RangeError);
  assert.throws(() => new SequenceTracker({ minSequential: -1 }), RangeError);
  assert.throws(
    () => new SequenceTracker({ maxDropout: 60000, maxMisorder: 6000 }),
    /maxDropout plus maxMisorder must be below 65536, got 66000/,
  );
});
