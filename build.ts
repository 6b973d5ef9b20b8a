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

/** Compiles `cli.ts` into one executable. Throws with Bun's own message when the build fails. */
export async function buildBinary(options: BuildOptions): Promise<void> {
  const args = ["build", "--compile", "--minify-syntax", "cli.ts", "--outfile", options.outfile];
  if (options.target) args.push("--target", options.target);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("bun", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("bun is not installed: npm install -g bun");
    }
    throw error;
  }
  if (!out.success) {
    throw new Error(`bun build failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
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
