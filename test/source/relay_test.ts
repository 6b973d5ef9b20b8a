import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Logger, LogLevel } from "../../src/base/log.ts";
import { Stream } from "../../src/server/stream/stream.ts";
import {
  type PictureSink,
  Relay,
  type Upstream,
  type UpstreamFeed,
  type UpstreamMedia,
} from "../../src/source/relay.ts";
import { PPS, SPS } from "../server/conversation.ts";
import { backoffDelay } from "../../src/source/reconnect.ts";

const IDR = new Uint8Array([0x65, 0x88, 0x84, 0x00, 0x33]);

/** An upstream the test drives: each `open` is answered by the next script entry. */
function scriptedUpstream() {
  const feeds: UpstreamFeed[] = [];
  const script: (UpstreamMedia | Error)[] = [];
  let closes = 0;
  const open = (feed: UpstreamFeed): Promise<Upstream> => {
    const next = script.shift() ?? new Error("connection refused");
    if (next instanceof Error) return Promise.reject(next);
    feeds.push(feed);
    return Promise.resolve({
      media: next,
      close: () => {
        closes++;
        return Promise.resolve();
      },
    });
  };
  return { open, feeds, script, closes: () => closes };
}

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      log(level: LogLevel, message: string, fields?: Record<string, unknown>) {
        if (level !== "debug") {
          lines.push(`${level} ${message}${fields?.error ? `: ${fields.error}` : ""}`);
        }
      },
    } as Logger,
  };
}

function setUp(codec: "h264" | "jpeg" = "h264") {
  const clock = new ManualClock();
  const { logger, lines } = recorder();
  const stream = new Stream("/cam", { codec }, { clock, logger, maxPayloadSize: 1400 });
  const upstream = scriptedUpstream();
  return { clock, lines, stream, upstream };
}

/** Lets the relay's promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("backoffDelay() doubles from 1 s to a 30 s cap, spread by ±20 %", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 10].map((n) => backoffDelay(n, 0.5)), [
    1000,
    2000,
    4000,
    8000,
    16000,
    30000,
    30000,
    30000,
  ]);
  assert.equal(backoffDelay(1, 0), 800);
  assert.equal(backoffDelay(6, 0.999), 35988);
});

Deno.test("a relay streams its upstream's access units with the SDP's parameter sets", async () => {
  const { clock, stream, upstream } = setUp();
  const { logger, lines } = recorder();
  upstream.script.push({ codec: "h264", parameterSets: { sps: SPS, pps: PPS }, framerate: 25 });
  const relay = new Relay(stream, { open: upstream.open, label: "rtsp://cam/live", logger, clock });
  await relay.connected;
  assert.equal(relay.state.state, "streaming");
  assert.deepEqual(stream.parameterSets, { sps: SPS, pps: PPS });
  assert.equal(stream.videoInfo.framerate, 25);
  upstream.feeds[0].accessUnit([IDR], 1000);
  assert.equal(stream.stats.frames, 1);
  assert.equal(relay.description, "relayed from rtsp://cam/live");
  await relay.stop();
  assert.equal(relay.state.state, "stopped");
  assert.equal(upstream.closes(), 1);
  assert.deepEqual(lines, ["info relay connecting", "info relay streaming", "info relay stopped"]);
});

Deno.test("upstream loss: new readers hear why, the relay backs off and comes back", async () => {
  const { clock, stream, upstream } = setUp();
  const { logger, lines } = recorder();
  const h264: UpstreamMedia = { codec: "h264", parameterSets: { sps: SPS, pps: PPS } };
  upstream.script.push(h264);
  const relay = new Relay(stream, {
    open: upstream.open,
    label: "rtsp://cam/live",
    logger,
    clock,
    random: () => 0.5,
  });
  await relay.connected;
  upstream.feeds[0].accessUnit([IDR], 0);
  upstream.feeds[0].closed(new Error("the connection was reset"));
  assert.deepEqual(stream.sourceState, {
    state: "gone",
    reason: "rtsp://cam/live: the connection was reset",
  });
  assert.deepEqual(relay.state, {
    state: "waiting",
    until: 1000,
    error: "the connection was reset",
  });
  // Two failed attempts: 1 s, then 2 s, then 4 s; the same failure is logged once.
  clock.advance(1000);
  await settle();
  assert.equal(relay.state.state, "waiting");
  assert.equal(relay.state.state === "waiting" && relay.state.until, 1000 + 2000);
  clock.advance(2000);
  await settle();
  assert.equal(relay.state.state === "waiting" && relay.state.until, 3000 + 4000);
  // Frames of the old connection are not taken once it is gone.
  upstream.feeds[0].accessUnit([IDR], 10);
  assert.equal(stream.stats.frames, 1);
  upstream.script.push(h264);
  clock.advance(4000);
  await settle();
  assert.equal(relay.state.state, "streaming");
  assert.equal(stream.sourceState.state, "starting");
  upstream.feeds[1].accessUnit([IDR], 5);
  assert.equal(stream.stats.frames, 2);
  assert.deepEqual(lines, [
    "info relay connecting",
    "info relay streaming",
    "warn relay lost its upstream; connecting again: the connection was reset",
    "warn relay lost its upstream; connecting again: connection refused",
    "info relay streaming",
  ]);
  await relay.stop();
});

Deno.test("a minute of good streaming resets the backoff to 1 s", async () => {
  const { clock, stream, upstream } = setUp();
  const h264: UpstreamMedia = { codec: "h264" };
  upstream.script.push(new Error("refused"), new Error("refused"), h264, h264);
  const relay = new Relay(stream, {
    open: upstream.open,
    label: "u",
    logger: recorder().logger,
    clock,
    random: () => 0.5,
  });
  await settle();
  clock.advance(1000);
  await settle();
  clock.advance(2000);
  await settle();
  assert.equal(relay.state.state, "streaming");
  clock.advance(60_000);
  upstream.feeds[0].closed(undefined);
  const state = relay.state as { state: string; until?: number };
  assert.equal(state.state === "waiting" && state.until! - clock.now(), 1000);
  await relay.stop();
  assert.equal(clock.pendingTimers, 0, "stop() cancels the pending attempt");
});

Deno.test("JPEG upstreams go through the encoding sink on an H.264 path, as they are on RTP/JPEG", async () => {
  const frames: number[] = [];
  const sink: PictureSink = {
    frame: (_jpeg, ts) => void frames.push(ts),
    close: () => Promise.resolve(),
  };
  const h264Path = setUp("h264");
  h264Path.upstream.script.push({ codec: "jpeg" });
  const relay = new Relay(h264Path.stream, {
    open: h264Path.upstream.open,
    jpegToH264: () => sink,
    label: "http://cam:81/stream",
    logger: recorder().logger,
    clock: h264Path.clock,
  });
  await relay.connected;
  h264Path.upstream.feeds[0].jpeg(new Uint8Array([0xff, 0xd8]), 42);
  assert.deepEqual(frames, [42]);
  await relay.stop();

  // A path served as RTP/JPEG cannot take H.264: said, and tried again later.
  const jpegPath = setUp("jpeg");
  jpegPath.upstream.script.push({ codec: "h264" });
  const refused = new Relay(jpegPath.stream, {
    open: jpegPath.upstream.open,
    label: "rtsp://cam/h264",
    logger: recorder().logger,
    clock: jpegPath.clock,
  });
  await assert.rejects(
    refused.connected,
    /the upstream sends H\.264, and the path serves RTP\/JPEG/,
  );
  assert.equal(jpegPath.upstream.closes(), 1);
  await refused.stop();
});

Deno.test("an upstream error that names the URL already is not prefixed with it twice", async () => {
  const { clock, stream, upstream } = setUp();
  upstream.script.push({ codec: "h264" });
  const relay = new Relay(stream, {
    open: upstream.open,
    label: "rtsp://cam/live",
    logger: recorder().logger,
    clock,
  });
  await relay.connected;
  upstream.feeds[0].closed(new Error("rtsp://cam/live: no media for 10000 ms"));
  assert.deepEqual(stream.sourceState, {
    state: "gone",
    reason: "rtsp://cam/live: no media for 10000 ms",
  });
  await relay.stop();
});

Deno.test("a relay's status: backing off with its error and the next try, then streaming", async () => {
  const { clock, stream, upstream } = setUp();
  upstream.script.push(new Error("connection refused"));
  upstream.script.push({ codec: "h264", parameterSets: { sps: SPS, pps: PPS } });
  const relay = new Relay(stream, {
    open: upstream.open,
    label: "rtsp://cam/1",
    logger: recorder().logger,
    clock,
    random: () => 0.5,
  });
  await settle();
  const backingOff = relay.status;
  assert.equal(backingOff.state, "backing-off");
  assert.equal(backingOff.lastError, "connection refused");
  assert.equal(backingOff.retryAt, clock.wallMs() + 1000);
  assert.equal(backingOff.reconnects, 1);
  clock.advance(1000);
  await settle();
  const streaming = relay.status;
  assert.equal(streaming.state, "streaming");
  assert.equal(streaming.since, clock.wallMs());
  assert.equal(streaming.reconnects, 1);
  await relay.stop();
  assert.equal(relay.status.state, "stopped");
});

Deno.test("a relayed camera's audio becomes the path's audio track, and goes with an upstream without it", async () => {
  const { clock, stream } = setUp();
  const { logger } = recorder();
  const pcma = { codec: "pcma" as const, clockRate: 8000, channels: 1 };
  const feeds: UpstreamFeed[] = [];
  const answers: Upstream[] = [
    {
      media: { codec: "h264", parameterSets: { sps: SPS, pps: PPS } },
      audio: pcma,
      close: () => Promise.resolve(),
    },
    {
      media: { codec: "h264", parameterSets: { sps: SPS, pps: PPS } },
      close: () => Promise.resolve(),
    },
  ];
  const open = (feed: UpstreamFeed) => {
    feeds.push(feed);
    return Promise.resolve(answers.shift()!);
  };
  const relay = new Relay(stream, {
    open,
    label: "rtsp://cam/live",
    logger,
    clock,
    random: () => 0.5,
  });
  await relay.connected;
  assert.deepEqual(stream.audio?.format, pcma);
  feeds[0].accessUnit([SPS, PPS, IDR], 0);
  feeds[0].audio!(new Uint8Array(160).fill(0xd5), 0);
  assert.equal(stream.audio?.stats.packets, 1);
  feeds[0].closed(new Error("the connection was reset"));
  feeds[0].audio!(new Uint8Array(160), 20_000); // stale: the lost connection's
  assert.equal(stream.audio?.stats.packets, 1);
  clock.advance(1000);
  await settle();
  assert.equal(relay.state.state, "streaming");
  assert.equal(stream.audio, undefined);
  await relay.stop();
});
