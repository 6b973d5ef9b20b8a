/**
 * A watched path's bounds, with a fake tap and a backend that answers only when told: the decode
 * backlog never passes MAX_IN_FLIGHT, and after falling behind (or a failed decode) the watch
 * skips to the next keyframe.
 */

import assert from "node:assert/strict";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import type { Tap, TapFrame, TapSink } from "../../src/server/tap.ts";
import type { SnapshotBackend } from "../../src/snapshot/backend.ts";
import { MAX_IN_FLIGHT, PathWatch } from "../../src/snapshot/path_watch.ts";
import type { SnapshotRequest } from "../../src/snapshot/protocol.ts";

/** A watch on a fake H.264 tap; `send` feeds it one access unit, `posted` is what it sent. */
function fixture() {
  const posted: SnapshotRequest[] = [];
  const backend: SnapshotBackend = { post: (m) => posted.push(m), close: () => {} };
  let sink!: TapSink;
  const tap = { codec: "h264", closed: false, close() {}, sourceState: { state: "live" } };
  const watch = new PathWatch("/cam", 1, backend);
  watch.open((_path, s) => {
    sink = s;
    return tap as unknown as Tap;
  }, "h264");
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 });
  let time = 0;
  const send = (keyframe: boolean) => {
    const nal = new Uint8Array(100).fill(1);
    nal[0] = keyframe ? 0x65 : 0x41;
    const list = packetizer.packetize([nal], time += 3000);
    sink.frame({ keyframe, packetViews: [...list.packets()] } as unknown as TapFrame);
  };
  const decodes = () => posted.filter((m) => m.type === "decode").length;
  return { watch, send, decodes, posted };
}

Deno.test("the decode backlog is bounded; a slow decoder makes the watch skip to a keyframe", () => {
  const { watch, send, decodes } = fixture();
  send(true);
  for (let i = 0; i < 3 * MAX_IN_FLIGHT; i++) send(false);
  assert.equal(decodes(), MAX_IN_FLIGHT, "never more than MAX_IN_FLIGHT waiting");
  assert.equal(watch.skipped, 2 * MAX_IN_FLIGHT + 1);
  // The decoder catches up: P frames are still skipped (their references were), a keyframe is not.
  for (let i = 0; i < MAX_IN_FLIGHT; i++) watch.decoded(true);
  assert.equal(watch.hasPicture, true);
  send(false);
  assert.equal(decodes(), MAX_IN_FLIGHT);
  send(true);
  send(false);
  assert.equal(decodes(), MAX_IN_FLIGHT + 2);
});

Deno.test("after a failed decode the watch waits for the next keyframe", () => {
  const { watch, send, decodes } = fixture();
  send(true);
  send(false);
  watch.decoded(true);
  watch.decoded(false, "reference lost");
  assert.equal(watch.failed, 1);
  send(false);
  send(false);
  assert.equal(decodes(), 2);
  send(true);
  assert.equal(decodes(), 3);
});

Deno.test("closing frees the decoder slot and rejects waiters", async () => {
  const { watch, posted } = fixture();
  const waiting = watch.whenPicture(new AbortController().signal);
  watch.close("idle");
  await assert.rejects(waiting, /idle/);
  assert.deepEqual(posted.at(-1), { type: "release", slot: 1 });
});

Deno.test("the cached GOP a tap hands out while it opens is decoded, from its keyframe", () => {
  const posted: SnapshotRequest[] = [];
  const backend: SnapshotBackend = { post: (m) => posted.push(m), close: () => {} };
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 });
  const idr = new Uint8Array(100).fill(1);
  idr[0] = 0x65;
  const tap = { codec: "h264", closed: false, close() {}, sourceState: { state: "live" } };
  const watch = new PathWatch("/cam", 1, backend);
  watch.open((_path, s) => {
    // server.tap() replays the GOP before it returns.
    s.frame(
      {
        keyframe: true,
        packetViews: [...packetizer.packetize([idr], 0).packets()],
      } as unknown as TapFrame,
    );
    return tap as unknown as Tap;
  }, "h264");
  assert.equal(posted.filter((m) => m.type === "decode").length, 1);
});
