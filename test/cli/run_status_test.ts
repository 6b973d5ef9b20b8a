/**
 * startAll() makes the status board of what it started: every configured path with its source's
 * kind and a line on it without passwords, the states its sources tell, and the log lines it kept.
 */

import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/config.ts";
import { startAll } from "../../src/cli/run.ts";

const CONFIG = `
rtspPort: 0
httpPort: 0
rtpPort: 0
bind: 127.0.0.1
paths:
  pattern:
    source: test-pattern
    size: 160x96
    fps: 10
    bitrate: 200k
    onDemand: true
  dev:
    source: ingest
  pub:
    source: publisher
  door:
    source: rtsp://admin:secret@127.0.0.1:9/stream1
`;

Deno.test({
  name: "startAll's status board lists every configured path with its source and state",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { config } = parseConfig(CONFIG, "test.yml");
    const lines: string[] = [];
    const running = await startAll(config, {
      logger: { log: (_level, message) => void lines.push(message) },
      retry: true,
    });
    try {
      const deadline = Date.now() + 15_000;
      while (running.status.path("door")?.state !== "backing-off") {
        if (Date.now() > deadline) throw new Error("the relay never backed off");
        await new Promise((r) => setTimeout(r, 25));
      }
      const paths = running.status.paths();
      assert.deepEqual(paths.map((p) => [p.name, p.source.type, p.state, p.onDemand]), [
        ["pattern", "test-pattern", "idle", true],
        ["dev", "ingest", "waiting", false],
        ["pub", "publisher", "waiting", false],
        ["door", "rtsp", "backing-off", false],
      ]);
      const door = paths[3];
      assert.equal(door.source.detail, "relayed from rtsp://127.0.0.1:9/stream1");
      assert.ok(door.lastError, "the relay's error is shown");
      assert.ok(!JSON.stringify(paths).includes("secret"), "no password anywhere");
      assert.ok(running.status.log!.lines().some((l) => l.message === "relay connecting"));
      assert.ok(lines.includes("relay connecting"), "lines still reach the given logger");
    } finally {
      await running.stop();
    }
  },
});
