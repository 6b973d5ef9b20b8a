/**
 * JSON lines between the benchmark's processes: the coordinator talks to the server and client
 * processes over their stdin and stdout, one JSON object per line. Runtime-neutral (`node:fs`), so
 * that a helper compiled with `bun build --compile` (bench/serve_clip.ts) speaks it too.
 *
 * @module
 */

import { writeSync } from "node:fs";

/** A JSON message. */
export type Message = { [key: string]: unknown };

/**
 * Yields each line of `stream` (a web stream, or `process.stdin`) parsed as JSON; lines that are
 * not JSON objects are skipped.
 */
export async function* jsonLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Message> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      const line = text.slice(0, nl).trim();
      text = text.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      try {
        yield JSON.parse(line) as Message;
      } catch {
        // not one of ours
      }
    }
  }
}

const encoder = new TextEncoder();

/** Writes one message as a line to stdout (synchronously, so order is kept). */
export function emit(message: Message): void {
  const bytes = encoder.encode(JSON.stringify(message) + "\n");
  let at = 0;
  while (at < bytes.length) at += writeSync(1, bytes, at);
}

/** Wall-aligned milliseconds, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Reads flags `--name value` into a record. */
export function flags(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) out[a.slice(2)] = args[++i];
    else out[a.slice(2)] = "true";
  }
  return out;
}

/** The p-th percentile (0 to 100) of sorted numbers, nearest rank; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50, p99 and max of unsorted numbers. */
export function summary(values: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    n: sorted.length,
  };
}
