/**
 * The feed of an H.264 path: a tap on the stream (it counts as a reader, so an on-demand source
 * runs while someone previews), its RTP packets depacketized (RFC 6184) back into access units.
 *
 * @module
 */

import { parseRtpPacket } from "../rtp/header.ts";
import { H264Depacketizer } from "../rtp/h264_depacketizer.ts";
import type { Tap, TapFrame, TapSink } from "../server/tap.ts";
import type { FeedHandlers, PreviewFeed } from "./preview_feed.ts";

/** What a feed needs of the server: `RtspServer` fits. */
export interface TapHost {
  /** Opens an in-process reader of the stream at `path`; throws when there is none. */
  tap(path: string, sink: TapSink): Tap;
}

/** Opens a tap on the H.264 stream at `path` for one viewer. Throws when there is no stream. */
export function openTapFeed(server: TapHost, path: string, handlers: FeedHandlers): PreviewFeed {
  // A tap frame is one whole access unit; flushing after each one also forgets the sequence
  // numbers, so the frames the viewer skipped do not read as lost packets.
  const depacketizer = new H264Depacketizer();
  const sink: TapSink = {
    frame(frame: TapFrame) {
      if (!handlers.wants(frame.keyframe)) return;
      for (const view of frame.packetViews) {
        const packet = parseRtpPacket(view);
        const au = packet && depacketizer.push(packet);
        if (au) handlers.accessUnit(au);
      }
      for (const au of depacketizer.flush()) handlers.accessUnit(au);
    },
    get queuedBytes() {
      return handlers.bufferedBytes;
    },
    queuedFrames: 0,
    ended: (reason) => handlers.ended(reason),
  };
  const tap = server.tap(path, sink);
  return {
    get sourceState() {
      return tap.sourceState;
    },
    restart: () => tap.restart(),
    close: () => tap.close(),
  };
}
