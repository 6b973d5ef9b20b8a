/**
 * Builds the WebAssembly modules reproducibly: the OpenH264 encoder (here) and the libjpeg-turbo
 * decoder (scripts/build_jpeg_wasm.ts). For OpenH264 it
 *
 * 1. fetches Debian's source package `openh264` (version pinned below, checksums verified) into
 *    `.cache/openh264/` with `apt-get source`, enabling deb-src in
 *    `/etc/apt/sources.list.d/debian.sources` first when apt has no source URIs;
 * 2. compiles the encoder, common and processing C++ sources (the lists in the package's
 *    meson.build files; no x86/ARM assembly), our `wasm/*.c` and `wasm/*.cpp` (the bridge, the
 *    conversions and the WebAssembly SIMD kernels with their installer) with emcc, two jobs at a
 *    time;
 * 3. links `wasm/openh264.wasm` (no JavaScript glue) and writes `wasm/openh264_wasm.ts` (the
 *    module deflated and base64'd) and `wasm/LICENSE.openh264` (from the package's LICENSE).
 *
 * The same inputs give byte-identical outputs: sorted file lists, no timestamps, no debug info,
 * source paths mapped away, and a clean environment for emcc. `--check` rebuilds both modules into
 * temporary directories and exits 1 when any committed output differs.
 *
 * ```sh
 * deno run -A scripts/build_wasm.ts              # build both modules and write their outputs
 * deno run -A scripts/build_wasm.ts --check      # rebuild both and compare byte for byte
 * deno run -A scripts/build_wasm.ts --only jpeg  # one module (openh264 or jpeg)
 * deno run -A scripts/build_wasm.ts --print-flags
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildJpeg, printJpegFlags } from "./build_jpeg_wasm.ts";
import {
  BuildError,
  checkEmcc,
  checkInterface,
  compileAll,
  type DebianSource,
  deflatedBase64,
  deflatedLines,
  exists,
  fetchSource,
  type Job,
  log,
  mustRun,
  objectName,
  type Outputs,
  prefixMaps,
  ROOT,
  sha256,
  staleOutputs,
  writeOutputs,
} from "./wasm_common.ts";

export { EMCC_VERSION } from "./wasm_common.ts";

/** Debian source package version compiled into the module. */
export const DEBIAN_VERSION = "2.3.1+dfsg-3+deb12u2";
const SOURCE_TREE = "openh264-2.3.1+dfsg";
/** The source package, with the SHA-256 of its three files (from its signed .dsc). */
const SOURCE: DebianSource = {
  name: "openh264",
  version: DEBIAN_VERSION,
  tree: SOURCE_TREE,
  files: {
    "openh264_2.3.1+dfsg-3+deb12u2.dsc":
      "ab0232d6f1cba01441fde3785a50923839a99bd9ce7abbe8d377e282a72315c8",
    "openh264_2.3.1+dfsg.orig.tar.xz":
      "87124d0eb5d86ea78c59bab916ecdc3d9dfa752ce6bf73a609bbb98db7d96383",
    "openh264_2.3.1+dfsg-3+deb12u2.debian.tar.xz":
      "8d749166ec936dd757eed56a3157167bee5ab95511d5726cc2d87ffca2069bb0",
  },
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

const OUT_WASM = "wasm/openh264.wasm";
const OUT_TS = "wasm/openh264_wasm.ts";
const OUT_LICENSE = "wasm/LICENSE.openh264";

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

/** Maps the machine-specific directories to fixed names in anything the compiler records. */
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
  const maps = prefixMaps(tree, SOURCE_TREE, build);
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

/** The generated TypeScript module: formatted as `deno fmt` would, so `fmt --check` passes. */
export async function renderModuleTs(wasm: Uint8Array, license: string): Promise<string> {
  const lines = deflatedLines(wasm);
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
    `wasm/openh264.wasm and its embedded copy in wasm/openh264_wasm.ts contain OpenH264`,
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

async function build(cache: string, jobs: number): Promise<Outputs> {
  const tree = await fetchSource(cache, SOURCE);
  const buildDir = await Deno.makeTempDir({ prefix: "rtse-wasm-" });
  try {
    const wasm = await compileAndLink(tree, buildDir, jobs);
    await checkInterface(wasm, ALLOWED_IMPORTS, EXPORTS, "wasm_binding.ts");
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

/** Logs a module's size and hash. */
async function describe(name: string, wasm: Uint8Array): Promise<void> {
  const deflated = deflatedBase64(wasm).length;
  log(`${name}: ${wasm.length} bytes raw, ${deflated} bytes base64 deflated`);
  log(`${name} sha256: ${await sha256(wasm)}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      check: { type: "boolean", default: false },
      "print-flags": { type: "boolean", default: false },
      only: { type: "string" },
      jobs: { type: "string", default: "2" },
      cache: { type: "string", default: `${ROOT}/.cache/openh264` },
      "jpeg-cache": { type: "string", default: `${ROOT}/.cache/libjpeg-turbo` },
    },
  });
  const only = values.only;
  if (only !== undefined && only !== "openh264" && only !== "jpeg") {
    throw new BuildError(`--only must be openh264 or jpeg, got ${only}`);
  }
  if (values["print-flags"]) {
    if (only !== "jpeg") {
      console.log(`C++ compile: em++ ${[...COMMON_FLAGS, ...CXX_FLAGS].join(" ")}`);
      console.log(`C compile:   emcc ${[...COMMON_FLAGS, ...C_FLAGS].join(" ")}`);
      console.log(`link:        em++ ${LINK_FLAGS.join(" ")}`);
      console.log(`exports:     ${EXPORTS.join(" ")}`);
    }
    if (only !== "openh264") printJpegFlags();
    return 0;
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new BuildError(`--jobs must be a positive integer`);
  }
  await checkEmcc();
  const outputs: Outputs = {};
  if (only !== "jpeg") {
    Object.assign(outputs, await build(values.cache, jobs));
    await describe("openh264.wasm", outputs[OUT_WASM]);
  }
  if (only !== "openh264") {
    const jpeg = await buildJpeg(values["jpeg-cache"], jobs);
    Object.assign(outputs, jpeg.outputs);
    await describe("jpeg.wasm", jpeg.wasm);
  }
  if (values.check) {
    const stale = await staleOutputs(outputs);
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
  await writeOutputs(outputs);
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
