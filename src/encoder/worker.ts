/**
 * The encoder's Worker: owns one WASM instance and one {@link EncoderCore} (which adds a JPEG
 * decoder instance on its first JPEG frame), and answers the messages of `protocol.ts` in order. Encoding here keeps the RTSP event loop free.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type CoreOutput, EncoderCore } from "./encoder_core.ts";
import type { EncoderMemory, EncoderRequest, EncoderResponse } from "./protocol.ts";
import { createBridge } from "./bridge.ts";
import { JpegError } from "../codec/jpeg.ts";
import { FrameLane, type LaneFrame } from "./frame_lane.ts";

let core: EncoderCore | undefined;

/**
 * How often an encoded frame's answer also tells what the encoder holds: every 30 answers, about a
 * second of a camera's frames (counted, since this layer keeps no clock).
 */
const MEMORY_EVERY_ANSWERS = 30;
let answersSinceTold = Infinity;

/** This Worker's memory, when it is time to tell it again (and at once after `init`). */
function memory(): EncoderMemory | undefined {
  if (!core || ++answersSinceTold < MEMORY_EVERY_ANSWERS) return undefined;
  answersSinceTold = 0;
  const heap = heapUsage();
  return {
    wasmBytes: core.wasmBytes(),
    ...(heap ? { workerHeapUsedBytes: heap.heapUsed, workerHeapTotalBytes: heap.heapTotal } : {}),
  };
}

/** This thread's JavaScript heap: from the runtime's global, without loading `node:process`. */
function heapUsage(): { heapUsed: number; heapTotal: number } | undefined {
  type Usage = { memoryUsage(): { heapUsed: number; heapTotal: number } };
  const g = globalThis as { Deno?: Usage; process?: Usage };
  return (g.Deno ?? g.process)?.memoryUsage();
}

function reply(message: EncoderResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** Answers frame `id` by message, its access unit (and the frame's buffer, if any) transferred. */
function replyEncoded(
  id: number,
  timestamp: number,
  out: CoreOutput,
  told: EncoderMemory | undefined,
  input?: ArrayBuffer,
): void {
  const transfer: Transferable[] = out.data ? [out.data.buffer as ArrayBuffer] : [];
  if (input) transfer.push(input);
  reply({
    type: "encoded",
    id,
    data: out.data,
    keyframe: out.keyframe,
    timestamp,
    warning: out.warning,
    input,
    memory: told,
  }, transfer);
}

function fail(error: unknown, id?: number, input?: ArrayBuffer): void {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = error instanceof JpegError ? error.code : undefined;
  reply({ type: "error", id, name: e.name, message: e.message, code, input }, input ? [input] : []);
}

// Messages are handled one after another, also across the await of an encoder's start or of its
// first JPEG frame, so frames are answered in the order they came.
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<EncoderRequest>) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(m: EncoderRequest): Promise<void> {
  try {
    switch (m.type) {
      case "init":
        core = new EncoderCore(await createBridge(), m.options);
        reply({ type: "ready", memory: memory() });
        break;
      case "encode": {
        if (!core) throw new Error("encoder used before it was ready");
        if (m.format === "jpeg") await core.prepareJpeg();
        const out = core.encode(m.data, m.format, m.timestamp);
        // The frame is in WASM memory now: its buffer goes back for the next frame.
        replyEncoded(m.id, m.timestamp, out, memory(), m.data.buffer as ArrayBuffer);
        break;
      }
      case "lane":
        void serveLane(new FrameLane(m.buffer, m.inputBytes));
        break;
      case "keyframe":
        core?.requestKeyframe();
        break;
      case "bitrate":
        core?.setBitrate(m.bitrate);
        break;
      case "close":
        core?.close();
        core = undefined;
        self.close();
        break;
    }
  } catch (error) {
    if (m.type === "encode") fail(error, m.id, m.data.buffer as ArrayBuffer);
    else fail(error);
  }
}

/** Takes the lane's frames as they come, in the same order as messages, until it closes. */
async function serveLane(lane: FrameLane): Promise<void> {
  let last = 0;
  for (;;) {
    const frame = await lane.next(last);
    if (!frame) return;
    last = frame.id;
    queue = queue.then(() => encodeFromLane(lane, frame));
    await queue;
  }
}

/** Encodes a lane frame; answers in the lane, or by message for what the lane does not carry. */
async function encodeFromLane(lane: FrameLane, f: LaneFrame): Promise<void> {
  try {
    if (!core) throw new Error("encoder used before it was ready");
    if (f.keyframe) core.requestKeyframe();
    if (f.bitrate) core.setBitrate(f.bitrate);
    if (f.format === "jpeg") await core.prepareJpeg();
    const out = core.encode(f.data, f.format, f.timestamp);
    const told = memory();
    if (
      out.warning === undefined && told === undefined && lane.reply(f.id, out.data, out.keyframe)
    ) {
      return;
    }
    replyEncoded(f.id, f.timestamp, out, told);
  } catch (error) {
    fail(error, f.id);
  }
  lane.answeredByMessage(f.id);
}
