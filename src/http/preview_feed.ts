/**
 * What a preview session reads: H.264 access units of one path, however they are made (the
 * stream's own, depacketized from its tap, or JPEGs transcoded for the preview). The session says
 * which frames it wants before any work is done on them, so a viewer that is behind costs nothing
 * for the frames it skips.
 *
 * @module
 */

import type { SourceState } from "../server/stream/live_stream.ts";

/** One H.264 access unit for the preview. */
export interface PreviewAccessUnit {
  /** NAL units without start codes. */
  readonly nalUnits: readonly Uint8Array[];
  /** Presentation time in 90 kHz ticks, wrapping at 2^32 (an RTP timestamp). */
  readonly timestamp: number;
  /** Whether it is an IDR picture. */
  readonly keyframe: boolean;
}

/** The viewer's side of a feed. */
export interface FeedHandlers {
  /** Whether the viewer takes the next frame; asked before the frame is depacketized or encoded. */
  wants(keyframe: boolean): boolean;
  /** One access unit the viewer wanted. */
  accessUnit(au: PreviewAccessUnit): void;
  /** Bytes the viewer has not sent yet: its queue, as the server's reader limits see it. */
  readonly bufferedBytes: number;
  /** The feed ended from the server's side (the stream was removed, the server closed). */
  ended(reason: string): void;
}

/** An open feed, for one viewer. */
export interface PreviewFeed {
  /** Whether a source feeds the path. */
  readonly sourceState: SourceState;
  /** Starts over from a keyframe (the cached GOP, or a fresh one asked of the source). */
  restart(): void;
  /** Stops feeding this viewer. Safe to call twice. */
  close(): void;
}

/** Opens a feed for one viewer. May call the handlers before it returns (a cached GOP). */
export type OpenFeed = (handlers: FeedHandlers) => PreviewFeed;
