/**
 * A looped H.264 Annex B clip as a live source: access units are found from the byte stream alone
 * (with or without access unit delimiters), then sent at the clip's frame rate, forever.
 *
 * @module
 */

import { type AccessUnit, splitAccessUnits } from "../codec/access_unit.ts";
import { NalType, nalType } from "../codec/h264.ts";
import { parseSps } from "../codec/sps.ts";
import type { FrameOptions } from "../server/stream/live_stream.ts";
import type { Clock } from "../base/clock.ts";
import { pace, type Pacer } from "./pacer.ts";

/** Where a source sends its access units; `Stream.sendFrame` fits. */
export type AccessUnitSink = (nalUnits: readonly Uint8Array[], options: FrameOptions) => unknown;

/** A clip held in memory, ready to loop. */
export interface AnnexBClip {
  /** Access units in decode order. */
  accessUnits: AccessUnit[];
  /** Frame rate from the SPS timing info, when it has one. */
  framerate: number | undefined;
}

/** Splits a clip into access units. Throws `RangeError` when it holds no H.264 picture. */
export function readAnnexBClip(bytes: Uint8Array): AnnexBClip {
  const accessUnits = splitAccessUnits(bytes).filter((au) =>
    au.nalUnits.some((n) => {
      const t = nalType(n);
      return t === NalType.SLICE || t === NalType.IDR;
    })
  );
  if (accessUnits.length === 0) {
    throw new RangeError("the input holds no H.264 pictures (expected an Annex B byte stream)");
  }
  if (!accessUnits.some((au) => au.keyframe)) {
    throw new RangeError("the input holds no IDR picture, so no reader could ever start decoding");
  }
  let framerate: number | undefined;
  for (const nal of accessUnits[0].nalUnits) {
    if (nalType(nal) !== NalType.SPS) continue;
    try {
      framerate = parseSps(nal).frameRate;
    } catch {
      // size and rate then come from flags
    }
  }
  return { accessUnits, framerate };
}

/**
 * Plays `clip` into `sink` at `fps`, looping, with timestamps that keep rising across loops. The
 * loop restarts at the first keyframe so every pass is decodable from its start.
 */
export function playClip(
  clip: AnnexBClip,
  fps: number,
  sink: AccessUnitSink,
  clock?: Clock,
): Pacer {
  const units = clip.accessUnits;
  const first = units.findIndex((au) => au.keyframe);
  const loop = units.length - first;
  const frameUs = 1e6 / fps;
  return pace(fps, (index) => {
    const au = units[first + (index % loop)];
    sink(au.nalUnits, { timestamp: index * frameUs });
  }, clock);
}
