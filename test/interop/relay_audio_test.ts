/**
 * Audio through a relay and through a push, end to end: ffmpeg publishes H.264 with AAC (a clip that
 * flashes and beeps at the same instants) to rtsp-edge A; rtsp-edge B relays A's path (pulled over
 * TCP and over UDP), or A pushes its path to B (over TCP and UDP); ffmpeg records B's path with
 * `-c copy`, both tracks are there and decode without error, and flash and beep land within 40 ms.
 */

import assert from "node:assert/strict";
import { serve } from "../../src/server/server.ts";
import type { RtspServer } from "../../src/server/server.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
import { pushRtsp } from "../../src/client/push.ts";
import { startRelay } from "../../src/source/relay_api.ts";
import { avSyncInputs, measureAvSync, pairOffsets, summarizeOffsets } from "../support/av_sync.ts";
import { argv, interopTest, run, withTempDir } from "./support.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ffmpeg publishing the flash-and-beep clip with AAC to `url` for `seconds`. */
function publishAac(url: string, seconds: number) {
  return run(
    "ffmpeg",
    [
      ...argv`-v error -re`,
      ...avSyncInputs(),
      ...argv`-t ${seconds} -c:v libx264 -g 25 -bf 0 -pix_fmt yuv420p`,
      ...argv`-c:a aac -b:a 64k -ar 48000 -ac 2 -f rtsp -rtsp_transport tcp ${url}`,
    ],
    seconds * 1000 + 30_000,
  );
}

/** Records `url` for 6 s with `-c copy`; what ffprobe sees, decode errors, and the lip-sync. */
function recordBoth(url: string) {
  return withTempDir(async (dir) => {
    const out = `${dir}/out.mp4`;
    const r = await run(
      "ffmpeg",
      argv`-v error -rtsp_transport tcp -i ${url} -t 6 -c copy ${out}`,
      40_000,
    );
    assert.equal(r.code, 0, `ffmpeg reading ${url}: ${r.stderr}`);
    const probe = await run("ffprobe", argv`-v error -show_streams -of json ${out}`);
    const streams = (JSON.parse(probe.stdout).streams as { codec_name: string }[])
      .map((s) => s.codec_name).sort();
    const decode = await run("ffmpeg", argv`-v error -xerror -i ${out} -f null -`);
    const errors = decode.code === 0
      ? decode.stderr.trim()
      : `exit ${decode.code}: ${decode.stderr}`;
    // The recording starts at a keyframe, and the clip puts keyframes on flashes: the sound of
    // that first instant may not have reached this far yet (AAC is held back at each hop), and
    // the first decoded AAC frame is a transient silencedetect takes for a beep. So the first
    // half second is not paired; every flash after it is.
    const sync = await measureAvSync(out);
    const offsetsMs = pairOffsets(sync.flashes.filter((t) => t >= 0.5), sync.beeps);
    return { streams, errors, ...sync, offsetsMs };
  });
}

function assertBothInSync(what: string, r: Awaited<ReturnType<typeof recordBoth>>): void {
  assert.deepEqual(r.streams, ["aac", "h264"], what);
  assert.equal(r.errors, "", what);
  assert.ok(r.offsetsMs.length >= 4, `${what}: ${JSON.stringify(r)}`);
  const { worst } = summarizeOffsets(r.offsetsMs);
  assert.ok(Math.abs(worst) <= 40, `${what}: offsets ${r.offsetsMs.join(", ")} ms`);
}

async function servers(): Promise<[RtspServer, RtspServer]> {
  const a = await serve({ port: 0, hostname: "127.0.0.1" });
  const b = await serve({ port: 0, hostname: "127.0.0.1", publishers: () => ({}) });
  return [a, b];
}

interopTest(
  "a relayed rtsp-edge path with AAC keeps both tracks, decodable and in sync, pulled over TCP and UDP",
  ["ffmpeg", "ffprobe"],
  async () => {
    const [a, b] = await servers();
    try {
      const publisher = publishAac(a.url("/cam"), 11);
      await sleep(1500);
      const relays = await Promise.all(
        (["tcp", "udp"] as const).map((transport) =>
          startRelay(b, `/${transport}`, { url: a.url("/cam"), transport })
        ),
      );
      await sleep(1000);
      for (const relay of relays) {
        assert.equal((relay.stream as Stream).audio?.format.codec, "aac", relay.stream.path);
      }
      const [tcp, udp] = await Promise.all([recordBoth(b.url("/tcp")), recordBoth(b.url("/udp"))]);
      assertBothInSync("relay pulled over TCP", tcp);
      assertBothInSync("relay pulled over UDP", udp);
      await Promise.all(relays.map((r) => r.stop()));
      assert.equal((await publisher).code, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  },
);

interopTest(
  "a path with AAC pushed to another rtsp-edge over TCP and UDP arrives with both tracks, in sync",
  ["ffmpeg", "ffprobe"],
  async () => {
    const [a, b] = await servers();
    try {
      const publisher = publishAac(a.url("/cam"), 11);
      await sleep(1500);
      const pushes = await Promise.all(
        (["tcp", "udp"] as const).map((transport) =>
          pushRtsp(a, "/cam", { url: b.url(`/${transport}`), transport })
        ),
      );
      await sleep(500);
      const [tcp, udp] = await Promise.all([recordBoth(b.url("/tcp")), recordBoth(b.url("/udp"))]);
      assertBothInSync("pushed over TCP", tcp);
      assertBothInSync("pushed over UDP", udp);
      await Promise.all(pushes.map((p) => p.close()));
      assert.equal((await publisher).code, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  },
);
