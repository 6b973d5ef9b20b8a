// Shared helpers for the src/rtsp tests.
import { type ParseEvent, type RtspLimits, RtspParser } from "../../src/rtsp/parser.ts";
export { concat } from "../support/bytes.ts";

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Latin-1 bytes of a string (each char code becomes one byte), for raw control bytes. */
export function raw(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A file from test/testdata/rtsp. */
export function testdata(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../testdata/rtsp/${name}`, import.meta.url));
}

/** Names of the captured and hand-written single-message files in test/testdata/rtsp. */
export function testdataMessages(): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(new URL("../testdata/rtsp/", import.meta.url))) {
    if (entry.isFile && entry.name.endsWith(".txt")) names.push(entry.name);
  }
  return names.sort();
}

/** Calls next() until need-more; stops after an error. */
export function drain(parser: RtspParser): ParseEvent[] {
  const out: ParseEvent[] = [];
  for (;;) {
    const e = parser.next();
    if (e.kind === "need-more") return out;
    out.push(e);
    if (e.kind === "error") return out;
  }
}

/** Plain, comparable form of an event. */
export type Summary = Record<string, unknown>;

/** Turns an event into plain data that deepEqual can compare. */
export function summarize(e: ParseEvent): Summary {
  switch (e.kind) {
    case "request": {
      const r = e.request;
      return {
        kind: e.kind,
        method: r.method,
        url: r.url,
        version: r.version,
        headers: [...r.headers.entries()],
        body: Array.from(r.body),
      };
    }
    case "response": {
      const r = e.response;
      return {
        kind: e.kind,
        status: r.status,
        reason: r.reason,
        version: r.version,
        headers: [...r.headers.entries()],
        body: Array.from(r.body),
      };
    }
    case "interleaved":
      return { kind: e.kind, channel: e.channel, payload: Array.from(e.payload) };
    case "error":
      return {
        kind: e.kind,
        status: e.error.status,
        offset: e.error.offset,
        context: e.error.context,
      };
    case "need-more":
      return { kind: e.kind };
  }
}

/** Feeds the chunks in order, draining after each, and summarizes every event. */
export function parseChunks(chunks: Uint8Array[], limits?: Partial<RtspLimits>): Summary[] {
  const parser = new RtspParser(limits);
  const out: Summary[] = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    const events = drain(parser);
    out.push(...events.map(summarize));
    if (events.at(-1)?.kind === "error") break;
  }
  return out;
}

/** The same input as one chunk. */
export function parseWhole(input: Uint8Array, limits?: Partial<RtspLimits>): Summary[] {
  return parseChunks([input], limits);
}

/** The input split into two chunks at `at`. */
export function splitAt(input: Uint8Array, at: number): Uint8Array[] {
  return [input.subarray(0, at), input.subarray(at)];
}

/** The input as one chunk per byte. */
export function byteByByte(input: Uint8Array): Uint8Array[] {
  return Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
}
