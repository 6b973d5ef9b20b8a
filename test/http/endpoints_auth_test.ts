// With users configured, every endpoint of the HTTP port asks for them (device pushes keep their
// own tokens); a Digest answer opens it and sets the cookie that opens the rest, WebSocket
// included; /metrics opens to the network named without a password.
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/config.ts";
import { startAll } from "../../src/cli/run.ts";
import { silentLogger } from "../../src/base/log.ts";
import { digestHa1, digestResponse } from "../../src/auth/digest.ts";

const CONFIG = `
rtspPort: 0
httpPort: 0
bind: 127.0.0.1
auth:
  users: { alice: { password: wonder } }
  metricsOpenTo: [10.0.0.0/8]
paths:
  cam: { source: test-pattern, size: 320x240, fps: 10 }
`;

const ENDPOINTS = [
  "/",
  "/assets/console.js",
  "/assets/player.js",
  "/api/paths",
  "/api/sessions",
  "/api/logs",
  "/metrics",
  "/snapshot/cam.jpg",
  "/play/cam",
];

async function digestGet(base: string, path: string): Promise<Response> {
  const first = await fetch(base + path);
  await first.body?.cancel();
  assert.equal(first.status, 401, path);
  const challenge = first.headers.get("www-authenticate") ?? "";
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1];
  const response = digestResponse({
    ha1: digestHa1("alice", "rtsp-edge", "wonder"),
    method: "GET",
    uri: path,
    nonce,
  });
  return await fetch(base + path, {
    headers: {
      authorization: `Digest username="alice", realm="rtsp-edge", nonce="${nonce}", ` +
        `uri="${path}", response="${response}"`,
    },
  });
}

Deno.test("with users, every HTTP endpoint needs them; Digest then the cookie opens each", async () => {
  const { config } = parseConfig(CONFIG, "auth.yml");
  const running = await startAll(config, { logger: silentLogger, retry: false });
  const base = `http://127.0.0.1:${running.ingest!.port}`;
  try {
    for (const path of ENDPOINTS) {
      const r = await fetch(base + path);
      await r.body?.cancel();
      assert.equal(r.status, 401, path);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Digest /, path);
    }
    const kick = await fetch(`${base}/api/sessions/1/kick`, { method: "POST" });
    await kick.body?.cancel();
    assert.equal(kick.status, 401);
    const ws = new WebSocket(`${base.replace("http", "ws")}/preview/cam`);
    await new Promise((resolve) => ws.onerror = resolve);

    const page = await digestGet(base, "/");
    assert.equal(page.status, 200);
    await page.body?.cancel();
    const cookie = page.headers.get("set-cookie")!.split(";")[0];
    for (const path of ENDPOINTS) {
      const r = await fetch(base + path, { headers: { cookie } });
      await r.body?.cancel();
      assert.equal(r.status, 200, path);
    }
    // A wrong cookie is no cookie.
    const forged = await fetch(`${base}/api/paths`, { headers: { cookie: "rtsp_edge_session=x" } });
    await forged.body?.cancel();
    assert.equal(forged.status, 401);
  } finally {
    await running.stop();
  }
});
