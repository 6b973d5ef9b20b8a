/**
 * The words for what a source is doing, shared by the sources that say it (`src/source/`) and the
 * status page and metrics that show it (`src/http/`), which may not import each other.
 *
 * @module
 */

/**
 * What a source is doing, as the status page and the metrics show it: `streaming` (frames flow),
 * `waiting` (for a device, a publisher, a camera that went away), `connecting` (opening an
 * upstream, starting), `backing-off` (a failed attempt; the next at `retryAt`), `idle` (on demand,
 * nobody reads), `stopped`.
 */
export type SourceStateName =
  | "streaming"
  | "waiting"
  | "connecting"
  | "backing-off"
  | "idle"
  | "stopped";

/** A source's state, with when it began and the last error. Times are wall-clock ms. */
export interface SourceStatus {
  /** What it is doing. */
  state: SourceStateName;
  /** Wall-clock ms the state began, when the source knows it. */
  since?: number;
  /** The last failure, e.g. the upstream's refusal or the camera's error. */
  lastError?: string;
  /** Wall-clock ms of the next attempt, while backing off. */
  retryAt?: number;
  /** Attempts after a failure or a loss so far. */
  reconnects: number;
}

/** What a source's encoder did so far (sources that encode: test pattern, raw files, cameras). */
export interface EncoderCounts {
  /** Frames handed to the encoder. */
  readonly encoded: number;
  /**
   * Frames dropped because the encoder was still busy with the last one: the pipeline drops at
   * the door rather than queue, so this is its backlog's only trace.
   */
  readonly dropped: number;
  /** Frames the encoder failed on. */
  readonly failed: number;
  /**
   * What the encoder holds: its WebAssembly memory, and the heap of the Worker it runs in (none
   * when it runs in the server's thread). Refreshed about once a second while frames flow.
   */
  readonly memory?: {
    readonly wasmBytes: number;
    readonly workerHeapUsedBytes?: number;
    readonly workerHeapTotalBytes?: number;
  };
}
