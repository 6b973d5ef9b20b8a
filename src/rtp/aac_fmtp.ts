/**
 * The fmtp of an `mpeg4-generic` AAC track (RFC 3640 §4.1): read what a peer sent, and write what
 * this server announces (AAC-hbr, §3.3.6). Reading is lenient where cameras are known to slip:
 * parameter names in any case, spaces around `;`, and `indexlength`/`indexdeltalength` left out
 * (gortsplib PR #118), which is left for the depacketizer to settle packet by packet.
 *
 * @module
 */

import { type AudioSpecificConfig, parseAudioSpecificConfig } from "../codec/aac_config.ts";
import { CodecError } from "../codec/h264.ts";
import { AudioPayloadError } from "./audio_unit.ts";

/** What an `mpeg4-generic` fmtp says about an AAC stream. */
export interface AacFmtp {
  /** `mode`, as written (`AAC-hbr`, `AAC-lbr`, `generic`), or "" when absent. */
  mode: string;
  /** `sizelength`, 1 to 32. */
  sizeLength: number;
  /** `indexlength`, or `undefined` when absent. */
  indexLength?: number;
  /** `indexdeltalength`, or `undefined` when absent. */
  indexDeltaLength?: number;
  /** `ctsdeltalength`, 0 when absent. */
  ctsDeltaLength: number;
  /** `dtsdeltalength`, 0 when absent. */
  dtsDeltaLength: number;
  /** `randomaccessindication` is 1. */
  randomAccessIndication: boolean;
  /** `streamstateindication`, 0 when absent. */
  streamStateIndication: number;
  /** `auxiliarydatasizelength`, 0 when absent. */
  auxiliaryDataSizeLength: number;
  /** `profile-level-id`, when present. */
  profileLevelId?: number;
  /** The `config` bytes: the AudioSpecificConfig. */
  config: Uint8Array;
  /** What {@link config} says. */
  audioSpecificConfig: AudioSpecificConfig;
}

/** Splits `a=b; c=d` into lower-case names and trimmed values (RFC 3640 §4.1: case-insensitive). */
export function fmtpParameters(fmtp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of fmtp.split(";")) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name !== "" && !out.has(name)) out.set(name, eq < 0 ? "" : part.slice(eq + 1).trim());
  }
  return out;
}

/** Hex digits to bytes, or `undefined` for an empty, odd-length or non-hex string. */
export function hexBytes(hex: string): Uint8Array | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function integer(
  params: Map<string, string>,
  name: string,
  max: number,
): number | undefined | AudioPayloadError {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    return new AudioPayloadError(
      `fmtp ${name}=${text.slice(0, 20)} is not a number from 0 to ${max}`,
    );
  }
  return Number(text);
}

const MODES = ["aac-hbr", "aac-lbr", "generic", ""];

/**
 * Parses the fmtp of an `mpeg4-generic` track carrying AAC. Returns an {@link AudioPayloadError}
 * (never throws) when it cannot be depacketized: no `config` (gortsplib refuses that too), no
 * `sizelength`, a CELP mode, a field wider than 32 bits, or a config that does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAacFmtp } from "./aac_fmtp.ts";
 *
 * // ffmpeg's, space before config included.
 * const fmtp = parseAacFmtp(
 *   "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500",
 * );
 * if (fmtp instanceof Error) throw fmtp;
 * assert.equal(fmtp.sizeLength, 13);
 * assert.equal(fmtp.audioSpecificConfig.sampleRate, 48000);
 * assert.deepEqual([...fmtp.config], [0x11, 0x90, 0x56, 0xe5, 0x00]);
 * ```
 */
export function parseAacFmtp(fmtp: string): AacFmtp | AudioPayloadError {
  const params = fmtpParameters(fmtp);
  const mode = params.get("mode") ?? "";
  if (!MODES.includes(mode.toLowerCase())) {
    return new AudioPayloadError(`mpeg4-generic mode ${mode.slice(0, 20)} is not AAC`);
  }
  const numbers: Record<string, number | undefined> = {};
  for (
    const name of [
      "sizelength",
      "indexlength",
      "indexdeltalength",
      "ctsdeltalength",
      "dtsdeltalength",
      "streamstateindication",
      "auxiliarydatasizelength",
      "randomaccessindication",
    ]
  ) {
    const value = integer(params, name, 32);
    if (value instanceof AudioPayloadError) return value;
    numbers[name] = value;
  }
  const sizeLength = numbers.sizelength;
  if (sizeLength === undefined || sizeLength === 0) {
    return new AudioPayloadError("mpeg4-generic fmtp without sizelength: AU sizes unknown");
  }
  const configText = params.get("config") ?? "";
  const config = hexBytes(configText);
  if (config === undefined) {
    return new AudioPayloadError(
      configText === "" ? "mpeg4-generic fmtp without config" : "fmtp config is not hex",
    );
  }
  let audioSpecificConfig: AudioSpecificConfig;
  try {
    audioSpecificConfig = parseAudioSpecificConfig(config);
  } catch (e) {
    if (e instanceof CodecError) return new AudioPayloadError(`fmtp config: ${e.message}`);
    throw e;
  }
  const out: AacFmtp = {
    mode,
    sizeLength,
    ctsDeltaLength: numbers.ctsdeltalength ?? 0,
    dtsDeltaLength: numbers.dtsdeltalength ?? 0,
    randomAccessIndication: (numbers.randomaccessindication ?? 0) !== 0,
    streamStateIndication: numbers.streamstateindication ?? 0,
    auxiliaryDataSizeLength: numbers.auxiliarydatasizelength ?? 0,
    config,
    audioSpecificConfig,
  };
  if (numbers.indexlength !== undefined) out.indexLength = numbers.indexlength;
  if (numbers.indexdeltalength !== undefined) out.indexDeltaLength = numbers.indexdeltalength;
  const profile = integer(params, "profile-level-id", 255);
  if (typeof profile === "number") out.profileLevelId = profile;
  return out;
}

/**
 * The fmtp this server announces for AAC (MEDIA.md §1.2, as gortsplib and go2rtc write it): AAC-hbr
 * with its AU header widths (RFC 3640 §3.3.6) and the AudioSpecificConfig as hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAacFmtp } from "./aac_fmtp.ts";
 *
 * assert.equal(
 *   formatAacFmtp(new Uint8Array([0x11, 0x90])),
 *   "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190",
 * );
 * ```
 */
export function formatAacFmtp(config: Uint8Array): string {
  const hex = Array.from(config, (b) => b.toString(16).padStart(2, "0")).join("");
  return "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;" +
    `indexdeltalength=3;config=${hex}`;
}
