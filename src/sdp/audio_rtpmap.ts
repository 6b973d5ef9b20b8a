/**
 * What an audio `m=` section says for each {@link AudioFormat}: payload type, `a=rtpmap` and
 * `a=fmtp`, written as the strictest readers (gortsplib, WebRTC stacks) accept (MEDIA.md §1.2).
 *
 * | codec | payload type | rtpmap | fmtp |
 * |---|---|---|---|
 * | aac | dynamic | `mpeg4-generic/<rate>/<ch>` | `streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=<hex>` |
 * | opus | dynamic | `opus/48000/2` | `sprop-stereo=0` or `1` |
 * | pcmu, pcma | 0, 8 at 8000 Hz mono; else dynamic | `PCMU/8000`; `PCMU/<rate>/<ch>` | — |
 * | l16 | dynamic | `L16/<rate>/<ch>` | — |
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioRtpmap } from "./audio_rtpmap.ts";
 *
 * assert.deepEqual(audioRtpmap({ codec: "pcmu", clockRate: 8000, channels: 1 }), {
 *   payloadType: 0,
 *   encoding: "PCMU",
 *   clockRate: 8000,
 * });
 * assert.deepEqual(audioRtpmap({ codec: "opus", clockRate: 48000, channels: 1 }, 111), {
 *   payloadType: 111,
 *   encoding: "opus",
 *   clockRate: 48000,
 *   channels: 2,
 *   fmtp: "sprop-stereo=0",
 * });
 * ```
 *
 * @module
 */

import { AUDIO_CODECS, type AudioFormat } from "../codec/audio_format.ts";

/** The payload type and the `a=rtpmap` / `a=fmtp` values of one audio format. */
export interface AudioRtpmap {
  /** RTP payload type: static (RFC 3551 Table 4) or the dynamic one given. */
  payloadType: number;
  /** Encoding name for `a=rtpmap`. */
  encoding: string;
  /** RTP clock rate. */
  clockRate: number;
  /** Channels for `a=rtpmap`; absent for the static G.711 types, which fix them. */
  channels?: number;
  /** The `a=fmtp` value, when the format has one. */
  fmtp?: string;
}

/** The dynamic payload type used when none is given (RFC 3551 §3: 96–127 are dynamic). */
export const DEFAULT_AUDIO_PAYLOAD_TYPE = 97;

/**
 * The payload type, rtpmap and fmtp of an audio format.
 *
 * PCMU and PCMA at 8000 Hz mono take their static payload types 0 and 8 (RFC 3551 §6 Table 4),
 * which every client knows and WebRTC requires; at any other rate or channel count the static
 * types would be wrong (gortsplib `g711.go`), so they take the dynamic type with an explicit
 * `PCMU/<rate>/<ch>`.
 *
 * L16 always takes a dynamic type with an explicit rtpmap, even at 44100 Hz where static 10
 * (stereo) and 11 (mono) exist: the rtpmap then states rate and channels outright instead of
 * relying on the client's copy of Table 4, and every rate goes one way.
 *
 * @param format The format; for AAC its `config` (AudioSpecificConfig) is required.
 * @param dynamicPayloadType The payload type when the format has no static one: 96 to 127.
 * @param at How error messages name the format, e.g. `media[1].format`.
 * @returns What the `m=` section says.
 * @throws {TypeError} For an unknown codec, or AAC without a config.
 * @throws {RangeError} For a payload type, clock rate or channel count out of range, or Opus at a
 *   clock rate other than 48000.
 */
export function audioRtpmap(
  format: AudioFormat,
  dynamicPayloadType: number = DEFAULT_AUDIO_PAYLOAD_TYPE,
  at = "format",
): AudioRtpmap {
  if (!AUDIO_CODECS.includes(format.codec)) {
    throw new TypeError(
      `${at}.codec must be one of ${AUDIO_CODECS.join(", ")}, got ${format.codec}`,
    );
  }
  if (
    !Number.isInteger(dynamicPayloadType) || dynamicPayloadType < 96 || dynamicPayloadType > 127
  ) {
    throw new RangeError(
      `the dynamic payload type must be an integer from 96 to 127, got ${dynamicPayloadType}`,
    );
  }
  const { codec, clockRate, channels } = format;
  if (!Number.isInteger(clockRate) || clockRate < 1 || clockRate > 0xffffffff) {
    throw new RangeError(`${at}.clockRate must be a positive integer, got ${clockRate}`);
  }
  if (channels !== 1 && channels !== 2) {
    throw new RangeError(`${at}.channels must be 1 or 2, got ${channels}`);
  }
  const pt = dynamicPayloadType;
  switch (codec) {
    case "aac": {
      const config = format.config;
      if (!(config instanceof Uint8Array) || config.length === 0) {
        throw new TypeError(`${at}.config must hold the AudioSpecificConfig for AAC`);
      }
      // RFC 3640 §3.3.6 AAC-hbr with gortsplib's and go2rtc's exact parameters; streamtype 5 is
      // audio, and gortsplib refuses a track without config or sizelength (§4.1).
      const fmtp = "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;" +
        `indexdeltalength=3;config=${toHex(config)}`;
      return { payloadType: pt, encoding: "mpeg4-generic", clockRate, channels, fmtp };
    }
    case "opus":
      // RFC 7587 §7: always opus/48000/2; mono or stereo is sprop-stereo's to say (§7.1).
      if (clockRate !== 48000) {
        throw new RangeError(
          `${at}.clockRate must be 48000 for Opus (RFC 7587 §4.1), got ${clockRate}`,
        );
      }
      return {
        payloadType: pt,
        encoding: "opus",
        clockRate,
        channels: 2,
        fmtp: `sprop-stereo=${channels === 2 ? 1 : 0}`,
      };
    case "pcmu":
    case "pcma": {
      const encoding = codec === "pcmu" ? "PCMU" : "PCMA";
      if (clockRate === 8000 && channels === 1) {
        return { payloadType: codec === "pcmu" ? 0 : 8, encoding, clockRate };
      }
      return { payloadType: pt, encoding, clockRate, channels };
    }
    case "l16":
      // RFC 3551 §4.5.11: L16 is big-endian; the rate and channels are the rtpmap's to say.
      return { payloadType: pt, encoding: "L16", clockRate, channels };
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}
