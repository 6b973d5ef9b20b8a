/**
 * JPEG snapshots of any served path: the engine behind `/snapshot/<path>.jpg`. A snapshot opens a
 * tap on the stream (which starts with the cached GOP from its keyframe), decodes H.264 from that
 * keyframe to the newest frame in a Worker, and encodes the newest picture as a JPEG. A JPEG
 * stream's newest picture is answered as it came, or decoded and encoded again when scaled.
 *
 * The tap and decoder of a path stay open for {@link SnapshotsOptions.idleMs} (10 s) after its
 * last snapshot, decoding as frames arrive, so a poller (Home Assistant asks every few seconds)
 * gets the newest picture at once; after that they close. At most
 * {@link SnapshotsOptions.maxPaths} paths are watched at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serve } from "../../mod.ts";
 * import { SnapshotError, Snapshots } from "./snapshots.ts";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const snapshots = new Snapshots({ server });
 * await assert.rejects(snapshots.take("/nothing", {}), (e: SnapshotError) => e.status === 404);
 * await snapshots.close();
 * await server.close();
 * ```
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import type { RtspServer } from "../server/server.ts";
import { type SnapshotBackend, startBackend } from "./backend.ts";
import { PathWatch } from "./path_watch.ts";
import type { SnapshotResponse } from "./protocol.ts";

/** A snapshot could not be taken; `status` is the HTTP status to answer with. */
export class SnapshotError extends Error {
  /** 400 bad request (width), 404 no such path, 503 no picture (yet) or the source is gone. */
  readonly status: 400 | 404 | 503;

  /** An error answered with `status`. */
  constructor(status: 400 | 404 | 503, message: string) {
    super(message);
    this.name = "SnapshotError";
    this.status = status;
  }
}

/** Settings of {@link Snapshots}. */
export interface SnapshotsOptions {
  /** The server whose paths are snapshotted. */
  server: RtspServer;
  /** Paths watched at once, at most (each holds a tap and a decoder). Default 4. */
  maxPaths?: number;
  /** How long a path's tap and decoder stay open after its last snapshot, in ms. Default 10 000. */
  idleMs?: number;
  /** JPEG quality 1..100. Default 80. */
  quality?: number;
  /** Run the work in a Worker. Default: when the runtime has Workers. */
  worker?: boolean;
  /** Times idle paths. Default: the system clock. */
  clock?: Clock;
}

/** Options of {@link Snapshots.take}. */
export interface TakeOptions {
  /** Scale down to this width (even; the height keeps the aspect). Never scales up. */
  width?: number;
  /** How long to wait for a first picture, in ms. Default 2000. */
  timeoutMs?: number;
}

/** Default of {@link TakeOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 2000;
/** Largest {@link TakeOptions.width} accepted. */
export const MAX_WIDTH = 8192;
/** Snapshots waiting at once, at most, across paths: beyond it a snapshot is refused (503). */
export const MAX_PENDING = 64;

/** Takes JPEG snapshots of a server's paths. */
export class Snapshots {
  #server: RtspServer;
  #maxPaths: number;
  #idleMs: number;
  #quality: number;
  #useWorker: boolean | undefined;
  #backend?: SnapshotBackend;
  #watches = new Map<string, PathWatch>();
  #slots = new Map<number, PathWatch>();
  #nextSlot = 1;
  #nextId = 1;
  #requests = new Map<number, (m: SnapshotResponse) => void>();
  #pending = 0;
  #sweeper?: ReturnType<typeof setInterval>;
  #closed = false;
  #clock: Clock;

  /** Takes no resources until the first snapshot. */
  constructor(options: SnapshotsOptions) {
    this.#server = options.server;
    this.#clock = options.clock ?? systemClock;
    this.#maxPaths = options.maxPaths ?? 4;
    this.#idleMs = options.idleMs ?? 10_000;
    this.#quality = options.quality ?? 80;
    this.#useWorker = options.worker;
    if (!Number.isInteger(this.#maxPaths) || this.#maxPaths < 1) {
      throw new RangeError(`maxPaths must be a positive integer, got ${this.#maxPaths}`);
    }
    if (!(this.#idleMs >= 0)) throw new RangeError(`idleMs must be >= 0, got ${this.#idleMs}`);
    if (!Number.isInteger(this.#quality) || this.#quality < 1 || this.#quality > 100) {
      throw new RangeError(`quality must be an integer 1..100, got ${this.#quality}`);
    }
  }

  /** Paths watched now (their taps and decoders are open). */
  get watchedPaths(): string[] {
    return [...this.#watches.keys()];
  }

  /**
   * A JPEG of the newest picture of `path`. Rejects with {@link SnapshotError}: 400 for a bad
   * `width`, 404 when no stream is served at `path`, 503 when no picture came within `timeoutMs`,
   * the source is gone, or too many snapshots are under way.
   */
  async take(path: string, options: TakeOptions = {}): Promise<Uint8Array> {
    if (this.#closed) throw new SnapshotError(503, "snapshots are closed");
    const { width, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    if (width !== undefined && !(Number.isInteger(width) && width >= 2 && width <= MAX_WIDTH)) {
      throw new SnapshotError(400, `width must be an integer from 2 to ${MAX_WIDTH}`);
    }
    if (!(timeoutMs >= 0 && timeoutMs <= 600_000)) {
      throw new SnapshotError(400, `timeoutMs must be from 0 to 600000, got ${timeoutMs}`);
    }
    if (this.#pending >= MAX_PENDING) {
      throw new SnapshotError(503, "too many snapshots are under way");
    }
    const watch = this.#watch(path);
    watch.users++;
    this.#pending++;
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      return await this.#take(watch, width, deadline);
    } finally {
      watch.users--;
      this.#pending--;
      watch.lastUsed = this.#clock.now();
    }
  }

  /** Closes every tap and the Worker; pending snapshots reject with 503. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const watch of [...this.#watches.values()]) this.#drop(watch, "snapshots are closed");
    this.#failRequests("snapshots are closed");
    this.#backend?.post({ type: "close" });
    // The close request frees the decoders first; the Worker ends itself after it. Terminating it
    // right away too keeps a test or a shutdown from waiting on it.
    this.#backend?.close();
    this.#backend = undefined;
    return Promise.resolve();
  }

  async #take(watch: PathWatch, width: number | undefined, deadline: AbortSignal) {
    for (;;) {
      const state = watch.tap.sourceState;
      if (state.state === "gone") {
        throw new SnapshotError(503, `the source of ${watch.path} is gone: ${state.reason}`);
      }
      try {
        await watch.whenPicture(deadline);
      } catch (error) {
        if (deadline.aborted) {
          const now = watch.tap.sourceState;
          const why = now.state === "gone" ? `the source is gone: ${now.reason}` : "no picture yet";
          throw new SnapshotError(503, `no picture of ${watch.path} within the timeout (${why})`);
        }
        throw new SnapshotError(503, (error as Error).message);
      }
      const jpeg = watch.latestJpeg;
      if (jpeg && width === undefined) return jpeg.slice();
      const m = await this.#request((id, backend) => {
        const quality = this.#quality;
        if (jpeg) {
          const copy = jpeg.slice();
          backend.post({ type: "transcode", id, jpeg: copy, width: width!, quality }, [
            copy.buffer,
          ]);
        } else {
          backend.post({ type: "snapshot", id, slot: watch.slot, width, quality });
        }
      });
      if (m.type === "jpeg") return m.data;
      if (m.type === "error" && m.noPicture) {
        watch.lostPicture(); // the decoder restarted after a failure: wait for its next picture
        continue;
      }
      throw new SnapshotError(503, m.type === "error" ? m.message : "unexpected answer");
    }
  }

  /** The watch of `path`, opened if needed (evicting the least recently used idle one). */
  #watch(path: string): PathWatch {
    const key = path.startsWith("/") ? path : `/${path}`;
    const existing = this.#watches.get(key);
    if (existing && existing.ended === undefined) return existing;
    if (existing) this.#drop(existing, existing.ended!);
    if (this.#watches.size >= this.#maxPaths) {
      const idle = [...this.#watches.values()].filter((w) => w.users === 0)
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) throw new SnapshotError(503, "too many paths are being snapshotted");
      this.#drop(idle, "evicted for another path");
    }
    const stream = this.#server.getStream(key);
    if (!stream) throw new SnapshotError(404, `no stream is served at ${key}`);
    const backend = this.#backend ??= startBackend(
      (m) => this.#receive(m),
      (error) => this.#backendFailed(error),
      this.#useWorker,
    );
    const watch = new PathWatch(key, this.#nextSlot++, backend);
    try {
      watch.open((p, sink) => this.#server.tap(p, sink), stream.codec, stream.videoInfo);
    } catch {
      throw new SnapshotError(404, `no stream is served at ${key}`);
    }
    watch.lastUsed = this.#clock.now();
    this.#watches.set(key, watch);
    this.#slots.set(watch.slot, watch);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(250, this.#idleMs / 4));
    return watch;
  }

  /** Closes watches idle for longer than idleMs. */
  #sweep(): void {
    const now = this.#clock.now();
    for (const watch of [...this.#watches.values()]) {
      if (watch.users === 0 && now - watch.lastUsed >= this.#idleMs) this.#drop(watch, "idle");
    }
    if (this.#watches.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #drop(watch: PathWatch, reason: string): void {
    watch.close(reason);
    if (this.#watches.get(watch.path) === watch) this.#watches.delete(watch.path);
    this.#slots.delete(watch.slot);
  }

  /** Sends a request made by `send` with a fresh id; resolves with its answer. */
  #request(send: (id: number, backend: SnapshotBackend) => void): Promise<SnapshotResponse> {
    const backend = this.#backend;
    if (!backend) return Promise.reject(new SnapshotError(503, "snapshots are closed"));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#requests.set(id, resolve);
      send(id, backend);
    });
  }

  #receive(m: SnapshotResponse): void {
    if (m.type === "decoded") {
      this.#slots.get(m.slot)?.decoded(m.picture, m.error);
      return;
    }
    const settle = this.#requests.get(m.id);
    this.#requests.delete(m.id);
    settle?.(m);
  }

  #failRequests(message: string): void {
    for (const [id, settle] of this.#requests) settle({ type: "error", id, message });
    this.#requests.clear();
  }

  /** The Worker died: every watch and request goes with it; the next snapshot starts afresh. */
  #backendFailed(error: Error): void {
    this.#backend?.close();
    this.#backend = undefined;
    for (const watch of [...this.#watches.values()]) this.#drop(watch, error.message);
    this.#failRequests(error.message);
  }
}
