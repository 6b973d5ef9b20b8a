import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/config.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadConfig() reads the example configs, YAML and JSON, into the same model", async () => {
  const example = (name: string) =>
    loadConfig(new URL(`../../examples/${name}`, import.meta.url).pathname);
  const yaml = await example("rtsp-edge.yml");
  const json = await example("rtsp-edge.json");
  assert.deepEqual(yaml.config, json.config);
  assert.deepEqual([yaml.notices, json.notices], [[], []]);
  assert.equal(yaml.config.httpPort, 8080);
  assert.deepEqual(Object.keys(yaml.config.paths), [
    "/esp32cam",
    "/esp32p4",
    "/openmv",
    "/usbcam",
    "/ffmpeg",
    "/pattern",
  ]);
});

Deno.test("loadConfig() takes ${NAME} from the environment it is given", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/edge.yml`;
    await Deno.writeTextFile(file, "paths:\n  cam:\n    source: ingest\n    token: ${CAM_TOKEN}\n");
    const { config } = await loadConfig(file, { env: { CAM_TOKEN: "s3cret" } });
    const cam = config.paths["/cam"];
    assert.equal(cam.source === "ingest" && cam.token, "s3cret");
    await assert.rejects(loadConfig(file, { env: {} }), {
      name: "ConfigError",
      message: `${file}:4:12: paths.cam.token: \${CAM_TOKEN} is not set in the environment`,
    });
  });
});

Deno.test("loadConfig() names the file as given in a checking error", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/edge.json`;
    await Deno.writeTextFile(file, '{\n  "rtspPort": "x"\n}\n');
    await assert.rejects(loadConfig(file), {
      name: "ConfigError",
      message: `${file}:2:15: rtspPort must be a whole number from 0 to 65535, got "x"`,
    });
  });
});

Deno.test("loadConfig() says in one line why a file cannot be read", async () => {
  await inTempDir(async (dir) => {
    await assert.rejects(loadConfig(`${dir}/missing.json`), {
      name: "ConfigError",
      message: `${dir}/missing.json: cannot read it: no such file`,
    });
    await assert.rejects(loadConfig(dir), {
      name: "ConfigError",
      message: `${dir}: cannot read it: it is a directory`,
    });
  });
});

Deno.test("loadConfig() refuses text that is not UTF-8, and files above the size limit", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/latin1.json`, new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    await assert.rejects(loadConfig(`${dir}/latin1.json`), {
      message: `${dir}/latin1.json: is not UTF-8 text`,
    });
    await Deno.writeTextFile(`${dir}/big.json`, `{"a": "${"x".repeat(1 << 20)}"}`);
    const error = await loadConfig(`${dir}/big.json`).catch((e) => e);
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, `${dir}/big.json: is larger than 1048576 bytes`);
  });
});
