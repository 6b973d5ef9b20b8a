/**
 * Builds a copy of wasm/openh264.wasm that keeps its function names, for the encoder profile.
 *
 * The committed module has no `name` section (emcc -O3 drops it), so a V8 CPU profile only says
 * `wasm-function[812]`. This runs scripts/build_wasm.ts's own compile-and-link step with
 * `--profiling-funcs` added at link time, which keeps the names and changes nothing else:
 * `sameCode` (bench/encoder_wasm_names.ts) checks that the result, with its name section removed,
 * is byte-identical to the committed module, so function indices match and the names can be put
 * on a profile of the shipped module.
 *
 * The result is cached in `dir`, keyed by the recipe's flags and the bridge's sources, so only the
 * first run pays for the compile (about a minute and a half on two cores).
 *
 * @module
 */

import { exists } from "./encoder_files.ts";
import {
  BRIDGE_CXX_SOURCES,
  BRIDGE_SOURCES,
  C_FLAGS,
  COMMON_FLAGS,
  compileAndLink,
  CXX_FLAGS,
  EXPORTS,
  LINK_FLAGS,
} from "../scripts/build_wasm.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

async function sha256(data: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(data));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Builds the named module from the OpenH264 tree `tree` into `dir` (cached there) and returns its
 * path. `log` hears progress.
 */
export async function buildNamedWasm(
  tree: string,
  dir: string,
  log: (line: string) => void,
): Promise<string> {
  const bridgeFiles = [
    ...BRIDGE_SOURCES,
    ...BRIDGE_CXX_SOURCES,
    "wasm/simd_kernels.h",
    "wasm/convert.h",
  ];
  const bridge = await Promise.all(
    bridgeFiles.map((f) => Deno.readTextFile(`${ROOT}/${f}`).catch(() => "")),
  );
  const key = (await sha256(
    JSON.stringify([COMMON_FLAGS, CXX_FLAGS, C_FLAGS, LINK_FLAGS, EXPORTS, tree, bridge]),
  )).slice(0, 16);
  const out = `${dir}/openh264.named-${key}.wasm`;
  if (await exists(out)) return out;
  const build = await Deno.makeTempDir({ prefix: "rtse-wasm-named-" });
  try {
    log(`compiling the module with --profiling-funcs (cached as ${out})`);
    const wasm = await compileAndLink(tree, build, navigator.hardwareConcurrency || 2, [
      "--profiling-funcs",
    ]);
    await Deno.writeFile(`${out}.tmp`, wasm);
    await Deno.rename(`${out}.tmp`, out);
    return out;
  } finally {
    await Deno.remove(build, { recursive: true });
  }
}
