/**
 * Who feeds each published path. A path is claimed by one publisher at a time (an ingest device,
 * an RTSP ANNOUNCE/RECORD client); a second one is refused unless it asks to replace the first.
 * When a publisher goes away its stream stays, so readers stay connected, and the next publisher of
 * the same codec continues the same stream: RTP sequence numbers and timestamps keep rising.
 *
 * @module
 */

import type { Stream, StreamOptions } from "./stream/stream.ts";
import type { LiveStream } from "./stream/live_stream.ts";

/** A path already has a publisher; `message` is one sentence for the user. */
export class PathBusyError extends Error {
  /** The path. */
  readonly path: string;

  /** Builds the error. */
  constructor(path: string, message: string) {
    super(message);
    this.name = "PathBusyError";
    this.path = path;
  }
}

/** What a publisher asks for. */
export interface PublishOptions extends StreamOptions {
  /** Who is publishing, for logs (e.g. "ingest 10.0.0.7", "rtsp 10.0.0.8"). */
  publisher: string;
  /** Take the path from a publisher that holds it (default false: refuse). */
  replace?: boolean;
  /** Called when a later publisher replaced this one: stop sending and close the connection. */
  onReplaced?: () => void;
  /**
   * The frames continue the clock of the path's last frames (the same device's next request, with
   * the same timeline). Otherwise a returning stream's clock restarts.
   */
  continuesClock?: boolean;
}

/** A claim on a path. Send frames to `stream` until `release()` or until replaced. */
export interface Publication {
  /** The stream readers of the path read. */
  readonly stream: LiveStream;
  /** Whether this claim still holds (false after release or replacement). */
  readonly active: boolean;
  /**
   * Gives the path up; the stream and its readers stay for the next publisher. With `goneReason`
   * the source has left (not merely paused between requests, as a device posting frame by frame
   * does): the stream drops its cached frames and new readers hear the reason (503) until the next
   * publisher's first frame.
   */
  release(goneReason?: string): void;
}

/** A claim as the server's own publishers (RTSP RECORD sessions) hold it: the whole stream. */
export interface ServerPublication extends Publication {
  /** The stream, with the server's side of it. */
  readonly stream: Stream;
}

/** How the registry reaches the server's mount table. */
export interface MountTable {
  /** The stream at a normalized path. */
  get(path: string): Stream | undefined;
  /** Creates a stream at a normalized path. */
  add(path: string, options: StreamOptions): Stream;
  /** Removes the stream at a normalized path, ending its readers' sessions. */
  remove(path: string): void;
}

/** Who holds a published path, and since when. */
export interface PathHolder {
  /** The publisher label, e.g. `ingest 10.0.0.7:51234` or `rtsp 10.0.0.8`. */
  publisher: string;
  /** Wall-clock ms of the claim. */
  since: number;
}

interface Claim {
  publisher: string;
  since: number;
  onReplaced?: () => void;
  released: boolean;
}

/** The publishers of a server, one per path. */
export class PublisherRegistry {
  readonly #mounts: MountTable;
  readonly #claims = new Map<string, Claim>();
  // Streams created for publishers (as opposed to addStream by the program).
  readonly #published = new Set<Stream>();
  // The last publisher of each path, while it has not left: a device that posts frame by frame
  // holds its path only during each request, yet it is the path's publisher between them too.
  readonly #recent = new Map<string, Claim>();
  readonly #wallMs: () => number;

  /** Keeps claims over `mounts`; `wallMs` (the server's wall clock) dates them. */
  constructor(mounts: MountTable, wallMs: () => number) {
    this.#mounts = mounts;
    this.#wallMs = wallMs;
  }

  /**
   * Who publishes `path` (normalized) and since when, if anyone: the holder of the claim, or the
   * last one between its requests, until it leaves (a release with a reason) or another comes.
   */
  holderOf(path: string): PathHolder | undefined {
    // The holder of a claim is also the path's most recent publisher.
    const claim = this.#recent.get(path);
    return claim && { publisher: claim.publisher, since: claim.since };
  }

  /** The publisher holding `path` (normalized), if any. */
  publisherOf(path: string): string | undefined {
    return this.#claims.get(path)?.publisher;
  }

  /**
   * Claims `path` (normalized) for a publisher. Throws {@link PathBusyError} when another publisher
   * holds it and `replace` is not set, or when the program itself serves a stream there.
   */
  claim(path: string, options: PublishOptions): ServerPublication {
    const { publisher, replace = false, onReplaced, continuesClock, ...streamOptions } = options;
    const held = this.#claims.get(path);
    if (held && !replace) {
      throw new PathBusyError(path, `${path} is being published by ${held.publisher}`);
    }
    let stream = this.#mounts.get(path);
    if (stream && !this.#published.has(stream)) {
      throw new PathBusyError(path, `${path} is served by a local source and cannot be published`);
    }
    if (held) {
      held.released = true;
      this.#claims.delete(path);
      try {
        held.onReplaced?.();
      } catch { /* the old publisher's cleanup must not stop the new one */ }
    }
    // A publisher that comes back with the same codec continues the stream its readers hold.
    if (stream && stream.codec !== streamOptions.codec) {
      this.#published.delete(stream);
      this.#mounts.remove(path);
      stream = undefined;
    }
    if (!stream) {
      stream = this.#mounts.add(path, streamOptions);
      this.#published.add(stream);
    } else {
      // A new publisher's clock has nothing to do with the old one's.
      if (!continuesClock) stream.restartSourceClock();
      if (streamOptions.onKeyframeRequest) {
        stream.setKeyframeRequest(streamOptions.onKeyframeRequest);
      }
    }
    // The same publisher back for its next request has published since its first.
    const last = this.#recent.get(path);
    const since = last && last.publisher === publisher ? last.since : this.#wallMs();
    const claim: Claim = { publisher, since, onReplaced, released: false };
    this.#claims.set(path, claim);
    this.#recent.set(path, claim);
    const recents = this.#recent;
    const claims = this.#claims;
    const published = stream;
    return {
      stream: published,
      get active() {
        return !claim.released;
      },
      release(goneReason?: string) {
        if (claim.released) return;
        claim.released = true;
        if (claims.get(path) === claim) claims.delete(path);
        if (goneReason !== undefined && recents.get(path) === claim) recents.delete(path);
        published.setKeyframeRequest(undefined);
        // Its cached frames go with it: a new reader must not take them for live pictures.
        if (goneReason !== undefined) published.sourceGone(goneReason);
      },
    };
  }
}
