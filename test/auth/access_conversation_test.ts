/**
 * Authentication and rights through the socket-free server harness: what each method needs, the
 * 401 and 403 replies, the wait after a failed attempt, and what a connection remembers.
 */

import assert from "node:assert/strict";
import { digestHa1, digestResponse } from "../../src/auth/digest.ts";
import type { AccessRules } from "../../src/auth/rights.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import type { LogFields } from "../../src/base/log.ts";
import { Client, FakeTcp, makeCore, URL } from "../server/conversation.ts";

const TCP = "RTP/AVP/TCP;unicast;interleaved=0-1";
const REALM = "rtsp-edge";

function rules(extra: Partial<AccessRules> = {}, delays: number[] = []): AccessRules {
  return {
    users: { alice: { password: "wonder" }, bob: { password: "builder" } },
    read: ["alice"],
    publish: ["bob"],
    failureDelayMs: [200, 600],
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...extra,
  };
}

function nonceOf(r: RtspResponse): string {
  const m = /nonce="([0-9a-f]+)"/.exec(r.headers.get("WWW-Authenticate") ?? "");
  assert.ok(m, `no Digest challenge in ${r.status}`);
  return m[1];
}

function digest(
  user: string,
  password: string,
  method: string,
  uri: string,
  nonce: string,
  realm = REALM,
): string {
  const ha1 = digestHa1(user, realm, password);
  const response = digestResponse({ ha1, method, uri, nonce });
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
    `response="${response}"`;
}

/** DESCRIBE without credentials, then with them; returns the second reply. */
async function login(client: Client, user = "alice", password = "wonder", url = URL) {
  const first = await client.request("DESCRIBE", url, { CSeq: 1 });
  assert.equal(first.status, 401);
  return client.request("DESCRIBE", url, {
    CSeq: 2,
    Authorization: digest(user, password, "DESCRIBE", url, nonceOf(first)),
  });
}

Deno.test("without access rules everything stays open, as before", async () => {
  const { core } = makeCore();
  const r = await new Client(core).request("DESCRIBE", URL, { CSeq: 1 });
  assert.equal(r.status, 200);
});

Deno.test("OPTIONS answers 200 without credentials on a protected server (VLC)", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  assert.equal((await client.request("OPTIONS", URL, { CSeq: 1 })).status, 200);
  assert.equal((await client.request("OPTIONS", "*", { CSeq: 2 })).status, 200);
});

Deno.test("DESCRIBE without credentials gets 401 with a Digest MD5 challenge", async () => {
  const { core } = makeCore({ access: rules() });
  const r = await new Client(core).request("DESCRIBE", URL, { CSeq: 1 });
  assert.equal(r.status, 401);
  assert.match(
    r.headers.get("WWW-Authenticate")!,
    /^Digest realm="rtsp-edge", nonce="[0-9a-f]{32}"$/,
  );
  assert.equal(r.body.length, 0);
});

Deno.test("an existing and a missing path get the same 401 while unauthenticated", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  const here = await client.request("DESCRIBE", URL, { CSeq: 1 });
  const gone = await client.request("DESCRIBE", "rtsp://127.0.0.1:8554/nothing", { CSeq: 2 });
  assert.equal(here.status, 401);
  assert.equal(gone.status, 401);
  assert.deepEqual(
    [...here.headers.entries()].map(([k]) => k),
    [...gone.headers.entries()].map(([k]) => k),
  );
});

Deno.test("after authenticating, a missing path is 404 and an existing one 200", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  assert.equal((await login(client)).status, 200);
  const missing = "rtsp://127.0.0.1:8554/nothing";
  assert.equal((await client.request("DESCRIBE", missing, { CSeq: 3 })).status, 404);
});

Deno.test("a reader authenticates once per connection: SETUP, PLAY and TEARDOWN need no header again", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  assert.equal((await login(client)).status, 200);
  const setup = await client.request("SETUP", `${URL}/trackID=0`, { CSeq: 3, Transport: TCP });
  assert.equal(setup.status, 200);
  const session = setup.headers.get("Session")!.split(";")[0];
  assert.equal((await client.request("PLAY", URL, { CSeq: 4, Session: session })).status, 200);
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 5, Session: session })).status, 200);
});

Deno.test("a new connection must authenticate again, and nonces of another connection do not count", async () => {
  const { core } = makeCore({ access: rules() });
  const first = new Client(core);
  const challenge = await first.request("DESCRIBE", URL, { CSeq: 1 });
  const second = new Client(core, new FakeTcp("127.0.0.1", 40001));
  const r = await second.request("DESCRIBE", URL, {
    CSeq: 1,
    Authorization: digest("alice", "wonder", "DESCRIBE", URL, nonceOf(challenge)),
  });
  assert.equal(r.status, 401);
  assert.equal((await login(first)).status, 200);
  assert.equal((await second.request("DESCRIBE", URL, { CSeq: 2 })).status, 401);
});

Deno.test("a wrong password gets 401 after a random wait of 200-600 ms; no wait without an attempt", async () => {
  const delays: number[] = [];
  const { core } = makeCore({ access: rules({}, delays) });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  assert.deepEqual(delays, []);
  const r = await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: digest("alice", "wrong", "DESCRIBE", URL, nonceOf(first)),
  });
  assert.equal(r.status, 401);
  assert.equal(delays.length, 1);
  assert.ok(delays[0] >= 200 && delays[0] <= 600, String(delays[0]));
});

const MALFORMED: [string, (nonce: string) => string][] = [
  ["a repeated parameter", (n) => digest("alice", "wonder", "DESCRIBE", URL, n) + ', nonce="x"'],
  ["an unquoted nonce", (n) => digest("alice", "wonder", "DESCRIBE", URL, n).replace(`"${n}"`, n)],
  [
    "a huge value",
    (n) =>
      digest("alice", "wonder", "DESCRIBE", URL, n).replace('"alice"', `"${"a".repeat(3000)}"`),
  ],
  ["SHA-256", (n) => digest("alice", "wonder", "DESCRIBE", URL, n) + ", algorithm=SHA-256"],
  ["the wrong realm", (n) => digest("alice", "wonder", "DESCRIBE", URL, n, "other")],
  ["a nonce never issued", () => digest("alice", "wonder", "DESCRIBE", URL, "0".repeat(32))],
  [
    "the uri of another path",
    (n) => digest("alice", "wonder", "DESCRIBE", "rtsp://127.0.0.1:8554/x", n),
  ],
  ["an unknown user", (n) => digest("mallory", "wonder", "DESCRIBE", URL, n)],
  ["the response for another method", (n) => digest("alice", "wonder", "PLAY", URL, n)],
  ["garbage", () => 'Digest ,,,="\\'],
  ["Basic, not offered without TLS", () => `Basic ${btoa("alice:wonder")}`],
];
for (const [what, header] of MALFORMED) {
  Deno.test(`an Authorization with ${what} gets 401 (HARDENING item 18)`, async () => {
    const delays: number[] = [];
    const { core } = makeCore({ access: rules({}, delays) });
    const client = new Client(core);
    const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
    const r = await client.request("DESCRIBE", URL, {
      CSeq: 2,
      Authorization: header(nonceOf(first)),
    });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("WWW-Authenticate")!, /^Digest /);
    assert.equal(delays.length, 1, "a failed attempt waits");
    assert.equal(client.tcp.destroyed, false);
  });
}

Deno.test("an expired nonce with a right answer gets a stale challenge without waiting", async () => {
  const delays: number[] = [];
  const { core, clock } = makeCore({ access: rules({}, delays) });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  clock.advance(6 * 60_000);
  const r = await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: digest("alice", "wonder", "DESCRIBE", URL, nonceOf(first)),
  });
  assert.equal(r.status, 401);
  assert.match(r.headers.get("WWW-Authenticate")!, /stale=TRUE/);
  assert.deepEqual(delays, []);
});

Deno.test("a reader may not publish: ANNOUNCE needs publish rights", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  assert.equal((await login(client)).status, 200);
  const sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n" +
    "a=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n";
  const pub = "rtsp://127.0.0.1:8554/pub";
  const r = await client.request(
    "ANNOUNCE",
    pub,
    { CSeq: 3, "Content-Type": "application/sdp" },
    sdp,
  );
  assert.equal(r.status, 401);
  const ok = await client.request("ANNOUNCE", pub, {
    CSeq: 4,
    "Content-Type": "application/sdp",
    Authorization: digest("bob", "builder", "ANNOUNCE", pub, nonceOf(r)),
  }, sdp);
  assert.equal(ok.status, 200);
  const setup = await client.request("SETUP", `${pub}/streamid=0`, {
    CSeq: 5,
    Transport: `${TCP};mode=record`,
  });
  assert.equal(setup.status, 200, "the publisher's SETUP rides on its ANNOUNCE's authentication");
});

Deno.test("a peer outside the allow-list gets 403 with no challenge, also with good credentials", async () => {
  const { core } = makeCore({ access: rules({ allow: ["10.0.0.0/8"] }) });
  const client = new Client(core);
  const r = await client.request("DESCRIBE", URL, { CSeq: 1 });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get("WWW-Authenticate"), undefined);
  assert.equal((await client.request("OPTIONS", URL, { CSeq: 2 })).status, 200);
});

Deno.test("a path open to anyone plays without credentials while others stay closed", async () => {
  const { core } = makeCore({ access: rules({ paths: { "/stream": { read: "anyone" } } }) });
  const client = new Client(core);
  assert.equal((await client.request("DESCRIBE", URL, { CSeq: 1 })).status, 200);
  const other = "rtsp://127.0.0.1:8554/other";
  assert.equal((await client.request("DESCRIBE", other, { CSeq: 2 })).status, 401);
});

Deno.test("Basic is offered and taken when allowed without TLS", async () => {
  const { core } = makeCore({
    access: rules({ methods: ["digest", "basic"], allowBasicWithoutTls: true }),
  });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  assert.deepEqual(first.headers.getAll("WWW-Authenticate").map((v) => v.split(" ")[0]), [
    "Digest",
    "Basic",
  ]);
  const r = await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: `Basic ${btoa("alice:wonder")}`,
  });
  assert.equal(r.status, 200);
});

Deno.test("credentials never reach the log; the user name does after success", async () => {
  const lines: string[] = [];
  const { core } = makeCore({ access: rules() });
  Object.assign(core, {
    logger: {
      log(_l: string, message: string, fields?: LogFields) {
        lines.push(message + " " + JSON.stringify(fields ?? {}));
      },
    },
  });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: digest("alice", "nottheone", "DESCRIBE", URL, nonceOf(first)),
  });
  assert.equal((await login(client)).status, 200);
  const text = lines.join("\n");
  assert.ok(!/nottheone|wonder|response=|Digest /.test(text), text);
  assert.match(text, /authenticated .*"user":"alice"/);
  assert.match(text, /access denied/);
});

Deno.test("a qop=auth answer as ffmpeg sends it (quoted qop, nc, cnonce) is taken when qop is offered", async () => {
  const { core } = makeCore({ access: rules({ digestQop: true }) });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  assert.match(first.headers.get("WWW-Authenticate")!, /qop="auth"/);
  const nonce = nonceOf(first);
  const ha1 = digestHa1("alice", REALM, "wonder");
  const response = digestResponse({
    ha1,
    method: "DESCRIBE",
    uri: URL,
    nonce,
    qop: "auth",
    nc: "00000001",
    cnonce: "bf026e885e9987ca",
  });
  const r = await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: `Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${URL}", ` +
      `response="${response}", qop="auth", cnonce="bf026e885e9987ca", nc=00000001`,
  });
  assert.equal(r.status, 200);
});

Deno.test("GStreamer's PLAY uri (the Content-Base with its trailing slash) is taken", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  const setup = await client.request("SETUP", `${URL}/trackID=0`, {
    CSeq: 2,
    Transport: TCP,
    Authorization: digest("alice", "wonder", "SETUP", `${URL}/trackID=0`, nonceOf(first)),
  });
  assert.equal(setup.status, 200);
  const fresh = new Client(core, new FakeTcp("127.0.0.1", 40002));
  const challenge = await fresh.request("DESCRIBE", URL, { CSeq: 1 });
  const play = await fresh.request("GET_PARAMETER", `${URL}/`, {
    CSeq: 2,
    Authorization: digest("alice", "wonder", "GET_PARAMETER", `${URL}/`, nonceOf(challenge)),
  });
  assert.equal(play.status, 200);
});

Deno.test("the first challenge of a Digest login is logged at debug; a wrong password at info", async () => {
  const lines: string[] = [];
  const { core } = makeCore({ access: rules() });
  core.logger = {
    log(level: string, message: string, fields?: LogFields) {
      lines.push(`${level} ${message} ${fields?.reason ?? ""}`);
    },
  };
  const client = new Client(core);
  const first = await client.request("DESCRIBE", URL, { CSeq: 1 });
  assert.equal(first.status, 401);
  const wrong = await client.request("DESCRIBE", URL, {
    CSeq: 2,
    Authorization: digest("alice", "nottheone", "DESCRIBE", URL, nonceOf(first)),
  });
  assert.equal(wrong.status, 401);
  const denials = lines.filter((l) => /challenge|denied/.test(l));
  assert.equal(denials.length, 2, lines.join("\n"));
  assert.match(denials[0], /^debug challenge sent no credentials$/);
  assert.match(denials[1], /^info access denied /);
});

Deno.test("a denied attempt counts as an auth failure; the first challenge does not", async () => {
  const { core } = makeCore({ access: rules() });
  const client = new Client(core);
  assert.equal((await login(client, "alice", "wrong")).status, 401);
  assert.equal(core.stats.authFailures, 1);
});
