/**
 * Builds the WebAssembly modules reproducibly: the OpenH264 encoder (here), the OpenH264 decoder
 * (scripts/build_decoder_wasm.ts) and libjpeg-turbo (scripts/build_jpeg_wasm.ts). For the encoder
 * it
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
 * source paths mapped away, and a clean environment for emcc. `--check` rebuilds every module into
 * temporary directories and exits 1 when any committed output differs.
 *
 * ```sh
 * deno run -A scripts/build_wasm.ts              # build every module and write their outputs
 * deno run -A scripts/build_wasm.ts --check      # rebuild all and compare byte for byte
 * deno run -A scripts/build_wasm.ts --only jpeg  # one module (openh264, decoder or jpeg)
 * deno run -A scripts/build_wasm.ts --print-flags
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildDecoder, printDecoderFlags } from "./build_decoder_wasm.ts";
import { buildJpeg, printJpegFlags } from "./build_jpeg_wasm.ts";
import {
  ALLOWED_IMPORTS,
  C_FLAGS,
  COMMON_FLAGS,
  CXX_FLAGS,
  DEBIAN_VERSION,
  LINK_FLAGS,
  mesonSources,
  renderOpenh264License,
  SOURCE,
  SOURCE_TREE,
  writeVersionHeader,
} from "./openh264_source.ts";
import {
  BuildError,
  checkEmcc,
  checkInterface,
  compileAll,
  deflatedBase64,
  deflatedLines,
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
export { C_FLAGS, COMMON_FLAGS, CXX_FLAGS, DEBIAN_VERSION, LINK_FLAGS } from "./openh264_source.ts";

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
const OUT_WASM = "wasm/openh264.wasm";
const OUT_TS = "wasm/openh264_wasm.ts";
const OUT_LICENSE = "wasm/LICENSE.openh264";

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
  await writeVersionHeader(inc);
  const includes = [`-I${inc}`, ...INCLUDE_DIRS.map((d) => `-I${tree}/${d}`)];
  const maps = prefixMaps(tree, SOURCE_TREE, build);
  const list: Job[] = [];
  for (const f of await mesonSources(tree, LIBRARIES)) {
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

async function build(cache: string, jobs: number): Promise<Outputs> {
  const tree = await fetchSource(cache, SOURCE);
  const buildDir = await Deno.makeTempDir({ prefix: "rtse-wasm-" });
  try {
    const wasm = await compileAndLink(tree, buildDir, jobs);
    await checkInterface(wasm, ALLOWED_IMPORTS, EXPORTS, "wasm_binding.ts");
    const text = new TextEncoder();
    const license = await renderOpenh264License(tree);
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
  if (only !== undefined && !["openh264", "decoder", "jpeg"].includes(only)) {
    throw new BuildError(`--only must be openh264, decoder or jpeg, got ${only}`);
  }
  const wanted = (name: string): boolean => only === undefined || only === name;
  if (values["print-flags"]) {
    if (wanted("openh264")) {
      console.log(`C++ compile: em++ ${[...COMMON_FLAGS, ...CXX_FLAGS].join(" ")}`);
      console.log(`C compile:   emcc ${[...COMMON_FLAGS, ...C_FLAGS].join(" ")}`);
      console.log(`link:        em++ ${LINK_FLAGS.join(" ")}`);
      console.log(`exports:     ${EXPORTS.join(" ")}`);
    }
    if (wanted("decoder")) printDecoderFlags();
    if (wanted("jpeg")) printJpegFlags();
    return 0;
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new BuildError(`--jobs must be a positive integer`);
  }
  await checkEmcc();
  const outputs: Outputs = {};
  if (wanted("openh264")) {
    Object.assign(outputs, await build(values.cache, jobs));
    await describe("openh264.wasm", outputs[OUT_WASM]);
  }
  if (wanted("decoder")) {
    const decoder = await buildDecoder(values.cache, jobs);
    Object.assign(outputs, decoder.outputs);
    await describe("openh264_decoder.wasm", decoder.wasm);
  }
  if (wanted("jpeg")) {
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
