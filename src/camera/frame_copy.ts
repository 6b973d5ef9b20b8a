/**
 * Copies a captured picture out of its driver buffer into a tightly packed frame (no row padding),
 * the layout the encoder takes. Pure.
 *
 * @module
 */

import { frameSize, PixelFormat } from "../codec/raw_frame.ts";
import type { CaptureLayout } from "./negotiate.ts";

/** The geometry of captured frames, as VIDIOC_S_FMT reported it. */
export interface CapturedGeometry {
  /** How the bytes are laid out. */
  layout: CaptureLayout;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bytes per row of the first plane (0 or the tight width when unpadded). */
  bytesPerLine: number;
}

function bytesPerPixel(layout: PixelFormat): number {
  switch (layout) {
    case PixelFormat.YUYV:
    case PixelFormat.UYVY:
    case PixelFormat.RGB565:
      return 2;
    case PixelFormat.RGB24:
    case PixelFormat.BGR24:
      return 3;
    case PixelFormat.RGBA:
    case PixelFormat.BGRA:
      return 4;
    default:
      return 1; // the first plane of I420/NV12, and GRAY8
  }
}

/** The number of bytes a complete frame of `g` occupies in the driver's buffer. */
export function capturedFrameBytes(g: CapturedGeometry): number {
  if (g.layout === "jpeg") return 0; // variable
  const tight = g.width * bytesPerPixel(g.layout);
  const stride = Math.max(g.bytesPerLine, tight);
  if (g.layout === PixelFormat.I420 || g.layout === PixelFormat.NV12) {
    return stride * g.height + stride * (g.height / 2); // I420: two half-stride, half-height planes
  }
  return stride * g.height;
}

/**
 * A packed copy of the picture in `bytes`, or undefined when `bytes` is too short to hold one
 * (a damaged frame). JPEG is copied as it is.
 */
export function copyFrame(bytes: Uint8Array, g: CapturedGeometry): Uint8Array | undefined {
  if (g.layout === "jpeg") return bytes.length > 0 ? bytes.slice() : undefined;
  if (bytes.length < capturedFrameBytes(g)) return undefined;
  const tight = g.width * bytesPerPixel(g.layout);
  const stride = Math.max(g.bytesPerLine, tight);
  const size = frameSize(g.layout, g.width, g.height);
  if (stride === tight) return bytes.slice(0, size);
  const out = new Uint8Array(size);
  let to = copyRows(bytes, 0, stride, out, 0, tight, g.height);
  if (g.layout === PixelFormat.I420) {
    // Chroma planes have half the luma stride (V4L2's YU12 convention).
    const half = stride / 2;
    const from = stride * g.height;
    to = copyRows(bytes, from, half, out, to, tight / 2, g.height / 2);
    copyRows(bytes, from + half * (g.height / 2), half, out, to, tight / 2, g.height / 2);
  } else if (g.layout === PixelFormat.NV12) {
    copyRows(bytes, stride * g.height, stride, out, to, tight, g.height / 2);
  }
  return out;
}

/**
 * The picture in `bytes` as the encoder takes it: a view of `bytes` itself when its rows are
 * unpadded (the usual case; no copy), else a packed copy. Undefined when `bytes` is too short.
 */
export function packedView(bytes: Uint8Array, g: CapturedGeometry): Uint8Array | undefined {
  if (g.layout === "jpeg") return bytes.length > 0 ? bytes : undefined;
  if (bytes.length < capturedFrameBytes(g)) return undefined;
  const stride = Math.max(g.bytesPerLine, g.width * bytesPerPixel(g.layout));
  if (stride !== g.width * bytesPerPixel(g.layout)) return copyFrame(bytes, g);
  return bytes.subarray(0, frameSize(g.layout, g.width, g.height));
}

function copyRows(
  src: Uint8Array,
  from: number,
  srcStride: number,
  dst: Uint8Array,
  to: number,
  rowBytes: number,
  rows: number,
): number {
  for (let y = 0; y < rows; y++) {
    dst.set(src.subarray(from + y * srcStride, from + y * srcStride + rowBytes), to);
    to += rowBytes;
  }
  return to;
}
