/**
 * The JSON API: exact shapes of every answer (the console relies on the names), 404 and 405 as
 * JSON errors, and no caching. Runs on a fake server and a manual clock, so every value is known.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { RecentLog } from "../../src/base/recent_log.ts";
import { apiRoute } from "../../src/http/api.ts";
import { StatusBoard, type StatusServer } from "../../src/http/status.ts";
import type { PathSnapshot, SessionSnapshot } from "../../src/server/introspection.ts";

const WALL = 1_700_000_000_000; // the manual clock's wall time at 0
const ISO = new Date(WALL).toISOString();

function setUp() {
  const clock = new ManualClock(0, WALL);
  const paths: PathSnapshot[] = [{
    path: "/cam",
    codec: "h264",
    videoInfo: { width: 640, height: 360, framerate: 25 },
    sourceState: { state: "live" },
    readers: 1,
    framesIn: 10,
    bytesIn: 2000,
    framesOut: 8,
    bytesOut: 1800,
    framesDropped: 2,
  }, {
    path: "/dev",
    codec: "jpeg",
    videoInfo: {},
    sourceState: { state: "starting" },
    readers: 0,
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
    framesDropped: 0,
    publisher: { kind: "ingest", peer: "10.0.0.7:4000", since: WALL },
  }];
  const sessions: SessionSnapshot[] = [{
    id: "abc",
    path: "/cam",
    role: "reader",
    peer: "10.0.0.8:5000",
    transport: "udp",
    createdAt: WALL,
    bytesSent: 1800,
    framesSent: 8,
    framesDropped: 2,
    bytesReceived: 0,
  }];
  const kicked: string[] = [];
  const server: StatusServer = {
    paths: () => paths,
    sessions: () => sessions,
    kick: (id) => id === "abc" ? (kicked.push(id), true) : false,
    stats: {} as StatusServer["stats"],
  };
  const log = new RecentLog({ log() {} }, { wallMs: () => clock.wallMs() });
  const board = new StatusBoard({
    server,
    clock,
    log,
    paths: [
      {
        path: "/cam",
        type: "rtsp",
        detail: "relayed from rtsp://camera/1",
        source: {
          status: {
            state: "streaming",
            since: WALL,
            lastError: "timed out",
            reconnects: 2,
          },
        },
      },
      { path: "/dev", type: "ingest", detail: "pushed by a device" },
      { path: "/pub", type: "publisher", detail: "published over RTSP" },
    ],
    pushers: [{
      path: "/cam",
      target: "rtsp://backup/cam",
      state: { state: "waiting", error: "refused" },
    }],
  });
  const api = apiRoute(board);
  const call = async (method: string, path: string) => {
    const url = new URL(`http://edge${path}`);
    const response = await api(new Request(url, { method }), url, {
      peer: "127.0.0.1",
      secure: false,
    });
    const text = await response.text();
    return { response, body: text === "" ? undefined : JSON.parse(text) };
  };
  return { board, call, log, kicked, clock };
}

const CAM = {
  name: "cam",
  source: { type: "rtsp", detail: "relayed from rtsp://camera/1" },
  state: "streaming",
  stateSince: ISO,
  lastError: "timed out",
  reconnects: 2,
  onDemand: false,
  ready: true,
  codec: "h264",
  audio: null,
  width: 640,
  height: 360,
  fps: null,
  bitrate: null,
  framesIn: 10,
  bytesIn: 2000,
  bytesOut: 1800,
  framesDropped: 2,
  readers: [{
    id: "abc",
    peer: "10.0.0.8:5000",
    transport: "udp",
    since: ISO,
    framesDropped: 2,
    bytesSent: 1800,
  }],
  publisher: null,
  pushes: [{ url: "rtsp://backup/cam", state: "backing-off", lastError: "refused" }],
};

Deno.test("GET /api/paths lists every path in mediamtx's list shape", async () => {
  const { board, call } = setUp();
  const { response, body } = await call("GET", "/api/paths");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  assert.match(response.headers.get("Content-Type")!, /^application\/json/);
  assert.equal(body.itemCount, 3);
  assert.deepEqual(body.items[0], CAM);
  assert.deepEqual(body.items[1], {
    name: "dev",
    source: { type: "ingest", detail: "pushed by a device" },
    state: "waiting",
    stateSince: ISO,
    reconnects: 0,
    onDemand: false,
    ready: false,
    codec: "jpeg",
    audio: null,
    width: null,
    height: null,
    fps: null,
    bitrate: null,
    framesIn: 0,
    bytesIn: 0,
    bytesOut: 0,
    framesDropped: 0,
    readers: [],
    publisher: { type: "ingest", peer: "10.0.0.7:4000", since: ISO },
    pushes: [],
  });
  assert.equal(body.items[2].name, "pub");
  assert.equal(body.items[2].codec, null);
  assert.equal(body.items[2].state, "waiting");
  board.close();
});

Deno.test("GET /api/paths/<name> answers one path, or a JSON 404", async () => {
  const { board, call } = setUp();
  assert.deepEqual((await call("GET", "/api/paths/cam")).body, CAM);
  const missing = await call("GET", "/api/paths/nope");
  assert.equal(missing.response.status, 404);
  assert.deepEqual(missing.body, { error: "no path nope" });
  board.close();
});

Deno.test("GET /api/sessions lists the sessions; POST kick ends one (204) or says 404", async () => {
  const { board, call, kicked } = setUp();
  const { body } = await call("GET", "/api/sessions");
  assert.deepEqual(body, {
    itemCount: 1,
    items: [{
      id: "abc",
      path: "cam",
      role: "reader",
      peer: "10.0.0.8:5000",
      transport: "udp",
      created: ISO,
      bytesSent: 1800,
      bytesReceived: 0,
      framesDropped: 2,
    }],
  });
  const kick = await call("POST", "/api/sessions/abc/kick");
  assert.equal(kick.response.status, 204);
  assert.equal(kick.body, undefined);
  assert.deepEqual(kicked, ["abc"]);
  const unknown = await call("POST", "/api/sessions/zzz/kick");
  assert.equal(unknown.response.status, 404);
  assert.deepEqual(unknown.body, { error: "no session zzz" });
  board.close();
});

Deno.test("GET /api/logs gives the latest lines with ISO times", async () => {
  const { board, call, log } = setUp();
  log.log("warn", "relay lost its upstream", { path: "/cam", error: "refused" });
  const { body } = await call("GET", "/api/logs");
  assert.deepEqual(body, {
    items: [{
      time: ISO,
      level: "warn",
      message: "relay lost its upstream",
      fields: { path: "/cam", error: "refused" },
    }],
  });
  board.close();
});

Deno.test("a wrong method is 405 with Allow; an unknown endpoint is a JSON 404", async () => {
  const { board, call } = setUp();
  const post = await call("POST", "/api/paths");
  assert.equal(post.response.status, 405);
  assert.equal(post.response.headers.get("Allow"), "GET, HEAD");
  assert.equal(post.response.headers.get("Cache-Control"), "no-store");
  assert.deepEqual(post.body, { error: "use GET" });
  const get = await call("GET", "/api/sessions/abc/kick");
  assert.equal(get.response.status, 405);
  assert.equal(get.response.headers.get("Allow"), "POST");
  const nothing = await call("GET", "/api/nothing");
  assert.equal(nothing.response.status, 404);
  assert.deepEqual(nothing.body, { error: "no such endpoint: /api/nothing" });
  board.close();
});
