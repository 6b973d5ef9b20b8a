/**
 * Times the WebAssembly encoder on one raw I420 file, in this thread (`EncoderCore`, no Worker), and
 * prints one JSON line like test/bench/native_encode.c's:
 * `{"frames":150,"seconds":2.1,"fps":71.4,"bytes":1253309,"skipped":17,"idr":5,"fnv1a":"9f3c2a1b",
 * "cpu_seconds":2.1,"other_cores":0.01}` (fnv1a: 32-bit FNV-1a of every output byte, to compare
 * bitstreams; other_cores: cores other processes kept busy meanwhile, see native_encode.c).
 *
 * Runs unchanged under Deno and Bun (only `node:` built-ins, no `Deno.*`), so `bench/encoder.ts`
 * starts it with either runtime on the same frames:
 *
 * ```sh
 * deno run -A bench/encoder_wasm_run.ts FILE WIDTH HEIGHT FPS BITRATE GOP [FRAMES [WARMUP]]
 * bun run bench/encoder_wasm_run.ts FILE WIDTH HEIGHT FPS BITRATE GOP [FRAMES [WARMUP]]
 * ```
 *
 * (Deno wants `-A` rather than `--allow-read`: it lets a program read /proc/stat only with every
 * permission, and other_cores needs it.)
 *
 * WARMUP (default 30) frames are first encoded by a throwaway encoder in the same module instance,
 * untimed, so that V8/JSC have tiered the hot WASM functions up before the clock starts; the timed
 * encoder is a fresh one, so its output matches the native harness bit for bit. Only
 * `EncoderCore.encode()` is timed: copying the frame into WASM memory, `rtse_encoder_encode()`,
 * and copying the access unit out, which is what the server pays per frame.
 *
 * @module
 */

import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import process from "node:process";
import { createBridge } from "../src/encoder/bridge.ts";
import { EncoderCore } from "../src/encoder/encoder_core.ts";
import { resolveEncoderOptions } from "../src/encoder/options.ts";
import { PixelFormat } from "../src/codec/raw_frame.ts";
import type { EngineRun } from "./encoder_report.ts";

/** Busy seconds of the whole machine (all but idle and iowait), from /proc/stat; -1 without it. */
function machineBusySeconds(): number {
  try {
    const v = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9)
      .map(Number);
    // USER_HZ, the unit of /proc/stat, is 100 on every Linux port that matters.
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100;
  } catch {
    return -1;
  }
}

/** Reads frame `index` of `frameSize` bytes into `into`; false past the end of the file. */
function readFrame(fd: number, into: Uint8Array, index: number): boolean {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, index * into.length + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

async function main(args: string[]): Promise<void> {
  if (args.length < 6) {
    throw new Error(
      "usage: encoder_wasm_run.ts FILE WIDTH HEIGHT FPS BITRATE GOP [FRAMES [WARMUP]]",
    );
  }
  const [file, width, height, fps, bitrate, gop] = [args[0], ...args.slice(1, 6).map(Number)];
  const maxFrames = Number(args[6] ?? 0);
  const warmup = Number(args[7] ?? 30);
  const options = resolveEncoderOptions({ width, height, fps, bitrate, gop });
  const frame = new Uint8Array(width * height * 3 / 2);
  const fd = openSync(file, "r");
  const bridge = await createBridge();

  const throwaway = new EncoderCore(bridge, options);
  for (let i = 0; i < warmup && readFrame(fd, frame, i); i++) {
    throwaway.encode(frame, PixelFormat.I420, Math.round(i * 1e6 / fps));
  }
  throwaway.close();

  const core = new EncoderCore(bridge, options);
  const result: EngineRun = {
    frames: 0,
    seconds: 0,
    fps: 0,
    bytes: 0,
    skipped: 0,
    idr: 0,
    fnv1a: "",
    cpu_seconds: 0,
    other_cores: -1,
  };
  let elapsedMs = 0;
  let fnv = 0x811c9dc5;
  const cpu0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const loop0 = performance.now();
  for (let i = 0; (maxFrames === 0 || i < maxFrames) && readFrame(fd, frame, i); i++) {
    const t0 = performance.now();
    const out = core.encode(frame, PixelFormat.I420, Math.round(i * 1e6 / fps));
    elapsedMs += performance.now() - t0;
    result.frames++;
    if (out.data === undefined) result.skipped++;
    else {
      result.bytes += out.data.length;
      for (const byte of out.data) fnv = Math.imul(fnv ^ byte, 0x01000193) >>> 0;
    }
    if (out.keyframe) result.idr++;
  }
  const cpu = process.cpuUsage(cpu0);
  const loopSeconds = (performance.now() - loop0) / 1000;
  const machine1 = machineBusySeconds();
  core.close();
  closeSync(fd);
  if (result.frames === 0) throw new Error(`${file} holds no whole ${width}x${height} I420 frame`);
  result.seconds = elapsedMs / 1000;
  result.fps = result.frames / result.seconds;
  result.fnv1a = fnv.toString(16).padStart(8, "0");
  result.cpu_seconds = (cpu.user + cpu.system) / 1e6;
  if (machine0 >= 0 && machine1 >= 0 && loopSeconds > 0) {
    result.other_cores = Math.max(0, (machine1 - machine0 - result.cpu_seconds) / loopSeconds);
  }
  console.log(JSON.stringify(result));
}

if (import.meta.main) await main(process.argv.slice(2));
