/**
 * Lets Bun run the Deno-first sources of the encoder benchmark: src/encoder/wasm_binding.ts imports
 * `npm:fflate@0.8.2`, a Deno specifier Bun does not know. This Bun runtime plugin resolves every
 * `npm:NAME@VERSION` to NAME installed (by bench/encoder.ts, `npm install fflate@0.8.2`) in the
 * directory named by `RTSE_BUN_DEPS`, and refuses a different version than the one asked for.
 *
 * ```sh
 * RTSE_BUN_DEPS=/tmp/deps bun --preload=./bench/encoder_bun_preload.ts bench/encoder_wasm_run.ts ...
 * ```
 *
 * Bun hands a runtime plugin `npm:x` as the specifier `x` in the `npm` namespace (a filter on
 * `^npm:` never fires at run time, oven-sh/bun#36402).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";

interface ResolveArgs {
  path: string;
}

/** The part of Bun's global this needs (typed here so `deno check` passes without Bun's types). */
interface BunRuntime {
  plugin(plugin: {
    name: string;
    setup(build: {
      onResolve(
        options: { filter: RegExp; namespace: string },
        callback: (args: ResolveArgs) => { path: string },
      ): void;
    }): void;
  }): void;
  resolveSync(specifier: string, from: string): string;
}

const bun = (globalThis as unknown as { Bun?: BunRuntime }).Bun;
const deps = process.env.RTSE_BUN_DEPS;

// Outside Bun (say, a type check or `deno test` naming this file) there is nothing to do.
if (bun) {
  if (!deps) throw new Error("set RTSE_BUN_DEPS to the directory holding node_modules/");
  bun.plugin({
    name: "rtsp-edge npm: specifiers",
    setup(build) {
      build.onResolve({ filter: /.*/, namespace: "npm" }, (args) => {
        const m = /^(?:npm:)?(@?[^@]+)(?:@(.+))?$/.exec(args.path);
        if (!m) throw new Error(`cannot read the npm specifier "${args.path}"`);
        const [, name, version] = m;
        const manifest = JSON.parse(
          readFileSync(`${deps}/node_modules/${name}/package.json`, "utf8"),
        ) as { version: string };
        if (version !== undefined && manifest.version !== version) {
          throw new Error(`${name}@${version} wanted, ${manifest.version} installed in ${deps}`);
        }
        return { path: bun.resolveSync(name, deps) };
      });
    },
  });
}
