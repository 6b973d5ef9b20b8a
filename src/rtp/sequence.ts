/**
 * Modular arithmetic for RTP sequence numbers (16 bits) and timestamps (32 bits), and the receiver's
 * sequence tracker of RFC 3550 Appendix A.1 with the loss figures of Appendix A.3.
 *
 * @module
 */

const SEQ_MOD = 0x10000;

/**
 * `a + n` modulo 2^16 (`n` may be negative).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seqAdd } from "./sequence.ts";
 *
 * assert.equal(seqAdd(65535, 1), 0);
 * assert.equal(seqAdd(0, -1), 65535);
 * ```
 */
export function seqAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}

/**
 * Signed distance from sequence number `a` to `b` (`b − a`), from −32768 to 32767, so that
 * `seqDiff(65535, 0) === 1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seqDiff } from "./sequence.ts";
 *
 * assert.equal(seqDiff(65535, 1), 2);
 * assert.equal(seqDiff(1, 65535), -2);
 * ```
 */
export function seqDiff(a: number, b: number): number {
  return ((b - a) << 16) >> 16;
}

/** Whether sequence number `a` comes before `b`, allowing for wrap-around (RFC 1982 style). */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/**
 * `a + n` modulo 2^32 as an unsigned value (`n` may be negative); for RTP timestamps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tsAdd } from "./sequence.ts";
 *
 * assert.equal(tsAdd(0xffffffff, 3000), 2999);
 * ```
 */
export function tsAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Signed 32-bit distance from timestamp `a` to `b` (`b − a`), so `tsDiff(0xffffffff, 0) === 1`. */
export function tsDiff(a: number, b: number): number {
  return (b - a) | 0;
}

/** Where a packet falls relative to the one before it: see {@link PacketOrder}. */
export type Arrival = "next" | "gap" | "late";

/**
 * The arrival order of a depacketizer's packets, which do not reorder: "next" follows the last
 * packet, "gap" comes after missing ones (RFC 3550 §5.1: lost, maybe of the frame being built),
 * "late" is at or up to `maxMisorder` behind the last (late or duplicate; not taken). A packet
 * further back counts as a restart of the sender and is taken as a gap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketOrder } from "./sequence.ts";
 *
 * const order = new PacketOrder();
 * assert.deepEqual([65535, 0, 2, 1].map((s) => order.arrive(s)), ["next", "next", "gap", "late"]);
 * ```
 */
export class PacketOrder {
  readonly #maxMisorder: number;
  #last = -1;

  /** `maxMisorder`: how far behind a packet is still late rather than a restart (default 100). */
  constructor(maxMisorder = 100) {
    this.#maxMisorder = checkCount("maxMisorder", maxMisorder, 0);
  }

  /** Sorts the packet with sequence number `seq`; a "late" one leaves the state as it was. */
  arrive(seq: number): Arrival {
    seq &= 0xffff;
    let arrival: Arrival = "next";
    if (this.#last >= 0) {
      const step = seqDiff(this.#last, seq);
      if (step <= 0 && step >= -this.#maxMisorder) return "late";
      if (step !== 1) arrival = "gap";
    }
    this.#last = seq;
    return arrival;
  }

  /** Forgets the last packet: the next one is "next" whatever its number. */
  reset(): void {
    this.#last = -1;
  }
}

/** Tuning of {@link SequenceTracker}; the defaults are those of RFC 3550 Appendix A.1. */
export interface SequenceTrackerOptions {
  /** Largest forward jump still taken as loss rather than a restart (default 3000). */
  maxDropout?: number;
  /** Largest backward jump still taken as reordering or duplication (default 100). */
  maxMisorder?: number;
  /** Consecutive packets a new source must send before it is valid (default 2). */
  minSequential?: number;
}

/** The loss figures of one RTCP reception report block (RFC 3550 §6.4.1, Appendix A.3). */
export interface LossReport {
  /** Packets lost since the previous report, as a fixed-point fraction of 256 (0 to 255). */
  fractionLost: number;
  /** Packets lost since the start, clamped to the signed 24-bit range of the report block. */
  cumulativeLost: number;
  /** Extended highest sequence number received, modulo 2^32. */
  highestSequence: number;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value >= SEQ_MOD) {
    throw new RangeError(`${name} must be an integer from ${min} to 65535, got ${value}`);
  }
  return value;
}

/**
 * Follows one source's 16-bit sequence numbers, extends them with a cycle count and keeps the
 * received/expected counts for reception reports. It is the `update_seq` algorithm of RFC 3550
 * Appendix A.1: a new source is on probation until `minSequential` packets arrive in order; a jump
 * of more than `maxDropout` forward or `maxMisorder` backward is ignored unless the next packet
 * confirms it, in which case the tracker restarts from there (the sender restarted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SequenceTracker } from "./sequence.ts";
 *
 * const t = new SequenceTracker();
 * assert.equal(t.update(65534), undefined); // on probation
 * assert.equal(t.update(65535), 65535);
 * assert.equal(t.update(1), 65537); // 0 was lost, one cycle completed
 * assert.deepEqual(t.takeLossReport(), { fractionLost: 85, cumulativeLost: 1, highestSequence: 65537 });
 * ```
 */
export class SequenceTracker {
  readonly #maxDropout: number;
  readonly #maxMisorder: number;
  readonly #minSequential: number;
  #started = false;
  #probation: number;
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = SEQ_MOD + 1;
  #received = 0;
  #receivedPrior = 0;
  #expectedPrior = 0;

  /** Creates a tracker that has seen no packet yet. */
  constructor(options: SequenceTrackerOptions = {}) {
    this.#maxDropout = checkCount("maxDropout", options.maxDropout ?? 3000, 1);
    this.#maxMisorder = checkCount("maxMisorder", options.maxMisorder ?? 100, 0);
    this.#minSequential = checkCount("minSequential", options.minSequential ?? 2, 0);
    if (this.#maxDropout + this.#maxMisorder >= SEQ_MOD) {
      throw new RangeError(
        `maxDropout plus maxMisorder must be below 65536, got ${
          this.#maxDropout + this.#maxMisorder
        }`,
      );
    }
    this.#probation = this.#minSequential;
  }

  #init(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = SEQ_MOD + 1; // so that seq === badSeq is false
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  /**
   * Takes the sequence number (0 to 65535) of a packet that just arrived. Returns its extended
   * sequence number when the packet is valid (also for a late or duplicate one), or `undefined`
   * while the source is on probation or when the packet is a jump that is not (yet) believed.
   */
  update(seq: number): number | undefined {
    seq &= 0xffff;
    if (!this.#started) {
      // RFC 3550 A.1: on the first packet, init_seq(seq); max_seq = seq - 1; probation = MIN_SEQUENTIAL.
      this.#started = true;
      this.#init(seq);
      this.#maxSeq = seqAdd(seq, -1);
      this.#probation = this.#minSequential;
      if (this.#probation === 0) {
        this.#maxSeq = seq;
        this.#received++;
        return seq;
      }
    }
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (this.#probation > 0) {
      // Packets must arrive in sequence while on probation.
      if (seq === seqAdd(this.#maxSeq, 1)) {
        this.#probation--;
        this.#maxSeq = seq;
        if (this.#probation === 0) {
          this.#init(seq);
          this.#received++;
          return seq;
        }
      } else {
        this.#probation = this.#minSequential - 1;
        this.#maxSeq = seq;
      }
      return undefined;
    }
    if (udelta < this.#maxDropout) {
      // In order, with a permissible gap.
      if (seq < this.#maxSeq) this.#cycles += SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= SEQ_MOD - this.#maxMisorder) {
      // A very large jump: believe it only if the next packet follows on (the sender restarted).
      if (seq === this.#badSeq) {
        this.#init(seq);
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        return undefined;
      }
    }
    // Otherwise a duplicate or reordered packet: valid, counted, but max_seq stays.
    this.#received++;
    return this.extendedMax + seqDiff(this.#maxSeq, seq);
  }

  /** Whether a valid packet has been seen (the source passed probation). */
  get valid(): boolean {
    return this.#started && this.#probation === 0;
  }

  /** Highest sequence number seen, extended with the cycle count (RFC 3550 A.3 `extended_max`). */
  get extendedMax(): number {
    return this.#cycles + this.#maxSeq;
  }

  /** Number of valid packets received, duplicates included (RFC 3550 A.3 `received`). */
  get received(): number {
    return this.valid ? this.#received : 0;
  }

  /** Number of packets expected from the first valid one to {@link extendedMax}. */
  get expected(): number {
    return this.valid ? this.extendedMax - this.#baseSeq + 1 : 0;
  }

  /** Packets lost since the first valid one; negative when duplicates outnumber losses. */
  get lost(): number {
    return this.expected - this.received;
  }

  /**
   * The loss figures for the next reception report (RFC 3550 A.3); starts a new interval for
   * `fractionLost`. All zeros while no valid packet has been seen.
   */
  takeLossReport(): LossReport {
    if (!this.valid) return { fractionLost: 0, cumulativeLost: 0, highestSequence: 0 };
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0
      ? 0
      : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    return {
      fractionLost,
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, this.lost)),
      highestSequence: this.extendedMax % 0x100000000,
    };
  }
}
