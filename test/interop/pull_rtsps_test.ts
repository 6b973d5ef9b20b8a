/**
 * rtsp-edge's pull client over RTSPS (TLS, port 322 by default) against rtsp-edge's own TLS port,
 * with a self-signed certificate made by openssl: accepted by default, refused with tlsVerify.
 */

import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import { PullError, pullRtsp } from "../../src/client/pull.ts";
import { selfSignedPem } from "../runtime/self_signed.ts";
import { clip } from "../support/fake_rtsp_device.ts";
import { CollectingSink } from "../client/_support.ts";
import { interopTest } from "./support.ts";

interopTest("pullRtsp() reads rtsps:// interleaved inside TLS; tlsVerify refuses self-signed", [
  "openssl",
], async () => {
  const server = await serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { port: 0, ...await selfSignedPem() },
  });
  const stream = server.addStream("/cam", { codec: "h264", framerate: 25 });
  let i = 0;
  const timer = setInterval(() => {
    stream.sendFrame(clip().accessUnits[i % clip().accessUnits.length], { timestamp: i * 40_000 });
    i++;
  }, 40);
  try {
    const url = server.tlsUrl("/cam");
    const sink = new CollectingSink();
    // "auto" (and "udp") mean interleaved inside the TLS connection for rtsps://.
    const session = await pullRtsp({ url, transport: "auto" }, sink);
    assert.equal(session.transport, "tcp");
    await sink.waitFrames(5);
    await session.close();
    await assert.rejects(
      pullRtsp({ url, transport: "tcp", tlsVerify: true }, new CollectingSink()),
      (e: Error) =>
        e instanceof PullError && e.message.startsWith(`${url}: `) && /TLS/.test(e.message),
    );
  } finally {
    clearInterval(timer);
    await server.close();
  }
});
