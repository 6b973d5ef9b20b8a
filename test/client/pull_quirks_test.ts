/**
 * pullRtsp() against a fake device that does exactly one thing real devices do (or one hostile
 * thing): each test names the device whose behaviour it replays.
 */

import assert from "node:assert/strict";
import { findStartCode } from "../../src/codec/annexb.ts";
import { PullError, type PullOptions, pullRtsp } from "../../src/client/pull.ts";
import { clip, type FakeDeviceOptions, FakeRtspDevice } from "../support/fake_rtsp_device.ts";
import { assertMonotonic, AudioCollectingSink, CollectingSink, delay } from "./_support.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function withDevice(
  device: FakeDeviceOptions,
  fn: (d: FakeRtspDevice) => Promise<void>,
): Promise<void> {
  const d = await FakeRtspDevice.start(device);
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

async function pull(
  d: FakeRtspDevice,
  options: Partial<PullOptions> = {},
  sink = new CollectingSink(),
) {
  const session = await pullRtsp({ url: d.url(), transport: "tcp", ...options }, sink);
  return { session, sink };
}

function same(a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((n, i) =>
    n.length === b[i].length &&
    n.every((x, j) => x === b[i][j])
  );
}

// ─── A well-behaved camera, each transport ─────────────────────────────────────────────────────

for (const transport of ["tcp", "udp", "auto"] as const) {
  Deno.test({
    name: `pullRtsp() over ${transport} delivers the clip's access units, in order, times from 0`,
    ...opts,
    fn: () =>
      withDevice({}, async (d) => {
        const { session, sink } = await pull(d, { transport });
        assert.equal(session.transport, transport === "tcp" ? "tcp" : "udp");
        assert.equal(session.media.codec, "h264");
        assert.ok(session.media.codec === "h264" && session.media.parameterSets);
        assert.equal(session.media.framerate, 25);
        await sink.waitFrames(8);
        const units = clip().accessUnits;
        // Over loopback nothing is lost: frame i is the clip's access unit i.
        for (let i = 0; i < 8; i++) assert.ok(same(sink.frames[i].nalUnits!, units[i]), `AU ${i}`);
        assertMonotonic(sink.frames);
        // 25 fps: 40 ms apart, across the 32-bit RTP timestamp wrap the device makes at frame 5.
        assert.equal(sink.frames[7].us, 280_000);
        await session.close();
        assert.equal(sink.closedCalls, 1);
        assert.equal(sink.closedError, undefined);
        assert.ok(d.methods.includes("TEARDOWN"));
        assert.deepEqual(d.methods.slice(0, 2), ["OPTIONS", "DESCRIBE"]);
      }),
  });
}

// ─── Quirks ──────────────────────────────────────────────────────────────────────────────────────

Deno.test({
  name: "a negative session id with ;timeout= is sent back bare, and keepalive runs at half of it",
  ...opts,
  // Hikvision and Micro-RTSP hand out negative numbers; many cameras add ;timeout=.
  fn: () =>
    withDevice({ session: "-1234567890;timeout=2" }, async (d) => {
      const { session } = await pull(d);
      await delay(1400);
      const keepalive = d.requests.find((r) => r.method === "GET_PARAMETER");
      assert.ok(keepalive, `no keepalive in ${d.methods}`);
      assert.equal(keepalive.headers["session"], "-1234567890");
      assert.equal(d.requests.find((r) => r.method === "PLAY")!.headers["session"], "-1234567890");
      await session.close();
    }),
});

Deno.test({
  name: "JPEG with static payload type 26, no rtpmap and no a=control (Micro-RTSP) is pulled",
  ...opts,
  fn: () =>
    withDevice({ codec: "jpeg", noControl: true }, async (d) => {
      const { session, sink } = await pull(d);
      assert.equal(session.media.codec, "jpeg");
      await sink.waitFrames(3);
      const frame = sink.frames[0].jpeg!;
      assert.deepEqual([...frame.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...frame.subarray(-2)], [0xff, 0xd9]);
      assertMonotonic(sink.frames);
      // No control anywhere: SETUP and PLAY go to the base itself (RFC 2326 §C.1.1).
      const setup = d.requests.find((r) => r.method === "SETUP")!;
      assert.equal(setup.url, `${d.url()}/`);
      await session.close();
    }),
});

Deno.test({
  name: "UDP: source=127.0.0.1 from a device on 127.0.0.2 sending from an unannounced port works",
  ...opts,
  // ESP32-RTSPServer says source=127.0.0.1; cameras behind NAT send from other ports.
  fn: () =>
    withDevice(
      { hostname: "127.0.0.2", lyingSource: true, otherSourcePort: true },
      async (d) => {
        const { session, sink } = await pull(d, { transport: "udp" });
        await sink.waitFrames(5);
        assert.equal(session.stats.strayPackets, 0);
        await session.close();
      },
    ),
});

Deno.test({
  name: "a TEARDOWN never answered does not hold close() for long",
  ...opts,
  fn: () =>
    withDevice({ ignoreTeardown: true }, async (d) => {
      const { session, sink } = await pull(d);
      const t0 = performance.now();
      await session.close();
      const took = performance.now() - t0;
      assert.ok(took < 2600, `close() took ${took} ms`);
      assert.equal(sink.closedCalls, 1);
      assert.ok(d.methods.includes("TEARDOWN"));
    }),
});

Deno.test({
  name: "GET_PARAMETER answered 400 with a stale CSeq (ESP32) switches keepalives to OPTIONS",
  ...opts,
  fn: () =>
    withDevice({ staleCseq400: true, session: "77;timeout=1" }, async (d) => {
      const { session, sink } = await pull(d);
      await delay(1800);
      const after = d.methods.slice(d.methods.indexOf("PLAY") + 1);
      assert.equal(after[0], "GET_PARAMETER");
      assert.ok(
        after.slice(1).length >= 1 && after.slice(1).every((m) => m === "OPTIONS"),
        `${after}`,
      );
      assert.equal(sink.closedCalls, 0);
      const before = sink.frames.length;
      await delay(200);
      assert.ok(sink.frames.length > before, "media still flows");
      await session.close();
    }),
});

Deno.test({
  name: "a 404 without the blank line that ends it is a deadline, not a hang",
  ...opts,
  fn: () =>
    withDevice({ describe404Unterminated: true }, async (d) => {
      await assert.rejects(
        pull(d, { timeoutMs: 400 }),
        (e: Error) =>
          e instanceof PullError &&
          e.message === `${d.url()}: DESCRIBE: no complete response within 400 ms`,
      );
    }),
});

Deno.test({
  name: "auto on a single-client device whose UDP never arrives: TCP on the one connection",
  ...opts,
  // ESP32-RTSPServer and Micro-RTSP serve one client: a second connection is refused.
  fn: () =>
    withDevice({ singleClient: true, udpSilent: true }, async (d) => {
      const { session, sink } = await pull(d, { transport: "auto" });
      assert.equal(session.transport, "tcp");
      await sink.waitFrames(3);
      assert.equal(d.connections, 1);
      assert.equal(d.refused, 0);
      const m = d.methods;
      assert.ok(m.indexOf("TEARDOWN") > m.indexOf("PLAY"), `${m}`);
      assert.equal(m.filter((x) => x === "SETUP").length, 2);
      await session.close();
    }),
});

Deno.test({
  name: "auto on a device that closes after TEARDOWN: a new connection, after ours is closed",
  ...opts,
  fn: () =>
    withDevice({ singleClient: true, udpSilent: true, closeAfterTeardown: true }, async (d) => {
      const { session, sink } = await pull(d, { transport: "auto" });
      assert.equal(session.transport, "tcp");
      await sink.waitFrames(3);
      assert.equal(d.connections, 2);
      assert.equal(d.refused, 0); // never two at once
      await session.close();
    }),
});

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name: `RTCP receiver reports reach the server (${transport}), the first within 2.5 s`,
    ...opts,
    fn: () =>
      withDevice({}, async (d) => {
        const { session } = await pull(d, { transport });
        await delay(2800);
        assert.ok(d.rtcpReceived >= 1, `${d.rtcpReceived} reports`);
        await session.close();
      }),
  });
}

Deno.test({
  name: "auto: a 461 to the UDP SETUP goes straight to TCP on the same connection",
  ...opts,
  fn: () =>
    withDevice({ transports: ["tcp"], singleClient: true }, async (d) => {
      const { session, sink } = await pull(d, { transport: "auto" });
      assert.equal(session.transport, "tcp");
      await sink.waitFrames(2);
      assert.equal(d.connections, 1);
      await session.close();
    }),
});

Deno.test({
  name: "udp forced on a TCP-only device is a PullError naming the 461",
  ...opts,
  fn: () =>
    withDevice({ transports: ["tcp"] }, async (d) => {
      await assert.rejects(pull(d, { transport: "udp" }), /SETUP: 461 Unsupported Transport$/);
    }),
});

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name: `H.264 packets with start codes inside (ESP32 firmwares) are split (${transport})`,
    ...opts,
    fn: () =>
      withDevice({ startCodes: true }, async (d) => {
        const { session, sink } = await pull(d, { transport });
        await sink.waitFrames(6);
        const units = clip().accessUnits;
        for (let i = 0; i < 6; i++) {
          const got = sink.frames[i].nalUnits!;
          for (const nal of got) {
            assert.equal(findStartCode(nal, 0), -1);
            assert.ok((nal[0] & 0x80) === 0 && (nal[0] & 0x1f) >= 1 && (nal[0] & 0x1f) <= 23);
          }
          assert.ok(same(got, units[i]), `AU ${i}`);
        }
        assert.equal(session.stats.droppedFrames, 0);
        await session.close();
      }),
  });
}

Deno.test({
  name: "no sprop-parameter-sets: parameterSets is undefined and SPS/PPS come in band",
  ...opts,
  fn: () =>
    withDevice({ noSprop: true }, async (d) => {
      const { session, sink } = await pull(d);
      assert.deepEqual(session.media, { codec: "h264", framerate: 25 });
      await sink.waitFrames(1);
      const types = sink.frames[0].nalUnits!.map((n) => n[0] & 0x1f);
      assert.ok(types.includes(7) && types.includes(8), `${types}`);
      await session.close();
    }),
});

Deno.test({
  name: "a Content-Base naming another port (ESP32-RTSPServer's :554) is set up on ours",
  ...opts,
  fn: () =>
    withDevice({ contentBase: "rtsp://127.0.0.1:554/live/" }, async (d) => {
      const { session, sink } = await pull(d);
      await sink.waitFrames(1);
      const setup = d.requests.find((r) => r.method === "SETUP")!;
      assert.equal(setup.url, `${d.url()}/trackID=0`);
      await session.close();
    }),
});

// ─── Credentials ─────────────────────────────────────────────────────────────────────────────────

for (const scheme of ["digest", "basic"] as const) {
  Deno.test({
    name: `${scheme} credentials from the URL answer the 401 once`,
    ...opts,
    fn: () =>
      withDevice({ auth: { scheme, username: "admin", password: "p@ss:w" } }, async (d) => {
        const sink = new CollectingSink();
        const session = await pullRtsp(
          { url: d.url("admin:p%40ss%3Aw"), transport: "tcp" },
          sink,
        );
        await sink.waitFrames(1);
        await session.close();
        assert.equal(d.methods.filter((m) => m === "OPTIONS").length, 2); // 401, then retried
      }),
  });
}

Deno.test({
  name: "a second 401 is a PullError saying the user or password is wrong, without the password",
  ...opts,
  fn: () =>
    withDevice({ auth: { scheme: "digest", username: "admin", password: "right" } }, async (d) => {
      await assert.rejects(
        pullRtsp({ url: d.url("admin:wrong"), transport: "tcp" }, new CollectingSink()),
        (e: Error) => e.message === `${d.url()}: DESCRIBE: wrong user or password`,
      );
      await assert.rejects(
        pullRtsp({ url: d.url(), transport: "tcp" }, new CollectingSink()),
        /DESCRIBE: 401 Unauthorized \(the URL has no user and password\)$/,
      );
    }),
});

// ─── Hostile servers ─────────────────────────────────────────────────────────────────────────────

Deno.test({
  name: "a server that never answers fails at the deadline",
  ...opts,
  fn: () =>
    withDevice({ hostile: "never-answer" }, async (d) => {
      await assert.rejects(
        pull(d, { timeoutMs: 300 }),
        /OPTIONS: no complete response within 300 ms$/,
      );
    }),
});

for (const hostile of ["endless-headers", "endless-line", "huge-sdp"] as const) {
  Deno.test({
    name: `a DESCRIBE reply with ${hostile} is refused at the limit, memory bounded`,
    ...opts,
    fn: () =>
      withDevice({ hostile }, async (d) => {
        const t0 = performance.now();
        await assert.rejects(pull(d), /DESCRIBE: unreadable reply: /);
        assert.ok(performance.now() - t0 < 3000);
      }),
  });
}

Deno.test({
  name: "garbage RTP between real packets is counted and dropped, frames still come",
  ...opts,
  fn: () =>
    withDevice({ hostile: "garbage-rtp" }, async (d) => {
      const { session, sink } = await pull(d);
      await sink.waitFrames(5);
      assert.ok(session.stats.badPackets > 10);
      assert.equal(session.stats.droppedFrames, 0);
      await session.close();
    }),
});

Deno.test({
  name: "interleaved frames on a channel nobody set up are counted as stray",
  ...opts,
  fn: () =>
    withDevice({ hostile: "unsolicited-frames" }, async (d) => {
      const { session, sink } = await pull(d);
      await sink.waitFrames(2);
      assert.equal(session.stats.strayPackets, 1);
      await session.close();
    }),
});

Deno.test({
  name: "the server closing the connection ends the session with a PullError, once",
  ...opts,
  fn: () =>
    withDevice({ hostile: "close-after-play" }, async (d) => {
      const { sink } = await pull(d);
      const error = await sink.ended;
      assert.ok(error instanceof PullError);
      assert.equal(error.message, `${d.url()}: connection closed by the server`);
      await delay(50);
      assert.equal(sink.closedCalls, 1);
    }),
});

Deno.test({
  name: "udp media that stops coming ends the session at the deadline",
  ...opts,
  fn: () =>
    withDevice({ udpSilent: true }, async (d) => {
      const { sink } = await pull(d, { transport: "udp", timeoutMs: 600 });
      const error = await sink.ended;
      assert.match(error!.message, /: no media for 600 ms$/);
    }),
});

Deno.test("pullRtsp() checks its arguments up front", async () => {
  const sink = new CollectingSink();
  await assert.rejects(pullRtsp({ url: "http://x/", transport: "tcp" }, sink), TypeError);
  await assert.rejects(
    pullRtsp({ url: "rtsp://u:secret@x/", transport: "bogus" as "tcp" }, sink),
    TypeError,
  );
  await assert.rejects(
    pullRtsp({ url: "rtsp://x/", transport: "tcp", timeoutMs: -1 }, sink),
    RangeError,
  );
  await assert.rejects(
    pullRtsp({ url: "rtsp://u:secret@nowhere.invalid:1/", transport: "tcp" }, sink),
    (e: Error) => e instanceof PullError && !e.message.includes("secret"),
  );
});

// ─── A camera with audio ──────────────────────────────────────────────────────────────────────

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name:
      `pullRtsp() over ${transport} sets up the camera's audio in the video's session, then plays`,
    ...opts,
    fn: () =>
      withDevice({ audio: "pcma" }, async (d) => {
        const { session, sink } = await pull(d, { transport }, new AudioCollectingSink());
        assert.deepEqual(session.audio, { codec: "pcma", clockRate: 8000, channels: 1 });
        await sink.waitFrames(3);
        await session.close();
        const setups = d.requests.filter((r) => r.method === "SETUP");
        assert.deepEqual(setups.map((r) => r.url.replace(/^.*\//, "")), ["trackID=0", "trackID=1"]);
        assert.equal(setups[0].headers["session"], undefined);
        // RFC 2326 §10.4: the second SETUP joins the session the first one made.
        assert.equal(setups[1].headers["session"], "5A3C91D2");
        if (transport === "tcp") {
          assert.match(setups[0].headers["transport"], /interleaved=0-1/);
          assert.match(setups[1].headers["transport"], /interleaved=2-3/);
        } else {
          const ports = setups.map((r) => /client_port=(\d+)-(\d+)/.exec(r.headers["transport"]));
          assert.ok(ports[0] && ports[1]);
          assert.notEqual(ports[0][1], ports[1][1], "a port pair per track");
          assert.equal(Number(ports[1][1]) % 2, 0, "RTP on an even port (RFC 3550 §11)");
        }
        assert.ok(d.methods.indexOf("PLAY") > d.methods.lastIndexOf("SETUP"), "PLAY after both");
      }),
  });
}

for (const audio of ["pcma-404", "g726"] as const) {
  Deno.test({
    name: `pullRtsp() plays the video alone when the camera's audio is ${
      audio === "g726" ? "a codec it does not carry" : "refused at SETUP"
    }, and says so once`,
    ...opts,
    fn: () =>
      withDevice({ audio }, async (d) => {
        const lines: string[] = [];
        const logger = {
          log: (_l: string, message: string, f?: Record<string, unknown>) =>
            void lines.push(`${message} ${String(f?.reason ?? "")}`),
        };
        const { session, sink } = await pull(d, { logger }, new AudioCollectingSink());
        assert.equal(session.audio, undefined);
        await sink.waitFrames(3);
        await session.close();
        const said = lines.filter((l) => l.startsWith("pull: audio not carried"));
        assert.equal(said.length, 1, lines.join("\n"));
        assert.match(said[0], audio === "g726" ? /G726/i : /SETUP: 404/);
        const setups = d.requests.filter((r) => r.method === "SETUP").length;
        assert.equal(setups, audio === "g726" ? 1 : 2);
      }),
  });
}

Deno.test({
  name:
    "pullRtsp() of a camera with audio, for a sink that takes no audio, sets up the video alone",
  ...opts,
  fn: () =>
    withDevice({ audio: "pcma" }, async (d) => {
      const { session, sink } = await pull(d);
      assert.equal(session.audio, undefined);
      await sink.waitFrames(2);
      await session.close();
      assert.equal(d.requests.filter((r) => r.method === "SETUP").length, 1);
    }),
});
