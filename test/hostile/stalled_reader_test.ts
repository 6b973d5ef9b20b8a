/**
 * Readers whose TCP window is zero (HARDENING.md item 20), over real sockets: they connect, PLAY
 * interleaved and never read again. Their queue fills and their frames are dropped, they are
 * closed at the write deadline, and the other readers on the stream (ffmpeg, and a test client
 * timing every frame) see no gap and no added delay.
 */

import assert from "node:assert/strict";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { interopTest, startClipServer } from "../interop/support.ts";
import type { RtspServer } from "../../mod.ts";
import { assertBounded, sleep, startReader, until } from "./_support.ts";

/** Seconds a reader may leave its data unread (ServeOptions.writeTimeout) here. */
const WRITE_TIMEOUT = 2;

/** `n` readers that play, take a few frames, then stop reading; all must be cut off. */
async function stallReaders(server: RtspServer, n: number): Promise<void> {
  const stalledBefore = server.stats.stalledConnections;
  const droppedBefore = server.stats.framesDropped;
  const readers = await Promise.all(Array.from({ length: n }, async () => {
    const c = await RtspTestClient.connect(server.url("/stream"), { receiverReportIntervalMs: 0 });
    await c.play();
    return c;
  }));
  try {
    await until(
      "the stalling readers' first frames",
      () => readers.every((c) => c.framesReceived > 0),
    );
    for (const c of readers) c.stopReading(); // from now on the kernel's buffers fill: window 0
    const stoppedAt = Date.now();
    // The server side tells when each was cut off (a paused client socket does not see it).
    const closedAfter: number[] = [];
    await until("the stalled readers disconnected", () => {
      const cut = server.stats.stalledConnections - stalledBefore;
      while (closedAfter.length < cut) closedAfter.push(Date.now() - stoppedAt);
      return cut >= n;
    }, 12_000);
    // Never before the deadline: it counts from the last time the socket took bytes.
    for (const ms of closedAfter) {
      assert.ok(ms >= WRITE_TIMEOUT * 1000 - 100, `a stalled reader was closed after ${ms} ms`);
    }
    assert.equal(server.stats.stalledConnections - stalledBefore, n, "stalledConnections");
    assert.ok(server.stats.framesDropped > droppedBefore, "no frame was dropped: queue never full");
  } finally {
    await Promise.all(readers.map((c) => c.close()));
  }
}

interopTest(
  "readers with a zero TCP window are cut off at the write deadline; other readers see no gap",
  ["ffmpeg"],
  async () => {
    // 150 KB of filler per frame (4.5 MB/s) fills a stalled reader's kernel buffers in a couple
    // of seconds, and a 256 KiB queue after that in a few frames.
    const s = await startClipServer(
      { writeTimeout: WRITE_TIMEOUT, maxQueueBytes: 256 * 1024 },
      150_000,
    );
    const reader = startReader(s.url, 13);
    // A second healthy reader notes when each frame arrives: a stall must not delay it.
    const arrivals: number[] = [];
    const timed = await RtspTestClient.connect(s.url, {
      depacketize: false,
      onFrame: (au) => arrivals.push(au.receivedAt),
    });
    try {
      await timed.play();
      await sleep(1500); // both readers are playing before the first attack
      const from = arrivals.length;
      await assertBounded("20 zero window", 1, () => stallReaders(s.server, 3));
      const seen = arrivals.slice(from);
      const worst = Math.max(...seen.slice(1).map((t, k) => t - seen[k]));
      assert.ok(worst < 250, `the healthy reader waited ${worst.toFixed(0)} ms for a frame`);
      assert.equal(timed.lost, 0, "the healthy reader lost packets");
      await reader.check();
    } finally {
      await timed.close();
      await s.close();
    }
  },
);
