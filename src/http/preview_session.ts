/**
 * One viewer of a live preview: a WebSocket that carries a path's video as fragmented MP4 for the
 * page's Media Source Extensions. Binary messages are the init segment (again whenever the SPS or
 * PPS change) and one `moof`+`mdat` per frame; text messages are JSON the player reads:
 *
 * - `{"type":"init","codec":"avc1.42c01e","width":640,"height":360}` just before an init segment;
 * - `{"type":"waiting","reason":"..."}` when no frame has come for a few seconds (repeated, which
 *   also keeps the idle timeout of the HTTP port from closing a preview of a silent path).
 *
 * The page may send the text `restart`: the session starts over at a keyframe with a fresh init
 * segment (a player that reset its MediaSource).
 *
 * Live, never queued: when the socket's unsent bytes pass a limit, frames are dropped until the
 * next keyframe, so a slow viewer sees a jump rather than a growing delay, and costs no memory.
 *
 * @module
 */

import type { Logger } from "../base/log.ts";
import { Fmp4Muxer } from "../mp4/fmp4_muxer.ts";
import type { FeedHandlers, OpenFeed, PreviewAccessUnit, PreviewFeed } from "./preview_feed.ts";
import type { WebSocketPeer, WebSocketSession } from "./web_handler.ts";

/** Settings of {@link PreviewSession}. */
export interface PreviewSessionOptions {
  /** The path, for log lines. */
  path: string;
  /** The viewer's address, for log lines. */
  peer: string;
  /** Unsent bytes above which frames are dropped to the next keyframe. */
  maxBufferedBytes: number;
  /** Where failures are told. */
  logger: Logger;
}

// Seconds without a frame before the page is told it waits for the source, and how often again.
const WAITING_AFTER_S = 3;
const WAITING_EVERY_S = 10;
// RFC 6455 §7.4.1: 1001 "going away" for a stream that went away; 1011 for a failure here.
const CLOSE_GONE = 1001;
const CLOSE_FAILED = 1011;

/** The WebSocket session of one preview viewer. */
export class PreviewSession implements WebSocketSession {
  readonly #openFeed: OpenFeed;
  readonly #options: PreviewSessionOptions;
  #peer: WebSocketPeer | undefined;
  #feed: PreviewFeed | undefined;
  #muxer = new Fmp4Muxer();
  #dropping = false;
  #closed = false;
  #idleSeconds = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** Frames sent and skipped (behind, or before the first keyframe). */
  readonly stats = { framesSent: 0, framesDropped: 0, bytesSent: 0 };

  /** A session that will read what `openFeed` opens once the socket is accepted. */
  constructor(openFeed: OpenFeed, options: PreviewSessionOptions) {
    this.#openFeed = openFeed;
    this.#options = options;
  }

  /** The socket is open: starts reading the path. */
  open(peer: WebSocketPeer): void {
    this.#peer = peer;
    const handlers: FeedHandlers = {
      wants: (keyframe) => this.#wants(keyframe),
      accessUnit: (au) => this.#send(au),
      get bufferedBytes() {
        return peer.bufferedBytes;
      },
      ended: (reason) => this.#end(CLOSE_GONE, reason),
    };
    try {
      this.#feed = this.#openFeed(handlers);
    } catch (error) {
      return this.#end(CLOSE_FAILED, `cannot preview ${this.#options.path}: ${message(error)}`);
    }
    if (this.#closed) return this.#feed.close(); // it ended while opening
    this.#ticker = setInterval(() => this.#tick(), 1000);
  }

  /** `restart` from the page: start over at a keyframe, with a fresh init segment. */
  message(data: Uint8Array | string): void {
    if (typeof data !== "string" || data.trim() !== "restart" || this.#closed) return;
    this.#muxer.reset();
    this.#dropping = false;
    this.#feed?.restart();
  }

  /** The socket is gone: stop reading. */
  closed(): void {
    if (!this.#closed) {
      this.#options.logger.log("info", "preview stopped", {
        path: this.#options.path,
        peer: this.#options.peer,
        framesSent: this.stats.framesSent,
        framesDropped: this.stats.framesDropped,
      });
    }
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#feed?.close();
  }

  #wants(keyframe: boolean): boolean {
    const peer = this.#peer;
    if (this.#closed || !peer) return false;
    this.#idleSeconds = 0; // the source is sending, even if this viewer skips the frame
    if (peer.bufferedBytes > this.#options.maxBufferedBytes) {
      // The viewer is behind: skip to the next keyframe rather than queue.
      this.#dropping = true;
    } else if ((this.#dropping || this.#muxer.waitingForKeyframe) && keyframe) {
      this.#dropping = false;
    }
    const wanted = !this.#dropping && (keyframe || !this.#muxer.waitingForKeyframe);
    if (!wanted) this.stats.framesDropped++;
    return wanted;
  }

  #send(au: PreviewAccessUnit): void {
    const peer = this.#peer;
    if (this.#closed || !peer) return;
    let out;
    try {
      out = this.#muxer.push(au);
    } catch (error) {
      // A broken SPS: this frame cannot start the preview; the next keyframe may.
      this.#options.logger.log("warn", "preview skipped a frame", {
        path: this.#options.path,
        error: message(error),
      });
      return;
    }
    if (out.init) {
      const { codec, width, height, segment } = out.init;
      peer.sendText(JSON.stringify({ type: "init", codec, width, height }));
      peer.send(segment);
      this.stats.bytesSent += segment.length;
    }
    if (out.fragment) {
      peer.send(out.fragment);
      this.stats.framesSent++;
      this.stats.bytesSent += out.fragment.length;
    }
  }

  #tick(): void {
    const idle = ++this.#idleSeconds;
    if (idle < WAITING_AFTER_S || (idle - WAITING_AFTER_S) % WAITING_EVERY_S !== 0) return;
    const state = this.#feed?.sourceState;
    const reason = state?.state === "gone"
      ? state.reason
      : state?.state === "starting"
      ? "the source is starting"
      : "no frame from the source";
    this.#peer?.sendText(JSON.stringify({ type: "waiting", reason }));
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#options.logger.log("info", "preview ended", {
      path: this.#options.path,
      peer: this.#options.peer,
      reason,
    });
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#feed?.close();
    // Close frames carry at most 123 bytes of reason (RFC 6455 §5.5).
    this.#peer?.close(code, truncate(reason, 120));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string, bytes: number): string {
  let out = text;
  while (new TextEncoder().encode(out).length > bytes) out = out.slice(0, -1);
  return out;
}
