import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Logger, LogLevel } from "../../src/base/log.ts";
import { serve } from "../../src/server/server.ts";
import { startLocalSources } from "../../src/source/start_sources.ts";
import { discrete, FakeCamera, FakeLibC, offer } from "../camera/fake_libc.ts";

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: { log: (level: LogLevel, message: string) => void lines.push(`${level} ${message}`) },
  };
}

async function y4mFile(): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".y4m" });
  const frame = new Uint8Array(16 * 16 * 1.5).fill(128);
  const head = new TextEncoder().encode("YUV4MPEG2 W16 H16 F25:1 C420\nFRAME\n");
  await Deno.writeFile(file, new Uint8Array([...head, ...frame]));
  return file;
}

Deno.test("every planned path has its stream as soon as startLocalSources() returns, before any file is read", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const file = await y4mFile();
  try {
    const starting = startLocalSources(server, [
      {
        path: "/still",
        source: { kind: "y4m-file", path: file, bitrate: 200_000, gop: 30 },
        retry: false,
      },
      {
        path: "/bars",
        source: { kind: "test-pattern", width: 64, height: 48, fps: 10, bitrate: 200_000, gop: 10 },
        retry: false,
      },
    ], { logger: recorder().logger });
    // Nothing has been awaited yet: a DESCRIBE now would find both paths and wait for SPS/PPS.
    assert.equal(server.getStream("/still")?.codec, "h264");
    assert.equal(server.getStream("/bars")?.codec, "h264");
    assert.equal(server.getStream("/bars")?.videoInfo.framerate, 10);
    const sources = await starting;
    assert.deepEqual(sources.map((s) => s.description), [
      `${file} (y4m), 16x16 at 25 fps`,
      "test pattern 64x48 at 10 fps, 0.2 Mbit/s",
    ]);
    await Promise.all(sources.map((s) => s.stop()));
  } finally {
    await server.close();
    await Deno.remove(file);
  }
});

const CAMERA = {
  card: "Late Webcam",
  formats: [offer("YUYV", "YUYV 4:2:2", [discrete(32, 16, [30])])],
};
const CAMERA_PATH = {
  path: "/cam",
  source: {
    kind: "camera" as const,
    device: "/dev/video9",
    width: 32,
    height: 16,
    fps: 30,
    bitrate: 100_000,
    gop: 30,
  },
};

Deno.test("a camera that is not there yet is logged once and retried; the other paths serve meanwhile", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const camera = new FakeCamera(CAMERA);
  camera.vanish();
  const libc = new FakeLibC({ "/dev/video9": camera });
  const clock = new ManualClock();
  const log = recorder();
  try {
    const sources = await startLocalSources(server, [
      { ...CAMERA_PATH, retry: true },
      {
        path: "/clip",
        source: {
          kind: "h264-file",
          path: "test/testdata/codec/x264_baseline_160x90_29.97fps.h264",
        },
        retry: true,
      },
    ], { logger: log.logger, clock, libc, retryDelayMs: 1000 });
    assert.match(sources[0].description, /^not started yet \(camera \/dev\/video9 not found\)/);
    assert.match(sources[1].description, /frames at [\d.]+ fps, looped/);
    assert.ok(server.getStream("/cam"), "the camera's path stays, so readers can wait for it");
    clock.advance(3000); // three more attempts, all failing the same way: not logged again
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(log.lines, ["warn the source could not start; trying again"]);
    const attempts = camera.openAttempts;
    camera.reappear();
    clock.advance(1000);
    for (let i = 0; i < 200 && !log.lines.includes("info the source started"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(camera.openAttempts > attempts);
    assert.deepEqual(log.lines, [
      "warn the source could not start; trying again",
      "info the source started",
    ]);
    await Promise.all(sources.map((s) => s.stop()));
    libc.assertNoLeaks();
  } finally {
    await server.close();
  }
});

Deno.test("a single source that cannot start fails the start with its one-sentence error", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const libc = new FakeLibC({});
  try {
    await assert.rejects(
      startLocalSources(server, [{ ...CAMERA_PATH, retry: false }], {
        logger: recorder().logger,
        libc,
      }),
      { name: "CameraError", message: "camera /dev/video9 not found" },
    );
    libc.assertNoLeaks();
  } finally {
    await server.close();
  }
});

Deno.test("stop() of a source still waiting to start ends the attempts", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const camera = new FakeCamera(CAMERA);
  camera.vanish();
  const libc = new FakeLibC({ "/dev/video9": camera });
  const clock = new ManualClock();
  try {
    const [source] = await startLocalSources(server, [{ ...CAMERA_PATH, retry: true }], {
      logger: recorder().logger,
      clock,
      libc,
    });
    await source.stop();
    assert.equal(clock.pendingTimers, 0, "no attempt is scheduled any more");
    const attempts = camera.openAttempts;
    camera.reappear();
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(camera.openAttempts, attempts);
    libc.assertNoLeaks();
  } finally {
    await server.close();
  }
});
