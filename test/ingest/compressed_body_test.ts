// A device's compressed raw frames through the ingest port: fflate is imported at the first such
// body (not with the port), and the body, read while it loads, still arrives whole and in order.
import assert from "node:assert/strict";
import { deflateSync, gzipSync } from "fflate";
import { POLICY, startClockedRig, TOKEN, until } from "./_server_rig.ts";

Deno.test({
  name: "deflated and gzipped raw frames reach their path, the first body while fflate loads",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startClockedRig({ ...POLICY, maxFrameBytes: 1 << 20 });
    try {
      const frame = new Uint8Array(64 * 48 * 3 / 2).fill(128);
      const two = new Uint8Array(frame.length * 2);
      two.set(frame);
      two.set(frame, frame.length);
      const stopped = () => rig.logged("device stopped publishing; readers stay");
      for (const [encoding, body] of [["deflate", deflateSync(two)], ["gzip", gzipSync(two)]]) {
        const before = stopped().length;
        const r = await fetch(`${rig.base}/cam`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${TOKEN}`,
            "Content-Type": "video/x-raw; format=i420; width=64; height=48",
            "Content-Encoding": encoding as string,
          },
          body: body as Uint8Array<ArrayBuffer>,
        });
        await r.body?.cancel();
        assert.equal(r.status, 204, `${encoding}: ${r.status}`);
        await until(() => stopped().length > before, `the ${encoding} upload's end`);
        assert.equal(stopped().at(-1)!.fields?.frames, 2, `${encoding}: both frames`);
      }
      assert.deepEqual(rig.lines.filter((l) => l.level === "error"), []);
    } finally {
      await rig.close();
    }
  },
});
