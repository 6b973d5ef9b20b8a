// startRelay() and startPush() through real sockets, one process: server A serves a path, server B
// relays it (or A pushes it to B), and frames sent at A reach B's stream.
import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import { startPush, startRelay } from "../../relay.ts";
import { idr, PPS, slice, SPS } from "../server/conversation.ts";

/** Feeds `stream` a GOP every 200 ms until `stop()`. */
function feed(stream: { sendFrame(f: Uint8Array[], o: { timestamp: number }): boolean }) {
  let t = 0;
  const timer = setInterval(() => {
    stream.sendFrame([SPS, PPS, idr(2000)], { timestamp: t });
    stream.sendFrame([slice(500)], { timestamp: t + 40_000 });
    t += 200_000;
  }, 200);
  return () => clearInterval(timer);
}

/** Resolves once `check()` holds, polling; fails after `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("startRelay() serves another server's path; its state says streaming", async () => {
  const a = await serve({ port: 0, hostname: "127.0.0.1" });
  const b = await serve({ port: 0, hostname: "127.0.0.1" });
  const stop = feed(a.addStream("/cam", { codec: "h264" }));
  try {
    const relay = await startRelay(b, "/relayed", { url: a.url("/cam"), transport: "tcp" });
    await until(() => relay.state.state === "streaming" && relay.stream.stats.frames > 2);
    assert.deepEqual(relay.stream.parameterSets, { sps: SPS, pps: PPS });
    await relay.stop();
    assert.equal(relay.state.state, "stopped");
    assert.equal(b.getStream("/relayed"), undefined, "stop() removes the path");
    await assert.rejects(startRelay(b, "/x", { url: "ftp://cam/x" }), TypeError);
  } finally {
    stop();
    await b.close();
    await a.close();
  }
});

Deno.test("startPush() keeps a path pushed to another server, which serves it", async () => {
  const a = await serve({ port: 0, hostname: "127.0.0.1" });
  const b = await serve({ port: 0, hostname: "127.0.0.1", publishers: () => ({}) });
  const stop = feed(a.addStream("/cam", { codec: "h264" }));
  try {
    const push = await startPush(a, "/cam", { url: b.url("/pushed") });
    assert.equal(push.target, b.url("/pushed"));
    await until(() =>
      push.state.state === "pushing" && (b.getStream("/pushed")?.stats.frames ?? 0) > 2
    );
    await push.stop();
    assert.equal(push.state.state, "stopped");
  } finally {
    stop();
    await b.close();
    await a.close();
  }
});
