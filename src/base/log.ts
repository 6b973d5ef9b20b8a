/**
 * Structured logging, injected. The library is silent unless given a logger; the CLI prints.
 *
 * @module
 */

/** Severity, most verbose first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Context that travels with a log line: connection, peer, session, path, CSeq. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Receives log lines. */
export interface Logger {
  /**
   * Records one event. `fields` never holds credentials, but may hold text a peer sent (a method, a
   * URL): a logger that prints must escape control characters (the CLI's does).
   */
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} };

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether `level` is at least as severe as `threshold`. */
export function atLeast(level: LogLevel, threshold: LogLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

/**
 * A log line that repeats (a device sending damaged frames, frame after frame) printed at most once
 * per `intervalMs`, with the number of repeats it stood for in `alsoFailed`.
 */
export function throttledLog(
  logger: Logger,
  level: LogLevel,
  message: string,
  intervalMs = 10_000,
  now: () => number = () => performance.now(),
): (fields?: LogFields) => void {
  let last = -Infinity;
  let unlogged = 0;
  return (fields) => {
    const t = now();
    if (t - last < intervalMs) {
      unlogged++;
      return;
    }
    logger.log(level, message, { ...fields, alsoFailed: unlogged || undefined });
    last = t;
    unlogged = 0;
  };
}
