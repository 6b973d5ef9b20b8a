/**
 * An encoder and the stream it feeds, made together: each new reader asks the encoder for a
 * keyframe (fast start), and frames go in through an {@link EncodePipeline} that drops rather
 * than queues when the encoder falls behind.
 *
 * @module
 */

import { H264Encoder } from "../encoder/h264_encoder.ts";
import type { Logger } from "../server/log.ts";
import type { RtspServer } from "../server/server.ts";
import { EncodePipeline } from "../source/encode_pipeline.ts";
import type { CliConfig } from "./args.ts";

const ERROR_LOG_INTERVAL_MS = 10_000;

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
  let lastLogged = -Infinity;
  let unlogged = 0;
  const pipeline = new EncodePipeline(encoder, stream, (error) => {
    const now = performance.now();
    if (now - lastLogged < ERROR_LOG_INTERVAL_MS) {
      unlogged++;
      return;
    }
    logger.log("error", "a frame could not be encoded", {
      error: error.message,
      alsoFailed: unlogged || undefined,
    });
    lastLogged = now;
    unlogged = 0;
  });
  return { pipeline, encoder };
}
