/** GStreamer's rtspsrc (the second client stack of INTEROP.md) reading over TCP and UDP. */

import {
  assertGstDecoded,
  gstDecode,
  interopTest,
  startClipServer,
  teardownCounter,
} from "./support.ts";

for (const transport of ["tcp", "udp"]) {
  interopTest(
    `GStreamer rtspsrc over ${transport} decodes 60 frames`,
    ["gst-launch-1.0"],
    async () => {
      const teardowns = teardownCounter();
      const s = await startClipServer({ logger: teardowns.logger });
      try {
        assertGstDecoded(await gstDecode(s.url, [`protocols=${transport}`], 60), teardowns.count());
      } finally {
        await s.close();
      }
    },
  );
}
