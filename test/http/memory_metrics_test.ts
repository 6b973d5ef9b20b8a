/**
 * `/metrics` tells where the memory goes: the process's memory by kind, each encoder's WebAssembly
 * memory and Worker heap, and each path's GOP cache. And a real encoder in a Worker reports its
 * memory when ready.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { StatusBoard, type StatusServer } from "../../src/http/status.ts";
import { writeMetrics } from "../../src/http/metrics.ts";
import { memoryStats, processStats } from "../../src/runtime/process_stats.ts";
import type { PathSnapshot } from "../../src/server/introspection.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";

const snapshot: PathSnapshot = {
  path: "/cam",
  codec: "h264",
  videoInfo: {},
  sourceState: { state: "live" },
  readers: 0,
  framesIn: 0,
  bytesIn: 0,
  framesOut: 0,
  bytesOut: 0,
  framesDropped: 0,
  gopCacheBytes: 4096,
};

const server: StatusServer = {
  paths: () => [{ ...snapshot }],
  sessions: () => [],
  kick: () => false,
  stats: {
    connections: 0,
    sessions: 0,
  } as unknown as StatusServer["stats"],
};

Deno.test("the memory gauges carry the process's, the encoder's and the GOP cache's bytes", () => {
  const encoder = {
    encoded: 1,
    dropped: 0,
    failed: 0,
    memory: { wasmBytes: 25 << 20, workerHeapUsedBytes: 1 << 20, workerHeapTotalBytes: 2 << 20 },
  };
  const board = new StatusBoard({
    server,
    paths: [{ path: "/cam", type: "test-pattern", detail: "", source: { encoder } }],
    clock: new ManualClock(),
  });
  try {
    const text = writeMetrics(board, {
      cpuSeconds: 1,
      residentBytes: 50 << 20,
      startTimeSeconds: 0,
      memory: {
        residentAnonymousBytes: 10 << 20,
        residentFileBytes: 40 << 20,
        heapUsedBytes: 3 << 20,
        heapTotalBytes: 4 << 20,
        arrayBufferBytes: 5 << 20,
        externalBytes: 6 << 20,
      },
    });
    const has = (line: string) => assert.ok(text.includes(`${line}\n`), `${line} in\n${text}`);
    has(`rtsp_edge_memory_bytes{kind="resident_anonymous"} ${10 << 20}`);
    has(`rtsp_edge_memory_bytes{kind="resident_file"} ${40 << 20}`);
    has(`rtsp_edge_memory_bytes{kind="heap_used"} ${3 << 20}`);
    has(`rtsp_edge_memory_bytes{kind="array_buffers"} ${5 << 20}`);
    has(`rtsp_edge_encoder_wasm_memory_bytes{path="cam"} ${25 << 20}`);
    has(`rtsp_edge_encoder_worker_heap_bytes{path="cam",kind="used"} ${1 << 20}`);
    has(`rtsp_edge_encoder_worker_heap_bytes{path="cam",kind="total"} ${2 << 20}`);
    has(`rtsp_edge_path_gop_cache_bytes{path="cam"} 4096`);
  } finally {
    board.close();
  }
});

Deno.test("memoryStats reads the heap, and on Linux the resident split", () => {
  const m = memoryStats();
  assert.ok(m.heapUsedBytes > 0 && m.heapTotalBytes > 0);
  if (Deno.build.os === "linux") {
    assert.ok(m.residentAnonymousBytes! > 0 && m.residentFileBytes! > 0);
    const rss = processStats().residentBytes;
    const sum = m.residentAnonymousBytes! + m.residentFileBytes!;
    assert.ok(Math.abs(sum - rss) < 64 << 20, `${sum} vs ${rss}`);
  }
});

Deno.test("an encoder in a Worker tells its WebAssembly memory and heap when ready", async () => {
  const encoder = await H264Encoder.create({ width: 320, height: 240, fps: 30, bitrate: 500_000 });
  try {
    const memory = encoder.memory!;
    assert.ok(memory.wasmBytes >= 16 << 20, `${memory.wasmBytes}`);
    assert.ok(memory.workerHeapUsedBytes! > 0);
    assert.ok(memory.workerHeapTotalBytes! > 0);
  } finally {
    await encoder.close();
  }
});
