/**
 * Where the WebAssembly encoder spends its time: runs bench/encoder_wasm_run.ts under
 * `deno run --cpu-prof` and sums the V8 profile's self time by WASM function.
 *
 * The shipped module has no name section, so V8 reports `wasm-function[N]`; the names come from a
 * `--profiling-funcs` build of the same recipe (bench/encoder_wasm_build.ts) whose code is checked
 * to be byte-identical, so index N is the same function in both. V8 inlines small WASM functions
 * into their callers when it tiers up, so an inlined kernel's time shows under its caller.
 *
 * Standalone, on a profile made elsewhere:
 *
 * ```sh
 * deno run -A bench/encoder_profile.ts CPU.123.cpuprofile [--names openh264.named.wasm] [--top 15]
 * ```
 *
 * @module
 */

import { flags } from "./lines.ts";
import { functionNames } from "./encoder_wasm_names.ts";

/** A node of a V8 CPU profile's call tree. */
export interface ProfileNode {
  /** Node id, as samples name it. */
  id: number;
  /** Ids of the callees. */
  children?: number[];
  /** The function: its name and script URL (`wasm://...` for WebAssembly). */
  callFrame: { functionName: string; url: string };
}

/** The parts of a V8 `.cpuprofile` this reads. */
export interface CpuProfile {
  /** Call tree nodes. */
  nodes: ProfileNode[];
  /** Node id of each sample. */
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

/** One line of the summary. */
export interface ProfileRow {
  /** Function name (or V8's pseudo-frame, like `(garbage collector)`). */
  name: string;
  /** What kind of work it is, guessed from the name (for the report). */
  kind: string;
  /** Self time in milliseconds. */
  ms: number;
  /** Share of all busy samples (idle excluded), 0 to 1. */
  share: number;
}

/** A summarised profile. */
export interface ProfileSummary {
  /** Busy milliseconds sampled (idle excluded). */
  busyMs: number;
  /** Share of busy time inside WebAssembly. */
  wasmShare: number;
  /** Every function, most self time first. */
  rows: ProfileRow[];
}

/**
 * The kinds of work, by OpenH264's naming habits (case-sensitive) and the names of our SIMD kernels
 * (wasm/simd_kernels.c, `rtse_*`); the first match wins.
 */
const KINDS: [RegExp, string][] = [
  [/^_*(memset|memcpy|memmove|malloc|free|dlmalloc|dlfree)$/, "libc"],
  [/^rtse_vaa/, "preprocessing"],
  [/^rtse_(sad|satd)/, "SAD/SATD"],
  [/^rtse_(i?dct|quant)/, "transform/quant"],
  [/^rtse_deblock/, "deblocking"],
  [/^rtse_(mc|halfpel|pixel_avg|copy)/, "motion compensation"],
  [/^WelsVP::|VAACalc|SceneChange|BackgroundDetection|AdaptiveQuant|Complexity/, "preprocessing"],
  [/Sad|Satd|Ssd|SampleVariance/, "SAD/SATD"],
  [/Dct|Quant|Hadamard|Transform|GetNoneZeroCount/, "transform/quant"],
  [/Deblock|FilterLuma|FilterChroma|Filter.*Eq4|Filter.*Lt4/, "deblocking"],
  [/(^|::)Mc[A-Z]|Copy\d+x\d+|PixelAvg|Interp/, "motion compensation"],
  [
    /MotionSearch|MotionEst|Diamond|CrossSearch|Fme|MvdCost|WelsMotion|SubPel|MeRefine/,
    "motion search",
  ],
  [/Md[A-Z]|Intra|Pred|I4x4|I16x16|ModeDecision|Skip/, "mode decision"],
  [/Cavlc|Cabac|WriteSe|WriteUe|BsWrite|Nal|Residual|Syntax/, "entropy coding"],
];

function kindOf(name: string, url: string): string {
  if (!url.startsWith("wasm://")) return name.startsWith("(") ? "v8" : "js";
  const bare = name.replace(/^\(anonymous namespace\)::/, "").replace(/\(.*$/, "");
  for (const [re, kind] of KINDS) if (re.test(bare)) return kind;
  return "other wasm";
}

/** Demangles the common shapes of Itanium C++ names enough to read (`WelsEnc::WelsMdP16x16`). */
export function readableName(name: string): string {
  const m = /^_ZN((?:\d+[A-Za-z_]\w*?)+)E/.exec(name) ?? /^_Z(\d+[A-Za-z_]\w*)/.exec(name);
  if (!m) return name;
  const parts: string[] = [];
  let rest = m[1];
  while (rest.length > 0) {
    const len = /^(\d+)/.exec(rest);
    if (!len) break;
    const n = Number(len[1]);
    parts.push(rest.slice(len[1].length, len[1].length + n));
    rest = rest.slice(len[1].length + n);
  }
  return parts.join("::");
}

/**
 * Sums self time by function; `names` maps `wasm-function[N]` to a name when the module had none.
 * With `within`, only samples whose stack holds a frame it accepts count (e.g. `EncoderCore.encode`,
 * leaving out start-up and file reads).
 */
export function summariseProfile(
  profile: CpuProfile,
  names: Map<number, string> = new Map(),
  within?: (frame: ProfileNode["callFrame"]) => boolean,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = new Map<number, boolean>();
  const isInside = (id: number): boolean => {
    if (!within) return true;
    let known = inside.get(id);
    if (known === undefined) {
      const p = parent.get(id);
      known = within(byId.get(id)!.callFrame) || (p !== undefined && isInside(p));
      inside.set(id, known);
    }
    return known;
  };
  const selfUs = new Map<string, { us: number; kind: string }>();
  let busy = 0;
  let wasm = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(profile.samples[i])!.callFrame;
    if (frame.functionName === "(idle)" || !isInside(profile.samples[i])) continue;
    let name = frame.functionName || "(anonymous)";
    const index = /^wasm-function\[(\d+)\]$/.exec(name);
    if (index && names.has(Number(index[1]))) name = names.get(Number(index[1]))!;
    name = readableName(name);
    const kind = kindOf(name, frame.url);
    // C++ names from --profiling-funcs carry their parameter lists; the name alone is enough.
    if (frame.url.startsWith("wasm://")) name = name.replace(/(.)\(.*$/, "$1");
    const key = kind === "js" ? `${name} (JS)` : name;
    const entry = selfUs.get(key) ?? { us: 0, kind };
    entry.us += dt;
    selfUs.set(key, entry);
    busy += dt;
    if (frame.url.startsWith("wasm://")) wasm += dt;
  }
  const rows = [...selfUs].map(([name, { us, kind }]) => ({
    name,
    kind,
    ms: us / 1000,
    share: busy > 0 ? us / busy : 0,
  })).sort((a, b) => b.ms - a.ms);
  return { busyMs: busy / 1000, wasmShare: busy > 0 ? wasm / busy : 0, rows };
}

/** Accepts `EncoderCore.encode()`'s frame, for {@link summariseProfile}'s `within`. */
export function isEncodeCall(frame: ProfileNode["callFrame"]): boolean {
  return frame.functionName === "encode" && frame.url.endsWith("/src/encoder/encoder_core.ts");
}

/** The summary as text: the top `top` functions, then the share of each kind of work. */
export function formatProfile(summary: ProfileSummary, top: number): string {
  const lines = [
    `${(summary.busyMs / 1000).toFixed(2)} s sampled, ${(summary.wasmShare * 100).toFixed(1)}% ` +
    `inside WebAssembly. Top ${top} functions by self time:`,
  ];
  const width = Math.min(60, Math.max(...summary.rows.slice(0, top).map((r) => r.name.length)));
  for (const [i, r] of summary.rows.slice(0, top).entries()) {
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${(r.share * 100).toFixed(1).padStart(5)}%  ` +
        `${r.name.padEnd(width)}  ${r.kind}`,
    );
  }
  const byKind = new Map<string, number>();
  for (const r of summary.rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + r.share);
  lines.push("By kind of work (guessed from the names):");
  for (const [kind, share] of [...byKind].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${(share * 100).toFixed(1).padStart(5)}%  ${kind}`);
  }
  return lines.join("\n");
}

/** Reads the newest `.cpuprofile` in `dir`. */
export async function readNewestProfile(dir: string): Promise<CpuProfile> {
  let newest: { path: string; mtime: number } | undefined;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".cpuprofile")) continue;
    const path = `${dir}/${e.name}`;
    const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
    if (!newest || mtime > newest.mtime) newest = { path, mtime };
  }
  if (!newest) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(await Deno.readTextFile(newest.path)) as CpuProfile;
}

if (import.meta.main) {
  const args = flags(Deno.args);
  const files = Deno.args.filter((a, i) =>
    !a.startsWith("--") && !["--top", "--names"].includes(Deno.args[i - 1])
  );
  const names = args.names ? functionNames(await Deno.readFile(args.names)) : new Map();
  for (const file of files) {
    const profile = JSON.parse(await Deno.readTextFile(file)) as CpuProfile;
    console.log(`${file}:`);
    let summary = summariseProfile(profile, names, isEncodeCall);
    if (summary.busyMs === 0) summary = summariseProfile(profile, names); // not an encoder run
    console.log(formatProfile(summary, Number(args.top ?? 15)));
  }
}
