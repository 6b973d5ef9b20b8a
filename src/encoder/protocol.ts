/**
 * Messages between an {@link H264Encoder} and its Worker: a tagged union each way. Frames and
 * encoded bytes travel as transferables, never copied twice.
 *
 * @module
 */

import type { PixelFormat } from "../codec/raw_frame.ts";
import type { ResolvedEncoderOptions } from "./options.ts";

/** What an encode request carries: raw pixels of a {@link PixelFormat}, or one JPEG (an MJPEG
 * frame), which the worker decodes to I420 first. */
export type InputFormat = PixelFormat | "jpeg";

/** To the worker. */
export type EncoderRequest =
  | { type: "init"; options: ResolvedEncoderOptions }
  | { type: "encode"; id: number; data: Uint8Array; format: InputFormat; timestamp: number }
  /** Frames from now on also come through this lane (frame_lane.ts), its input area that big. */
  | { type: "lane"; buffer: SharedArrayBuffer; inputBytes: number }
  | { type: "keyframe" }
  | { type: "bitrate"; bitrate: number }
  | { type: "close" };

/** What an encoder holds, as its Worker (or the thread it runs in) tells it. */
export interface EncoderMemory {
  /** The OpenH264 instance's WebAssembly memory (and the JPEG decoder's, once made), bytes. */
  wasmBytes: number;
  /** The JavaScript heap of the Worker in use, bytes; undefined for an encoder in the caller's
   * thread, whose heap is the process's. */
  workerHeapUsedBytes?: number;
  /** The Worker's JavaScript heap reserved, bytes. */
  workerHeapTotalBytes?: number;
}

/** From the worker. */
export type EncoderResponse =
  | { type: "ready"; memory?: EncoderMemory }
  | {
    type: "encoded";
    id: number;
    data: Uint8Array | undefined;
    keyframe: boolean;
    timestamp: number;
    /** libjpeg's warning for a damaged JPEG that still decoded. */
    warning?: string;
    /** The request's frame buffer, handed back for the next frame (no allocation per frame). */
    input?: ArrayBuffer;
    /** What the encoder holds now; sent at most about once a second. */
    memory?: EncoderMemory;
  }
  | {
    type: "error";
    id?: number;
    name: string;
    message: string;
    code?: string;
    input?: ArrayBuffer;
  };
