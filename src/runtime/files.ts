/**
 * Reading files through `node:fs`, which Deno, Bun and Node all ship.
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
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
      ? "permission denied"
      : code === "EISDIR"
      ? "it is a directory"
      : String((error as Error).message);
    throw new Error(`cannot read ${path}: ${why}`);
  }
}
