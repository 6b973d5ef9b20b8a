/**
 * Builds a copy of wasm/openh264.wasm that keeps its function names, for the encoder profile.
 *
 * The committed module has no `name` section (emcc -O3 drops it), so a V8 CPU profile only says
 * `wasm-function[812]`. This runs scripts/build_wasm.ts's recipe (its exported flags, the same
 * source lists from the package's meson.build files) with `--profiling-funcs` added at link time,
 * which keeps the names and changes nothing else: {@link sameCode} checks that the result, with its
 * name section removed, is byte-identical to the committed module, so function indices match and
 * the names can be put on a profile of the shipped module (bench/encoder_wasm_names.ts).
 *
 * The objects are cached in `dir`, keyed by the flags and the bridge sources, so only the first run
 * pays for the compile (about a minute and a half on two cores).
 *
 * @module
 */

import { exists } from "./encoder_files.ts";

import { C_FLAGS, COMMON_FLAGS, CXX_FLAGS, EXPORTS, LINK_FLAGS } from "../scripts/build_wasm.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
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
const BRIDGE_SOURCES = ["wasm/bridge.c", "wasm/convert.c"];

async function run(cmd: string, args: string[]): Promise<void> {
  // A clean environment, as scripts/build_wasm.ts uses, so EMCC_CFLAGS and the like cannot leak in.
  const env: Record<string, string> = { LANG: "C", LC_ALL: "C" };
  for (const key of ["PATH", "HOME", "TMPDIR"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, env, clearEnv: true, stdin: "null" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sources(tree: string): Promise<string[]> {
  const files: string[] = [];
  for (const lib of LIBRARIES) {
    const meson = await Deno.readTextFile(`${tree}/${lib}/meson.build`);
    const list = /cpp_sources\s*=\s*\[([^\]]*)\]/.exec(meson);
    if (!list) throw new Error(`${lib}/meson.build has no cpp_sources list`);
    for (const m of list[1].matchAll(/'([^']+)'/g)) files.push(`${lib}/${m[1]}`);
  }
  return files.sort();
}

/**
 * Builds the named module from the OpenH264 tree `tree` into `dir` (objects cached there) and
 * returns its path. `log` hears progress.
 */
export async function buildNamedWasm(
  tree: string,
  dir: string,
  log: (line: string) => void,
): Promise<string> {
  const bridge = await Promise.all(BRIDGE_SOURCES.map((f) => Deno.readTextFile(`${ROOT}/${f}`)));
  const key = (await sha256(
    JSON.stringify([COMMON_FLAGS, CXX_FLAGS, C_FLAGS, LINK_FLAGS, EXPORTS, tree, bridge]),
  )).slice(0, 16);
  const build = `${dir}/wasm-named-${key}`;
  const out = `${build}/openh264.named.wasm`;
  if (await exists(out)) return out;
  const inc = `${build}/include`;
  const obj = `${build}/obj`;
  await Deno.mkdir(inc, { recursive: true });
  await Deno.mkdir(obj, { recursive: true });
  await Deno.writeTextFile(
    `${inc}/version_gen.h`,
    '#ifndef VERSION_GEN_H\n#define VERSION_GEN_H\n\n#define VERSION_NUMBER "2.3.1"\n\n#endif\n',
  );
  // The same prefix maps as the real build: they reach the binary through __FILE__ and the like.
  const maps = [
    `-ffile-prefix-map=${tree}=openh264-2.3.1+dfsg`,
    `-ffile-prefix-map=${build}=build`,
    `-ffile-prefix-map=${ROOT}=rtsp-edge`,
  ];
  const includes = [`-I${inc}`, ...INCLUDE_DIRS.map((d) => `-I${tree}/${d}`)];
  const jobs: string[][] = [];
  const objName = (f: string) => `${obj}/${f.replaceAll("/", "__").replace(/\.(c|cpp)$/, ".o")}`;
  for (const f of await sources(tree)) {
    jobs.push([
      "em++",
      ...[...COMMON_FLAGS, ...CXX_FLAGS, ...maps, ...includes],
      ...["-c", `${tree}/${f}`, "-o", objName(f)],
    ]);
  }
  for (const f of BRIDGE_SOURCES) {
    jobs.push([
      "emcc",
      ...[...COMMON_FLAGS, ...C_FLAGS, ...maps, `-I${tree}/codec/api/wels`],
      ...["-c", `${ROOT}/${f}`, "-o", objName(f)],
    ]);
  }
  log(`compiling ${jobs.length} files with emcc for the named module (cached in ${build})`);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const o = job[job.length - 1];
      if (!(await exists(o))) await run(job[0], job.slice(1));
    }
  };
  await Promise.all(Array.from({ length: navigator.hardwareConcurrency || 2 }, worker));
  const objects = jobs.map((j) => j[j.length - 1]).sort();
  const exported = `-sEXPORTED_FUNCTIONS=[${EXPORTS.map((e) => `_${e}`).join(",")}]`;
  await run("em++", [
    ...LINK_FLAGS,
    "--profiling-funcs",
    exported,
    ...objects,
    "-o",
    `${build}/tmp.wasm`,
  ]);
  await Deno.rename(`${build}/tmp.wasm`, out);
  return out;
}
