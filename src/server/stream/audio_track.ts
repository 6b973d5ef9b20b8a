/**
 * A stream's audio track: its own SSRC, sequence numbers and RTP clock (RFC 3550 §5.1), stamped
 * from the stream's one {@link MediaClock} so its sender reports line up with the video's. Frames
 * come in (AAC access units, Opus packets, G.711 or L16 sample blocks, from a publisher, a relayed
 * camera or a device) and are packetized once for every reader (`rtp/audio_payloads.ts`). The last
 * seconds are kept, so a reader that starts with the cached video GOP hears the sound of the same
 * instants.
 *
 * @module
 */

import { type AudioPacketizer, audioPacketizer } from "../../rtp/audio_payloads.ts";
import { type AudioFormat, describeAudioFormat } from "../../codec/audio_format.ts";
import { audioRtpmap } from "../../sdp/audio_rtpmap.ts";
import type { SdpMediaDescription } from "../../sdp/build.ts";
import { randomUint32 } from "../session/session_id.ts";
import { Frame } from "./frame.ts";
import { type MediaClock, rtpTimeOf } from "./media_clock.ts";
import type { StartPoint, StreamReader } from "./stream_reader.ts";

/** The largest audio frame taken: a second of 48 kHz stereo L16 is 192 kB. */
const MAX_AUDIO_FRAME = 256 * 1024;
/** How long audio is kept for a reader that starts with the cached GOP. */
const KEEP_MS = 10_000;
/** Bytes of audio kept at most (10 s of 48 kHz stereo L16 is 1.9 MB). */
const KEEP_BYTES = 4 << 20;

/** A frame of audio with the time it arrived (monotonic ms). */
interface KeptFrame {
  frame: Frame;
  at: number;
}

/** The audio of one stream. */
export class AudioTrack {
  /** SSRC of the track's RTP packets (random, RFC 3550 §8). */
  readonly ssrc: number = randomUint32();
  #format: AudioFormat;
  #packetizer: AudioPacketizer;
  #clock: MediaClock;
  #now: () => number;
  #rtpBase = randomUint32();
  #readers = new Set<StreamReader>();
  #kept: KeptFrame[] = [];
  #keptHead = 0;
  #keptBytes = 0;
  #stats = { packets: 0, bytesIn: 0, refused: 0 };

  /** An audio track on `clock`; `now` is the server's monotonic clock in ms. */
  constructor(format: AudioFormat, clock: MediaClock, now: () => number, maxPayloadSize: number) {
    this.#format = { ...format };
    this.#packetizer = audioPacketizer(format, {
      payloadType: audioRtpmap(format).payloadType,
      ssrc: this.ssrc,
      initialSequence: randomUint32() & 0xffff,
      maxPayloadSize,
    });
    this.#clock = clock;
    this.#now = now;
  }

  /** What the track carries. */
  get format(): Readonly<AudioFormat> {
    return this.#format;
  }

  /** The format for a log line or the console, e.g. `AAC 48000 Hz stereo`. */
  get label(): string {
    return describeAudioFormat(this.#format);
  }

  /** Packets taken and refused, and payload bytes taken. */
  get stats(): Readonly<{ packets: number; bytesIn: number; refused: number }> {
    return this.#stats;
  }

  /** Whether `format` is what the track carries already. */
  carries(format: AudioFormat): boolean {
    const f = this.#format;
    return f.codec === format.codec && f.clockRate === format.clockRate &&
      f.channels === format.channels && sameBytes(f.config, format.config);
  }

  /**
   * Sends one frame of the track's codec (an AAC access unit, an Opus packet, sample bytes as on
   * the wire), presented at `timestampUs` on the source's clock (the clock the video's frame times
   * are on). Returns false when it was refused: empty, or larger than any audio frame.
   */
  send(frame: Uint8Array, timestampUs: number): boolean {
    if (frame.length === 0 || frame.length > MAX_AUDIO_FRAME) {
      this.#stats.refused++;
      return false;
    }
    const streamUs = this.#clock.follow(timestampUs);
    const rtpTimestamp = rtpTimeOf(this.#rtpBase, this.#format.clockRate, streamUs);
    const sequence = this.#packetizer.nextSequence;
    const packets = this.#packetizer.packetize(frame, rtpTimestamp);
    if (packets.count === 0) {
      this.#stats.refused++; // an AAC access unit too large for its 13-bit size field
      return false;
    }
    const out = new Frame(packets, true, rtpTimestamp, sequence, streamUs);
    this.#stats.packets += packets.count;
    this.#stats.bytesIn += frame.length;
    this.#keep({ frame: out, at: this.#now() });
    for (const reader of this.#readers) reader.deliver(out);
    return true;
  }

  /** Attaches a reader that gets audio from now on. */
  attach(reader: StreamReader): void {
    this.#readers.add(reader);
  }

  /** Detaches a reader. */
  detach(reader: StreamReader): void {
    this.#readers.delete(reader);
  }

  /** Readers attached. */
  get readerCount(): number {
    return this.#readers.size;
  }

  /** The kept audio from stream time `streamUs` on, oldest first. */
  keptFrom(streamUs: number): Frame[] {
    const out: Frame[] = [];
    for (let i = this.#keptHead; i < this.#kept.length; i++) {
      const frame = this.#kept[i].frame;
      if (frame.streamUs >= streamUs) out.push(frame);
    }
    return out;
  }

  /** Forgets the kept audio (the source left: it is not live any more). */
  clearKept(): void {
    this.#kept = [];
    this.#keptHead = 0;
    this.#keptBytes = 0;
  }

  /**
   * Where a reader starting at stream time `streamUs` starts on this track, for RTP-Info
   * (RFC 2326 §12.33): the first kept packet from there on, else the next packet.
   */
  startPoint(streamUs: number | undefined): StartPoint {
    const first = streamUs === undefined ? undefined : this.keptFrom(streamUs)[0];
    if (first) return { sequence: first.firstSequence, rtpTimestamp: first.rtpTimestamp };
    return { sequence: this.#packetizer.nextSequence, rtpTimestamp: this.rtpTimeAt() };
  }

  /** The RTP time at monotonic ms `at` (default now): for the track's RTCP sender reports. */
  rtpTimeAt(at: number = this.#now()): number {
    if (!this.#clock.started) return this.#rtpBase;
    return rtpTimeOf(this.#rtpBase, this.#format.clockRate, this.#clock.streamTimeAt(at));
  }

  /** The SDP media section (RFC 4566 §5.14; the payload format's own RFC for its fmtp). */
  sdpMedia(control: string): SdpMediaDescription {
    const map = audioRtpmap(this.#format);
    const media: SdpMediaDescription = {
      kind: "audio",
      payloadType: map.payloadType,
      encoding: map.encoding,
      clockRate: map.clockRate,
      control,
    };
    if (map.channels !== undefined && map.channels !== 1) media.channels = map.channels;
    if (map.fmtp !== undefined) media.fmtp = map.fmtp;
    return media;
  }

  #keep(kept: KeptFrame): void {
    this.#kept.push(kept);
    this.#keptBytes += kept.frame.byteLength;
    const oldest = kept.at - KEEP_MS;
    while (
      this.#keptHead < this.#kept.length &&
      (this.#kept[this.#keptHead].at < oldest || this.#keptBytes > KEEP_BYTES)
    ) {
      this.#keptBytes -= this.#kept[this.#keptHead].frame.byteLength;
      this.#keptHead++;
    }
    if (this.#keptHead > 1024 && this.#keptHead * 2 > this.#kept.length) {
      this.#kept = this.#kept.slice(this.#keptHead);
      this.#keptHead = 0;
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
