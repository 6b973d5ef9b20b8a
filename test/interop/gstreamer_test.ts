/** GStreamer's rtspsrc (the second client stack of INTEROP.md) reading over TCP and UDP. */

import assert from "node:assert/strict";
import { gstDecode, interopTest, startClipServer } from "./support.ts";

for (const transport of ["tcp", "udp"]) {
  interopTest(
    `GStreamer rtspsrc over ${transport} decodes 60 frames`,
    ["gst-launch-1.0"],
    async () => {
      const s = await startClipServer();
      try {
        const r = await gstDecode(s.url, [`protocols=${transport}`], 60);
        assert.equal(r.timedOut, false, "gst-launch did not finish in time");
        assert.equal(r.code, 0, r.stderr + r.stdout);
      } finally {
        await s.close();
      }
    },
  );
}
