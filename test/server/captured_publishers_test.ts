/**
 * The whole TCP streams of ffmpeg and GStreamer publishing (test/testdata/rtsp/*_publish_*.bin):
 * requests and interleaved RTP/RTCP replayed through the state machine in order, as those
 * clients sent them to a capture server. The capture server's Session header is dropped from the
 * first SETUP (rtsp-edge's ANNOUNCE gives none) and swapped for rtsp-edge's own afterwards.
 */

import assert from "node:assert/strict";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { formatRequest } from "../../src/rtsp/serialize.ts";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { Client, dollar, FakeTcp, makeCore } from "./conversation.ts";
import { concat } from "../support/bytes.ts";

const DATA = new URL("../testdata/rtsp/", import.meta.url);

async function replay(file: string, path: string) {
  const { core } = makeCore();
  const publisher = new Client(core);
  const parser = new RtspParser({ body: 1 << 20 });
  parser.feed(await Deno.readFile(new URL(file, DATA)));
  const statuses: number[] = [];
  let session: string | undefined;
  let reader: Client | undefined;
  let media: Uint8Array[] = [];
  const flush = async () => {
    if (media.length > 0) await publisher.send(concat(...media));
    media = [];
  };
  for (let e = parser.next(); e.kind !== "need-more"; e = parser.next()) {
    if (e.kind === "interleaved") {
      media.push(dollar(e.channel, e.payload));
    } else if (e.kind === "request") {
      await flush();
      const req = e.request;
      if (session) req.headers.set("Session", session);
      else req.headers.delete("Session");
      const { responses } = await publisher.send(formatRequest(req));
      assert.equal(responses.length, 1, req.method);
      statuses.push(responses[0].status);
      session ??= responses[0].headers.get("Session")?.split(";")[0];
      if (req.method === "RECORD") {
        // A reader joins as the publisher starts, and must get every frame from the first IDR.
        reader = new Client(core, new FakeTcp("127.0.0.2"));
        const setup = await reader.request("SETUP", `rtsp://127.0.0.1:8554${path}/trackID=0`, {
          CSeq: 1,
          Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
        });
        const id = setup.headers.get("Session")!.split(";")[0];
        assert.equal(
          (await reader.request("PLAY", "rtsp://127.0.0.1:8554" + path, {
            CSeq: 2,
            Session: id,
          })).status,
          200,
        );
      }
    } else {
      throw new Error(`unexpected ${e.kind} in ${file}`);
    }
  }
  await flush();
  const packets = reader!.collect().interleaved.filter((f) => f.channel === 0).map((f) =>
    parseRtpPacket(f.payload)!
  );
  return { core, statuses, publisher, packets };
}

Deno.test("ffmpeg's captured publish over TCP is answered 200 throughout and its 15 frames reach a reader", async () => {
  const { core, statuses, packets } = await replay("ffmpeg_publish_tcp_stream.bin", "/pub");
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]); // OPTIONS ANNOUNCE SETUP RECORD TEARDOWN
  const frames = packets.filter((p) => p.marker);
  assert.equal(frames.length, 15);
  assert.deepEqual(packets.slice(0, 2).map((p) => p.payload[0] & 0x1f), [7, 8]);
  assert.equal(core.stats.badRtp, 0);
  assert.equal(core.stats.droppedAccessUnits, 0);
  assert.equal(core.publishers.publisherOf("/pub"), undefined, "released by TEARDOWN");
});

Deno.test("GStreamer's captured publish over TCP is answered 200 and its frames reach a reader", async () => {
  const { core, statuses, packets, publisher } = await replay(
    "gstreamer_publish_tcp_stream.bin",
    "/pub",
  );
  assert.deepEqual(statuses, [200, 200, 200, 200]); // OPTIONS ANNOUNCE SETUP RECORD
  assert.ok(packets.filter((p) => p.marker).length >= 30);
  // x264enc sends an access unit delimiter first, and SPS and PPS in-band before each IDR.
  const firstFrame = packets.slice(0, packets.findIndex((p) => p.marker) + 1);
  const types = firstFrame.map((p) => p.payload[0] & 0x1f);
  assert.deepEqual(types.slice(0, 3), [9, 7, 8]);
  assert.equal(core.stats.badRtp, 0);
  assert.equal(core.stats.badRtcp, 0, "its RTCP on channel 1 is well formed");
  assert.equal(publisher.tcp.ended, false);
});
