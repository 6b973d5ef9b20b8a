/**
 * Reading one setting by its entry in the settings table, and saying in one line what is wrong
 * with it: `rtsp-edge.yml:7:15: paths.cam1.jpeg must be "h264" or "rtp-jpeg", got "png"` for a
 * file, `--jpeg must be "h264" or "rtp-jpeg", got "png"` for a flag. Pure.
 *
 * @module
 */

import { parseDuration } from "../base/duration.ts";
import { checkBitrate, parseBitrate } from "../encoder/options.ts";
import { ConfigError, type JsonValue, type ParsedJson } from "./json_with_positions.ts";
import { closestName } from "./suggest.ts";
import type { Setting } from "./settings.ts";

/**
 * A configuration as written, before checking: a parsed file, or the flags written as one. Every
 * value has a JSON Pointer (RFC 6901); messages name a value by its position in the file and by
 * its dotted path (`paths.cam1.token`), or by the flag that gave it (`labels`).
 */
export interface ConfigDocument extends ParsedJson {
  /** The file, for messages; undefined for flags. */
  file?: string;
  /**
   * The flag that gave each value, by pointer (`/rtspPort` → `--port`). A flag's value arrives as
   * text (`"8554"` reads as 8554) and its mistakes are named by the flag, not by a line.
   */
  labels?: ReadonlyMap<string, string>;
}

/** One object being checked: its members, its JSON Pointer and its dotted name in messages. */
export interface Scope {
  /** The object's members. */
  object: { [key: string]: JsonValue };
  /** Its JSON Pointer. */
  pointer: string;
  /** Its dotted name (`paths.cam1`), `""` for the whole file. */
  label: string;
}

/** The pointer of `key` in `scope`. */
export function member(scope: Scope, key: string): string {
  return `${scope.pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** A value as a message shows it: strings quoted (and cut short), containers by kind. */
export function describe(value: JsonValue | undefined): string {
  if (typeof value === "string") {
    const shown = JSON.stringify(value);
    return shown.length > 42 ? `${shown.slice(0, 40)}..."` : shown;
  }
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Choices as prose: `"a", "b" or "c"`. */
export function either(choices: readonly string[]): string {
  const list = choices.map((c) => JSON.stringify(c));
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
}

/** Reads settings of one document and throws a {@link ConfigError} at the first mistake. */
export class Reader {
  /** Builds a reader of `doc`. */
  constructor(readonly doc: ConfigDocument) {}

  /** `value` as an object scope, or a mistake at `pointer`. */
  scope(value: JsonValue | undefined, pointer: string, label: string): Scope {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const what = label === ""
        ? "the file must be a mapping of settings"
        : `${label} must be a mapping`;
      this.fail(pointer, `${what}, got ${value === undefined ? "nothing" : describe(value)}`);
    }
    return { object: value, pointer, label };
  }

  /** A setting's name in messages: its flag, or `paths.cam1.token`, odd keys quoted. */
  nameOf(scope: Scope, key: string): string {
    const flag = this.doc.labels?.get(member(scope, key));
    if (flag !== undefined) return flag;
    const shown = /^[\w.~-]{1,40}$/.test(key) ? key : describe(key);
    return scope.label === "" ? shown : `${scope.label}.${shown}`;
  }

  /** Refuses keys not in `known`, with the nearest known one as a suggestion. */
  refuseUnknown(scope: Scope, known: readonly string[], belongs?: (key: string) => string) {
    for (const key of Object.keys(scope.object)) {
      if (known.includes(key)) continue;
      const elsewhere = belongs?.(key);
      const guess = closestName(key, known);
      this.fail(
        member(scope, key),
        `${this.nameOf(scope, key)} is not a setting` +
          (elsewhere ? `${elsewhere}` : guess === undefined ? "" : `; did you mean ${guess}?`),
        true,
      );
    }
  }

  /** The value of `key` as `setting` says, or undefined when it is left out. */
  read(scope: Scope, key: string, setting: Setting): unknown {
    const v = scope.object[key];
    if (v === undefined) return undefined;
    switch (setting.kind) {
      case "integer": {
        const n = this.number(scope, key, /^\d+$/);
        if (!Number.isInteger(n) || n! < setting.min || n! > setting.max) {
          this.wrong(scope, key, `a whole number from ${setting.min} to ${setting.max}`);
        }
        if (setting.even && n! % 2 !== 0) this.wrong(scope, key, "even");
        return n;
      }
      case "fps": {
        const n = this.number(scope, key, /^\d+(\.\d+)?$/);
        if (n === undefined || !(n > 0 && n <= 240)) {
          this.wrong(scope, key, "a number above 0 and at most 240");
        }
        return n;
      }
      case "boolean":
        if (typeof v !== "boolean") this.wrong(scope, key, "true or false");
        return v;
      case "choice":
        if (typeof v !== "string" || !setting.choices.includes(v)) {
          this.wrong(scope, key, either(setting.choices));
        }
        return v;
      case "text":
        if (typeof v !== "string" || !setting.test(v)) {
          this.wrong(
            scope,
            key,
            typeof v === "string" ? setting.expected : `text: ${setting.expected}`,
          );
        }
        return v;
      case "duration": {
        const ms = typeof v === "number"
          ? (v >= 0 ? v * 1000 : undefined)
          : typeof v === "string"
          ? parseDuration(v)
          : undefined;
        if (
          ms === undefined || !Number.isFinite(ms) || ms > 86_400_000 ||
          (setting.positive && ms === 0)
        ) {
          const least = setting.positive ? "above 0 and " : "";
          this.wrong(
            scope,
            key,
            `a duration such as "10s", "500ms" or "2m", ${least}at most a day`,
          );
        }
        return ms;
      }
      case "bitrate":
        try {
          if (typeof v === "number") return checkBitrate(v);
          if (typeof v === "string") return parseBitrate(v);
        } catch { /* described below */ }
        return this.wrong(
          scope,
          key,
          'bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k"',
        );
      case "size": {
        const m = typeof v === "string" ? /^(\d{1,4})x(\d{1,4})$/i.exec(v) : null;
        const [width, height] = [Number(m?.[1]), Number(m?.[2])];
        const ok = (n: number) => n >= 16 && n <= 4096 && n % 2 === 0;
        if (!m || !ok(width) || !ok(height)) {
          this.wrong(
            scope,
            key,
            '"WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480"',
          );
        }
        return { width, height };
      }
      default:
        throw new Error(`${key}: a ${setting.kind} setting is read by the checker itself`);
    }
  }

  /** A number, or (from a flag) its text; undefined when it is neither. */
  number(scope: Scope, key: string, text: RegExp): number | undefined {
    const v = scope.object[key];
    if (typeof v === "number") return v;
    const flag = this.doc.labels?.has(member(scope, key));
    if (flag && typeof v === "string" && text.test(v)) return Number(v);
    return undefined;
  }

  /** `key` must be `expected`: one line with the value that was given. */
  wrong(scope: Scope, key: string, expected: string): never {
    return this.fail(
      member(scope, key),
      `${this.nameOf(scope, key)} must be ${expected}, got ${describe(scope.object[key])}`,
    );
  }

  /** A mistake at `pointer` (at its key when `atKey`), with the file's line and column. */
  fail(pointer: string, reason: string, atKey = false): never {
    if (this.doc.labels?.has(pointer)) throw new ConfigError(reason);
    const map = atKey ? this.doc.keyPositions : this.doc.positions;
    const at = map.get(pointer) ?? this.doc.positions.get(pointer);
    throw new ConfigError(reason, at, this.doc.file);
  }
}
