/**
 * The preview route with a fake socket: what it sends (init, fragments), a slow viewer dropped to
 * the next keyframe instead of queued, a removed stream closing the socket, `restart`, and a JPEG
 * path transcoded only while someone previews it.
 */

import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import type { RtspServer } from "../../mod.ts";
import { silentLogger } from "../../src/base/log.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { previewRoute } from "../../src/http/preview.ts";
import type { WebSocketPeer, WebSocketSession } from "../../src/http/web_handler.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";
import { feedJpegs, patternJpegs } from "../browser/pattern_sources.ts";
import { hasTool, IN_CI } from "../interop/support.ts";
import { readBoxes } from "../mp4/boxes.ts";

const INFO = { peer: "127.0.0.1", secure: false };

/** A socket that records what the session sent. */
class FakePeer implements WebSocketPeer {
  texts: { type: string; [k: string]: unknown }[] = [];
  binaries: Uint8Array[] = [];
  closedWith: { code: number; reason: string } | undefined;
  bufferedBytes = 0;
  session: WebSocketSession | undefined;
  send(data: Uint8Array): void {
    this.binaries.push(data.slice());
  }
  sendText(text: string): void {
    this.texts.push(JSON.parse(text));
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.session?.closed();
  }
  get fragments(): number {
    return this.binaries.filter((b) => readBoxes(b)[0].type === "moof").length;
  }
}

/** 20 access units of the pattern, keyframes at 0 and 10. */
async function encodedFrames(): Promise<Uint8Array[][]> {
  const encoder = await H264Encoder.create({
    width: 160,
    height: 120,
    fps: 30,
    bitrate: 300_000,
    gop: 10,
  });
  const pattern = new TestPattern({ width: 160, height: 120 });
  const out: Uint8Array[][] = [];
  for (let i = 0; i < 20; i++) {
    out.push((await encoder.encode({ data: pattern.draw(i, 0, 0).data, timestamp: i }))!.nalUnits);
  }
  await encoder.close();
  return out;
}

async function withServer(fn: (server: RtspServer) => Promise<void>): Promise<void> {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function open(server: RtspServer, path: string): Promise<FakePeer> {
  const route = previewRoute({ server, logger: silentLogger, maxBufferedBytes: 100_000 });
  const session = await route(path, new URL(`http://x/preview${path}`), INFO);
  assert.ok(!(session instanceof Response));
  const peer = new FakePeer();
  peer.session = session;
  session.open(peer);
  return peer;
}

Deno.test("preview: a path that is not served is answered 404", async () => {
  await withServer(async (server) => {
    const route = previewRoute({ server, logger: silentLogger });
    const answer = await route("/none", new URL("http://x/preview/none"), INFO);
    assert.ok(answer instanceof Response);
    assert.equal(answer.status, 404);
  });
});

Deno.test("preview: init message, init segment, then one fragment per frame from a keyframe", async () => {
  const frames = await encodedFrames();
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const peer = await open(server, "/cam");
    frames.forEach((f, i) => stream.sendFrame(f, { timestamp: i * 33_333 }));
    assert.deepEqual(peer.texts[0], {
      type: "init",
      codec: "avc1.42c00c",
      width: 160,
      height: 120,
    });
    assert.deepEqual(readBoxes(peer.binaries[0]).map((b) => b.type), ["ftyp", "moov"]);
    assert.equal(peer.fragments, 20);
    peer.session!.closed();
    assert.equal(stream.readerCount, 0, "the tap closed with the socket");
  });
});

Deno.test("preview: a viewer whose socket is behind skips to the next keyframe", async () => {
  const frames = await encodedFrames();
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const peer = await open(server, "/cam");
    for (let i = 0; i < 20; i++) {
      if (i === 3) peer.bufferedBytes = 1_000_000; // behind from frame 3 on ...
      if (i === 8) peer.bufferedBytes = 0; // ... caught up before frame 8, a P-frame
      stream.sendFrame(frames[i], { timestamp: i * 33_333 });
    }
    // Frames 0-2, then nothing until the keyframe at 10, then 10-19.
    assert.equal(peer.fragments, 3 + 10);
  });
});

Deno.test("preview: a removed stream closes the socket with the reason; restart sends init again", async () => {
  const frames = await encodedFrames();
  await withServer(async (server) => {
    const stream = server.addStream("/cam", { codec: "h264" });
    const peer = await open(server, "/cam");
    frames.slice(0, 10).forEach((f, i) => stream.sendFrame(f, { timestamp: i * 33_333 }));
    peer.session!.message!("restart");
    frames.slice(10).forEach((f, i) => stream.sendFrame(f, { timestamp: (10 + i) * 33_333 }));
    assert.equal(peer.texts.filter((t) => t.type === "init").length, 2);
    server.removeStream("/cam");
    assert.equal(peer.closedWith?.code, 1001);
    assert.match(peer.closedWith!.reason, /removed/);
  });
});

Deno.test({
  name: "preview: a JPEG path is transcoded once for all its viewers, and only while viewed",
  ignore: !hasTool("ffmpeg") && !IN_CI,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const jpegs = await patternJpegs(160, 120, 10);
    await withServer(async (server) => {
      const stream = server.addStream("/jpeg", { codec: "jpeg" });
      const feeder = feedJpegs(stream, jpegs, 20);
      try {
        const route = previewRoute({ server, logger: silentLogger });
        const peers = [new FakePeer(), new FakePeer()];
        for (const peer of peers) {
          const session = await route("/jpeg", new URL("http://x/preview/jpeg"), INFO);
          assert.ok(!(session instanceof Response));
          peer.session = session;
          session.open(peer);
        }
        assert.equal(stream.readerCount, 1, "one tap for both viewers");
        const deadline = Date.now() + 20_000;
        while (peers.some((p) => p.fragments < 10) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        for (const peer of peers) {
          assert.ok(peer.fragments >= 10, `only ${peer.fragments} fragments`);
          assert.equal(peer.texts[0].type, "init");
          assert.deepEqual([peer.texts[0].width, peer.texts[0].height], [160, 120]);
        }
        peers[0].session!.closed();
        assert.equal(stream.readerCount, 1);
        peers[1].session!.closed();
        assert.equal(stream.readerCount, 0, "the last viewer gone, the tap is closed");
        await new Promise((r) => setTimeout(r, 200)); // the encoder's worker winds down
      } finally {
        feeder.stop();
      }
    });
  },
});

Deno.test("preview: a silent path tells the page it waits for the source, and why", async () => {
  await withServer(async (server) => {
    server.addStream("/cam", { codec: "h264" });
    const peer = await open(server, "/cam");
    try {
      const deadline = Date.now() + 20_000;
      while (peer.texts.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(peer.texts[0], { type: "waiting", reason: "the source is starting" });
    } finally {
      peer.session!.closed();
    }
  });
});
