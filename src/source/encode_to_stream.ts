/**
 * Raw frames (or a camera's JPEGs) in, an H.264 stream out, in one call: an encoder and the stream
 * it feeds, made together. Each new reader asks the encoder for a keyframe (fast start), and frames
 * go in through an {@link EncodePipeline} that drops rather than queues when the encoder falls
 * behind.
 *
 * @module
 */

import { systemClock } from "../base/clock.ts";
import { type Logger, silentLogger, throttledLog } from "../base/log.ts";
import { EncodePipeline, type PipelineStats } from "../encoder/encode_pipeline.ts";
import { type EncoderInput, H264Encoder } from "../encoder/h264_encoder.ts";
import type { H264EncoderOptions } from "../encoder/options.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";

/** Settings of {@link encodeToStream}: the encoder's, and where to report frames it refused. */
export interface EncodeToStreamOptions extends H264EncoderOptions {
  /**
   * Hears of frames the encoder refused (a camera's damaged JPEG), at most one line per 10 s with
   * a count of the others. Default: silent.
   */
  logger?: Logger;
}

/** An encoder feeding a stream. */
export interface EncodedStream {
  /** The stream readers read. */
  readonly stream: LiveStream;
  /** The encoder (for `setBitrate`, `options`). */
  readonly encoder: H264Encoder;
  /** Frames encoded, dropped because the encoder was busy, and refused. */
  readonly stats: PipelineStats;
  /**
   * Takes one frame (of the encoder's size; a JPEG is decoded first) and never waits: a frame that
   * arrives while the encoder is busy with two is dropped. The bytes are copied before it returns.
   */
  push(frame: EncoderInput): void;
  /** Frees the encoder. The stream stays at its path until `server.removeStream(path)`. */
  close(): Promise<void>;
}

/** What the source helpers need of a server: `RtspServer` fits. */
export interface StreamHost {
  /** Adds a stream at `path`; throws when the path is malformed or taken. */
  addStream(
    path: string,
    options: { codec: "h264" | "jpeg"; framerate?: number; onReaders?: (count: number) => void },
  ): LiveStream;
  /** Removes the stream at `path`. */
  removeStream(path: string): boolean;
}

/**
 * Serves what an encoder makes of pushed frames at `path` of `server`. The stream is added at once
 * (before the encoder is ready), so a reader that comes early waits for the first picture instead
 * of being told the path does not exist. Throws (with the stream removed again) when the encoder
 * refuses the settings.
 *
 * @example Serve the test pattern
 * ```ts
 * import { encodeToStream } from "./encode_to_stream.ts";
 * import { serve } from "../server/server.ts";
 * import { TestPattern } from "./test_pattern.ts";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const encoded = await encodeToStream(server, "/stream", {
 *   width: 320,
 *   height: 240,
 *   fps: 30,
 *   bitrate: 500_000,
 * });
 * const pattern = new TestPattern({ width: 320, height: 240 });
 * encoded.push(pattern.draw(0, Date.now(), 0)); // once per frame, e.g. from a camera
 * await encoded.close();
 * await server.close();
 * ```
 */
export async function encodeToStream(
  server: StreamHost,
  path: string,
  options: EncodeToStreamOptions,
): Promise<EncodedStream> {
  const stream = server.addStream(path, { codec: "h264", framerate: options.fps ?? 30 });
  try {
    return await encodeInto(stream, options);
  } catch (error) {
    server.removeStream(path);
    throw error;
  }
}

/**
 * Makes an encoder that feeds `stream`, an existing H.264 stream whose readers it then answers with
 * keyframes on request. For sources that add their stream before they know the picture size.
 */
export async function encodeInto(
  stream: LiveStream,
  options: EncodeToStreamOptions,
): Promise<EncodedStream> {
  const { logger = silentLogger, clock = systemClock, ...encoderOptions } = options;
  const encoder = await H264Encoder.create({ ...encoderOptions, clock });
  stream.setKeyframeRequest(() => encoder.requestKeyframe()); // fast start for each new reader
  // The rate is often learnt only now (a camera's agreed rate, a Y4M header): the SDP says it.
  stream.setFramerate(encoder.options.fps);
  // A camera sending damaged JPEGs fails frame after frame: say so once per interval, with a count.
  const report = throttledLog(
    logger,
    "error",
    "a frame could not be encoded",
    10_000,
    () => clock.now(),
  );
  const pipeline = new EncodePipeline(encoder, stream, (error) => report({ error: error.message }));
  return {
    stream,
    encoder,
    stats: pipeline.stats,
    push: (frame) => pipeline.push(frame),
    async close() {
      stream.setKeyframeRequest(undefined);
      await encoder.close();
    },
  };
}
