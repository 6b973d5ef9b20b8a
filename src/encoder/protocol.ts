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
  | { type: "keyframe" }
  | { type: "bitrate"; bitrate: number }
  | { type: "close" };

/** From the worker. */
export type EncoderResponse =
  | { type: "ready" }
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
  }
  | {
    type: "error";
    id?: number;
    name: string;
    message: string;
    code?: string;
    input?: ArrayBuffer;
  };
