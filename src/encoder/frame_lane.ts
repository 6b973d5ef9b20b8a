/**
 * The encoder Worker's frame lane: one `SharedArrayBuffer` that carries a frame to the Worker and
 * its access unit back, with `Atomics` saying when each is there. One frame is in the lane at a
 * time; the caller writes the next only once the last is answered.
 *
 * Why not `postMessage`: a message with a transferred buffer each way cost 0.27–0.37 ms of CPU a
 * frame under Bun and 0.42–0.47 ms under Deno on the 2-core VM, against 0.15 and 0.18–0.25 ms for
 * the same round trip through this lane (a 60 kB frame in, 8 kB out, 30 a second, timer included),
 * about 4 % of what an 800x600 MJPEG→H.264 relay costs a frame. Messages stay for what is rare:
 * the start, errors, JPEG warnings, the Worker's memory report, and access units too big for the
 * lane. A frame too big for it gets a new, larger lane (h264_encoder.ts).
 *
 * Layout: a header of 32-bit words and the frame's timestamp, then the input area (the frame), then
 * the output area (the access unit).
 *
 * @module
 */

import type { InputFormat } from "./protocol.ts";

/** Word: id of the frame the caller wrote last; {@link CLOSED} ends the Worker's wait. */
const REQUEST = 0;
/** Word: id of the frame the Worker answered last. */
const ANSWER = 1;
/** Words of the request: frame bytes, format code, control bits, new bitrate (0: unchanged). */
const FRAME_BYTES = 2, FORMAT = 3, CONTROL = 4, BITRATE = 5;
/** Words of the answer: access unit bytes, answer bits. */
const UNIT_BYTES = 6, ANSWER_BITS = 7;
/** Byte offset of the timestamp (Float64, microseconds). */
const TIMESTAMP_AT = 32;
const HEADER_BYTES = 64;

const CLOSED = -1;
/** The format code of a JPEG frame; raw formats keep their `PixelFormat` number. */
const JPEG_CODE = -1;
/** Control bit: make this frame an IDR. */
const WANT_KEYFRAME = 1;
/** Answer bits. */
const KEYFRAME = 1, SKIPPED = 2, BY_MESSAGE = 4;

/** Settings a frame carries to the encoder, applied before it is encoded. */
export interface LaneControls {
  /** Make this frame an IDR. */
  keyframe: boolean;
  /** A new target bitrate, or 0. */
  bitrate: number;
}

/** A frame as the Worker reads it from the lane. */
export interface LaneFrame extends LaneControls {
  /** The caller's id for it. */
  id: number;
  /** A view of the lane's input area: valid until the frame is answered. */
  data: Uint8Array;
  /** Its format. */
  format: InputFormat;
  /** Its timestamp, microseconds. */
  timestamp: number;
}

/** The answer the caller reads from the lane. */
export type LaneAnswer =
  | { byMessage: false; data: Uint8Array | undefined; keyframe: boolean }
  /** The answer (an error, a warning, a memory report, a big access unit) comes as a message. */
  | { byMessage: true };

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** `Atomics.waitAsync` where the runtime has it (Deno, Bun, Node 16+). */
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Waits until `words[index]` is no longer `value`, without blocking the thread. */
async function changed(words: Int32Array, index: number, value: number): Promise<number> {
  for (;;) {
    const now = Atomics.load(words, index);
    if (now !== value) return now;
    const wait = waitAsync!(words, index, value);
    if (wait.async) await wait.value;
  }
}

/** One lane, seen from either side. */
export class FrameLane {
  /** The shared memory, for the Worker's copy of the lane. */
  readonly buffer: SharedArrayBuffer;
  #words: Int32Array;
  #timestamp: Float64Array;
  #input: Uint8Array;
  #output: Uint8Array;

  /** Whether this runtime can make lanes (shared memory and `Atomics.waitAsync`). */
  static get supported(): boolean {
    return typeof SharedArrayBuffer === "function" && typeof waitAsync === "function";
  }

  /** A new lane whose areas hold `inputBytes` and `outputBytes`. */
  static create(inputBytes: number, outputBytes: number): FrameLane {
    return new FrameLane(
      new SharedArrayBuffer(HEADER_BYTES + inputBytes + outputBytes),
      inputBytes,
    );
  }

  /** The lane of `buffer`, made by {@link FrameLane.create} with `inputBytes`. */
  constructor(buffer: SharedArrayBuffer, inputBytes: number) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer, 0, TIMESTAMP_AT / 4);
    this.#timestamp = new Float64Array(buffer, TIMESTAMP_AT, 1);
    this.#input = new Uint8Array(buffer, HEADER_BYTES, inputBytes);
    this.#output = new Uint8Array(buffer, HEADER_BYTES + inputBytes);
  }

  /** Bytes the input area holds. */
  get inputBytes(): number {
    return this.#input.length;
  }

  // --- the caller's side ---

  /** Whether a frame of `bytes` fits. */
  fits(bytes: number): boolean {
    return bytes <= this.#input.length;
  }

  /** Copies a frame in and wakes the Worker. The last frame must have been answered. */
  send(
    id: number,
    data: Uint8Array,
    format: InputFormat,
    timestamp: number,
    controls: LaneControls,
  ): void {
    const w = this.#words;
    this.#input.set(data);
    w[FRAME_BYTES] = data.length;
    w[FORMAT] = format === "jpeg" ? JPEG_CODE : format;
    w[CONTROL] = controls.keyframe ? WANT_KEYFRAME : 0;
    w[BITRATE] = controls.bitrate;
    this.#timestamp[0] = timestamp;
    // The store publishes the fields above (Atomics are sequentially consistent).
    Atomics.store(w, REQUEST, id);
    Atomics.notify(w, REQUEST);
  }

  /** Waits for the answer to frame `id` (ids rise); its bytes are copied out. */
  async answer(id: number): Promise<LaneAnswer> {
    let seen = Atomics.load(this.#words, ANSWER);
    while (seen < id) seen = await changed(this.#words, ANSWER, seen);
    // Past it already: its answer went by message, and the caller sent the next frame on reading
    // that message, before this wait saw the lane.
    if (seen > id) return { byMessage: true };
    const w = this.#words;
    const bits = w[ANSWER_BITS];
    if (bits & BY_MESSAGE) return { byMessage: true };
    return {
      byMessage: false,
      data: bits & SKIPPED ? undefined : this.#output.slice(0, w[UNIT_BYTES]),
      keyframe: (bits & KEYFRAME) !== 0,
    };
  }

  /** Ends the Worker's wait for frames. */
  close(): void {
    Atomics.store(this.#words, REQUEST, CLOSED);
    Atomics.notify(this.#words, REQUEST);
  }

  // --- the Worker's side ---

  /** Waits for the frame after `last` (an id); undefined once the lane is closed. */
  async next(last: number): Promise<LaneFrame | undefined> {
    const id = await changed(this.#words, REQUEST, last);
    if (id === CLOSED) return undefined;
    const w = this.#words;
    const code = w[FORMAT];
    return {
      id,
      data: this.#input.subarray(0, w[FRAME_BYTES]),
      format: code === JPEG_CODE ? "jpeg" : code as InputFormat,
      timestamp: this.#timestamp[0],
      keyframe: (w[CONTROL] & WANT_KEYFRAME) !== 0,
      bitrate: w[BITRATE],
    };
  }

  /**
   * Answers frame `id` with its access unit (undefined: skipped by rate control). False when the
   * unit does not fit: the caller then answers by message and {@link FrameLane.answeredByMessage}.
   */
  reply(id: number, data: Uint8Array | undefined, keyframe: boolean): boolean {
    if (data && data.length > this.#output.length) return false;
    const w = this.#words;
    if (data) this.#output.set(data);
    w[UNIT_BYTES] = data?.length ?? 0;
    w[ANSWER_BITS] = (data ? 0 : SKIPPED) | (keyframe ? KEYFRAME : 0);
    this.#answered(id);
    return true;
  }

  /** Says that frame `id`'s answer went as a message. */
  answeredByMessage(id: number): void {
    this.#words[ANSWER_BITS] = BY_MESSAGE;
    this.#answered(id);
  }

  #answered(id: number): void {
    Atomics.store(this.#words, ANSWER, id);
    Atomics.notify(this.#words, ANSWER);
  }
}
