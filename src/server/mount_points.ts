/**
 * Mount points (gst's RTSPMountPoints): which stream lives at which path, whether the program
 * serves it (`addStream`) or a publisher feeds it (`publishers`), and each stream's SDP session id.
 *
 * @module
 */

import { randomUint32 } from "./session/session_id.ts";
import { PublisherRegistry } from "./publishers.ts";
import { normalizePathName, PATH_NAME_RULE } from "../base/path_name.ts";
import { normalizePath } from "./request_target.ts";
import { Stream, type StreamContext, type StreamOptions } from "./stream/stream.ts";

/** The streams of one server, by normalized path. */
export class MountPoints {
  /** Streams by normalized path. */
  readonly streams: Map<string, Stream> = new Map();
  /** Who publishes which path (ingest devices, RTSP RECORD clients). */
  readonly publishers: PublisherRegistry;
  readonly #context: StreamContext;
  readonly #removing: (stream: Stream) => void;
  readonly #sdpSessionIds = new WeakMap<Stream, string>();

  /**
   * Mount points whose streams run on `context`; `removing(stream)` is called when a stream is
   * about to go, for the server to end the sessions that read or feed it.
   */
  constructor(context: StreamContext, removing: (stream: Stream) => void) {
    this.#context = context;
    this.#removing = removing;
    this.publishers = new PublisherRegistry({
      get: (path) => this.streams.get(path),
      add: (path, options) => this.add(path, options),
      remove: (path) => void this.remove(path),
    }, () => context.clock.wallMs());
  }

  /**
   * Adds a stream at `path`; throws `RangeError` when the path is taken or breaks the one rule
   * for path names (`base/path_name.ts`), which the flags and the config file keep too.
   */
  add(path: string, options: StreamOptions): Stream {
    const key = normalizePath(path);
    if (normalizePathName(key) !== key) {
      throw new RangeError(
        `${JSON.stringify(path)} is not a valid path name; use ${PATH_NAME_RULE}`,
      );
    }
    if (this.streams.has(key)) throw new RangeError(`a stream is already served at ${key}`);
    const stream = new Stream(key, options, this.#context);
    this.streams.set(key, stream);
    return stream;
  }

  /** Removes the stream at `path` and closes it. Returns whether there was one. */
  remove(path: string): boolean {
    const key = normalizePath(path);
    const stream = this.streams.get(key);
    if (!stream) return false;
    this.streams.delete(key);
    this.#removing(stream);
    stream.close();
    return true;
  }

  /** A stable SDP session id for a stream (RFC 4566 §5.2: o= sess-id). */
  sdpSessionId(stream: Stream): string {
    let id = this.#sdpSessionIds.get(stream);
    if (!id) {
      id = String(randomUint32());
      this.#sdpSessionIds.set(stream, id);
    }
    return id;
  }
}
