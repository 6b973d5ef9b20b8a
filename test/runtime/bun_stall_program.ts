/**
 * The server on `bun_net.ts`, under Bun, with readers whose TCP window is zero (the scenario of
 * test/hostile/stalled_reader_test.ts, which runs on `node_net.ts`): it loops the clip named on the
 * command line at 30 fps, each access unit padded to about 150 KB, to one healthy reader and three
 * that stop reading after their first frame. Prints one JSON line with what the server and the
 * healthy reader saw; network_test.ts judges it.
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { serve } from "../../mod.ts";
import { playClip, readAnnexBClip } from "../../src/source/annexb_file.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";

const WRITE_TIMEOUT = 2;
const STALLED = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(what: string, ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const filler = new Uint8Array(150_000).fill(0xff);
filler[0] = 0x0c; // a filler NAL unit
filler[filler.length - 1] = 0x80;

const clip = readAnnexBClip(readFileSync(process.argv[2]));
const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  writeTimeout: WRITE_TIMEOUT,
  maxQueueBytes: 256 * 1024,
});
const stream = server.addStream("/stream", { codec: "h264", framerate: 30 });
const player = playClip(clip, 30, (nals, o) => stream.sendFrame([...nals, filler], o));
const url = server.url("/stream");
const healthy = await RtspTestClient.connect(url, { receiverReportIntervalMs: 0 });
await healthy.play();
const stalled = await Promise.all(Array.from({ length: STALLED }, async () => {
  const c = await RtspTestClient.connect(url, { receiverReportIntervalMs: 0 });
  await c.play();
  return c;
}));
await until(
  "the stalling readers' first frames",
  () => stalled.every((c) => c.framesReceived > 0),
  10_000,
);
for (const c of stalled) c.stopReading();
const stoppedAt = Date.now();
const healthyBefore = healthy.framesReceived;
const closedAfterMs: number[] = [];
await until("the stalled readers cut off", () => {
  while (closedAfterMs.length < server.stats.stalledConnections) {
    closedAfterMs.push(Date.now() - stoppedAt);
  }
  return closedAfterMs.length >= STALLED;
}, 12_000);
const result = {
  writeTimeoutMs: WRITE_TIMEOUT * 1000,
  closedAfterMs,
  stalledConnections: server.stats.stalledConnections,
  framesDropped: server.stats.framesDropped,
  healthyFramesMeanwhile: healthy.framesReceived - healthyBefore,
  healthyLost: healthy.lost,
  elapsedMs: Date.now() - stoppedAt,
};
player.stop();
await Promise.all([healthy, ...stalled].map((c) => c.close()));
await server.close();
console.log(JSON.stringify(result));
process.exit(0);
