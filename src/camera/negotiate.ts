/**
 * Picks a capture mode from what a camera offers: the nearest size, then the nearest frame rate,
 * then the cheapest format to turn into H.264. Pure: offers in, a choice (and what differs from
 * the request) out.
 *
 * @module
 */

import { PixelFormat } from "../codec/raw_frame.ts";
import { fourccName, type Fraction, type FrameIntervals, PIX_FMT } from "./v4l2_abi.ts";
import type { FormatOffer } from "./v4l2_device.ts";

/** How a captured frame reaches the encoder: a raw pixel layout, or JPEG to decode first. */
export type CaptureLayout = PixelFormat | "jpeg";

/**
 * The capture formats rtsp-edge takes, cheapest first: raw 4:2:2/4:2:0 (one conversion pass in
 * the encoder), RGB, then MJPEG (a JPEG decode per frame), then greyscale (loses colour).
 */
export const CAPTURE_FORMATS: ReadonlyArray<
  { pixelFormat: number; name: string; layout: CaptureLayout }
> = [
  { pixelFormat: PIX_FMT.YUYV, name: "yuyv", layout: PixelFormat.YUYV },
  { pixelFormat: PIX_FMT.UYVY, name: "uyvy", layout: PixelFormat.UYVY },
  { pixelFormat: PIX_FMT.NV12, name: "nv12", layout: PixelFormat.NV12 },
  { pixelFormat: PIX_FMT.YU12, name: "yu12", layout: PixelFormat.I420 },
  { pixelFormat: PIX_FMT.RGB24, name: "rgb24", layout: PixelFormat.RGB24 },
  { pixelFormat: PIX_FMT.BGR24, name: "bgr24", layout: PixelFormat.BGR24 },
  { pixelFormat: PIX_FMT.MJPEG, name: "mjpeg", layout: "jpeg" },
  { pixelFormat: PIX_FMT.JPEG, name: "jpeg", layout: "jpeg" },
  { pixelFormat: PIX_FMT.GREY, name: "grey", layout: PixelFormat.GRAY8 },
];

/** Names accepted by `--format` for a camera, with their aliases. */
export const CAPTURE_FORMAT_NAMES: Readonly<Record<string, number>> = {
  yuyv: PIX_FMT.YUYV,
  yuy2: PIX_FMT.YUYV,
  uyvy: PIX_FMT.UYVY,
  nv12: PIX_FMT.NV12,
  yu12: PIX_FMT.YU12,
  i420: PIX_FMT.YU12,
  rgb24: PIX_FMT.RGB24,
  bgr24: PIX_FMT.BGR24,
  mjpeg: PIX_FMT.MJPEG,
  mjpg: PIX_FMT.MJPEG,
  jpeg: PIX_FMT.JPEG,
  grey: PIX_FMT.GREY,
  gray: PIX_FMT.GREY,
  gray8: PIX_FMT.GREY,
};

/** What the user asked for. */
export interface ModeRequest {
  /** Wanted size. */
  width: number;
  /** Wanted size. */
  height: number;
  /** Wanted frame rate. */
  fps: number;
  /** A pixel format code to insist on, or undefined to choose. */
  pixelFormat?: number;
}

/** The chosen mode. */
export interface CaptureMode {
  /** Pixel format code. */
  pixelFormat: number;
  /** How frames reach the encoder. */
  layout: CaptureLayout;
  /** Size. */
  width: number;
  /** Size. */
  height: number;
  /** Frame interval to ask for. */
  interval: Fraction;
}

/** No usable mode; `message` is one sentence for the user. */
export class NegotiationError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "NegotiationError";
  }
}

function layoutOf(pixelFormat: number): CaptureLayout | undefined {
  return CAPTURE_FORMATS.find((f) => f.pixelFormat === pixelFormat)?.layout;
}

function rank(pixelFormat: number): number {
  return CAPTURE_FORMATS.findIndex((f) => f.pixelFormat === pixelFormat);
}

/** The value of `min + k * step` (k whole, at most `max`) nearest to `want`. */
function nearestInRange(want: number, min: number, max: number, step: number): number {
  const steps = Math.floor((max - min) / step); // the last step that stays within the range
  const k = Math.round((Math.min(max, Math.max(min, want)) - min) / step);
  return min + Math.min(k, steps) * step;
}

/** The fps of an interval (0 for a malformed one). */
export function fpsOf(interval: Fraction): number {
  return interval.numerator > 0 ? interval.denominator / interval.numerator : 0;
}

/** The offered interval nearest to `fps` (frames per second, compared on a log scale). */
function nearestInterval(offers: FrameIntervals[], fps: number): Fraction {
  const wanted: Fraction = { numerator: 1000, denominator: Math.round(fps * 1000) };
  let best: Fraction | undefined;
  let bestCost = Infinity;
  const consider = (f: Fraction) => {
    const actual = fpsOf(f);
    if (!(actual > 0)) return;
    // Ties go to the faster rate: dropping frames later is cheap, inventing them is not.
    const cost = Math.abs(Math.log(actual / fps)) - actual * 1e-9;
    if (cost < bestCost) [best, bestCost] = [f, cost];
  };
  for (const offer of offers) {
    if (offer.kind === "discrete") consider(offer.interval);
    else {
      const [fast, slow] = [fpsOf(offer.min), fpsOf(offer.max)];
      consider(fps >= fast ? offer.min : fps <= slow ? offer.max : wanted);
    }
  }
  // A driver that lists no intervals still takes a request; ask for the wanted rate.
  return best ?? wanted;
}

/**
 * Chooses the mode nearest to `request` among `offers`: size first (smallest difference in
 * width plus height), then frame rate, then format cost. Throws {@link NegotiationError} when no
 * offered format can be used, or the insisted-on format is not offered.
 */
export function chooseMode(offers: readonly FormatOffer[], request: ModeRequest): CaptureMode {
  const usable = offers.filter((o) =>
    layoutOf(o.pixelFormat) !== undefined &&
    (request.pixelFormat === undefined || o.pixelFormat === request.pixelFormat)
  );
  if (usable.length === 0) {
    const names = offers.map((o) => fourccName(o.pixelFormat).trim());
    const offered = names.length === 0
      ? "nothing"
      : names.slice(0, 8).join(", ") + (names.length > 8 ? ` and ${names.length - 8} more` : "");
    const wanted = request.pixelFormat === undefined
      ? `any of ${CAPTURE_FORMATS.map((f) => f.name).join(", ")}`
      : fourccName(request.pixelFormat).trim();
    throw new NegotiationError(`unsupported format: the camera offers ${offered}, not ${wanted}`);
  }
  let best: { mode: CaptureMode; cost: number[] } | undefined;
  for (const offer of usable) {
    for (const { size, intervals } of offer.sizes) {
      const [width, height] = size.kind === "discrete" ? [size.width, size.height] : [
        nearestInRange(request.width, size.minWidth, size.maxWidth, size.stepWidth),
        nearestInRange(request.height, size.minHeight, size.maxHeight, size.stepHeight),
      ];
      // H.264 4:2:0 needs even sizes of at least 16 pixels.
      if (width < 16 || height < 16 || width % 2 || height % 2) continue;
      const interval = nearestInterval(intervals, request.fps);
      const cost = [
        Math.abs(width - request.width) + Math.abs(height - request.height),
        Math.round(Math.abs(Math.log(fpsOf(interval) / request.fps)) * 1000),
        rank(offer.pixelFormat),
      ];
      if (!best || lexLess(cost, best.cost)) {
        const layout = layoutOf(offer.pixelFormat)!;
        best = { mode: { pixelFormat: offer.pixelFormat, layout, width, height, interval }, cost };
      }
    }
  }
  if (!best) {
    throw new NegotiationError("unsupported format: the camera offers no even frame size");
  }
  return best.mode;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** The lines to log when the mode in effect is not what was asked for (nearest supported). */
export function describeDifferences(
  request: ModeRequest,
  actual: { width: number; height: number; fps: number },
): string[] {
  const notes: string[] = [];
  if (actual.width !== request.width || actual.height !== request.height) {
    notes.push(
      `asked for ${request.width}x${request.height}, the camera's nearest size is ${actual.width}x${actual.height}`,
    );
  }
  if (Math.abs(actual.fps - request.fps) > 0.01) {
    notes.push(
      `asked for ${request.fps} fps, the camera's nearest rate is ${round(actual.fps)} fps`,
    );
  }
  return notes;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
