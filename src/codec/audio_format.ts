/**
 * What an audio track carries: the codec, its RTP clock and channels, and what a decoder needs
 * before the first frame. One description serves the SDP (offer and answer), the payload formats
 * and the ingest of device PCM, so that every layer agrees on the same few codecs.
 *
 * @module
 */

/**
 * The audio codecs a path can carry (MEDIA.md §1.2):
 * - `aac`: MPEG-4 AAC as `mpeg4-generic`, AAC-hbr (RFC 3640 §3.3.6);
 * - `opus`: RFC 7587, always `opus/48000/2` in the SDP;
 * - `pcmu`, `pcma`: G.711 µ-law and A-law (RFC 3551 §4.5.14);
 * - `l16`: 16-bit linear PCM, big-endian (RFC 3551 §4.5.11, RFC 2586).
 */
export type AudioCodec = "aac" | "opus" | "pcmu" | "pcma" | "l16";

/** Every {@link AudioCodec}, in the order the log and the console name them. */
export const AUDIO_CODECS: readonly AudioCodec[] = ["aac", "opus", "pcmu", "pcma", "l16"];

/** One audio track's format. */
export interface AudioFormat {
  /** The codec. */
  codec: AudioCodec;
  /**
   * RTP clock rate in Hz: the sample rate for AAC, G.711 and L16; always 48000 for Opus
   * (RFC 7587 §4.1), whatever rate the encoder ran at.
   */
  clockRate: number;
  /** Channels: 1 or 2 (for Opus, what `sprop-stereo` says; RFC 7587 §7.1). */
  channels: number;
  /** AAC only: the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the fmtp `config=` bytes. */
  config?: Uint8Array;
}

/** RTP payload types whose meaning RFC 3551 Table 4 fixes, and the formats they stand for. */
export const STATIC_AUDIO_PAYLOAD_TYPES: ReadonlyMap<number, Readonly<AudioFormat>> = new Map([
  [0, { codec: "pcmu", clockRate: 8000, channels: 1 }],
  [8, { codec: "pcma", clockRate: 8000, channels: 1 }],
  [10, { codec: "l16", clockRate: 44100, channels: 2 }],
  [11, { codec: "l16", clockRate: 44100, channels: 1 }],
]);

/** A short name for logs and the console, e.g. `AAC 48000 Hz stereo`, `PCMU 8000 Hz mono`. */
export function describeAudioFormat(format: AudioFormat): string {
  const name = format.codec === "l16" ? "L16" : format.codec.toUpperCase();
  const channels = format.channels === 1
    ? "mono"
    : format.channels === 2
    ? "stereo"
    : `${format.channels} channels`;
  return `${name} ${format.clockRate} Hz ${channels}`;
}
