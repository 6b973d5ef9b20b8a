// Bad pushes: each gets a clear 4xx with a reason, is logged once, and disturbs nobody: a reader of
// another path, fed by a healthy device the whole time, decodes every frame.
import assert from "node:assert/strict";
import { argv, interopTest, withTempDir } from "./support.ts";
import {
  ffmpegMake,
  pace,
  POLICY,
  readRtsp,
  sleep,
  splitJpegs,
  startRig,
} from "./ingest_support.ts";

/** Posts `body` to `url` and returns the status and the reason line. */
async function post(
  url: string,
  type: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<[number, string]> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": type, ...headers },
    body: body as BodyInit,
  });
  return [r.status, (await r.text()).trim()];
}

interopTest(
  "wrong type, truncated JPEG, garbage H.264, an oversized frame, a wrong token and a second " +
    "publisher each get their 4xx, logged once, while another path's reader misses nothing",
  ["ffmpeg"],
  async () => {
    await withTempDir(async (dir) => {
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=320x240:rate=15 -frames:v 30 -c:v mjpeg -f mjpeg ${dir}/a.mjpeg`,
      );
      const jpegs = splitJpegs(await Deno.readFile(`${dir}/a.mjpeg`));
      const rig = await startRig((path) =>
        path === "/guarded"
          ? { ...POLICY, token: "s3cret" }
          : { ...POLICY, maxFrameBytes: 256 << 10 }
      );
      const healthy = new WebSocket(`${rig.base.replace("http", "ws")}/good?type=image%2Fjpeg`);
      await new Promise((resolve, reject) => {
        healthy.onopen = resolve;
        healthy.onerror = reject;
      });
      const feeder = pace(jpegs, 15, (jpeg) => healthy.send(jpeg as Uint8Array<ArrayBuffer>));
      // A device holding /busy with a long-lived chunked stream that it keeps sending on (a holder
      // silent for 2 s would be taken over instead of defended with 409).
      let holdOpen: ReadableStreamDefaultController<Uint8Array> | undefined;
      let keepSending: ReturnType<typeof setInterval> | undefined;
      const busyBody = new ReadableStream<Uint8Array>({
        start(c) {
          holdOpen = c;
          c.enqueue(new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]));
          keepSending = setInterval(() => c.enqueue(new Uint8Array([0, 0, 0, 1, 0x09, 0xf0])), 250);
        },
      });
      const busy = post(`${rig.base}/busy`, "video/h264", busyBody);
      try {
        await sleep(1000);
        const reading = readRtsp(rig.rtsp.url("/good"), "tcp", 4);
        await sleep(500);
        const random = new Uint8Array(2 << 20);
        for (let i = 0; i < random.length; i += 65536) {
          crypto.getRandomValues(random.subarray(i, i + 65536));
        }
        // Random bytes contain start codes now and then; make sure none do.
        for (let i = 0; i + 2 < random.length; i++) {
          if (random[i] === 0 && random[i + 1] === 0) random[i + 1] = 7;
        }
        const cases: [string, Promise<[number, string]>, number, RegExp][] = [
          [
            "wrong type",
            post(`${rig.base}/x1`, "text/plain", new Uint8Array(10)),
            415,
            /unsupported/,
          ],
          [
            "truncated JPEG",
            post(`${rig.base}/x2`, "image/jpeg", jpegs[0].subarray(0, jpegs[0].length >> 1)),
            400,
            /truncated JPEG/,
          ],
          ["garbage H.264", post(`${rig.base}/x3`, "video/h264", random), 400, /not an H\.264/],
          [
            "oversized frame",
            post(`${rig.base}/x4`, "image/jpeg", new Uint8Array(300 << 10)),
            413,
            /above the 262144-byte cap/,
          ],
          [
            "wrong token",
            post(`${rig.base}/guarded`, "image/jpeg", jpegs[0], { Authorization: "Bearer nope" }),
            401,
            /valid token/,
          ],
          ["no token", post(`${rig.base}/guarded`, "image/jpeg", jpegs[0]), 401, /valid token/],
          [
            "second publisher",
            post(`${rig.base}/busy`, "video/h264", new Uint8Array([0, 0, 0, 1, 9, 0xf0])),
            409,
            /\/busy is being published by ingest 127\.0\.0\.1; set "replace": true on the path/,
          ],
        ];
        for (const [name, answer, status, reason] of cases) {
          const [got, text] = await answer;
          assert.equal(got, status, `${name}: ${text}`);
          assert.match(text, reason, name);
        }
        // The console answers on the same port all the while.
        const page = await fetch(rig.base.replace(/\/ingest$/, "/"));
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<title>rtsp-edge<\/title>/);
        const refused = rig.lines.filter((l) => l.message === "ingest refused");
        assert.equal(refused.length, cases.length, JSON.stringify(refused));
        // Each refusal names the path it was for.
        assert.deepEqual(
          refused.map((l) => l.fields?.path).sort(),
          ["/busy", "/guarded", "/guarded", "/x1", "/x2", "/x3", "/x4"],
        );
        const r = await reading;
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.frames >= 50, `the healthy path's reader got ${r.frames} frames`);
        const steps = r.pts.slice(1).map((p, i) => p - r.pts[i]);
        const typical = [...steps].sort((a, b) => a - b)[steps.length >> 1];
        assert.ok(Math.max(...steps) < 4 * typical, "the healthy reader saw a gap");
      } finally {
        clearInterval(keepSending);
        holdOpen?.close();
        await busy.catch(() => {});
        await feeder.stop();
        healthy.close();
        await rig.close();
      }
    });
  },
);

interopTest(
  "a device that drops and comes back continues its path: the reader stays, timestamps rise",
  ["ffmpeg"],
  async () => {
    await withTempDir(async (dir) => {
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=320x240:rate=15 -frames:v 30 -c:v mjpeg -f mjpeg ${dir}/a.mjpeg`,
      );
      const jpegs = splitJpegs(await Deno.readFile(`${dir}/a.mjpeg`));
      const rig = await startRig();
      const session = async (ms: number, clockBase: number) => {
        const ws = new WebSocket(`${rig.base.replace("http", "ws")}/cam?type=image%2Fjpeg`);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        // Each session's device clock starts over, as after a reboot.
        const sender = pace(jpegs, 15, (jpeg, i) => {
          ws.send(`ts=${clockBase + i * 66_667}`);
          ws.send(jpeg as Uint8Array<ArrayBuffer>);
        });
        await sleep(ms);
        await sender.stop();
        // The server answers the close frame once it has logged the end of the session.
        const closed = new Promise((resolve) => ws.onclose = resolve);
        ws.close();
        await closed;
      };
      try {
        const first = session(3000, 0);
        await sleep(1000);
        const reading = readRtsp(rig.rtsp.url("/cam"), "tcp", 7);
        await first;
        await sleep(1500); // the device is away
        // Long enough that the reader's 7 s of stream time end while the device sends: it joined
        // at a fresh keyframe 1 s in, so it has about 2 s from the first session.
        await session(4500, 0);
        const r = await reading;
        assert.equal(r.code, 0, r.stderr);
        for (let i = 1; i < r.pts.length; i++) assert.ok(r.pts[i] > r.pts[i - 1], `pts ${i}`);
        const steps = r.pts.slice(1).map((p, i) => p - r.pts[i]);
        const longest = Math.max(...steps);
        const typical = [...steps].sort((a, b) => a - b)[steps.length >> 1];
        assert.ok(longest > 10 * typical, "no gap while the device was away");
        assert.ok(steps.length - steps.indexOf(longest) >= 30, "frames after the device returned");
        const stopped = rig.lines.filter((l) =>
          l.message === "device stopped publishing; readers stay"
        );
        assert.equal(stopped.length, 2, "each WebSocket session's close is logged");
        for (const { fields } of stopped) {
          assert.equal(fields?.path, "/cam");
          assert.equal(fields?.peer, "127.0.0.1");
          assert.ok(Number(fields?.frames) >= 30, `frames ${fields?.frames}`);
        }
      } finally {
        await rig.close();
      }
    });
  },
);
