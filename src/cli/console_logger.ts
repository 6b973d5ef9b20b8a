/**
 * The CLI's logger: one line per event on standard error, `key=value` fields, filtered by level.
 *
 * @module
 */

import process from "node:process";
import { printable } from "../rtsp/syntax.ts";
import { atLeast, type LogFields, type Logger, type LogLevel } from "../base/log.ts";

/** Formats one log line (without the newline). */
export function formatLogLine(level: LogLevel, message: string, fields?: LogFields): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    // Values may carry peer text: anything but plain visible ASCII is quoted and escaped, so no
    // peer can forge a log line or drive the terminal (HARDENING item 5).
    const text = String(value);
    line += ` ${key}=${/^[!#-<>-~]{1,200}$/.test(text) ? text : printable(text, 200)}`;
  }
  return line;
}

/**
 * A logger writing lines at `threshold` or above through `write` (default: standard error, written
 * directly: Bun's `console.error` would colour the line on a terminal).
 */
export function consoleLogger(
  threshold: LogLevel,
  write: (line: string) => void = (line) => void process.stderr.write(line + "\n"),
): Logger {
  return {
    log(level, message, fields) {
      if (atLeast(level, threshold)) write(formatLogLine(level, message, fields));
    },
  };
}
