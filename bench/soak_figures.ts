/**
 * The soak benchmark's arithmetic, kept apart from its processes so it can be tested: the least
 * squares line through RSS and open-fd samples, the window it is fitted over, the verdict against
 * the noise, and a reader's losses counted from RTP sequence numbers.
 *
 * @module
 */

import { seqDiff, tsDiff } from "../src/rtp/sequence.ts";

/** A least squares line `y = intercept + slope · x`. */
export interface LineFit {
  /** Points fitted. */
  n: number;
  /** Change of y per unit of x. */
  slope: number;
  /** y at x = 0. */
  intercept: number;
  /**
   * Standard error of the slope, from the residuals (`sqrt(s² / Σ(x − x̄)²)`, `s²` the residual
   * variance with n − 2 degrees of freedom); NaN with fewer than three points.
   */
  slopeError: number;
}

/** Fits a line through (`xs[i]`, `ys[i]`) by ordinary least squares. NaN slope with < 2 points. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  if (xs.length !== ys.length) throw new RangeError("xs and ys differ in length");
  const n = xs.length;
  if (n < 2) return { n, slope: NaN, intercept: n === 1 ? ys[0] : NaN, slopeError: NaN };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  if (sxx === 0) return { n, slope: NaN, intercept: my, slopeError: NaN };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let residuals = 0;
  for (let i = 0; i < n; i++) residuals += (ys[i] - intercept - slope * xs[i]) ** 2;
  const slopeError = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : NaN;
  return { n, slope, intercept, slopeError };
}

/** The part of a run the trend is fitted over. */
export interface TrendWindow {
  /** Seconds from the start of the run. */
  fromS: number;
  /** Seconds from the start of the run. */
  toS: number;
  /** How to say it: "the last 20 minutes" or "the last two thirds (… min)". */
  label: string;
}

/** Runs of at least this long are judged on their last 20 minutes; shorter ones on two thirds. */
export const FULL_RUN_S = 30 * 60;
const LAST_S = 20 * 60;

/**
 * The window the slopes are fitted over for a run of `runS` seconds: the last 20 minutes when the
 * run lasted 30 minutes or more (the first ten are start-up and warm-up: heaps growing to their
 * working size, code compiled), else its last two thirds.
 */
export function trendWindow(runS: number): TrendWindow {
  if (runS >= FULL_RUN_S) {
    return { fromS: runS - LAST_S, toS: runS, label: "the last 20 minutes" };
  }
  const fromS = runS / 3;
  return {
    fromS,
    toS: runS,
    label: `the last two thirds (${minutes(runS - fromS)} min; the run was shorter than 30 min)`,
  };
}

function minutes(s: number): string {
  return (s / 60).toFixed(s % 60 === 0 ? 0 : 1);
}

/** Whether a fitted slope is growth, judged against the noise of the samples. */
export interface GrowthVerdict {
  /** The slope, per hour. */
  perHour: number;
  /** Its standard error, per hour. */
  errorPerHour: number;
  /** The noise threshold: max(floor, 2 × standard error), per hour. */
  thresholdPerHour: number;
  /** `"growth"` when the slope is above the threshold, else `"no growth beyond noise"`. */
  verdict: "growth" | "no growth beyond noise";
}

/**
 * Judges a slope fitted with x in hours. It is growth when it exceeds both `floorPerHour` (the
 * least growth that would matter over weeks of running) and twice its standard error (what the
 * scatter of the samples could produce by chance, about 95 % one-sided for independent noise).
 * A slope whose error is unknown (too few points) is judged against the floor alone.
 */
export function judgeGrowth(fit: LineFit, floorPerHour: number): GrowthVerdict {
  const error = Number.isFinite(fit.slopeError) ? fit.slopeError : 0;
  const threshold = Math.max(floorPerHour, 2 * error);
  return {
    perHour: fit.slope,
    errorPerHour: fit.slopeError,
    thresholdPerHour: threshold,
    verdict: fit.slope > threshold ? "growth" : "no growth beyond noise",
  };
}

/** What a loss counter needs of an RTP packet. */
export interface SequencedPacket {
  /** RTP sequence number (16 bits). */
  sequenceNumber: number;
  /** RTP timestamp (32 bits). */
  timestamp: number;
  /** The marker bit: the last packet of a frame (RFC 6184 §5.1, RFC 2435 §3). */
  marker: boolean;
}

/** One gap in a reader's sequence numbers. */
export interface SequenceGap {
  /** When the packet after the gap came (the caller's clock, e.g. seconds into the run). */
  at: number;
  /** Packets missing. */
  packets: number;
  /** Frames missing or cut (see {@link SequenceLoss.lostFrames}). */
  frames: number;
}

/**
 * A reader's losses, from the RTP sequence numbers of the packets it got, in arrival order.
 *
 * The server numbers a stream's packets once, for every reader, and keeps counting across a
 * device that reconnects or a publisher that is replaced (the stream stays, see publishers.ts). A
 * source that goes quiet therefore leaves a gap in time, not in sequence numbers: every number
 * skipped is a packet the server made for the stream and this reader did not get, dropped in the
 * server (its queue was full) or on the way (a UDP datagram).
 */
export class SequenceLoss {
  /** Packets counted. */
  packets = 0;
  /** Packets missing: the sum of forward gaps. */
  lostPackets = 0;
  /**
   * Frames missing or cut short by the gaps, estimated per gap: a gap inside one frame (the same
   * RTP timestamp on both sides) cuts that frame; otherwise the frames whose time falls between the
   * packets on either side, at `ticksPerFrame`, plus the frame before if its last packet (the
   * marker) was missing; at least one. Exact when whole frames are dropped, which is how the server
   * drops (a reader that falls behind loses whole frames up to the next keyframe).
   */
  lostFrames = 0;
  /** Packets that came late or twice (not ahead of the last one); not counted as lost or found. */
  late = 0;
  /** The gaps, the first `keep` of them. */
  readonly gaps: SequenceGap[] = [];
  /** Gaps in all. */
  gapCount = 0;
  readonly #ticksPerFrame: number;
  readonly #keep: number;
  #last: SequencedPacket | undefined;

  /**
   * Counts against frames `ticksPerFrame` RTP ticks apart (90000 / fps for video), keeping the
   * first `keep` gaps.
   */
  constructor(ticksPerFrame: number, keep = 20) {
    if (!(ticksPerFrame > 0)) throw new RangeError("ticksPerFrame must be positive");
    this.#ticksPerFrame = ticksPerFrame;
    this.#keep = keep;
  }

  /** Takes the next packet to arrive; `at` dates a gap it ends. */
  push(packet: SequencedPacket, at = 0): void {
    this.packets++;
    const last = this.#last;
    if (last === undefined) {
      this.#last = packet;
      return;
    }
    const step = seqDiff(last.sequenceNumber, packet.sequenceNumber);
    if (step <= 0) {
      this.late++;
      return;
    }
    this.#last = packet;
    if (step === 1) return;
    const packets = step - 1;
    let frames: number;
    if (packet.timestamp === last.timestamp) {
      frames = 1;
    } else {
      const between = Math.max(
        0,
        Math.round(tsDiff(last.timestamp, packet.timestamp) / this.#ticksPerFrame) - 1,
      );
      frames = Math.max(1, between + (last.marker ? 0 : 1));
    }
    this.lostPackets += packets;
    this.lostFrames += frames;
    this.gapCount++;
    if (this.gaps.length < this.#keep) this.gaps.push({ at, packets, frames });
  }
}
