/**
 * Raw video from a file or standard input: Y4M (size and rate from its header) or headerless frames
 * of a given format and size. Frames are paced at the frame rate: a file plays in real time (and
 * loops), a live pipe is read as fast as it delivers, and a pipe that runs ahead is held back by the
 * pipe itself, since nothing is read before it is due.
 *
 * @module
 */

import { Y4mParser } from "../codec/y4m.ts";
import { readChunks } from "../runtime/files.ts";
import type { Clock } from "../base/clock.ts";
import { playPaced } from "./pacer.ts";
import {
  frameSize,
  type PixelFormat,
  PixelFormat as Formats,
  type RawFrame,
} from "../codec/raw_frame.ts";

/** Where the frames come from and how they are laid out. */
export interface RawSourceOptions {
  /** A file path, or `-` for standard input. */
  path: string;
  /** `"y4m"` or a headerless pixel format. */
  container: "y4m" | { format: PixelFormat; width: number; height: number };
  /** Frame rate; for Y4M, the header's unless given. Headerless input needs it (default 30). */
  fps?: number;
  /** Start again at the end of a file. Ignored for standard input. Default true. */
  loop?: boolean;
  /** The bytes, when already being read (a sniffed stream); then `path` only names them. */
  chunks?: AsyncIterable<Uint8Array>;
}

/** Frames plus what the stream is. */
export interface RawSourceInfo {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames per second. */
  fps: number;
  /** Pixel format of every frame. */
  format: PixelFormat;
}

/** Splits headerless input into frames of a fixed size. */
async function* fixedFrames(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(size - filled, chunk.length - at);
      frame.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield frame;
        frame = new Uint8Array(size);
        filled = 0;
      }
    }
  }
}

async function* y4mFrames(
  chunks: AsyncIterable<Uint8Array>,
  parser: Y4mParser,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield* parser.push(chunk);
}

/** Reads the first frames far enough to know the stream: the Y4M header, or the given layout. */
export async function openRawSource(
  options: RawSourceOptions,
): Promise<{ info: RawSourceInfo; frames: () => AsyncGenerator<Uint8Array> }> {
  const { path, container } = options;
  const loop = path !== "-" && !options.chunks && (options.loop ?? true);
  if (container === "y4m") {
    const parser = new Y4mParser();
    const chunks = (options.chunks ?? readChunks(path))[Symbol.asyncIterator]();
    // Read until the header is known; keep the frames that came with it.
    const early: Uint8Array[] = [];
    while (!parser.header) {
      const next = await chunks.next();
      if (next.done) {
        throw new RangeError(`${path === "-" ? "standard input" : path} holds no Y4M header`);
      }
      early.push(...parser.push(next.value));
    }
    const h = parser.header;
    const info = {
      width: h.width,
      height: h.height,
      fps: options.fps ?? h.fps,
      format: h.colorspace === "mono" ? Formats.GRAY8 : Formats.I420,
    };
    const frames = async function* (): AsyncGenerator<Uint8Array> {
      yield* early;
      yield* y4mFrames({ [Symbol.asyncIterator]: () => chunks }, parser);
      while (loop) {
        let any = false;
        for await (const f of y4mFrames(readChunks(path), new Y4mParser())) {
          any = true;
          yield f;
        }
        if (!any) return;
      }
    };
    return { info, frames };
  }
  const size = frameSize(container.format, container.width, container.height);
  const info = { ...container, fps: options.fps ?? 30 };
  async function* frames(): AsyncGenerator<Uint8Array> {
    do {
      let any = false;
      for await (const f of fixedFrames(readChunks(path), size)) {
        any = true;
        yield f;
      }
      if (!any) return;
    } while (loop);
  }
  return { info, frames };
}

/**
 * Hands `frames` to `sink` at `fps`, with timestamps that rise by one frame interval each. A frame
 * that arrives late goes out at once and the schedule starts again from it. Stops when the frames
 * end or `signal` aborts.
 */
export function playRawFrames(
  frames: AsyncIterable<Uint8Array>,
  info: RawSourceInfo,
  sink: (frame: RawFrame) => void,
  signal?: AbortSignal,
  clock?: Clock,
): Promise<void> {
  const { format, width, height } = info;
  return playPaced(
    frames,
    info.fps,
    (data, timestamp) => sink({ data, format, width, height, timestamp }),
    signal,
    clock,
  );
}
