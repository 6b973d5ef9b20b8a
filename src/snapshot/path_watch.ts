/**
 * One watched path of {@link Snapshots}: a tap on the stream, its depacketizer, and what is known
 * of its newest picture. H.264 access units go to the backend's decoder for this path's slot as
 * they come, so the newest picture is ready when a snapshot is asked for; a JPEG stream's newest
 * picture is kept as it came.
 *
 * Bounded: at most {@link MAX_IN_FLIGHT} access units (and {@link MAX_IN_FLIGHT_BYTES}) wait for
 * the decoder; beyond that, and after a picture that failed to decode, access units are skipped
 * up to the next keyframe (the frames in between depend on what was skipped).
 *
 * @module
 */

import { encodeAnnexB } from "../codec/annexb.ts";
import { H264Depacketizer } from "../rtp/h264_depacketizer.ts";
import { parseRtpPacket } from "../rtp/header.ts";
import { JpegDepacketizer } from "../rtp/jpeg_depacketizer.ts";
import type { Tap, TapFrame, TapSink } from "../server/tap.ts";
import type { SnapshotBackend } from "./backend.ts";

/** Access units sent to the decoder and not decoded yet, at most (two seconds at 30 fps). */
export const MAX_IN_FLIGHT = 60;
/** Bytes of access units sent to the decoder and not decoded yet, at most. */
export const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/** How a watch opens its tap: `server.tap` bound to the server. */
export type OpenTap = (path: string, sink: TapSink) => Tap;

/** A waiter for the first picture. */
interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** The tap, decoder slot and newest picture of one path. */
export class PathWatch {
  /** The path watched. */
  readonly path: string;
  /** The backend's decoder slot of this path (H.264). */
  readonly slot: number;
  /** The tap; set by {@link PathWatch.open}. */
  tap!: Tap;
  /** Why the watch ended, once it did (the stream was removed, the server closed). */
  ended: string | undefined;
  /** Snapshots waiting on this watch now: it is not closed while any are. */
  users = 0;
  /** When a snapshot last used it (ms, `performance.now()`), for closing idle watches. */
  lastUsed = 0;
  /** Access units skipped (decoder behind, or waiting for a keyframe after a failure). */
  skipped = 0;
  /** Access units that failed to decode. */
  failed = 0;

  #backend: SnapshotBackend;
  #h264?: H264Depacketizer;
  #jpeg?: JpegDepacketizer;
  #latestJpeg?: Uint8Array;
  #hasPicture = false;
  /** Sizes of the access units sent to the decoder and not decoded yet, oldest first. */
  #inFlightSizes: number[] = [];
  #inFlightBytes = 0;
  #skipping = false;
  #waiters = new Set<Waiter>();

  /** A watch of `path` using `slot` of `backend`; {@link PathWatch.open} starts it. */
  constructor(path: string, slot: number, backend: SnapshotBackend) {
    this.path = path;
    this.slot = slot;
    this.#backend = backend;
  }

  /**
   * Opens the tap with `openTap` (which throws when no stream is served at the path) on a stream
   * of `codec`. `size` is the picture size of a JPEG stream, if known (RTP/JPEG carries it rounded
   * up to 8).
   */
  open(
    openTap: OpenTap,
    codec: "h264" | "jpeg",
    size?: { width?: number; height?: number },
  ): void {
    // Before the tap: it hands out the cached GOP, from its keyframe, while it is being opened.
    if (codec === "h264") {
      this.#h264 = new H264Depacketizer();
    } else {
      const fits = (n?: number) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 2040;
      const exact = fits(size?.width) && fits(size?.height) ? size : {};
      this.#jpeg = new JpegDepacketizer(exact);
    }
    this.tap = openTap(this.path, {
      frame: (frame) => this.#frame(frame),
      queuedBytes: 0,
      queuedFrames: 0,
      ended: (reason) => this.#end(reason),
    });
  }

  /** Whether a picture can be asked for: decoded (H.264) or received (JPEG). */
  get hasPicture(): boolean {
    return this.#hasPicture;
  }

  /** The newest JPEG of a JPEG stream (owned by the watch: copy before transferring it). */
  get latestJpeg(): Uint8Array | undefined {
    return this.#latestJpeg;
  }

  /** Resolves once there is a picture; rejects when the watch ends or `signal` fires. */
  whenPicture(signal: AbortSignal): Promise<void> {
    if (this.#hasPicture) return Promise.resolve();
    if (this.ended !== undefined) return Promise.reject(new Error(this.ended));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal.removeEventListener("abort", abort);
          resolve();
        },
        reject: (error) => {
          signal.removeEventListener("abort", abort);
          reject(error);
        },
      };
      const abort = () => {
        this.#waiters.delete(waiter);
        reject(signal.reason);
      };
      signal.addEventListener("abort", abort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** The decoder of this slot answered one access unit. */
  decoded(picture: boolean, error?: string): void {
    this.#inFlightBytes -= this.#inFlightSizes.shift() ?? 0;
    if (error !== undefined) {
      this.failed++;
      this.#skipping = true; // what follows refers to the broken picture
    }
    if (picture) this.#gotPicture();
  }

  /** The decoder lost its picture (it was restarted): wait for the next one. */
  lostPicture(): void {
    if (this.#h264) this.#hasPicture = false;
  }

  /** Closes the tap and frees the slot; waiters are told `reason`. */
  close(reason: string): void {
    if (this.ended === undefined) this.ended = reason;
    if (this.tap && !this.tap.closed) this.tap.close();
    if (this.#h264) this.#backend.post({ type: "release", slot: this.slot });
    this.#h264 = this.#jpeg = undefined;
    this.#latestJpeg = undefined;
    for (const w of this.#waiters) w.reject(new Error(reason));
    this.#waiters.clear();
  }

  #end(reason: string): void {
    this.close(`the stream at ${this.path} ended: ${reason}`);
  }

  #gotPicture(): void {
    this.#hasPicture = true;
    for (const w of this.#waiters) w.resolve();
    this.#waiters.clear();
  }

  #frame(frame: TapFrame): void {
    for (const view of frame.packetViews) {
      const packet = parseRtpPacket(view);
      if (!packet) continue;
      if (this.#h264) {
        const au = this.#h264.push(packet);
        if (au) this.#accessUnit(au.nalUnits, au.keyframe);
      } else if (this.#jpeg) {
        const picture = this.#jpeg.push(packet);
        if (picture) {
          this.#latestJpeg = picture.jpeg;
          this.#gotPicture();
        }
      }
    }
  }

  #accessUnit(nalUnits: Uint8Array[], keyframe: boolean): void {
    if (this.#inFlightSizes.length >= MAX_IN_FLIGHT || this.#inFlightBytes >= MAX_IN_FLIGHT_BYTES) {
      this.#skipping = true;
    }
    if (this.#skipping && !(keyframe && this.#inFlightSizes.length < MAX_IN_FLIGHT / 2)) {
      this.skipped++;
      return;
    }
    this.#skipping = false;
    const data = encodeAnnexB(nalUnits);
    this.#inFlightSizes.push(data.byteLength);
    this.#inFlightBytes += data.byteLength;
    this.#backend.post({ type: "decode", slot: this.slot, data }, [data.buffer as ArrayBuffer]);
  }
}
