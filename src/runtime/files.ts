/**
 * Reading files and standard input through `node:fs` and `node:process`, which Deno, Bun and Node
 * all ship.
 *
 * `node:fs` is loaded at the first call that reads something, not with this module (which every
 * server loads for {@link describeSystemError}): under Bun, importing it keeps about 4 MB of its
 * code resident, in servers that mostly never open a file.
 *
 * @module
 */

import process from "node:process";

/** `node:fs`, loaded on first use; synchronously, for the synchronous callers. */
function nodeFs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs") as typeof import("node:fs");
}

/** Reads a whole file. Errors name the path and the reason in one sentence. */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    const { readFile } = await import("node:fs/promises");
    const bytes = await readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describeSystemError(error)}`);
  }
}

/**
 * Whether `path` names something (a file, a device node) right now. Synchronous: for the camera,
 * which asks it in the middle of telling a lost device from a failed one.
 */
export function pathExists(path: string): boolean {
  return nodeFs().existsSync(path);
}

/** The names in directory `dir`, or none when it cannot be read. Synchronous, like a device scan. */
export function directoryNames(dir: string): string[] {
  try {
    return nodeFs().readdirSync(dir);
  } catch {
    return [];
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
      `cannot read ${path === "-" ? "standard input" : path}: ${describeSystemError(error)}`,
    );
  }
}

const ERRNO_SENTENCES: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EMFILE: "too many open files",
  EADDRINUSE: "the port is in use",
  EADDRNOTAVAIL: "the address is not on this machine",
  ECONNREFUSED: "connection refused (nothing listens on that port)",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be looked up (DNS)",
  ETIMEDOUT: "no answer in time",
};

/**
 * Why a file or socket call failed, in a few words for a one-line message: the errno name that
 * Node, Deno and Bun all put in `code` turned into words, else the first line of the error's own
 * message. With `listening`, a refused port also says that low ports need privileges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeSystemError } from "./files.ts";
 *
 * assert.equal(describeSystemError(Object.assign(new Error("x"), { code: "ENOENT" })), "no such file");
 * assert.equal(
 *   describeSystemError(Object.assign(new Error("x"), { code: "EACCES" }), { listening: true }),
 *   "permission denied (ports below 1024 need privileges)",
 * );
 * assert.equal(describeSystemError(new Error("disk on fire\nat ...")), "disk on fire");
 * ```
 */
export function describeSystemError(error: unknown, options: { listening?: boolean } = {}): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const sentence = typeof code === "string" ? ERRNO_SENTENCES[code] : undefined;
  if (sentence === undefined) {
    return String((error as Error | undefined)?.message ?? error).split("\n")[0];
  }
  if (options.listening && code === "EACCES") {
    return `${sentence} (ports below 1024 need privileges)`;
  }
  return sentence;
}
