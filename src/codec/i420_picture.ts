/**
 * A planar 4:2:0 picture (Y, then U and V at half resolution each way, rounded up) with a stride
 * per plane: what the H.264 decoder gives and the JPEG encoder takes, so pictures pass between
 * them without repacking.
 *
 * @module
 */

/** One I420 picture; planes may be views into a larger buffer (rows `stride` bytes apart). */
export interface I420Picture {
  /** Width in pixels (luma samples). */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Luma plane: `height` rows of `width` samples, `yStride` bytes apart. */
  y: Uint8Array;
  /** Cb plane: `ceil(height / 2)` rows of `ceil(width / 2)` samples, `uvStride` bytes apart. */
  u: Uint8Array;
  /** Cr plane, laid out like `u`. */
  v: Uint8Array;
  /** Bytes between luma rows; defaults to `width`. */
  yStride?: number;
  /** Bytes between chroma rows (both planes); defaults to `ceil(width / 2)`. */
  uvStride?: number;
}

/** Width and height of the chroma planes of a `width` × `height` picture. */
export function chromaSize(width: number, height: number): { width: number; height: number } {
  return { width: (width + 1) >> 1, height: (height + 1) >> 1 };
}

/** Views of the three planes of a packed I420 buffer (Y, U, V back to back, no padding). */
export function packedI420(data: Uint8Array, width: number, height: number): I420Picture {
  const c = chromaSize(width, height);
  const ySize = width * height, cSize = c.width * c.height;
  if (data.length < ySize + 2 * cSize) {
    throw new RangeError(`${data.length} bytes are too few for a ${width}x${height} I420 picture`);
  }
  return {
    width,
    height,
    y: data.subarray(0, ySize),
    u: data.subarray(ySize, ySize + cSize),
    v: data.subarray(ySize + cSize, ySize + 2 * cSize),
    yStride: width,
    uvStride: c.width,
  };
}

/**
 * Fails with a RangeError unless the planes hold the picture their sizes and strides describe
 * (so a bad picture is refused here, not read out of bounds in WebAssembly memory).
 */
export function checkI420(p: I420Picture): void {
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 1 || p.height < 1) {
    throw new RangeError(`bad picture size ${p.width}x${p.height}`);
  }
  const c = chromaSize(p.width, p.height);
  const ys = p.yStride ?? p.width, cs = p.uvStride ?? c.width;
  if (ys < p.width || cs < c.width) throw new RangeError("a stride is smaller than its row");
  const need = (stride: number, row: number, rows: number) => stride * (rows - 1) + row;
  if (p.y.length < need(ys, p.width, p.height)) throw new RangeError("the Y plane is too short");
  for (const plane of [p.u, p.v]) {
    if (plane.length < need(cs, c.width, c.height)) {
      throw new RangeError("a chroma plane is too short");
    }
  }
}
