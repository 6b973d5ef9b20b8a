/**
 * H.264 access units in, fragmented MP4 out: the init segment once the SPS and PPS are known (and
 * again when they change), then one `moof`+`mdat` per access unit, for a browser's Media Source
 * Extensions to play live.
 *
 * Our own rather than a package: the whole muxer is a few hundred lines with no dependency, and we
 * already hold every NAL unit as a view, so a fragment is one allocation and one copy. mediabunny,
 * the maintained library (mp4-muxer is deprecated in its favour), is far bigger and built around
 * its own packet and encoder objects; we would convert each access unit into its types only for it
 * to write the same dozen boxes. Nothing here does I/O.
 *
 * Timing: the track's timescale is 90 kHz, so RTP timestamps (RFC 6184 §5.1) map straight in. The
 * decode time advances by each access unit's timestamp step, clamped to under twice the last
 * sample's duration: MSE (its coded frame processing, §3.5.8 of the spec) treats a larger step as a
 * discontinuity and drops everything up to the next keyframe, while a shortened step only makes
 * the player wait for the late frame. A sample's duration is not known until the next one comes,
 * and waiting for it would add a frame of latency, so each sample lasts as long as the last step.
 * Decode order is taken as presentation order (no composition offsets): the encoder here and the
 * cameras it serves send no B-frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Fmp4Muxer } from "./fmp4_muxer.ts";
 *
 * const muxer = new Fmp4Muxer();
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x2f, 0xf9, 0x70]);
 * const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
 * const out = muxer.push({ nalUnits: [sps, pps, new Uint8Array([0x65, 0x88])], timestamp: 0 });
 * assert.equal(out.init?.codec, "avc1.42c01e");
 * assert.ok(out.fragment);
 * ```
 *
 * @module
 */

import { CodecError, NalType } from "../codec/h264.ts";
import { parseSps } from "../codec/sps.ts";
import { avcCodecString } from "./avc_config.ts";
import { mediaFragment } from "./fragment.ts";
import { initSegment, TIMESCALE } from "./init_segment.ts";

/** One access unit given to {@link Fmp4Muxer.push}. */
export interface MuxerInput {
  /** NAL units without start codes, in decode order. */
  readonly nalUnits: readonly Uint8Array[];
  /** Presentation time in 90 kHz ticks, wrapping at 2^32 as RTP timestamps do. */
  readonly timestamp: number;
}

/** A new initialization segment, and what the page needs to open its `SourceBuffer`. */
export interface InitOutput {
  /** `ftyp` + `moov`. */
  segment: Uint8Array;
  /** RFC 6381 codec parameter, e.g. `avc1.42c01e`. */
  codec: string;
  /** Picture width from the SPS. */
  width: number;
  /** Picture height from the SPS. */
  height: number;
}

/** What one access unit produced: an init segment to send first, and its fragment. */
export interface MuxerOutput {
  /** Present when the init segment is new (the first keyframe, or changed parameter sets). */
  init?: InitOutput;
  /** `moof` + `mdat` of the access unit; absent while waiting for a keyframe. */
  fragment?: Uint8Array;
}

/** The step assumed before two timestamps are known: 1/30 s. */
const DEFAULT_DURATION = TIMESCALE / 30;
/** Steps at or below this are not trusted (a source restart, a repeated timestamp). */
const MIN_STEP = 1;

/** Turns one stream's access units into fMP4 segments. One per viewer: it numbers fragments. */
export class Fmp4Muxer {
  #sps: Uint8Array | undefined;
  #pps: Uint8Array | undefined;
  #config = ""; // the SPS and PPS the last init segment described, as a key
  #started = false;
  #sequence = 0;
  #decodeTime = 0;
  #lastTimestamp: number | undefined;
  #duration = DEFAULT_DURATION;

  /** Whether the next fragment needs a keyframe first (at the start, and after {@link reset}). */
  get waitingForKeyframe(): boolean {
    return !this.#started;
  }

  /**
   * Takes one access unit. Until a keyframe with an SPS and PPS (in the access unit or seen
   * before) nothing comes out. SPS, PPS and access unit delimiters are kept out of the samples:
   * the `avcC` carries the parameter sets (ISO/IEC 14496-15 §5.3.2, `avc1` entries).
   *
   * @throws {CodecError} When an SPS cannot be parsed.
   */
  push(au: MuxerInput): MuxerOutput {
    const sample: Uint8Array[] = [];
    let keyframe = false;
    for (const nal of au.nalUnits) {
      if (nal.length === 0) continue;
      const type = nal[0] & 0x1f;
      if (type === NalType.SPS) this.#sps = nal;
      else if (type === NalType.PPS) this.#pps = nal;
      else if (type !== NalType.AUD && type !== 12 /* filler data */) {
        if (type === NalType.IDR) keyframe = true;
        sample.push(nal);
      }
    }
    const out: MuxerOutput = {};
    if (!this.#started && !keyframe) return out;
    if (sample.length === 0) return out;
    if (keyframe) {
      const init = this.#initIfChanged();
      if (init === null) return out; // no parameter sets yet: cannot start here
      if (init) out.init = init;
      this.#started = true;
    }
    this.#advance(au.timestamp);
    out.fragment = mediaFragment(++this.#sequence, this.#decodeTime, [
      { nalUnits: sample, duration: this.#duration, keyframe },
    ]);
    return out;
  }

  /**
   * Starts over at the next keyframe, with a fresh init segment (a viewer's page that reset its
   * player). The decode time keeps running, so a page that kept its buffer sees no jump back.
   */
  reset(): void {
    this.#started = false;
    this.#config = "";
  }

  /** The init segment when the parameter sets differ from the last one's; null when unknown. */
  #initIfChanged(): InitOutput | undefined | null {
    const sps = this.#sps, pps = this.#pps;
    if (!sps || !pps) return null;
    const key = hex(sps) + "/" + hex(pps);
    if (key === this.#config) return undefined;
    const info = parseSps(sps);
    if (info.width <= 0 || info.height <= 0) throw new CodecError("SPS without a picture size");
    this.#config = key;
    return {
      segment: initSegment({ sps, pps: [pps], width: info.width, height: info.height }),
      codec: avcCodecString(sps),
      width: info.width,
      height: info.height,
    };
  }

  /** Moves the decode time to the access unit at `timestamp` (see the module doc). */
  #advance(timestamp: number): void {
    const last = this.#lastTimestamp;
    this.#lastTimestamp = timestamp >>> 0;
    if (last === undefined) return;
    const step = ((timestamp >>> 0) - last) | 0; // signed: RTP timestamps wrap at 2^32
    const limit = Math.floor(this.#duration * 1.9);
    const used = step < MIN_STEP ? this.#duration : Math.min(step, limit);
    // This sample starts `used` after the last, and is taken to last as long (the next step is
    // unknown), which the next step may then exceed by up to 1.9 times.
    this.#decodeTime += used;
    this.#duration = used;
  }
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
