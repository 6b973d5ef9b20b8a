/**
 * One OpenH264 encoder inside one WASM instance, driven synchronously: frame bytes in, Annex B out.
 * The Worker runs this; so does the in-thread fallback where no Worker exists. The input and output
 * buffers live in WASM memory and are reused for every frame.
 *
 * @module
 */

import { JpegError } from "../codec/jpeg.ts";
import { JpegDecoder } from "../jpeg/jpeg_decoder.ts";
import { frameSize, PixelFormat } from "../codec/raw_frame.ts";
import type { ResolvedEncoderOptions } from "./options.ts";
import type { InputFormat } from "./protocol.ts";
import { type EncoderExports, FrameType } from "./wasm_binding.ts";

/** An encoded frame as the core returns it. */
export interface CoreOutput {
  /** Annex B bytes (a fresh copy), or undefined when rate control skipped the frame. */
  data: Uint8Array | undefined;
  /** Whether it is an IDR picture. */
  keyframe: boolean;
  /** libjpeg's warning when a damaged JPEG still decoded. */
  warning?: string;
}

/** A failure reported by the bridge, with its code. */
export class EncoderError extends Error {
  /** The bridge's negative return code. */
  readonly code: number;
  /** Wraps a code. */
  constructor(what: string, code: number) {
    super(`${what} failed (OpenH264 bridge code ${code})`);
    this.name = "EncoderError";
    this.code = code;
  }
}

/** A synchronous encoder over a bridge instance. */
export class EncoderCore {
  #x: EncoderExports;
  #handle: number;
  #options: ResolvedEncoderOptions;
  /** Made before the first JPEG frame: encoders fed raw frames never load the JPEG module. */
  #jpeg: JpegDecoder | undefined;
  #jpegLoading: Promise<void> | undefined;

  /** Creates the OpenH264 encoder. Throws {@link EncoderError}. */
  constructor(exports: EncoderExports, options: ResolvedEncoderOptions) {
    this.#x = exports;
    this.#options = options;
    const o = options;
    this.#handle = exports.rtse_encoder_create(
      o.width,
      o.height,
      o.fps,
      o.bitrate,
      o.gop,
      o.rateControl === "quality" ? 1 : 0,
      o.qpMin,
      o.qpMax,
    );
    if (this.#handle <= 0) throw new EncoderError("creating the encoder", this.#handle);
  }

  /**
   * Encodes one frame of `format` whose bytes are `data`. A JPEG is decoded to I420 first; one
   * that cannot be decoded, or whose (even-cropped) size is not the encoder's, throws
   * {@link JpegError} and leaves the encoder as it was.
   */
  encode(data: Uint8Array, format: InputFormat, timestampUs: number): CoreOutput {
    if (format === "jpeg") return this.#encodeJpeg(data, timestampUs);
    const { width, height } = this.#options;
    const size = frameSize(format, width, height);
    if (data.length < size) {
      throw new RangeError(
        `a ${width}x${height} frame of this format needs ${size} bytes, got ${data.length}`,
      );
    }
    const x = this.#x;
    const input = x.rtse_encoder_input(this.#handle, format);
    if (input <= 0) throw new EncoderError("allocating the input buffer", input);
    new Uint8Array(x.memory.buffer, input, size).set(data.subarray(0, size));
    const n = x.rtse_encoder_encode(this.#handle, format, timestampUs / 1000);
    if (n < 0) throw new EncoderError("encoding a frame", n);
    if (n === 0) return { data: undefined, keyframe: false };
    const out = x.rtse_encoder_output(this.#handle);
    return {
      data: new Uint8Array(x.memory.buffer, out, n).slice(),
      keyframe: x.rtse_encoder_frame_type(this.#handle) === FrameType.IDR,
    };
  }

  /**
   * Makes the JPEG decoder, whose module is imported on first use; call it before `encode` of the
   * first JPEG frame (the worker and the in-thread backend do).
   */
  prepareJpeg(): Promise<void> {
    this.#jpegLoading ??= JpegDecoder.create().then((decoder) => {
      if (this.#handle > 0) this.#jpeg = decoder;
      else decoder.close(); // closed while the module loaded
    });
    return this.#jpegLoading;
  }

  #encodeJpeg(jpeg: Uint8Array, timestampUs: number): CoreOutput {
    if (!this.#jpeg) throw new Error("a JPEG frame came before prepareJpeg() finished");
    // A view into the decoder's memory: encode() copies it into the encoder's, once.
    const picture = this.#jpeg.decode(jpeg, { view: true });
    const { width, height } = this.#options;
    if (picture.width !== width || picture.height !== height) {
      throw new JpegError(
        "size-mismatch",
        `the JPEG is ${picture.width}x${picture.height}, the encoder ${width}x${height}; ` +
          "create an encoder for the new size",
      );
    }
    const out = this.encode(picture.data, PixelFormat.I420, timestampUs);
    if (picture.warning !== undefined) out.warning = picture.warning;
    return out;
  }

  /** Bytes of WebAssembly memory this encoder's instances hold (OpenH264's, and the JPEG
   * decoder's once made). */
  wasmBytes(): number {
    return this.#x.memory.buffer.byteLength + (this.#jpeg?.memoryBytes ?? 0);
  }

  /** Makes the next frame an IDR. */
  requestKeyframe(): void {
    const rc = this.#x.rtse_encoder_force_keyframe(this.#handle);
    if (rc < 0) throw new EncoderError("forcing a keyframe", rc);
  }

  /** Changes the target bitrate from the next frame on. */
  setBitrate(bitrate: number): void {
    const rc = this.#x.rtse_encoder_set_bitrate(this.#handle, bitrate);
    if (rc < 0) throw new EncoderError("changing the bitrate", rc);
  }

  /** Frees the encoder (and its JPEG decoder, if it made one). */
  close(): void {
    this.#jpeg?.close();
    this.#jpeg = undefined;
    if (this.#handle > 0) this.#x.rtse_encoder_destroy(this.#handle);
    this.#handle = 0;
  }
}
