/**
 * The MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the bytes an AAC decoder needs before
 * the first frame: read one (from an fmtp `config=` or from inside a LATM StreamMuxConfig) and
 * write one for a given rate and channel count. Only the General Audio object types are read in
 * full (AAC Main, LC, SSR, LTP, Scalable, TwinVQ, their ER forms and ER AAC-LD), with SBR and PS
 * signalled explicitly or by the backward-compatible sync extension; others are refused.
 *
 * @module
 */

import { BitReader } from "./bit_reader.ts";
import { CodecError } from "./h264.ts";

/** What an AudioSpecificConfig says. */
export interface AudioSpecificConfig {
  /** Audio object type of the core coder: 2 for AAC-LC (ISO/IEC 14496-3 Table 1.17). */
  objectType: number;
  /** Sampling frequency index 0 to 12, or 15 when the rate is written out. */
  samplingFrequencyIndex: number;
  /** The core coder's sample rate in Hz. */
  sampleRate: number;
  /** channelConfiguration, 1 to 7 or 11 to 14 (0, a program config element, is refused). */
  channelConfiguration: number;
  /** Channels that configuration stands for (Table 1.19): 7 means 8 channels (7.1). */
  channels: number;
  /**
   * Samples per channel in one access unit at {@link sampleRate}: 1024 or 960 from the
   * GASpecificConfig's frameLengthFlag (§4.4.1), 512 or 480 for ER AAC-LD.
   */
  frameLength: number;
  /** With SBR (HE-AAC), the output sample rate in Hz, which is what an RTP clock usually runs at. */
  extensionSampleRate?: number;
  /** Whether parametric stereo (HE-AAC v2) is signalled. */
  ps?: boolean;
}

/** Table 1.16: sample rates by samplingFrequencyIndex. */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
];

// Table 1.19 (with the 2009 amendment's 11 to 14): channels by channelConfiguration; 0 = reserved.
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8];

const SBR = 5;
const PS = 29;
const ER_AAC_LD = 23;
// Object types whose specific config is a GASpecificConfig (§1.6.2.1 syntax, Table 1.15).
const GENERAL_AUDIO = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);
// Object types that carry an epConfig after their specific config.
const ERROR_RESILIENT = new Set([17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 39]);

function objectType(r: BitReader): number {
  // §1.6.2.1 GetAudioObjectType(): 31 escapes to 32 + a 6-bit value.
  const t = r.u(5);
  return t === 31 ? 32 + r.u(6) : t;
}

function sampleRate(r: BitReader): [index: number, rate: number] {
  const index = r.u(4);
  if (index === 15) {
    const rate = r.u(24);
    if (rate === 0) throw new CodecError("AudioSpecificConfig: an explicit sample rate of 0");
    return [index, rate];
  }
  if (index >= AAC_SAMPLE_RATES.length) {
    throw new CodecError(`AudioSpecificConfig: reserved samplingFrequencyIndex ${index}`);
  }
  return [index, AAC_SAMPLE_RATES[index]];
}

/**
 * Reads an AudioSpecificConfig at the reader's position and leaves the reader just after it, but
 * does not look for the sync extension that may follow (a LATM StreamMuxConfig gives no length to
 * bound it). Throws {@link CodecError} for a truncated, reserved or unsupported config.
 */
export function readAudioSpecificConfig(r: BitReader): AudioSpecificConfig {
  let type = objectType(r);
  const [samplingFrequencyIndex, rate] = sampleRate(r);
  const channelConfiguration = r.u(4);
  let extensionSampleRate: number | undefined;
  let ps = false;
  if (type === SBR || type === PS) {
    // §1.6.2.1: explicit hierarchical signalling of SBR (5) or SBR + PS (29), then the core type.
    ps = type === PS;
    extensionSampleRate = sampleRate(r)[1];
    type = objectType(r);
    if (type === 22) r.skip(4); // extensionChannelConfiguration
  }
  if (!GENERAL_AUDIO.has(type)) {
    throw new CodecError(`AudioSpecificConfig: audio object type ${type} is not supported`);
  }
  if (channelConfiguration === 0) {
    throw new CodecError("AudioSpecificConfig: channelConfiguration 0 (a PCE) is not supported");
  }
  const channels = CHANNELS[channelConfiguration] ?? 0;
  if (channels === 0) {
    throw new CodecError(
      `AudioSpecificConfig: reserved channelConfiguration ${channelConfiguration}`,
    );
  }
  // §4.4.1 GASpecificConfig.
  const frameLengthFlag = r.flag();
  if (r.flag()) r.skip(14); // dependsOnCoreCoder, coreCoderDelay
  const extensionFlag = r.flag();
  if (type === 6 || type === 20) r.skip(3); // layerNr
  if (extensionFlag) {
    if (type === 22) r.skip(5 + 11); // numOfSubFrame, layer_length
    if (type === 17 || type === 19 || type === 20 || type === 23) r.skip(3); // resilience flags
    r.skip(1); // extensionFlag3
  }
  if (ERROR_RESILIENT.has(type)) {
    const epConfig = r.u(2);
    if (epConfig === 2 || epConfig === 3) {
      throw new CodecError(`AudioSpecificConfig: epConfig ${epConfig} is not supported`);
    }
  }
  const frameLength = type === ER_AAC_LD
    ? (frameLengthFlag ? 480 : 512)
    : (frameLengthFlag ? 960 : 1024);
  const config: AudioSpecificConfig = {
    objectType: type,
    samplingFrequencyIndex,
    sampleRate: rate,
    channelConfiguration,
    channels,
    frameLength,
  };
  if (extensionSampleRate !== undefined) config.extensionSampleRate = extensionSampleRate;
  if (ps) config.ps = true;
  return config;
}

/**
 * Parses a whole AudioSpecificConfig, such as the bytes of an fmtp `config=`, including the
 * backward-compatible SBR/PS sync extension (§1.6.5.2, sync word 0x2b7) that encoders such as
 * ffmpeg append. Throws {@link CodecError} for a truncated, reserved or unsupported config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAudioSpecificConfig } from "./aac_config.ts";
 *
 * // What ffmpeg puts in the SDP for AAC-LC, 48 kHz stereo: 0x1190, then "no SBR" signalled.
 * const asc = parseAudioSpecificConfig(new Uint8Array([0x11, 0x90, 0x56, 0xe5, 0x00]));
 * assert.equal(asc.objectType, 2);
 * assert.equal(asc.sampleRate, 48000);
 * assert.equal(asc.channels, 2);
 * assert.equal(asc.frameLength, 1024);
 * assert.equal(asc.extensionSampleRate, undefined);
 * ```
 */
export function parseAudioSpecificConfig(bytes: Uint8Array): AudioSpecificConfig {
  const r = new BitReader(bytes);
  const config = readAudioSpecificConfig(r);
  if (config.extensionSampleRate === undefined && r.remaining >= 16) {
    // §1.6.2.1: syncExtensionType 0x2b7, extensionAudioObjectType, sbrPresentFlag, ...
    if (r.u(11) === 0x2b7) {
      const extension = objectType(r);
      if (extension === SBR && r.flag()) {
        config.extensionSampleRate = sampleRate(r)[1];
        if (r.remaining >= 12 && r.u(11) === 0x548 && r.flag()) config.ps = true;
      }
    }
  }
  return config;
}

/**
 * Duration of one access unit in RTP clock ticks: the frame length, scaled when the clock runs at
 * another rate than the core coder (HE-AAC: the SDP usually gives the SBR output rate, twice the
 * core rate, so an access unit lasts 2048 ticks). Falls back to the frame length when the ratio is
 * not a whole number of ticks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacFrameSamples } from "./aac_config.ts";
 *
 * const lc = { objectType: 2, samplingFrequencyIndex: 3, sampleRate: 48000, channelConfiguration: 2,
 *   channels: 2, frameLength: 1024 };
 * assert.equal(aacFrameSamples(lc, 48000), 1024);
 * assert.equal(aacFrameSamples({ ...lc, sampleRate: 24000, extensionSampleRate: 48000 }, 48000), 2048);
 * ```
 */
export function aacFrameSamples(config: AudioSpecificConfig, clockRate: number): number {
  const ticks = config.frameLength * clockRate / config.sampleRate;
  return Number.isInteger(ticks) && ticks > 0 ? ticks : config.frameLength;
}

/** What {@link writeAudioSpecificConfig} needs. */
export interface AudioSpecificConfigFields {
  /** Sample rate in Hz, 1 to 2^24-1: a table rate gets its index, any other is written out. */
  sampleRate: number;
  /** Channels: 1 to 6, or 8 (written as channelConfiguration 7). */
  channels: number;
  /** Audio object type 1 to 4; default 2, AAC-LC. */
  objectType?: number;
  /** Samples per frame, 1024 (default) or 960. */
  frameLength?: number;
}

/**
 * Writes the AudioSpecificConfig of a plain AAC stream (no SBR, no core coder, no extension), the
 * bytes of an fmtp `config=` (RFC 3640 §4.1). Throws a `RangeError` for fields it cannot write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAudioSpecificConfig } from "./aac_config.ts";
 *
 * assert.deepEqual([...writeAudioSpecificConfig({ sampleRate: 48000, channels: 2 })], [0x11, 0x90]);
 * assert.deepEqual([...writeAudioSpecificConfig({ sampleRate: 16000, channels: 1 })], [0x14, 0x08]);
 * ```
 */
export function writeAudioSpecificConfig(fields: AudioSpecificConfigFields): Uint8Array {
  const { sampleRate: rate, channels } = fields;
  const type = fields.objectType ?? 2;
  const frameLength = fields.frameLength ?? 1024;
  if (!Number.isInteger(type) || type < 1 || type > 4) {
    throw new RangeError(`objectType must be 1 to 4, got ${type}`);
  }
  if (!Number.isInteger(rate) || rate < 1 || rate > 0xffffff) {
    throw new RangeError(`sampleRate must be an integer from 1 to 16777215, got ${rate}`);
  }
  // Table 1.19: configurations 1 to 6 have that many channels, 7 has eight (7.1).
  const channelConfiguration = channels === 8 ? 7 : channels;
  if (!Number.isInteger(channels) || channels < 1 || (channels > 6 && channels !== 8)) {
    throw new RangeError(`channels must be 1 to 6 or 8, got ${channels}`);
  }
  if (frameLength !== 1024 && frameLength !== 960) {
    throw new RangeError(`frameLength must be 1024 or 960, got ${frameLength}`);
  }
  const index = AAC_SAMPLE_RATES.indexOf(rate);
  const bits: [value: number, width: number][] = [[type, 5]];
  if (index >= 0) bits.push([index, 4]);
  else bits.push([15, 4], [rate, 24]);
  // channelConfiguration, then GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag.
  bits.push([channelConfiguration, 4], [frameLength === 960 ? 1 : 0, 1], [0, 1], [0, 1]);
  const total = bits.reduce((n, [, width]) => n + width, 0);
  const out = new Uint8Array(Math.ceil(total / 8));
  let at = 0;
  for (const [value, width] of bits) {
    for (let i = width - 1; i >= 0; i--, at++) {
      if (Math.floor(value / 2 ** i) % 2 === 1) out[at >> 3] |= 0x80 >> (at & 7);
    }
  }
  return out;
}
