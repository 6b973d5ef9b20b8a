/**
 * Builds `dist/rtsp-edge`, the single self-contained executable, with `bun build --compile` (Bun
 * comes from the npm registry and compiles offline; `deno compile` must download its runtime base).
 *
 * ```sh
 * deno run -A build.ts            # dist/rtsp-edge for this machine
 * deno run -A build.ts --target bun-linux-arm64 --outfile dist/rtsp-edge-arm64
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

/** Settings of one build. */
export interface BuildOptions {
  /** Output path. */
  outfile: string;
  /** Bun compile target, e.g. `bun-linux-arm64`; the host's when undefined. */
  target?: string;
}

/** Runs a program, throwing its standard error when it fails and `hint` when it is missing. */
async function run(program: string, args: string[], hint: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(hint);
    throw error;
  }
  if (!out.success) {
    throw new Error(`${program} ${args[0]} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Compiles `cli.ts` into one executable. Bun resolves packages from node_modules (it does not read
 * deno.json's import map), so they are installed from package.json first when missing.
 */
export async function buildBinary(options: BuildOptions): Promise<void> {
  try {
    await Deno.stat("node_modules/fflate/package.json");
  } catch {
    await run("npm", ["install", "--no-audit", "--no-fund"], "npm is not installed");
  }
  // The encoder's Worker is a second entry point: Bun only bundles what it is given.
  const args = [
    "build",
    "--compile",
    "--minify-syntax",
    "cli.ts",
    "src/encoder/worker.ts",
    "--outfile",
    options.outfile,
  ];
  if (options.target) args.push("--target", options.target);
  await run("bun", args, "bun is not installed: npm install -g bun");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { outfile: { type: "string" }, target: { type: "string" } },
  });
  const outfile = values.outfile ?? "dist/rtsp-edge";
  try {
    await buildBinary({ outfile, target: values.target });
    console.log(`built ${outfile}`);
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
