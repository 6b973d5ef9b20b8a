import assert from "node:assert/strict";
import { resolveAccess } from "../../src/auth/rights.ts";
import { digestHa1, digestResponse } from "../../src/auth/digest.ts";
import { SESSION_COOKIE, WebAuth } from "../../src/http/web_auth.ts";

const LAN = { peer: "192.168.1.20", secure: false };

function auth(extra: Record<string, unknown> = {}, openTo: Record<string, string[]> = {}) {
  const access = resolveAccess({
    users: { alice: { password: "wonder" }, bob: { password: "builder" } },
    paths: { "/private": { read: ["alice"] } },
    failureDelayMs: [0, 0],
    ...extra,
  });
  let t = 0;
  return new WebAuth(access, { now: () => (t += 1), ...openTo });
}

function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://rtsp-edge.local${path}`, { headers });
}

/** Answers the Digest challenge of `denied` for `user` as a browser does (RFC 7616 §3.4). */
function digestFor(denied: Response, path: string, user: string, password: string): string {
  const challenge = denied.headers.get("www-authenticate") ?? "";
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1];
  const realm = /realm="([^"]+)"/.exec(challenge)![1];
  const response = digestResponse({
    ha1: digestHa1(user, realm, password),
    method: "GET",
    uri: path,
    nonce,
  });
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${path}", ` +
    `response="${response}"`;
}

async function login(a: WebAuth, path: string, user: string, password: string) {
  const first = await a.check(get(path), LAN, { action: "read" });
  assert.equal(first.ok, false);
  const denied = !first.ok ? first.response : undefined!;
  const authorization = digestFor(denied, path, user, password);
  return await a.check(get(path, { authorization }), LAN, { action: "read" });
}

Deno.test("WebAuth lets everything through when no users are configured", async () => {
  const open = new WebAuth(undefined, { now: () => 0 });
  assert.deepEqual(await open.check(get("/"), LAN, { action: "publish" }), { ok: true });
  assert.equal(open.enabled, false);
});

Deno.test("WebAuth challenges with Digest, then takes a right answer and sets a session cookie", async () => {
  const a = auth();
  const first = await a.check(get("/"), LAN, { action: "read" });
  assert.ok(!first.ok);
  assert.equal(first.response.status, 401);
  assert.match(first.response.headers.get("www-authenticate") ?? "", /^Digest realm="rtsp-edge"/);
  const verdict = await login(a, "/", "alice", "wonder");
  assert.ok(verdict.ok);
  assert.equal(verdict.user, "alice");
  assert.match(
    verdict.setCookie ?? "",
    new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Strict`),
  );
  // The cookie alone is enough afterwards, for the API too (a WebSocket handshake carries only it).
  const cookie = verdict.setCookie!.split(";")[0];
  const again = await a.check(get("/api/paths", { cookie }), LAN, { action: "read" });
  assert.deepEqual(again, { ok: true, user: "alice" });
});

Deno.test("WebAuth refuses a wrong password and an unknown cookie", async () => {
  const a = auth();
  const wrong = await login(a, "/", "alice", "nope");
  assert.ok(!wrong.ok);
  assert.equal(wrong.response.status, 401);
  const forged = await a.check(get("/", { cookie: `${SESSION_COOKIE}=${"0".repeat(32)}` }), LAN, {
    action: "read",
  });
  assert.equal(forged.ok, false);
});

Deno.test("WebAuth does not let a login from an address stand for the next request from it", async () => {
  // Nonces are kept per address; the user who proved himself is not (a NAT hides many browsers).
  const a = auth();
  assert.ok((await login(a, "/", "alice", "wonder")).ok);
  const neighbour = await a.check(get("/"), LAN, { action: "read" });
  assert.equal(neighbour.ok, false);
});

Deno.test("WebAuth applies a path's read rule to its snapshot and preview", async () => {
  const a = auth();
  const verdict = await login(a, "/", "bob", "builder");
  assert.ok(verdict.ok);
  const cookie = verdict.setCookie!.split(";")[0];
  const open = await a.check(get("/snapshot/cam.jpg", { cookie }), LAN, {
    action: "read",
    path: "/cam",
  });
  assert.ok(open.ok);
  const closed = await a.check(get("/snapshot/private.jpg", { cookie }), LAN, {
    action: "read",
    path: "/private",
  });
  assert.ok(!closed.ok);
  assert.equal(closed.response.status, 401);
});

Deno.test("WebAuth opens /metrics and /api to the networks named, and only those", async () => {
  const a = auth({}, { metricsOpenTo: ["10.0.0.0/8"], apiOpenTo: ["192.168.1.20/32"] });
  const prometheus = { peer: "10.1.2.3", secure: false };
  assert.ok((await a.check(get("/metrics"), prometheus, { action: "read", openTo: "metrics" })).ok);
  assert.equal(
    (await a.check(get("/api/paths"), prometheus, { action: "read", openTo: "api" })).ok,
    false,
  );
  assert.ok((await a.check(get("/api/paths"), LAN, { action: "read", openTo: "api" })).ok);
  assert.equal((await a.check(get("/"), prometheus, { action: "read" })).ok, false);
});

Deno.test("WebAuth refuses a CIDR block it cannot read", () => {
  assert.throws(
    () => new WebAuth(undefined, { now: () => 0, metricsOpenTo: ["10.0.0.0/99"] }),
    /"10.0.0.0\/99" is not a CIDR block/,
  );
});
