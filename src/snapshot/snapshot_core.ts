/**
 * What the snapshot Worker does, without the Worker: one H.264 decoder per watched path (a slot)
 * keeping its newest picture, and one JPEG encoder and decoder shared by every slot. Separate from
 * the Worker's message loop so that it can be tested in the calling thread.
 *
 * @module
 */

import { type I420Picture, packedI420 } from "../codec/i420_picture.ts";
import { H264Decoder } from "../decoder/h264_decoder.ts";
import { JpegDecoder } from "../jpeg/jpeg_decoder.ts";
import { JpegEncoder, scaledSize } from "../jpeg/jpeg_encoder.ts";

/** The newest picture is missing: nothing decoded yet for that slot. */
export class NoPictureError extends Error {
  /** An error naming the slot. */
  constructor(slot: number) {
    super(`no picture decoded yet for slot ${slot}`);
    this.name = "NoPictureError";
  }
}

/** A JPEG and its size. */
export interface EncodedSnapshot {
  /** The JPEG bytes. */
  data: Uint8Array;
  /** Its width (the picture's, or scaled down). */
  width: number;
  /** Its height. */
  height: number;
}

/** Decoders per slot and the shared JPEG codecs. */
export class SnapshotCore {
  #slots = new Map<number, H264Decoder>();
  #encoder?: JpegEncoder;
  #jpegDecoder?: JpegDecoder;

  /** Decodes one access unit of `slot`; returns whether it completed a picture. Throws
   * H264DecodeError for data that does not decode (the slot's previous picture is kept). */
  async decode(slot: number, accessUnit: Uint8Array): Promise<boolean> {
    let decoder = this.#slots.get(slot);
    if (!decoder) {
      decoder = await H264Decoder.create();
      this.#slots.set(slot, decoder);
    }
    // A view, not kept: the decoder holds its newest picture until the next one, and a snapshot
    // reads it from there (so no 3 MiB copy per 1080p frame).
    return decoder.decode(accessUnit, { view: true }) !== undefined;
  }

  /** The newest picture of `slot` as a JPEG, scaled to `width` if given. */
  async snapshot(slot: number, quality: number, width?: number): Promise<EncodedSnapshot> {
    const picture = this.#slots.get(slot)?.last({ view: true });
    if (!picture) throw new NoPictureError(slot);
    return await this.#encode(picture, quality, width);
  }

  /** A JPEG decoded and encoded again, scaled to `width`. */
  async transcode(jpeg: Uint8Array, quality: number, width: number): Promise<EncodedSnapshot> {
    this.#jpegDecoder ??= await JpegDecoder.create();
    const decoded = this.#jpegDecoder.decode(jpeg, { view: true });
    return await this.#encode(
      packedI420(decoded.data, decoded.width, decoded.height),
      quality,
      width,
    );
  }

  /** Frees a slot's decoder and picture. */
  release(slot: number): void {
    this.#slots.get(slot)?.close();
    this.#slots.delete(slot);
  }

  /** Frees everything. */
  close(): void {
    for (const slot of [...this.#slots.keys()]) this.release(slot);
    this.#encoder?.close();
    this.#jpegDecoder?.close();
    this.#encoder = this.#jpegDecoder = undefined;
  }

  async #encode(picture: I420Picture, quality: number, width?: number): Promise<EncodedSnapshot> {
    this.#encoder ??= await JpegEncoder.create();
    const data = this.#encoder.encode(picture, { quality, width });
    return { data, ...scaledSize(picture.width, picture.height, width) };
  }
}
