/**
 * The lifecycle hooks with real clients: ffprobe over TCP and UDP, GStreamer's rtspsrc, an ffmpeg
 * publisher, and ffprobe reading a stream that onDescribe makes on demand. Each test checks the
 * order of the calls and what they were told.
 */

import assert from "node:assert/strict";
import type { RtspServer, ServerHooks } from "../../mod.ts";
import { serve } from "../../mod.ts";
import { playClip, readAnnexBClip } from "../../src/source/annexb_file.ts";
import {
  argv,
  assertGstDecoded,
  gstDecode,
  interopTest,
  run,
  startClipServer,
  teardownCounter,
  testClip,
} from "./support.ts";

/** Hooks that record `name:role:transport[:reason]` per call; connection hooks record their name. */
function recorder(): { hooks: ServerHooks; calls: string[] } {
  const calls: string[] = [];
  const session = (name: string) => (i: { role: string; transport?: string; reason?: string }) =>
    void calls.push([name, i.role, i.transport, i.reason].filter((x) => x).join(":"));
  return {
    calls,
    hooks: {
      onConnectionOpen: () => void calls.push("connection-open"),
      onConnectionClose: () => void calls.push("connection-close"),
      onDescribe: ({ path }) => void calls.push(`describe:${path}`),
      onSessionOpen: session("open"),
      onPlay: session("play"),
      onPause: session("pause"),
      onRecord: session("record"),
      onSessionClose: session("close"),
    },
  };
}

/** Waits until `calls` has an entry matching `pattern` (the server sees a close a little later). */
async function waitFor(calls: string[], pattern: RegExp, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (calls.some((c) => pattern.test(c))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no call matching ${pattern} in ${JSON.stringify(calls)}`);
}

for (const transport of ["tcp", "udp"]) {
  interopTest(`ffprobe over ${transport}: the hooks see describe, open, play and close in order`, [
    "ffprobe",
  ], async () => {
    const { hooks, calls } = recorder();
    const s = await startClipServer({ hooks });
    try {
      const r = await run(
        "ffprobe",
        argv`-v error -rtsp_transport ${transport} -show_streams -of json ${s.url}`,
        30_000,
      );
      assert.equal(r.code, 0, r.stderr);
      await waitFor(calls, /^connection-close$/);
      // ffprobe ends with TEARDOWN; over TCP the closing connection may beat it to the session.
      const end = transport === "udp" ? "teardown" : "(teardown|connection closed)";
      const expected = [
        "connection-open",
        "describe:/stream",
        `open:reader:${transport}`,
        `play:reader:${transport}`,
        `close:reader:${transport}:${end}`,
        "connection-close",
      ];
      assert.equal(calls.length, expected.length, JSON.stringify(calls));
      calls.forEach((c, i) =>
        assert.match(c, new RegExp(`^${expected[i]}$`), JSON.stringify(calls))
      );
    } finally {
      await s.close();
    }
  });

  interopTest(
    `GStreamer rtspsrc over ${transport}: open and play with the transport, then one close`,
    [
      "gst-launch-1.0",
    ],
    async () => {
      const { hooks, calls } = recorder();
      const teardowns = teardownCounter();
      const s = await startClipServer({ hooks, logger: teardowns.logger });
      try {
        assertGstDecoded(await gstDecode(s.url, [`protocols=${transport}`], 30), teardowns.count());
      } finally {
        await s.close(); // a session the client left behind ends now, with "server closing"
      }
      const sessions = calls.filter((c) =>
        !c.startsWith("connection") && !c.startsWith("describe")
      );
      assert.deepEqual(sessions.slice(0, 2), [
        `open:reader:${transport}`,
        `play:reader:${transport}`,
      ]);
      const closes = sessions.filter((c) => c.startsWith("close"));
      assert.equal(closes.length, 1, JSON.stringify(calls));
      assert.match(closes[0], /:(teardown|connection closed|server closing)$/);
      assert.ok(calls.indexOf("describe:/stream") < calls.indexOf(sessions[0]));
    },
  );
}

interopTest("an ffmpeg publisher: open at ANNOUNCE, record over tcp, close when it leaves", [
  "ffmpeg",
], async () => {
  const { hooks, calls } = recorder();
  const server = await serve({ port: 0, hostname: "127.0.0.1", hooks });
  try {
    const r = await run(
      "ffmpeg",
      argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 -c:v libx264 -g 25 -bf 0
        -pix_fmt yuv420p -f rtsp -rtsp_transport tcp ${server.url("/cam")}`,
      30_000,
    );
    assert.equal(r.code, 0, r.stderr);
    await waitFor(calls, /^connection-close$/);
    assert.deepEqual(calls.slice(0, 3), [
      "connection-open",
      "open:publisher",
      "record:publisher:tcp",
    ]);
    assert.match(calls[3], /^close:publisher:tcp:(teardown|connection closed)$/);
    assert.equal(calls[4], "connection-close");
  } finally {
    await server.close();
  }
});

interopTest("onDescribe makes a stream on demand, and ffprobe reads it", ["ffprobe"], async () => {
  const clip = readAnnexBClip(await Deno.readFile(await testClip()));
  const players: { stop(): void }[] = [];
  const server: RtspServer = await serve({
    port: 0,
    hostname: "127.0.0.1",
    hooks: {
      onDescribe({ path }) {
        if (path !== "/lazy" || server.getStream(path)) return;
        const stream = server.addStream(path, { codec: "h264", framerate: 30 });
        players.push(playClip(clip, 30, (nals, o) => stream.sendFrame(nals, o)));
        return stream;
      },
    },
  });
  try {
    const r = await run(
      "ffprobe",
      argv`-v error -rtsp_transport tcp -show_streams -of json ${server.url("/lazy")}`,
      30_000,
    );
    assert.equal(r.code, 0, r.stderr);
    const video = JSON.parse(r.stdout).streams[0];
    assert.equal(video.codec_name, "h264");
    assert.equal(video.width, 640);
    assert.equal(players.length, 1);
    const missing = await run("ffprobe", argv`-v error ${server.url("/other")}`, 30_000);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /404/);
  } finally {
    for (const p of players) p.stop();
    await server.close();
  }
});
