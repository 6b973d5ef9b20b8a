import assert from "node:assert/strict";
import { type LogFields, throttledLog } from "../../src/base/log.ts";

Deno.test("throttledLog() prints once per interval and counts the repeats it held back", () => {
  const lines: [string, LogFields | undefined][] = [];
  let t = 0;
  const report = throttledLog(
    { log: (_level, message, fields) => void lines.push([message, fields]) },
    "warn",
    "frame failed",
    1000,
    () => t,
  );
  report({ path: "/a" });
  t = 10;
  report({ path: "/a" });
  report({ path: "/a" });
  t = 1010;
  report({ path: "/a" });
  assert.deepEqual(lines, [
    ["frame failed", { path: "/a", alsoFailed: undefined }],
    ["frame failed", { path: "/a", alsoFailed: 2 }],
  ]);
});
