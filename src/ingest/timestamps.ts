/**
 * Frame times for pushed frames: the device's own timestamps when it sends them, else arrival
 * times smoothed into a steady cadence, so network jitter does not become jitter in the 90 kHz RTP
 * clock. A device's video and audio share one {@link DeviceTimeline}: its clock is mapped onto the
 * arrival clock once, by whichever track comes first, so the two land where the device stamped
 * them (lip-sync) however their requests were delayed. Audio without timestamps is timed by its
 * sample count ({@link AudioTimer}). Pure: times in, times out.
 *
 * @module
 */

/** Arrival gaps above this start a new timeline (the device paused or reconnected). */
const GAP_US = 1_000_000;
/** How far each arrival pulls the smoothed time towards itself (a first-order loop). */
const PULL = 0.1;
/** How fast the frame interval estimate follows the arrivals. */
const RATE_ALPHA = 0.1;

/**
 * One device's clock mapped onto the arrival clock: device microseconds `d` are arrival
 * microseconds `arrivalBase + (d - deviceBase)`. Shared by the tracks of one path, so that a
 * device's audio and video timestamps, taken from one clock on the device, stay in step here.
 */
export class DeviceTimeline {
  #deviceBase: number | undefined;
  #arrivalBase = 0;

  /** Device time `deviceUs` on the arrival clock; undefined before the first anchor. */
  toArrival(deviceUs: number): number | undefined {
    return this.#deviceBase === undefined
      ? undefined
      : this.#arrivalBase + (deviceUs - this.#deviceBase);
  }

  /** Maps device time `deviceUs` to arrival time `arrivalUs` from now on. */
  anchor(deviceUs: number, arrivalUs: number): void {
    this.#deviceBase = deviceUs;
    this.#arrivalBase = arrivalUs;
  }
}

/** Turns device or arrival times of successive frames into smooth, rising microseconds. */
export class TimestampSmoother {
  #last: number | undefined;
  #lastArrival = 0;
  #interval: number;
  #timeline: DeviceTimeline;
  #lastDevice: number | undefined;

  /**
   * `intervalUs`: the expected frame interval until arrivals say otherwise (default 1/30 s);
   * `timeline`: the device clock's mapping, shared with the path's audio (default: its own).
   */
  constructor(intervalUs = 33_333, timeline: DeviceTimeline = new DeviceTimeline()) {
    this.#interval = intervalUs;
    this.#timeline = timeline;
  }

  /** The device clock's mapping this smoother uses. */
  get timeline(): DeviceTimeline {
    return this.#timeline;
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
    const floor = this.#last === undefined ? 0 : this.#last + 1;
    const mapped = this.#timeline.toArrival(deviceUs);
    if (mapped === undefined) {
      this.#timeline.anchor(deviceUs, Math.max(arrivalUs, floor));
    } else if (jump <= 0 || jump > GAP_US) {
      // This track's first frame, or the device clock jumped (a reboot). A mapping the path's
      // other track made still holds if it puts this frame near its arrival and after the last one;
      // otherwise this frame is mapped to its arrival.
      if (Math.abs(mapped - arrivalUs) > GAP_US || mapped < floor) {
        this.#timeline.anchor(deviceUs, Math.max(arrivalUs, floor));
      }
    }
    return this.#timeline.toArrival(deviceUs)!;
  }

  #fromArrival(arrivalUs: number): number {
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

/**
 * How far audio timed by its sample count may stray from its arrival before it is re-anchored to
 * the arrival: a device whose sample clock runs off its nominal rate, or a stall that delayed its
 * samples for longer than jitter does.
 */
export const AUDIO_DRIFT_US = 200_000;

/**
 * Times of a device's audio samples on the arrival clock. Samples are counted from the first one
 * pushed; a sample's time is an anchor's plus its distance from the anchor's sample at the rate.
 * A device timestamp (of a chunk's first sample) anchors its sample through the path's
 * {@link DeviceTimeline}; without one, the first samples are anchored so that the latest arrived
 * sample ends at its arrival, and re-anchored so whenever that drifts by more than
 * {@link AUDIO_DRIFT_US}.
 */
export class AudioTimer {
  readonly #rate: number;
  readonly #timeline: DeviceTimeline;
  #anchorSample = 0;
  #anchorUs: number | undefined;

  /** Times samples at `rate` per second, with device times mapped through `timeline`. */
  constructor(rate: number, timeline: DeviceTimeline) {
    this.#rate = rate;
    this.#timeline = timeline;
  }

  /** Re-anchorings since the first anchor (drift or device clock jumps), for logs. */
  reanchored = 0;

  /**
   * Says that samples `0 … arrived - 1` have arrived at `arrivalUs`, and, with `device`, that
   * sample `device.sample` was taken at device time `device.us`.
   */
  mark(arrived: number, arrivalUs: number, device?: { sample: number; us: number }): void {
    if (device !== undefined) {
      const end = arrivalUs - this.#durationUs(arrived - device.sample);
      const mapped = this.#timeline.toArrival(device.us);
      // Unmapped, or a mapping this device clock cannot be on (a reboot, another device): the
      // chunk's samples end at their arrival.
      if (mapped === undefined || Math.abs(mapped - end) > GAP_US) {
        if (mapped !== undefined) this.reanchored++;
        this.#timeline.anchor(device.us, end);
      }
      this.#anchorSample = device.sample;
      this.#anchorUs = this.#timeline.toArrival(device.us)!;
      return;
    }
    const start = arrivalUs - this.#durationUs(arrived);
    if (this.#anchorUs === undefined) {
      this.#anchorSample = 0;
      this.#anchorUs = start;
      return;
    }
    const drift = arrivalUs - this.timeOf(arrived);
    if (Math.abs(drift) > AUDIO_DRIFT_US) {
      this.reanchored++;
      this.#anchorSample = 0;
      this.#anchorUs = start;
    }
  }

  /** Whether a sample has been anchored yet. */
  get anchored(): boolean {
    return this.#anchorUs !== undefined;
  }

  /** The time of sample `sample` (counted from the first pushed), arrival-clock microseconds. */
  timeOf(sample: number): number {
    return (this.#anchorUs ?? 0) + this.#durationUs(sample - this.#anchorSample);
  }

  #durationUs(samples: number): number {
    return (samples * 1e6) / this.#rate;
  }
}
