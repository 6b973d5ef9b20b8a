/**
 * An encoder and the stream it feeds, made together: each new reader asks the encoder for a
 * keyframe (fast start), and frames go in through an {@link EncodePipeline} that drops rather
 * than queues when the encoder falls behind.
 *
 * @module
 */

import { H264Encoder } from "../encoder/h264_encoder.ts";
import { type Logger, throttledLog } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import { EncodePipeline } from "../encoder/encode_pipeline.ts";
import type { CliConfig } from "./args.ts";

/** Makes an encoder of `width`×`height` at `fps` and a stream at `config.path` it feeds. */
export async function encodeInto(
  config: CliConfig,
  server: RtspServer,
  logger: Logger,
  width: number,
  height: number,
  fps: number,
): Promise<{ pipeline: EncodePipeline; encoder: H264Encoder }> {
  const encoder = await H264Encoder.create({
    width,
    height,
    fps,
    bitrate: config.bitrate,
    gop: config.gop,
  });
  const stream = server.addStream(config.path, {
    codec: "h264",
    framerate: fps,
    onKeyframeRequest: () => encoder.requestKeyframe(), // fast start for each new reader
  });
  // A camera sending damaged JPEGs fails frame after frame: say so once per interval, with a count.
  const report = throttledLog(logger, "error", "a frame could not be encoded");
  const pipeline = new EncodePipeline(encoder, stream, (error) => report({ error: error.message }));
  return { pipeline, encoder };
}
