/**
 * The process's own CPU time, memory and start time, for the standard `process_*` metrics.
 * `node:process` answers these under Deno, Bun and Node alike.
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
}

/** The process's figures now. */
export function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    residentBytes: process.memoryUsage.rss(),
    startTimeSeconds: Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000,
  };
}
