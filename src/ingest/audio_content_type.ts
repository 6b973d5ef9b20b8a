/**
 * The media type of a device's audio push: PCM in one of the layouts microphones produce, or
 * G.711 already encoded. Pure: text in, a typed description or a refusal out; nothing throws.
 *
 * Accepted:
 * - `audio/L16;rate=<hz>[;channels=<n>]`: 16-bit big-endian (RFC 2586; `rate` required,
 *   `channels` 1 by default);
 * - `audio/x-raw;format=s16le|s16be|s32le;rate=<hz>[;channels=<n>]`, as GStreamer caps write it;
 *   `s32le` is 24 valid bits in 32-bit slots (INMP441), kept as its top 16 bits;
 * - `audio/PCMU` and `audio/PCMA` `[;rate=<hz>][;channels=<n>]` (RFC 4856 §2, 8000 Hz mono by
 *   default), and `audio/basic` (RFC 2046 §4.3.3: µ-law, 8000 Hz, mono), taken as encoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioFormatOfInput, audioInputOf } from "./audio_content_type.ts";
 *
 * const read = audioInputOf("audio/x-raw; format=S32LE; rate=16000; channels=1");
 * assert.deepEqual(read, {
 *   ok: true,
 *   input: { kind: "pcm", sampleFormat: "s32le", rate: 16000, channels: 1 },
 * });
 * assert.deepEqual(read.ok && audioFormatOfInput(read.input), {
 *   codec: "l16",
 *   clockRate: 16000,
 *   channels: 1,
 * });
 *
 * const bad = audioInputOf("audio/L16;rate=4000");
 * assert.deepEqual(bad, {
 *   ok: false,
 *   status: 400,
 *   error: "audio/l16 rate must be a whole number of Hz from 8000 to 96000, got 4000",
 * });
 * ```
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import type { PcmSampleFormat } from "../codec/pcm.ts";
import { type ContentType, parseContentType } from "./content_type.ts";
import { IngestError } from "./errors.ts";
import { printable } from "../rtsp/syntax.ts";

/** What a device's audio push carries. */
export type AudioInput =
  /** PCM to convert to L16 (RFC 3551 §4.5.11) and cut into frames (`PcmChunker`). */
  | { kind: "pcm"; sampleFormat: PcmSampleFormat; rate: number; channels: number }
  /** G.711 codes, one byte per sample, sent on as they are. */
  | { kind: "g711"; codec: "pcmu" | "pcma"; rate: number; channels: number };

/** An {@link AudioInput}, or why the media type cannot be taken. */
export type AudioInputResult =
  | { ok: true; input: AudioInput }
  | {
    ok: false;
    /** The HTTP status to answer: 415 for a type or format not taken, 400 for a bad parameter. */
    status: 400 | 415;
    /** One sentence naming the type or parameter at fault (peer text quoted and escaped). */
    error: string;
  };

/** Sample rates taken, in Hz: telephone band to high-resolution audio. */
export const AUDIO_RATE_RANGE: readonly [number, number] = [8000, 96000];

const SUPPORTED = "use audio/L16, audio/x-raw, audio/PCMU, audio/PCMA or audio/basic";
const RAW_FORMATS = "s16le, s16be or s32le";
const RAW_FORMAT_NAMES: Readonly<Record<string, PcmSampleFormat>> = {
  s16le: "s16le",
  s16be: "s16be",
  s32le: "s32le",
};

/**
 * Reads the media type of an audio push.
 *
 * @param ct The Content-Type value (or `?type=` query parameter), or one already parsed.
 * @returns The input's description, or a refusal with its HTTP status and reason; never throws.
 */
export function audioInputOf(ct: string | ContentType): AudioInputResult {
  if (typeof ct === "string" && ct.trim() === "") {
    return { ok: false, status: 415, error: `the content type is missing; ${SUPPORTED}` };
  }
  let parsed: ContentType;
  if (typeof ct === "string") {
    try {
      parsed = parseContentType(ct);
    } catch (e) {
      if (e instanceof IngestError) return { ok: false, status: 400, error: e.message };
      throw e;
    }
  } else if (typeof ct?.type === "string" && typeof ct.subtype === "string" && ct.params) {
    parsed = ct;
  } else {
    return { ok: false, status: 400, error: "the content type is not a string" };
  }
  const { type, subtype, params } = parsed;
  const media = `${type}/${subtype}`;
  try {
    switch (media) {
      case "audio/l16":
        // RFC 2586 §1: rate is required; channels defaults to 1; samples are big-endian.
        return pcm("s16be", media, params);
      case "audio/x-raw": {
        const name = params.format;
        if (name === undefined) {
          throw new Refusal(400, `audio/x-raw needs a format: ${RAW_FORMATS}`);
        }
        const format = RAW_FORMAT_NAMES[name.toLowerCase()];
        if (format === undefined) {
          throw new Refusal(
            415,
            `unsupported audio/x-raw format ${quote(name)}; use ${RAW_FORMATS}`,
          );
        }
        // GStreamer caps: layout=interleaved is the only layout a byte stream can carry.
        const layout = params.layout;
        if (layout !== undefined && layout.toLowerCase() !== "interleaved") {
          throw new Refusal(415, `audio/x-raw layout must be interleaved, got ${quote(layout)}`);
        }
        return pcm(format, media, params);
      }
      case "audio/pcmu":
      case "audio/pcma": {
        // RFC 4856 §2 (PCMU/PCMA registrations): 8000 Hz mono unless the parameters say otherwise.
        const rate = params.rate === undefined ? 8000 : number(media, "rate", params.rate);
        const channels = params.channels === undefined
          ? 1
          : number(media, "channels", params.channels);
        checkRange(media, rate, channels);
        return {
          ok: true,
          input: { kind: "g711", codec: subtype as "pcmu" | "pcma", rate, channels },
        };
      }
      case "audio/basic": {
        // RFC 2046 §4.3.3: single channel 8-bit µ-law at 8000 Hz; nothing else may be said.
        for (const name of ["rate", "channels"]) {
          const value = params[name];
          const fixed = name === "rate" ? "8000" : "1";
          if (value !== undefined && value !== fixed) {
            throw new Refusal(
              400,
              `audio/basic is ${fixed === "1" ? "mono" : "8000 Hz"}; ${name}=${
                quote(value)
              } contradicts it`,
            );
          }
        }
        return { ok: true, input: { kind: "g711", codec: "pcmu", rate: 8000, channels: 1 } };
      }
      default:
        return {
          ok: false,
          status: 415,
          error: `unsupported audio type ${quote(media)}; ${SUPPORTED}`,
        };
    }
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, status: e.status, error: e.message };
    throw e;
  }
}

/**
 * The track an input becomes: L16 at the input's rate and channels for PCM (whatever the device's
 * sample layout), PCMU or PCMA as sent for G.711.
 *
 * @param input A description from {@linkcode audioInputOf}.
 * @returns The format to announce in the SDP.
 */
export function audioFormatOfInput(input: AudioInput): AudioFormat {
  const codec = input.kind === "pcm" ? "l16" : input.codec;
  return { codec, clockRate: input.rate, channels: input.channels };
}

/**
 * Whether two pushes feed one track unchanged: the same codec on the wire, rate and channels. A
 * device that reconnects with another rate or channel count needs a new track (and the readers a
 * new SDP); one that switches between `s16le` and `s32le` does not, since both become the same L16.
 *
 * @param a One input.
 * @param b Another.
 * @returns `true` when the track they become is the same.
 */
export function samePcmFormat(a: AudioInput, b: AudioInput): boolean {
  const fa = audioFormatOfInput(a);
  const fb = audioFormatOfInput(b);
  return fa.codec === fb.codec && fa.clockRate === fb.clockRate && fa.channels === fb.channels;
}

/** A refusal on its way out of the helpers below; never leaves this module. */
class Refusal extends Error {
  constructor(readonly status: 400 | 415, message: string) {
    super(message);
  }
}

function pcm(
  sampleFormat: PcmSampleFormat,
  media: string,
  params: Record<string, string>,
): AudioInputResult {
  // Nothing in PCM bytes says their rate, so it must be given (RFC 2586 §1 for L16).
  if (params.rate === undefined) {
    throw new Refusal(400, `${media} needs a rate parameter (samples per second)`);
  }
  const rate = number(media, "rate", params.rate);
  const channels = params.channels === undefined ? 1 : number(media, "channels", params.channels);
  checkRange(media, rate, channels);
  return { ok: true, input: { kind: "pcm", sampleFormat, rate, channels } };
}

function number(media: string, name: string, value: string): number {
  if (!/^[0-9]{1,6}$/.test(value)) {
    throw new Refusal(400, `${media} ${name} must be a whole number, got ${quote(value)}`);
  }
  return Number(value);
}

function checkRange(media: string, rate: number, channels: number): void {
  const [low, high] = AUDIO_RATE_RANGE;
  if (rate < low || rate > high) {
    throw new Refusal(
      400,
      `${media} rate must be a whole number of Hz from ${low} to ${high}, got ${rate}`,
    );
  }
  if (channels !== 1 && channels !== 2) {
    throw new Refusal(400, `${media} channels must be 1 or 2, got ${channels}`);
  }
}

/** Peer text for a message: quoted, controls escaped, cut at 64 characters. */
function quote(text: string): string {
  return printable(text);
}
