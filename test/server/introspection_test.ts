/**
 * server.sessions(), server.paths() and server.kick(): what the status page and the metrics read.
 * Real sockets on loopback, counters polled with generous deadlines.
 */

import assert from "node:assert/strict";
import { type RtspServer, serve } from "../../src/server/server.ts";
import type { ServeOptions } from "../../src/server/options.ts";
import type { SessionCloseInfo } from "../../src/server/hooks.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { idr, PPS, slice, SPS } from "./conversation.ts";

async function withServer(
  fn: (server: RtspServer) => Promise<void> | void,
  options: ServeOptions = {},
): Promise<void> {
  const server = await serve({ port: 0, hostname: "127.0.0.1", ...options });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Polls `check` until it holds, for up to 10 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });

test("a playing reader is listed with its transport and what it was sent", async () => {
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264", framerate: 25 });
    stream.sendFrame([SPS, PPS, idr()]);
    const before = Date.now();
    const client = await RtspTestClient.connect(server.url("/cam"));
    try {
      await client.describe();
      await client.setup();
      await client.play();
      stream.sendFrame([slice()]);
      await until("frames sent", () => server.sessions()[0]?.framesSent >= 2);
      const [s] = server.sessions();
      assert.equal(s.path, "/cam");
      assert.equal(s.role, "reader");
      assert.equal(s.transport, "tcp");
      assert.match(s.peer, /^127\.0\.0\.1:\d+$/);
      assert.ok(s.createdAt >= before - 1000 && s.createdAt <= Date.now());
      assert.ok(s.bytesSent > 3000);
      assert.equal(s.bytesReceived, 0);
      const [p] = server.paths();
      assert.equal(p.path, "/cam");
      assert.equal(p.codec, "h264");
      assert.equal(p.readers, 1);
      assert.equal(p.framesIn, 2);
      assert.ok(p.bytesIn > 3000);
      assert.equal(p.bytesOut, s.bytesSent);
      assert.equal(p.framesOut, 2);
      assert.deepEqual(p.sourceState, { state: "live" });
      assert.equal(p.videoInfo.framerate, 25);
      assert.equal(p.publisher, undefined);
    } finally {
      await client.close();
    }
  });
});

test("what a reader sent stays counted on its path after it leaves", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    stream.sendFrame([SPS, PPS, idr()]);
    const tap = server.tap("/cam", { frame() {}, queuedBytes: 0, queuedFrames: 0 });
    stream.sendFrame([slice()]);
    const sent = tap.stats.bytesSent;
    assert.ok(sent > 3000);
    tap.close();
    stream.sendFrame([slice()]);
    const [p] = server.paths();
    assert.equal(p.bytesOut, sent);
    assert.equal(p.framesOut, 2);
    assert.equal(p.readers, 0);
  });
});

test("a tap is listed as a reader with transport tap and its sink's label", async () => {
  await withServer((server) => {
    server.addStream("/cam", { codec: "h264" });
    const sink = { frame() {}, queuedBytes: 0, queuedFrames: 0, label: "push rtsp://b/cam" };
    const tap = server.tap("/cam", sink);
    const [s] = server.sessions();
    assert.equal(s.transport, "tap");
    assert.equal(s.role, "reader");
    assert.equal(s.peer, "push rtsp://b/cam");
    assert.equal(s.id, tap.id);
    assert.equal(server.paths()[0].readers, 1);
  });
});

test("kick ends a session with reason kicked, closes its connection, and fires the hook", async () => {
  const closed: SessionCloseInfo[] = [];
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    stream.sendFrame([SPS, PPS, idr()]);
    const client = await RtspTestClient.connect(server.url("/cam"));
    try {
      await client.describe();
      await client.setup();
      await client.play();
      const [s] = server.sessions();
      assert.equal(server.kick(s.id), true);
      assert.equal(server.kick(s.id), false);
      assert.equal(server.kick("nope"), false);
      assert.deepEqual(server.sessions(), []);
      await until("the connection closed", () => client.isClosed);
      await until("the hook", () => closed.length === 1);
      assert.equal(closed[0].reason, "kicked");
      assert.equal(closed[0].id, s.id);
    } finally {
      await client.close();
    }
  }, { hooks: { onSessionClose: (info) => void closed.push(info) } });
});

test("kick ends a tap and tells its sink", async () => {
  await withServer((server) => {
    server.addStream("/cam", { codec: "h264" });
    const ended: string[] = [];
    const tap = server.tap("/cam", {
      frame() {},
      queuedBytes: 0,
      queuedFrames: 0,
      ended: (reason) => void ended.push(reason),
    });
    assert.equal(server.kick(tap.id), true);
    assert.equal(tap.closed, true);
    assert.deepEqual(ended, ["kicked"]);
    assert.deepEqual(server.sessions(), []);
  });
});

test("a published path names its publisher's kind, address and since", async () => {
  await withServer((server) => {
    const before = Date.now();
    const publication = server.publish("/dev", {
      codec: "jpeg",
      publisher: "ingest 10.0.0.7:4000",
    });
    const [p] = server.paths();
    assert.equal(p.publisher?.kind, "ingest");
    assert.equal(p.publisher?.peer, "10.0.0.7:4000");
    assert.ok(p.publisher!.since >= before - 1000);
    assert.deepEqual(p.sourceState, { state: "starting" });
    publication.release("device gone");
    const [after] = server.paths();
    assert.equal(after.publisher, undefined);
    assert.deepEqual(after.sourceState, { state: "gone", reason: "device gone" });
  });
});
