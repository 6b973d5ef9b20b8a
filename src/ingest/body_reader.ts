/**
 * Turns the body bytes of one ingest request (or the messages of one WebSocket) into whole frames
 * for a {@link FrameSink}, by format: H.264 bytes pass straight through, JPEGs are collected or
 * cut out of a multipart stream, raw frames are cut (and inflated) to their fixed size.
 *
 * @module
 */

import type { IngestFormat } from "./content_type.ts";
import { IngestError } from "./errors.ts";
import { HttpParseError } from "../http1/errors.ts";
import { type MultipartPart, MultipartSplitter } from "../http1/multipart.ts";
import { Decompressor, RawFrameSplitter } from "./raw_frames.ts";
import { FrameError, type FrameSink, type H264Passthrough } from "../encoder/frame_sinks.ts";
import { frameSize } from "../codec/raw_frame.ts";

/** Where a body's frames go, and how their times are decided. */
export interface BodyTarget {
  /** The sink for whole frames (JPEG, raw). */
  sink?: FrameSink;
  /** The passthrough for H.264 bytes. */
  h264?: H264Passthrough;
  /** The time of a frame, from the device's timestamp if any (µs) and now. */
  stamp(deviceUs: number | undefined): number;
}

/** Reads one body. */
export class BodyReader {
  readonly #format: IngestFormat;
  readonly #target: BodyTarget;
  readonly #maxFrameBytes: number;
  // The request's own timestamp stamps its first frame only: a body of many frames has one header.
  #timestampUs: number | undefined;
  #jpeg: Uint8Array[] = [];
  #jpegBytes = 0;
  #multipart: MultipartSplitter | undefined;
  #raw: RawFrameSplitter | undefined;
  #inflate: Decompressor | undefined;
  #frames = 0;

  /**
   * Reads a body of `format` into `target`. `timestampUs` is the request's own timestamp (for a
   * one-frame body); `encoding` a raw body's compression.
   */
  constructor(
    format: IngestFormat,
    target: BodyTarget,
    maxFrameBytes: number,
    timestampUs?: number,
    encoding?: "deflate" | "gzip",
  ) {
    this.#format = format;
    this.#target = target;
    this.#maxFrameBytes = maxFrameBytes;
    this.#timestampUs = timestampUs;
    if (format.kind === "multipart") {
      this.#multipart = new MultipartSplitter(format.boundary, maxFrameBytes);
    } else if (format.kind === "raw") {
      const bytes = frameSize(format.format, format.width, format.height);
      if (bytes > maxFrameBytes) {
        throw new IngestError(413, `a ${format.width}x${format.height} frame is above the cap`);
      }
      this.#raw = new RawFrameSplitter(bytes);
      // A compressed body may inflate to any number of frames: cap what is held at once.
      if (encoding) this.#inflate = new Decompressor(encoding, bytes * 2 + (1 << 20));
    }
  }

  /** Frames handed on so far. */
  get frames(): number {
    return this.#frames;
  }

  /**
   * The next body bytes (a view, valid during the call); `chunkEnd` when they complete an HTTP
   * chunk. Throws {@link IngestError}.
   */
  push(bytes: Uint8Array, chunkEnd?: boolean): void {
    refusing(() => this.#push(bytes, chunkEnd));
  }

  #push(bytes: Uint8Array, chunkEnd?: boolean): void {
    switch (this.#format.kind) {
      case "h264":
        this.#target.h264!.bytes(bytes, () => this.#target.stamp(this.#takeRequestStamp()));
        if (chunkEnd && this.#format.chunkPerAccessUnit) this.#target.h264!.boundary();
        return;
      case "jpeg":
        this.#jpegBytes += bytes.length;
        if (this.#jpegBytes > this.#maxFrameBytes) {
          throw new IngestError(413, `the JPEG is above the ${this.#maxFrameBytes}-byte cap`);
        }
        this.#jpeg.push(bytes.slice());
        return;
      case "multipart":
        for (const part of this.#parts(bytes)) {
          const type = part.headers["content-type"]?.toLowerCase().split(";")[0].trim();
          if (type !== undefined && type !== "image/jpeg") {
            throw new IngestError(
              415,
              `a multipart part of type ${type}; parts must be image/jpeg`,
            );
          }
          this.#frame(part.body, part.timestampUs);
        }
        return;
      case "raw":
        for (const chunk of this.#inflate ? this.#inflate.push(bytes) : [bytes]) {
          this.#rawBytes(chunk);
        }
        return;
    }
  }

  /** A whole message (WebSocket): one frame, or one access unit for H.264. */
  message(data: Uint8Array, timestampUs: number | undefined): void {
    refusing(() => this.#message(data, timestampUs));
  }

  #message(data: Uint8Array, timestampUs: number | undefined): void {
    if (data.length > this.#maxFrameBytes) {
      throw new IngestError(413, `a frame of ${data.length} bytes is above the cap`);
    }
    if (this.#format.kind === "h264") {
      this.#target.h264!.bytes(data, () => this.#target.stamp(timestampUs));
      this.#target.h264!.boundary();
      this.#frames++;
    } else {
      this.#frame(data, timestampUs);
    }
  }

  /** The body ended. Throws {@link IngestError} when it ended mid-frame. */
  end(): void {
    refusing(() => this.#end());
  }

  #end(): void {
    switch (this.#format.kind) {
      case "h264":
        this.#target.h264!.boundary();
        return;
      case "jpeg": {
        if (this.#jpegBytes === 0) throw new IngestError(400, "the body is empty");
        const jpeg = new Uint8Array(this.#jpegBytes);
        let at = 0;
        for (const piece of this.#jpeg) {
          jpeg.set(piece, at);
          at += piece.length;
        }
        this.#jpeg = [];
        this.#frame(jpeg, this.#takeRequestStamp());
        return;
      }
      case "raw":
        if (this.#inflate) { for (const chunk of this.#inflate.end()) this.#rawBytes(chunk); }
        if (this.#raw!.pending > 0) {
          throw new IngestError(
            400,
            `the body ended inside a raw frame (${this.#raw!.pending} bytes)`,
          );
        }
        return;
      case "multipart":
        return;
    }
  }

  // The splitter is shared with the camera client and throws its own error: here it is a refusal
  // the device hears as that status.
  #parts(bytes: Uint8Array): MultipartPart[] {
    try {
      return this.#multipart!.push(bytes);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      throw new IngestError(error.status, error.message, error.offset);
    }
  }

  #rawBytes(bytes: Uint8Array): void {
    for (const frame of this.#raw!.push(bytes)) this.#frame(frame, this.#takeRequestStamp());
  }

  #takeRequestStamp(): number | undefined {
    const ts = this.#timestampUs;
    this.#timestampUs = undefined;
    return ts;
  }

  #frame(data: Uint8Array, deviceUs: number | undefined): void {
    this.#frames++;
    this.#target.sink!.frame(data, this.#target.stamp(deviceUs));
  }
}

// The sinks are shared with the relays and throw their own error: here it is a refusal the device
// hears as that status.
function refusing(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof FrameError)) throw error;
    throw new IngestError(error.status, error.message);
  }
}
