/**
 * pushRtsp(): a served path sent to another server with ANNOUNCE, SETUP (mode=record) and RECORD.
 * The far side is rtsp-edge's own server (its publisher path, read back through a tap) or a
 * scripted upstream on loopback that refuses, vanishes or never answers.
 */

import assert from "node:assert/strict";
import { pushRtsp, type PushSource } from "../../src/client/push.ts";
import { PushError } from "../../src/client/push.ts";
import type { RtspServer } from "../../src/server/server.ts";
import { serve } from "../../src/server/server.ts";
import type { ServeOptions } from "../../src/server/options.ts";
import type { LiveStream } from "../../src/server/stream/live_stream.ts";
import type { TapFrame } from "../../src/server/tap.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
import { idr, PPS, slice, SPS } from "../server/conversation.ts";

// The server is a push source as it is: checked by the compiler.
const _source: (server: RtspServer) => PushSource = (server) => server;

const SANITIZE = { sanitizeOps: false, sanitizeResources: false };

/** Feeds `stream` 25 frames a second, a keyframe (with SPS and PPS) every 10. */
function feed(stream: LiveStream): { stop(): void } {
  let n = 0;
  const send = () => {
    stream.sendFrame(n % 10 === 0 ? [SPS, PPS, idr()] : [slice()], { timestamp: n * 40_000 });
    n++;
  };
  send();
  const timer = setInterval(send, 40);
  return { stop: () => clearInterval(timer) };
}

/** An edge server with a fed path `/cam`, and a central server that takes publishers anywhere. */
async function edgeAndCentral(central: ServeOptions = {}) {
  const edge = await serve({ port: 0, hostname: "127.0.0.1" });
  const stream = edge.addStream("/cam", { codec: "h264" });
  const feeder = feed(stream);
  const up = await serve({ port: 0, hostname: "127.0.0.1", publishers: () => ({}), ...central });
  return {
    edge,
    stream,
    central: up,
    async close() {
      feeder.stop();
      await Promise.all([edge.close(), up.close()]);
    },
  };
}

/** Collects `count` frames of `path` on `server` through a tap (they start at a keyframe). */
async function readBack(server: RtspServer, path: string, count: number): Promise<TapFrame[]> {
  const frames: TapFrame[] = [];
  for (let i = 0; i < 100 && !server.getStream(path); i++) await sleep(20);
  let done!: () => void;
  const enough = new Promise<void>((resolve) => done = resolve);
  const tap = server.tap(path, {
    frame(frame) {
      frames.push(frame);
      if (frames.length === count) done();
    },
    queuedBytes: 0,
    queuedFrames: 0,
  });
  try {
    await within(5000, enough, `${count} frames at ${path}`);
  } finally {
    tap.close();
  }
  return frames;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name: `a path pushed over ${transport} to rtsp-edge arrives from a keyframe, SPS and PPS known`,
    ...SANITIZE,
    async fn() {
      const s = await edgeAndCentral();
      try {
        const push = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up"), transport });
        assert.equal(s.stream.readerCount, 1, "the push reads the path as a reader");
        const frames = await readBack(s.central, "/up", 12);
        assert.equal(frames[0].keyframe, true);
        assert.ok(frames.filter((f) => f.keyframe).length >= 1);
        const up = s.central.getStream("/up")!;
        assert.deepEqual(up.parameterSets?.sps, SPS);
        assert.deepEqual(up.parameterSets?.pps, PPS);
        assert.ok(push.stats.framesSent >= 12);
        await push.close();
        assert.equal(await push.closed, undefined);
        assert.equal(s.stream.readerCount, 0, "closing the push detaches its tap");
        // TEARDOWN ended the publisher: the path is free for the next one.
        for (let i = 0; i < 50 && s.central.stats.sessions > 0; i++) await sleep(20);
        assert.equal(s.central.stats.sessions, 0);
      } finally {
        await s.close();
      }
    },
  });
}

for (const method of ["digest", "basic"] as const) {
  Deno.test({
    name: `a push answers a ${method} challenge once with the URL's user and password`,
    ...SANITIZE,
    async fn() {
      const s = await edgeAndCentral({
        access: {
          users: { edge: { password: "p@ss word" } },
          publish: ["edge"],
          read: "anyone",
          methods: [method],
          allowBasicWithoutTls: true,
        },
      });
      try {
        const url = s.central.url("/up").replace("rtsp://", "rtsp://edge:p%40ss%20word@");
        const push = await pushRtsp(s.edge, "/cam", { url });
        await readBack(s.central, "/up", 3);
        await push.close();
      } finally {
        await s.close();
      }
    },
  });
}

Deno.test({
  name: "a wrong password is one PushError naming the URL without it, the step and the status",
  ...SANITIZE,
  async fn() {
    const s = await edgeAndCentral({
      access: {
        users: { edge: { password: "right" } },
        publish: ["edge"],
        failureDelayMs: [0, 0],
      },
    });
    try {
      const url = s.central.url("/up").replace("rtsp://", "rtsp://edge:wrong@");
      const error = await pushRtsp(s.edge, "/cam", { url }).then(() => undefined, (e) => e);
      assert.ok(error instanceof PushError);
      assert.equal(
        error.message,
        `${s.central.url("/up")}: ANNOUNCE: 401 Unauthorized: wrong user or password`,
      );
      assert.doesNotMatch(error.message, /wrong@/);
      const none = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up") })
        .then(() => undefined, (e) => e);
      assert.match(none.message, /ANNOUNCE: 401 Unauthorized: the server wants a user/);
      assert.equal(s.stream.readerCount, 0, "a failed push leaves no reader behind");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "a path another publisher holds is refused, and the push says so",
  ...SANITIZE,
  async fn() {
    const s = await edgeAndCentral({ publishers: () => ({ replace: false }) });
    try {
      const first = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up") });
      const error = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up") })
        .then(() => undefined, (e) => e);
      assert.ok(error instanceof PushError);
      assert.match(error.message, /^rtsp:\/\/127\.0\.0\.1:\d+\/up: ANNOUNCE: 4\d\d /);
      await first.close();
    } finally {
      await s.close();
    }
  },
});

Deno.test("pushRtsp() checks its options before connecting", async () => {
  const server = { tap: () => assert.fail("no tap for bad options") } as unknown as PushSource;
  const bad = (options: unknown) =>
    pushRtsp(server, "/cam", options as Parameters<typeof pushRtsp>[2]);
  await assert.rejects(() => bad({ url: "http://x/y" }), TypeError);
  await assert.rejects(() => bad({ url: "rtsp://x/y", transport: "sctp" }), TypeError);
  await assert.rejects(() => bad({ url: "rtsp://x/y", timeoutMs: -1 }), RangeError);
  await assert.rejects(() => bad(undefined), TypeError);
});

Deno.test({
  name: "a push of a path that is not served fails with a PushError naming it",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    try {
      await assert.rejects(
        () => pushRtsp(edge, "/none", { url: "rtsp://127.0.0.1:9/x" }),
        (e) =>
          e instanceof PushError &&
          e.message === "rtsp://127.0.0.1:9/x: cannot read /none: no stream is served at /none",
      );
    } finally {
      await edge.close();
    }
  },
});

Deno.test({
  name: "a path without SPS and PPS in time is not announced",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    edge.addStream("/cam", { codec: "h264" });
    try {
      await assert.rejects(
        () => pushRtsp(edge, "/cam", { url: "rtsp://127.0.0.1:9/x", timeoutMs: 100 }),
        /rtsp:\/\/127\.0\.0\.1:9\/x: cannot describe \/cam: no SPS and PPS came within 100 ms/,
      );
      assert.equal(edge.getStream("/cam")!.readerCount, 0);
    } finally {
      await edge.close();
    }
  },
});

Deno.test({
  name: "removing the pushed path ends the push once, with an error",
  ...SANITIZE,
  async fn() {
    const s = await edgeAndCentral();
    try {
      const push = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up") });
      s.edge.removeStream("/cam");
      const error = await within(2000, push.closed, "end");
      assert.ok(error instanceof PushError);
      assert.match(error.message, /: the path ended: stream removed$/);
      await push.close(); // after the end: nothing more, no throw
    } finally {
      await s.close();
    }
  },
});

// ─── A scripted upstream ─────────────────────────────────────────────────────────────────────────

interface Script {
  /** The answer to a request (status line and headers, without CSeq), or undefined for none. */
  answer(method: string): string | undefined;
}

/** An RTSP server on loopback that answers as `script` says; `requests` lists the methods seen. */
function scriptedUpstream(script: Script) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const bodies: string[] = [];
  const media: { channel: number; bytes: number[] }[] = []; // the first bytes of each, up to 200
  const state = { reading: true };
  const conns: Deno.Conn[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      void (async () => {
        let text = "";
        const buf = new Uint8Array(65536);
        for (;;) {
          while (!state.reading) await sleep(20);
          let n: number | null;
          try {
            n = await conn.read(buf);
          } catch {
            return;
          }
          if (n === null) return;
          // One character per byte, so interleaved lengths count in characters.
          for (const byte of buf.subarray(0, n)) text += String.fromCharCode(byte);
          for (;;) {
            if (text.startsWith("$")) {
              if (text.length < 4) break;
              const size = (text.charCodeAt(2) << 8) | text.charCodeAt(3);
              if (text.length < 4 + size) break;
              if (media.length < 200) {
                const bytes = [...text.slice(4, 4 + Math.min(size, 16))].map((c) =>
                  c.charCodeAt(0)
                );
                media.push({ channel: text.charCodeAt(1), bytes });
              }
              text = text.slice(4 + size);
              continue;
            }
            const end = text.indexOf("\r\n\r\n");
            if (end < 0) break;
            const head = text.slice(0, end);
            const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            if (text.length < end + 4 + length) break;
            bodies.push(text.slice(end + 4, end + 4 + length));
            text = text.slice(end + 4 + length);
            const method = head.split(" ")[0];
            requests.push(method);
            const cseq = /cseq:\s*(\d+)/i.exec(head)?.[1];
            const answer = script.answer(method);
            if (answer === undefined) continue;
            if (answer === "close") {
              conn.close();
              return;
            }
            const [line, ...headers] = answer.split("\n");
            const reply = [line, `CSeq: ${cseq}`, ...headers, "", ""].join("\r\n");
            await conn.write(new TextEncoder().encode(reply)).catch(() => {});
          }
        }
      })();
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `rtsp://127.0.0.1:${port}/x`,
    requests,
    bodies,
    media,
    /** Stops (false) or resumes reading from the connections. */
    set reading(on: boolean) {
      state.reading = on;
    },
    /** Drops every connection, as a server that crashed. */
    vanish() {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
    },
    async close() {
      this.vanish();
      listener.close();
      await served;
    },
  };
}

const RECORDING: Script = {
  answer(method) {
    if (method === "SETUP") {
      return "RTSP/1.0 200 OK\nSession: abc;timeout=60\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record";
    }
    return "RTSP/1.0 200 OK";
  },
};

for (const status of ["403 Forbidden", "404 Not Found"]) {
  Deno.test({
    name: `an upstream that answers ANNOUNCE with ${status} fails the push with that status`,
    ...SANITIZE,
    async fn() {
      const edge = await serve({ port: 0, hostname: "127.0.0.1" });
      const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
      const up = scriptedUpstream({
        answer: (m) => m === "ANNOUNCE" ? `RTSP/1.0 ${status}` : "RTSP/1.0 200 OK",
      });
      try {
        const error = await pushRtsp(edge, "/cam", { url: up.url }).then(() => undefined, (e) => e);
        assert.ok(error instanceof PushError);
        assert.ok(error.message.startsWith(`${up.url}: ANNOUNCE: ${status}: `), error.message);
        assert.deepEqual(up.requests, ["OPTIONS", "ANNOUNCE"]);
      } finally {
        feeder.stop();
        await up.close();
        await edge.close();
      }
    },
  });
}

Deno.test({
  name: "an upstream that never answers fails the push at the deadline, naming the step",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    const up = scriptedUpstream({ answer: () => undefined });
    try {
      const started = performance.now();
      await assert.rejects(
        () => pushRtsp(edge, "/cam", { url: up.url, timeoutMs: 300 }),
        (e) =>
          e instanceof PushError &&
          e.message === `${up.url}: OPTIONS: no complete response within 300 ms`,
      );
      assert.ok(performance.now() - started < 2000);
      assert.equal(edge.getStream("/cam")!.readerCount, 0);
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "an upstream that vanishes mid-stream ends the push once, with an error",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const stream = edge.addStream("/cam", { codec: "h264" });
    const feeder = feed(stream);
    const up = scriptedUpstream(RECORDING);
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url });
      assert.deepEqual(up.requests, ["OPTIONS", "ANNOUNCE", "SETUP", "RECORD"]);
      await sleep(200);
      up.vanish();
      const error = await within(3000, push.closed, "end");
      assert.ok(error instanceof PushError);
      assert.equal(error.message, `${up.url}: connection closed by the server while recording`);
      assert.equal(stream.readerCount, 0);
      await push.close();
      assert.equal(await push.closed, error, "closed resolves once");
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "close() sends TEARDOWN and waits only a bounded time for its answer",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    const up = scriptedUpstream({
      answer: (m) => m === "TEARDOWN" ? undefined : RECORDING.answer(m),
    });
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url, timeoutMs: 300 });
      const started = performance.now();
      await push.close();
      assert.ok(performance.now() - started < 1000);
      assert.equal(up.requests.at(-1), "TEARDOWN");
      assert.equal(await push.closed, undefined);
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "a push keeps its session alive at half the upstream's session timeout",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    const up = scriptedUpstream({
      answer(method) {
        if (method === "OPTIONS") {
          return "RTSP/1.0 200 OK\nPublic: OPTIONS, ANNOUNCE, GET_PARAMETER";
        }
        if (method === "SETUP") return RECORDING.answer(method)!.replace("timeout=60", "timeout=2");
        return "RTSP/1.0 200 OK";
      },
    });
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url });
      await sleep(2300);
      assert.deepEqual(up.requests.slice(4), ["GET_PARAMETER", "GET_PARAMETER"]);
      await push.close();
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "an upstream that stops answering keepalives ends the push",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    let recording = false;
    const up = scriptedUpstream({
      answer(method) {
        if (recording) return undefined;
        if (method === "RECORD") recording = true;
        return method === "SETUP"
          ? RECORDING.answer(method)!.replace("timeout=60", "timeout=2")
          : "RTSP/1.0 200 OK";
      },
    });
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url, timeoutMs: 500 });
      const error = await within(4000, push.closed, "end");
      assert.equal(
        error?.message,
        `${up.url}: keepalive OPTIONS: no complete response within 500 ms`,
      );
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "a push announces sprop-parameter-sets and sends SPS and PPS in band before the first IDR",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    const up = scriptedUpstream(RECORDING);
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url });
      for (let i = 0; i < 50 && up.media.filter((m) => m.channel === 0).length < 5; i++) {
        await sleep(20);
      }
      const sdp = up.bodies.find((b) => b.startsWith("v=0"))!;
      assert.match(sdp, /a=fmtp:96 .*sprop-parameter-sets=/);
      assert.match(sdp, /a=control:trackID=0/);
      const rtp = up.media.filter((m) => m.channel === 0);
      // NAL types of the first packets: SPS (7), PPS (8), then the IDR (5, or an FU-A of it).
      const types = rtp.slice(0, 3).map((m) => m.bytes[12] & 0x1f);
      assert.deepEqual(types.slice(0, 2), [7, 8]);
      assert.ok(types[2] === 5 || (types[2] === 28 && (rtp[2].bytes[13] & 0x1f) === 5));
      assert.ok(up.media.some((m) => m.channel === 1 && m.bytes[1] === 200), "an RTCP SR");
      await push.close();
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "an upstream that stops reading costs whole frames to the next keyframe, not memory",
  ...SANITIZE,
  async fn() {
    const limit = 256 * 1024;
    const edge = await serve({ port: 0, hostname: "127.0.0.1", maxQueueBytes: limit });
    const stream = edge.addStream("/cam", { codec: "h264" });
    const up = scriptedUpstream(RECORDING);
    try {
      stream.sendFrame([SPS, PPS, idr()]);
      const push = await pushRtsp(edge, "/cam", { url: up.url });
      up.reading = false;
      // 40 MB, far more than the kernel's socket buffers take on loopback.
      for (let i = 0; i < 400; i++) {
        stream.sendFrame(i % 10 === 0 ? [SPS, PPS, idr(100_000)] : [slice(100_000)]);
        if (i % 20 === 0) await sleep(1);
      }
      const { framesSent, framesDropped, queuedBytes } = push.stats;
      assert.ok(framesDropped > 100, `only ${framesDropped} frames dropped`);
      assert.ok(queuedBytes <= limit + 2048, `${queuedBytes} bytes queued`);
      assert.ok(framesSent + framesDropped >= 400);
      up.reading = true;
      await push.close();
    } finally {
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "aborting the signal gives up a push that is starting, and closes one that records",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const stream = edge.addStream("/cam", { codec: "h264" });
    const feeder = feed(stream);
    const silent = scriptedUpstream({ answer: () => undefined });
    const up = scriptedUpstream(RECORDING);
    try {
      const starting = new AbortController();
      const pending = pushRtsp(edge, "/cam", { url: silent.url, signal: starting.signal });
      await sleep(100);
      starting.abort();
      await assert.rejects(
        () => within(1000, pending, "rejection"),
        (e) => e instanceof PushError && e.message === `${silent.url}: aborted while starting`,
      );
      assert.equal(stream.readerCount, 0);

      const recording = new AbortController();
      const push = await pushRtsp(edge, "/cam", { url: up.url, signal: recording.signal });
      recording.abort();
      assert.equal(await within(3000, push.closed, "end"), undefined);
      assert.equal(up.requests.at(-1), "TEARDOWN");
    } finally {
      feeder.stop();
      await silent.close();
      await up.close();
      await edge.close();
    }
  },
});

Deno.test({
  name: "an upstream that forgot the session (454 to a keepalive) ends the push",
  ...SANITIZE,
  async fn() {
    const edge = await serve({ port: 0, hostname: "127.0.0.1" });
    const feeder = feed(edge.addStream("/cam", { codec: "h264" }));
    let recording = false;
    const up = scriptedUpstream({
      answer(method) {
        if (recording) return "RTSP/1.0 454 Session Not Found";
        if (method === "RECORD") recording = true;
        return method === "SETUP"
          ? RECORDING.answer(method)!.replace("timeout=60", "timeout=2")
          : "RTSP/1.0 200 OK";
      },
    });
    try {
      const push = await pushRtsp(edge, "/cam", { url: up.url });
      const error = await within(3000, push.closed, "end");
      assert.equal(error?.message, `${up.url}: keepalive OPTIONS: 454 Session Not Found`);
    } finally {
      feeder.stop();
      await up.close();
      await edge.close();
    }
  },
});

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name: `a path with audio pushed over ${transport} arrives with both tracks set up`,
    ...SANITIZE,
    async fn() {
      const s = await edgeAndCentral();
      const pcmu = { codec: "pcmu" as const, clockRate: 8000, channels: 1 };
      s.stream.setAudio(pcmu);
      let n = 0;
      const sound = setInterval(() => {
        s.stream.sendAudio(new Uint8Array(160).fill(n & 0xff), n * 20_000);
        n++;
      }, 20);
      try {
        const push = await pushRtsp(s.edge, "/cam", { url: s.central.url("/up"), transport });
        for (let i = 0; i < 100 && !s.central.getStream("/up"); i++) await sleep(20);
        const up = s.central.getStream("/up") as Stream;
        assert.deepEqual(up.audio?.format, pcmu);
        const audio: TapFrame[] = [];
        const tap = s.central.tap("/up", {
          frame() {},
          audioFrame: (frame) => void audio.push(frame),
          queuedBytes: 0,
          queuedFrames: 0,
        });
        for (let i = 0; i < 100 && audio.length < 20; i++) await sleep(20);
        tap.close();
        assert.ok(audio.length >= 20, `${audio.length} audio frames came through`);
        // The far side's audio RTP: its own SSRC, PCMU (PT 0), 160 samples a frame.
        const first = audio[0].packetViews[0];
        assert.equal(first[1] & 0x7f, 0);
        assert.equal(first.length, 12 + 160);
        // Once both tracks' sender reports are in, the far side times each frame by them: 20 ms
        // apart, as sent (the first few, timed by arrival, may be off by the loopback's jitter).
        const steps = audio.slice(-8).map((f, i, a) =>
          i === 0 ? 160 : (f.rtpTimestamp - a[i - 1].rtpTimestamp) >>> 0
        );
        assert.ok(steps.every((step) => Math.abs(step - 160) <= 1), `steps ${steps}`);
        await push.close();
      } finally {
        clearInterval(sound);
        await s.close();
      }
    },
  });
}
