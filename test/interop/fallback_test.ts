/**
 * UDP first, then TCP (INTEROP.md): with UDP blocked, ffmpeg and GStreamer give up on UDP after their
 * timeout and read over TCP. ffmpeg sends PAUSE and a new SETUP on the same connection; GStreamer
 * reconnects. "Blocked" here is a network whose UDP sends vanish, as behind a firewall.
 */

import assert from "node:assert/strict";
import type { Network } from "../../src/runtime/net.ts";
import { nodeNetwork } from "../../src/runtime/node_net.ts";
import {
  argv,
  assertGstDecoded,
  gstDecode,
  interopTest,
  run,
  startClipServer,
  teardownCounter,
} from "./support.ts";

const udpBlocked: Network = {
  listenTcp: nodeNetwork.listenTcp,
  async bindUdp(options, onDatagram) {
    const socket = await nodeNetwork.bindUdp(options, onDatagram);
    return { address: socket.address, send() {}, close: () => socket.close() };
  },
};

interopTest("ffmpeg falls back from blocked UDP to TCP and decodes", ["ffmpeg"], async () => {
  const s = await startClipServer({ network: udpBlocked });
  try {
    // ffmpeg 5.1 gives up on UDP only when -timeout is set; Frigate sets 5 s.
    const r = await run(
      "ffmpeg",
      argv`-v info -timeout 3000000 -i ${s.url} -t 2 -f framecrc -`,
      60_000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /retrying with TCP/);
    const frames = r.stdout.split("\n").filter((l) => /^0,/.test(l)).length;
    assert.ok(frames >= 50, `only ${frames} frames after the fallback`);
  } finally {
    await s.close();
  }
});

interopTest(
  "GStreamer falls back from blocked UDP to TCP and decodes",
  ["gst-launch-1.0"],
  async () => {
    const teardowns = teardownCounter();
    const s = await startClipServer({ network: udpBlocked, logger: teardowns.logger });
    try {
      // rtspsrc retries over TCP when no UDP packet came within `timeout` microseconds.
      assertGstDecoded(await gstDecode(s.url, ["timeout=2000000"], 30), teardowns.count());
    } finally {
      await s.close();
    }
  },
);
