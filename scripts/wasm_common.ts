/**
 * Shared pieces of the reproducible WebAssembly builds (scripts/build_wasm.ts for OpenH264,
 * scripts/build_jpeg_wasm.ts for libjpeg-turbo): running tools in a clean environment, fetching and
 * verifying a Debian source package, checking the emcc version, parallel compiles, and rendering
 * the embedded base64 copy.
 *
 * @module
 */

// Pinned exactly, not through the import map: another fflate version may deflate differently,
// and the generated modules must be byte-identical from build to build.
// deno-lint-ignore no-import-prefix
import { deflateSync } from "npm:fflate@0.8.2";

/** The emscripten release the committed modules are built with (Debian bookworm's `emscripten`). */
export const EMCC_VERSION = "3.1.6";

/** The repository root (no trailing slash). */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** A build step failed; the message says which and why. */
export class BuildError extends Error {}

/** Prints one progress line. */
export function log(message: string): void {
  console.log(`build_wasm: ${message}`);
}

/** What a finished program left. */
export interface RunResult {
  /** Whether it exited with 0. */
  ok: boolean;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/** Runs a program with a minimal environment, so stray EMCC_CFLAGS and the like cannot leak in. */
export async function run(cmd: string, args: string[], cwd: string = ROOT): Promise<RunResult> {
  const env: Record<string, string> = { LANG: "C", LC_ALL: "C" };
  for (const key of ["PATH", "HOME", "TMPDIR"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, env, clearEnv: true, stdin: "null" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new BuildError(`${cmd} is not installed`);
    throw error;
  }
  const text = new TextDecoder();
  return { ok: out.success, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** {@link run}, throwing {@link BuildError} with the program's output when it fails. */
export async function mustRun(cmd: string, args: string[], cwd: string = ROOT): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (!r.ok) throw new BuildError(`${cmd} ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** SHA-256 of bytes, in hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A Debian source package pinned to one version and the checksums of its files. */
export interface DebianSource {
  /** Source package name, e.g. `openh264`. */
  name: string;
  /** Full version including any epoch, e.g. `1:2.1.5-2`. */
  version: string;
  /** Directory `dpkg-source -x` unpacks into. */
  tree: string;
  /** SHA-256 of the .dsc, .orig and .debian files (from the signed .dsc); the .dsc first. */
  files: Record<string, string>;
}

async function packageFilesVerified(
  cache: string,
  files: Record<string, string>,
): Promise<boolean> {
  for (const [name, expected] of Object.entries(files)) {
    const path = `${cache}/${name}`;
    if (!(await exists(path))) return false;
    const actual = await sha256(await Deno.readFile(path));
    if (actual !== expected) {
      throw new BuildError(`${path}: sha256 ${actual}, expected ${expected}`);
    }
  }
  return true;
}

/**
 * Makes apt know source packages: Debian 12 keeps its sources in deb822 form, where source URIs
 * need `Types: deb deb-src`. Then refreshes the indexes (also when deb-src was on but never
 * fetched). Both need root.
 */
async function enableDebSrc(): Promise<void> {
  const path = "/etc/apt/sources.list.d/debian.sources";
  if (!(await exists(path))) {
    throw new BuildError(`apt knows no source packages and ${path} does not exist; add deb-src`);
  }
  const text = await Deno.readTextFile(path);
  if (!/^Types:.*\bdeb-src\b/m.test(text)) {
    const updated = text.replace(/^Types:[ \t]*deb[ \t]*$/gm, "Types: deb deb-src");
    if (updated === text) throw new BuildError(`${path} has no plain "Types: deb" line to extend`);
    log(`source: enabling deb-src in ${path}`);
    try {
      await Deno.writeTextFile(path, updated);
    } catch (error) {
      throw new BuildError(`cannot edit ${path} (${(error as Error).message}); run as root`);
    }
  }
  log("source: apt-get update");
  await mustRun("apt-get", ["update", "-qq"]);
}

/** Returns the unpacked, patched source tree, fetching it once into the cache. */
export async function fetchSource(cache: string, source: DebianSource): Promise<string> {
  const tree = `${cache}/${source.tree}`;
  const stamp = `${cache}/${source.tree}.ready`;
  if (await exists(stamp) && (await Deno.readTextFile(stamp)).trim() === source.version) {
    log(`source: ${tree} (cached)`);
    return tree;
  }
  await Deno.mkdir(cache, { recursive: true });
  await Deno.remove(tree, { recursive: true }).catch(() => {});
  const dsc = Object.keys(source.files)[0];
  if (await packageFilesVerified(cache, source.files)) {
    // The files are already here (an earlier download, or copied from snapshot.debian.org).
    log(`source: unpacking ${dsc} with dpkg-source`);
    await mustRun("dpkg-source", ["-x", dsc, source.tree], cache);
  } else {
    log(`source: apt-get source ${source.name}=${source.version} into ${cache}`);
    const args = ["source", "-qq", `${source.name}=${source.version}`];
    let r = await run("apt-get", args, cache);
    if (!r.ok && /deb-src|find a source package/i.test(r.stderr)) {
      await enableDebSrc();
      r = await run("apt-get", args, cache);
    }
    if (!r.ok) throw new BuildError(`apt-get source failed:\n${r.stderr}`);
    if (!(await packageFilesVerified(cache, source.files))) {
      throw new BuildError("apt-get source left no files");
    }
  }
  const changelog = await Deno.readTextFile(`${tree}/debian/changelog`);
  if (!changelog.startsWith(`${source.name} (${source.version})`)) {
    throw new BuildError(`${tree} is not ${source.name} ${source.version}`);
  }
  await Deno.writeTextFile(stamp, `${source.version}\n`);
  return tree;
}

/** Fails unless `emcc` is exactly {@link EMCC_VERSION}: another compiler gives other bytes. */
export async function checkEmcc(): Promise<void> {
  const first = (await mustRun("emcc", ["--version"])).split("\n")[0];
  if (!first.includes(` ${EMCC_VERSION} `)) {
    throw new BuildError(
      `emcc ${EMCC_VERSION} is required (Debian bookworm's emscripten), got: ${first}`,
    );
  }
  log(`compiler: ${first}`);
}

/** One compiler invocation. */
export interface Job {
  /** What the progress line names. */
  label: string;
  /** The command line, program first. */
  args: string[];
}

/** Runs the jobs `parallel` at a time; objects are named by source, so order does not matter. */
export async function compileAll(jobs: Job[], parallel: number): Promise<void> {
  let next = 0;
  let done = 0;
  const width = String(jobs.length).length;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const r = await run(job.args[0], job.args.slice(1));
      if (!r.ok) throw new BuildError(`compiling ${job.label} failed:\n${r.stderr}`);
      done++;
      log(`compiled [${String(done).padStart(width)}/${jobs.length}] ${job.label}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

/** The object file name for a source path (unique: the path with `/` spelled `__`). */
export function objectName(path: string): string {
  return path.replaceAll("/", "__").replace(/\.(c|cpp)$/, ".o");
}

/** Fails when the module imports anything not in `allowed` or lacks one of `exports`. */
export async function checkInterface(
  wasm: Uint8Array,
  allowed: ReadonlySet<string>,
  exports: readonly string[],
  binding: string,
): Promise<void> {
  const module = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  for (const i of WebAssembly.Module.imports(module)) {
    const name = `${i.module}.${i.name}`;
    if (!allowed.has(name)) {
      throw new BuildError(`the module imports ${name}, which ${binding} does not provide`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of [...exports, "memory", "_initialize"]) {
    if (!exported.has(name)) throw new BuildError(`the module does not export ${name}`);
  }
}

/** Standard base64 of bytes. */
/**
 * `-ffile-prefix-map` flags that name the source tree, the build directory and the repository by
 * fixed names, so no path of this machine ends up in the module.
 */
export function prefixMaps(tree: string, treeName: string, build: string): string[] {
  return [
    `-ffile-prefix-map=${tree}=${treeName}`,
    `-ffile-prefix-map=${build}=build`,
    `-ffile-prefix-map=${ROOT}=rtsp-edge`,
  ];
}

/** The module deflated (fflate, level 9) and base64-encoded: what the generated file embeds. */
export function deflatedBase64(wasm: Uint8Array): string {
  return base64(deflateSync(wasm, { level: 9 }));
}

/** {@link deflatedBase64} as the generated file's lines of string literals. */
export function deflatedLines(wasm: Uint8Array): string[] {
  const encoded = deflatedBase64(wasm);
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 92) lines.push(`  "${encoded.slice(i, i + 92)}",`);
  return lines;
}

export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Whether two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Generated files by repository path. */
export interface Outputs {
  [path: string]: Uint8Array;
}

/** Paths (of `outputs`) whose committed bytes differ from the fresh build. */
export async function staleOutputs(outputs: Outputs): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, bytes] of Object.entries(outputs)) {
    const committed = await Deno.readFile(`${ROOT}/${path}`).catch(() => new Uint8Array());
    if (!sameBytes(committed, bytes)) stale.push(path);
  }
  return stale;
}

/** Writes the outputs into the repository. */
export async function writeOutputs(outputs: Outputs): Promise<void> {
  for (const [path, bytes] of Object.entries(outputs)) {
    await Deno.writeFile(`${ROOT}/${path}`, bytes);
    log(`wrote ${path} (${bytes.length} bytes)`);
  }
}
