/**
 * server.tap(): an in-process reader of a served stream. It reads by the RTSP reader's rules
 * (keyframe start, bounded queue, whole frames dropped to the next keyframe), counts as a reader
 * for on-demand sources, and ends once when its stream or the server goes.
 */

import assert from "node:assert/strict";
import { type RtspServer, serve } from "../../src/server/server.ts";
import type { ServeOptions } from "../../src/server/options.ts";
import type { TapFrame, TapSink } from "../../src/server/tap.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
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

function recordingSink() {
  const frames: TapFrame[] = [];
  const ended: string[] = [];
  const rtcp: Uint8Array[] = [];
  const sink: TapSink & { queuedFrames: number } = {
    frame: (frame) => void frames.push(frame),
    queuedBytes: 0,
    queuedFrames: 0,
    rtcp: (packet) => void rtcp.push(packet),
    ended: (reason) => void ended.push(reason),
  };
  return { sink, frames, ended, rtcp };
}

Deno.test("a tap starts at the cached GOP's keyframe and then gets every frame", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    stream.sendFrame([slice()]); // before any keyframe: never handed out
    stream.sendFrame([SPS, PPS, idr()]);
    stream.sendFrame([slice()]);
    const { sink, frames } = recordingSink();
    const tap = server.tap("/cam", sink);
    assert.deepEqual(frames.map((f) => f.keyframe), [true, false]);
    stream.sendFrame([slice()]);
    assert.equal(frames.length, 3);
    const first = frames[0];
    assert.equal(first.packetViews[0][0] >> 6, 2, "RTP version 2");
    assert.equal(first.framedFor(1)[0], 0x24);
    assert.equal(first.framedFor(1)[1], 1);
    assert.equal(tap.stats.framesSent, 3);
    assert.match(tap.sdpMedia("trackID=0").fmtp ?? "", /sprop-parameter-sets=/);
    tap.close();
    tap.close();
    stream.sendFrame([slice()]);
    assert.equal(frames.length, 3);
  });
});

Deno.test("a tap counts as a reader, so an on-demand source runs while it is open", async () => {
  await withServer((server) => {
    const counts: number[] = [];
    const stream = server.addStream("/cam", { codec: "h264", onReaders: (n) => counts.push(n) });
    const tap = server.tap("/cam", recordingSink().sink);
    assert.equal(stream.readerCount, 1);
    tap.restart(); // rejoins without counting out and in
    assert.equal(stream.readerCount, 1);
    tap.close();
    assert.equal(stream.readerCount, 0);
    assert.deepEqual(counts, [1, 0]);
  });
});

Deno.test("a tap whose consumer falls behind drops whole frames until the next keyframe", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const { sink, frames } = recordingSink();
    const tap = server.tap("/cam", sink);
    stream.sendFrame([SPS, PPS, idr()]);
    stream.sendFrame([slice()]);
    sink.queuedFrames = 10; // the consumer is behind
    stream.sendFrame([slice()]);
    sink.queuedFrames = 0; // caught up, but a P-frame now would not decode
    stream.sendFrame([slice()]);
    stream.sendFrame([SPS, PPS, idr()]);
    stream.sendFrame([slice()]);
    assert.deepEqual(frames.map((f) => f.keyframe), [true, false, true, false]);
    assert.equal(tap.stats.framesDropped, 2);
  }, { maxQueueFrames: 10 });
});

Deno.test("tap.restart() starts over at a keyframe: the cached GOP again", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const { sink, frames } = recordingSink();
    const tap = server.tap("/cam", sink);
    stream.sendFrame([SPS, PPS, idr()]);
    stream.sendFrame([slice()]);
    frames.length = 0; // what came before the consumer was ready
    tap.restart();
    assert.deepEqual(frames.map((f) => f.keyframe), [true, false]);
  });
});

Deno.test("a tap ends once when its stream is removed, and once when the server closes", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  server.addStream("/a", { codec: "h264" });
  server.addStream("/b", { codec: "h264" });
  const a = recordingSink();
  const b = recordingSink();
  const tapA = server.tap("/a", a.sink);
  const tapB = server.tap("/b", b.sink);
  server.removeStream("/a");
  assert.deepEqual(a.ended, ["stream removed"]);
  assert.equal(tapA.closed, true);
  assert.deepEqual(b.ended, []);
  await server.close();
  assert.deepEqual(b.ended, ["server closed"]);
  assert.equal(tapB.closed, true);
  tapB.close();
  assert.deepEqual(b.ended, ["server closed"]);
});

Deno.test("a sink that throws ends its tap without reaching the producer", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const ended: string[] = [];
    const tap = server.tap("/cam", {
      frame() {
        throw new Error("boom");
      },
      queuedBytes: 0,
      queuedFrames: 0,
      ended: (reason) => void ended.push(reason),
    });
    assert.equal(stream.sendFrame([SPS, PPS, idr()]), true);
    assert.equal(tap.closed, true);
    assert.deepEqual(ended, ["the sink failed: boom"]);
    assert.equal(stream.readerCount, 0);
  });
});

Deno.test("tap.sendReport() hands the sink an RTCP sender report with the stream's SSRC", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const { sink, rtcp } = recordingSink();
    const tap = server.tap("/cam", sink);
    stream.sendFrame([SPS, PPS, idr()]);
    tap.sendReport("edge");
    assert.equal(rtcp.length, 1);
    assert.equal(rtcp[0][1], 200, "SR");
    assert.equal(new DataView(rtcp[0].buffer, rtcp[0].byteOffset).getUint32(4), tap.ssrc);
  });
});

Deno.test("server.tap() refuses a path with no stream and a sink without frame()", async () => {
  await withServer((server) => {
    assert.throws(() => server.tap("/none", recordingSink().sink), /no stream is served at \/none/);
    server.addStream("/cam", { codec: "h264" });
    assert.throws(
      () => server.tap("/cam", {} as unknown as TapSink),
      (e) => e instanceof TypeError && /frame\(frame\) method/.test(e.message),
    );
  });
});

Deno.test("a tap whose sink takes audio gets the audio track beside the video, with its reports", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" }) as Stream;
    stream.setAudio({ codec: "pcma", clockRate: 8000, channels: 1 });
    stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
    stream.sendAudio(new Uint8Array(160), 0);
    stream.sendAudio(new Uint8Array(160), 20_000);
    const { sink, frames, rtcp } = recordingSink();
    const audio: TapFrame[] = [];
    const audioRtcp: Uint8Array[] = [];
    const tap = server.tap("/cam", {
      ...sink,
      audioFrame: (frame) => void audio.push(frame),
      audioRtcp: (packet) => void audioRtcp.push(packet),
    });
    // Fast start: the cached GOP and the sound of the same instants.
    assert.equal(frames.length, 1);
    assert.equal(audio.length, 2);
    stream.sendAudio(new Uint8Array(160), 40_000);
    assert.equal(audio.length, 3);
    const ssrcOf = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset).getUint32(8);
    assert.equal(ssrcOf(audio[0].packetViews[0]), stream.audio!.ssrc);
    assert.equal(tap.audioSdpMedia("trackID=1")?.encoding, "PCMA");
    tap.sendReport("test");
    assert.equal(rtcp.length, 1);
    assert.equal(audioRtcp.length, 1);
    assert.equal(audioRtcp[0][1], 200, "a sender report");
    assert.equal(new DataView(audioRtcp[0].buffer).getUint32(4), stream.audio!.ssrc);
    tap.close();
  });
});

Deno.test("a tap whose sink takes no audio reads the video alone", async () => {
  await withServer((server) => {
    const stream = server.addStream("/cam", { codec: "h264" }) as Stream;
    stream.setAudio({ codec: "pcma", clockRate: 8000, channels: 1 });
    stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
    const { sink, rtcp } = recordingSink();
    const tap = server.tap("/cam", sink);
    stream.sendAudio(new Uint8Array(160), 0);
    assert.equal(stream.audio!.readerCount, 0);
    tap.sendReport("test");
    assert.equal(rtcp.length, 1);
    tap.close();
  });
});
