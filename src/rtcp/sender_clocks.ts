/**
 * A publisher's tracks lined up through their RTCP sender reports (RFC 3550 §6.4.1): each report
 * pairs one instant of the sender's wall clock (NTP) with the RTP time of one track, so an RTP
 * timestamp of one track can be turned into the RTP timestamp another track had at the same
 * instant. This is how receivers keep lip-sync when the tracks' first packets did not arrive
 * together (an encoder that holds video frames back, a packetizer that gathers audio frames).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SenderClocks } from "./sender_clocks.ts";
 *
 * const clocks = new SenderClocks();
 * clocks.report(1, { seconds: 3_900_000_000, fraction: 0 }, 1000); // video, 90 kHz
 * clocks.report(2, { seconds: 3_900_000_000, fraction: 0 }, 500); // audio, 48 kHz
 * // 20 ms of audio later is 20 ms of video later.
 * assert.equal(clocks.map(2, 48_000, 500 + 960, 1, 90_000), 1000 + 1800);
 * ```
 *
 * @module
 */

import { type NtpTimestamp, ntpToUnixMs } from "./ntp.ts";

/** The latest sender report of each of a publisher's sources. */
export class SenderClocks {
  #reports = new Map<number, { wallMs: number; rtp: number }>();

  /** Records a sender report of `ssrc`: wall clock `ntp` is RTP time `rtp`. */
  report(ssrc: number, ntp: NtpTimestamp, rtp: number): void {
    this.#reports.set(ssrc >>> 0, { wallMs: ntpToUnixMs(ntp), rtp: rtp >>> 0 });
  }

  /** Whether `ssrc` has reported. */
  has(ssrc: number): boolean {
    return this.#reports.has(ssrc >>> 0);
  }

  /**
   * The RTP time of source `to` (clock `toRate` Hz) at the instant source `from` (clock `fromRate`)
   * had RTP time `rtp`; undefined until both have reported.
   */
  map(from: number, fromRate: number, rtp: number, to: number, toRate: number): number | undefined {
    const a = this.#reports.get(from >>> 0);
    const b = this.#reports.get(to >>> 0);
    if (!a || !b) return undefined;
    const wallMs = a.wallMs + (((rtp - a.rtp) | 0) / fromRate) * 1000;
    return (b.rtp + Math.round((wallMs - b.wallMs) * (toRate / 1000))) >>> 0;
  }
}
