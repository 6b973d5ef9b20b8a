/**
 * A running camera: opens the device, negotiates the nearest mode, streams frames out of mapped
 * buffers without blocking the event loop, and survives the device going away: it logs, keeps
 * trying to reopen it with the same mode, and carries on when it returns.
 *
 * @module
 */

import { existsSync } from "node:fs";
import type { Logger } from "../base/log.ts";
import { packedView } from "./frame_copy.ts";
import { type LibC, SystemError } from "./libc.ts";
import { loadLibC } from "./load_libc.ts";
import {
  type CaptureLayout,
  type CaptureMode,
  chooseMode,
  describeDifferences,
  fpsOf,
  type ModeRequest,
} from "./negotiate.ts";
import { fourccName, type PixFormat } from "./v4l2_abi.ts";
import { CameraError, V4l2Device } from "./v4l2_device.ts";

/** One captured picture. */
export interface CapturedFrame {
  /**
   * Packed pixels, or one JPEG: usually a view of the driver's mapped buffer, valid only during
   * the `onFrame` call (the buffer goes back to the driver after it). Copy what you keep.
   */
  data: Uint8Array;
  /** Their layout. */
  layout: CaptureLayout;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Capture time in microseconds: the driver's timestamp when it gives one. */
  timestamp: number;
}

/** Settings of {@link openCamera}. */
export interface CameraOptions {
  /** Device node, e.g. /dev/video0. */
  device: string;
  /** What to ask the camera for. */
  request: ModeRequest;
  /** Where to report mode differences, loss and recovery. */
  logger: Logger;
  /** Mapped buffers to request (default 4). */
  buffers?: number;
  /** How long to wait between attempts to reopen a lost camera (default 1000 ms). */
  reopenDelayMs?: number;
  /** Restart the device after this long without a frame (default 5000 ms). */
  stallMs?: number;
  /** The C library (tests pass a fake one). Default: this runtime's. */
  libc?: LibC;
}

/** Counters of a capture. */
export interface CaptureStats {
  /** Frames delivered. */
  frames: number;
  /** Frames dropped because the driver marked them damaged or short. */
  damaged: number;
  /** Frames the driver dropped (gaps in its sequence numbers). */
  missed: number;
  /** Times the device was lost and reopened. */
  reopened: number;
}

/** A running capture. */
export interface CameraCapture {
  /** The device's name (QUERYCAP card). */
  readonly card: string;
  /** The mode in effect. */
  readonly mode: CaptureMode;
  /** The frame rate in effect. */
  readonly fps: number;
  /** Counters. */
  readonly stats: CaptureStats;
  /** Stops capture and closes the device. */
  stop(): Promise<void>;
}

const LOST = new Set(["ENODEV", "EIO", "ENXIO", "ENOENT", "EPIPE"]);

/**
 * Whether `error` means the device went away. Drivers differ in what a streaming handle sees when
 * the device is unplugged or unbound (ENODEV from uvcvideo, EINVAL from vivid), so a vanished
 * device node counts too.
 */
function isDeviceLoss(error: unknown, path: string): boolean {
  return (error instanceof SystemError && LOST.has(error.code)) ||
    (error instanceof CameraError && error.kind === "missing") || !existsSync(path);
}

/** Opens the device and sets `mode`; returns the device and the format the driver chose. */
function openInMode(
  libc: LibC,
  path: string,
  mode: CaptureMode,
  buffers: number,
): { device: V4l2Device; format: PixFormat; fps: number } {
  const device = V4l2Device.open(libc, path);
  try {
    const format = device.setFormat(mode.width, mode.height, mode.pixelFormat);
    const interval = device.setInterval(mode.interval);
    device.start(buffers);
    return { device, format, fps: interval ? fpsOf(interval) : fpsOf(mode.interval) };
  } catch (error) {
    device.close();
    throw error;
  }
}

/**
 * Opens `options.device`, negotiates the mode nearest to the request (logging what differs) and
 * calls `onFrame` for every captured picture until stopped. Throws {@link CameraError} or
 * `NegotiationError` when the camera cannot be used at all; after a successful start, losing the
 * device is logged and recovered from, never thrown.
 */
export async function openCamera(
  options: CameraOptions,
  onFrame: (frame: CapturedFrame) => void,
): Promise<CameraCapture> {
  const libc = options.libc ?? await loadLibC();
  const { logger, device: path, request } = options;
  const buffers = options.buffers ?? 4;
  const probe = V4l2Device.open(libc, path);
  let mode: CaptureMode;
  try {
    mode = chooseMode(probe.formats(), request);
  } catch (error) {
    if (!(error instanceof SystemError)) throw error;
    throw isDeviceLoss(error, path)
      ? new CameraError("missing", `camera ${path} went away while its formats were read`)
      : new CameraError("failed", `cannot read the formats of ${path}: ${error.message}`);
  } finally {
    probe.close();
  }
  let opened;
  try {
    opened = openInMode(libc, path, mode, buffers);
  } catch (error) {
    if (error instanceof SystemError && error.code === "EBUSY") {
      throw new CameraError("busy", `camera ${path} is busy: another program is using it`);
    }
    if (error instanceof SystemError) {
      throw new CameraError("failed", `cannot start ${path}: ${error.message}`);
    }
    throw error;
  }
  const { format } = opened;
  if (format.pixelFormat !== mode.pixelFormat) {
    opened.device.close();
    throw new CameraError(
      "unsupported",
      `unsupported format: ${path} refused ${fourccName(mode.pixelFormat).trim()}`,
    );
  }
  mode = { ...mode, width: format.width, height: format.height };
  for (const note of describeDifferences(request, { ...mode, fps: opened.fps })) {
    logger.log("warn", note, { device: path });
  }
  const geometry = {
    layout: mode.layout,
    width: mode.width,
    height: mode.height,
    bytesPerLine: format.bytesPerLine,
  };
  const stats: CaptureStats = { frames: 0, damaged: 0, missed: 0, reopened: 0 };
  const card = opened.device.capability.card;
  const fps = opened.fps;
  const frameMs = 1000 / (fps || 30);
  const reopenDelayMs = options.reopenDelayMs ?? 1000;
  const stallMs = options.stallMs ?? 5000;
  let device: V4l2Device | undefined = opened.device;
  let stopped = false;
  let wake: () => void = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const reopen = async (): Promise<V4l2Device | undefined> => {
    let reported = "";
    while (!stopped) {
      try {
        const again = openInMode(libc, path, mode, buffers);
        const f = again.format;
        if (
          f.pixelFormat === mode.pixelFormat && f.width === mode.width && f.height === mode.height
        ) {
          stats.reopened++;
          logger.log("info", "camera is back; capture resumes", { device: path });
          return again.device;
        }
        again.device.close();
        throw new CameraError(
          "unsupported",
          `came back as ${f.width}x${f.height}, not the same mode`,
        );
      } catch (error) {
        const message = (error as Error).message;
        if (message !== reported) {
          logger.log("warn", "waiting for the camera", { device: path, reason: message });
          reported = message;
        }
      }
      await sleep(reopenDelayMs);
    }
    return undefined;
  };

  const loop = async () => {
    let lastSequence = -1;
    let lastFrameAt = performance.now();
    while (!stopped) {
      try {
        if (!device) {
          device = await reopen();
          lastSequence = -1;
          lastFrameAt = performance.now();
          continue;
        }
        const ready = await device.waitFrame(Math.min(stallMs, 500));
        if (stopped) break;
        const frame = ready ? device.dequeue() : undefined;
        if (!frame) {
          if (performance.now() - lastFrameAt > stallMs) {
            throw new SystemError(`no frame for ${stallMs} ms`, 5 /* EIO: restart the device */);
          }
          continue;
        }
        lastFrameAt = performance.now();
        if (lastSequence >= 0 && frame.sequence > lastSequence + 1) {
          stats.missed += frame.sequence - lastSequence - 1;
        }
        lastSequence = frame.sequence;
        const data = frame.damaged ? undefined : packedView(frame.bytes, geometry);
        if (data) {
          stats.frames++;
          const timestamp = frame.monotonic && frame.timestampUs > 0
            ? frame.timestampUs
            : Math.round(performance.now() * 1000);
          try {
            onFrame({
              data,
              layout: mode.layout,
              width: mode.width,
              height: mode.height,
              timestamp,
            });
          } finally {
            device.requeue(frame.index); // the frame was consumed (copied) during onFrame
          }
        } else {
          stats.damaged++;
          device.requeue(frame.index);
          continue;
        }
        // Under Bun, waiting polls; sleeping through most of the frame interval saves wake-ups.
        if (device.waitPolls) await sleep(frameMs / 2);
      } catch (error) {
        if (stopped) break;
        device?.close();
        device = undefined;
        const what = isDeviceLoss(error, path) ? "camera lost" : "capture failed";
        logger.log("warn", `${what}; readers stay connected`, {
          device: path,
          reason: (error as Error).message,
        });
      }
    }
  };
  const running = loop();
  return {
    card,
    mode,
    fps,
    stats,
    async stop() {
      stopped = true;
      wake();
      await running;
      device?.close();
      device = undefined;
    },
  };
}
