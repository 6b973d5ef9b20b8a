/**
 * The library on Node: test/node/program.ts (serve, an in-thread H.264 encode of test pattern
 * frames, and a raw-socket RTSP reader) is bundled with `deno bundle` and run with whatever `node`
 * is on PATH. Without node the test is skipped, except under CI=true, where it fails.
 */

import assert from "node:assert/strict";
import { IN_CI, withTempDir } from "../interop/support.ts";

async function nodeVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"], stdout: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

const version = await nodeVersion();

Deno.test({
  name: `the library serves, encodes in-thread and is read over RTSP under Node (${
    version ?? "node missing"
  })`,
  ignore: version === undefined && !IN_CI,
  async fn() {
    assert.ok(version, "node is not on PATH; CI needs it to prove the library runs on Node");
    await withTempDir(async (dir) => {
      const bundle = `${dir}/program.mjs`;
      const root = new URL("../..", import.meta.url).pathname;
      const bundled = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--platform", "deno", "-o", bundle, "test/node/program.ts"],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(bundled.success, new TextDecoder().decode(bundled.stderr));
      // Run from the empty directory: the bundle must carry the WASM modules itself.
      const ran = await new Deno.Command("node", {
        args: [bundle],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const stderr = new TextDecoder().decode(ran.stderr);
      assert.equal(ran.code, 0, stderr);
      const seen = JSON.parse(new TextDecoder().decode(ran.stdout));
      assert.equal(seen.node, version);
      assert.deepEqual(
        [seen.describe, seen.setup, seen.play],
        ["RTSP/1.0 200 OK", "RTSP/1.0 200 OK", "RTSP/1.0 200 OK"],
      );
      assert.deepEqual([seen.sdpVideo, seen.sdpH264, seen.sdpParameterSets], [true, true, true]);
      assert.equal(seen.payloadType, 96);
      assert.deepEqual(seen.nalTypes.filter((t: number) => [5, 7, 8].includes(t)), [5, 7, 8]);
    });
  },
});
