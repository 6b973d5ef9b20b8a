/**
 * Builds the single self-contained executable of `cli.ts`: with `bun build --compile` by default
 * (Bun comes from the npm registry and compiles offline), or with `deno compile` where its base
 * (denort) can be had.
 *
 * ```sh
 * deno run -A build.ts                        # dist/rtsp-edge for this machine, with Bun
 * deno run -A build.ts --target linux-arm64   # dist/rtsp-edge-linux-arm64 (Raspberry Pi)
 * deno run -A build.ts --with deno            # dist/rtsp-edge-deno, with deno compile
 * ```
 *
 * A cross-build needs the Bun runtime of the target. Bun would download it itself, but from a fixed
 * address that ignores npm's configuration (registry mirror, proxy); so it is fetched once with
 * `npm pack` from the npm registry (`@oven/bun-linux-aarch64` at the host bun's version) into
 * `.cache/bun-runtime/` and handed to `bun build --compile-executable-path`.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** Which tool compiles the executable. */
export type Compiler = "bun" | "deno";

/** A platform the executable can be built for. */
export interface Target {
  /** The name `--target` takes, e.g. `linux-arm64`. */
  name: string;
  /** Bun's `--target` for `bun build --compile`. */
  bun: string;
  /** The npm package that carries Bun's runtime for this platform (its `bin/bun`). */
  bunPackage: string;
  /** Deno's `--target` for `deno compile` (a Rust target triple). */
  deno: string;
  /** `Deno.build.arch` of a machine that runs it natively. */
  arch: string;
  /** The ELF `e_machine` of its executables (62 x86-64, 183 AArch64). */
  elfMachine: number;
}

/** The targets `--target` knows; a `bun-` prefix (Bun's own spelling) is accepted too. */
export const TARGETS: Readonly<Record<string, Target>> = {
  "linux-x64": {
    name: "linux-x64",
    bun: "bun-linux-x64",
    bunPackage: "@oven/bun-linux-x64",
    deno: "x86_64-unknown-linux-gnu",
    arch: "x86_64",
    elfMachine: 62,
  },
  "linux-arm64": {
    name: "linux-arm64",
    bun: "bun-linux-arm64",
    bunPackage: "@oven/bun-linux-aarch64",
    deno: "aarch64-unknown-linux-gnu",
    arch: "aarch64",
    elfMachine: 183,
  },
};

/** Settings of one build. */
export interface BuildOptions {
  /** Output path. */
  outfile: string;
  /** A key of {@link TARGETS}, e.g. `linux-arm64`; this machine's platform when undefined. */
  target?: string;
  /** The compiler; `bun` when undefined. */
  compiler?: Compiler;
  /**
   * The program to compile; `cli.ts` when undefined. The benchmarks compile their server helpers
   * (bench/serve_clip.ts) the same way, to measure the product's runtime as shipped.
   */
  entry?: string;
}

/** A build that could not be made, with a one-line reason meant for the terminal. */
export class BuildError extends Error {
  /** Makes the error. */
  constructor(message: string) {
    super(message);
    this.name = "BuildError";
  }
}

/** The target named `name` (`linux-arm64` or `bun-linux-arm64`); undefined for undefined. */
export function resolveTarget(name: string | undefined): Target | undefined {
  if (name === undefined) return undefined;
  const target = TARGETS[name.replace(/^bun-/, "")];
  if (!target) {
    throw new BuildError(`unknown target ${name}: one of ${Object.keys(TARGETS).join(", ")}`);
  }
  return target;
}

/** Where a build goes unless `--outfile` says: `dist/rtsp-edge[-deno][-<target>]`. */
export function defaultOutfile(compiler: Compiler, target?: string): string {
  const t = resolveTarget(target);
  return `dist/rtsp-edge${compiler === "deno" ? "-deno" : ""}${t ? `-${t.name}` : ""}`;
}

/**
 * The ELF `e_machine` of the executable at `path` (62 x86-64, 183 AArch64), or undefined when it
 * is not a 64-bit little-endian ELF file.
 */
export async function elfMachine(path: string): Promise<number | undefined> {
  const file = await Deno.open(path, { read: true });
  try {
    const head = new Uint8Array(20);
    let got = 0;
    while (got < head.length) {
      const n = await file.read(head.subarray(got));
      if (n === null) return undefined;
      got += n;
    }
    const magic = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
    if (!magic || head[4] !== 2 || head[5] !== 1) return undefined; // ELFCLASS64, ELFDATA2LSB
    return head[18] | (head[19] << 8);
  } finally {
    file.close();
  }
}

/** What a finished program printed. */
interface Output {
  success: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a program, throwing `missing` as a {@link BuildError} when it is not installed. */
async function exec(program: string, args: string[], missing: string): Promise<Output> {
  let out: Deno.CommandOutput;
  try {
    // NO_COLOR: tools' errors are quoted in ours, without terminal escapes.
    const env = { NO_COLOR: "1" };
    out = await new Deno.Command(program, { args, env, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new BuildError(missing);
    throw error;
  }
  const text = new TextDecoder();
  return { success: out.success, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Runs a program, throwing its standard error when it fails and `missing` when it is absent. */
async function run(program: string, args: string[], missing: string): Promise<string> {
  const out = await exec(program, args, missing);
  if (!out.success) throw new BuildError(`${program} ${args[0]} failed:\n${out.stderr.trim()}`);
  return out.stdout;
}

/**
 * The line of npm's error output that says what went wrong ("FetchError: request to ... failed",
 * "No matching version found for ..."), skipping its `code`/`errno`/`syscall` lines.
 */
function npmReason(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.startsWith("npm error "))
    .map((l) => l.slice("npm error ".length).replace(/^(notarget|404) /, "").trim());
  return lines.find((l) => l !== "" && !/^(code|errno|syscall) /.test(l)) ?? "npm pack failed";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const BUN_MISSING = "bun is not installed: npm install -g bun";

/**
 * The path of Bun's runtime for `target` at the host bun's version, fetched from the npm registry
 * with `npm pack` into `cacheDir` on first use.
 */
export async function bunRuntime(target: Target, cacheDir = ".cache/bun-runtime"): Promise<string> {
  const version = (await run("bun", ["--version"], BUN_MISSING)).trim();
  const spec = `${target.bunPackage}@${version}`;
  const dir = `${cacheDir}/${target.bunPackage.replace("@oven/", "")}-${version}`;
  const exe = `${dir}/package/bin/bun`;
  if (await exists(exe) && await elfMachine(exe) === target.elfMachine) return exe;
  await Deno.mkdir(cacheDir, { recursive: true });
  const part = await Deno.makeTempDir({ dir: cacheDir, prefix: ".part-" });
  try {
    const packed = await exec(
      "npm",
      ["pack", spec, "--json", "--pack-destination", part],
      `npm is not installed: it fetches ${spec}, Bun's runtime for ${target.name}`,
    );
    if (!packed.success) {
      const why = npmReason(packed.stderr);
      throw new BuildError(`cannot fetch ${spec} (Bun's runtime for ${target.name}): ${why}`);
    }
    const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];
    await run("tar", ["-xzf", `${part}/${filename}`, "-C", part], "tar is not installed");
    if (await elfMachine(`${part}/package/bin/bun`) !== target.elfMachine) {
      throw new BuildError(`${spec} holds no ${target.name} executable at package/bin/bun`);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(part, dir); // whole or not at all: a half-unpacked runtime is never used
  } finally {
    await Deno.remove(part, { recursive: true }).catch(() => {});
  }
  return exe;
}

/**
 * Compiles with Bun. It resolves packages from node_modules (it does not read deno.json's import
 * map), so they are installed from package.json first when missing.
 */
async function bunCompile(
  outfile: string,
  target: Target | undefined,
  entry: string,
): Promise<void> {
  const { dependencies } = JSON.parse(await Deno.readTextFile("package.json")) as {
    dependencies: Record<string, string>;
  };
  const present = await Promise.all(
    Object.keys(dependencies).map((name) => exists(`node_modules/${name}/package.json`)),
  );
  if (present.includes(false)) {
    await run("npm", ["install", "--no-audit", "--no-fund"], "npm is not installed");
  }
  // The encoder's and the snapshot engine's Workers are entry points too: Bun only bundles what it
  // is given. Splitting keeps each import() a chunk of its own, loaded when called: in one bundle
  // Bun hoists the imports of every module to the top, so node:net, node:dgram and node:tls would
  // load (and stay resident) in a process that never calls for them.
  const args = [
    "build",
    "--compile",
    "--splitting",
    "--minify-syntax",
    entry,
    "src/encoder/worker.ts",
    "src/snapshot/snapshot_worker.ts",
    "--outfile",
    outfile,
  ];
  if (target) {
    args.push("--target", target.bun);
    if (target.arch !== Deno.build.arch) {
      args.push("--compile-executable-path", await bunRuntime(target));
    }
  }
  await run("bun", args, BUN_MISSING);
}

/**
 * Compiles with `deno compile`, whose base executable (denort) is downloaded from dl.deno.land
 * unless `DENORT_BIN` names a local one.
 */
async function denoCompile(
  outfile: string,
  target: Target | undefined,
  entry: string,
): Promise<void> {
  const args = [
    "compile",
    // Like bun build, only compile: type errors are `deno task check`'s to report.
    "--no-check",
    // What the CLI does: serve, read its input files, read its settings, list the addresses for
    // the banner, and open the V4L2 camera through FFI.
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "--allow-sys=networkInterfaces",
    "--allow-ffi",
    // The Workers are loaded by URL at run time: the module graph does not reach them.
    "--include",
    "src/encoder/worker.ts",
    "--include",
    "src/snapshot/snapshot_worker.ts",
    "--output",
    outfile,
  ];
  if (target) args.push("--target", target.deno);
  args.push(entry);
  const out = await exec(Deno.execPath(), args, "deno is not installed");
  if (!out.success) {
    const url = /https:\/\/dl\.deno\.land\/\S+?\.zip/.exec(out.stderr)?.[0];
    if (url || /Setting up base binary/.test(out.stderr)) {
      const base = url ?? `denort for ${target?.deno ?? Deno.build.target}`;
      // The innermost cause of deno's error chain ("    4: failed to lookup address ...").
      const chain = out.stderr.split("Stack backtrace")[0];
      const causes = [...chain.matchAll(/^\s+\d+: (.+)$/gm)].map((m) => m[1].trim());
      throw new BuildError(
        `deno compile cannot download its base ${base} (${causes.at(-1) ?? "no reason given"}): ` +
          `set DENORT_BIN to a local denort ${Deno.version.deno} binary, or build with bun`,
      );
    }
    throw new BuildError(`deno compile failed:\n${out.stderr.trim()}`);
  }
  // A DENORT_BIN that is a full deno, not denort, makes an executable that is just deno.
  if (entry === "cli.ts" && (!target || target.arch === Deno.build.arch)) {
    const check = await exec(outfile, ["--version"], `${outfile} was not written`);
    if (!/^rtsp-edge /.test(check.stdout)) {
      throw new BuildError(
        `deno compile made ${outfile}, but it does not run rtsp-edge (is DENORT_BIN a denort?)`,
      );
    }
  }
}

/**
 * Compiles `options.entry` (`cli.ts`) into one executable for `options.target` with
 * `options.compiler`.
 */
export async function buildBinary(options: BuildOptions): Promise<void> {
  const target = resolveTarget(options.target);
  const entry = options.entry ?? "cli.ts";
  const dir = options.outfile.slice(0, options.outfile.lastIndexOf("/") + 1);
  if (dir) await Deno.mkdir(dir, { recursive: true });
  if ((options.compiler ?? "bun") === "deno") await denoCompile(options.outfile, target, entry);
  else await bunCompile(options.outfile, target, entry);
  const machine = await elfMachine(options.outfile);
  const host = Deno.build.os === "linux" ? TARGETS[`linux-${hostArch()}`] : undefined;
  const expected = target?.elfMachine ?? host?.elfMachine;
  if (expected !== undefined && machine !== expected) {
    throw new BuildError(`${options.outfile} is not a ${target?.name ?? "host"} ELF executable`);
  }
}

function hostArch(): string {
  return Deno.build.arch === "aarch64" ? "arm64" : "x64";
}

if (import.meta.main) {
  // `deno task build -- --target linux-arm64` passes the `--` on.
  const args = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
  try {
    const { values } = parseArgs({
      args,
      options: {
        outfile: { type: "string" },
        target: { type: "string" },
        with: { type: "string", default: "bun" },
      },
    });
    if (values.with !== "bun" && values.with !== "deno") {
      throw new BuildError(`--with takes bun or deno, not ${values.with}`);
    }
    const outfile = values.outfile ?? defaultOutfile(values.with, values.target);
    await buildBinary({ outfile, target: values.target, compiler: values.with });
    console.log(`built ${outfile}`);
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
