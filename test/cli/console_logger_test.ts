import assert from "node:assert/strict";
import { formatLogLine } from "../../src/cli/console_logger.ts";

Deno.test("log lines escape what a peer sent, so no line can be forged", () => {
  const line = formatLogLine("warn", "malformed request", {
    method: "GET\r\n2026-01-01 INFO  forged",
    peer: "127.0.0.1:4000",
    esc: "\x1b[2J",
  });
  assert.equal(line.includes("\n"), false);
  assert.equal(line.includes("\x1b"), false);
  assert.match(line, / peer=127\.0\.0\.1:4000 /);
  assert.ok(line.includes(String.raw`method="GET\r\n2026-01-01 INFO  forged"`), line);
});
