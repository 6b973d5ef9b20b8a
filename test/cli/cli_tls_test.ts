import assert from "node:assert/strict";
import { argv, interopTest, run, spawnServing, withTempDir } from "../interop/support.ts";
import { otherKeyPem, selfSignedPem } from "../runtime/self_signed.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

function cli(args: string[]) {
  return run(Deno.execPath(), ["run", "-A", CLI, ...args], 30_000);
}

/** Writes the test certificate (and `key`, or its own key) into `dir`; returns the two paths. */
async function pemFiles(dir: string, key?: string): Promise<{ cert: string; key: string }> {
  const pem = await selfSignedPem();
  await Deno.writeTextFile(`${dir}/cert.pem`, pem.cert);
  await Deno.writeTextFile(`${dir}/key.pem`, key ?? pem.key);
  return { cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

interopTest("a missing --tls-key file gets one line and exit 1", ["openssl"], async () => {
  await withTempDir(async (dir) => {
    const files = await pemFiles(dir);
    const r = await cli(["--tls-cert", files.cert, "--tls-key", `${dir}/missing.pem`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `rtsp-edge: cannot read ${dir}/missing.pem: no such file`);
  });
});

interopTest(
  "a --tls-key that is not the certificate's gets one line naming both files and exit 1",
  ["openssl"],
  async () => {
    await withTempDir(async (dir) => {
      const files = await pemFiles(dir, await otherKeyPem());
      const r = await cli(["--tls-cert", files.cert, "--tls-key", files.key]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `rtsp-edge: the TLS key does not belong to the TLS certificate ` +
          `(certificate ${files.cert}, key ${files.key})`,
      );
    });
  },
);

interopTest("a --tls-cert that is not PEM gets one line and exit 1", ["openssl"], async () => {
  await withTempDir(async (dir) => {
    const files = await pemFiles(dir);
    await Deno.writeTextFile(files.cert, "not a certificate\n");
    const r = await cli(["--tls-cert", files.cert, "--tls-key", files.key]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rtsp-edge: the TLS certificate is not a PEM certificate \(/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
});

interopTest(
  "with --tls-cert and --tls-key the banner lists the rtsps:// URL, which ffprobe reads",
  ["openssl", "ffprobe"],
  async () => {
    await withTempDir(async (dir) => {
      const files = await pemFiles(dir);
      const server = await spawnServing(
        Deno.execPath(),
        [
          "run",
          "-A",
          CLI,
          ...argv`--port 0 --tls-port 0 --bind 127.0.0.1 --size 320x240`,
          ...argv`--tls-cert ${files.cert} --tls-key ${files.key}`,
        ],
        /rtsps:\/\/\S+\n/,
      );
      try {
        const out = server.banner;
        assert.match(out, /^ {2}rtsp:\/\/127\.0\.0\.1:\d+\/stream$/m);
        const url = /rtsps:\/\/127\.0\.0\.1:\d+\/stream/.exec(out)?.[0];
        assert.ok(url, `no rtsps:// URL printed: ${out}`);
        const r = await run("ffprobe", argv`-v error -show_streams -of json ${url}`, 30_000);
        assert.equal(r.code, 0, r.stderr);
        const video = JSON.parse(r.stdout).streams[0];
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 320, 240]);
      } finally {
        const { code, stderr } = await server.stop();
        assert.equal(code, 0, stderr);
      }
    });
  },
);
