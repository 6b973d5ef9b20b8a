/**
 * Builds libjpeg-turbo's decompressor and compressor and our bridges (wasm/jpeg_bridge.c,
 * wasm/jpeg_compress.c) into one standalone WebAssembly module, reproducibly, like the OpenH264
 * recipe in scripts/build_wasm.ts (which runs this one too, so `deno task build:wasm --check`
 * covers every module):
 *
 * 1. fetches Debian's source package `libjpeg-turbo` (version pinned below, checksums verified)
 *    into `.cache/libjpeg-turbo/` with `apt-get source`;
 * 2. writes the three headers CMake would configure (jconfig.h, jconfigint.h, jversion.h) from the
 *    package's own `.h.in` templates, with the values of a non-SIMD wasm32 build;
 * 3. compiles the decompressor's and compressor's C files (libjpeg-turbo's C paths, no assembly;
 *    its SIMD hooks from `wasm/jpeg_simd.c`, which includes `jsimd_none.c` and adds a WebAssembly
 *    SIMD inverse DCT) and the bridges with emcc, and links `wasm/jpeg.wasm` (no JavaScript glue);
 * 4. writes `wasm/jpeg_wasm.ts` (the module deflated and base64'd) and
 *    `wasm/LICENSE.libjpeg-turbo` (from the package's LICENSE.md and README.ijg).
 *
 * ```sh
 * deno run -A scripts/build_wasm.ts --only jpeg          # build and write the three outputs
 * deno run -A scripts/build_wasm.ts --only jpeg --check  # rebuild and compare byte for byte
 * ```
 *
 * @module
 */

import {
  BuildError,
  checkInterface,
  compileAll,
  type DebianSource,
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
} from "./wasm_common.ts";

/** Debian source package version compiled into the module (bookworm). */
export const JPEG_DEBIAN_VERSION = "1:2.1.5-2";
/** The upstream version (CMakeLists.txt `set(VERSION ...)`, checked). */
const UPSTREAM_VERSION = "2.1.5";
const SOURCE_TREE = "libjpeg-turbo-2.1.5";

/** The source package, with the SHA-256 of its three files (from its signed .dsc). */
const SOURCE: DebianSource = {
  name: "libjpeg-turbo",
  version: JPEG_DEBIAN_VERSION,
  tree: SOURCE_TREE,
  files: {
    "libjpeg-turbo_2.1.5-2.dsc": "d718ead0dfbcbc8523665c02a7f7152e31039ded641d022868722623bb3b486d",
    "libjpeg-turbo_2.1.5.orig.tar.gz":
      "254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c",
    "libjpeg-turbo_2.1.5-2.debian.tar.xz":
      "cdb2433c2f7101345c1ffa14efb943787c675b86354691a32490845fe4bc9237",
  },
};

/**
 * The decompressor's and the compressor's part of CMakeLists.txt's `JPEG_SOURCES` (every name is
 * checked against that list), plus `jaricom.c`/`jdarith.c` (its WITH_ARITH_DEC default). Not
 * `jsimd_none.c` (what it builds when WITH_SIMD is off): wasm/jpeg_simd.c includes it. Sorted.
 * Leaves out transcoding (`jdtrans.c`, `jctrans.c`), ICC profiles (`jdicc.c`, `jcicc.c`) and arithmetic encoding
 * (`jcarith.c`: snapshots are baseline Huffman JPEGs, which every viewer reads).
 */
export const JPEG_SOURCES: readonly string[] = [
  "jaricom.c",
  "jcapimin.c",
  "jcapistd.c",
  "jccoefct.c",
  "jccolor.c",
  "jcdctmgr.c",
  "jchuff.c",
  "jcinit.c",
  "jcmainct.c",
  "jcmarker.c",
  "jcmaster.c",
  "jcomapi.c",
  "jcparam.c",
  "jcphuff.c",
  "jcprepct.c",
  "jcsample.c",
  "jdapimin.c",
  "jdapistd.c",
  "jdarith.c",
  "jdatadst.c",
  "jdatasrc.c",
  "jdcoefct.c",
  "jdcolor.c",
  "jddctmgr.c",
  "jdhuff.c",
  "jdinput.c",
  "jdmainct.c",
  "jdmarker.c",
  "jdmaster.c",
  "jdmerge.c",
  "jdphuff.c",
  "jdpostct.c",
  "jdsample.c",
  "jerror.c",
  "jfdctflt.c",
  "jfdctfst.c",
  "jfdctint.c",
  "jidctflt.c",
  "jidctfst.c",
  "jidctint.c",
  "jidctred.c",
  "jmemmgr.c",
  "jmemnobs.c",
  "jquant1.c",
  "jquant2.c",
  "jutils.c",
];

/** Our bridges (decompress, compress) and SIMD hooks, relative to the repository root. */
export const JPEG_BRIDGE_SOURCES: readonly string[] = [
  "wasm/jpeg_bridge.c",
  "wasm/jpeg_compress.c",
  "wasm/jpeg_simd.c",
];

/** Exported functions: the ABI in wasm/README.md. */
export const JPEG_EXPORTS: readonly string[] = [
  "rjpg_decoder_create",
  "rjpg_decoder_destroy",
  "rjpg_input",
  "rjpg_decode",
  "rjpg_output",
  "rjpg_result",
  "rjpg_message",
  "rjpg_warning",
  "rjpg_malloc",
  "rjpg_free",
  "rjpg_encoder_create",
  "rjpg_encoder_destroy",
  "rjpg_encoder_input",
  "rjpg_encode",
  "rjpg_encoder_output",
  "rjpg_encoder_message",
  "rjpg_simd",
  "rjpg_selftest_idct",
];

/** Imports src/jpeg/wasm_binding.ts provides; anything else fails the build. `getTempRet0` and
 * `setTempRet0` are what emcc's WebAssembly setjmp/longjmp lowering asks for (one i32 slot). */
const ALLOWED_IMPORTS = new Set([
  "env.getTempRet0",
  "env.setTempRet0",
  "env.emscripten_notify_memory_growth",
]);

/**
 * Flags for every compile. `-sSUPPORT_LONGJMP=wasm` lowers setjmp/longjmp (the bridge's
 * error_exit) to WebAssembly exception handling, with no JavaScript glue. `NO_GETENV`: the
 * environment (`JPEGMEM`) must not change how a frame decodes. `USE_CLZ_INTRINSIC`: the Huffman
 * encoders count bits with `__builtin_clz` (WebAssembly's `i32.clz`) instead of a 64 KiB table
 * each in jchuff.c and jcphuff.c (their own comment: on by default only for Arm), which keeps
 * 128 KiB of tables out of the module.
 */
export const JPEG_COMMON_FLAGS: readonly string[] = [
  "-O3",
  "-msimd128",
  "-DNDEBUG",
  "-sSUPPORT_LONGJMP=wasm",
  "-DNO_GETENV",
  "-DNO_PUTENV",
  "-DUSE_CLZ_INTRINSIC",
];
/** Extra flags for the bridge (ours, so warnings are errors). */
export const JPEG_BRIDGE_FLAGS: readonly string[] = ["-std=c11", "-Wall", "-Wextra", "-Werror"];
/** Link flags (plus `-sEXPORTED_FUNCTIONS` built from JPEG_EXPORTS). */
export const JPEG_LINK_FLAGS: readonly string[] = [
  "-O3",
  "-msimd128",
  "-sSUPPORT_LONGJMP=wasm",
  "-sSTANDALONE_WASM",
  "--no-entry",
  "-sFILESYSTEM=0",
  "-sALLOW_MEMORY_GROWTH=1",
  "-sINITIAL_MEMORY=8388608",
  "-sTOTAL_STACK=1048576",
  "-sABORTING_MALLOC=0",
];

const OUT_WASM = "wasm/jpeg.wasm";
const OUT_TS = "wasm/jpeg_wasm.ts";
const OUT_LICENSE = "wasm/LICENSE.libjpeg-turbo";

/** Prints the recipe's flags (for `--print-flags`). */
export function printJpegFlags(): void {
  console.log(`JPEG compile: emcc ${JPEG_COMMON_FLAGS.join(" ")}`);
  console.log(`JPEG bridge:  emcc ${[...JPEG_COMMON_FLAGS, ...JPEG_BRIDGE_FLAGS].join(" ")}`);
  console.log(`JPEG link:    emcc ${JPEG_LINK_FLAGS.join(" ")}`);
  console.log(`JPEG exports: ${JPEG_EXPORTS.join(" ")}`);
}

/**
 * CMake's `configure_file`: `@VAR@` becomes its value, `#cmakedefine VAR rest` becomes
 * `#define VAR rest` when VAR is true and `/* #undef VAR *\/` otherwise. Unknown names fail.
 */
function configure(template: string, values: Record<string, string | boolean>, name: string) {
  const value = (key: string): string | boolean => {
    if (!(key in values)) throw new BuildError(`${name}: no value for ${key}`);
    return values[key];
  };
  return template
    .replace(/^#cmakedefine[ \t]+(\w+)(.*)$/gm, (_, key: string, rest: string) => {
      return value(key) === false ? `/* #undef ${key} */` : `#define ${key}${rest}`;
    })
    .replace(/@(\w+)@/g, (_, key: string) => String(value(key)));
}

/** Writes jconfig.h, jconfigint.h and jversion.h into `inc`, as CMake would for this build. */
async function writeConfigHeaders(tree: string, inc: string): Promise<void> {
  const cmake = await Deno.readTextFile(`${tree}/CMakeLists.txt`);
  const version = /^set\(VERSION ([\d.]+)\)$/m.exec(cmake)?.[1];
  const year = /^set\(COPYRIGHT_YEAR "([^"]+)"\)$/m.exec(cmake)?.[1];
  if (version !== UPSTREAM_VERSION || year === undefined) {
    throw new BuildError(`${tree}/CMakeLists.txt is not libjpeg-turbo ${UPSTREAM_VERSION}`);
  }
  const [major, minor, revision] = version.split(".");
  const values: Record<string, string | boolean> = {
    // Debian builds the libjpeg 6b API/ABI (no WITH_JPEG7/8): JPEG_LIB_VERSION 62.
    JPEG_LIB_VERSION: "62",
    VERSION: version,
    LIBJPEG_TURBO_VERSION_NUMBER: `${major}${minor.padStart(3, "0")}${revision.padStart(3, "0")}`,
    C_ARITH_CODING_SUPPORTED: false, // snapshots are Huffman-coded; no jcarith.c
    D_ARITH_CODING_SUPPORTED: true,
    MEM_SRCDST_SUPPORTED: true,
    // No libjpeg-turbo SIMD build (its assembly is x86/Arm): MULTIPLIER stays int, and the jsimd
    // hooks come from wasm/jpeg_simd.c (jsimd_none.c plus a wasm SIMD inverse DCT).
    WITH_SIMD: false,
    BITS_IN_JSAMPLE: "8",
    RIGHT_SHIFT_IS_UNSIGNED: false,
    // CMake's default is the build date; a fixed string keeps the output reproducible.
    BUILD: JPEG_DEBIAN_VERSION.replace(/^\d+:/, ""),
    INLINE: "__inline__ __attribute__((always_inline))",
    THREAD_LOCAL: "__thread",
    CMAKE_PROJECT_NAME: "libjpeg-turbo",
    SIZE_T: "4", // wasm32
    HAVE_BUILTIN_CTZL: true, // clang has it, and sizeof(unsigned long) == sizeof(size_t) on wasm32
    HAVE_INTRIN_H: false,
    COPYRIGHT_YEAR: year,
  };
  for (const name of ["jconfig.h", "jconfigint.h", "jversion.h"]) {
    const template = await Deno.readTextFile(`${tree}/${name}.in`);
    await Deno.writeTextFile(`${inc}/${name}`, configure(template, values, name));
  }
}

/** Checks that every source is in CMakeLists.txt's lists and present in the tree. */
async function checkSources(tree: string): Promise<void> {
  const cmake = await Deno.readTextFile(`${tree}/CMakeLists.txt`);
  const list = /set\(JPEG_SOURCES ([^)]*)\)/.exec(cmake);
  if (!list) throw new BuildError("CMakeLists.txt has no JPEG_SOURCES list");
  const known = new Set([...list[1].split(/\s+/), "jaricom.c", "jdarith.c", "jsimd_none.c"]);
  for (const f of JPEG_SOURCES) {
    if (!known.has(f)) throw new BuildError(`${f} is not one of libjpeg-turbo's library sources`);
    if (!(await exists(`${tree}/${f}`))) throw new BuildError(`${tree}/${f} is missing`);
  }
}

/** Compiles and links the module in `build` from the unpacked `tree`; returns its bytes. */
export async function compileAndLinkJpeg(
  tree: string,
  build: string,
  jobs: number,
): Promise<Uint8Array> {
  const inc = `${build}/include`;
  const obj = `${build}/obj`;
  await Deno.mkdir(inc, { recursive: true });
  await Deno.mkdir(obj, { recursive: true });
  await writeConfigHeaders(tree, inc);
  await checkSources(tree);
  const maps = prefixMaps(tree, SOURCE_TREE, build);
  const includes = [`-I${inc}`, `-I${tree}`];
  const list: Job[] = [];
  for (const f of JPEG_SOURCES) {
    const args = ["emcc", ...JPEG_COMMON_FLAGS, ...maps, ...includes];
    list.push({ label: f, args: [...args, "-c", `${tree}/${f}`, "-o", `${obj}/${objectName(f)}`] });
  }
  for (const f of JPEG_BRIDGE_SOURCES) {
    const args = ["emcc", ...JPEG_COMMON_FLAGS, ...JPEG_BRIDGE_FLAGS, ...maps, ...includes];
    list.push({ label: f, args: [...args, "-c", `${ROOT}/${f}`, "-o", `${obj}/${objectName(f)}`] });
  }
  log(`compiling ${list.length} files, ${jobs} at a time`);
  await compileAll(list, jobs);
  const objects = list.map((j) => j.args[j.args.length - 1]).sort();
  const exported = `-sEXPORTED_FUNCTIONS=[${JPEG_EXPORTS.map((e) => `_${e}`).join(",")}]`;
  log(`linking ${objects.length} objects`);
  await mustRun("emcc", [...JPEG_LINK_FLAGS, exported, ...objects, "-o", `${build}/jpeg.wasm`]);
  return await Deno.readFile(`${build}/jpeg.wasm`);
}

async function renderLicense(tree: string): Promise<string> {
  const license = (await Deno.readTextFile(`${tree}/LICENSE.md`)).trimEnd();
  const ijg = (await Deno.readTextFile(`${tree}/README.ijg`)).trimEnd();
  const rule = "-".repeat(78);
  return [
    `wasm/jpeg.wasm and its embedded copy in wasm/jpeg_wasm.ts contain the decompressor and the`,
    `compressor of libjpeg-turbo (https://libjpeg-turbo.org/) version ${UPSTREAM_VERSION}, built`,
    `from the Debian source package libjpeg-turbo ${JPEG_DEBIAN_VERSION}, unmodified.`,
    "",
    "This software is based in part on the work of the Independent JPEG Group.",
    "",
    "libjpeg-turbo is covered by the IJG License (README.ijg, below), the Modified (3-clause) BSD",
    "License and the zlib License; its LICENSE.md and README.ijg follow.",
    "",
    rule,
    "LICENSE.md",
    rule,
    "",
    license,
    "",
    rule,
    "README.ijg",
    rule,
    "",
    ijg,
    "",
  ].join("\n");
}

/**
 * A string literal as `deno fmt` writes it: double quotes, unless the text holds more double than
 * single quotes (its "preferDouble" style).
 */
function stringLiteral(text: string): string {
  const json = JSON.stringify(text);
  const doubles = text.split('"').length - 1, singles = text.split("'").length - 1;
  if (doubles <= singles) return json;
  return `'${json.slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

/** The generated TypeScript module: formatted as `deno fmt` would, so `fmt --check` passes. */
export async function renderJpegModuleTs(wasm: Uint8Array, license: string): Promise<string> {
  const lines = deflatedLines(wasm);
  return [
    "// GENERATED by scripts/build_jpeg_wasm.ts from wasm/jpeg.wasm. Do not edit.",
    "// Regenerate: deno run -A scripts/build_wasm.ts (`--check` verifies it is current).",
    "",
    "/**",
    ` * libjpeg-turbo's decompressor and compressor (Debian ${JPEG_DEBIAN_VERSION}) and the rtsp-edge`,
    " * bridges (wasm/jpeg_bridge.c, wasm/jpeg_compress.c) as one standalone WebAssembly module,",
    " * deflated (fflate, level 9) and base64-encoded, so the module graph carries it without file",
    " * access. Licence: wasm/LICENSE.libjpeg-turbo (IJG, BSD-3-Clause, zlib).",
    " *",
    " * @module",
    " */",
    "",
    "/** Size in bytes of the raw (inflated) WebAssembly module. */",
    `export const JPEG_WASM_SIZE: number = ${wasm.length};`,
    "",
    "/** SHA-256 (hex) of the raw WebAssembly module, identical to wasm/jpeg.wasm. */",
    `export const JPEG_WASM_SHA256: string =`,
    `  "${await sha256(wasm)}";`,
    "",
    "/** Debian source package version of the libjpeg-turbo compiled into the module. */",
    `export const JPEG_VERSION: string = "${JPEG_DEBIAN_VERSION}";`,
    "",
    "/** libjpeg-turbo's licence notices (wasm/LICENSE.libjpeg-turbo), shipped inside every binary. */",
    "export const JPEG_LICENSE: string =",
    `  ${stringLiteral(license)};`,
    "",
    "/** The module, deflated (raw DEFLATE, RFC 1951) and base64-encoded. */",
    "export const JPEG_WASM_DEFLATED: string = [",
    ...lines,
    '].join("");',
    "",
  ].join("\n");
}

/** Builds the module and its generated files; `outputs` maps repository paths to bytes. */
export async function buildJpeg(
  cache: string,
  jobs: number,
): Promise<{ wasm: Uint8Array; outputs: Outputs }> {
  const tree = await fetchSource(cache, SOURCE);
  const buildDir = await Deno.makeTempDir({ prefix: "rtse-jpeg-wasm-" });
  try {
    const wasm = await compileAndLinkJpeg(tree, buildDir, jobs);
    await checkInterface(wasm, ALLOWED_IMPORTS, JPEG_EXPORTS, "src/jpeg/wasm_binding.ts");
    const text = new TextEncoder();
    const license = await renderLicense(tree);
    return {
      wasm,
      outputs: {
        [OUT_WASM]: wasm,
        [OUT_TS]: text.encode(await renderJpegModuleTs(wasm, license)),
        [OUT_LICENSE]: text.encode(license),
      },
    };
  } finally {
    await Deno.remove(buildDir, { recursive: true });
  }
}
