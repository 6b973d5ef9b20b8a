import assert from "node:assert/strict";
import { type LiveStream, type RtspServer, serve } from "../../mod.ts";
import { type AccessUnit, splitAccessUnits } from "../../src/codec/access_unit.ts";
import { interopTest } from "../interop/support.ts";
import { type ReceivedAccessUnit, RtspTestClient } from "./rtsp_client.ts";

// Real H.264 from ffmpeg, made once per run: 2 s of 640x360 at 30 fps, GOP 30 (two IDRs).
let clipPromise: Promise<AccessUnit[]> | undefined;
function clip(): Promise<AccessUnit[]> {
  clipPromise ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "rtsp_client_test_" });
    const out = `${dir}/clip.h264`;
    const { success, stderr } = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "2"]
        .concat(["-c:v", "libx264", "-profile:v", "baseline", "-g", "30", "-bf", "0"])
        .concat(["-f", "h264", "-y", out]),
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(stderr)}`);
    const aus = splitAccessUnits(await Deno.readFile(out));
    await Deno.remove(dir, { recursive: true });
    return aus;
  })();
  return clipPromise;
}

/** A server on loopback whose stream loops the clip at `intervalMs` per frame. */
async function withServer(
  fn: (server: RtspServer, stream: LiveStream, aus: AccessUnit[]) => Promise<void>,
  intervalMs = 10,
): Promise<void> {
  const aus = await clip();
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const stream = server.addStream("/stream", { codec: "h264", framerate: 30 });
  let i = 0;
  const send = () => {
    stream.sendFrame(aus[i % aus.length].nalUnits, { timestamp: (i * 1e6) / 30 });
    i++;
  };
  send();
  const timer = setInterval(send, intervalMs);
  try {
    await fn(server, stream, aus);
  } finally {
    clearInterval(timer);
    await server.close();
  }
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Index of the sent access unit whose NAL units are exactly `au`'s (SPS/PPS may be prepended). */
function findSent(aus: AccessUnit[], au: ReceivedAccessUnit): number {
  const vcl = au.nalUnits.filter((n) => (n[0] & 0x1f) <= 5);
  return aus.findIndex((sent) => {
    const sentVcl = sent.nalUnits.filter((n) => (n[0] & 0x1f) <= 5);
    return sentVcl.length === vcl.length && sentVcl.every((n, k) => equalBytes(n, vcl[k]));
  });
}

for (const transport of ["tcp", "udp"] as const) {
  interopTest(`RtspTestClient over ${transport} receives every access unit whole, keyframe first`, [
    "ffmpeg",
  ], () =>
    withServer(async (server, _stream, aus) => {
      const got: ReceivedAccessUnit[] = [];
      const client = await RtspTestClient.connect(server.url("/stream"), {
        transport,
        onFrame: (au) => got.push(au),
      });
      try {
        await client.play();
        await until("40 frames", () => client.framesReceived >= 40);
        assert.equal(client.framesReceived, got.length);
        assert.equal(got[0].keyframe, true);
        assert.ok(got[0].nalUnits.some((n) => (n[0] & 0x1f) === 7), "SPS before the IDR");
        for (const au of got) assert.ok(findSent(aus, au) >= 0, "bytes match a sent frame");
        for (let k = 1; k < got.length; k++) {
          assert.equal((got[k].timestamp - got[k - 1].timestamp) >>> 0, 3000, "30 fps");
          assert.ok(got[k].receivedAt >= got[k - 1].receivedAt);
        }
        assert.equal(client.lost, 0);
        assert.ok(client.packetsReceived >= client.framesReceived);
        assert.ok(client.bytesReceived > 0);
        assert.ok(client.lastSequence >= 0 && client.lastSequence <= 0xffff);
        if (transport === "tcp") assert.deepEqual(client.channels, [0, 1]);
        else {
          assert.equal(client.clientPorts![0] % 2, 0);
          assert.equal(client.clientPorts![1], client.clientPorts![0] + 1);
          assert.ok(client.serverPorts !== undefined);
        }
        assert.equal((await client.teardown()).status, 200);
        assert.equal(client.session, undefined);
      } finally {
        await client.close();
      }
    }));
}

interopTest("RtspTestClient.describe() keeps the SDP and resolves the track URL from the base", [
  "ffmpeg",
], () =>
  withServer(async (server) => {
    const client = await RtspTestClient.connect(server.url("/stream"));
    try {
      const res = await client.describe();
      assert.equal(res.status, 200);
      assert.match(client.sdp!, /^v=0\r?\n/);
      assert.match(client.sdp!, /m=video 0 RTP\/AVP 96/);
      assert.ok(client.trackUrl!.startsWith(server.url("/stream")));
      assert.notEqual(client.trackUrl, client.contentBase);
      const setup = await client.setup();
      assert.equal(setup.status, 200);
      assert.match(client.session!, /^[^;\s]+$/);
      assert.equal(typeof client.sessionTimeout, "number");
    } finally {
      await client.close();
    }
  }));

interopTest("RtspTestClient.request() pairs responses by CSeq and passes headers through", [
  "ffmpeg",
], () =>
  withServer(async (server) => {
    const client = await RtspTestClient.connect(server.url("/stream"));
    try {
      const [a, b, c] = await Promise.all([
        client.options(),
        client.request("DESCRIBE", server.url("/nothing-here"), { Accept: "application/sdp" }),
        client.request("GET_PARAMETER", server.url("/stream")),
      ]);
      assert.deepEqual([a.headers.get("CSeq"), b.headers.get("CSeq")], ["1", "2"]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 404);
      assert.equal(c.headers.get("CSeq"), "3");
    } finally {
      await client.close();
    }
  }));

interopTest(
  "RtspTestClient.sendRaw() sends bytes as they are; replies without CSeq are unsolicited",
  ["ffmpeg"],
  () =>
    withServer(async (server) => {
      const client = await RtspTestClient.connect(server.url("/stream"));
      try {
        client.sendRaw("OPTIONS * RTSP/1.0\r\n\r\n"); // no CSeq: RFC 2326 §12.17 makes it a 400
        const res = await client.nextResponse(3000);
        assert.equal(res?.status, 400);
        assert.equal(res?.headers.get("CSeq"), undefined);
        assert.equal(client.isClosed, false);
        client.sendRaw(new Uint8Array([0x47, 0x45, 0x54, 0x20, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]));
        // A NUL in the request line: the server gives up on the connection.
        await until("the server to close", () => client.isClosed, 5000);
        assert.equal(client.isClosed, true);
        await assert.rejects(client.options(), /closed/);
      } finally {
        await client.close();
      }
    }),
);

interopTest("RtspTestClient.stopReading() leaves data in the kernel until resumeReading()", [
  "ffmpeg",
], () =>
  withServer(async (server) => {
    const client = await RtspTestClient.connect(server.url("/stream"));
    try {
      await client.play();
      await until("a frame", () => client.framesReceived > 0);
      client.stopReading();
      await sleep(100); // what was already read is delivered
      const bytes = client.bytesReceived;
      await sleep(500);
      assert.equal(client.bytesReceived, bytes, "nothing is read while stopped");
      const queued = await receiveQueue(server.port);
      if (queued !== undefined) {
        assert.ok(queued > 0, `${queued} bytes wait in the receive buffer`);
      }
      const frames = client.framesReceived;
      client.resumeReading();
      await until("more frames", () => client.framesReceived > frames + 10);
      assert.equal(client.lost, 0, "the server kept everything while the window was open");
    } finally {
      await client.close();
    }
  }));

interopTest(
  "RtspTestClient.pause() stops the frames and play() starts them again",
  ["ffmpeg"],
  () =>
    withServer(async (server) => {
      const client = await RtspTestClient.connect(server.url("/stream"));
      try {
        await client.play();
        await until("frames", () => client.framesReceived >= 5);
        assert.equal((await client.pause()).status, 200);
        await sleep(100);
        const frames = client.framesReceived;
        await sleep(300);
        assert.equal(client.framesReceived, frames);
        await client.play();
        await until("frames after PLAY", () => client.framesReceived > frames + 5);
      } finally {
        await client.close();
      }
    }),
);

interopTest(
  "RtspTestClient without depacketizing counts the same whole access units",
  ["ffmpeg"],
  () =>
    withServer(async (server) => {
      const full: number[] = [];
      const light: number[] = [];
      const a = await RtspTestClient.connect(server.url("/stream"), {
        onFrame: (au) => full.push(au.timestamp),
      });
      const b = await RtspTestClient.connect(server.url("/stream"), {
        depacketize: false,
        onFrame: (au) => {
          assert.deepEqual(au.nalUnits, []);
          light.push(au.timestamp);
        },
      });
      try {
        await Promise.all([a.play(), b.play()]);
        await until("frames", () => a.framesReceived >= 40 && b.framesReceived >= 40);
        const common = full.filter((t) => light.includes(t));
        assert.ok(common.length >= 30, `${common.length} frames in common`);
        assert.equal(b.keyframesReceived >= 1, true);
        const firstCommon = light.indexOf(common[0]);
        assert.deepEqual(light.slice(firstCommon, firstCommon + common.length), common);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }),
);

Deno.test("RtspTestClient.connect() rejects with the URL when nothing listens", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  await assert.rejects(
    RtspTestClient.connect(`rtsp://127.0.0.1:${port}/x`),
    new RegExp(`cannot connect to rtsp://127.0.0.1:${port}/x`),
  );
});

/** Bytes in the receive queue of our connection to `serverPort`, from `ss`, if it is installed. */
async function receiveQueue(serverPort: number): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("ss", {
      args: ["-tnH", "state", "established", `dport = :${serverPort}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return undefined;
    const line = new TextDecoder().decode(out.stdout).trim().split("\n")[0];
    const recvQ = Number(line?.trim().split(/\s+/)[0]);
    return Number.isFinite(recvQ) ? recvQ : undefined;
  } catch {
    return undefined;
  }
}
