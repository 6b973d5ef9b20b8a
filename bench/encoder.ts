/**
 * The H.264 encoder benchmark (`deno task bench:encoder`): single-threaded encode speed of the
 * OpenH264 WebAssembly module under Deno and Bun against native OpenH264 (Debian's library with
 * its x86 assembly, and the same C++ built without assembly), on the same raw frames with the same
 * settings, then a CPU profile of the WASM encoder by function. See test/bench/README.md.
 *
 * ```sh
 * deno run --allow-all bench/encoder.ts [--frames 150] [--repeat 3] [--pick best|median]
 *   [--sizes 640x480,1280x720,1920x1080] [--sources testsrc2,mandelbrot]
 *   [--engines deno,bun,native,native-noasm] [--profile on|off] [--top 15] [--json FILE]
 * ```
 *
 * @module
 */

import { ensureRawClip, type RawClip } from "./encoder_clips.ts";
import { buildNativeAsm, buildNativeNoAsm, configureDifferences } from "./encoder_native.ts";
import {
  formatProfile,
  isEncodeCall,
  readNewestProfile,
  summariseProfile,
} from "./encoder_profile.ts";
import {
  CONTENDED,
  type Engine,
  type EngineRun,
  ENGINES,
  formatTable,
  formatVerdict,
  isContended,
  pickRun,
  type Row,
} from "./encoder_report.ts";
import { functionNames, sameCode } from "./encoder_wasm_names.ts";
import { flags } from "./lines.ts";
import { describeMachine, otherLoad } from "./encoder_machine.ts";
import { exists } from "./encoder_files.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const RUNNER = `${ROOT}/bench/encoder_wasm_run.ts`;
const PRELOAD = `${ROOT}/bench/encoder_bun_preload.ts`;
const FPS = 30;
const GOP = 30;
const FFLATE = "fflate@0.8.2"; // what deno.json maps src/encoder/wasm_binding.ts's "fflate" to

const args = flags(Deno.args);
const frames = Number(args.frames ?? 150);
const warmup = Number(args.warmup ?? 30);
const repeat = Number(args.repeat ?? 3);
const sizes = (args.sizes ?? "640x480,1280x720,1920x1080").split(",").map((s) => {
  const [w, h] = s.split("x").map(Number);
  return { width: w, height: h };
});
const sources = (args.sources ?? "testsrc2,mandelbrot").split(",");
const wanted = (args.engines ?? ENGINES.join(",")).split(",") as Engine[];
const cacheDir = args["cache-dir"] ??
  `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-encoder-bench`;
const top = Number(args.top ?? 15);
const pick = args.pick === "median" ? "median" : "best";
const profileOn = (args.profile ?? "on") !== "off";
for (
  const [name, v, min] of [["frames", frames, 1], ["warmup", warmup, 0], ["repeat", repeat, 1]]
) {
  if (!Number.isInteger(v) || (v as number) < (min as number)) {
    throw new RangeError(`--${name} must be an integer of at least ${min}, got ${v}`);
  }
}
for (const { width, height } of sizes) {
  if (!(width >= 16 && height >= 16 && width % 2 === 0 && height % 2 === 0)) {
    throw new RangeError(`--sizes takes even WIDTHxHEIGHT pairs, like 1280x720`);
  }
}
for (const engine of wanted) {
  if (!ENGINES.includes(engine)) throw new RangeError(`--engines knows ${ENGINES.join(", ")}`);
}

function log(line: string): void {
  console.log(`encoder-bench: ${line}`);
}

/** Bitrate per size: 1 Mbit/s at 480p, 2 at 720p, 4 at 1080p, in proportion to pixels otherwise. */
function bitrateFor(width: number, height: number): number {
  const fixed: Record<string, number> = { 480: 1e6, 720: 2e6, 1080: 4e6 };
  return fixed[height] ?? Math.round((4e6 * width * height) / (1920 * 1080) / 1e5) * 1e5;
}

async function output(
  cmd: string,
  cmdArgs: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
) {
  try {
    const out = await new Deno.Command(cmd, {
      args: cmdArgs,
      ...options,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { ok: out.success, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { ok: false, stdout: "", stderr: `no ${cmd}` };
    throw e;
  }
}

/** The last JSON object line a run printed. */
function lastJson(stdout: string): EngineRun | undefined {
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  return line ? JSON.parse(line) as EngineRun : undefined;
}

/**
 * Installs fflate for Bun once into the cache: Bun reads neither deno.json's import map (bare
 * "fflate") nor Deno's `npm:` specifiers, and its auto-install would fetch the newest fflate.
 */
async function bunDeps(): Promise<string> {
  const dir = `${cacheDir}/bun-deps`;
  const manifest = `${dir}/node_modules/fflate/package.json`;
  if (await exists(manifest)) {
    const { version } = JSON.parse(await Deno.readTextFile(manifest));
    if (`fflate@${version}` === FFLATE) return dir;
  }
  await Deno.mkdir(dir, { recursive: true });
  // A package.json of its own, so npm installs here and not in a parent directory.
  await Deno.writeTextFile(`${dir}/package.json`, '{ "private": true }\n');
  const r = await output("npm", ["install", "--no-save", "--no-audit", "--no-fund", FFLATE], {
    cwd: dir,
  });
  if (!r.ok) throw new Error(`npm install ${FFLATE} failed: ${r.stderr}`);
  return dir;
}

function defaultOpenH264Source(): string {
  const candidates = [
    `${ROOT}/.cache/openh264/openh264-2.3.1+dfsg`,
    "/tmp/oh264/openh264-2.3.1+dfsg",
  ];
  return candidates.find((c) => {
    try {
      return Deno.statSync(`${c}/Makefile`).isFile;
    } catch {
      return false;
    }
  }) ?? candidates[0];
}

let tmp = ""; // set by main()
const commands: Partial<Record<Engine, (clip: RawClip, bitrate: number) => [string, string[]]>> =
  {};
let bunEnv: Record<string, string> | undefined;

async function setUp(): Promise<Engine[]> {
  const engines: Engine[] = [];
  const runnerArgs = (clip: RawClip, bitrate: number) => [
    RUNNER,
    ...[clip.path, clip.width, clip.height, FPS, bitrate, GOP, frames, warmup].map(String),
  ];
  const nativeArgs = (clip: RawClip, bitrate: number) =>
    [clip.path, clip.width, clip.height, FPS, bitrate, GOP, frames].map(String);
  if (!(await exists(`${ROOT}/src/encoder/bridge.ts`))) {
    log("src/encoder/bridge.ts is missing (createBridge); the WASM engines cannot run");
  } else {
    if (wanted.includes("deno")) {
      commands.deno = (c, b) => [Deno.execPath(), ["run", "--allow-all", ...runnerArgs(c, b)]];
      engines.push("deno");
    }
    if (wanted.includes("bun")) {
      try {
        const deps = await bunDeps();
        // Bare "fflate" (deno.json's import map) resolves through NODE_PATH; --no-install stops
        // Bun from fetching the newest fflate on its own; the preload maps any npm: specifier.
        bunEnv = { NODE_PATH: `${deps}/node_modules`, RTSE_BUN_DEPS: deps };
        commands.bun = (c, b) => [
          "bun",
          ["--no-install", `--preload=${PRELOAD}`, ...runnerArgs(c, b)],
        ];
        engines.push("bun");
      } catch (e) {
        log(`Bun skipped: ${(e as Error).message}`);
      }
    }
  }
  if (wanted.includes("native")) {
    try {
      const bin = await buildNativeAsm(tmp);
      commands.native = (c, b) => [bin, nativeArgs(c, b)];
      engines.push("native");
    } catch (e) {
      log(`native (Debian libopenh264) skipped: ${(e as Error).message}`);
    }
  }
  if (wanted.includes("native-noasm")) {
    const src = args["openh264-src"] ?? defaultOpenH264Source();
    try {
      const built = await buildNativeNoAsm(src, `${cacheDir}/openh264-noasm`, tmp);
      log(`OpenH264 without assembly built from ${src} in ${built.buildSeconds.toFixed(1)} s`);
      commands["native-noasm"] = (c, b) => [built.path, nativeArgs(c, b)];
      engines.push("native-noasm");
    } catch (e) {
      log(`native without assembly skipped: ${(e as Error).message}`);
    }
  }
  return ENGINES.filter((e) => engines.includes(e));
}

async function measure(engine: Engine, clip: RawClip, bitrate: number): Promise<EngineRun> {
  const [cmd, cmdArgs] = commands[engine]!(clip, bitrate);
  const r = await output(cmd, cmdArgs, { env: engine === "bun" ? bunEnv : undefined });
  const run = r.ok ? lastJson(r.stdout) : undefined;
  if (!run) throw new Error(`${engine} failed on ${clip.path}:\n${r.stderr.slice(-2000)}`);
  return run;
}

async function profile(clip: RawClip, bitrate: number): Promise<void> {
  let names = new Map<number, string>();
  try {
    const { buildNamedWasm } = await import("./encoder_wasm_build.ts");
    const src = args["openh264-src"] ?? defaultOpenH264Source();
    const named = await Deno.readFile(await buildNamedWasm(src, cacheDir, log));
    const shipped = await Deno.readFile(`${ROOT}/wasm/openh264.wasm`);
    if (sameCode(named, shipped)) names = functionNames(named);
    else log("the --profiling-funcs build's code differs from wasm/openh264.wasm; names not used");
  } catch (e) {
    log(`no function names (the module has no name section): ${(e as Error).message}`);
  }
  const dir = `${tmp}/profile`;
  const r = await output(Deno.execPath(), [
    ...["run", "--allow-all", "--cpu-prof", `--cpu-prof-dir=${dir}`, RUNNER, clip.path],
    ...[clip.width, clip.height, FPS, bitrate, GOP, frames, warmup].map(String),
  ]);
  if (!r.ok) throw new Error(`the profiled run failed: ${r.stderr}`);
  const summary = summariseProfile(await readNewestProfile(dir), names, isEncodeCall);
  console.log(
    `\nProfile: WASM encoder under Deno, ${clip.width}x${clip.height} ${clip.source}, ` +
      `${lastJson(r.stdout)?.fps.toFixed(1)} fps while profiled; samples inside ` +
      "EncoderCore.encode() only (warm-up included).",
  );
  console.log(formatProfile(summary, top));
  if (args.json) {
    await Deno.writeTextFile(
      args.json.replace(/\.json$/, "") + ".profile.json",
      JSON.stringify(summary.rows.slice(0, 100), null, 2),
    );
  }
}

async function main(): Promise<void> {
  tmp = await Deno.makeTempDir({ prefix: "rtse-encoder-bench-" });
  try {
    log(`machine: ${await describeMachine()}`);
    const load = await otherLoad();
    if (load !== undefined) {
      log(
        `other processes keep ${load.toFixed(2)} cores busy` +
          (load > 0.2
            ? " - WARNING: the figures will be low and noisy; run on a quiet machine"
            : ""),
      );
    }
    const differences = await configureDifferences();
    if (differences.length > 0) {
      log("WARNING: test/bench/native_encode.c's configure() no longer mirrors wasm/bridge.c's:");
      for (const d of differences) log(`  ${d}`);
    }
    const engines = await setUp();
    log(
      `engines: ${engines.join(", ") || "none"}; ${frames} frames per clip, ${warmup} warm-up ` +
        `(WASM), ${repeat} runs each, the ${pick === "best" ? "fastest" : "median"} one shown`,
    );
    const rows: Row[] = [];
    for (const { width, height } of sizes) {
      for (const source of sources) {
        const clip = await ensureRawClip(cacheDir, source, width, height, frames);
        const bitrate = bitrateFor(width, height);
        const row: Row = { source, width, height, bitrate, runs: {}, allFps: {} };
        const runs: Partial<Record<Engine, EngineRun[]>> = {};
        for (let i = 0; i < repeat; i++) {
          for (const engine of engines) {
            try {
              (runs[engine] ??= []).push(await measure(engine, clip, bitrate));
            } catch (e) {
              log((e as Error).message);
            }
          }
        }
        for (const engine of engines) {
          const picked = pickRun(runs[engine] ?? [], pick);
          if (picked) row.runs[engine] = picked;
          row.allFps[engine] = (runs[engine] ?? []).map((r) => r.fps);
        }
        rows.push(row);
        log(
          `${width}x${height} ${source}: ` +
            engines.map((e) => `${e} ${row.runs[e]?.fps.toFixed(1) ?? "-"}`).join(", "),
        );
      }
    }
    console.log(`\n${formatTable(rows, engines)}\n`);
    if (rows.some((r) => Object.values(r.runs).some(isContended))) {
      console.log(
        `* other processes kept over ${CONTENDED} cores busy during this run, so its figure is ` +
          "low (a 2-core machine has no core to spare for them).",
      );
    }
    console.log(formatVerdict(rows));
    if (args.json) await Deno.writeTextFile(args.json, JSON.stringify(rows, null, 2));
    if (profileOn && engines.includes("deno")) {
      const clip = await ensureRawClip(cacheDir, "mandelbrot", 1280, 720, frames);
      await profile(clip, bitrateFor(1280, 720));
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
