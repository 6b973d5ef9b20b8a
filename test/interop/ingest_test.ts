// Frame ingest end to end: devices push over HTTP (curl, fetch) and WebSocket, readers (ffmpeg,
// ffprobe, GStreamer) read the path over RTSP, TCP and UDP, and every frame they get decodes.
import assert from "node:assert/strict";
import { deflateSync } from "fflate";
import { argv, gstDecode, interopTest, run, withTempDir } from "./support.ts";
import {
  ffmpegMake,
  pace,
  POLICY,
  probeRtsp,
  readRtsp,
  sleep,
  splitJpegs,
  startRig,
} from "./ingest_support.ts";

/** curl streaming `file` as a chunked POST body of `type`, paced by `ffmpeg -re` upstream. */
function curlStream(producer: string[], url: string, type: string, token?: string) {
  const auth = token ? ` -H "Authorization: Bearer ${token}"` : "";
  const script =
    `ffmpeg -v error ${
      producer.join(" ")
    } | curl -sS -T - -X POST -H "Content-Type: ${type}"${auth} ` +
    `-w "%{http_code}" ${url}`;
  return new Deno.Command("sh", { args: ["-c", script], stdout: "piped", stderr: "piped" })
    .output();
}

interopTest(
  "an ESP32-CAM style multipart JPEG stream pushed with curl is served as H.264 that ffmpeg " +
    "decodes over TCP and UDP",
  ["ffmpeg", "ffprobe", "curl"],
  async () => {
    const rig = await startRig();
    try {
      const push = curlStream(
        argv`-re -f lavfi -i testsrc2=size=640x480:rate=15 -t 9 -c:v mjpeg -q:v 5 -f mpjpeg -`,
        `${rig.base}/cam`,
        "multipart/x-mixed-replace; boundary=ffmpeg",
      );
      await sleep(1500);
      const url = rig.rtsp.url("/cam");
      assert.deepEqual(await probeRtsp(url), ["h264", 640, 480]);
      for (const transport of ["tcp", "udp"] as const) {
        const r = await readRtsp(url, transport, 2);
        assert.equal(r.code, 0, `${transport}: ${r.stderr}`);
        assert.ok(r.frames >= 20, `${transport}: ${r.frames} frames`);
      }
      const out = await push;
      assert.equal(
        new TextDecoder().decode(out.stdout),
        "204",
        new TextDecoder().decode(out.stderr),
      );
    } finally {
      await rig.close();
    }
  },
);

interopTest(
  "an H.264 Annex B stream pushed with curl passes through unchanged and GStreamer decodes it",
  ["ffmpeg", "curl", "gst-launch-1.0"],
  async () => {
    const rig = await startRig();
    try {
      const push = curlStream(
        argv`-re -f lavfi -i testsrc2=size=320x240:rate=25 -t 8 -c:v libx264 -g 25 -bf 0 -f h264 -`,
        `${rig.base}/p4`,
        "video/h264",
      );
      await sleep(1500);
      const url = rig.rtsp.url("/p4");
      assert.deepEqual(await probeRtsp(url), ["h264", 320, 240]);
      // The SPS is the device's own: libx264 writes High profile, which no WASM encoder makes.
      const probe = await run("ffprobe", argv`-v error -show_streams -of json ${url}`);
      assert.equal(JSON.parse(probe.stdout).streams[0].profile, "High");
      const gst = await gstDecode(url, ["protocols=tcp"], 40);
      assert.ok(gst.eos, gst.stderr);
      assert.equal((await push).success, true);
    } finally {
      await rig.close();
    }
  },
);

interopTest(
  "single JPEG requests, deflated raw frames and WebSocket JPEGs each reach their path's readers",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withTempDir(async (dir) => {
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=320x240:rate=10 -frames:v 20 -c:v mjpeg -f mjpeg ${dir}/a.mjpeg`,
      );
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=160x120:rate=10 -frames:v 20 -pix_fmt nv12 -f rawvideo ${dir}/b.nv12`,
      );
      const jpegs = splitJpegs(await Deno.readFile(`${dir}/a.mjpeg`));
      const nv12 = await Deno.readFile(`${dir}/b.nv12`);
      const rawFrames = Array.from(
        { length: 20 },
        (_, i) => nv12.subarray(i * 28_800, (i + 1) * 28_800),
      );
      const rig = await startRig();
      try {
        // One JPEG per request, keep-alive, each with its capture time.
        const single = pace(jpegs, 10, async (jpeg, i) => {
          const r = await fetch(`${rig.base}/single`, {
            method: "POST",
            headers: {
              "Content-Type": "image/jpeg",
              "X-Timestamp-Us": String(1_000_000 + i * 100_000),
            },
            body: jpeg as Uint8Array<ArrayBuffer>,
          });
          assert.equal(r.status, 204, await r.text());
        });
        // Raw NV12, one deflated frame per request.
        const raw = pace(rawFrames, 10, async (frame) => {
          const r = await fetch(`${rig.base}/raw`, {
            method: "POST",
            headers: {
              "Content-Type": "video/x-raw; format=nv12; width=160; height=120",
              "Content-Encoding": "deflate",
            },
            body: deflateSync(frame) as Uint8Array<ArrayBuffer>,
          });
          assert.equal(r.status, 204, await r.text());
        });
        // WebSocket: one JPEG per binary message.
        const ws = new WebSocket(`${rig.base.replace("http", "ws")}/ws?type=image%2Fjpeg`);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const viaWs = pace(jpegs, 10, (jpeg) => ws.send(jpeg as Uint8Array<ArrayBuffer>));
        await sleep(1500);
        assert.deepEqual(await probeRtsp(rig.rtsp.url("/single")), ["h264", 320, 240]);
        assert.deepEqual(await probeRtsp(rig.rtsp.url("/raw")), ["h264", 160, 120]);
        assert.deepEqual(await probeRtsp(rig.rtsp.url("/ws")), ["h264", 320, 240]);
        for (const path of ["/single", "/raw", "/ws"]) {
          const r = await readRtsp(rig.rtsp.url(path), "tcp", 1.5);
          assert.equal(r.code, 0, `${path}: ${r.stderr}`);
          assert.ok(r.frames >= 8, `${path}: ${r.frames} frames`);
        }
        await Promise.all([single.stop(), raw.stop(), viaWs.stop()]);
        ws.close();
      } finally {
        await rig.close();
      }
    });
  },
);

interopTest(
  "a JPEG path served as RTP/JPEG (RFC 2435) is read by ffmpeg over TCP and UDP",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withTempDir(async (dir) => {
      // RTP/JPEG carries the standard Huffman tables only: ffmpeg must not optimise them.
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=320x240:rate=10 -frames:v 20 -c:v mjpeg -huffman default -pix_fmt yuvj420p -f mjpeg ${dir}/a.mjpeg`,
      );
      const jpegs = splitJpegs(await Deno.readFile(`${dir}/a.mjpeg`));
      const rig = await startRig({ ...POLICY, jpeg: "rtp-jpeg" });
      const ws = new WebSocket(`${rig.base.replace("http", "ws")}/mjpeg?type=image%2Fjpeg`);
      try {
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const sender = pace(jpegs, 15, (jpeg) => ws.send(jpeg as Uint8Array<ArrayBuffer>));
        await sleep(500);
        const url = rig.rtsp.url("/mjpeg");
        assert.deepEqual(await probeRtsp(url), ["mjpeg", 320, 240]);
        for (const transport of ["tcp", "udp"] as const) {
          const r = await readRtsp(url, transport, 2);
          assert.equal(r.code, 0, `${transport}: ${r.stderr}`);
          assert.ok(r.frames >= 20, `${transport}: ${r.frames} frames`);
        }
        await sender.stop();
      } finally {
        ws.close();
        await rig.close();
      }
    });
  },
);
