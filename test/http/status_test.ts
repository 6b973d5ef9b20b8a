/**
 * The status board: a device path's states before, while and after a device pushes; a relay that
 * cannot reach its camera; kicking a reader; rates measured from sampled counters. Real sockets on
 * loopback are polled with generous deadlines; the rates run on a manual clock.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { startIngest } from "../../src/ingest/ingest_server.ts";
import type { IngestPathPolicy } from "../../src/ingest/ingest_request.ts";
import { type RtspServer, serve } from "../../src/server/server.ts";
import type { PathSnapshot } from "../../src/server/introspection.ts";
import { Relay } from "../../src/source/relay.ts";
import { StatusBoard, type StatusServer } from "../../src/http/status.ts";
import { FFMPEG_420 } from "../rtp/jpeg_cases.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { idr, PPS, SPS } from "../server/conversation.ts";
import { systemClock } from "../../src/base/clock.ts";
import { silentLogger } from "../../src/base/log.ts";

/** Polls `check` until it holds, for up to 15 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });

/** The rules of a device path served as RTP/JPEG (no encoder needed). */
const JPEG_POLICY: IngestPathPolicy = {
  jpeg: "rtp-jpeg",
  replace: false,
  bitrate: 1_000_000,
  gop: 15,
  maxFrameBytes: 1 << 20,
};

async function withServer(fn: (server: RtspServer) => Promise<void>): Promise<void> {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

test("a device path waits for a device, streams while it pushes, and waits again after", async () => {
  await withServer(async (server) => {
    const ingest = await startIngest({
      rtsp: server,
      port: 0,
      hostname: "127.0.0.1",
      policyFor: (path) => path === "/dev" ? JPEG_POLICY : undefined,
      parkedSinkMs: 200,
    });
    const board = new StatusBoard({
      server,
      paths: [{ path: "/dev", type: "ingest", detail: "pushed by a device (no token)" }],
    });
    try {
      const before = board.path("dev")!;
      assert.equal(before.state, "waiting");
      assert.equal(before.ready, false);
      assert.equal(before.codec, null);
      assert.equal(before.publisher, null);
      assert.deepEqual(before.source, { type: "ingest", detail: "pushed by a device (no token)" });
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`http://127.0.0.1:${ingest.port}/ingest/dev`, {
          method: "POST",
          headers: { "Content-Type": "image/jpeg" },
          body: FFMPEG_420.slice(),
        });
        await response.body?.cancel();
        assert.equal(response.status < 300, true, `push answered ${response.status}`);
      }
      const pushing = board.path("/dev")!;
      assert.equal(pushing.state, "streaming");
      assert.equal(pushing.ready, true);
      assert.equal(pushing.codec, "jpeg");
      assert.equal(pushing.framesIn, 3);
      assert.ok(pushing.width! > 0 && pushing.height! > 0);
      await until("the device to be gone", () => board.path("dev")!.state === "waiting");
      const after = board.path("dev")!;
      assert.match(after.lastError ?? "", /stopped sending frames/);
      assert.equal(after.ready, false);
      assert.ok(Date.parse(after.stateSince!) > 0);
    } finally {
      board.close();
      await ingest.close();
    }
  });
});

test("a relay that cannot reach its camera is backing off with the error and the next try", async () => {
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const relay = new Relay(stream, {
      open: () => Promise.reject(new Error("connection refused")),
      label: "rtsp://camera/1",
      logger: silentLogger,
      clock: systemClock,
    });
    const board = new StatusBoard({
      server,
      paths: [{ path: "/cam", type: "rtsp", detail: relay.description, source: relay }],
    });
    try {
      await until("backing off", () => board.path("cam")!.state === "backing-off");
      const cam = board.path("cam")!;
      assert.equal(cam.lastError, "connection refused");
      assert.ok(Date.parse(cam.retryAt!) >= Date.parse(cam.stateSince!));
      assert.ok(cam.reconnects >= 1);
      assert.equal(cam.ready, false);
      assert.equal(cam.codec, "h264");
    } finally {
      board.close();
      await relay.stop();
    }
  });
});

test("a reader is listed on its path and in the sessions, and a kick ends it", async () => {
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    stream.sendFrame([SPS, PPS, idr()]);
    const board = new StatusBoard({
      server,
      paths: [{ path: "/cam", type: "program", detail: "" }],
    });
    const client = await RtspTestClient.connect(server.url("/cam"));
    try {
      await client.describe();
      await client.setup();
      await client.play();
      const [reader] = board.path("cam")!.readers;
      assert.equal(reader.transport, "tcp");
      assert.match(reader.peer, /^127\.0\.0\.1:/);
      const [session] = board.sessions();
      assert.equal(session.id, reader.id);
      assert.equal(session.path, "cam");
      assert.equal(session.role, "reader");
      assert.equal(board.kick(session.id), true);
      assert.deepEqual(board.sessions(), []);
      assert.deepEqual(board.path("cam")!.readers, []);
      await until("the client to see its connection closed", () => client.isClosed);
    } finally {
      board.close();
      await client.close();
    }
  });
});

/** A server whose one path's counters the test sets. */
function fakeServer(snapshot: PathSnapshot): StatusServer {
  return {
    paths: () => [{ ...snapshot }],
    sessions: () => [],
    kick: () => false,
    stats: {} as StatusServer["stats"],
  };
}

test("fps and bitrate come from the last seconds of counters, null until a second has passed", () => {
  const clock = new ManualClock();
  const snap: PathSnapshot = {
    path: "/cam",
    codec: "h264",
    videoInfo: {},
    sourceState: { state: "live" },
    readers: 0,
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
    framesDropped: 0,
  };
  const board = new StatusBoard({ server: fakeServer(snap), paths: [], clock });
  assert.equal(board.path("cam")!.fps, null);
  for (let second = 1; second <= 10; second++) {
    snap.framesIn += 25;
    snap.bytesIn += 50_000;
    clock.advance(1000);
  }
  const cam = board.path("cam")!;
  assert.equal(cam.fps, 25);
  assert.equal(cam.bitrate, 400_000);
  assert.equal(cam.source.type, "program");
  board.close();
  assert.equal(clock.pendingTimers, 0);
  return Promise.resolve();
});
