/**
 * A path whose source left: a new reader hears 503 with the reason instead of getting old frames
 * as if live; a reader already playing stays and gets the frames of the source's return.
 */

import assert from "node:assert/strict";
import { Client, idr, makeCore, PPS, slice, SPS } from "./conversation.ts";

const PUBLISHER = { codec: "h264" as const, publisher: "ingest 10.0.0.7" };

Deno.test("a released path answers a new reader's DESCRIBE and PLAY with 503 and the reason", async () => {
  const { core } = makeCore();
  const publication = core.publishers.claim("/cam", PUBLISHER);
  publication.stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
  const url = "rtsp://127.0.0.1:8554/cam";
  const early = new Client(core);
  const session = (await early.request("SETUP", `${url}/trackID=0`, {
    CSeq: 1,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  })).headers.get("Session")!.split(";")[0];
  publication.release("ingest 10.0.0.7 stopped publishing");
  const late = new Client(core);
  const describe = await late.request("DESCRIBE", url, { CSeq: 1 });
  assert.equal(describe.status, 503);
  assert.equal(
    describe.reason,
    "Service Unavailable (no live source: ingest 10.0.0.7 stopped publishing)",
  );
  const play = await early.request("PLAY", url, { CSeq: 2, Session: session });
  assert.equal(play.status, 503);
});

Deno.test("a reader playing when the source left stays, and gets the frames of its return", async () => {
  const { core } = makeCore();
  const first = core.publishers.claim("/cam", PUBLISHER);
  first.stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
  const url = "rtsp://127.0.0.1:8554/cam";
  const reader = new Client(core);
  const setup = await reader.request("SETUP", `${url}/trackID=0`, {
    CSeq: 1,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  });
  const session = setup.headers.get("Session")!.split(";")[0];
  assert.equal((await reader.request("PLAY", url, { CSeq: 2, Session: session })).status, 200);
  reader.collect();
  first.release("ingest 10.0.0.7 disconnected");
  const back = core.publishers.claim("/cam", PUBLISHER);
  assert.equal(back.stream, first.stream);
  back.stream.sendFrame([SPS, PPS, idr()], { timestamp: 5_000_000 });
  back.stream.sendFrame([slice()], { timestamp: 5_033_333 });
  const { interleaved } = await reader.send(new Uint8Array(0));
  assert.ok(interleaved.filter((f) => f.channel === 0).length >= 3, "frames after the return");
  // And a new reader is welcome again.
  const late = new Client(core);
  assert.equal((await late.request("DESCRIBE", url, { CSeq: 1 })).status, 200);
});

Deno.test("a release without a reason (a device between two single-frame posts) keeps the path live", async () => {
  const { core } = makeCore();
  const first = core.publishers.claim("/cam", PUBLISHER);
  first.stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
  first.release();
  assert.equal(first.stream.sourceState.state, "live");
  const reader = new Client(core);
  const describe = await reader.request("DESCRIBE", "rtsp://127.0.0.1:8554/cam", { CSeq: 1 });
  assert.equal(describe.status, 200);
});
