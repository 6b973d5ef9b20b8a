/**
 * V4L2 camera capture through the runtime's FFI (Deno with `--allow-ffi`, or Bun): the nearest
 * mode to what is asked, frames as views of the driver's buffers, and a camera that is unplugged
 * and plugged back in reopened in the same mode.
 *
 * @example Capture into an encoded stream
 * ```ts
 * import { serve } from "@x/rtsp";
 * import { openCamera } from "@x/rtsp/camera";
 * import { type EncodedStream, encodeToStream } from "@x/rtsp/encoder";
 *
 * // Needs a camera at /dev/video0; call it to serve rtsp://localhost:8554/cam.
 * export async function serveCamera(): Promise<void> {
 *   const server = await serve({ port: 8554 });
 *   let encoded: EncodedStream | undefined;
 *   const camera = await openCamera({
 *     device: "/dev/video0",
 *     request: { width: 1280, height: 720, fps: 30 },
 *     logger: { log: (level, message) => console.error(level, message) },
 *   }, (frame) => encoded?.push(frame));
 *   encoded = await encodeToStream(server, "/cam", {
 *     width: camera.mode.width,
 *     height: camera.mode.height,
 *     fps: camera.fps,
 *   });
 * }
 * ```
 *
 * @module
 */

export { openCamera } from "./src/camera/camera_capture.ts";
export type {
  CameraCapture,
  CameraOptions,
  CapturedFrame,
  CaptureStats,
} from "./src/camera/camera_capture.ts";
export { CameraError } from "./src/camera/v4l2_device.ts";
export { NegotiationError } from "./src/camera/negotiate.ts";
export type { CaptureLayout, CaptureMode, ModeRequest } from "./src/camera/negotiate.ts";
export type { Fraction } from "./src/camera/v4l2_abi.ts";
