import assert from "node:assert/strict";
import { RecentLog } from "../../src/base/recent_log.ts";
import type { LogLevel } from "../../src/base/log.ts";

Deno.test("RecentLog passes every line on and keeps the latest ones at info and above", () => {
  const passed: string[] = [];
  let t = 1000;
  const log = new RecentLog({ log: (_l: LogLevel, m: string) => void passed.push(m) }, {
    capacity: 3,
    wallMs: () => t++,
  });
  log.log("debug", "d");
  for (const m of ["a", "b", "c", "e"]) log.log("info", m, { path: "/cam", gone: undefined });
  assert.deepEqual(passed, ["d", "a", "b", "c", "e"]);
  assert.deepEqual(log.lines(), [
    { time: 1001, level: "info", message: "b", fields: { path: "/cam" } },
    { time: 1002, level: "info", message: "c", fields: { path: "/cam" } },
    { time: 1003, level: "info", message: "e", fields: { path: "/cam" } },
  ]);
});
