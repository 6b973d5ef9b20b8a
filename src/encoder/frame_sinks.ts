/**
 * The one path from whole frames to a served stream, for everything that receives pictures rather
 * than makes them: devices pushing to the ingest port, and relays pulling JPEGs (HTTP cameras,
 * RTSP sources sending RTP/JPEG). H.264 passes through to the stream; a JPEG goes out as RTP/JPEG
 * or is decoded and encoded to H.264; raw frames are encoded. Each sink owns what it made (an
 * encoder) and frees it on close; the stream belongs to the path.
 *
 * The stream is a small interface ({@link FrameStream}), which the server's `LiveStream` fits, so
 * this file needs nothing of the server, and ingest/ and source/ both may import it.
 *
 * @module
 */

import { AccessUnitSplitter } from "../codec/access_unit.ts";
import { JpegError, probeJpeg } from "../codec/jpeg.ts";
import { H264Encoder } from "./h264_encoder.ts";
import { type Logger, throttledLog } from "../base/log.ts";
import { EncodePipeline } from "./encode_pipeline.ts";
import { frameSize, type PixelFormat } from "../codec/raw_frame.ts";

/**
 * A frame a sink cannot take. `status` is the HTTP status the ingest port answers with it: 400 a
 * broken frame, 413 one too large, 415 one the stream's format cannot carry.
 */
export class FrameError extends Error {
  /** 400, 413 or 415. */
  readonly status: number;

  /** Builds the error; `message` is one sentence saying what was wrong. */
  constructor(status: number, message: string) {
    super(message);
    this.name = "FrameError";
    this.status = status;
  }
}

/** What a sink needs of the stream it feeds; the server's `LiveStream` fits. */
export interface FrameStream {
  /** The path, for log lines. */
  readonly path: string;
  /**
   * Sends one frame (a JPEG, or one access unit's NAL units) with its time in microseconds; false
   * when the stream's format cannot carry it.
   */
  sendFrame(frame: Uint8Array | readonly Uint8Array[], options: { timestamp?: number }): boolean;
  /** Who makes a keyframe when a reader joins; undefined when no one can. */
  setKeyframeRequest(request: (() => void) | undefined): void;
}

/** Encoder settings for paths whose frames are encoded here. */
export interface EncodeSettings {
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next. */
  gop: number;
  /** Frame rate the rate control assumes (frames may come at any pace). */
  fps: number;
}

/** Where an encoding sink tells what went wrong, and the clock its repeated warnings are spaced by. */
export interface SinkReporting {
  /** Where warnings go. */
  logger: Logger;
  /** Monotonic milliseconds. */
  now(): number;
}

/** A sink for one publisher's frames. */
export interface FrameSink {
  /** One whole frame (a JPEG, a raw picture, or one H.264 access unit in Annex B). */
  frame(data: Uint8Array, timestampUs: number): void;
  /** Frees what the sink made. The stream stays. */
  close(): Promise<void>;
}

// Bytes of a would-be H.264 stream read without finding a single picture: it is not H.264.
const H264_GARBAGE_LIMIT = 1 << 20;

/**
 * H.264 Annex B bytes in, access units out to the stream unchanged (no re-encoding). Bytes may be
 * cut anywhere; `boundary()` says an access unit ended here (a request, chunk or message ended), so
 * it goes out without waiting for the next one to start.
 */
export class H264Passthrough {
  readonly #stream: FrameStream;
  readonly #splitter: AccessUnitSplitter;
  #bytesWithoutPicture = 0;
  #pending: number | undefined;

  /** Sends to `stream`; access units above `maxFrameBytes` are dropped. */
  constructor(stream: FrameStream, maxFrameBytes: number) {
    this.#stream = stream;
    this.#splitter = new AccessUnitSplitter({ maxAccessUnitSize: maxFrameBytes });
  }

  /**
   * Takes the next bytes of the stream. `stamp` gives the time of an access unit; it is asked once
   * per access unit, when its first bytes come (a stream's chunks are not frames). Throws
   * {@link FrameError} 400 when a megabyte has gone by without a picture.
   */
  bytes(chunk: Uint8Array, stamp: () => number): void {
    this.#pending ??= stamp();
    this.#send(this.#splitter.push(chunk));
    this.#bytesWithoutPicture += chunk.length;
    if (this.#bytesWithoutPicture > H264_GARBAGE_LIMIT) {
      throw new FrameError(400, "the body is not an H.264 Annex B stream (no picture in 1 MiB)");
    }
  }

  /** The bytes so far end an access unit: send it now. */
  boundary(): void {
    this.#send(this.#splitter.flush());
  }

  #send(units: { nalUnits: Uint8Array[] }[]): void {
    for (const au of units) {
      this.#bytesWithoutPicture = 0;
      this.#stream.sendFrame(au.nalUnits, { timestamp: this.#pending });
      this.#pending = undefined;
    }
  }
}

/** Whether `jpeg` ends with EOI (FF D9), ignoring padding zeros some cameras append. */
function endsWithEoi(jpeg: Uint8Array): boolean {
  let end = jpeg.length;
  while (end > 2 && jpeg[end - 1] === 0) end--;
  return end >= 4 && jpeg[end - 2] === 0xff && jpeg[end - 1] === 0xd9;
}

/** Checks one JPEG: its headers parse and it is complete. Throws {@link FrameError} 400. */
export function checkJpeg(jpeg: Uint8Array): { width: number; height: number } {
  let info;
  try {
    info = probeJpeg(jpeg);
  } catch (error) {
    const why = error instanceof JpegError ? error.message : String(error);
    throw new FrameError(400, `not a JPEG: ${why}`);
  }
  if (!endsWithEoi(jpeg)) throw new FrameError(400, "truncated JPEG: it does not end with EOI");
  return { width: info.width, height: info.height };
}

/** JPEGs out as RTP/JPEG (RFC 2435), unchanged. */
export class JpegRtpSink implements FrameSink {
  readonly #stream: FrameStream;

  /** Sends to a stream of codec "jpeg". */
  constructor(stream: FrameStream) {
    this.#stream = stream;
  }

  /** Sends one JPEG. Throws {@link FrameError} 400 for a broken or unsendable JPEG. */
  frame(jpeg: Uint8Array, timestampUs: number): void {
    if (!endsWithEoi(jpeg)) checkJpeg(jpeg); // says what is wrong: not a JPEG, or truncated
    // The packetizer parses the headers (RFC 2435 needs them); a refusal is parsed again here
    // only to say whether it was a broken JPEG or one RTP/JPEG cannot carry.
    if (!this.#stream.sendFrame(jpeg, { timestamp: timestampUs })) {
      checkJpeg(jpeg);
      throw new FrameError(
        415,
        "this JPEG cannot be sent as RTP/JPEG (RFC 2435 takes baseline 4:2:0 or 4:2:2 with " +
          "standard Huffman tables); serve the path as H.264 instead",
      );
    }
  }

  /** Nothing to free. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Frames encoded to H.264 by the WASM encoder: JPEGs (decoded first, in the encoder's thread) or
 * raw pictures. The encoder is made for the first frame's size, and made again if the size
 * changes (a device switching resolution).
 */
export class EncodingSink implements FrameSink {
  readonly #stream: FrameStream;
  readonly #settings: EncodeSettings;
  readonly #reporting: SinkReporting;
  readonly #raw: { format: PixelFormat; width: number; height: number } | undefined;
  #encoder: Promise<{ encoder: H264Encoder; pipeline: EncodePipeline }> | undefined;
  #ready: EncodePipeline | undefined;
  #size = "";

  /**
   * Encodes into `stream`, telling `reporting` of failures. `raw` describes raw frames; without
   * it frames are JPEGs.
   */
  constructor(
    stream: FrameStream,
    settings: EncodeSettings,
    reporting: SinkReporting,
    raw?: { format: PixelFormat; width: number; height: number },
  ) {
    this.#stream = stream;
    this.#settings = settings;
    this.#reporting = reporting;
    this.#raw = raw;
  }

  /** Takes one frame; never waits (a busy encoder drops it). Throws {@link FrameError} 400. */
  frame(data: Uint8Array, timestampUs: number): void {
    let width: number, height: number;
    if (this.#raw) {
      ({ width, height } = this.#raw);
      const expected = frameSize(this.#raw.format, width, height);
      if (data.length !== expected) {
        throw new FrameError(400, `a raw frame must be ${expected} bytes, got ${data.length}`);
      }
    } else {
      ({ width, height } = checkJpeg(data));
      // H.264 4:2:0 needs even sizes; the decoder crops odd JPEGs by one pixel.
      width &= ~1;
      height &= ~1;
    }
    const size = `${width}x${height}`;
    if (size !== this.#size) this.#start(width, height, size);
    // The encoder copies the frame before push returns, so `data` may be a view of a network
    // buffer. Frames before the encoder is up are dropped: it starts within milliseconds.
    this.#ready?.push({ data, format: this.#raw?.format ?? "jpeg", timestamp: timestampUs });
  }

  #start(width: number, height: number, size: string): void {
    const previous = this.#encoder;
    if (previous) {
      this.#reporting.logger.log("info", "frame size changed; new encoder", {
        path: this.#stream.path,
        size,
      });
      previous.then(({ encoder }) => encoder.close(), () => {});
    }
    this.#ready = undefined;
    this.#size = size;
    const stream = this.#stream;
    const reporting = this.#reporting;
    const logger = reporting.logger;
    this.#encoder = H264Encoder.create({ width, height, ...this.#settings }).then((encoder) => {
      stream.setKeyframeRequest(() => encoder.requestKeyframe());
      const report = throttledLog(
        logger,
        "warn",
        "a pushed frame could not be encoded",
        10_000,
        () => reporting.now(),
      );
      const pipeline = new EncodePipeline(
        encoder,
        stream,
        (error) => report({ path: stream.path, error: error.message }),
      );
      return { encoder, pipeline };
    });
    const current = this.#encoder;
    current.then(({ pipeline }) => {
      if (this.#encoder === current) this.#ready = pipeline;
    }, (error) => {
      logger.log("error", "cannot start the encoder", { path: stream.path, error: String(error) });
    });
  }

  /** Frees the encoder once its queued frames are done. */
  async close(): Promise<void> {
    const current = this.#encoder;
    this.#encoder = undefined;
    this.#ready = undefined;
    this.#stream.setKeyframeRequest(undefined);
    if (current) await current.then(({ encoder }) => encoder.close(), () => {});
  }
}
