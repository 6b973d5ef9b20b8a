import assert from "node:assert/strict";
import { AudioPush } from "../../src/ingest/audio_push.ts";
import { AUDIO_DRIFT_US, AudioTimer, DeviceTimeline } from "../../src/ingest/timestamps.ts";
import { TimestampSmoother } from "../../src/ingest/timestamps.ts";
import { IngestError } from "../../src/ingest/errors.ts";
import { decodeG711ToL16, encodeG711FromL16 } from "../../src/codec/g711.ts";

const S16LE = { kind: "pcm", sampleFormat: "s16le", rate: 16000, channels: 1 } as const;

function refused(fn: () => unknown, status: number, pattern: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof IngestError, String(e));
    assert.equal(e.status, status);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Little-endian 16-bit samples counting up from `from`. */
function ramp(count: number, from = 0): Uint8Array {
  const out = new Uint8Array(2 * count);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) view.setInt16(2 * i, from + i, true);
  return out;
}

Deno.test("AudioPush: little-endian PCM split mid-sample becomes big-endian 20 ms frames", () => {
  const push = new AudioPush(S16LE, "l16", new DeviceTimeline());
  const body = ramp(640);
  const frames = [
    ...push.bytes(body.subarray(0, 333), 1_000_000),
    ...push.bytes(body.subarray(333, 999), 1_010_000, true),
    ...push.bytes(body.subarray(999), 1_040_000, true),
  ];
  assert.equal(frames.length, 2);
  const view = new DataView(frames[1].data.buffer);
  assert.equal(frames[0].data.length, 640);
  assert.equal(view.getInt16(0, false), 320); // big-endian now
  assert.equal(frames[1].timestampUs - frames[0].timestampUs, 20_000);
  assert.deepEqual(push.end(), []);
});

Deno.test("AudioPush: served as PCMU or PCMA, or G.711 in served as L16", () => {
  const l16 = new Uint8Array(640).map((_, i) => (i * 37) & 0xff);
  const le = l16.slice();
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [l16[i + 1], l16[i]];
  for (const law of ["pcmu", "pcma"] as const) {
    const push = new AudioPush(S16LE, law, new DeviceTimeline());
    const [frame] = push.bytes(le, 1_000_000);
    assert.deepEqual(frame.data, encodeG711FromL16(law, l16));
  }
  const codes = new Uint8Array(160).map((_, i) => i);
  const g711 = { kind: "g711", codec: "pcmu", rate: 8000, channels: 1 } as const;
  const asL16 = new AudioPush(g711, "l16", new DeviceTimeline());
  assert.deepEqual(asL16.format, { codec: "l16", clockRate: 8000, channels: 1 });
  assert.deepEqual(asL16.bytes(codes, 1_000_000)[0].data, decodeG711ToL16("pcmu", codes));
  const same = new AudioPush(g711, "pcmu", new DeviceTimeline());
  const out = [...same.bytes(codes.subarray(0, 100), 1), ...same.bytes(codes.subarray(100), 2)];
  assert.deepEqual(out[0].data, codes);
  const tail = [...same.bytes(codes.subarray(0, 50), 3), ...same.end()];
  assert.equal(tail.length, 1);
  assert.equal(tail[0].data.length, 50);
  assert.equal(tail[0].timestampUs - out[0].timestampUs, 20_000);
});

Deno.test("AudioPush: 24-in-32-bit samples keep their top 16 bits", () => {
  const push = new AudioPush(
    { kind: "pcm", sampleFormat: "s32le", rate: 8000, channels: 1 },
    "l16",
    new DeviceTimeline(),
  );
  const slots = new Uint8Array(160 * 4);
  for (let i = 0; i < 160; i++) slots.set([0x00, 0x80, 0x34, 0x12], 4 * i); // 0x123480 << 8
  const [frame] = push.bytes(slots, 1_000_000);
  assert.deepEqual([...frame.data.subarray(0, 4)], [0x12, 0x34, 0x12, 0x34]);
});

Deno.test("AudioPush refuses odd messages, a body ending mid-sample and oversized chunks", () => {
  const ws = new AudioPush(S16LE, "l16", new DeviceTimeline());
  refused(() => ws.message(new Uint8Array(641), 0), 400, /whole samples .* got 641 bytes/);
  const body = new AudioPush(S16LE, "l16", new DeviceTimeline());
  assert.equal(body.bytes(new Uint8Array(641), 1_000_000, true).length, 1); // the odd byte waits
  refused(() => body.end(), 400, /ended inside a sample: 1 byte/);
  const big = new AudioPush(S16LE, "l16", new DeviceTimeline());
  assert.equal(big.maxChunkBytes, 160_000); // 5 s of 16 kHz mono s16le
  big.bytes(new Uint8Array(100_000), 1_000_000); // one chunk, in two reads
  refused(() => big.bytes(new Uint8Array(60_001), 1_000_000), 413, /at most 5 s/);
  const chunks = new AudioPush(S16LE, "l16", new DeviceTimeline());
  for (let i = 0; i < 5; i++) chunks.bytes(new Uint8Array(100_000), 1_000_000 + i, true);
  refused(() => ws.message(new Uint8Array(160_002), 0), 413, /at most 5 s/);
});

Deno.test("AudioTimer without timestamps: a sample count anchored at the first arrival", () => {
  const timer = new AudioTimer(16000, new DeviceTimeline());
  timer.mark(1600, 10_000_000); // 100 ms arrived at 10 s: sample 0 was at 9.9 s
  assert.equal(timer.timeOf(0), 9_900_000);
  // Jitter under the limit moves nothing.
  timer.mark(3200, 10_100_000 + AUDIO_DRIFT_US - 1000);
  assert.equal(timer.timeOf(1600), 10_000_000);
  assert.equal(timer.reanchored, 0);
  // A stall of more than the limit: re-anchored so the latest sample ends at its arrival.
  timer.mark(4800, 10_200_000 + AUDIO_DRIFT_US + 1000);
  assert.equal(timer.reanchored, 1);
  assert.equal(timer.timeOf(4800), 10_200_000 + AUDIO_DRIFT_US + 1000);
});

Deno.test("Device timestamps put audio and video on one timeline, whichever came first", () => {
  for (const audioFirst of [true, false]) {
    const timeline = new DeviceTimeline();
    const video = new TimestampSmoother(40_000, timeline);
    const timer = new AudioTimer(16000, timeline);
    // The device stamps its first picture and its first sample at device time 5 s; the picture
    // arrives 30 ms after it was taken, the 100 ms of audio 100 + 5 ms after its first sample.
    let v = 0;
    if (audioFirst) timer.mark(1600, 2_105_000, { sample: 0, us: 5_000_000 });
    v = video.next(5_000_000, 2_030_000);
    if (!audioFirst) timer.mark(1600, 2_105_000, { sample: 0, us: 5_000_000 });
    // Whichever anchored, the other lands on the same instant, within the difference of delays.
    assert.ok(Math.abs(timer.timeOf(0) - v) <= 25_000, `${audioFirst}: ${timer.timeOf(0)} ${v}`);
    // Later frames follow the device clock, not their arrival.
    const v2 = video.next(6_000_000, 3_090_000);
    timer.mark(17600, 3_300_000, { sample: 16000, us: 6_000_000 });
    assert.equal(timer.timeOf(16000) - timer.timeOf(0), 1_000_000);
    assert.equal(v2 - v, 1_000_000);
  }
});

Deno.test("A device that reboots (its clock starts again) is re-anchored on both tracks", () => {
  const timeline = new DeviceTimeline();
  const video = new TimestampSmoother(40_000, timeline);
  const timer = new AudioTimer(16000, timeline);
  video.next(900_000_000, 1_000_000);
  timer.mark(320, 1_020_000, { sample: 0, us: 900_000_000 });
  // Back from a reboot 20 s later: device time is near 0 again.
  timer.mark(640, 21_020_000, { sample: 320, us: 1_000_000 });
  assert.equal(timer.reanchored, 1);
  assert.equal(timer.timeOf(320), 21_000_000);
  const v = video.next(1_010_000, 21_040_000);
  assert.equal(v, 21_010_000); // the audio's new mapping holds for the video
});
