/**
 * The linux-arm64 (Raspberry Pi) executable, cross-built by build.ts with Bun's aarch64 runtime from
 * the npm registry, run under QEMU's user-mode emulator against the host's ffprobe.
 *
 * The binary is dynamically linked against glibc, so QEMU needs an aarch64 loader and libc:
 * Debian's libc6-arm64-cross puts them in /usr/aarch64-linux-gnu, which `-L` hands to QEMU.
 */

import assert from "node:assert/strict";
import { buildBinary, elfMachine, TARGETS } from "../../build.ts";
import { argv, hasTool, interopTest, run, spawnServing, withTempDir } from "../interop/support.ts";

const SYSROOT = "/usr/aarch64-linux-gnu";

// Debian's qemu-user-static installs qemu-aarch64-static, its qemu-user qemu-aarch64.
const qemu = hasTool("qemu-aarch64") ? "qemu-aarch64" : "qemu-aarch64-static";

/** Whether the aarch64 loader is there: it is no command, so interopTest cannot look for it. */
function hasSysroot(): boolean {
  try {
    Deno.statSync(`${SYSROOT}/lib/ld-linux-aarch64.so.1`);
    return true;
  } catch {
    return false;
  }
}

interopTest(
  "the linux-arm64 binary is an AArch64 executable that reports itself and serves the test pattern",
  // The package's name stands in for its files when they are missing: no command has that name,
  // so interopTest ignores the test locally and fails it in CI, naming what to install.
  ["bun", "ffprobe", qemu, ...(hasSysroot() ? [] : ["libc6-arm64-cross"])],
  async () => {
    await withTempDir(async (dir) => {
      const binary = `${dir}/rtsp-edge-linux-arm64`;
      await buildBinary({ outfile: binary, target: "linux-arm64" });
      assert.equal(await elfMachine(binary), TARGETS["linux-arm64"].elfMachine);

      const version = await run(qemu, ["-L", SYSROOT, binary, "--version"]);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^rtsp-edge \d+\.\d+\.\d+\n$/);

      // Run it from an empty directory, so nothing it needs can come from the working tree.
      const server = await spawnServing(
        qemu,
        ["-L", SYSROOT, binary, ...argv`--port 0 --bind 127.0.0.1`],
        /rtsp:\/\/\S+/,
        { cwd: dir },
      );
      try {
        assert.match(server.banner, /serving test pattern 1280x720 at 30 fps/);
        const url = /rtsp:\/\/\S+/.exec(server.banner)![0];
        // Emulated, the encoder runs several times slower: give ffprobe the time to see an IDR.
        const probe = await run("ffprobe", argv`-v error -show_streams -of json ${url}`, 120_000);
        assert.equal(probe.code, 0, probe.stderr);
        const video = JSON.parse(probe.stdout).streams[0];
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 1280, 720]);
      } finally {
        // QEMU passes the signal on to the emulated process, which stops as it would natively.
        const { code, stderr } = await server.stop();
        assert.equal(code, 0, stderr);
      }
    });
  },
);
