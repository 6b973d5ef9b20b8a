import assert from "node:assert/strict";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { JpegDepacketizer } from "../../src/rtp/jpeg_depacketizer.ts";
import { ManualClock } from "../../src/base/clock.ts";
import { ServerCore } from "../../src/server/core.ts";
import type { Frame } from "../../src/server/stream/frame.ts";
import type { LogFields, Logger, LogLevel } from "../../src/base/log.ts";
import { silentLogger } from "../../src/base/log.ts";
import { resolveOptions } from "../../src/server/options.ts";
import { Stream, type StreamOptions } from "../../src/server/stream/stream.ts";
import {
  CJPEG_420_DRI,
  CJPEG_422,
  FFMPEG_420,
  FFMPEG_OPTIMAL_HUFFMAN,
  scanOf,
} from "../rtp/jpeg_cases.ts";
import { Client, URL } from "./conversation.ts";
import { within } from "./within.ts";

function makeJpegStream(options: Partial<StreamOptions> = {}, maxPayloadSize = 1400) {
  const clock = new ManualClock();
  const logs: { level: LogLevel; message: string; fields?: LogFields }[] = [];
  const logger: Logger = { log: (level, message, fields) => logs.push({ level, message, fields }) };
  const stream = new Stream("/cam", { codec: "jpeg", ...options }, {
    clock,
    logger,
    maxPayloadSize,
  });
  const frames: Frame[] = [];
  const reader = { deliver: (f: Frame) => frames.push(f) };
  return { clock, stream, frames, reader, logs };
}

Deno.test("a jpeg stream sends each JPEG as RTP/JPEG packets of payload type 26", () => {
  const { stream, frames, reader } = makeJpegStream({ framerate: 15 });
  stream.attach(reader);
  assert.equal(stream.codec, "jpeg");
  assert.equal(stream.sendFrame(CJPEG_422, { timestamp: 0 }), true);
  assert.equal(frames.length, 1);
  assert.equal(frames[0].keyframe, true);
  const packets = [...frames[0].packets.packets()].map((p) => parseRtpPacket(p)!);
  assert.ok(packets.every((p) => p.payloadType === 26 && p.ssrc === stream.ssrc));
  const depacketizer = new JpegDepacketizer();
  const out = packets.map((p) => depacketizer.push(p)).find((f) => f !== undefined)!;
  assert.deepEqual(scanOf(out.jpeg), scanOf(CJPEG_422));
});

Deno.test("every JPEG is a keyframe, so a new reader starts with the latest picture alone", () => {
  const { stream } = makeJpegStream();
  for (let i = 0; i < 5; i++) stream.sendFrame(FFMPEG_420, { timestamp: i * 66_666 });
  const got: Frame[] = [];
  stream.attach({ deliver: (f) => got.push(f) });
  assert.equal(got.length, 1);
  assert.equal(stream.startPoint().sequence, got[0].firstSequence);
  assert.equal(stream.startPoint().rtpTimestamp, got[0].rtpTimestamp);
});

Deno.test("a JPEG that RTP/JPEG cannot carry is refused and logged once per stream", () => {
  const { stream, frames, reader, logs } = makeJpegStream();
  stream.attach(reader);
  for (let i = 0; i < 10; i++) assert.equal(stream.sendFrame(FFMPEG_OPTIMAL_HUFFMAN), false);
  assert.equal(frames.length, 0);
  assert.equal(stream.stats.rejectedFrames, 10);
  const warnings = logs.filter((l) => l.level === "warn");
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0].fields?.reason), /optimized \(non-standard\) Huffman table/);
  assert.equal(stream.sendFrame(FFMPEG_420), true, "a good JPEG after bad ones still goes out");
});

Deno.test("a jpeg stream refuses NAL unit arrays and empty or oversized JPEGs", () => {
  const { stream } = makeJpegStream({ maxFrameSize: 1000 });
  assert.equal(stream.sendFrame([FFMPEG_420]), false);
  assert.equal(stream.sendFrame(new Uint8Array(0)), false);
  assert.equal(stream.sendFrame(FFMPEG_420), false); // 1468 bytes > 1000
  assert.equal(stream.stats.rejectedFrames, 3);
});

Deno.test("videoInfo and the SDP come from the JPEG's frame header; a new size bumps the version", () => {
  const { stream } = makeJpegStream({ framerate: 15 });
  assert.deepEqual(stream.videoInfo, { width: undefined, height: undefined, framerate: 15 });
  stream.sendFrame(FFMPEG_420);
  assert.deepEqual(stream.videoInfo, { width: 64, height: 48, framerate: 15 });
  const v = stream.sdpVersion;
  stream.sendFrame(CJPEG_422); // same size
  assert.equal(stream.sdpVersion, v);
  stream.sendFrame(CJPEG_420_DRI); // 51x29
  assert.ok(stream.sdpVersion > v);
  assert.deepEqual(stream.sdpMedia("trackID=0"), {
    kind: "video",
    payloadType: 26,
    encoding: "JPEG",
    clockRate: 90000,
    control: "trackID=0",
    framerate: 15,
    width: 51,
    height: 29,
  });
  assert.equal(stream.parameterSets, undefined);
});

Deno.test("whenReady() of a jpeg stream resolves with its first picture", async () => {
  const { stream } = makeJpegStream();
  const ready = stream.whenReady(10_000);
  stream.sendFrame(FFMPEG_420);
  assert.equal(await within(ready, 200), undefined, "the picture did not make the stream ready");
});

Deno.test("a jpeg stream does not ask its source for keyframes: every picture is one", () => {
  let requests = 0;
  const { stream } = makeJpegStream({ onKeyframeRequest: () => requests++ });
  stream.attach({ deliver() {} });
  assert.equal(requests, 0);
});

Deno.test("a jpeg stream under a tiny payload limit still fits the quantization tables", () => {
  const { stream, frames, reader } = makeJpegStream({}, 100);
  stream.attach(reader);
  assert.equal(stream.sendFrame(FFMPEG_420), true);
  const sizes = [...frames[0].packets.packets()].map((p) => p.length - 12);
  assert.ok(sizes.every((n) => n <= 160));
});

Deno.test("DESCRIBE of a jpeg stream answers m=video 0 RTP/AVP 26 with JPEG/90000 and the size", async () => {
  const clock = new ManualClock(1000);
  const core = new ServerCore(resolveOptions({}), clock, silentLogger);
  const stream = core.addStream("/stream", { codec: "jpeg", framerate: 15 });
  stream.sendFrame(CJPEG_420_DRI, { timestamp: 0 });
  const r = await new Client(core).request("DESCRIBE", URL, { CSeq: 2, Accept: "application/sdp" });
  assert.equal(r.status, 200);
  const sdp = new TextDecoder().decode(r.body);
  const media = sdp.slice(sdp.indexOf("m="));
  assert.equal(
    media,
    "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=framerate:15\r\n" +
      "a=framesize:26 51-29\r\na=x-dimensions:51,29\r\na=control:trackID=0\r\n",
  );
});
