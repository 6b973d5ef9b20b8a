/**
 * The configuration of an `MP4A-LATM` track (RFC 6416 §7.1): the fmtp's `cpresent` and `config`,
 * and the StreamMuxConfig that `config` holds (ISO/IEC 14496-3 §1.7.3). Only what ingest needs to
 * turn LATM into plain access units is accepted: `cpresent=0`, audioMuxVersion 0, one program with
 * one layer, one subframe per AudioMuxElement and byte-length framing (frameLengthType 0).
 * Anything else is refused with an {@link AudioPayloadError} saying what.
 *
 * @module
 */

import { type AudioSpecificConfig, readAudioSpecificConfig } from "../codec/aac_config.ts";
import { BitReader } from "../codec/bit_reader.ts";
import { CodecError } from "../codec/h264.ts";
import { fmtpParameters, hexBytes } from "./aac_fmtp.ts";
import { AudioPayloadError } from "./audio_unit.ts";

/** What a StreamMuxConfig this code accepts says. */
export interface LatmConfig {
  /** The AudioSpecificConfig it holds, as bytes (byte-aligned copy), e.g. for an fmtp `config=`. */
  config: Uint8Array;
  /** What {@link config} says. */
  audioSpecificConfig: AudioSpecificConfig;
  /** Bits of other data after each AudioMuxElement's payload (a multiple of 8), usually 0. */
  otherDataBits: number;
}

/** Copies bits `from` to `to` of `bytes` into fresh bytes, the last one zero-padded. */
function copyBits(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const r = new BitReader(bytes);
  r.skip(from);
  const out = new Uint8Array(Math.ceil((to - from) / 8));
  for (let i = 0; i < out.length; i++) {
    const n = Math.min(8, to - from - 8 * i);
    out[i] = r.u(n) << (8 - n);
  }
  return out;
}

function refuse(what: string): AudioPayloadError {
  return new AudioPayloadError(`LATM StreamMuxConfig: ${what} is not supported`);
}

/**
 * Parses a StreamMuxConfig (ISO/IEC 14496-3 §1.7.3, Table 1.42) as the fmtp `config` carries it.
 * Returns an {@link AudioPayloadError}, never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStreamMuxConfig } from "./latm_config.ts";
 *
 * // What ffmpeg announces for AAC-LC, 44.1 kHz mono.
 * const latm = parseStreamMuxConfig(new Uint8Array([0x40, 0x00, 0x24, 0x10, 0x3f, 0xc0]));
 * if (latm instanceof Error) throw latm;
 * assert.deepEqual([...latm.config], [0x12, 0x08]);
 * assert.equal(latm.audioSpecificConfig.sampleRate, 44100);
 * assert.equal(latm.audioSpecificConfig.channels, 1);
 * ```
 */
export function parseStreamMuxConfig(bytes: Uint8Array): LatmConfig | AudioPayloadError {
  const r = new BitReader(bytes);
  const position = () => bytes.length * 8 - r.remaining;
  try {
    if (r.flag()) return refuse("audioMuxVersion 1");
    r.skip(1); // allStreamsSameTimeFraming: with one layer, both values frame alike
    const numSubFrames = r.u(6);
    if (numSubFrames !== 0) return refuse(`${numSubFrames + 1} subframes per AudioMuxElement`);
    const numProgram = r.u(4);
    if (numProgram !== 0) return refuse(`${numProgram + 1} programs`);
    const numLayer = r.u(3);
    if (numLayer !== 0) return refuse(`${numLayer + 1} layers`);
    // The first layer of the first program has no useSameConfig bit: its ASC follows at once.
    const from = position();
    const audioSpecificConfig = readAudioSpecificConfig(r);
    const config = copyBits(bytes, from, position());
    const frameLengthType = r.u(3);
    if (frameLengthType !== 0) return refuse(`frameLengthType ${frameLengthType}`);
    r.skip(8); // latmBufferFullness
    let otherDataBits = 0;
    if (r.flag()) {
      // otherDataPresent: otherDataLenBits in escaped bytes (audioMuxVersion 0 form).
      let more = true;
      while (more) {
        more = r.flag();
        otherDataBits = otherDataBits * 256 + r.u(8);
        if (otherDataBits > 0xffffff) return refuse("otherDataLenBits over 2^24");
      }
      if (otherDataBits % 8 !== 0) return refuse(`otherDataLenBits ${otherDataBits} (not bytes)`);
    }
    if (r.flag()) r.skip(8); // crcCheckPresent, crcCheckSum
    return { config, audioSpecificConfig, otherDataBits };
  } catch (e) {
    if (e instanceof CodecError) return new AudioPayloadError(`LATM StreamMuxConfig: ${e.message}`);
    throw e;
  }
}

/**
 * Parses the fmtp of an `MP4A-LATM` track (RFC 6416 §7.1). `cpresent` defaults to 1, which puts
 * the StreamMuxConfig in the stream instead of the SDP; only `cpresent=0` with a `config` is
 * accepted (an empty config with cpresent=0 is invalid: mediamtx#3590). Returns an
 * {@link AudioPayloadError}, never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLatmFmtp } from "./latm_config.ts";
 *
 * const ok = parseLatmFmtp("profile-level-id=41;cpresent=0;config=400024103fc0");
 * assert.ok(!(ok instanceof Error) && ok.audioSpecificConfig.sampleRate === 44100);
 * const refused = parseLatmFmtp("profile-level-id=41;cpresent=1");
 * assert.ok(refused instanceof Error && /cpresent/.test(refused.message));
 * ```
 */
export function parseLatmFmtp(fmtp: string): LatmConfig | AudioPayloadError {
  const params = fmtpParameters(fmtp);
  const cpresent = params.get("cpresent") ?? "1";
  if (cpresent !== "0") {
    return new AudioPayloadError(
      `MP4A-LATM with cpresent=${cpresent.slice(0, 10)} (config in the stream) is not supported`,
    );
  }
  const text = params.get("config") ?? "";
  const bytes = hexBytes(text);
  if (bytes === undefined) {
    return new AudioPayloadError(
      text === "" ? "MP4A-LATM cpresent=0 without config" : "MP4A-LATM config is not hex",
    );
  }
  return parseStreamMuxConfig(bytes);
}
