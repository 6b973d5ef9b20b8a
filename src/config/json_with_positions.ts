/**
 * A small JSON parser (RFC 8259) that also takes `//` and `/* *\/` comments and remembers where
 * every value and every member name stood, so a config checker can point at the line and column
 * of a bad setting. Pure: text in, values and positions out, or a {@link ConfigError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonWithPositions } from "./json_with_positions.ts";
 *
 * const parsed = parseJsonWithPositions('{\n  // the RTSP port\n  "rtspPort": 8554\n}');
 * assert.deepEqual(parsed.value, { rtspPort: 8554 });
 * assert.deepEqual(parsed.positions.get("/rtspPort"), { line: 3, column: 15, offset: 35 });
 * assert.deepEqual(parsed.keyPositions.get("/rtspPort"), { line: 3, column: 3, offset: 23 });
 * ```
 *
 * @module
 */

/** Where something stands in the text: 1-based line and column (in code points), 0-based offset. */
export interface JsonPosition {
  /** Line number, from 1. Line breaks are LF, CR LF and CR. */
  line: number;
  /** Column on that line, from 1, counted in Unicode code points. */
  column: number;
  /** Offset in UTF-16 code units from the start of the text. */
  offset: number;
}

/** A JSON value as parsed: objects are plain objects whose keys keep the text's order. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/** The result of {@link parseJsonWithPositions}. */
export interface ParsedJson {
  /** The value. */
  value: JsonValue;
  /** Position of every value, by JSON Pointer (RFC 6901); the whole text's value is `""`. */
  positions: ReadonlyMap<string, JsonPosition>;
  /** Position of every object member's name, by the JSON Pointer of its value. */
  keyPositions: ReadonlyMap<string, JsonPosition>;
}

/** Limits of {@link parseJsonWithPositions}. */
export interface JsonParseOptions {
  /** Named in error messages, e.g. `rtsp-edge.json`. */
  fileName?: string;
  /** Deepest nesting of arrays and objects. Default 64. */
  maxDepth?: number;
  /** Longest text, in UTF-16 code units. Default 1 MiB. */
  maxLength?: number;
}

/** Default of {@link JsonParseOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 64;
/** Default of {@link JsonParseOptions.maxLength}. */
export const DEFAULT_MAX_LENGTH = 1 << 20;

/**
 * A mistake in a config file. Its message is one line: `file:line:column: reason`, leaving out
 * what is unknown (the file name, or the position for errors that concern the whole file).
 */
export class ConfigError extends Error {
  /** The file, when known. */
  readonly file: string | undefined;
  /** Where the mistake is, when it is at one place. */
  readonly position: JsonPosition | undefined;
  /** The reason alone, without file and position. */
  readonly reason: string;

  /** Builds the error; `message` becomes `file:line:column: reason`. */
  constructor(reason: string, position?: JsonPosition, file?: string) {
    const where = [file, position && `${position.line}:${position.column}`].filter(Boolean);
    super(where.length > 0 ? `${where.join(":")}: ${reason}` : reason);
    this.name = "ConfigError";
    this.file = file;
    this.position = position;
    this.reason = reason;
  }
}

/** Escapes one member name or index for a JSON Pointer (RFC 6901 §3: `~` → `~0`, `/` → `~1`). */
export function jsonPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => "/" + String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join(
    "",
  );
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Parses JSON text with comments, recording the position of every value and member name.
 * Refuses (with a {@link ConfigError} naming line and column) what RFC 8259 refuses, and also
 * trailing commas and duplicate member names, which in a config file are mistakes. A leading
 * byte order mark is skipped (RFC 8259 §8.1 lets parsers ignore it).
 *
 * @param text The file's text.
 * @param options Limits, and the file name for messages.
 * @returns The value and its positions.
 */
export function parseJsonWithPositions(text: string, options: JsonParseOptions = {}): ParsedJson {
  return new Parser(text, options).parseDocument();
}

class Parser {
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #colOffset = 0;
  #column = 1;
  #depth = 0;
  readonly #positions = new Map<string, JsonPosition>();
  readonly #keyPositions = new Map<string, JsonPosition>();
  readonly #text: string;
  readonly #file: string | undefined;
  readonly #maxDepth: number;

  constructor(text: string, options: JsonParseOptions) {
    this.#text = text;
    this.#file = options.fileName;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    if (text.length > maxLength) {
      throw new ConfigError(`is longer than ${maxLength} characters`, undefined, this.#file);
    }
    if (text.charCodeAt(0) === 0xfeff) this.#pos = this.#lineStart = this.#colOffset = 1;
  }

  parseDocument(): ParsedJson {
    this.#skipBlank();
    if (this.#pos >= this.#text.length) this.#fail("the file holds no value");
    const value = this.#value("");
    this.#skipBlank();
    if (this.#pos < this.#text.length) this.#fail("unexpected text after the value");
    return { value, positions: this.#positions, keyPositions: this.#keyPositions };
  }

  #here(): JsonPosition {
    // Columns count code points: a surrogate pair is one column, as editors show it. Counted on
    // from the last position asked for on this line, so a long line costs linear time, not square.
    if (this.#pos < this.#colOffset) {
      this.#colOffset = this.#lineStart;
      this.#column = 1;
    }
    for (; this.#colOffset < this.#pos; this.#colOffset++) {
      const c = this.#text.charCodeAt(this.#colOffset);
      const low = c >= 0xdc00 && c <= 0xdfff;
      if (!(low && this.#colOffset > this.#lineStart && isHigh(this.#text, this.#colOffset - 1))) {
        this.#column++;
      }
    }
    return { line: this.#line, column: this.#column, offset: this.#pos };
  }

  #fail(reason: string, at: JsonPosition = this.#here()): never {
    throw new ConfigError(reason, at, this.#file);
  }

  /** Skips white space (RFC 8259 §2: space, tab, LF, CR) and comments, counting lines. */
  #skipBlank(): void {
    const t = this.#text;
    while (this.#pos < t.length) {
      const c = t[this.#pos];
      if (c === " " || c === "\t") {
        this.#pos++;
      } else if (c === "\n" || c === "\r") {
        this.#pos += c === "\r" && t[this.#pos + 1] === "\n" ? 2 : 1;
        this.#newLine();
      } else if (c === "/" && t[this.#pos + 1] === "/") {
        while (this.#pos < t.length && t[this.#pos] !== "\n" && t[this.#pos] !== "\r") this.#pos++;
      } else if (c === "/" && t[this.#pos + 1] === "*") {
        const start = this.#here();
        this.#pos += 2;
        for (;;) {
          if (this.#pos >= t.length) this.#fail("a /* comment is never closed", start);
          const d = t[this.#pos];
          if (d === "*" && t[this.#pos + 1] === "/") {
            this.#pos += 2;
            break;
          }
          this.#pos += d === "\r" && t[this.#pos + 1] === "\n" ? 2 : 1;
          if (d === "\n" || d === "\r") this.#newLine();
        }
      } else {
        return;
      }
    }
  }

  #newLine(): void {
    this.#line++;
    this.#lineStart = this.#colOffset = this.#pos;
    this.#column = 1;
  }

  #value(pointer: string): JsonValue {
    const at = this.#here();
    this.#positions.set(pointer, at);
    const c = this.#text[this.#pos];
    if (c === "{" || c === "[") {
      if (++this.#depth > this.#maxDepth) this.#fail(`nesting is deeper than ${this.#maxDepth}`);
      const value = c === "{" ? this.#object(pointer) : this.#array(pointer);
      this.#depth--;
      return value;
    }
    if (c === '"') return this.#string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.#number();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.#text.startsWith(word, this.#pos)) {
        this.#pos += word.length;
        return value;
      }
    }
    if (c === undefined) this.#fail("the text ends where a value should be");
    if (c === "'") this.#fail("strings take double quotes, not single quotes");
    if (c === "}" || c === "]" || c === ",") this.#fail(`expected a value, got ${quote(c)}`);
    this.#fail(`expected a value (an object, array, string, number, true, false or null)`);
  }

  #object(pointer: string): JsonValue {
    const object: { [key: string]: JsonValue } = {};
    this.#pos++; // {
    this.#skipBlank();
    if (this.#text[this.#pos] === "}") {
      this.#pos++;
      return object;
    }
    for (;;) {
      const keyAt = this.#here();
      if (this.#text[this.#pos] !== '"') {
        if (this.#text[this.#pos] === "}") this.#fail("a trailing comma before } is not allowed");
        this.#fail("expected a member name in double quotes");
      }
      const key = this.#string();
      if (Object.hasOwn(object, key)) this.#fail(`${quote(key)} is given twice`, keyAt);
      const memberPointer = pointer + jsonPointer([key]);
      this.#keyPositions.set(memberPointer, keyAt);
      this.#skipBlank();
      if (this.#text[this.#pos] !== ":") this.#fail(`expected : after the member name`);
      this.#pos++;
      this.#skipBlank();
      // defineProperty, because `object["__proto__"] = v` would set the prototype instead.
      Object.defineProperty(object, key, {
        value: this.#value(memberPointer),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#skipBlank();
      const c = this.#text[this.#pos];
      this.#pos++;
      if (c === "}") return object;
      if (c !== ",") {
        this.#pos--;
        this.#fail(c === undefined ? "the text ends inside an object" : "expected , or }");
      }
      this.#skipBlank();
    }
  }

  #array(pointer: string): JsonValue {
    const array: JsonValue[] = [];
    this.#pos++; // [
    this.#skipBlank();
    if (this.#text[this.#pos] === "]") {
      this.#pos++;
      return array;
    }
    for (;;) {
      if (this.#text[this.#pos] === "]") this.#fail("a trailing comma before ] is not allowed");
      array.push(this.#value(`${pointer}/${array.length}`));
      this.#skipBlank();
      const c = this.#text[this.#pos];
      this.#pos++;
      if (c === "]") return array;
      if (c !== ",") {
        this.#pos--;
        this.#fail(c === undefined ? "the text ends inside an array" : "expected , or ]");
      }
      this.#skipBlank();
    }
  }

  /** RFC 8259 §7. */
  #string(): string {
    const t = this.#text;
    this.#pos++; // "
    let out = "";
    let runStart = this.#pos;
    for (;;) {
      if (this.#pos >= t.length) this.#fail("a string is never closed");
      const c = t.charCodeAt(this.#pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.#pos);
        this.#pos++;
        return out;
      }
      if (c < 0x20) {
        this.#fail(`a string holds control character U+${hex4(c)}; write it as an escape`);
      }
      if (c !== 0x5c) {
        this.#pos++;
        continue;
      }
      out += t.slice(runStart, this.#pos);
      const e = t[this.#pos + 1];
      if (e === "u") {
        const digits = t.slice(this.#pos + 2, this.#pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(digits)) this.#fail("\\u needs four hexadecimal digits");
        out += String.fromCharCode(parseInt(digits, 16));
        this.#pos += 6;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        this.#pos += 2;
      } else {
        this.#fail(`unknown escape \\${e ?? ""} in a string`);
      }
      runStart = this.#pos;
    }
  }

  /** RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
  #number(): number {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.#pos;
    const found = m.exec(this.#text);
    const next = this.#text[this.#pos + (found?.[0].length ?? 0)];
    if (!found || found[0] === "-" || (next !== undefined && /[0-9A-Za-z.+\-_]/.test(next))) {
      this.#fail("not a valid number (JSON numbers look like 12, -3, 0.5 or 1e6)");
    }
    const value = Number(found[0]);
    if (!Number.isFinite(value)) this.#fail(`the number ${found[0]} is too large`);
    this.#pos += found[0].length;
    return value;
  }
}

function isHigh(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, "0");
}

function quote(s: string): string {
  return JSON.stringify(s);
}
