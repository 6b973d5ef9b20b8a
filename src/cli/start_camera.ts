/**
 * `--camera DEVICE`: captures from a V4L2 camera and encodes into a stream. The encoder is made at
 * the size and rate the camera agreed to, so no frame is ever scaled.
 *
 * @module
 */

import { type CapturedFrame, openCamera } from "../camera/camera_capture.ts";
import type { LibC } from "../camera/libc.ts";
import { fourccName } from "../camera/v4l2_abi.ts";
import type { Logger } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import type { CliConfig } from "./args.ts";
import type { RunningSource } from "./start_source.ts";
import { encodeInto } from "./encode_into.ts";

const FOREVER = new Promise<void>(() => {});

/**
 * Opens `device` and feeds a new stream with its frames. `libc` replaces the runtime's C library
 * (tests drive a scripted camera through it).
 */
export async function startCamera(
  config: CliConfig,
  device: string,
  pixelFormat: number | undefined,
  server: RtspServer,
  logger: Logger,
  libc?: LibC,
): Promise<RunningSource> {
  const { width, height } = config.size ?? { width: 1280, height: 720 };
  const fps = config.fps ?? 30;
  // Frames that arrive before the encoder is ready are dropped: capture starts first so that the
  // encoder can be made at the size and rate the camera agreed to.
  let push: (frame: CapturedFrame) => void = () => {};
  const camera = await openCamera(
    { device, request: { width, height, fps, pixelFormat }, logger, libc },
    (frame) => push(frame),
  );
  let encoder;
  try {
    const made = await encodeInto(
      config,
      server,
      logger,
      camera.mode.width,
      camera.mode.height,
      camera.fps,
    );
    encoder = made.encoder;
    push = (f) => made.pipeline.push({ data: f.data, format: f.layout, timestamp: f.timestamp });
  } catch (error) {
    await camera.stop();
    throw error;
  }
  const { mode } = camera;
  const rate = Math.round(camera.fps * 100) / 100;
  return {
    description: `camera ${device} (${camera.card}), ${fourccName(mode.pixelFormat).trim()} ` +
      `${mode.width}x${mode.height} at ${rate} fps, ${config.bitrate / 1e6} Mbit/s`,
    ended: FOREVER,
    stop: async () => {
      await camera.stop();
      await encoder.close();
    },
  };
}
