/**
 * Reading files and standard input through `node:fs` and `node:process`, which Deno, Bun and Node
 * all ship.
 *
 * @module
 */

import { readFile as nodeReadFile } from "node:fs/promises";

/** Reads a whole file. Errors name the path and the reason in one sentence. */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    const bytes = await nodeReadFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describeError(error)}`);
  }
}

/**
 * The bytes of a file, or of standard input for `-`, as they arrive. Errors name the path.
 */
export async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const { createReadStream } = await import("node:fs");
  const { default: process } = await import("node:process");
  const stream = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } catch (error) {
    throw new Error(
      `cannot read ${path === "-" ? "standard input" : path}: ${describeError(error)}`,
    );
  }
}

function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === "ENOENT"
    ? "no such file"
    : code === "EACCES"
    ? "permission denied"
    : code === "EISDIR"
    ? "it is a directory"
    : String((error as Error).message);
}
