/**
 * The encoder benchmark's table: frames per second per engine for each clip, the WASM/native
 * ratios, and whether every engine produced the same bitstream.
 *
 * @module
 */

/** What one engine measured on one clip (the JSON line of the runner or the C harness). */
export interface EngineRun {
  /** Frames encoded. */
  frames: number;
  /** Seconds inside the encode calls. */
  seconds: number;
  /** Frames per second. */
  fps: number;
  /** Output bytes. */
  bytes: number;
  /** Frames the rate control skipped. */
  skipped: number;
  /** IDR pictures. */
  idr: number;
  /** FNV-1a of the output. */
  fnv1a: string;
  /** CPU seconds over the encode calls. */
  cpu_seconds: number;
  /** Cores other processes kept busy during the timed loop (Linux; -1 when unknown). */
  other_cores: number;
}

/** Cores of other processes' work above which a run counts as contended. */
export const CONTENDED = 0.2;

/** Whether other processes were busy during the run, so that its fps is too low. */
export function isContended(run: EngineRun): boolean {
  return run.other_cores > CONTENDED;
}

/** The engines, in table order. */
export const ENGINES = ["deno", "bun", "native", "native-noasm"] as const;

/** One of {@link ENGINES}. */
export type Engine = typeof ENGINES[number];

/** Column titles. */
const TITLES: Record<Engine, string> = {
  deno: "WASM Deno",
  bun: "WASM Bun",
  native: "native asm",
  "native-noasm": "native C",
};

/** One row: a clip and what each engine measured on it (the picked run of the repeats). */
export interface Row {
  /** lavfi source. */
  source: string;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
  /** Target bitrate. */
  bitrate: number;
  /** Runs by engine; absent when an engine was skipped or failed. */
  runs: Partial<Record<Engine, EngineRun>>;
  /** Every repeat's fps by engine. */
  allFps: Partial<Record<Engine, number[]>>;
}

/**
 * The run to report: the fastest (`best`; on a shared machine interference only ever slows a run
 * down, so the fastest is the closest to the engine's real speed) or the median one (`median`, the
 * lower middle one for an even count).
 */
export function pickRun(runs: EngineRun[], pick: "best" | "median"): EngineRun | undefined {
  const sorted = [...runs].sort((a, b) => a.fps - b.fps);
  return pick === "best" ? sorted[sorted.length - 1] : sorted[Math.floor((sorted.length - 1) / 2)];
}

/** `a / b` of the engines' fps, or undefined when either is missing. */
export function ratio(row: Row, a: Engine, b: Engine): number | undefined {
  const x = row.runs[a]?.fps;
  const y = row.runs[b]?.fps;
  return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
}

/** Whether every engine that ran made the same bytes: "same", "DIFF", or "-" with one engine. */
export function sameBits(row: Row): string {
  const hashes = Object.values(row.runs).map((r) => `${r.fnv1a}/${r.bytes}/${r.skipped}/${r.idr}`);
  if (hashes.length < 2) return "-";
  return hashes.every((h) => h === hashes[0]) ? "same" : "DIFF";
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") +
    " |";
  return [
    line(header),
    "| " + widths.map((w, i) => (i < 2 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") +
    " |",
    ...body.map(line),
  ].join("\n");
}

/** The results as a Markdown table, one row per clip. */
export function formatTable(rows: Row[], engines: readonly Engine[]): string {
  const fmt = (v: number | undefined, digits: number) => v === undefined ? "-" : v.toFixed(digits);
  const ratios: [Engine, Engine, string][] = [
    ["deno", "native", "Deno/asm"],
    ["bun", "native", "Bun/asm"],
    ["deno", "native-noasm", "Deno/C"],
  ];
  const shown = ratios.filter(([a, b]) => engines.includes(a) && engines.includes(b));
  const header = [
    "size",
    "source",
    "Mbit/s",
    ...engines.map((e) => `${TITLES[e]} fps`),
    ...shown.map(([, , t]) => t),
    "bits",
  ];
  const body = rows.map((r) => [
    `${r.width}x${r.height}`,
    r.source,
    String(r.bitrate / 1e6),
    ...engines.map((e) => {
      const run = r.runs[e];
      return run ? `${isContended(run) ? "*" : ""}${run.fps.toFixed(1)}` : "-";
    }),
    ...shown.map(([a, b]) => fmt(ratio(r, a, b), 2)),
    sameBits(r),
  ]);
  return table(header, body);
}

/** The verdict on the targets, from the 1280x720 mandelbrot row. */
export function formatVerdict(rows: Row[]): string {
  const row = rows.find((r) => r.width === 1280 && r.height === 720 && r.source === "mandelbrot");
  if (!row) return "No 1280x720 mandelbrot row: the targets were not checked.";
  const lines: string[] = [];
  const deno = row.runs.deno?.fps;
  if (deno !== undefined) {
    lines.push(
      `720p mandelbrot, WASM under Deno: ${
        deno.toFixed(1)
      } fps; target 60 fps (720p30 with half a ` +
        `core to spare): ${deno >= 60 ? "MET" : "NOT MET"}.`,
    );
  }
  const r = ratio(row, "deno", "native");
  if (r !== undefined) {
    lines.push(
      `WASM/native (Debian libopenh264, x86 assembly) at 720p mandelbrot: ${r.toFixed(2)}; ` +
        `target >= 0.3: ${r >= 0.3 ? "MET" : "NOT MET"}.`,
    );
  }
  const c = ratio(row, "deno", "native-noasm");
  if (c !== undefined) {
    lines.push(`WASM/native C without assembly (same C code) at 720p mandelbrot: ${c.toFixed(2)}.`);
  }
  return lines.join("\n");
}
