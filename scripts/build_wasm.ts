/**
 * Builds the OpenH264 encoder into one standalone WebAssembly module, reproducibly:
 *
 * 1. fetches Debian's source package `openh264` (version pinned below, checksums verified) into
 *    `.cache/openh264/` with `apt-get source`, enabling deb-src in
 *    `/etc/apt/sources.list.d/debian.sources` first when apt has no source URIs;
 * 2. compiles the encoder, common and processing C++ sources (the lists in the package's
 *    meson.build files; no x86/ARM assembly), our `wasm/*.c` and `wasm/*.cpp` (the bridge, the
 *    conversions and the WebAssembly SIMD kernels with their installer) with emcc, two jobs at a
 *    time;
 * 3. links `wasm/openh264.wasm` (no JavaScript glue) and writes `src/encoder/wasm_module.ts` (the
 *    module deflated and base64'd) and `wasm/LICENSE.openh264` (from the package's LICENSE).
 *
 * The same inputs give byte-identical outputs: sorted file lists, no timestamps, no debug info,
 * source paths mapped away, and a clean environment for emcc. `--check` rebuilds into a temporary
 * directory and exits 1 when any committed output differs.
 *
 * ```sh
 * deno run -A scripts/build_wasm.ts              # build and write the three outputs
 * deno run -A scripts/build_wasm.ts --check      # rebuild and compare byte for byte
 * deno run -A scripts/build_wasm.ts --print-flags
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
// Pinned exactly, not through the import map: another fflate version may deflate differently,
// and the generated module must be byte-identical from build to build.
// deno-lint-ignore no-import-prefix
import { deflateSync } from "npm:fflate@0.8.2";

/** Debian source package version compiled into the module. */
export const DEBIAN_VERSION = "2.3.1+dfsg-3+deb12u2";
/** The emscripten release the committed module was built with (Debian bookworm's `emscripten`). */
export const EMCC_VERSION = "3.1.6";

const SOURCE_TREE = "openh264-2.3.1+dfsg";
/** SHA-256 of the three files of the source package (from its signed .dsc). */
const PACKAGE_FILES: Record<string, string> = {
  "openh264_2.3.1+dfsg-3+deb12u2.dsc":
    "ab0232d6f1cba01441fde3785a50923839a99bd9ce7abbe8d377e282a72315c8",
  "openh264_2.3.1+dfsg.orig.tar.xz":
    "87124d0eb5d86ea78c59bab916ecdc3d9dfa752ce6bf73a609bbb98db7d96383",
  "openh264_2.3.1+dfsg-3+deb12u2.debian.tar.xz":
    "8d749166ec936dd757eed56a3157167bee5ab95511d5726cc2d87ffca2069bb0",
};

/** Library folders whose meson.build `cpp_sources` make up the encoder. */
const LIBRARIES = ["codec/common", "codec/encoder", "codec/processing"];
const INCLUDE_DIRS = [
  "codec/api/wels",
  "codec/common/inc",
  "codec/encoder/core/inc",
  "codec/encoder/plus/inc",
  "codec/processing/interface",
  "codec/processing/src/common",
  "codec/processing/src/adaptivequantization",
  "codec/processing/src/downsample",
  "codec/processing/src/scrolldetection",
  "codec/processing/src/vaacalc",
];
/** Our own C sources, relative to the repository root. */
export const BRIDGE_SOURCES: readonly string[] = [
  "wasm/bridge.c",
  "wasm/convert.c",
  "wasm/simd_kernels.c",
];
/** Our own C++ sources: compiled like OpenH264's (its flags and include paths), since they use
 * its internal headers (they install the SIMD kernels into the encoder's function tables). */
export const BRIDGE_CXX_SOURCES: readonly string[] = [
  "wasm/simd_install.cpp",
  "wasm/simd_install_vp.cpp",
];

/** Exported functions: the ABI in wasm/README.md. */
export const EXPORTS: readonly string[] = [
  "rtse_frame_size",
  "rtse_encoder_create",
  "rtse_encoder_input",
  "rtse_encoder_encode",
  "rtse_encoder_output",
  "rtse_encoder_frame_type",
  "rtse_encoder_force_keyframe",
  "rtse_encoder_set_bitrate",
  "rtse_encoder_set_framerate",
  "rtse_encoder_destroy",
  "rtse_convert_to_i420",
  "rtse_malloc",
  "rtse_free",
  "rtse_set_simd",
  "rtse_selftest_kernels",
  "rtse_encoder_simd",
];
/** Imports the TypeScript binding provides (src/encoder/wasm_binding.ts); anything else fails. */
const ALLOWED_IMPORTS = new Set([
  "wasi_snapshot_preview1.clock_time_get",
  "wasi_snapshot_preview1.fd_write",
  "wasi_snapshot_preview1.fd_close",
  "wasi_snapshot_preview1.fd_seek",
  "wasi_snapshot_preview1.proc_exit",
  "wasi_snapshot_preview1.environ_sizes_get",
  "wasi_snapshot_preview1.environ_get",
  "wasi_snapshot_preview1.args_sizes_get",
  "wasi_snapshot_preview1.args_get",
  "env.emscripten_notify_memory_growth",
]);

/** Flags for every compile (C and C++). */
export const COMMON_FLAGS: readonly string[] = ["-O3", "-msimd128", "-DNDEBUG", "-fno-exceptions"];
/** Extra flags for OpenH264's C++ (Makefile's -fno-strict-aliasing; its version header). */
export const CXX_FLAGS: readonly string[] = [
  "-fno-rtti",
  "-fno-strict-aliasing",
  "-DGENERATED_VERSION_HEADER",
];
/** Extra flags for the bridge. */
export const C_FLAGS: readonly string[] = ["-std=c11", "-Wall", "-Wextra", "-Werror"];
/** Link flags (plus `-sEXPORTED_FUNCTIONS` built from EXPORTS). */
export const LINK_FLAGS: readonly string[] = [
  "-O3",
  "-msimd128",
  "-fno-exceptions",
  "-sSTANDALONE_WASM",
  "--no-entry",
  "-sFILESYSTEM=0",
  "-sALLOW_MEMORY_GROWTH=1",
  "-sINITIAL_MEMORY=16777216",
  "-sABORTING_MALLOC=0",
];

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const OUT_WASM = "wasm/openh264.wasm";
const OUT_TS = "src/encoder/wasm_module.ts";
const OUT_LICENSE = "wasm/LICENSE.openh264";

/** A build step failed; the message says which and why. */
class BuildError extends Error {}

function log(message: string): void {
  console.log(`build_wasm: ${message}`);
}

interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a program with a minimal environment, so stray EMCC_CFLAGS and the like cannot leak in. */
async function run(cmd: string, args: string[], cwd = ROOT): Promise<RunResult> {
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

async function mustRun(cmd: string, args: string[], cwd = ROOT): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (!r.ok) throw new BuildError(`${cmd} ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function packageFilesVerified(cache: string): Promise<boolean> {
  for (const [name, expected] of Object.entries(PACKAGE_FILES)) {
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
async function fetchSource(cache: string): Promise<string> {
  const tree = `${cache}/${SOURCE_TREE}`;
  const stamp = `${cache}/${SOURCE_TREE}.ready`;
  if (await exists(stamp) && (await Deno.readTextFile(stamp)).trim() === DEBIAN_VERSION) {
    log(`source: ${tree} (cached)`);
    return tree;
  }
  await Deno.mkdir(cache, { recursive: true });
  await Deno.remove(tree, { recursive: true }).catch(() => {});
  if (await packageFilesVerified(cache)) {
    // The three files are already here (an earlier download, or copied from snapshot.debian.org).
    log(`source: unpacking ${Object.keys(PACKAGE_FILES)[0]} with dpkg-source`);
    await mustRun("dpkg-source", ["-x", Object.keys(PACKAGE_FILES)[0], SOURCE_TREE], cache);
  } else {
    log(`source: apt-get source openh264=${DEBIAN_VERSION} into ${cache}`);
    const args = ["source", "-qq", `openh264=${DEBIAN_VERSION}`];
    let r = await run("apt-get", args, cache);
    if (!r.ok && /deb-src|find a source package/i.test(r.stderr)) {
      await enableDebSrc();
      r = await run("apt-get", args, cache);
    }
    if (!r.ok) throw new BuildError(`apt-get source failed:\n${r.stderr}`);
    if (!(await packageFilesVerified(cache))) throw new BuildError("apt-get source left no files");
  }
  const changelog = await Deno.readTextFile(`${tree}/debian/changelog`);
  if (!changelog.startsWith(`openh264 (${DEBIAN_VERSION})`)) {
    throw new BuildError(`${tree} is not openh264 ${DEBIAN_VERSION}`);
  }
  await Deno.writeTextFile(stamp, `${DEBIAN_VERSION}\n`);
  return tree;
}

async function checkEmcc(): Promise<void> {
  const first = (await mustRun("emcc", ["--version"])).split("\n")[0];
  if (!first.includes(` ${EMCC_VERSION} `)) {
    throw new BuildError(
      `emcc ${EMCC_VERSION} is required (Debian bookworm's emscripten), got: ${first}`,
    );
  }
  log(`compiler: ${first}`);
}

/** The `cpp_sources` list of each library's meson.build, as paths in the tree, sorted. */
async function openh264Sources(tree: string): Promise<string[]> {
  const files: string[] = [];
  for (const lib of LIBRARIES) {
    const meson = await Deno.readTextFile(`${tree}/${lib}/meson.build`);
    const list = /cpp_sources\s*=\s*\[([^\]]*)\]/.exec(meson);
    if (!list) throw new BuildError(`${lib}/meson.build has no cpp_sources list`);
    for (const m of list[1].matchAll(/'([^']+)'/g)) files.push(`${lib}/${m[1]}`);
  }
  files.sort();
  for (const f of files) {
    if (!f.endsWith(".cpp")) throw new BuildError(`unexpected source ${f}`);
    if (!(await exists(`${tree}/${f}`))) throw new BuildError(`${tree}/${f} is missing`);
  }
  return files;
}

interface Job {
  label: string;
  args: string[];
}

/** Runs the jobs `parallel` at a time; objects are named by source, so order does not matter. */
async function compileAll(jobs: Job[], parallel: number): Promise<void> {
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

function objectName(path: string): string {
  return path.replaceAll("/", "__").replace(/\.(c|cpp)$/, ".o");
}

/** Maps the machine-specific directories to fixed names in anything the compiler records. */
function prefixMaps(tree: string, build: string): string[] {
  return [
    `-ffile-prefix-map=${tree}=${SOURCE_TREE}`,
    `-ffile-prefix-map=${build}=build`,
    `-ffile-prefix-map=${ROOT}=rtsp-edge`,
  ];
}

/**
 * Compiles OpenH264 (from the unpacked `tree`) and the bridge in `build`, links them, and returns
 * the module. `extraLinkFlags` are for diagnostic builds only (the encoder benchmark's
 * `--profiling-funcs` build, which must otherwise match this recipe exactly).
 */
export async function compileAndLink(
  tree: string,
  build: string,
  jobs: number,
  extraLinkFlags: readonly string[] = [],
): Promise<Uint8Array> {
  const inc = `${build}/include`;
  const obj = `${build}/obj`;
  await Deno.mkdir(inc, { recursive: true });
  await Deno.mkdir(obj, { recursive: true });
  // What the package's Makefile generates from version_gen.h.template (Debian patches it to not
  // ask git); the meson build, and so the default header, would say "openh264 default: 1.4".
  await Deno.writeTextFile(
    `${inc}/version_gen.h`,
    '#ifndef VERSION_GEN_H\n#define VERSION_GEN_H\n\n#define VERSION_NUMBER "2.3.1"\n\n#endif\n',
  );
  const includes = [`-I${inc}`, ...INCLUDE_DIRS.map((d) => `-I${tree}/${d}`)];
  const maps = prefixMaps(tree, build);
  const list: Job[] = [];
  for (const f of await openh264Sources(tree)) {
    const args = ["em++", ...COMMON_FLAGS, ...CXX_FLAGS, ...maps, ...includes];
    list.push({ label: f, args: [...args, "-c", `${tree}/${f}`, "-o", `${obj}/${objectName(f)}`] });
  }
  for (const f of BRIDGE_SOURCES) {
    const args = ["emcc", ...COMMON_FLAGS, ...C_FLAGS, ...maps, `-I${tree}/codec/api/wels`];
    list.push({ label: f, args: [...args, "-c", `${ROOT}/${f}`, "-o", `${obj}/${objectName(f)}`] });
  }
  for (const f of BRIDGE_CXX_SOURCES) {
    const args = ["em++", ...COMMON_FLAGS, ...CXX_FLAGS, ...maps, ...includes, `-I${ROOT}/wasm`];
    list.push({ label: f, args: [...args, "-c", `${ROOT}/${f}`, "-o", `${obj}/${objectName(f)}`] });
  }
  log(`compiling ${list.length} files, ${jobs} at a time`);
  await compileAll(list, jobs);
  const objects = list.map((j) => j.args[j.args.length - 1]).sort();
  const exported = `-sEXPORTED_FUNCTIONS=[${EXPORTS.map((e) => `_${e}`).join(",")}]`;
  log(`linking ${objects.length} objects`);
  await mustRun("em++", [
    ...LINK_FLAGS,
    ...extraLinkFlags,
    exported,
    ...objects,
    "-o",
    `${build}/openh264.wasm`,
  ]);
  return await Deno.readFile(`${build}/openh264.wasm`);
}

/** Fails when the module imports something the binding does not provide or lacks an export. */
async function checkInterface(wasm: Uint8Array): Promise<void> {
  const module = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  for (const i of WebAssembly.Module.imports(module)) {
    const name = `${i.module}.${i.name}`;
    if (!ALLOWED_IMPORTS.has(name)) {
      throw new BuildError(`the module imports ${name}, which wasm_binding.ts does not provide`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of [...EXPORTS, "memory", "_initialize"]) {
    if (!exported.has(name)) throw new BuildError(`the module does not export ${name}`);
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The generated TypeScript module: formatted as `deno fmt` would, so `fmt --check` passes. */
export async function renderModuleTs(wasm: Uint8Array, license: string): Promise<string> {
  const encoded = base64(deflateSync(wasm, { level: 9 }));
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 92) lines.push(`  "${encoded.slice(i, i + 92)}",`);
  return [
    "// GENERATED by scripts/build_wasm.ts from wasm/openh264.wasm. Do not edit.",
    "// Regenerate: deno run -A scripts/build_wasm.ts (`--check` verifies it is current).",
    "",
    "/**",
    ` * The OpenH264 ${DEBIAN_VERSION} encoder and the rtsp-edge bridge (wasm/bridge.c) as one`,
    " * standalone WebAssembly module, deflated (fflate, level 9) and base64-encoded, so the module",
    " * graph carries it without file access. Licence: wasm/LICENSE.openh264 (BSD-2-Clause).",
    " *",
    " * @module",
    " */",
    "",
    "/** Size in bytes of the raw (inflated) WebAssembly module. */",
    `export const OPENH264_WASM_SIZE: number = ${wasm.length};`,
    "",
    "/** SHA-256 (hex) of the raw WebAssembly module, identical to wasm/openh264.wasm. */",
    `export const OPENH264_WASM_SHA256: string =`,
    `  "${await sha256(wasm)}";`,
    "",
    "/** Debian source package version of the OpenH264 compiled into the module. */",
    `export const OPENH264_VERSION: string = "${DEBIAN_VERSION}";`,
    "",
    "/** OpenH264's licence notice (wasm/LICENSE.openh264), shipped inside every binary. */",
    `export const OPENH264_LICENSE: string = ${JSON.stringify(license)};`,
    "",
    "/** The module, deflated (raw DEFLATE, RFC 1951) and base64-encoded. */",
    "export const OPENH264_WASM_DEFLATED: string = [",
    ...lines,
    '].join("");',
    "",
  ].join("\n");
}

async function renderLicense(tree: string): Promise<string> {
  const license = (await Deno.readTextFile(`${tree}/LICENSE`)).trimEnd();
  return [
    `wasm/openh264.wasm and its embedded copy in src/encoder/wasm_module.ts contain OpenH264`,
    `(https://www.openh264.org/, https://github.com/cisco/openh264) version 2.3.1, built from`,
    `the Debian source package openh264 ${DEBIAN_VERSION}. OpenH264 is distributed under`,
    `the BSD 2-Clause licence (debian/copyright: "Files: * / Copyright: 2004-2013, 2022, Cisco`,
    `Systems / License: BSD-2-clause"); its LICENSE file follows.`,
    "",
    "-".repeat(78),
    "",
    license,
    "",
  ].join("\n");
}

interface Outputs {
  [path: string]: Uint8Array;
}

async function build(cache: string, jobs: number): Promise<Outputs> {
  await checkEmcc();
  const tree = await fetchSource(cache);
  const buildDir = await Deno.makeTempDir({ prefix: "rtse-wasm-" });
  try {
    const wasm = await compileAndLink(tree, buildDir, jobs);
    await checkInterface(wasm);
    const text = new TextEncoder();
    const license = await renderLicense(tree);
    return {
      [OUT_WASM]: wasm,
      [OUT_TS]: text.encode(await renderModuleTs(wasm, license)),
      [OUT_LICENSE]: text.encode(license),
    };
  } finally {
    await Deno.remove(buildDir, { recursive: true });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      check: { type: "boolean", default: false },
      "print-flags": { type: "boolean", default: false },
      jobs: { type: "string", default: "2" },
      cache: { type: "string", default: `${ROOT}/.cache/openh264` },
    },
  });
  if (values["print-flags"]) {
    console.log(`C++ compile: em++ ${[...COMMON_FLAGS, ...CXX_FLAGS].join(" ")}`);
    console.log(`C compile:   emcc ${[...COMMON_FLAGS, ...C_FLAGS].join(" ")}`);
    console.log(`link:        em++ ${LINK_FLAGS.join(" ")}`);
    console.log(`exports:     ${EXPORTS.join(" ")}`);
    return 0;
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new BuildError(`--jobs must be a positive integer`);
  }
  const outputs = await build(values.cache, jobs);
  const wasm = outputs[OUT_WASM];
  const deflated = base64(deflateSync(wasm, { level: 9 })).length;
  log(`module: ${wasm.length} bytes raw, ${deflated} bytes base64 deflated`);
  log(`sha256: ${await sha256(wasm)}`);
  if (values.check) {
    const stale: string[] = [];
    for (const [path, bytes] of Object.entries(outputs)) {
      const committed = await Deno.readFile(`${ROOT}/${path}`).catch(() => new Uint8Array());
      if (!sameBytes(committed, bytes)) stale.push(path);
    }
    if (stale.length > 0) {
      const what = stale.length === 1 ? `${stale[0]} differs` : `${stale.join(", ")} differ`;
      console.error(
        `build_wasm: ${what} from a fresh build; ` +
          "run `deno run -A scripts/build_wasm.ts` and commit the result",
      );
      return 1;
    }
    log("check: committed outputs match a fresh build byte for byte");
    return 0;
  }
  for (const [path, bytes] of Object.entries(outputs)) {
    await Deno.writeFile(`${ROOT}/${path}`, bytes);
    log(`wrote ${path} (${bytes.length} bytes)`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`build_wasm: ${error.message}`);
    Deno.exit(1);
  }
}
