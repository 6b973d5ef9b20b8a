// The HTTP port's routing and wire behaviour, over a real socket: pages, keep-alive and pipelining,
// methods, bodies, cross-site requests, WebSocket upgrades, and routes that are not there.
import assert from "node:assert/strict";
import { serve } from "../../src/server/server.ts";
import { startIngest } from "../../src/ingest/ingest_server.ts";
import { makeRouter, routeOf } from "../../src/http/router.ts";
import type { WebRoutes } from "../../src/http/routes.ts";
import { WebAuth } from "../../src/http/web_auth.ts";
import type { WebSocketPeer } from "../../src/http/web_handler.ts";
import { silentLogger } from "../../src/base/log.ts";

async function withPort(routes: WebRoutes, run: (port: number) => Promise<void>) {
  const rtsp = await serve({ port: 0, hostname: "127.0.0.1" });
  const http = await startIngest({
    rtsp,
    port: 0,
    hostname: "127.0.0.1",
    policyFor: () => undefined,
    web: makeRouter(routes, new WebAuth(undefined, { now: () => 0 }), silentLogger),
  });
  try {
    await run(http.port);
  } finally {
    await http.close();
    await rtsp.close();
  }
}

/** Sends `text` on one connection and reads until the peer closes or `until` matches. */
async function raw(port: number, text: string, until?: RegExp): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(text));
  let got = "";
  const buf = new Uint8Array(65536);
  const deadline = setTimeout(() => conn.close(), 10_000);
  try {
    while (!until?.test(got)) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch { /* closed by the deadline */ }
  clearTimeout(deadline);
  try {
    conn.close();
  } catch { /* already closed */ }
  return got;
}

const ROUTES: WebRoutes = {
  console: () => new Response("<p>console</p>", { headers: { "content-type": "text/html" } }),
  api: async (request, url) =>
    Response.json({ method: request.method, path: url.pathname, body: await request.text() }),
  snapshot: (path, url) => new Response(`${path} ${url.searchParams.get("width")}`),
  asset: (name) => name === "a.js" ? new Response("1") : undefined,
};

Deno.test("routeOf() names the feature and the checked stream path of a URL", () => {
  assert.deepEqual(routeOf("/"), { kind: "console" });
  assert.deepEqual(routeOf("/api/paths"), { kind: "api" });
  assert.deepEqual(routeOf("/metrics"), { kind: "metrics" });
  assert.deepEqual(routeOf("/snapshot/cam.jpg"), { kind: "snapshot", path: "/cam" });
  assert.deepEqual(routeOf("/snapshot/floor%201.jpg"), { kind: "snapshot", path: undefined });
  assert.deepEqual(routeOf("/snapshot/yard/gate.jpg"), { kind: "snapshot", path: "/yard/gate" });
  assert.deepEqual(routeOf("/snapshot/cam"), { kind: "snapshot", path: undefined });
  assert.deepEqual(routeOf("/play/cam"), { kind: "play", path: "/cam" });
  assert.deepEqual(routeOf("/play/..%2Fetc"), { kind: "play", path: undefined });
  assert.deepEqual(routeOf("/play/%E0%A4%A"), { kind: "play", path: undefined });
  assert.deepEqual(routeOf("/preview/cam"), { kind: "preview", path: "/cam" });
  assert.deepEqual(routeOf("/favicon.ico"), { kind: "none" });
});

Deno.test("the HTTP port answers pages with their security headers, and pipelined requests in order", async () => {
  await withPort(ROUTES, async (port) => {
    const reply = await raw(
      port,
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /snapshot/cam.jpg?width=320 HTTP/1.1\r\nHost: x\r\n\r\n" +
        "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const answers = reply.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 3, reply);
    assert.match(answers[0], /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answers[0], /\r\nContent-Security-Policy: default-src 'self'/);
    assert.match(answers[0], /\r\nX-Content-Type-Options: nosniff\r\n/);
    assert.match(answers[0], /\r\n\r\n<p>console<\/p>$/);
    assert.match(answers[1], /\r\n\r\n\/cam 320$/);
    // HEAD: the head of the page, its length, no body; and the connection closes as asked.
    assert.match(answers[2], /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
    assert.match(answers[2], /\r\nContent-Length: 14\r\n/);
    assert.match(answers[2], /\r\nConnection: close\r\n/);
  });
});

Deno.test("the HTTP port refuses wrong methods, large bodies, cross-site changes and unknown URLs", async () => {
  await withPort(ROUTES, async (port) => {
    const base = `http://127.0.0.1:${port}`;
    const del = await fetch(`${base}/`, { method: "DELETE" });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get("allow"), "GET, HEAD");
    await del.body?.cancel();
    const big = await fetch(`${base}/api/x`, { method: "POST", body: new Uint8Array(70_000) });
    assert.equal(big.status, 413);
    await big.body?.cancel();
    const post = await fetch(`${base}/api/sessions/1/kick`, { method: "POST", body: "ok" });
    assert.deepEqual(await post.json(), {
      method: "POST",
      path: "/api/sessions/1/kick",
      body: "ok",
    });
    const foreign = await fetch(`${base}/api/sessions/1/kick`, {
      method: "POST",
      headers: { origin: "http://evil.example" },
    });
    assert.equal(foreign.status, 403);
    await foreign.body?.cancel();
    for (
      const path of [
        "/nothing",
        "/metrics",
        "/play/cam",
        "/assets/b.js",
        "/snapshot/bad%2F..%2F.jpg",
      ]
    ) {
      const r = await fetch(base + path);
      assert.equal(r.status, 404, path);
      await r.body?.cancel();
    }
    const asset = await fetch(`${base}/assets/a.js`);
    assert.equal(await asset.text(), "1");
  });
});

Deno.test("a WebSocket to a route that takes none is refused, and one that does is served", async () => {
  const sent: string[] = [];
  let closed = false;
  const routes: WebRoutes = {
    preview: (path) => ({
      open(peer: WebSocketPeer) {
        peer.sendText(`hello ${path}`);
      },
      message(data) {
        sent.push(String(data));
      },
      closed() {
        closed = true;
      },
    }),
  };
  await withPort(routes, async (port) => {
    const refused = new WebSocket(`ws://127.0.0.1:${port}/api/x`);
    await new Promise((resolve) => refused.onerror = resolve);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/preview/cam`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.onmessage = (e) => resolve(String(e.data));
      ws.onerror = reject;
    });
    assert.equal(first, "hello /cam");
    ws.send("restart");
    const done = new Promise((resolve) => ws.onclose = resolve);
    for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    await done;
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sent, ["restart"]);
    assert.ok(closed, "the session heard that the socket closed");
  });
});
