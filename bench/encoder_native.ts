/**
 * The encoder benchmark's native references: test/bench/native_encode.c compiled with gcc against
 * Debian's libopenh264 (its x86 assembly on), and against OpenH264's C++ built here with
 * `make USE_ASM=No` (g++ -O3, no assembly: the same C code the WebAssembly module runs).
 *
 * Debian's library picks its assembly kernels by cpuid at encoder creation and has no public switch
 * to turn them off, so the no-assembly figure needs that second build, from the Debian source
 * package (`apt-get source openh264`), given with `--openh264-src`.
 *
 * @module
 */

import { exists } from "./encoder_files.ts";

const HARNESS = new URL("../test/bench/native_encode.c", import.meta.url).pathname;

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  const { success, stderr, stdout } = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) {
    const text = new TextDecoder().decode(stderr) || new TextDecoder().decode(stdout);
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${text.slice(-4000)}`);
  }
}

/** Compiles the harness against the system libopenh264 into `dir`; returns the binary's path. */
export async function buildNativeAsm(dir: string): Promise<string> {
  const out = `${dir}/native_encode`;
  await run("gcc", ["-O2", "-I/usr/include/wels", HARNESS, "-lopenh264", "-o", out]);
  return out;
}

/**
 * Builds OpenH264's encoder, processing and common libraries from `src` without assembly into
 * `buildDir` (kept between runs; make only redoes what changed), then the harness against them into
 * `dir`. Returns the binary's path and how long the library build took.
 */
export async function buildNativeNoAsm(
  src: string,
  buildDir: string,
  dir: string,
): Promise<{ path: string; buildSeconds: number }> {
  const makefile = `${src}/Makefile`;
  if (!(await exists(makefile))) {
    throw new Error(
      `no OpenH264 source at ${src}: run \`deno run -A scripts/build_wasm.ts\` once (it fetches ` +
        "Debian's source package into .cache/openh264/) or pass --openh264-src DIR",
    );
  }
  // The Makefile writes version_gen.h from its template relative to the build directory.
  await Deno.mkdir(`${buildDir}/codec/common/inc`, { recursive: true });
  await Deno.copyFile(
    `${src}/codec/common/inc/version_gen.h.template`,
    `${buildDir}/codec/common/inc/version_gen.h.template`,
  );
  const t0 = performance.now();
  const jobs = String(navigator.hardwareConcurrency || 2);
  await run("make", [
    ...["-s", "-f", makefile, `-j${jobs}`, "USE_ASM=No", "USE_STACK_PROTECTOR=No"],
    ...["libencoder.a", "libprocessing.a", "libcommon.a"],
  ], buildDir);
  const buildSeconds = (performance.now() - t0) / 1000;
  const out = `${dir}/native_encode_noasm`;
  await run("gcc", [
    ...["-O2", `-I${src}/codec/api/wels`, HARNESS],
    ...["libencoder.a", "libprocessing.a", "libcommon.a"].map((l) => `${buildDir}/${l}`),
    ...["-lstdc++", "-lpthread", "-lm", "-o", out],
  ]);
  return { path: out, buildSeconds };
}

/** The `p->x = v` / `layer->x = v` assignments in a C file's `configure()`, comments dropped. */
function configureAssignments(source: string): string[] {
  const body = /static void configure\([^)]*\)\s*\{([\s\S]*?)\n\}/.exec(source)?.[1] ?? "";
  const code = body.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const statements = [...code.matchAll(/\b(?:p|layer)->[\w.[\]]+\s*=[^;]+;/g)];
  const more = [...code.matchAll(/\bconst bool \w+\s*=[^;]+;/g)];
  return [...more, ...statements].map((m) => m[0].replace(/\s+/g, " "));
}

/**
 * Compares test/bench/native_encode.c's copy of `configure()` with wasm/bridge.c's, statement by
 * statement; returns the statements found in only one of them (empty when they agree).
 */
export async function configureDifferences(): Promise<string[]> {
  const bridge = configureAssignments(
    await Deno.readTextFile(new URL("../wasm/bridge.c", import.meta.url)),
  );
  const harness = configureAssignments(await Deno.readTextFile(HARNESS));
  if (bridge.length === 0) return ["wasm/bridge.c: no configure() found"];
  const a = new Set(bridge);
  const b = new Set(harness);
  return [
    ...bridge.filter((s) => !b.has(s)).map((s) => `only in wasm/bridge.c: ${s}`),
    ...harness.filter((s) => !a.has(s)).map((s) => `only in native_encode.c: ${s}`),
  ];
}
