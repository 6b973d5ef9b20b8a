/**
 * What the two OpenH264 recipes share (the encoder in scripts/build_wasm.ts, the decoder in
 * scripts/build_decoder_wasm.ts): the pinned Debian source package, the compile flags, the
 * `cpp_sources` lists of its meson.build files, the version header and the licence notice. One
 * place, so the two modules cannot drift apart in how OpenH264 is compiled.
 *
 * @module
 */

import {
  BuildError,
  compileAll,
  type DebianSource,
  exists,
  type Job,
  log,
  mustRun,
  objectName,
  prefixMaps,
  ROOT,
} from "./wasm_common.ts";

/** Debian source package version compiled into the modules. */
export const DEBIAN_VERSION = "2.3.1+dfsg-3+deb12u2";
/** The directory `dpkg-source -x` unpacks the package into. */
export const SOURCE_TREE = "openh264-2.3.1+dfsg";
/** The source package, with the SHA-256 of its three files (from its signed .dsc). */
export const SOURCE: DebianSource = {
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

/** Flags for every compile (C and C++). */
export const COMMON_FLAGS: readonly string[] = ["-O3", "-msimd128", "-DNDEBUG", "-fno-exceptions"];
/** Extra flags for OpenH264's C++ (Makefile's -fno-strict-aliasing; its version header). */
export const CXX_FLAGS: readonly string[] = [
  "-fno-rtti",
  "-fno-strict-aliasing",
  "-DGENERATED_VERSION_HEADER",
];
/** Extra flags for our C bridges. */
export const C_FLAGS: readonly string[] = ["-std=c11", "-Wall", "-Wextra", "-Werror"];
/** Link flags of both modules (plus `-sEXPORTED_FUNCTIONS` built from each one's exports). */
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
  // wasm/fresh_pages.c: zeroing leaves the pages that are zero already uncommitted.
  "-Wl,--wrap=memset",
];

/** Imports the bindings provide (src/encoder/wasm_binding.ts, src/decoder/wasm_binding.ts). */
export const ALLOWED_IMPORTS: ReadonlySet<string> = new Set([
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

/** The `cpp_sources` list of each library's meson.build, as paths in the tree, sorted. */
export async function mesonSources(tree: string, libraries: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const lib of libraries) {
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

/**
 * Writes what the package's Makefile generates from version_gen.h.template (Debian patches it to
 * not ask git); the meson build, and so the default header, would say "openh264 default: 1.4".
 */
export async function writeVersionHeader(inc: string): Promise<void> {
  await Deno.writeTextFile(
    `${inc}/version_gen.h`,
    '#ifndef VERSION_GEN_H\n#define VERSION_GEN_H\n\n#define VERSION_NUMBER "2.3.1"\n\n#endif\n',
  );
}

/** The notice in wasm/LICENSE.openh264: it covers both modules, which hold the same OpenH264. */
export async function renderOpenh264License(tree: string): Promise<string> {
  const license = (await Deno.readTextFile(`${tree}/LICENSE`)).trimEnd();
  return [
    `wasm/openh264.wasm (the encoder) and wasm/openh264_decoder.wasm (the decoder), and their`,
    `embedded copies in wasm/openh264_wasm.ts and wasm/openh264_decoder_wasm.ts, contain OpenH264`,
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

/** What one OpenH264 module is made of, beside the library sources. */
export interface Openh264Module {
  /** What log lines start with (`"decoder: "`), or nothing. */
  logPrefix: string;
  /** The libraries whose `cpp_sources` are compiled, e.g. `codec/common`. */
  libraries: readonly string[];
  /** Include directories in the tree, in order. */
  includeDirs: readonly string[];
  /** Our C files (relative to the repository), compiled with the C flags. */
  cSources: readonly string[];
  /**
   * Our C++ files, compiled exactly like OpenH264's (they use its internal headers), plus
   * `-I wasm`.
   */
  cxxSources: readonly string[];
  /** The functions the module exports, without their underscore. */
  exports: readonly string[];
  /** The linked file's name in the build directory. */
  outName: string;
}

/**
 * Compiles OpenH264's sources of `module.libraries` (from the unpacked `tree`) and our bridge
 * sources in `build`, links them, and returns the module. `extraLinkFlags` are for diagnostic
 * builds only.
 */
export async function compileAndLinkOpenh264(
  module: Openh264Module,
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
  const includes = [`-I${inc}`, ...module.includeDirs.map((d) => `-I${tree}/${d}`)];
  const maps = prefixMaps(tree, SOURCE_TREE, build);
  const job = (label: string, source: string, args: string[]): Job => ({
    label,
    args: [...args, "-c", source, "-o", `${obj}/${objectName(label)}`],
  });
  const cxx = ["em++", ...COMMON_FLAGS, ...CXX_FLAGS, ...maps, ...includes];
  const list: Job[] = [
    ...(await mesonSources(tree, module.libraries)).map((f) => job(f, `${tree}/${f}`, cxx)),
    ...module.cSources.map((f) =>
      job(f, `${ROOT}/${f}`, [
        "emcc",
        ...COMMON_FLAGS,
        ...C_FLAGS,
        ...maps,
        `-I${tree}/codec/api/wels`,
      ])
    ),
    ...module.cxxSources.map((f) => job(f, `${ROOT}/${f}`, [...cxx, `-I${ROOT}/wasm`])),
  ];
  log(`${module.logPrefix}compiling ${list.length} files, ${jobs} at a time`);
  await compileAll(list, jobs);
  const objects = list.map((j) => j.args[j.args.length - 1]).sort();
  const exported = `-sEXPORTED_FUNCTIONS=[${module.exports.map((e) => `_${e}`).join(",")}]`;
  log(`${module.logPrefix}linking ${objects.length} objects`);
  const out = `${build}/${module.outName}`;
  await mustRun("em++", [...LINK_FLAGS, ...extraLinkFlags, exported, ...objects, "-o", out]);
  return await Deno.readFile(out);
}
