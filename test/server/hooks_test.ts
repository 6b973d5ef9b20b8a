/**
 * The public lifecycle hooks through the socket-free harness: the order they are called in, what
 * they are told (role, transport, reason), what onDescribe may decide, and that a hook that throws
 * or hangs changes nothing for the session.
 */

import assert from "node:assert/strict";
import type { LogFields } from "../../src/base/log.ts";
import type { ServerCore } from "../../src/server/core.ts";
import type { ServerHooks } from "../../src/server/hooks.ts";
import { resolveOptions } from "../../src/server/options.ts";
import {
  Client,
  dollar,
  FakeTcp,
  idr,
  makeCore,
  PPS,
  rtpPacket,
  SPS,
  URL,
} from "./conversation.ts";

const TRACK = `${URL}/trackID=0`;
const TCP = "RTP/AVP/TCP;unicast;interleaved=0-1";
const UDP = "RTP/AVP;unicast;client_port=5000-5001";
const PUB = "rtsp://127.0.0.1:8554/pub";
const SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n" +
  "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n";

/** Hooks that write one line per call: `name key=value...`. */
function recorder(): { hooks: ServerHooks; calls: string[] } {
  const calls: string[] = [];
  const line = (name: string) => (info: object) => {
    const fields = Object.entries(info).filter(([k]) => !["id", "connection", "peer"].includes(k));
    calls.push([name, ...fields.map(([k, v]) => `${k}=${v}`)].join(" "));
  };
  return {
    calls,
    hooks: {
      onConnectionOpen: line("connection-open"),
      onConnectionClose: line("connection-close"),
      onDescribe: line("describe"),
      onSessionOpen: line("open"),
      onPlay: line("play"),
      onPause: line("pause"),
      onRecord: line("record"),
      onSessionClose: line("close"),
    },
  };
}

function sessionOf(value: string | undefined): string {
  assert.ok(value, "no Session header");
  return value.split(";")[0];
}

async function setupAndPlay(client: Client, transport: string): Promise<string> {
  const setup = await client.request("SETUP", TRACK, { CSeq: 2, Transport: transport });
  assert.equal(setup.status, 200);
  const session = sessionOf(setup.headers.get("Session"));
  assert.equal((await client.request("PLAY", URL, { CSeq: 3, Session: session })).status, 200);
  return session;
}

Deno.test("a reader's hooks come in order: connection, describe, open, play, pause, play, close, connection close", async () => {
  const { hooks, calls } = recorder();
  const { core } = makeCore({ hooks });
  const client = new Client(core);
  assert.equal((await client.request("DESCRIBE", URL, { CSeq: 1 })).status, 200);
  const session = await setupAndPlay(client, TCP);
  assert.equal((await client.request("PAUSE", URL, { CSeq: 4, Session: session })).status, 200);
  assert.equal((await client.request("PLAY", URL, { CSeq: 5, Session: session })).status, 200);
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 6, Session: session })).status, 200);
  client.conn.closed();
  const info = "path=/stream transport=tcp role=reader";
  assert.deepEqual(calls, [
    "connection-open secure=false",
    "describe path=/stream",
    `open ${info}`,
    `play ${info}`,
    `pause ${info}`,
    `play ${info}`,
    `close ${info} reason=teardown`,
    "connection-close secure=false",
  ]);
});

Deno.test("hooks are told the session id, its connection and the peer", async () => {
  const seen: unknown[] = [];
  const { core } = makeCore({ hooks: { onPlay: (info) => void seen.push(info) } });
  const client = new Client(core, new FakeTcp("127.0.0.7", 41000));
  const session = await setupAndPlay(client, UDP);
  assert.deepEqual(seen, [{
    id: session,
    connection: client.conn.id,
    path: "/stream",
    peer: "127.0.0.7:41000",
    transport: "udp",
    role: "reader",
  }]);
});

Deno.test("onSessionClose says why: connection closed, timeout, stream removed, server closing", async () => {
  const reasons: string[] = [];
  const { core, clock } = makeCore({
    hooks: { onSessionClose: (i) => void reasons.push(i.reason) },
  });
  const tcp = new Client(core);
  await setupAndPlay(tcp, TCP);
  tcp.conn.closed();
  const udp = new Client(core, new FakeTcp("127.0.0.2"));
  await setupAndPlay(udp, UDP);
  clock.advance(61_000);
  core.tick();
  await setupAndPlay(new Client(core, new FakeTcp("127.0.0.3")), TCP);
  core.removeStream("/stream");
  core.addStream("/stream", { codec: "h264" }).sendFrame([SPS, PPS, idr()]);
  await setupAndPlay(new Client(core, new FakeTcp("127.0.0.4")), TCP);
  core.closeAll();
  assert.deepEqual(reasons, ["connection closed", "timeout", "stream removed", "server closing"]);
});

Deno.test("a publisher's hooks: open at ANNOUNCE without a transport, record, close when replaced", async () => {
  const { hooks, calls } = recorder();
  const { core } = makeCore({ hooks, publishers: () => ({ replace: true }) });
  const pub = new Client(core, new FakeTcp("127.0.0.5"));
  const announce = () =>
    pub.request("ANNOUNCE", PUB, { CSeq: 1, "Content-Type": "application/sdp" }, SDP);
  assert.equal((await announce()).status, 200);
  const setup = await pub.request("SETUP", `${PUB}/streamid=0`, {
    CSeq: 2,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
  });
  const session = sessionOf(setup.headers.get("Session"));
  assert.equal((await pub.request("RECORD", PUB, { CSeq: 3, Session: session })).status, 200);
  assert.equal((await pub.request("PAUSE", PUB, { CSeq: 4, Session: session })).status, 200);
  core.publishers.claim("/pub", { codec: "h264", publisher: "ingest", replace: true });
  assert.deepEqual(calls, [
    "connection-open secure=false",
    "open path=/pub transport=undefined role=publisher",
    "record path=/pub transport=tcp role=publisher",
    "pause path=/pub transport=tcp role=publisher",
    "close path=/pub transport=tcp role=publisher reason=replaced",
  ]);
});

Deno.test("onDescribe may refuse with a status, or by throwing (its status, else 500)", async () => {
  const answers: Record<string, () => unknown> = {
    "/stream": () => ({ status: 403 }),
    "/nope": () => {
      throw Object.assign(new Error("gone"), { status: 410 });
    },
    "/bug": () => {
      throw new TypeError("a bug");
    },
    "/async": () => Promise.reject(new Error("later")),
    "/ok": () => ({ status: 200 }), // not an error status: taken as a broken hook
  };
  const { core } = makeCore({
    hooks: { onDescribe: ({ path }) => answers[path]?.() as undefined },
  });
  const client = new Client(core);
  const expected: [string, number][] = [
    ["/stream", 403],
    ["/nope", 410],
    ["/bug", 500],
    ["/async", 500],
    ["/ok", 500],
  ];
  for (const [path, status] of expected) {
    const r = await client.request("DESCRIBE", `rtsp://127.0.0.1:8554${path}`, { CSeq: 1 });
    assert.equal(r.status, status, path);
  }
  assert.equal((await client.request("OPTIONS", "*", { CSeq: 2 })).status, 200, "still serving");
});

Deno.test("onDescribe makes a stream on demand for a path that has none", async () => {
  const { core }: { core: ServerCore } = makeCore({
    hooks: {
      onDescribe({ path }) {
        if (path !== "/lazy" || core.mounts.has(path)) return;
        const stream = core.addStream(path, { codec: "h264" });
        setTimeout(() => stream.sendFrame([SPS, PPS, idr()]), 5); // the source comes up later
        return stream;
      },
    },
  });
  const client = new Client(core);
  const r = await client.request("DESCRIBE", "rtsp://127.0.0.1:8554/lazy", { CSeq: 1 });
  assert.equal(r.status, 200);
  assert.match(new TextDecoder().decode(r.body), /sprop-parameter-sets=/);
  const none = await client.request("DESCRIBE", "rtsp://127.0.0.1:8554/other", { CSeq: 2 });
  assert.equal(none.status, 404);
});

Deno.test("an onDescribe that does not answer in describeTimeout gets the DESCRIBE a 503", async () => {
  const { core } = makeCore({
    describeTimeout: 0.05,
    hooks: { onDescribe: () => new Promise<undefined>(() => {}) },
  });
  const client = new Client(core);
  const asked = await client.send(`DESCRIBE ${URL} RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
  assert.equal(asked.responses.length, 0, "waiting for the hook");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(client.collect().responses.map((r) => r.status), [503]);
});

Deno.test("a hook that throws or never returns is logged and changes nothing for the session", async () => {
  const lines: string[] = [];
  const { core, stream } = makeCore({
    hooks: {
      onSessionOpen() {
        throw new Error("broken");
      },
      onPlay: () => new Promise<void>(() => {}),
      onPause: () => Promise.reject(new Error("rejected")),
    },
  });
  core.logger = {
    log(level: string, message: string, fields?: LogFields) {
      lines.push(`${level} ${message} ${fields?.hook} ${fields?.error}`);
    },
  };
  const client = new Client(core);
  const session = await setupAndPlay(client, TCP);
  client.collect();
  stream.sendFrame([new Uint8Array([0x41, 0x9a, 1])], { timestamp: 33_333 });
  assert.equal(client.collect().interleaved.length, 1, "playing");
  assert.equal((await client.request("PAUSE", URL, { CSeq: 4, Session: session })).status, 200);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(lines.filter((l) => l.includes("hook failed")), [
    "warn hook failed onSessionOpen Error: broken",
    "warn hook failed onPause Error: rejected",
  ]);
});

Deno.test("a publisher's interleaved RTP is taken while its onRecord hook hangs", async () => {
  const { core } = makeCore({ hooks: { onRecord: () => new Promise<void>(() => {}) } });
  const pub = new Client(core);
  await pub.request("ANNOUNCE", PUB, { CSeq: 1, "Content-Type": "application/sdp" }, SDP);
  const setup = await pub.request("SETUP", `${PUB}/streamid=0`, {
    CSeq: 2,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
  });
  const session = sessionOf(setup.headers.get("Session"));
  assert.equal((await pub.request("RECORD", PUB, { CSeq: 3, Session: session })).status, 200);
  await pub.send(dollar(0, rtpPacket(1, 0, [0x65, 0x88, 1])));
  assert.equal(core.mounts.get("/pub")!.stats.frames, 1);
});

Deno.test("serve() options refuse a misspelt or non-function hook", () => {
  assert.throws(() => resolveOptions({ hooks: { onPlayy: () => {} } as ServerHooks }), /onPlayy/);
  assert.throws(
    () => resolveOptions({ hooks: { onPlay: 5 } as unknown as ServerHooks }),
    /hooks\.onPlay must be a function/,
  );
});
