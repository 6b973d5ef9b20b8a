/**
 * Malformed and wrong `Authorization` headers over real sockets (HARDENING.md item 18 and
 * "Access"), against a server with access rules while a well-behaved ffmpeg reader streams an open
 * path of it: each gets a 401 with a fresh challenge, the connection goes on working, nothing of
 * the header comes back or reaches the log, memory stays bounded, and the random delay after a
 * failure holds up no other connection.
 */

import assert from "node:assert/strict";
import { digestHa1, digestResponse } from "../../src/auth/digest.ts";
import { interopTest, startClipServer } from "../interop/support.ts";
import { RtspPeer } from "./_peers.ts";
import { assertBounded, sleep, startReader } from "./_support.ts";

const REALM = "rtsp-edge";
const USER = "alice";
const PASSWORD = "wonder land";

/** What a case may use: a nonce the server issued on the connection, and the request URL. */
interface Ctx {
  nonce: string;
  url: string;
  /** Another path's URL on the same server. */
  other: string;
}

/** A Digest response as a client computes it (RFC 2069 form, no qop). */
const response = (nonce: string, uri: string, user = USER, realm = REALM, pw = PASSWORD) =>
  digestResponse({ ha1: digestHa1(user, realm, pw), method: "DESCRIBE", uri, nonce });

const digest = (fields: string[]) => `Digest ${fields.join(", ")}`;
const right = (c: Ctx) => [
  `username="${USER}"`,
  `realm="${REALM}"`,
  `nonce="${c.nonce}"`,
  `uri="${c.url}"`,
  `response="${response(c.nonce, c.url)}"`,
];

/**
 * Hostile Authorization values. Words from MARKERS are planted where they can be: none of them may
 * come back in a response or reach the log.
 */
const CASES: [string, (c: Ctx) => string][] = [
  ["repeated username", (c) => digest([`username="LEAKmallory"`, ...right(c)])],
  ["repeated response", (c) => digest([...right(c), `response="${"0".repeat(32)}"`])],
  [
    "unquoted values",
    (c) => `Digest username=LEAKmallory, realm=${REALM}, nonce=${c.nonce}, uri=x, response=abc`,
  ],
  ["huge value", (c) => digest([`username="LEAK${"m".repeat(3000)}"`, ...right(c).slice(1)])],
  [
    "hundreds of parameters",
    (c) => digest([...right(c), ...Array.from({ length: 250 }, (_, i) => `p${i}=LEAK`)]),
  ],
  ["unknown algorithm", (c) => digest([...right(c), "algorithm=LEAK-SHA-512-256"])],
  ["unknown qop", (c) => digest([...right(c), "qop=auth-int", "nc=00000001", 'cnonce="LEAK"'])],
  ["qop without nc and cnonce", (c) => digest([...right(c), "qop=auth"])],
  ["missing response", (c) => digest(right(c).slice(0, 4))],
  ["unterminated quote", (c) => `Digest username="${USER}, realm="${REALM}, nonce="${c.nonce}`],
  [
    "response not hex",
    (c) => digest([...right(c).slice(0, 4), `response="LEAK${"z".repeat(28)}"`]),
  ],
  [
    "wrong realm",
    (c) =>
      digest([
        `username="${USER}"`,
        `realm="LEAKelsewhere"`,
        `nonce="${c.nonce}"`,
        `uri="${c.url}"`,
        `response="${response(c.nonce, c.url, USER, "LEAKelsewhere")}"`,
      ]),
  ],
  [
    "unknown nonce",
    (c) => digest(right({ ...c, nonce: "0123456789abcdef0123456789abcdef" })),
  ],
  [
    "uri of another path",
    (c) =>
      digest([
        ...right(c).slice(0, 3),
        `uri="${c.other}"`,
        `response="${response(c.nonce, c.other)}"`,
      ]),
  ],
  [
    "wrong password",
    (c) =>
      digest([
        ...right(c).slice(0, 4),
        `response="${response(c.nonce, c.url, USER, REALM, "LEAKguess")}"`,
      ]),
  ],
  [
    "unknown user",
    (c) =>
      digest([
        `username="LEAKmallory"`,
        ...right(c).slice(1, 4),
        `response="${response(c.nonce, c.url, "LEAKmallory")}"`,
      ]),
  ],
  ["empty Digest", () => "Digest"],
  ["Basic with garbage base64", () => "Basic LEAK!!*not*base64=="],
  ["Basic of no colon", () => `Basic ${btoa("LEAKmallory")}`],
  ["Basic of invalid UTF-8", () => `Basic ${btoa("\xffLEAK\xfe:\xff")}`],
  ["Basic without credentials", () => "Basic"],
  ["Basic with a wrong password", () => `Basic ${btoa(`${USER}:LEAKguess`)}`],
  ["Basic huge", () => `Basic ${btoa(`${USER}:LEAK${"x".repeat(2000)}`)}`],
  ["unknown scheme", () => "Bearer LEAK.mallory.token"],
];

const MARKERS = /LEAK|mallory|guess|elsewhere|Bearer/i;

/**
 * One case on a fresh connection: a nonce first (an unauthenticated DESCRIBE), then the hostile
 * header (401, no echo), then OPTIONS (the connection still works). Returns how long the 401 took.
 */
async function attempt(port: number, base: string, make: (c: Ctx) => string): Promise<number> {
  const peer = await RtspPeer.connect(port);
  const url = `${base}/secret`;
  try {
    const first = await peer.request("DESCRIBE", url);
    assert.equal(first?.status, 401, first?.head);
    const nonce = /nonce="([0-9a-f]+)"/.exec(first!.head)?.[1];
    assert.ok(nonce, `no Digest challenge: ${first!.head}`);
    const value = make({ nonce, url, other: `${base}/stream` });
    const started = Date.now();
    const r = await peer.request("DESCRIBE", url, { Authorization: value });
    const took = Date.now() - started;
    assert.equal(r?.status, 401, `${value.slice(0, 80)}: ${r?.head}`);
    assert.match(r!.head, /^WWW-Authenticate: Digest /m, "no fresh challenge");
    // (A bare scheme name is in the challenge anyway.)
    if (value.length > 8) assert.ok(!r!.text.includes(value), "the response echoes the header");
    assert.doesNotMatch(peer.received, MARKERS, "the response echoes part of the header");
    assert.equal((await peer.request("OPTIONS", url))?.status, 200, "the connection broke");
    assert.ok(!peer.closed, "the server closed the connection");
    return took;
  } finally {
    await peer.close();
  }
}

interopTest(
  "malformed Authorization gets 401 without leaks or crashes, and its delay stalls no one else",
  ["ffmpeg"],
  async () => {
    const log: string[] = [];
    const s = await startClipServer({
      access: {
        users: { [USER]: { password: PASSWORD } },
        methods: ["digest", "basic"],
        allowBasicWithoutTls: true, // so Basic is parsed and checked too
        paths: { "/stream": { read: "anyone" } }, // the ffmpeg reader's path is open
      }, // failureDelayMs left at its default, 200 to 600 ms
      logger: {
        log: (level, message, fields) => log.push(JSON.stringify([level, message, fields])),
      },
    });
    const port = s.server.port;
    const base = `rtsp://127.0.0.1:${port}`;
    const reader = startReader(s.url, 8);
    try {
      await sleep(1500); // the reader is playing before the first attack
      // The test's Digest is right: the same header with a good response passes the gate (then 404).
      const control = await RtspPeer.connect(port);
      const first = await control.request("DESCRIBE", `${base}/secret`);
      const nonce = /nonce="([0-9a-f]+)"/.exec(first!.head)![1];
      const ok = await control.request("DESCRIBE", `${base}/secret`, {
        Authorization: digest(right({ nonce, url: `${base}/secret`, other: "" })),
      });
      assert.equal(ok?.status, 404, ok?.head);
      await control.close();

      // While one failure waits out its delay, another connection is answered at once.
      const bystander = await RtspPeer.connect(port);
      const slow = attempt(port, base, CASES[0][1]);
      await sleep(30);
      const started = Date.now();
      const open = await bystander.request("DESCRIBE", `${base}/stream`);
      const fast = Date.now() - started;
      assert.equal(open?.status, 200);
      assert.ok(fast < 150, `an open DESCRIBE took ${fast} ms behind a failed attempt`);
      assert.ok(await slow >= 190, "no delay after a failed attempt");
      await bystander.close();

      // Every case at once, again and again: each connection waits alone, memory stays bounded.
      await assertBounded("18 Authorization", 6, async () => {
        await Promise.all(CASES.map(([name, make]) =>
          attempt(port, base, make).catch((e) => {
            throw new Error(`18 ${name}: ${e.message}`);
          })
        ));
      });
      assert.doesNotMatch(log.join("\n"), MARKERS, "credentials reached the log");
      await reader.check();
      assert.equal(s.server.stats.connections, 0, "every hostile connection is gone");
    } finally {
      await s.close();
    }
  },
);
