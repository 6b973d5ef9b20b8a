/**
 * H.264 from raw frames: OpenH264 compiled to WebAssembly (loaded when the first encoder is made),
 * the JPEG decoder beside it (libjpeg-turbo in WebAssembly), raw pixel formats, the test pattern,
 * and `encodeToStream`, which turns a server path into one you push raw frames to.
 *
 * @example Encode raw frames into a served stream
 * ```ts
 * import { serve } from "@x/rtsp";
 * import { encodeToStream, TestPattern } from "@x/rtsp/encoder";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * // A joining reader gets a fresh keyframe at once: the encoder is asked for one.
 * const encoded = await encodeToStream(server, "/stream", {
 *   width: 640,
 *   height: 360,
 *   fps: 30,
 *   bitrate: 1_000_000,
 * });
 * const pattern = new TestPattern({ width: 640, height: 360 });
 * encoded.push(pattern.draw(0, Date.now(), 0)); // once per frame, e.g. from a camera
 * await encoded.close();
 * await server.close();
 * ```
 *
 * @module
 */

export { H264Encoder } from "./src/encoder/h264_encoder.ts";
export type { EncodedAccessUnit, EncoderInput, EncoderMemory } from "./src/encoder/h264_encoder.ts";
export type { H264EncoderOptions, ResolvedEncoderOptions } from "./src/encoder/options.ts";
export { EncodePipeline } from "./src/encoder/encode_pipeline.ts";
export type { AccessUnitSink, PipelineStats } from "./src/encoder/encode_pipeline.ts";
export { encodeInto, encodeToStream } from "./src/source/encode_to_stream.ts";
export type {
  EncodedStream,
  EncodeToStreamOptions,
  StreamHost,
} from "./src/source/encode_to_stream.ts";
export { frameSize, PixelFormat, pixelFormatByName } from "./src/codec/raw_frame.ts";
export type { RawFrame } from "./src/codec/raw_frame.ts";
export { TestPattern } from "./src/source/test_pattern.ts";
export type { TestPatternOptions } from "./src/source/test_pattern.ts";
export { JpegDecoder } from "./src/jpeg/jpeg_decoder.ts";
export type { DecodedJpeg, JpegDecodeOptions } from "./src/jpeg/jpeg_decoder.ts";
export { JpegError } from "./src/codec/jpeg.ts";
export type { JpegErrorCode } from "./src/codec/jpeg.ts";
