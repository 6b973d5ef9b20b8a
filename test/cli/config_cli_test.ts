// `rtsp-edge --config FILE` and the receiving flags, through the real command line.
import assert from "node:assert/strict";
import { argv, freePort, interopTest, run, spawnServing, withTempDir } from "../interop/support.ts";
import { probeRtsp, sleep } from "../interop/ingest_support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** Starts the CLI and resolves with it once its banner (up to the ingest line, if any) is out. */
async function startCli(args: string[], until: RegExp) {
  const server = await spawnServing(Deno.execPath(), ["run", "-A", CLI, ...args], until);
  return {
    banner: server.banner,
    async stop(): Promise<void> {
      const { code, stderr } = await server.stop();
      assert.equal(code, 0, stderr);
    },
  };
}

Deno.test("a config file with a mistake gets file:line:column, the field, and exit 2", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/edge.json`;
    await Deno.writeTextFile(
      file,
      `{\n  "paths": {\n    "cam": { "source": "ingest", "jpeg": "png" }\n  }\n}\n`,
    );
    const r = await run(Deno.execPath(), ["run", "-A", CLI, "--config", file]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `^rtsp-edge: ${file}:3:\\d+: paths\\.cam\\.jpeg must be "h264" or "rtp-jpeg", got "png"`,
      ),
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    const missing = await run(Deno.execPath(), ["run", "-A", CLI, "--config", `${dir}/none.json`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /none\.json/);
  });
});

interopTest(
  "a config file serves a test pattern, takes a device's pushed JPEGs with its token, and lets " +
    "ffmpeg publish only to its publish path",
  ["ffmpeg", "ffprobe", "curl"],
  async () => {
    await withTempDir(async (dir) => {
      const rtspPort = freePort();
      const ingestPort = freePort();
      const file = `${dir}/edge.json`;
      await Deno.writeTextFile(
        file,
        `// three paths
{
  "rtspPort": ${rtspPort},
  "ingestPort": ${ingestPort},
  "bind": "127.0.0.1",
  "paths": {
    "pattern": { "source": "test-pattern", "size": "320x240", "fps": 15 },
    "cam": { "source": "ingest", "token": "t0ken" },
    "pub": { "source": "publish" }
  }
}`,
      );
      const cli = await startCli(["--config", file], /devices push to/);
      try {
        assert.match(cli.banner, /serving 3 paths/);
        assert.match(cli.banner, /\/pattern: test pattern 320x240 at 15 fps/);
        const base = `rtsp://127.0.0.1:${rtspPort}`;
        assert.deepEqual(await probeRtsp(`${base}/pattern`), ["h264", 320, 240]);
        const push = new Deno.Command("sh", {
          args: [
            "-c",
            `ffmpeg -v error -re -f lavfi -i testsrc2=size=320x240:rate=15 -t 5 -c:v mjpeg -f mpjpeg - | ` +
            `curl -sS -T - -X POST -H "Authorization: Bearer t0ken" ` +
            `-H "Content-Type: multipart/x-mixed-replace; boundary=ffmpeg" ` +
            `-w "%{http_code}" http://127.0.0.1:${ingestPort}/ingest/cam`,
          ],
          stdout: "piped",
        }).output();
        const publish = (path: string) =>
          run(
            "ffmpeg",
            argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 5 -c:v libx264 -g 25 -bf 0 -f rtsp -rtsp_transport tcp ${base}/${path}`,
          );
        const published = publish("pub");
        const refused = await publish("elsewhere");
        assert.notEqual(refused.code, 0, "publishing to a path with no publish rule must fail");
        await sleep(1500);
        assert.deepEqual(await probeRtsp(`${base}/cam`), ["h264", 320, 240]);
        assert.deepEqual(await probeRtsp(`${base}/pub`), ["h264", 320, 240]);
        assert.equal((await published).code, 0);
        assert.equal(new TextDecoder().decode((await push).stdout), "204");
      } finally {
        await cli.stop();
      }
    });
  },
);

interopTest(
  "--publish lets ffmpeg publish to any path; --ingest-token guards pushes to any path",
  ["ffmpeg", "ffprobe", "curl"],
  async () => {
    const rtspPort = freePort();
    const publishing = await startCli(
      argv`--publish --port ${rtspPort} --bind 127.0.0.1`,
      /<path>/,
    );
    try {
      assert.match(publishing.banner, /rtsp:\/\/127\.0\.0\.1:\d+\/<path>/);
      const base = `rtsp://127.0.0.1:${rtspPort}`;
      const published = run(
        "ffmpeg",
        argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 -c:v libx264 -g 25 -bf 0 -f rtsp -rtsp_transport tcp ${base}/anything`,
      );
      await sleep(1500);
      assert.deepEqual(await probeRtsp(`${base}/anything`), ["h264", 320, 240]);
      assert.equal((await published).code, 0);
    } finally {
      await publishing.stop();
    }
    const ingestPort = freePort();
    const pushing = await startCli(
      argv`--ingest-port ${ingestPort} --ingest-token abc --port ${freePort()} --bind 127.0.0.1`,
      /ingest\/<path>/,
    );
    try {
      const wrong = await run("curl", [
        ...argv`-sS -o /dev/null -w %{http_code} -X POST -H ${"Content-Type: image/jpeg"}`,
        ...argv`--data-binary x http://127.0.0.1:${ingestPort}/ingest/cam`,
      ]);
      assert.equal(wrong.stdout, "401");
    } finally {
      await pushing.stop();
    }
  },
);
