/**
 * The initialization segment of a fragmented MP4 with one H.264 video track (ISO/IEC 14496-12
 * §8.8: a `moov` whose sample tables are empty, and an `mvex` that says the samples come in movie
 * fragments). What a browser's `SourceBuffer` takes before any fragment, and again when the
 * stream's SPS or PPS change.
 *
 * @module
 */

import { box, ByteWriter, fullBox } from "./boxes.ts";
import { avcDecoderConfiguration } from "./avc_config.ts";

/** The one track's ID, in `tkhd`, `trex` and every fragment's `tfhd`. */
export const TRACK_ID = 1;

/** Ticks per second of the track: RTP's H.264 clock (RFC 6184 §5.1), so timestamps map 1:1. */
export const TIMESCALE = 90000;

/** What the init segment describes. */
export interface VideoTrack {
  /** The SPS NAL unit (no start code). */
  sps: Uint8Array;
  /** The PPS NAL units (no start code). */
  pps: readonly Uint8Array[];
  /** Picture width in pixels, as the SPS gives it after cropping. */
  width: number;
  /** Picture height in pixels. */
  height: number;
}

// §8.3.2.3 / §8.2.2.3: the identity transformation matrix (16.16 and 2.30 fixed point).
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

/**
 * `ftyp` then `moov` (ISO/IEC 14496-12 §4.3, §8.2.1) for one H.264 track with 90 kHz timing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initSegment } from "./init_segment.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0]);
 * const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
 * const init = initSegment({ sps, pps: [pps], width: 640, height: 360 });
 * assert.equal(new TextDecoder().decode(init.subarray(4, 8)), "ftyp");
 * ```
 */
export function initSegment(track: VideoTrack): Uint8Array {
  const ftyp = box(
    "ftyp",
    new ByteWriter().fourcc("isom").u32(0x200)
      .fourcc("isom").fourcc("iso6").fourcc("avc1").fourcc("mp41").finish(),
  );
  const moov = box("moov", mvhd(), trak(track), mvex());
  const out = new Uint8Array(ftyp.length + moov.length);
  out.set(ftyp);
  out.set(moov, ftyp.length);
  return out;
}

/** §8.2.2 movie header: duration 0 (unknown: a live stream), the next track ID 2. */
function mvhd(): Uint8Array {
  const w = new ByteWriter()
    .u32(0).u32(0) // creation_time, modification_time
    .u32(TIMESCALE).u32(0) // timescale, duration
    .u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
  for (const m of MATRIX) w.u32(m);
  return fullBox("mvhd", 0, 0, w.zeros(24).u32(TRACK_ID + 1).finish());
}

function trak(track: VideoTrack): Uint8Array {
  return box("trak", tkhd(track), box("mdia", mdhd(), hdlr(), minf(track)));
}

/** §8.3.2 track header; flags 3: track_enabled and track_in_movie. */
function tkhd(track: VideoTrack): Uint8Array {
  const w = new ByteWriter()
    .u32(0).u32(0).u32(TRACK_ID).u32(0).u32(0) // times, track_ID, reserved, duration
    .zeros(8).u16(0).u16(0).u16(0).u16(0); // reserved, layer, alternate_group, volume, reserved
  for (const m of MATRIX) w.u32(m);
  w.u32(track.width * 0x10000).u32(track.height * 0x10000); // 16.16 fixed point
  return fullBox("tkhd", 0, 3, w.finish());
}

/** §8.4.2 media header; language `und` packed as three 5-bit letters. */
function mdhd(): Uint8Array {
  return fullBox(
    "mdhd",
    0,
    0,
    new ByteWriter().u32(0).u32(0).u32(TIMESCALE).u32(0).u16(0x55c4).u16(0).finish(),
  );
}

/** §8.4.3 handler: a video track. */
function hdlr(): Uint8Array {
  const name = new TextEncoder().encode("VideoHandler\0");
  return fullBox(
    "hdlr",
    0,
    0,
    new ByteWriter().u32(0).fourcc("vide").zeros(12).bytes(name).finish(),
  );
}

function minf(track: VideoTrack): Uint8Array {
  // §12.1.2 vmhd (flags 1, as the standard requires), §8.7.1 dinf with a self-contained `url `.
  const vmhd = fullBox("vmhd", 0, 1, new Uint8Array(8));
  const dref = fullBox("dref", 0, 0, new ByteWriter().u32(1).finish(), fullBox("url ", 0, 1));
  return box("minf", vmhd, box("dinf", dref), stbl(track));
}

/** §8.5 sample table: the sample entry, and empty tables (the samples are in fragments). */
function stbl(track: VideoTrack): Uint8Array {
  const empty = new Uint8Array(4); // entry_count 0
  return box(
    "stbl",
    fullBox("stsd", 0, 0, new ByteWriter().u32(1).finish(), avc1(track)),
    fullBox("stts", 0, 0, empty),
    fullBox("stsc", 0, 0, empty),
    fullBox("stsz", 0, 0, new Uint8Array(8)), // sample_size 0, sample_count 0
    fullBox("stco", 0, 0, empty),
  );
}

/** §12.1.3 VisualSampleEntry `avc1` with its `avcC` (ISO/IEC 14496-15 §5.4.2). */
function avc1(track: VideoTrack): Uint8Array {
  const w = new ByteWriter()
    .zeros(6).u16(1) // reserved, data_reference_index
    .u16(0).u16(0).zeros(12) // pre_defined, reserved, pre_defined
    .u16(track.width).u16(track.height)
    .u32(0x00480000).u32(0x00480000) // 72 dpi
    .u32(0).u16(1) // reserved, frame_count
    .zeros(32) // compressorname
    .u16(0x0018).u16(0xffff); // depth, pre_defined -1
  return box("avc1", w.finish(), box("avcC", avcDecoderConfiguration(track.sps, track.pps)));
}

/** §8.8.1 movie extends, with §8.8.3 defaults that every fragment overrides. */
function mvex(): Uint8Array {
  const trex = fullBox(
    "trex",
    0,
    0,
    new ByteWriter().u32(TRACK_ID).u32(1).u32(0).u32(0).u32(0).finish(),
  );
  return box("mvex", trex);
}
