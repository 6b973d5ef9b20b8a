/**
 * Many RTSP readers in one process, for the fan-out benchmark: each is a `RtspTestClient` over
 * interleaved TCP that records, per complete access unit, its RTP timestamp and arrival time.
 *
 * Protocol (JSON lines): prints `{event:"playing", playing, failed}` once every client has had
 * its PLAY answered (or failed); on stdin takes `{cmd:"collect", frames:[[rtp, sentAt], ...]}`
 * and answers `{event:"collected", ...}` with, per client, how many of those frames arrived whole,
 * and the arrival delays; `{cmd:"exit"}` closes every connection and ends the process.
 *
 * ```sh
 * deno run -A bench/clients.ts --url rtsp://127.0.0.1:8554/stream --count 250
 * ```
 *
 * @module
 */

import { RtspTestClient } from "../test/support/rtsp_client.ts";
import { emit, flags, jsonLines } from "./lines.ts";

const args = flags(Deno.args);
const url = args.url;
const count = Number(args.count ?? 1);
const batch = Number(args.batch ?? 20);
const depacketize = args.depacketize !== "false";

interface Reader {
  client: RtspTestClient | undefined;
  rtp: number[];
  at: number[];
  error?: string;
}

const readers: Reader[] = [];
for (let i = 0; i < count; i++) readers.push({ client: undefined, rtp: [], at: [] });

async function start(r: Reader): Promise<void> {
  try {
    r.client = await RtspTestClient.connect(url, {
      transport: "tcp",
      depacketize,
      onFrame: (au) => {
        r.rtp.push(au.timestamp);
        r.at.push(au.receivedAt);
      },
    });
    await r.client.play();
  } catch (error) {
    r.error = String((error as Error).message ?? error);
  }
}

// A few connections at a time, so the listen backlog never overflows.
for (let i = 0; i < count; i += batch) {
  await Promise.all(readers.slice(i, i + batch).map(start));
}
const failed = readers.filter((r) => r.error !== undefined);
emit({
  event: "playing",
  playing: count - failed.length,
  failed: failed.length,
  error: failed[0]?.error,
});

for await (const msg of jsonLines(Deno.stdin.readable)) {
  if (msg.cmd === "collect") {
    emit(collect(msg.frames as [number, number][]));
  } else if (msg.cmd === "exit") {
    break;
  }
}
await Promise.all(readers.map((r) => r.client?.close()));
Deno.exit(0);

function collect(frames: [number, number][]) {
  const sentAt = new Map<number, number>();
  for (const [rtp, at] of frames) if (rtp >= 0) sentAt.set(rtp, at);
  const received: number[] = [];
  const delays: number[] = [];
  let closed = 0;
  let lost = 0;
  let bytes = 0;
  for (const r of readers) {
    let n = 0;
    // A frame counts once: an access unit seen twice (the same RTP timestamp completed again) is
    // not a second frame, and would make the drops of the window negative.
    const seen = new Set<number>();
    for (let k = 0; k < r.rtp.length; k++) {
      const sent = sentAt.get(r.rtp[k]);
      if (sent === undefined || seen.has(r.rtp[k])) continue;
      seen.add(r.rtp[k]);
      n++;
      delays.push(Math.round((r.at[k] - sent) * 1000) / 1000);
    }
    received.push(n);
    if (r.client?.isClosed !== false) closed++;
    lost += r.client?.lost ?? 0;
    bytes += r.client?.bytesReceived ?? 0;
  }
  return { event: "collected", expected: frames.length, received, delays, closed, lost, bytes };
}
