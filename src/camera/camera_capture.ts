/**
 * A running camera: opens the device, negotiates the nearest mode, streams frames out of mapped
 * buffers without blocking the event loop, and survives the device going away: it logs, keeps
 * trying to reopen it with the same mode, and carries on when it returns.
 *
 * @module
 */

import { type Clock, sleep, systemClock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { RawFrame } from "../codec/raw_frame.ts";
import { pathExists } from "../runtime/files.ts";
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
import { CameraError, type DequeuedFrame, V4l2Device } from "./v4l2_device.ts";

/**
 * One captured picture: a {@link RawFrame} of packed pixels, or, from an MJPEG camera, one whole
 * JPEG in the same shape with `format: "jpeg"`; either goes to `H264Encoder.encode` as it is.
 * `data` is usually a view of the driver's mapped buffer, valid only during the `onFrame` call (the
 * buffer goes back to the driver after it): copy what you keep. `timestamp` is the driver's capture
 * time when it gives one.
 */
export type CapturedFrame = Omit<RawFrame, "format"> & { format: CaptureLayout };

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
  /** Times stalls, reopen attempts and frames the driver did not stamp. Default: the system's. */
  clock?: Clock;
  /** Called with the reason when the camera is lost or stalls (it is then reopened). */
  onLost?: (reason: string) => void;
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
    (error instanceof CameraError && error.kind === "missing") || !pathExists(path);
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
  const loop = new CaptureLoop(
    {
      libc,
      path,
      mode,
      buffers,
      bytesPerLine: format.bytesPerLine,
      fps: opened.fps,
      logger,
      clock: options.clock ?? systemClock,
      reopenDelayMs: options.reopenDelayMs ?? 1000,
      stallMs: options.stallMs ?? 5000,
      onLost: options.onLost,
    },
    opened.device,
    onFrame,
  );
  return {
    card: opened.device.capability.card,
    mode,
    fps: opened.fps,
    stats: loop.stats,
    stop: () => loop.stop(),
  };
}

interface LoopSettings {
  libc: LibC;
  path: string;
  mode: CaptureMode;
  buffers: number;
  bytesPerLine: number;
  fps: number;
  logger: Logger;
  clock: Clock;
  reopenDelayMs: number;
  stallMs: number;
  onLost: ((reason: string) => void) | undefined;
}

/**
 * Frames out of a started device until stopped. When the device fails or goes quiet for `stallMs`,
 * it is closed and reopened in the same mode, every `reopenDelayMs`, until it is back.
 */
class CaptureLoop {
  readonly stats: CaptureStats = { frames: 0, damaged: 0, missed: 0, reopened: 0 };
  readonly #settings: LoopSettings;
  readonly #onFrame: (frame: CapturedFrame) => void;
  #device: V4l2Device | undefined;
  readonly #stopping = new AbortController();
  readonly #running: Promise<void>;
  #lastSequence = -1;
  #lastFrameAt: number;

  constructor(
    settings: LoopSettings,
    device: V4l2Device,
    onFrame: (frame: CapturedFrame) => void,
  ) {
    this.#settings = settings;
    this.#device = device;
    this.#onFrame = onFrame;
    this.#lastFrameAt = settings.clock.now();
    this.#running = this.#run();
  }

  get #stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
    this.#device?.close();
    this.#device = undefined;
  }

  async #run(): Promise<void> {
    const { clock, stallMs, path } = this.#settings;
    // Under Bun, waiting polls; sleeping through most of the frame interval saves wake-ups.
    const napMs = 1000 / (this.#settings.fps || 30) / 2;
    while (!this.#stopped) {
      if (!this.#device) {
        this.#device = await this.#reopen();
        this.#lastSequence = -1; // the driver's numbering restarts with the device
        this.#lastFrameAt = clock.now();
        continue;
      }
      const device = this.#device;
      try {
        const ready = await device.waitFrame(Math.min(stallMs, 500));
        if (this.#stopped) break;
        const frame = ready ? device.dequeue() : undefined;
        if (frame) {
          this.#lastFrameAt = clock.now();
          this.#deliver(device, frame);
          if (device.waitPolls) await sleep(clock, napMs, this.#stopping.signal);
        } else if (clock.now() - this.#lastFrameAt > stallMs) {
          this.#drop("camera lost", `no frame for ${stallMs} ms; restarting the device`);
        }
      } catch (error) {
        if (this.#stopped) break;
        const what = isDeviceLoss(error, path) ? "camera lost" : "capture failed";
        this.#drop(what, (error as Error).message);
      }
    }
  }

  /** Closes the device after a failure or stall; the loop reopens it. */
  #drop(what: string, reason: string): void {
    this.#device?.close();
    this.#device = undefined;
    const { logger, path } = this.#settings;
    logger.log("warn", `${what}; readers stay connected`, { device: path, reason });
    try {
      this.#settings.onLost?.(`${what}: ${reason}`);
    } catch (error) {
      logger.log("warn", "camera loss callback failed", { device: path, error: String(error) });
    }
  }

  /** Hands one dequeued buffer to `onFrame` (or counts it damaged) and gives it back. */
  #deliver(device: V4l2Device, frame: DequeuedFrame): void {
    const { mode, clock } = this.#settings;
    if (this.#lastSequence >= 0 && frame.sequence > this.#lastSequence + 1) {
      this.stats.missed += frame.sequence - this.#lastSequence - 1;
    }
    this.#lastSequence = frame.sequence;
    const geometry = {
      layout: mode.layout,
      width: mode.width,
      height: mode.height,
      bytesPerLine: this.#settings.bytesPerLine,
    };
    const data = frame.damaged ? undefined : packedView(frame.bytes, geometry);
    if (!data) {
      this.stats.damaged++;
      device.requeue(frame.index);
      return;
    }
    this.stats.frames++;
    const timestamp = frame.monotonic && frame.timestampUs > 0
      ? frame.timestampUs
      : Math.round(clock.now() * 1000);
    try {
      this.#onFrame({
        data,
        format: mode.layout,
        width: mode.width,
        height: mode.height,
        timestamp,
      });
    } finally {
      device.requeue(frame.index); // the frame was consumed (copied) during onFrame
    }
  }

  /** Tries to open the device in the same mode until it works or the loop stops. */
  async #reopen(): Promise<V4l2Device | undefined> {
    const { libc, path, mode, buffers, logger, clock, reopenDelayMs } = this.#settings;
    let reported = "";
    while (!this.#stopped) {
      try {
        const again = openInMode(libc, path, mode, buffers);
        const f = again.format;
        if (
          f.pixelFormat === mode.pixelFormat && f.width === mode.width && f.height === mode.height
        ) {
          this.stats.reopened++;
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
      await sleep(clock, reopenDelayMs, this.#stopping.signal);
    }
    return undefined;
  }
}
