/**
 * The H.264 encoder: raw frames (or JPEGs, decoded in the same place) in, access units out,
 * OpenH264 compiled to WebAssembly doing the work in a Worker (or in the calling thread where no
 * Worker exists, as in Node).
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import { splitAnnexB } from "../codec/annexb.ts";
import { JpegError, type JpegErrorCode } from "../codec/jpeg.ts";
import { PixelFormat } from "../codec/raw_frame.ts";
import { createBridge } from "./bridge.ts";
import { EncoderCore } from "./encoder_core.ts";
import { FrameLane, type LaneControls } from "./frame_lane.ts";
import {
  checkBitrate,
  type H264EncoderOptions,
  type ResolvedEncoderOptions,
  resolveEncoderOptions,
} from "./options.ts";
import type { EncoderMemory, EncoderRequest, EncoderResponse, InputFormat } from "./protocol.ts";

export type { EncoderMemory } from "./protocol.ts";

/** One encoded picture. */
export interface EncodedAccessUnit {
  /** NAL units without start codes; an IDR comes with SPS and PPS in front. */
  nalUnits: Uint8Array[];
  /** Whether it is an IDR picture. */
  keyframe: boolean;
  /** The frame's timestamp, in microseconds, as given to `encode`. */
  timestamp: number;
  /** For a JPEG frame that libjpeg decoded despite damage (e.g. "Premature end of JPEG file"),
   * its warning. */
  warning?: string;
}

/** A frame for {@link H264Encoder.encode}. */
export interface EncoderInput {
  /** The pixels, or one whole JPEG when `format` is `"jpeg"`. */
  data: Uint8Array;
  /**
   * Their layout. Default I420. `"jpeg"`: an MJPEG frame, decoded to I420 (libjpeg-turbo in
   * WebAssembly, next to the encoder) before encoding; a JPEG whose size, cropped to even, is not
   * the encoder's, or that cannot be decoded, rejects with {@link JpegError} for that frame only.
   */
  format?: PixelFormat | "jpeg";
  /** Capture time in microseconds. Default: now, on the encoder's clock. */
  timestamp?: number;
}

interface Backend {
  encode(data: Uint8Array, format: InputFormat, timestamp: number): Promise<EncoderResponse>;
  send(message: EncoderRequest): void;
  readonly memory: EncoderMemory | undefined;
  close(): Promise<void>;
}

/**
 * An H.264 encoder (Constrained Baseline, so every client decodes it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder } from "./h264_encoder.ts";
 *
 * const encoder = await H264Encoder.create({ width: 320, height: 240, fps: 30, bitrate: 500_000 });
 * const frame = new Uint8Array(320 * 240 * 3 / 2).fill(128);
 * const au = await encoder.encode({ data: frame, timestamp: 0 });
 * assert.equal(au?.keyframe, true);
 * assert.deepEqual(au?.nalUnits.slice(0, 3).map((n) => n[0] & 0x1f), [7, 8, 5]);
 * await encoder.close();
 * ```
 */
export class H264Encoder {
  /** The settings in force. */
  readonly options: ResolvedEncoderOptions;
  #backend: Backend;
  #clock: Clock;
  #closed = false;

  private constructor(options: ResolvedEncoderOptions, backend: Backend, clock: Clock) {
    this.options = options;
    this.#backend = backend;
    this.#clock = clock;
  }

  /** Starts an encoder. Throws `RangeError`/`TypeError` for bad settings, naming them. */
  static async create(options: H264EncoderOptions): Promise<H264Encoder> {
    const resolved = resolveEncoderOptions(options);
    const useWorker = options.worker ?? typeof Worker !== "undefined";
    const backend = useWorker
      ? await WorkerBackend.start(resolved)
      : await InlineBackend.start(resolved);
    return new H264Encoder(resolved, backend, options.clock ?? systemClock);
  }

  /**
   * Encodes one frame. Resolves to its access unit, or undefined when rate control skipped it.
   * Calls may overlap; they complete in order. The frame's bytes are copied before this returns.
   */
  async encode(frame: EncoderInput): Promise<EncodedAccessUnit | undefined> {
    if (this.#closed) throw new Error("the encoder is closed");
    const format = frame.format ?? PixelFormat.I420;
    const timestamp = frame.timestamp ?? this.#clock.now() * 1000;
    const r = await this.#backend.encode(frame.data, format, timestamp);
    if (r.type === "error") throw rebuild(r);
    if (r.type !== "encoded" || !r.data) return undefined;
    const au: EncodedAccessUnit = {
      nalUnits: splitAnnexB(r.data),
      keyframe: r.keyframe,
      timestamp: r.timestamp,
    };
    if (r.warning !== undefined) au.warning = r.warning;
    return au;
  }

  /**
   * What the encoder holds: its WebAssembly memory and, in a Worker, the Worker's heap. A Worker
   * tells it when ready and then about once a second with an encoded frame.
   */
  get memory(): EncoderMemory | undefined {
    return this.#backend.memory;
  }

  /** Makes the next frame an IDR (fast start for a joining reader). */
  requestKeyframe(): void {
    if (!this.#closed) this.#backend.send({ type: "keyframe" });
  }

  /** Changes the target bitrate (bits per second) from the next frame on. */
  setBitrate(bitrate: number): void {
    checkBitrate(bitrate);
    if (!this.#closed) this.#backend.send({ type: "bitrate", bitrate });
  }

  /** Frees the encoder and its Worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#backend.close();
  }
}

function rebuild(r: { name: string; message: string; code?: string }): Error {
  if (r.name === "JpegError") {
    return new JpegError((r.code ?? "invalid") as JpegErrorCode, r.message);
  }
  const E = r.name === "RangeError" ? RangeError : r.name === "TypeError" ? TypeError : Error;
  const e = new E(r.message);
  if (E === Error) e.name = r.name;
  return e;
}

/**
 * Where the Worker's module is. In a Bun standalone binary every bundled module shares the entry
 * point's URL, and `build.ts` bundles the worker as a second entry point under its path from the
 * project root.
 */
function workerUrl(): string {
  const here = import.meta.url;
  if (here.includes("/$bunfs/")) return new URL("./src/encoder/worker.ts", here).href;
  return new URL("./worker.ts", here).href;
}

/** Frame buffers kept for reuse: frames that wait behind the one being encoded, or that go by message. */
const SPARE_BUFFERS = 4;

/** A frame given to the Worker backend, until its answer. */
interface Job {
  id: number;
  format: InputFormat;
  timestamp: number;
  /** Keyframe and bitrate requests made since the frame before it. */
  controls: LaneControls;
  /** A copy of the frame, when it could not go into the lane at once. */
  copy?: Uint8Array;
  settle(r: EncoderResponse): void;
}

/**
 * A lane for frames of `bytes`: its input area that big (a JPEG's with room for larger pictures to
 * come), its output area a quarter of an I420 picture of the encoder's size, at least 256 kB (an
 * access unit is far smaller; one that is not goes by message). The runtime writes a shared
 * buffer's every page when it makes it, so the areas follow the frames, not the largest format.
 */
function laneFor(bytes: number, format: InputFormat, o: ResolvedEncoderOptions): FrameLane {
  const round = (n: number) => Math.ceil(n / 65536) * 65536;
  const input = round(format === "jpeg" ? bytes * 1.5 : bytes);
  return FrameLane.create(input, Math.max(262_144, round(o.width * o.height * 3 / 8)));
}

/**
 * The encoder in a Worker. Frames go one at a time, in order: through the shared frame lane
 * (frame_lane.ts), made again larger when a frame does not fit, where the runtime has one; else as
 * messages with their buffer transferred. Keyframe and bitrate requests travel with the frame given after them.
 */
class WorkerBackend implements Backend {
  #worker: Worker;
  #lane: FrameLane | undefined;
  #nextId = 1;
  // Frame buffers the worker handed back. Reusing them keeps a 30 fps camera from allocating
  // (and the garbage collector from holding) megabytes per frame.
  #spare: ArrayBuffer[] = [];
  #pending = new Map<number, (r: EncoderResponse) => void>();
  #waiting: Job[] = [];
  #busy = false;
  #idle: (() => void) | undefined;
  #controls: LaneControls = { keyframe: false, bitrate: 0 };
  #failed: Error | undefined;
  #options: ResolvedEncoderOptions;
  memory: EncoderMemory | undefined;

  private constructor(worker: Worker, options: ResolvedEncoderOptions) {
    this.#worker = worker;
    this.#options = options;
  }

  static start(options: ResolvedEncoderOptions): Promise<WorkerBackend> {
    // Bun's `smol` gives the worker a smaller heap; Deno ignores the option.
    const worker = new Worker(workerUrl(), { type: "module", smol: true } as WorkerOptions);
    const backend = new WorkerBackend(worker, options);
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<EncoderResponse>) => {
        const m = event.data;
        if (m.type === "ready") {
          backend.memory = m.memory;
          worker.onmessage = (e: MessageEvent<EncoderResponse>) => backend.#receive(e.data);
          resolve(backend);
        } else if (m.type === "error") {
          worker.terminate();
          reject(rebuild(m));
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        backend.#failed = new Error(`the encoder worker failed: ${event.message}`);
        reject(backend.#failed);
        const failure: EncoderResponse = {
          type: "error",
          name: "Error",
          message: backend.#failed.message,
        };
        for (const settle of backend.#pending.values()) settle(failure);
        for (const job of backend.#waiting.splice(0)) job.settle(failure);
        backend.#pending.clear();
      };
      worker.postMessage({ type: "init", options } satisfies EncoderRequest);
    });
  }

  #receive(m: EncoderResponse): void {
    if (m.type === "ready") return;
    if (m.type === "encoded" && m.memory) this.memory = m.memory;
    if (m.input) this.#keep(m.input);
    if (m.id !== undefined) this.#answered(m.id, m);
  }

  encode(data: Uint8Array, format: InputFormat, timestamp: number): Promise<EncoderResponse> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((settle) => {
      const job: Job = { id: this.#nextId++, format, timestamp, controls: this.#controls, settle };
      this.#controls = { keyframe: false, bitrate: 0 };
      if (!this.#busy && FrameLane.supported) return this.#start(job, data);
      // The caller keeps its buffer: the frame waits (or goes by message) as a copy.
      job.copy = new Uint8Array(this.#buffer(data.byteLength), 0, data.byteLength);
      job.copy.set(data);
      if (this.#busy) this.#waiting.push(job);
      else this.#start(job, job.copy);
    });
  }

  /** Hands one frame to the Worker; the next starts when it is answered. */
  #start(job: Job, data: Uint8Array): void {
    this.#busy = true;
    this.#pending.set(job.id, (r) => {
      job.settle(r);
      this.#busy = false;
      const next = this.#waiting.shift();
      if (next) this.#start(next, next.copy!);
      else this.#idle?.();
    });
    const { controls } = job;
    const lane = FrameLane.supported ? this.#laneFor(data.length, job.format) : undefined;
    if (lane) {
      lane.send(job.id, data, job.format, job.timestamp, controls);
      if (job.copy) this.#keep(job.copy.buffer as ArrayBuffer);
      lane.answer(job.id).then((a) => {
        if (a.byMessage) return; // #receive settles it
        this.#answered(job.id, {
          type: "encoded",
          id: job.id,
          data: a.data,
          keyframe: a.keyframe,
          timestamp: job.timestamp,
        });
      });
      return;
    }
    if (controls.keyframe) this.#worker.postMessage({ type: "keyframe" } satisfies EncoderRequest);
    if (controls.bitrate) {
      this.#worker.postMessage(
        { type: "bitrate", bitrate: controls.bitrate } satisfies EncoderRequest,
      );
    }
    const copy = job.copy!; // without a lane every frame waits as a copy
    this.#worker.postMessage(
      {
        type: "encode",
        id: job.id,
        data: copy,
        format: job.format,
        timestamp: job.timestamp,
      } satisfies EncoderRequest,
      [copy.buffer as ArrayBuffer],
    );
  }

  /** The lane, made (or made again, larger) for a frame of `bytes`; only while no frame is in it. */
  #laneFor(bytes: number, format: InputFormat): FrameLane {
    if (this.#lane?.fits(bytes)) return this.#lane;
    this.#lane?.close(); // the Worker's wait on it ends
    const lane = laneFor(bytes, format, this.#options);
    this.#worker.postMessage(
      { type: "lane", buffer: lane.buffer, inputBytes: lane.inputBytes } satisfies EncoderRequest,
    );
    return this.#lane = lane;
  }

  #answered(id: number, r: EncoderResponse): void {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    settle?.(r);
  }

  #keep(buffer: ArrayBuffer): void {
    if (this.#spare.length < SPARE_BUFFERS) this.#spare.push(buffer);
  }

  /** A spare buffer of at least `size` bytes, or a new one (rounded up for JPEGs of varying size). */
  #buffer(size: number): ArrayBuffer {
    const i = this.#spare.findIndex((b) => b.byteLength >= size && b.byteLength <= size * 2);
    if (i >= 0) return this.#spare.splice(i, 1)[0];
    return new ArrayBuffer(Math.ceil(size / 65536) * 65536);
  }

  send(message: EncoderRequest): void {
    // Applied to the next frame given, before it is encoded, as a message sent now would be.
    if (message.type === "keyframe") this.#controls.keyframe = true;
    else if (message.type === "bitrate") this.#controls.bitrate = message.bitrate;
  }

  async close(): Promise<void> {
    // Let queued frames finish, then stop the worker.
    if (this.#busy && !this.#failed) await new Promise<void>((resolve) => this.#idle = resolve);
    this.#lane?.close();
    this.#worker.terminate();
  }
}

class InlineBackend implements Backend {
  #core: EncoderCore;

  private constructor(core: EncoderCore) {
    this.#core = core;
  }

  static async start(options: ResolvedEncoderOptions): Promise<InlineBackend> {
    return new InlineBackend(new EncoderCore(await createBridge(), options));
  }

  get memory(): EncoderMemory {
    return { wasmBytes: this.#core.wasmBytes() };
  }

  async encode(data: Uint8Array, format: InputFormat, timestamp: number): Promise<EncoderResponse> {
    try {
      if (format === "jpeg") await this.#core.prepareJpeg();
      const out = this.#core.encode(data, format, timestamp);
      return {
        type: "encoded",
        id: 0,
        data: out.data,
        keyframe: out.keyframe,
        timestamp,
        warning: out.warning,
      };
    } catch (error) {
      const e = error as Error;
      const code = error instanceof JpegError ? error.code : undefined;
      return { type: "error", id: 0, name: e.name, message: e.message, code };
    }
  }

  send(message: EncoderRequest): void {
    if (message.type === "keyframe") this.#core.requestKeyframe();
    else if (message.type === "bitrate") this.#core.setBitrate(message.bitrate);
  }

  close(): Promise<void> {
    this.#core.close();
    return Promise.resolve();
  }
}
