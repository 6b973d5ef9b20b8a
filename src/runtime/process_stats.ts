/**
 * The process's own CPU time, memory and start time, for the standard `process_*` metrics, and
 * where its memory goes. `node:process` answers these under Deno, Bun and Node alike.
 *
 * @module
 */

import process from "node:process";

/** What the process has used so far. */
export interface ProcessStats {
  /** User and system CPU time, seconds. */
  cpuSeconds: number;
  /** Resident set size, bytes. */
  residentBytes: number;
  /** When the process started, seconds since the Unix epoch. */
  startTimeSeconds: number;
  /** Where the memory goes, as far as the runtime and the kernel tell. */
  memory?: MemoryStats;
}

/**
 * The parts of the resident memory that can be told apart from inside. The JavaScript figures are
 * the calling thread's (a Worker has its own heap); the resident figures are the whole process's.
 */
export interface MemoryStats {
  /** Resident anonymous memory (heaps, stacks, WebAssembly memories), bytes; Linux only. */
  residentAnonymousBytes?: number;
  /** Resident pages of mapped files (the executable's code and data), bytes; Linux only. */
  residentFileBytes?: number;
  /** JavaScript heap in use, bytes. */
  heapUsedBytes: number;
  /** JavaScript heap reserved, bytes. */
  heapTotalBytes: number;
  /** ArrayBuffers (frames, packets) outside the heap, bytes. */
  arrayBufferBytes: number;
  /** Other memory the runtime allocated for JavaScript objects, bytes (ArrayBuffers included). */
  externalBytes: number;
}

/** The process's figures now. */
export function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    residentBytes: process.memoryUsage.rss(),
    startTimeSeconds: Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000,
    memory: memoryStats(),
  };
}

/** The calling thread's heap figures, and the process's resident split where the kernel tells. */
export function memoryStats(): MemoryStats {
  const usage = process.memoryUsage();
  const stats: MemoryStats = {
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    arrayBufferBytes: usage.arrayBuffers,
    externalBytes: usage.external,
  };
  const status = procStatus();
  if (status) {
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const anon = kib("RssAnon");
    const file = kib("RssFile");
    if (Number.isFinite(anon)) stats.residentAnonymousBytes = anon * 1024;
    if (Number.isFinite(file)) stats.residentFileBytes = file * 1024;
  }
  return stats;
}

/**
 * `/proc/self/status` (proc(5)), or undefined off Linux or without read permission. `node:fs` is
 * taken when asked (a metrics scrape), not imported: see src/runtime/files.ts.
 */
function procStatus(): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
    return fs.readFileSync("/proc/self/status", "utf8");
  } catch {
    return undefined;
  }
}
