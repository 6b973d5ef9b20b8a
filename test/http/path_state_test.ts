import assert from "node:assert/strict";
import { pathState } from "../../src/http/path_state.ts";

const LIVE = { state: "live" } as const;

Deno.test("pathState() says a pushed path waits once its device has been silent a second", () => {
  const quiet = (msSinceFrame: number, fps: number | null) => ({ msSinceFrame, fps });
  assert.deepEqual(pathState(undefined, LIVE, true, quiet(200, 10)), {
    state: "streaming",
    reconnects: 0,
  });
  assert.deepEqual(pathState(undefined, LIVE, true, quiet(1300, 10)), {
    state: "waiting",
    lastError: "no frame for 1.3 s",
    reconnects: 0,
  });
  // A device at one frame a second is silent only after three of its intervals.
  assert.equal(pathState(undefined, LIVE, true, quiet(2500, 1)).state, "streaming");
  assert.equal(pathState(undefined, LIVE, true, quiet(3100, 1)).state, "waiting");
  // A local source is not judged by silence (a paused file, a slow test pattern has its own states).
  assert.equal(pathState(undefined, LIVE, false, quiet(5000, 10)).state, "streaming");
});
