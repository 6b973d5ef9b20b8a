/**
 * Messages between {@link Snapshots} and its Worker: a tagged union each way. Access units, JPEGs
 * and answers travel as transferables, never copied twice.
 *
 * The Worker holds one H.264 decoder per watched path, by `slot`. Messages are handled in order,
 * so a `snapshot` request is answered with the newest picture of every access unit sent before it.
 *
 * @module
 */

/** To the worker. */
export type SnapshotRequest =
  /** Decode one access unit (Annex B) of `slot`'s stream; answered by `decoded`. */
  | { type: "decode"; slot: number; data: Uint8Array }
  /** Encode the newest picture of `slot` as a JPEG; answered by `jpeg` or `error`. */
  | { type: "snapshot"; id: number; slot: number; width?: number; quality: number }
  /** Decode a JPEG and encode it again scaled to `width`; answered by `jpeg` or `error`. */
  | { type: "transcode"; id: number; jpeg: Uint8Array; width: number; quality: number }
  /** Free `slot`'s decoder and picture; not answered. */
  | { type: "release"; slot: number }
  /** Free everything and stop. */
  | { type: "close" };

/** From the worker. */
export type SnapshotResponse =
  /** An access unit of `slot` was decoded: `picture` when it completed one, `error` if it failed. */
  | { type: "decoded"; slot: number; picture: boolean; error?: string }
  /** The JPEG for request `id`, with the size of the picture it shows. */
  | { type: "jpeg"; id: number; data: Uint8Array; width: number; height: number }
  /** Request `id` failed; `noPicture` when the slot has decoded no picture yet. */
  | { type: "error"; id: number; message: string; noPicture?: boolean };
