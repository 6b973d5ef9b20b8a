/**
 * The last log lines, kept in memory for the status page's log view: a logger that passes every
 * line on to the one it wraps and remembers the latest few hundred, so the console shows what went
 * wrong without anyone reading the service's journal.
 *
 * @module
 */

import { atLeast, type LogFields, type Logger, type LogLevel } from "./log.ts";

/** One remembered line. */
export interface RecentLine {
  /** Wall-clock ms it was logged. */
  time: number;
  /** Its severity. */
  level: LogLevel;
  /** What happened. */
  message: string;
  /** Its context, without undefined values. */
  fields: Record<string, string | number | boolean>;
}

/** Settings of {@link RecentLog}. */
export interface RecentLogOptions {
  /** Lines kept, oldest dropped first. Default 200. */
  capacity?: number;
  /** Least severity kept (every line is passed on regardless). Default `info`. */
  level?: LogLevel;
  /** Wall-clock ms now. Default `Date.now`. */
  wallMs?: () => number;
}

/** A logger that remembers its latest lines in a bounded ring. */
export class RecentLog implements Logger {
  readonly #inner: Logger;
  readonly #ring: (RecentLine | undefined)[];
  readonly #level: LogLevel;
  readonly #wallMs: () => number;
  #next = 0;
  #count = 0;

  /** Passes lines on to `inner` and keeps the latest. */
  constructor(inner: Logger, options: RecentLogOptions = {}) {
    this.#inner = inner;
    this.#ring = new Array(Math.max(1, options.capacity ?? 200));
    this.#level = options.level ?? "info";
    this.#wallMs = options.wallMs ?? Date.now;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.#inner.log(level, message, fields);
    if (!atLeast(level, this.#level)) return;
    const kept: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value !== undefined) kept[key] = value;
    }
    this.#ring[this.#next] = { time: this.#wallMs(), level, message, fields: kept };
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#count = Math.min(this.#count + 1, this.#ring.length);
  }

  /** The lines kept, oldest first. */
  lines(): RecentLine[] {
    const size = this.#ring.length;
    const out: RecentLine[] = [];
    for (let i = 0; i < this.#count; i++) {
      out.push(this.#ring[(this.#next - this.#count + i + size) % size]!);
    }
    return out;
  }
}
