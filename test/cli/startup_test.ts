// Start-up through the real command line: configured paths exist as soon as the RTSP port answers,
// and a path whose source cannot start does not take the other paths down.
import assert from "node:assert/strict";
import { freePort, spawnServing, withTempDir } from "../interop/support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** A one-frame 16x16 Y4M file. */
async function stillY4m(dir: string): Promise<string> {
  const file = `${dir}/still.y4m`;
  const head = new TextEncoder().encode("YUV4MPEG2 W16 H16 F25:1 C420\nFRAME\n");
  await Deno.writeFile(file, new Uint8Array([...head, ...new Uint8Array(384).fill(128)]));
  return file;
}

/** Sends one DESCRIBE on a new connection and returns the status line of the reply. */
async function describe(port: number, path: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = `DESCRIBE rtsp://127.0.0.1:${port}${path} RTSP/1.0\r\nCSeq: 1\r\n` +
      `Accept: application/sdp\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

/** Connects as soon as the port accepts (polling every millisecond), then DESCRIBEs `path`. */
async function describeAtFirstChance(port: number, path: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      return await describe(port, path);
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  throw new Error(`nothing listened on ${port}`);
}

Deno.test("a DESCRIBE sent the moment the port opens finds the --input path (200, not 404)", async () => {
  await withTempDir(async (dir) => {
    const port = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CLI,
        "--input",
        await stillY4m(dir),
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      assert.equal(await describeAtFirstChance(port, "/stream"), "RTSP/1.0 200 OK");
    } finally {
      child.kill("SIGTERM");
      await child.stderr.cancel();
      await child.status;
    }
  });
});

Deno.test("a config path whose camera is missing waits for it; the other paths serve", async () => {
  await withTempDir(async (dir) => {
    const port = freePort();
    const file = `${dir}/edge.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        rtspPort: port,
        bind: "127.0.0.1",
        paths: {
          cam: { source: "camera", device: "/dev/video97" },
          still: { source: "file", input: await stillY4m(dir) },
        },
      }),
    );
    const server = await spawnServing(
      Deno.execPath(),
      ["run", "-A", CLI, "--config", file],
      /still: .*\n(.*\n)*.*rtsp:.*\/still/,
    );
    try {
      assert.match(server.banner, /serving 2 paths/);
      assert.match(server.banner, /\/cam: not started yet \(camera \/dev\/video97 not found\)/);
      assert.equal(await describe(port, "/still"), "RTSP/1.0 200 OK");
    } finally {
      const { code, stderr } = await server.stop();
      assert.equal(code, 0, stderr);
      assert.equal(
        stderr.split("\n").filter((l) => l.includes("could not start")).length,
        1,
        `logged once: ${stderr}`,
      );
    }
  });
});
