/**
 * The single executable, built by build.ts with Bun, run end to end: it must carry everything
 * (the encoder's WASM module, its Worker, the licence notices) inside one file.
 */

import assert from "node:assert/strict";
import { buildBinary } from "../../build.ts";
import { argv, interopTest, run, spawnServing, withTempDir } from "../interop/support.ts";

interopTest(
  "the built binary serves the test pattern when no source is named, and reports itself",
  [
    "bun",
    "ffprobe",
  ],
  async () => {
    await withTempDir(async (dir) => {
      const binary = `${dir}/rtsp-edge`;
      await buildBinary({ outfile: binary });
      // Run it from an empty directory, so nothing it needs can come from the working tree.
      const version = await run(binary, ["--version"]);
      assert.match(version.stdout, /^rtsp-edge \d+\.\d+\.\d+\n$/);
      const licenses = await run(binary, ["--licenses"]);
      assert.match(licenses.stdout, /OpenH264 is distributed under\s+the BSD 2-Clause licence/);
      const server = await spawnServing(binary, argv`--port 0 --bind 127.0.0.1`, /rtsp:\/\/\S+/, {
        cwd: dir,
      });
      try {
        assert.match(server.banner, /serving test pattern 1280x720 at 30 fps/);
        const url = /rtsp:\/\/\S+/.exec(server.banner)![0];
        const probe = await run("ffprobe", argv`-v error -show_streams -of json ${url}`);
        assert.equal(probe.code, 0, probe.stderr);
        const video = JSON.parse(probe.stdout).streams[0];
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 1280, 720]);
      } finally {
        const { code, stderr } = await server.stop();
        assert.equal(code, 0, stderr);
      }
    });
  },
);
