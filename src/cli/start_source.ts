/**
 * Starts the source the command line chose and connects it to a stream: an H.264 file served as it
 * is, or the test pattern, a Y4M file or raw frames encoded by the WASM encoder.
 *
 * @module
 */

import type { Logger } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import { playClip, readAnnexBClip } from "../source/annexb_file.ts";
import { pace } from "../source/pacer.ts";
import { AccessUnitSplitter } from "../codec/access_unit.ts";
import { readChunks, readWholeFile } from "../runtime/files.ts";
import { playPaced } from "../source/paced.ts";
import { openRawSource, playRawFrames, type RawSourceInfo } from "../source/raw_source.ts";
import { sniffStream } from "../source/sniff.ts";
import { TestPattern } from "../source/test_pattern.ts";
import type { CliConfig } from "./args.ts";
import { encodeInto } from "./encode_into.ts";
import { startCamera } from "./start_camera.ts";

/** A running source. */
export interface RunningSource {
  /** One line saying what is served. */
  description: string;
  /** Resolves when the source ends by itself (standard input closed); never for loops. */
  ended: Promise<void>;
  /** Stops the source and frees the encoder. */
  stop(): Promise<void>;
}

const FOREVER = new Promise<void>(() => {});

/** Starts `config.source` feeding a new stream at `config.path` of `server`. */
export async function startSource(
  config: CliConfig,
  server: RtspServer,
  logger: Logger,
): Promise<RunningSource> {
  const source = config.source;
  if (source.kind === "h264") {
    const clip = readAnnexBClip(await readWholeFile(source.path));
    const fps = config.fps ?? clip.framerate ?? 30;
    const stream = server.addStream(config.path, { codec: "h264", framerate: fps });
    const player = playClip(clip, fps, (nals, o) => stream.sendFrame(nals, o));
    return {
      description: `${source.path} (${clip.accessUnits.length} frames at ${fps} fps, looped)`,
      ended: FOREVER,
      stop: () => Promise.resolve(player.stop()),
    };
  }

  if (source.kind === "test-pattern") {
    const { width, height } = config.size ?? { width: 1280, height: 720 };
    const fps = config.fps ?? 30;
    const pattern = new TestPattern({ width, height });
    const { pipeline, encoder } = await encodeInto(config, server, logger, width, height, fps);
    const startWall = Date.now();
    const player = pace(fps, (i) => {
      const offsetMs = (i * 1000) / fps;
      pipeline.push(pattern.draw(i, startWall + offsetMs, offsetMs * 1000));
    });
    return {
      description: `test pattern ${width}x${height} at ${fps} fps, ${config.bitrate / 1e6} Mbit/s`,
      ended: FOREVER,
      stop: async () => {
        player.stop();
        await encoder.close();
      },
    };
  }

  if (source.kind === "none") {
    return {
      description: "what devices and publishers send",
      ended: FOREVER,
      stop: async () => {},
    };
  }
  if (source.kind === "stdin") return await startStdin(config, server, logger);
  if (source.kind === "camera") {
    return await startCamera(config, source.device, source.pixelFormat, server, logger);
  }

  const container = source.kind === "y4m"
    ? "y4m" as const
    : { format: source.format, width: config.size!.width, height: config.size!.height };
  const { info, frames } = await openRawSource({ path: source.path, container, fps: config.fps });
  const name = source.path === "-" ? "standard input" : source.path;
  return await encodeRaw(config, server, logger, info, frames, `${name} (${source.kind})`);
}

/** Encodes frames from a raw source into a new stream, paced at the source's rate. */
async function encodeRaw(
  config: CliConfig,
  server: RtspServer,
  logger: Logger,
  info: RawSourceInfo,
  frames: () => AsyncGenerator<Uint8Array>,
  name: string,
): Promise<RunningSource> {
  const { pipeline, encoder } = await encodeInto(
    config,
    server,
    logger,
    info.width,
    info.height,
    info.fps,
  );
  const abort = new AbortController();
  const ended = playRawFrames(frames(), info, (f) => pipeline.push(f), abort.signal);
  return {
    description: `${name}, ${info.width}x${info.height} at ${info.fps} fps`,
    ended,
    stop: async () => {
      abort.abort();
      await encoder.close();
    },
  };
}

/** Standard input without --format: Y4M is encoded, H.264 passed through, anything else refused. */
async function startStdin(
  config: CliConfig,
  server: RtspServer,
  logger: Logger,
): Promise<RunningSource> {
  const { kind, chunks } = await sniffStream(readChunks("-"));
  if (kind === "y4m") {
    const { info, frames } = await openRawSource({
      path: "-",
      container: "y4m",
      fps: config.fps,
      chunks,
    });
    return await encodeRaw(config, server, logger, info, frames, "standard input (y4m)");
  }
  if (kind !== "h264") {
    throw new RangeError(
      "standard input is neither Y4M nor H.264 Annex B; for raw frames give --format and --size",
    );
  }
  const fps = config.fps ?? 30;
  const stream = server.addStream(config.path, { codec: "h264", framerate: fps });
  const splitter = new AccessUnitSplitter();
  async function* accessUnits() {
    for await (const chunk of chunks) yield* splitter.push(chunk);
    yield* splitter.flush();
  }
  const abort = new AbortController();
  const ended = playPaced(
    accessUnits(),
    fps,
    (au, timestamp) => stream.sendFrame(au.nalUnits, { timestamp }),
    abort.signal,
  );
  return {
    description: `standard input (h264, ${fps} fps)`,
    ended,
    stop: () => Promise.resolve(abort.abort()),
  };
}
