// The shipped example config, as a user starts it: it starts on a machine without a camera, and
// each path that is not a device of this machine serves what is pushed or published to it. Also
// --print-config through the real command line.
import assert from "node:assert/strict";
import { argv, freePort, interopTest, run, spawnServing, withTempDir } from "../interop/support.ts";
import { probeRtsp, sleep } from "../interop/ingest_support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const EXAMPLE = new URL("../../examples/rtsp-edge.yml", import.meta.url).pathname;

/** `ffmpeg … | curl` pushing to the ingest port as a device would. */
function push(producer: string, url: string, type: string, token: string) {
  const script = `ffmpeg -v error ${producer} | curl -sS -T - -X POST ` +
    `-H "Content-Type: ${type}" -H "Authorization: Bearer ${token}" -w "%{http_code}" ${url}`;
  return new Deno.Command("sh", { args: ["-c", script], stdout: "piped", stderr: "piped" })
    .output();
}

interopTest(
  "the example config starts as shipped and serves each path that is not a device to ffprobe",
  ["ffmpeg", "ffprobe", "curl"],
  async () => {
    const rtspPort = freePort();
    const ingestPort = freePort();
    const server = await spawnServing(
      Deno.execPath(),
      [
        "run",
        "-A",
        CLI,
        ...argv`--config ${EXAMPLE} --port ${rtspPort} --ingest-port ${ingestPort}`,
        ...argv`--bind 127.0.0.1`,
      ],
      /auth: /,
    );
    try {
      assert.match(server.banner, /serving 6 paths/);
      assert.match(server.banner, /auth: digest for 2 users, from 127\.0\.0\.0\/8, /);
      assert.match(server.banner, new RegExp(`http://127\\.0\\.0\\.1:${ingestPort}/ingest/<path>`));
      const ingest = `http://127.0.0.1:${ingestPort}/ingest`;
      const jpegs = "-re -f lavfi -i testsrc2=size=320x240:rate=15 -t 12 -c:v mjpeg -f mpjpeg -";
      const multipart = "multipart/x-mixed-replace; boundary=ffmpeg";
      const pushes = [
        push(jpegs, `${ingest}/esp32cam`, multipart, "change-me-cam"),
        // RTP/JPEG (RFC 2435) carries no Huffman tables: the standard ones, as OpenMV writes.
        push(
          jpegs.replace("-c:v mjpeg", "-c:v mjpeg -huffman default"),
          `${ingest}/openmv`,
          multipart,
          "change-me-openmv",
        ),
        push(
          "-re -f lavfi -i testsrc2=size=320x240:rate=25 -t 12 -c:v libx264 -g 25 -bf 0 -f h264 -",
          `${ingest}/esp32p4`,
          "video/h264",
          "change-me-p4",
        ),
      ];
      const rtsp = (user: string, path: string) =>
        `rtsp://${user}:change-me-${user}@127.0.0.1:${rtspPort}/${path}`;
      const published = run(
        "ffmpeg",
        argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 12 -c:v libx264 -g 25 -bf 0 -f rtsp -rtsp_transport tcp ${
          rtsp("studio", "ffmpeg")
        }`,
      );
      await sleep(2000);
      const paths = ["pattern", "esp32cam", "openmv", "esp32p4", "ffmpeg"];
      const probes = await Promise.all(paths.map((p) => probeRtsp(rtsp("frigate", p))));
      assert.deepEqual(probes, [
        ["h264", 640, 480],
        ["h264", 320, 240],
        ["mjpeg", 320, 240],
        ["h264", 320, 240],
        ["h264", 320, 240],
      ]);
      for (const done of await Promise.all(pushes)) {
        assert.equal(new TextDecoder().decode(done.stdout), "204");
      }
      assert.equal((await published).code, 0);
    } finally {
      const { code, stderr } = await server.stop();
      assert.equal(code, 0, stderr);
    }
  },
);

Deno.test("--print-config turns a command line into a file that prints the same", async () => {
  await withTempDir(async (dir) => {
    const print = async (args: string[], env: Record<string, string> = {}) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, ...args, "--print-config"],
        env,
        stdin: "null",
      }).output();
      const text = new TextDecoder();
      return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
    };
    const first = await print(argv`--camera /dev/video0 --path /cam --on-demand --port 8600`);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^# rtsp-edge effective configuration/);
    assert.match(first.stdout, /\n {2}cam:\n {4}source: camera\n {4}device: \/dev\/video0\n/);
    await Deno.writeTextFile(`${dir}/a.yml`, first.stdout);
    const second = await print(["--config", `${dir}/a.yml`]);
    assert.equal(second.stdout, first.stdout);

    // Secrets from the environment print as their ${NAME}, and read back the same.
    await Deno.writeTextFile(
      `${dir}/b.yml`,
      "auth:\n  users:\n    ha:\n      password: ${HA_PASSWORD}\n" +
        "paths:\n  cam:\n    source: ingest\n    token: ${CAM_TOKEN}\n",
    );
    const env = { HA_PASSWORD: "s3cret-pw", CAM_TOKEN: "s3cret-token" };
    const third = await print(["--config", `${dir}/b.yml`], env);
    assert.equal(third.code, 0, third.stderr);
    assert.ok(!third.stdout.includes("s3cret"), third.stdout);
    assert.match(third.stdout, /password: \$\{HA_PASSWORD\}/);
    await Deno.writeTextFile(`${dir}/c.yml`, third.stdout);
    assert.equal((await print(["--config", `${dir}/c.yml`], env)).stdout, third.stdout);

    // A secret written in the file is masked, and the mask is not taken back as a password.
    const masked = await print(argv`--user alice:s3cret --port 8601`);
    assert.match(masked.stdout, /alice:\n {6}password: "\*{8}"/);
    await Deno.writeTextFile(`${dir}/d.yml`, masked.stdout);
    const refused = await print(["--config", `${dir}/d.yml`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /auth\.users\.alice\.password is the mask --print-config shows/);

    // A variable that is not set stops everything, naming it and its line.
    const unset = await print(["--config", `${dir}/b.yml`], { CAM_TOKEN: "x" });
    assert.equal(unset.code, 2);
    assert.equal(
      unset.stderr.trim(),
      `rtsp-edge: ${dir}/b.yml:4:17: auth.users.ha.password: \${HA_PASSWORD} is not set in ` +
        "the environment",
    );
  });
});

Deno.test("a source spelt the old way starts with a one-line notice", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.yml`, "paths:\n  pub:\n    source: publish\n");
    const r = await run(Deno.execPath(), [
      "run",
      "-A",
      CLI,
      "--config",
      `${dir}/a.yml`,
      "--print-config",
    ]);
    assert.equal(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      'rtsp-edge: paths.pub.source: "publish" is read as "publisher", its name from now on',
    );
    assert.match(r.stdout, /pub:\n {4}source: publisher\n/);
  });
});
