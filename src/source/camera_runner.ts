/**
 * A V4L2 camera as a source: captured and encoded. The encoder is made at the size and rate the
 * camera agreed to, so no frame is ever scaled. A camera lost while running is waited for by the
 * capture itself; readers stay connected.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import { type CapturedFrame, openCamera } from "../camera/camera_capture.ts";
import type { LibC } from "../camera/libc.ts";
import { fourccName } from "../camera/v4l2_abi.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { encodeInto } from "./encode_to_stream.ts";
import { NEVER_ENDS, type RunningSource } from "./running_source.ts";

/** Settings of {@link runCamera}. */
export interface CameraSource {
  /** Device node, e.g. /dev/video0. */
  device: string;
  /** V4L2 fourcc to insist on; undefined: the cheapest that reaches the size and rate. */
  pixelFormat?: number;
  /** Width wanted; the nearest mode offered is used. */
  width: number;
  /** Height wanted. */
  height: number;
  /** Frame rate wanted. */
  fps: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next. */
  gop: number;
}

/**
 * Opens the camera and encodes its frames into `stream` until stopped. Throws `CameraError` or
 * `NegotiationError` when the camera cannot be used at all.
 */
export async function runCamera(
  stream: LiveStream,
  source: CameraSource,
  context: { logger: Logger; clock: Clock; libc?: LibC },
): Promise<RunningSource> {
  const { device, width, height, fps, pixelFormat, bitrate, gop } = source;
  // Frames that arrive before the encoder is ready are dropped: capture starts first so that the
  // encoder can be made at the size and rate the camera agreed to.
  let push: (frame: CapturedFrame) => void = () => {};
  const camera = await openCamera(
    {
      device,
      request: { width, height, fps, pixelFormat },
      ...context,
      // Frames cached from before the loss must not reach a new reader as if live.
      onLost: (reason) => stream.sourceGone(`camera ${device}: ${reason}`),
    },
    (frame) => push(frame),
  );
  let encoded;
  try {
    const { mode } = camera;
    encoded = await encodeInto(stream, {
      width: mode.width,
      height: mode.height,
      fps: camera.fps,
      bitrate,
      gop,
      logger: context.logger,
      clock: context.clock,
    });
    push = encoded.push;
  } catch (error) {
    await camera.stop();
    throw error;
  }
  const { mode } = camera;
  const rate = Math.round(camera.fps * 100) / 100;
  const close = encoded.close;
  return {
    description: `camera ${device} (${camera.card}), ${fourccName(mode.pixelFormat).trim()} ` +
      `${mode.width}x${mode.height} at ${rate} fps, ${bitrate / 1e6} Mbit/s`,
    ended: NEVER_ENDS,
    encoder: encoded.stats,
    stop: async () => {
      await camera.stop();
      await close();
    },
  };
}
