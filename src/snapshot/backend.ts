/**
 * Where the snapshot work runs: a Worker (Deno, Bun, browsers), or the calling thread where no
 * Worker exists (Node without one). Either way the same protocol (`protocol.ts`): requests in,
 * answers out through one callback, in order.
 *
 * @module
 */

import { dispatcher } from "./dispatch.ts";
import type { SnapshotRequest, SnapshotResponse } from "./protocol.ts";

/** A running snapshot backend. */
export interface SnapshotBackend {
  /** Sends a request; the buffers in `transfer` move to the backend. */
  post(message: SnapshotRequest, transfer?: ArrayBuffer[]): void;
  /** Frees everything and stops. */
  close(): void;
}

/**
 * Where the Worker's module is. In a Bun standalone binary every bundled module shares the entry
 * point's URL, and `build.ts` bundles the worker as an entry point under its path from the project
 * root (as the encoder's).
 */
function workerUrl(): string {
  const here = import.meta.url;
  if (here.includes("/$bunfs/")) return new URL("./src/snapshot/snapshot_worker.ts", here).href;
  return new URL("./snapshot_worker.ts", here).href;
}

/**
 * Starts a backend whose answers go to `onMessage`; `onFailure` is told when the Worker itself
 * failed (an uncaught error: every pending request is lost, and the backend must be replaced).
 */
export function startBackend(
  onMessage: (message: SnapshotResponse) => void,
  onFailure: (error: Error) => void,
  useWorker: boolean = typeof Worker !== "undefined",
): SnapshotBackend {
  if (!useWorker) {
    const dispatch = dispatcher((m) => onMessage(m), () => {});
    return { post: (m) => dispatch(m), close: () => dispatch({ type: "close" }) };
  }
  // Bun's `smol` gives the worker a smaller heap; Deno ignores the option.
  const worker = new Worker(workerUrl(), { type: "module", smol: true } as WorkerOptions);
  worker.onmessage = (event: MessageEvent<SnapshotResponse>) => onMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    onFailure(new Error(`the snapshot worker failed: ${event.message}`));
  };
  return {
    post: (m, transfer = []) => worker.postMessage(m, transfer),
    close: () => worker.terminate(),
  };
}
