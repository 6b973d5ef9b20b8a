/**
 * Frame times for pushed frames: the device's own timestamps when it sends them, else arrival
 * times smoothed into a steady cadence, so network jitter does not become jitter in the 90 kHz RTP
 * clock. Pure: times in, times out.
 *
 * @module
 */

/** Arrival gaps above this start a new timeline (the device paused or reconnected). */
const GAP_US = 1_000_000;
/** How far each arrival pulls the smoothed time towards itself (a first-order loop). */
const PULL = 0.1;
/** How fast the frame interval estimate follows the arrivals. */
const RATE_ALPHA = 0.1;

/** Turns device or arrival times of successive frames into smooth, rising microseconds. */
export class TimestampSmoother {
  #last: number | undefined;
  #lastArrival = 0;
  #interval: number;
  #deviceBase: number | undefined;
  #arrivalBase = 0;
  #lastDevice: number | undefined;

  /** `intervalUs`: the expected frame interval until arrivals say otherwise (default 1/30 s). */
  constructor(intervalUs = 33_333) {
    this.#interval = intervalUs;
  }

  /**
   * The time of the next frame, in microseconds on the arrival clock. `deviceUs` is the device's
   * timestamp (any clock in µs), or undefined when it sent none.
   */
  next(deviceUs: number | undefined, arrivalUs: number): number {
    const out = deviceUs === undefined
      ? this.#fromArrival(arrivalUs)
      : this.#fromDevice(deviceUs, arrivalUs);
    this.#lastArrival = arrivalUs;
    this.#last = out;
    return out;
  }

  #fromDevice(deviceUs: number, arrivalUs: number): number {
    const jump = this.#lastDevice === undefined ? Infinity : deviceUs - this.#lastDevice;
    this.#lastDevice = deviceUs;
    if (this.#deviceBase === undefined || jump <= 0 || jump > GAP_US) {
      // First frame, or the device clock jumped (a reboot): map this frame to its arrival.
      this.#deviceBase = deviceUs;
      this.#arrivalBase = Math.max(arrivalUs, this.#last === undefined ? 0 : this.#last + 1);
    }
    return this.#arrivalBase + (deviceUs - this.#deviceBase);
  }

  #fromArrival(arrivalUs: number): number {
    this.#deviceBase = undefined;
    this.#lastDevice = undefined;
    const last = this.#last;
    if (last === undefined || arrivalUs - this.#lastArrival > GAP_US) {
      return Math.max(arrivalUs, last === undefined ? 0 : last + 1);
    }
    const observed = arrivalUs - this.#lastArrival;
    this.#interval += (observed - this.#interval) * RATE_ALPHA;
    const predicted = last + this.#interval;
    const pulled = predicted + (arrivalUs - predicted) * PULL;
    // Never before the previous frame, never far from the arrival it stands for.
    return Math.max(last + 1, Math.min(pulled, arrivalUs + this.#interval));
  }
}
