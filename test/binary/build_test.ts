/**
 * build.ts's choices that need no compiler: target names, output paths, the ELF check, and what
 * `--with deno` says when `deno compile` cannot get its base.
 */

import assert from "node:assert/strict";
import {
  buildBinary,
  BuildError,
  defaultOutfile,
  elfMachine,
  resolveTarget,
  TARGETS,
} from "../../build.ts";
import { run, withTempDir } from "../interop/support.ts";

Deno.test("resolveTarget() takes a target by its name and by Bun's bun- spelling", () => {
  assert.equal(resolveTarget("linux-arm64"), TARGETS["linux-arm64"]);
  assert.equal(resolveTarget("bun-linux-arm64"), TARGETS["linux-arm64"]);
  assert.equal(resolveTarget(undefined), undefined);
  assert.equal(TARGETS["linux-arm64"].bunPackage, "@oven/bun-linux-aarch64");
});

Deno.test("resolveTarget() rejects an unknown target, naming the known ones", () => {
  assert.throws(() => resolveTarget("linux-sparc"), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.match(e.message, /^unknown target linux-sparc: one of linux-x64, linux-arm64$/);
    return true;
  });
});

Deno.test("defaultOutfile() names the compiler and the target in the file name", () => {
  assert.equal(defaultOutfile("bun"), "dist/rtsp-edge");
  assert.equal(defaultOutfile("bun", "linux-arm64"), "dist/rtsp-edge-linux-arm64");
  assert.equal(defaultOutfile("bun", "bun-linux-arm64"), "dist/rtsp-edge-linux-arm64");
  assert.equal(defaultOutfile("deno"), "dist/rtsp-edge-deno");
  assert.equal(defaultOutfile("deno", "linux-arm64"), "dist/rtsp-edge-deno-linux-arm64");
});

Deno.test("elfMachine() reads e_machine of a 64-bit ELF file and nothing from other files", async () => {
  await withTempDir(async (dir) => {
    const head = new Uint8Array(64);
    head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELF, 64-bit, little-endian, version 1
    head[18] = 183; // EM_AARCH64
    await Deno.writeFile(`${dir}/arm64`, head);
    assert.equal(await elfMachine(`${dir}/arm64`), 183);
    await Deno.writeFile(`${dir}/script`, new TextEncoder().encode("#!/bin/sh\necho hi\n"));
    assert.equal(await elfMachine(`${dir}/script`), undefined);
    await Deno.writeFile(`${dir}/short`, head.subarray(0, 10));
    assert.equal(await elfMachine(`${dir}/short`), undefined);
  });
  assert.equal(await elfMachine(Deno.execPath()), TARGETS[`linux-${hostArch()}`].elfMachine);
});

Deno.test({
  name: "buildBinary() with deno compile makes a working binary or says its base is out of reach",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withTempDir(async (dir) => {
      const outfile = `${dir}/rtsp-edge-deno`;
      try {
        await buildBinary({ outfile, compiler: "deno" });
      } catch (error) {
        // Where dl.deno.land is unreachable (as on the project's machines), one clear line.
        assert.ok(error instanceof BuildError, String(error));
        assert.match(
          error.message,
          /^deno compile cannot download its base \S+denort-\S+\.zip \(.+\): set DENORT_BIN/,
        );
        assert.ok(!error.message.includes("\n"), error.message);
        return;
      }
      const version = await run(outfile, ["--version"]);
      assert.match(version.stdout, /^rtsp-edge \d+\.\d+\.\d+\n$/);
    });
  },
});

function hostArch(): string {
  return Deno.build.arch === "aarch64" ? "arm64" : "x64";
}
