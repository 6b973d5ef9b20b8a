/**
 * Uncompressed pictures as sources hand them to the encoder: the pixel formats rtsp-edge accepts and
 * how many bytes one frame of each takes.
 *
 * @module
 */

/** Pixel formats the encoder takes. The numbers are the WASM bridge's format codes. */
export const PixelFormat = {
  /** Planar Y, then U and V at half width and height (YU12). */
  I420: 0,
  /** Planar Y, then interleaved U/V at half width and height. */
  NV12: 1,
  /** Packed 4:2:2: Y0 U Y1 V. */
  YUYV: 2,
  /** Packed 4:2:2: U Y0 V Y1. */
  UYVY: 3,
  /** Packed R, G, B bytes. */
  RGB24: 4,
  /** Packed B, G, R bytes. */
  BGR24: 5,
  /** Packed R, G, B, A bytes. */
  RGBA: 6,
  /** Packed B, G, R, A bytes. */
  BGRA: 7,
  /** 16-bit little-endian words, R in the top 5 bits, G 6, B 5 (ESP32 cameras). */
  RGB565: 8,
  /** Luma only. */
  GRAY8: 9,
} as const;

/** One of {@link PixelFormat}'s values. */
export type PixelFormat = typeof PixelFormat[keyof typeof PixelFormat];

/** Lower-case names, as flags and content types spell them. */
export const PIXEL_FORMAT_NAMES: Readonly<Record<string, PixelFormat>> = {
  i420: PixelFormat.I420,
  yu12: PixelFormat.I420,
  yuv420p: PixelFormat.I420,
  nv12: PixelFormat.NV12,
  yuyv: PixelFormat.YUYV,
  yuy2: PixelFormat.YUYV,
  yuyv422: PixelFormat.YUYV,
  uyvy: PixelFormat.UYVY,
  uyvy422: PixelFormat.UYVY,
  rgb24: PixelFormat.RGB24,
  bgr24: PixelFormat.BGR24,
  rgba: PixelFormat.RGBA,
  bgra: PixelFormat.BGRA,
  rgb565: PixelFormat.RGB565,
  rgb565le: PixelFormat.RGB565,
  gray8: PixelFormat.GRAY8,
  gray: PixelFormat.GRAY8,
  grey: PixelFormat.GRAY8,
};

/** Finds a format by name, case-insensitively. Throws `RangeError` listing the known names. */
export function pixelFormatByName(name: string): PixelFormat {
  const format = PIXEL_FORMAT_NAMES[name.toLowerCase()];
  if (format === undefined) {
    throw new RangeError(
      `unknown pixel format "${name}"; known: i420, nv12, yuyv, uyvy, rgb24, bgr24, rgba, bgra, rgb565, gray8`,
    );
  }
  return format;
}

/** Checks a picture size: even, 16 to 4096 pixels each way (H.264 4:2:0 needs even sizes). */
export function checkSize(width: number, height: number): void {
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0) {
      throw new RangeError(`${name} must be an even integer from 16 to 4096, got ${v}`);
    }
  }
}

/** Bytes of one frame of `format` at `width`×`height` (sizes already checked). */
export function frameSize(format: PixelFormat, width: number, height: number): number {
  const pixels = width * height;
  switch (format) {
    case PixelFormat.I420:
    case PixelFormat.NV12:
      return pixels + pixels / 2;
    case PixelFormat.YUYV:
    case PixelFormat.UYVY:
    case PixelFormat.RGB565:
      return pixels * 2;
    case PixelFormat.RGB24:
    case PixelFormat.BGR24:
      return pixels * 3;
    case PixelFormat.RGBA:
    case PixelFormat.BGRA:
      return pixels * 4;
    case PixelFormat.GRAY8:
      return pixels;
    default:
      throw new TypeError(`unknown pixel format code ${String(format)}`);
  }
}

/** One uncompressed picture. */
export interface RawFrame {
  /** The pixels, `frameSize(format, width, height)` bytes. May be reused by the source afterwards. */
  data: Uint8Array;
  /** Their layout. */
  format: PixelFormat;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Capture time in microseconds, on any clock that advances in real time. */
  timestamp: number;
}
